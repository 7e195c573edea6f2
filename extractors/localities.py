"""Foreign partner localities and countries named in Vietnamese official documents.

Public API
----------
``extract_localities(text) -> list[Locality]`` — foreign subnational places
(provinces, prefectures, cities, regions, border gates...) and foreign countries
(``kind == "country"``), ordered by ``char_start``; ``text[char_start:char_end] == name``.
``gazetteer_size() -> int`` — number of foreign entries in the gazetteer.

Built as two spaCy components on a blank Vietnamese pipeline (see :mod:`extractors.nlp`):

* ``foreign_locality_ruler`` — one PhraseMatcher on NORM (= ``match_key``: case and
  tone-placement insensitive) fed from three data files: ``gazetteer.csv`` (foreign
  places), ``countries.csv`` (country names) and ``domestic.csv`` (Vietnamese places,
  world regions and common words that must veto a foreign reading: "Quảng Nam",
  "Nam Giang", "châu Úc", "pháp luật", "ý kiến"...).  Raw matches go to
  ``doc.spans["loc_raw"]``.
* ``locality_context`` — keeps the longest non-overlapping matches and applies the
  context rules: capitalisation, domestic vetoes, ambiguous country words
  ("Anh", "Ý", "Đức", "Nga", "Pháp", "Mỹ"), country context for ambiguous places
  ("Hà Nam (Trung Quốc)"), lists "các tỉnh: A, B, C (Lào)", prefix words that pick
  a reading ("thủ đô Viêng Chăn" → Vientiane Capital, "tỉnh Viêng Chăn" → Vientiane
  Province), unknown names in "tỉnh X (Lào)" context, and border-gate pairs
  "cửa khẩu Nam Giang - X".  Results go to ``doc.user_data["localities"]`` as
  ``(start_char, end_char, canonical, country, kind)`` tuples.

Whitespace runs (including newlines inside a name broken by a PDF line wrap) are
collapsed to one space before spaCy sees the text; offsets are mapped back.
"""
from __future__ import annotations

import bisect
import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import regex
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.nlp import blank_vi
from extractors.records import Locality
from pipeline.normalize import match_key, strip_diacritics

DATA = Path(__file__).parent / "data"

# ---------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Entry:
    source: str  # "G" gazetteer | "C" country | "D" domestic / veto
    canonical: str
    country: str  # ISO alpha-2 ("" for domestic)
    kind: str
    context: str = ""  # "" | "strict" (needs country context) | "standalone" (countries)
    emit: bool = True
    border: str = ""  # domestic border districts/gates: the country across the border


def _forms(surface: str) -> set[str]:
    """A surface form and its hyphen/space variants."""
    s = " ".join(surface.split())
    out = {s}
    if "-" in s:
        out.add(" ".join(s.replace("-", " ").split()))
    words = s.split()
    if 1 < len(words) <= 6 and "-" not in s:
        out.add("-".join(words))
    return {f for f in out if f}


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


@dataclass
class Data:
    entries: list[Entry]
    surfaces: list[tuple[str, int]]  # (surface form, entry index)
    n_foreign: int


@lru_cache(maxsize=1)
def load_data() -> Data:
    entries: list[Entry] = []
    surfaces: list[tuple[str, int]] = []
    domestic_keys: set[str] = set()
    for row in _read("domestic.csv"):
        i = len(entries)
        entries.append(Entry("D", row["name"], "", row["kind"], border=row.get("border", "")))
        for f in _forms(row["name"]):
            surfaces.append((f, i))
            domestic_keys.add(match_key(" ".join(f.replace("-", " ").split())))
    n_foreign = 0
    for row in _read("gazetteer.csv"):
        names = [row["name_vi"]] + [v for v in row["variants"].split("|") if v.strip()]
        keys = {match_key(" ".join(n.replace("-", " ").split())) for n in names}
        context = row.get("context", "")
        if keys & domestic_keys:  # same spelling as a Vietnamese place: needs country context
            context = "strict"
        i = len(entries)
        entries.append(Entry("G", row["canonical"], row["country"], row["kind"], context))
        n_foreign += 1
        for n in names:
            for f in _forms(n):
                surfaces.append((f, i))
    for row in _read("countries.csv"):
        names = [row["name_vi"]] + [v for v in row["variants"].split("|") if v.strip()]
        i = len(entries)
        entries.append(Entry("C", row["canonical"], row["country"], "country", row.get("context", ""),
                             emit=row.get("emit", "1") != "0"))
        for n in names:
            for f in _forms(n):
                surfaces.append((f, i))
    return Data(entries, surfaces, n_foreign)


_LOOSE_DROP = regex.compile(r"[\s\-'.]+")
_LOOSE_FOLDS = (("ph", "f"), ("kh", "k"), ("th", "t"), ("ch", "c"), ("k", "c"), ("q", "c"), ("x", "s"),
                ("z", "d"), ("y", "i"), ("w", "u"), ("oo", "o"), ("ou", "u"), ("aa", "a"), ("ee", "e"),
                ("h", ""))


def loose_key(name: str) -> str:
    """Spelling-drift key: no diacritics, spaces or hyphens, a few consonant/vowel folds
    ("Xê Công", "Sê Koong", "Sekong" → "secong")."""
    k = _LOOSE_DROP.sub("", strip_diacritics(name))
    for a, b in _LOOSE_FOLDS:
        k = k.replace(a, b)
    return k


@lru_cache(maxsize=1)
def loose_index() -> dict[str, list[Entry]]:
    """loose_key -> gazetteer entries (used only for names already in a foreign context)."""
    data = load_data()
    idx: dict[str, list[Entry]] = {}
    for surface, i in data.surfaces:
        e = data.entries[i]
        if e.source != "G":
            continue
        lst = idx.setdefault(loose_key(surface), [])
        if e not in lst:
            lst.append(e)
    return idx


def gazetteer_size() -> int:
    """Number of foreign (non-country) entries in the gazetteer data file."""
    return load_data().n_foreign


# ---------------------------------------------------------------------------
# vocabulary for context rules (lower-case, matched on token.norm_)

# prefix word(s) before a place name -> the kind they announce
_PREFIX_KIND: dict[tuple[str, ...], str] = {
    ("tỉnh",): "province",
    ("tỉnh", "bang"): "province",
    ("thành", "phố"): "city",
    ("tp",): "city",
    ("tp", "."): "city",
    ("thủ", "đô"): "capital",
    ("bang",): "state",
    ("vùng",): "region",
    ("khu", "vực"): "region",
    ("miền",): "region",
    ("quận",): "district",
    ("huyện",): "district",
    ("hạt",): "county",
    ("châu",): "prefecture",
    ("khu", "tự", "trị"): "autonomous region",
    ("thị", "trấn"): "town",
    ("thị", "xã"): "town",
    ("đặc", "khu"): "special zone",
    ("cửa", "khẩu"): "border gate",
    ("nước",): "country",
}
_PREFIX_WORDS = {w for k in _PREFIX_KIND for w in k} | {"các", "hai", "ba", "những"}
_LIST_SEPS = {",", "và", "&"}
# capitalised words allowed right before an ambiguous country word ("Tại Đức", "CHLB Đức")
_CAP_CUES = {"tại", "sang", "ở", "với", "và", "của", "nước", "chlb", "lb", "ch"}
_HONORIFICS = {"ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cháu", "thầy", "đồng", "chí", "đ/c", "cậu", "dì", "mợ", "bạn", "cụ", "ngài"}
# capitalised words that, before a name, make it part of a Vietnamese person's name
_NAME_PARTS = {
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "hồ", "ngô",
    "dương", "lý", "văn", "thị", "đức", "hữu", "minh", "quang", "công", "xuân", "thanh", "ngọc", "đình",
    "trọng", "tiến", "mạnh", "kim", "thu", "thúy", "hồng",
}
# first words of organisation names: never an unknown place name
_ORG_WORDS = {
    "ủy", "ban", "hội", "sở", "bộ", "đảng", "nhà", "công", "trường", "bệnh", "ngân", "viện", "đại", "trung",
    "tổng", "cục", "chi", "phòng", "quỹ", "tổ", "liên", "hiệp", "đoàn", "mặt", "câu", "báo", "đài", "tập",
    "văn", "cơ", "cục", "học", "chương", "dự", "kế", "quyết", "nghị", "thông", "chỉ", "luật", "hiến",
}
_UNKNOWN_MAX_TOKENS = 5


def _is_cap(tok) -> bool:
    t = tok.text
    return bool(t) and t[0].isalpha() and t[0].isupper()


def _is_word(tok) -> bool:
    return bool(tok.text) and tok.text[0].isalpha()


# ---------------------------------------------------------------------------
# component 1: ruler


@Language.factory("foreign_locality_ruler")
def make_ruler(nlp: Language, name: str) -> "ForeignLocalityRuler":
    return ForeignLocalityRuler(nlp)


class ForeignLocalityRuler:
    """PhraseMatcher over NORM fed from the three data files; raw matches in doc.spans["loc_raw"]."""

    def __init__(self, nlp: Language) -> None:
        data = load_data()
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        groups: dict[tuple[str, ...], list[int]] = {}
        docs: dict[tuple[str, ...], Doc] = {}
        texts = [s for s, _ in data.surfaces]
        for (surface, idx), doc in zip(data.surfaces, nlp.tokenizer.pipe(texts)):
            key = tuple(t.norm_ for t in doc)
            if not key:
                continue
            lst = groups.setdefault(key, [])
            if idx not in lst:
                lst.append(idx)
            docs.setdefault(key, doc)
        # one label for every pattern; a match is mapped back to its entries by its NORM key
        self.group_entries: dict[tuple[str, ...], tuple[int, ...]] = {k: tuple(v) for k, v in groups.items()}
        self.matcher.add("LOC", list(docs.values()))

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for sp in self.matcher(doc, as_spans=True):
            # a spaced hyphen ("Việt Nam - Lào") is punctuation, not a hyphenated name ("Nam-Lào")
            if len(sp) > 2 and any(t.text == "-" and (doc[t.i - 1].whitespace_ or t.whitespace_) for t in sp[1:-1]):
                continue
            spans.append(sp)
        doc.spans["loc_raw"] = spans
        doc.user_data["loc_groups"] = self.group_entries
        return doc


# ---------------------------------------------------------------------------
# component 2: context rules


@Language.factory("locality_context")
def make_context(nlp: Language, name: str) -> "LocalityContext":
    return LocalityContext()


@dataclass
class _Cand:
    span: Span
    entries: list[Entry]
    country: Optional[Entry] = None  # accepted country reading
    ctx: str = ""  # country code from context


class LocalityContext:
    def __init__(self) -> None:
        self.entries = load_data().entries

    # -- helpers -----------------------------------------------------------
    @staticmethod
    def _prefix_kind(doc: Doc, start: int) -> Optional[str]:
        """Kind announced by the word(s) immediately before token ``start``."""
        # the norms of the (up to) three tokens before ``start``, read once: keys of 3, 2, 1 words
        norms = tuple(doc[i].norm_ for i in range(max(0, start - 3), start))
        for n in (3, 2, 1):
            if start - n < 0:
                continue
            key = norms[len(norms) - n:]
            if key in _PREFIX_KIND:
                return _PREFIX_KIND[key]
        return None

    def __call__(self, doc: Doc) -> Doc:
        groups: dict[tuple[str, ...], tuple[int, ...]] = doc.user_data.get("loc_groups", {})
        raw = list(doc.spans["loc_raw"]) if "loc_raw" in doc.spans else []
        spans = filter_spans(raw)
        cands: list[_Cand] = []
        for sp in spans:
            ents = [self.entries[i] for i in groups.get(tuple(t.norm_ for t in sp), ())]
            if not ents:
                continue
            cands.append(_Cand(sp, ents))
        cands.sort(key=lambda c: c.span.start)
        by_start = {c.span.start: c for c in cands}
        by_end = {c.span.end: c for c in cands}

        # pass 1: countries -------------------------------------------------
        def country_entry(c: _Cand) -> Optional[Entry]:
            for e in c.entries:
                if e.source == "C":
                    return e
            return None

        def standalone(c: _Cand) -> bool:
            s, e = c.span.start, c.span.end
            if e < len(doc) and _is_cap(doc[e]) and e not in by_start:
                return False
            if s > 0:
                prev = doc[s - 1]
                if prev.norm_ in _HONORIFICS:
                    return False
                if _is_cap(prev) and (s - 1) not in by_end and prev.norm_ not in _CAP_CUES:
                    return False  # "Lê Văn Đức", "Trần Quốc Anh": part of a person's name
            return True

        pending: list[_Cand] = []
        for c in cands:
            ce = country_entry(c)
            if ce is None or any(e.source == "D" for e in c.entries):
                continue
            if not _is_cap(c.span[0]):
                continue
            if ce.context == "" or len(c.span) > 1:  # "Vương quốc Anh", "CHLB Đức": unambiguous
                c.country = ce
            elif ce.context == "standalone":
                if standalone(c):
                    c.country = ce
            else:
                pending.append(c)

        def strict_ok(c: _Cand) -> bool:
            if not standalone(c):
                return False
            s, e = c.span.start, c.span.end
            if s > 0 and e < len(doc) and doc[s - 1].text == "(" and doc[e].text == ")":
                return True
            if s > 0 and doc[s - 1].norm_ in {"nước", "quốc"}:  # nước Anh, Vương quốc Anh
                return True
            # list adjacency with an accepted country: "Hà Lan, Ý", "Ý và Pháp", "Việt Nam - Anh"
            if s >= 2 and doc[s - 1].norm_ in _LIST_SEPS | {"-", "/"}:
                left = by_end.get(s - 1)
                if left is not None and left.country is not None:
                    return True
            if e + 1 < len(doc) and doc[e].norm_ in _LIST_SEPS | {"-", "/"}:
                right = by_start.get(e + 1)
                if right is not None and right.country is not None:
                    return True
            return False

        changed = True
        while changed and pending:
            changed = False
            for c in list(pending):
                if strict_ok(c):
                    c.country = country_entry(c)
                    pending.remove(c)
                    changed = True

        def country_at(start: int) -> Optional[str]:
            c = by_start.get(start)
            if c is not None and c.country is not None:
                return c.country.country
            return None

        # pass 2: country context for places ------------------------------
        ctx: dict[int, str] = {}  # token start of a place candidate -> ISO from context
        unknown: list[tuple[int, int, str, Optional[str]]] = []  # (start, end, country, prefix kind)

        for c in cands:
            if c.country is None:
                continue
            cc = c.country.country
            s, e = c.span.start, c.span.end
            # "(Country)" closing a list: walk back over the list
            if c.country.emit and s > 0 and doc[s - 1].text == "(" and e < len(doc) and doc[e].text == ")":
                self._scan_back(doc, s - 2, cc, by_end, ctx, unknown)
            # "X, Country" / "X của Country" / "X thuộc Country"
            if s >= 2 and doc[s - 1].norm_ in {",", "của", "thuộc"}:
                j = s - 2
                if doc[j].norm_ == "nước" and j >= 1:
                    j -= 1
                left = by_end.get(j + 1)
                if left is not None:
                    ctx.setdefault(left.span.start, cc)
            # "Country (A, B)" : items in parentheses after a country
            if e < len(doc) and doc[e].text == "(":
                j = e + 1
                while j < len(doc) and j < e + 40 and doc[j].text != ")":
                    if j in by_start:
                        ctx.setdefault(j, cc)
                        j = by_start[j].span.end
                    else:
                        j += 1

        # pass 2b: border-gate pairs "cửa khẩu A - B" with A a Vietnamese gate/district
        pairs: dict[int, str] = {}  # token start of B -> country across the border from A
        for c in cands:
            dom = [e for e in c.entries if e.source == "D" and e.border]
            if not dom:
                continue
            s, e = c.span.start, c.span.end
            if "khẩu" not in {t.norm_ for t in doc[max(0, s - 6): s]}:
                continue
            if e + 1 < len(doc) and doc[e].text in {"-", "–"} and _is_cap(doc[e + 1]):
                pairs[e + 1] = dom[0].border

        # pass 3: decide places ------------------------------------------
        out: list[tuple[int, int, str, str, str]] = []
        for c in cands:
            sp = c.span
            if c.country is not None:
                if c.country.emit:
                    out.append((sp.start_char, sp.end_char, c.country.canonical, c.country.country, "country"))
                continue
            gaz = [e for e in c.entries if e.source == "G"]
            if not gaz or not _is_cap(sp[0]):
                continue
            has_domestic = any(e.source == "D" for e in c.entries)
            context_cc = ctx.get(sp.start)
            if context_cc is None and sp.end < len(doc):
                # directly followed by a country name without punctuation: "Quảng Tây Trung Quốc"
                context_cc = country_at(sp.end)
            rows = gaz
            if sp.start in pairs:
                gates = [e for e in gaz if e.kind == "border gate"]
                if gates:
                    g = next((e for e in gates if e.country == pairs[sp.start]), gates[0])
                    out.append((sp.start_char, sp.end_char, g.canonical, g.country, g.kind))
                    continue
            if context_cc is not None:
                same = [e for e in gaz if e.country == context_cc]
                if same:
                    rows = same
                elif any(e.context == "strict" for e in gaz) or has_domestic:
                    continue
            confirmed = context_cc is not None and rows[0].country == context_cc
            if not confirmed:
                if has_domestic:
                    continue
                rows = [e for e in rows if e.context != "strict"]
                if not rows:
                    continue
                if self._in_person_name(doc, sp, by_start):
                    continue
            pk = self._prefix_kind(doc, sp.start)
            row = rows[0]
            if pk is not None:
                for e in rows:
                    if e.kind == pk:
                        row = e
                        break
            out.append((sp.start_char, sp.end_char, row.canonical, row.country, row.kind))

        # pass 4: unknown name on the foreign side of a border-gate pair
        for j, cc in pairs.items():
            if j in by_start:
                continue  # a known (or domestic) name: decided above
            k = j
            while k < len(doc) and k < j + 4 and _is_cap(doc[k]) and k not in by_start:
                k += 1
            name_span = doc[j:k]
            known = [x for x in loose_index().get(loose_key(name_span.text), [])
                     if x.country == cc and x.kind == "border gate"]
            if known:
                out.append((name_span.start_char, name_span.end_char, known[0].canonical, cc, "border gate"))
            else:
                out.append((name_span.start_char, name_span.end_char,
                            f"{name_span.text} border gate", cc, "border gate"))

        # unknown names in "tỉnh X (Lào)" / list context ---------------------
        loose = loose_index()
        for s, e, cc, pk in unknown:
            sp = doc[s:e]
            known = [x for x in loose.get(loose_key(sp.text), []) if x.country == cc]
            if known:  # spelling drift of a known name ("Xê Công" for Sekong)
                row = next((x for x in known if x.kind == pk), known[0])
                out.append((sp.start_char, sp.end_char, row.canonical, row.country, row.kind))
            else:
                out.append((sp.start_char, sp.end_char, sp.text, cc, pk or "province"))

        out.sort()
        doc.user_data["localities"] = out
        return doc

    # ------------------------------------------------------------------
    def _in_person_name(self, doc: Doc, sp: Span, by_start: dict[int, _Cand]) -> bool:
        s, e = sp.start, sp.end
        if s > 0 and _is_cap(doc[s - 1]) and doc[s - 1].norm_ in _NAME_PARTS:
            return True  # "Nguyễn Hải Nam"
        if s > 0 and doc[s - 1].norm_ in _HONORIFICS and not _is_cap(doc[s - 1]):
            return True  # "anh Hải Nam", "chị Thanh Đảo"
        if s > 0 and doc[s - 1].norm_ == "việt" and sp[0].norm_ in {"nam", "bắc"}:
            return True  # "Việt Nam Thái Lan" is not "Nam Thái Lan"
        if e < len(doc) and _is_cap(doc[e]) and e not in by_start and not doc[e].is_upper:
            # followed by another capitalised word that is not a known name: part of a longer name
            return True
        return False

    def _scan_back(self, doc: Doc, j: int, cc: str, by_end: dict[int, _Cand],
                   ctx: dict[int, str], unknown: list) -> None:
        """Walk back from token ``j`` over a list ending before "(Country)" —
        "các tỉnh: A, B và thành phố C (Lào)" — give the known items the country and
        collect the unknown capitalised items.

        An unknown item is kept only when it is cleanly delimited (separator, prefix word
        or colon on its left) and either has its own prefix word ("tỉnh X") or the list
        starts with one ("các tỉnh: X, Y").
        """
        stop = max(-1, j - 80)
        run: Optional[list[int]] = None  # [start, end) of the unknown run being read
        items: list[tuple[int, int, Optional[str]]] = []
        last_event = ""

        while j > stop:
            tok = doc[j]
            cand = by_end.get(j + 1)
            if cand is not None and run is None:
                if cand.country is not None:
                    break  # another country: what precedes belongs to it
                if any(e.source == "G" for e in cand.entries):
                    ctx.setdefault(cand.span.start, cc)
                    j = cand.span.start - 1
                    last_event = "item"
                    continue
                if any(e.source == "D" for e in cand.entries):
                    break  # a Vietnamese place ends the foreign list
            norm = tok.norm_
            if norm in _LIST_SEPS:
                if run is not None:
                    items.append((run[0], run[1], None))
                    run = None
                last_event = "sep"
            elif norm in _PREFIX_WORDS:
                if run is not None:
                    items.append((run[0], run[1], self._prefix_kind(doc, run[0])))
                    run = None
                last_event = "prefix"
            elif tok.text == ":":
                if run is not None:
                    items.append((run[0], run[1], None))
                    run = None
                last_event = "colon"
            elif _is_cap(tok):
                if run is None:
                    run = [j, j + 1]
                run[0] = j
                if run[1] - run[0] > _UNKNOWN_MAX_TOKENS:
                    return  # a long capitalised run: a title or an organisation, not a list
                last_event = "word"
            else:
                break
            j -= 1
        # an open run here is not delimited on its left ("dân tộc Choang"): dropped
        list_anchored = last_event in {"prefix", "colon"}
        for s, e, pk in items:
            toks = doc[s:e]
            if toks[0].norm_ in _ORG_WORDS:
                continue
            if pk is None:
                if not list_anchored:
                    continue
                pk = "province"
            unknown.append((s, e, cc, pk))


# ---------------------------------------------------------------------------
# pipeline and public API


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The cached pipeline: blank vi + custom tokenizer + ruler + context rules."""
    nlp = blank_vi()
    nlp.add_pipe("foreign_locality_ruler")
    nlp.add_pipe("locality_context")
    return nlp


# a run of 2+ blanks, or one blank that is not a space; written blank-first (same matches as
# r"\s{2,}|[^\S ]") because the engine scans a pattern starting with one class faster than an alternation
_WS = regex.compile(r"\s(?:\s+|(?<=[^\S ]))")
_CHUNK = 200_000


def _collapse(text: str) -> tuple[str, list[int], list[int]]:
    """Collapse whitespace runs to one space; return (text, breakpoints, shifts) such that
    original offset = collapsed offset + shifts[bisect_right(breakpoints, pos) - 1]."""
    parts: list[str] = []
    bps = [0]
    shifts = [0]
    last = 0
    removed = 0
    out_len = 0
    for m in _WS.finditer(text):
        parts.append(text[last:m.start()])
        out_len += m.start() - last
        parts.append(" ")
        out_len += 1
        removed += (m.end() - m.start()) - 1
        bps.append(out_len)
        shifts.append(removed)
        last = m.end()
    parts.append(text[last:])
    return "".join(parts), bps, shifts


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text) <= _CHUNK:
        return [(0, text)]
    out = []
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + _CHUNK)
        if end < len(text):
            cut = text.rfind(". ", pos + _CHUNK // 2, end)
            end = cut + 2 if cut != -1 else (text.rfind(" ", pos + _CHUNK // 2, end) + 1 or end)
        out.append((pos, text[pos:end]))
        pos = end
    return out


# Long runs of punctuation: spaCy's tokenizer strips prefixes/suffixes one character at a time
# (quadratic on a 1 MB run of "-" or ")"); no place name lives inside such a run, so blank it
# (length-preserving, spans stay valid).
# (a class of literal characters: the standard ``re`` engine scans it with the same result, twice as fast)
_PUNCT_RUN = re.compile(r"[\(\[\{\"'«“‘‹\)\]\}»”’>…\-–—•·*+,;:!?./]{16,}")


def extract_localities(text: str) -> list[Locality]:
    """Foreign localities and countries in ``text`` (normalized text), ordered by char_start."""
    if not text:
        return []
    scan = _PUNCT_RUN.sub(lambda m: " " * len(m.group()), text)
    collapsed, bps, shifts = _collapse(scan)

    def orig(pos: int) -> int:
        return pos + shifts[bisect.bisect_right(bps, pos) - 1]

    nlp = get_nlp()
    chunks = _chunks(collapsed)
    out: list[Locality] = []
    for (base, _), doc in zip(chunks, nlp.pipe(c for _, c in chunks)):
        for s, e, canonical, country, kind in doc.user_data.get("localities", []):
            a, b = orig(base + s), orig(base + e - 1) + 1
            out.append(Locality(name=text[a:b], canonical=canonical, country=country, kind=kind,
                                char_start=a, char_end=b))
    out.sort(key=lambda x: (x.char_start, x.char_end))
    # drop exact duplicates (a span found by two rules)
    dedup: list[Locality] = []
    seen: set[tuple[int, int]] = set()
    for loc in out:
        if (loc.char_start, loc.char_end) in seen:
            continue
        seen.add((loc.char_start, loc.char_end))
        dedup.append(loc)
    return dedup


def countries_of(localities: Iterable[Locality]) -> set[str]:
    """ISO codes of the countries named (kind "country")."""
    return {l.country for l in localities if l.kind == "country"}
