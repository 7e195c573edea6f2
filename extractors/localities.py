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
  ``doc.user_data["loc_raw"]`` as ``(start, end)`` token pairs (no Span objects: the
  context rules read NORM / ORTH ids, which is most of their speed).
* ``locality_context`` — keeps the longest non-overlapping matches and applies the
  context rules: capitalisation, domestic vetoes, ambiguous country words
  ("Anh", "Ý", "Đức", "Nga", "Pháp", "Mỹ"), country context for ambiguous places
  ("Hà Nam (Trung Quốc)") or a known foreign place of a larger level after it ("thành phố Đông Hưng
  (Quảng Tây)", "huyện Hà Khẩu, châu Hồng Hà, tỉnh Vân Nam"), lists "các tỉnh: A, B, C (Lào)"
  (not "các đồng chí: A, B (Lào)"), prefix words that pick
  a reading ("thủ đô Viêng Chăn" → Vientiane Capital, "tỉnh Viêng Chăn" → Vientiane
  Province), unknown names in "tỉnh X (Lào)" context, and border-gate pairs
  "cửa khẩu Nam Giang - X" (and the pairs listed after it: "cặp cửa khẩu phụ A - B, C - D; E - F"; B may
  be a name that is also Vietnamese, "Bắc Luân - Đông Hưng", or A's own name, "Nậm Cắn - Nậm Cắn").
  A list sharing one prefix word ("các tỉnh Kampốt, Kep và Tà Keo", "các tỉnh Tây Nam Campuchia: ...") gives
  every item that prefix: a strict name is then kept in a text naming its country, an unknown one is read by its
  spelling-drift key (a kind the prefix announces, a country the text names, never a Vietnamese place's key nor
  a Chinese name), and a name that is also Vietnamese takes the country of two or more siblings when the list
  names no Vietnamese-only place.  An unknown name after its prefix word is kept before ", Country" /
  "của Country" ("tỉnh Sê Pôn, Lào") and in a list closed by a parenthesised larger place ("huyện A, huyện B
  (châu Văn Sơn)"); lower-case syllables glued by hyphens belong to a name ("Át-ta-pư").  A place right after
  an organisation head ("Trường Đại học Kyoto") is part of that organisation's name.
  Results go to ``doc.user_data["localities"]`` as
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
from typing import Iterable, Optional, Sequence

import numpy
import regex
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

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
def loose_domestic() -> frozenset[str]:
    """loose_key of every Vietnamese place / veto word: an unknown name with one of these keys is never read as
    a foreign place by its spelling-drift key."""
    data = load_data()
    return frozenset(loose_key(surface) for surface, i in data.surfaces if data.entries[i].source == "D")


@lru_cache(maxsize=1)
def loose_index() -> dict[str, list[Entry]]:
    """loose_key -> gazetteer entries (used only for names already in a foreign context)."""
    data = load_data()
    idx: dict[str, list[Entry]] = {}
    for surface, i in data.surfaces:
        e = data.entries[i]
        if e.source != "G":
            continue
        words = surface.split()
        keys = [loose_key(surface)]
        for n in (2, 1):  # a variant that opens with a prefix word ("Vùng Viễn Đông"): also without it
            if len(words) > n and tuple(w.lower() for w in words[:n]) in _PREFIX_KIND:
                keys.append(loose_key(" ".join(words[n:])))
                break
        for key in keys:
            lst = idx.setdefault(key, [])
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
# kinds a prefix announces for a strict name (default: its own kind): Japan's prefectures are "tỉnh" too
# and a Chinese county (huyện) is a "huyện" like a district
_STRICT_PREFIX_KINDS: dict[str, tuple[str, ...]] = {"province": ("province", "prefecture"),
                                                    "district": ("district", "county")}
# the reading a prefix picks when a name has several, in order of preference (default: its own kind, then the
# gazetteer's first): a first-level division for "tỉnh"/"tỉnh bang"/"bang" ("các tỉnh bang Washington (Hoa Kỳ)"
# is the state, not the capital), a city or capital for "thành phố"/"thủ đô"
_PREFIX_READINGS: dict[str, tuple[str, ...]] = {
    "province": ("province", "prefecture", "state"),
    "state": ("state", "province"),
    "city": ("city", "capital"),
    "capital": ("capital", "city"),
    "district": ("district", "county"),
}


def _reading(rows: Sequence[Entry], pk: Optional[str]) -> Entry:
    """The reading of a name with gazetteer rows ``rows`` after a prefix announcing ``pk`` (see _PREFIX_READINGS)."""
    if pk is not None:
        for kind in _PREFIX_READINGS.get(pk, (pk,)):
            for x in rows:
                if x.kind == kind:
                    return x
    return rows[0]


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
    "văn", "cơ", "học", "chương", "dự", "kế", "quyết", "nghị", "thông", "chỉ", "luật", "hiến",
}
_UNKNOWN_MAX_TOKENS = 5
# countries whose places Vietnamese writes in fixed Sino-Vietnamese readings: a near spelling is another place,
# often a Vietnamese one ("quận Hải Châu" is not Hải Khẩu), so the spelling-drift key never reads them
_EXACT_READING_COUNTRIES = frozenset({"CN", "TW", "HK", "MO"})
# capitalised heads of organisation names: a place right after one is part of the organisation's name
# ("Trường Đại học Kyoto", "Bệnh viện Đại học Seoul", "Ngân hàng Shinhan"), not a partner locality
_ORG_HEADS: tuple[tuple[str, ...], ...] = (
    ("đại", "học"), ("học", "viện"), ("bệnh", "viện"), ("tập", "đoàn"), ("ngân", "hàng"), ("công", "ty"),
    ("viện",), ("trường",),
)
# prefix words that also end names: a capitalised "Châu" after a capitalised word is part of the name ("Liễu Châu",
# "Long Châu"), the lower-case "châu" announces a prefecture ("châu Hồng Hà")
_NAME_END_WORDS = {"châu", "thành", "khẩu"}
# words before a colon that announce a list of people, not places ("các đồng chí: ...", "các ông: ...", "các vị: ...")
_PERSON_HEADS = {"chí", "đ/c", "ông", "bà", "ngài", "vị", "biểu"}
# plural markers (also prefix words): "các đồng chí: ..." is still a list of people
_PLURAL_WORDS = {"các", "hai", "ba", "những"}
# administrative levels (lower = larger): a place is read inside a known foreign place of a smaller level
# ("huyện Hà Khẩu, châu Hồng Hà, tỉnh Vân Nam"; "thành phố Đông Hưng (Quảng Tây)")
_LEVEL: dict[str, float] = {
    "region": 0.5, "province": 1, "state": 1, "autonomous region": 1, "capital": 1,
    "prefecture": 2, "city": 2, "special zone": 2,
    "district": 3, "county": 3, "town": 3, "border gate": 4,
}


def _is_cap_text(t: str) -> bool:
    return bool(t) and t[0].isalpha() and t[0].isupper()


# ---------------------------------------------------------------------------
# component 1: ruler


@dataclass(frozen=True)
class _Group:
    """The entries of one NORM key (every surface form with that key), with the facts the
    context rules ask of them, computed once at set-up instead of once per match."""

    entries: tuple[Entry, ...]
    country: Optional[Entry]  # the first country entry
    has_domestic: bool
    has_gazetteer: bool
    gazetteer: tuple[Entry, ...]  # the gazetteer entries, in order
    border: str  # the border country of the first domestic entry that has one ("" if none)

    @staticmethod
    def of(entries: tuple[Entry, ...]) -> "_Group":
        gaz = tuple(e for e in entries if e.source == "G")
        return _Group(
            entries=entries,
            country=next((e for e in entries if e.source == "C"), None),
            has_domestic=any(e.source == "D" for e in entries),
            has_gazetteer=bool(gaz),
            gazetteer=gaz,
            border=next((e.border for e in entries if e.source == "D" and e.border), ""),
        )


@Language.factory("foreign_locality_ruler")
def make_ruler(nlp: Language, name: str) -> "ForeignLocalityRuler":
    return ForeignLocalityRuler(nlp)


def _word_norms(nlp: Language, words: list[str]) -> dict[str, tuple[int, ...]]:
    """NORM ids of the tokens of each space-free word.

    The tokenizer splits a text on spaces and tokenizes each piece on its own, so the tokens of a
    surface form are the concatenation of its words' tokens.  All the distinct words are tokenized
    in one Doc (one Doc per surface form cost most of the set-up time)."""
    doc = nlp.tokenizer(" ".join(words))
    out: dict[str, tuple[int, ...]] = {}
    toks = iter(doc)
    tok = next(toks, None)
    pos = 0
    for w in words:
        end = pos + len(w)
        norms = []
        while tok is not None and tok.idx < end:
            norms.append(tok.norm)
            tok = next(toks, None)
        out[w] = tuple(norms)
        pos = end + 1
    return out


class ForeignLocalityRuler:
    """PhraseMatcher over NORM fed from the three data files; raw matches — (start, end) token
    pairs — in doc.user_data["loc_raw"], the doc's NORM ids in doc.user_data["loc_norms"]."""

    def __init__(self, nlp: Language) -> None:
        data = load_data()
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        words = list(dict.fromkeys(w for s, _ in data.surfaces for w in s.split(" ")))
        word_norms = _word_norms(nlp, words)
        groups: dict[tuple[int, ...], list[int]] = {}
        for surface, idx in data.surfaces:
            key = tuple(n for w in surface.split(" ") for n in word_norms[w])
            if not key:
                continue
            lst = groups.setdefault(key, [])
            if idx not in lst:
                lst.append(idx)
        # one label for every pattern; a match is mapped back to its entries by its NORM key
        self.groups: dict[tuple[int, ...], _Group] = {
            k: _Group.of(tuple(data.entries[i] for i in v)) for k, v in groups.items()}
        # PhraseMatcher.add takes a pattern as a Doc or as the sequence of its attribute ids
        self.matcher.add("LOC", list(groups))
        # keys with a hyphen inside (the only ones the spaced-hyphen check can drop)
        dash = nlp.vocab["-"].norm
        self.hyphen_keys = {k for k in groups if dash in k[1:-1]}

    def __call__(self, doc: Doc) -> Doc:
        norm_arr = doc.to_array(NORM) if len(doc) else None
        norms = norm_arr.tolist() if norm_arr is not None else []
        doc.user_data["loc_norm_arr"] = norm_arr
        spans: list[tuple[int, int]] = []
        hyphen_keys = self.hyphen_keys
        for _, s, e in self.matcher(doc):
            # a spaced hyphen ("Việt Nam - Lào") is punctuation, not a hyphenated name ("Nam-Lào")
            if e - s > 2 and tuple(norms[s:e]) in hyphen_keys and any(
                    t.text == "-" and (doc[t.i - 1].whitespace_ or t.whitespace_) for t in doc[s + 1:e - 1]):
                continue
            spans.append((s, e))
        doc.user_data["loc_raw"] = spans
        doc.user_data["loc_norms"] = norms
        doc.user_data["loc_groups"] = self.groups
        return doc


# ---------------------------------------------------------------------------
# component 2: context rules


@Language.factory("locality_context")
def make_context(nlp: Language, name: str) -> "LocalityContext":
    return LocalityContext(nlp.vocab)


class _Cand:
    __slots__ = ("start", "end", "group", "country")

    def __init__(self, start: int, end: int, group: _Group) -> None:
        self.start = start
        self.end = end
        self.group = group
        self.country: Optional[Entry] = None  # accepted country reading


def _filter_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """spacy.util.filter_spans on (start, end) pairs: the (first) longest of overlapping spans,
    sorted by start."""
    result = []
    seen: set[int] = set()
    for s, e in sorted(spans, key=lambda p: (p[1] - p[0], -p[0]), reverse=True):
        if s not in seen and e - 1 not in seen:
            result.append((s, e))
            seen.update(range(s, e))
    result.sort(key=lambda p: p[0])
    return result


class _Toks:
    """Token facts the rules read, on NORM / ORTH ids (no Token objects): ``norm[i]`` and
    ``orth[i]`` are ids, compared with the ids of the rule words; per-ORTH facts are cached."""

    __slots__ = ("norm", "orth", "n", "_cap", "_upper", "_vocab", "_doc", "_dash")

    def __init__(self, doc: Doc, norms: list[int], cap: dict[int, bool], upper: dict[int, bool]) -> None:
        self.norm = norms
        self.orth = doc.to_array(ORTH).tolist() if len(doc) else []
        self.n = len(doc)
        self._cap = cap
        self._upper = upper
        self._vocab = doc.vocab
        self._doc = doc
        self._dash = doc.vocab.strings.add("-")

    def cap(self, i: int) -> bool:
        """``_is_cap(doc[i])``: starts with an upper-case letter."""
        h = self.orth[i]
        v = self._cap.get(h)
        if v is None:
            v = self._cap[h] = _is_cap_text(self._vocab.strings[h])
        return v

    def in_word(self, i: int) -> bool:
        """Token ``i`` continues a hyphenated name begun by a capitalised syllable, with no space: the "-",
        "ta", "-", "pư" of "Át-ta-pư" (the tokenizer splits hyphens; transliterations write syllables so)."""
        doc = self._doc
        k = i
        while k > 0 and i - k < 12:
            a, b = doc[k - 1], doc[k]
            if a.idx + len(a) != b.idx:
                break  # a space before token k: k starts the word
            if self.orth[k] != self._dash and not b.text.isalpha():
                return False
            k -= 1
        return k < i and self.cap(k) and k + 1 < self.n and self.orth[k + 1] == self._dash

    def width(self, a: int, b: int) -> int:
        """Number of syllables in tokens [a, b): the tokens that are not hyphens."""
        return sum(1 for x in self.orth[a:b] if x != self._dash)

    def is_upper(self, i: int) -> bool:
        """``doc[i].is_upper`` (a lexeme flag)."""
        h = self.orth[i]
        v = self._upper.get(h)
        if v is None:
            v = self._upper[h] = self._vocab[h].is_upper
        return v


class LocalityContext:
    def __init__(self, vocab: Optional[Vocab] = None) -> None:
        self.vocab = vocab if vocab is not None else get_nlp().vocab
        ids = self.vocab.strings.add  # the id of a NORM / ORTH string (as the lexemes store it)

        def idset(words: Iterable[str]) -> frozenset[int]:
            return frozenset(ids(w) for w in words)

        self.prefix_kind = {tuple(ids(w) for w in k): v for k, v in _PREFIX_KIND.items()}
        self.prefix_words = idset(_PREFIX_WORDS)
        self.list_seps = idset(_LIST_SEPS)
        self.list_links = idset(_LIST_SEPS | {"-", "/"})
        self.cap_cues = idset(_CAP_CUES)
        self.honorifics = idset(_HONORIFICS)
        self.name_parts = idset(_NAME_PARTS)
        self.org_words = idset(_ORG_WORDS)
        self.country_words = idset({"nước", "quốc"})
        self.of_words = idset({",", "của", "thuộc"})
        self.viet_south_north = idset({"nam", "bắc"})
        self.n_nuoc, self.n_viet, self.n_khau = ids("nước"), ids("việt"), ids("khẩu")
        self.o_open, self.o_close, self.o_colon = ids("("), ids(")"), ids(":")
        self.o_dashes = idset({"-", "–"})
        self.name_end_words = idset(_NAME_END_WORDS)
        self.person_heads = idset(_PERSON_HEADS)
        self.plural_words = idset(_PLURAL_WORDS)
        self.n_comma, self.n_semicolon, self.n_don = ids(","), ids(";"), ids("đơn")
        self.org_heads = frozenset(tuple(ids(w) for w in h) for h in _ORG_HEADS)
        # the last word of each prefix but "." ("TP."), which ends every sentence
        self.prefix_last = idset(k[-1] for k in _PREFIX_KIND if k[-1] != ".")
        self.prefix_last_arr = numpy.fromiter(sorted(self.prefix_last), dtype=numpy.uint64)
        self._cap: dict[int, bool] = {}
        self._upper: dict[int, bool] = {}

    # -- helpers -----------------------------------------------------------
    def _prefix_kind(self, t: _Toks, start: int) -> Optional[str]:
        """Kind announced by the word(s) immediately before token ``start``."""
        return self._prefix_at(t, start)[0]

    def _prefix_at(self, t: _Toks, start: int) -> tuple[Optional[str], int]:
        """(kind, number of tokens) of the prefix word(s) immediately before token ``start`` ((None, 0) if none)."""
        # the norms of the (up to) three tokens before ``start``, read once: keys of 3, 2, 1 words
        norms = tuple(t.norm[max(0, start - 3):start])
        for n in (3, 2, 1):
            if start - n < 0:
                continue
            key = norms[len(norms) - n:]
            kind = self.prefix_kind.get(key)
            if kind is not None:
                return kind, n
        return None, 0

    def _name_word(self, t: _Toks, j: int) -> bool:
        """Token ``j`` is a word of a capitalised name read backwards: capitalised and no prefix word, or a
        title-case name-final word ("Châu") after a capitalised word that is no prefix word ("Liễu Châu")."""
        if not t.cap(j):
            return t.in_word(j)  # "Át-ta-pư"
        norm = t.norm[j]
        if norm not in self.prefix_words:
            return True
        return (norm in self.name_end_words and not t.is_upper(j) and j > 0 and t.cap(j - 1)
                and t.norm[j - 1] not in self.prefix_words)

    def _name_run(self, t: _Toks, j: int, by_start: dict[int, "_Cand"]) -> int:
        """End of the unknown capitalised name starting at token ``j`` (``j`` if none): at most
        _UNKNOWN_MAX_TOKENS name words, no known name inside, not an organisation, not followed by another
        capitalised word (a longer name)."""
        if j >= t.n or t.norm[j] in self.org_words:
            return j
        k = j
        while k < t.n and t.width(j, k) < _UNKNOWN_MAX_TOKENS and k not in by_start and self._name_word(t, k):
            k += 1
        if k < t.n and k not in by_start and t.cap(k) and t.norm[k] not in self.prefix_words:
            return j  # a longer capitalised run: a title or an organisation
        return k

    def _prefixed_lists(self, t: _Toks, by_start: dict[int, "_Cand"]) -> list[tuple[str, list[tuple[int, int, bool]]]]:
        """Names after a prefix word, alone or in a list that shares it: "các tỉnh Kampốt, Kep và Tà Keo",
        "các thành phố Phòng Thành Cảng, Sùng Tả, Bằng Tường". Returns (announced kind, [(start, end, known)])
        per prefix; a country name, a colon or any other word ends the list."""
        norms = t.norm
        n = t.n
        out: list[tuple[str, list[tuple[int, int, bool]]]] = []
        arr = t._doc.user_data.get("loc_norm_arr")
        if arr is None or len(arr) != n:
            arr = numpy.asarray(norms, dtype=numpy.uint64)
        # positions of the prefixes' last words (a vectorised scan: a Python loop over every token cost ~0.6 ms
        # per plan)
        for i in numpy.flatnonzero(numpy.isin(arr[:-1], self.prefix_last_arr)).tolist():
            if not t.cap(i + 1) or (t.cap(i) and i > 0 and t.cap(i - 1)):
                continue  # a capitalised prefix word after a capitalised word is part of a name ("Luông Pha Bang")
            first = by_start.get(i + 1)
            if first is not None and not first.group.has_gazetteer and first.country is None:
                continue  # a Vietnamese place ("tỉnh Hà Tĩnh, ..."): no foreign list
            pk = self._prefix_kind(t, i + 1)
            if pk is None or pk in ("country", "border gate"):
                continue
            items: list[tuple[int, int, bool]] = []
            j = i + 1
            # "các tỉnh Tây Nam Campuchia: Takeo, Kampot, Kep", "các tỉnh Bắc Lào: ...": a region or a country
            # (after up to 3 capitalised words), then a colon, opens the list
            for h in range(j, min(n, j + 4)):
                head = by_start.get(h)
                if head is not None and head.end + 1 < n and t.orth[head.end] == self.o_colon \
                        and t.cap(head.end + 1) and (head.country is not None
                                                     or any(x.kind == "region" for x in head.group.gazetteer)):
                    j = head.end + 1
                    break
                if not t.cap(h) or head is not None:
                    break
            while j < n and len(items) < 12:
                c = by_start.get(j)
                if c is not None:
                    if c.country is not None or not (c.group.has_gazetteer or c.group.has_domestic):
                        break  # a country (or country word) ends the list
                    k = c.end
                    items.append((j, k, True))
                else:
                    k = self._name_run(t, j, by_start)
                    if k == j:
                        break
                    items.append((j, k, False))
                if k + 1 < n and norms[k] in self.list_seps and t.cap(k + 1) \
                        and norms[k + 1] not in self.prefix_words:
                    j = k + 1
                else:
                    break
            if items:
                out.append((pk, items))
        return out

    def _own_country(self, c: "_Cand") -> Optional[str]:
        """The country of a place that needs no context: gazetteer readings only, none strict, one country."""
        g = c.group
        if g.has_domestic or g.country is not None or not g.gazetteer:
            return None
        ccs = {x.country for x in g.gazetteer}
        if len(ccs) != 1 or any(x.context == "strict" for x in g.gazetteer):
            return None
        return next(iter(ccs))

    def __call__(self, doc: Doc) -> Doc:
        groups: dict[tuple[int, ...], _Group] = doc.user_data.get("loc_groups", {})
        raw: list[tuple[int, int]] = doc.user_data.get("loc_raw", [])
        norms: list[int] = doc.user_data.get("loc_norms") or (doc.to_array(NORM).tolist() if len(doc) else [])
        t = _Toks(doc, norms, self._cap, self._upper)
        n = t.n
        orth = t.orth
        cands: list[_Cand] = []
        countries: list[_Cand] = []  # candidates with a country reading and no domestic one
        borders: list[_Cand] = []  # candidates with a domestic border reading
        # a match that opens lowercase can only veto (a domestic reading); a foreign-only one would just hide
        # an overlapping capitalised match: "vùng Viễn Đông Nga" (variant "Vùng Viễn Đông") hid "Viễn Đông Nga"
        raw = [(s, e) for s, e in raw if t.cap(s) or getattr(groups.get(tuple(norms[s:e])), "has_domestic", False)]
        for s, e in _filter_spans(raw):
            g = groups.get(tuple(norms[s:e]))
            if g is None or not g.entries:
                continue
            c = _Cand(s, e, g)
            cands.append(c)
            if g.country is not None and not g.has_domestic:
                countries.append(c)
            if g.border:
                borders.append(c)
        if not cands:
            doc.user_data["localities"] = []
            return doc
        by_start = {c.start: c for c in cands}
        by_end = {c.end: c for c in cands}

        # pass 1: countries -------------------------------------------------
        def standalone(c: _Cand) -> bool:
            s, e = c.start, c.end
            if e < n and t.cap(e) and e not in by_start:
                return False
            if s > 0:
                prev = norms[s - 1]
                if prev in self.honorifics:
                    return False
                if t.cap(s - 1) and (s - 1) not in by_end and prev not in self.cap_cues:
                    return False  # "Lê Văn Đức", "Trần Quốc Anh": part of a person's name
            return True

        pending: list[_Cand] = []
        for c in countries:
            ce = c.group.country
            if not t.cap(c.start):
                continue
            if ce.context == "" or c.end - c.start > 1:  # "Vương quốc Anh", "CHLB Đức": unambiguous
                c.country = ce
            elif ce.context == "standalone":
                if standalone(c):
                    c.country = ce
            else:
                pending.append(c)

        def strict_ok(c: _Cand) -> bool:
            if not standalone(c):
                return False
            s, e = c.start, c.end
            if s > 0 and e < n and orth[s - 1] == self.o_open and orth[e] == self.o_close:
                return True
            if s > 0 and norms[s - 1] in self.country_words:  # nước Anh, Vương quốc Anh
                return True
            # list adjacency with an accepted country: "Hà Lan, Ý", "Ý và Pháp", "Việt Nam - Anh"
            if s >= 2 and norms[s - 1] in self.list_links:
                left = by_end.get(s - 1)
                if left is not None and left.country is not None:
                    return True
            if e + 1 < n and norms[e] in self.list_links:
                right = by_start.get(e + 1)
                if right is not None and right.country is not None:
                    return True
            return False

        changed = True
        while changed and pending:
            changed = False
            for c in list(pending):
                if strict_ok(c):
                    c.country = c.group.country
                    pending.remove(c)
                    changed = True

        named = {c.country.country for c in countries if c.country is not None}  # countries this text names

        def country_at(start: int) -> Optional[str]:
            c = by_start.get(start)
            if c is not None and c.country is not None:
                return c.country.country
            return None

        # pass 2: country context for places ------------------------------
        ctx: dict[int, str] = {}  # token start of a place candidate -> ISO from context
        unknown: list[tuple[int, int, str, Optional[str]]] = []  # (start, end, country, prefix kind)

        for c in countries:  # (only these get a country reading)
            if c.country is None:
                continue
            cc = c.country.country
            s, e = c.start, c.end
            # "(Country)" closing a list: walk back over the list
            if c.country.emit and s > 0 and orth[s - 1] == self.o_open and e < n and orth[e] == self.o_close:
                self._scan_back(t, s - 2, cc, by_end, ctx, unknown)
            # "X, Country" / "X của Country" / "X thuộc Country"
            if s >= 2 and norms[s - 1] in self.of_words:
                j = s - 2
                if norms[j] == self.n_nuoc and j >= 1:
                    j -= 1
                left = by_end.get(j + 1)
                if left is not None:
                    ctx.setdefault(left.start, cc)
                elif c.country.emit and self._name_word(t, j):
                    # an unknown name after its prefix word: "tỉnh Sê Pôn, Lào", "tỉnh Riau của In-đô-nê-xi-a"
                    k = j
                    while k > 0 and t.width(k, j + 1) < _UNKNOWN_MAX_TOKENS and self._name_word(t, k - 1) \
                            and k not in by_end and (k - 1) not in by_start:
                        k -= 1
                    pk = self._prefix_kind(t, k)
                    if pk is not None and pk in _LEVEL and norms[k] not in self.org_words \
                            and self._name_run(t, k, by_start) == j + 1:
                        unknown.append((k, j + 1, cc, pk))
            # "Country (A, B)" : items in parentheses after a country
            if e < n and orth[e] == self.o_open:
                j = e + 1
                while j < n and j < e + 40 and orth[j] != self.o_close:
                    if j in by_start:
                        ctx.setdefault(j, cc)
                        j = by_start[j].end
                    else:
                        j += 1

        # pass 2d: names after a prefix word, alone or in a list sharing it ("các tỉnh Kampốt, Kep và Tà Keo").
        # A known name in such a list takes the list's prefix as its own; an unknown one is read by its
        # spelling-drift key when that names a place of a country the text names ("Kampốt", "Tà Keo" in a plan
        # that names Campuchia) and is no Vietnamese place's key.
        shared_pk: dict[int, str] = {}  # token start of a listed name (known or not) -> the list's prefix kind
        plists = self._prefixed_lists(t, by_start)
        drift: list[tuple[int, int, Entry]] = []
        for pk, items in plists:
            for s, e, known in items:
                shared_pk.setdefault(s, pk)
        if plists and named:
            loose, dom = loose_index(), loose_domestic()
            for pk, items in plists:
                for s, e, known in items:
                    if known:
                        continue
                    name = doc[s:e].text.rstrip()  # (doc.text would rebuild the whole text)
                    while name and not name[-1].isalpha():  # "Seoul.[^5]": a token glued to a marker
                        name = name[:-1]
                    a = doc[s].idx
                    b = a + len(name)
                    key = loose_key(name)
                    if len(key) < 4 or key in dom:
                        continue
                    kinds = _PREFIX_READINGS.get(pk, (pk,)) + _STRICT_PREFIX_KINDS.get(pk, ())
                    rows = [x for x in loose.get(key, []) if x.country in named and x.kind in kinds
                            and x.country not in _EXACT_READING_COUNTRIES]
                    if rows:
                        drift.append((a, b, _reading(rows, pk)))

        # pass 2c: a known foreign place right after a smaller place gives it its country, as a country name
        # does: "thành phố Đông Hưng (Quảng Tây)", "huyện Hà Khẩu, châu Hồng Hà, tỉnh Vân Nam", "huyện Viêng
        # Xay (tỉnh Hủa Phăn)". Read right to left, so a place that got its country this way passes it on.
        # The smaller place needs a prefix word of a lower level ("huyện", "thành phố") after a comma; in
        # parentheses its own reading may say its level. A Vietnamese place never gets a foreign reading.
        for p in sorted(cands, key=lambda x: -x.start):
            if p.country is not None or not p.group.has_gazetteer or not t.cap(p.start):
                continue
            pcc = ctx.get(p.start) or self._own_country(p)
            if pcc is None and not p.group.has_domestic:
                # a strict name whose prefix announces its kind, in a text that names its country (kept by pass 3
                # as well): "huyện Mã Quan (châu Văn Sơn)" in a plan that names Trung Quốc
                ppk = self._prefix_kind(t, p.start)
                pccs = {x.country for x in p.group.gazetteer if x.country in named and ppk is not None
                        and x.kind in _STRICT_PREFIX_KINDS.get(ppk, (ppk,))}
                pcc = next(iter(pccs)) if len(pccs) == 1 else None
            if pcc is None:
                continue
            plevels = [_LEVEL[x.kind] for x in p.group.gazetteer if x.country == pcc and x.kind in _LEVEL]
            if not plevels:
                continue
            plevel = min(plevels)
            j = p.start - self._prefix_at(t, p.start)[1] - 1  # the token before the place and its prefix
            if j < 1:
                continue
            paren = orth[j] == self.o_open
            # "của" / "thuộc" link like a comma: "huyện Mường Khăm thuộc tỉnh Xiêng Khoảng"
            of = norms[j] in self.of_words and norms[j] != self.n_comma
            if not paren and not of and norms[j] != self.n_comma:
                continue
            # in parentheses, or before "của"/"thuộc", the place may close a list of smaller places: "huyện Hà Khẩu,
            # huyện Kim Bình, huyện Mã Quan (châu Hồng Hà)", "các quận Gangnam, Seocho của thủ đô Seoul" (each item
            # read as the one before the parenthesis; an item without its own prefix takes its list's)
            for _ in range(12 if paren or of else 1):
                child = by_end.get(j)
                if child is not None:
                    if child.country is not None or not child.group.has_gazetteer or not t.cap(child.start):
                        break
                    ck = self._prefix_kind(t, child.start) or shared_pk.get(child.start)
                    if ck is not None:
                        clevel = _LEVEL.get(ck)
                    elif paren:
                        clevels = [_LEVEL[x.kind] for x in child.group.gazetteer
                                   if x.country == pcc and x.kind in _LEVEL]
                        clevel = min(clevels) if clevels else None
                    else:
                        clevel = None
                    if clevel is None or clevel <= plevel:
                        break
                    ctx.setdefault(child.start, pcc)
                    cs = child.start
                else:  # an unknown name after its prefix word: "huyện Mường Khăm (tỉnh Xiêng Khoảng, Lào)"
                    k = j - 1
                    while k >= 0 and t.width(k, j) <= _UNKNOWN_MAX_TOKENS and self._name_word(t, k) \
                            and k not in by_start and (k + 1) not in by_end:
                        k -= 1
                    if k == j - 1 or norms[k + 1] in self.org_words:
                        break
                    ck = self._prefix_kind(t, k + 1) or shared_pk.get(k + 1)
                    if ck is None or ck not in _LEVEL or _LEVEL[ck] <= plevel:
                        break
                    unknown.append((k + 1, j, pcc, ck))
                    cs = k + 1
                j = cs - self._prefix_at(t, cs)[1] - 1  # the separator before the item and its prefix, if any
                if j < 1 or norms[j] not in self.list_seps:
                    break

        # pass 2b: border-gate pairs "cửa khẩu A - B" with A a Vietnamese gate/district
        # and the pairs listed after it: "cặp cửa khẩu phụ A - B, C - D và E - F"
        # (";" separates pairs too when A is a Vietnamese gate: "cặp cửa khẩu Tây Trang - Pang Hốc; Lóng Sập - Pa Háng")
        pairs: dict[int, str] = {}  # token start of B -> country across the border from A
        pair_keys: dict[int, tuple[int, ...]] = {}  # token start of B -> the NORM key of A (mirror names)
        pair_ends: set[int] = set()  # token end of each B
        for c in sorted(borders, key=lambda x: x.start):
            border = c.group.border
            s, e = c.start, c.end
            listed = s >= 2 and (s - 1) in pair_ends and (
                norms[s - 1] in self.list_seps
                or (norms[s - 1] == self.n_semicolon
                    and any(x.source == "D" and x.kind == "border gate" for x in c.group.entries)))
            if not listed and self.n_khau not in norms[max(0, s - 6):s]:
                continue
            if e + 1 < n and orth[e] in self.o_dashes and t.cap(e + 1):
                j = e + 1
                pairs[j] = border
                pair_keys[j] = tuple(norms[s:e])
                k = by_start[j].end if j in by_start else j
                while k < n and k < j + 4 and t.cap(k) and k not in by_start:  # as pass 4 reads an unknown B
                    k += 1
                pair_ends.add(k)

        def chars(s: int, e: int) -> tuple[int, int]:
            """(start_char, end_char) of doc[s:e]."""
            last = doc[e - 1]
            return doc[s].idx, last.idx + len(last)

        # pass 3: decide places ------------------------------------------
        out: list[tuple[int, int, str, str, str]] = []
        decided: dict[int, str] = {}  # token start of a place kept -> its country
        for c in cands:
            s, e = c.start, c.end
            if c.country is not None:
                if c.country.emit:
                    out.append((*chars(s, e), c.country.canonical, c.country.country, "country"))
                continue
            gaz = c.group.gazetteer
            if not gaz or not t.cap(s):
                continue
            has_domestic = c.group.has_domestic
            context_cc = ctx.get(s)
            if context_cc is None and e < n:
                # directly followed by a country name without punctuation: "Quảng Tây Trung Quốc"
                context_cc = country_at(e)
            rows = gaz
            if s in pairs:
                gates = [x for x in gaz if x.kind == "border gate"]
                if gates:
                    g = next((x for x in gates if x.country == pairs[s]), gates[0])
                    out.append((*chars(s, e), g.canonical, g.country, g.kind))
                    continue
                if context_cc is None:  # the foreign side of the pair: its country is across the border from A
                    context_cc = pairs[s]
            if context_cc is not None:
                same = tuple(x for x in gaz if x.country == context_cc)
                if same:
                    rows = same
                elif any(x.context == "strict" for x in gaz) or has_domestic:
                    continue
            confirmed = context_cc is not None and rows[0].country == context_cc
            if not confirmed and has_domestic:
                continue
            # the kind a prefix word announces ("tỉnh", "thành phố"), if any, or the prefix its list shares
            pk = self._prefix_kind(t, s) or shared_pk.get(s)
            if not confirmed:
                loose_rows = tuple(x for x in rows if x.context != "strict")
                if not loose_rows:
                    # a strict name with no country beside it: kept when a prefix announces its kind and the
                    # text names its country elsewhere ("thành phố Sejong" in a plan that names Hàn Quốc;
                    # "tỉnh Kep" in one that names Campuchia), never for a person ("vua Sejong")
                    loose_rows = tuple(x for x in rows if x.country in named
                                       and pk is not None and x.kind in _STRICT_PREFIX_KINDS.get(pk, (pk,)))
                rows = loose_rows
                if not rows:
                    continue
                if self._in_person_name(t, s, e, by_start):
                    continue
            if pk is None and self._after_org_head(t, s):
                continue
            row = _reading(rows, pk)
            out.append((*chars(s, e), row.canonical, row.country, row.kind))
            decided[s] = row.country

        # a name that is also Vietnamese (or strict) in a prefixed list whose other places all belong to one
        # foreign country (two or more of them) is a place of that country: "các thành phố Phòng Thành Cảng,
        # Sùng Tả, Bằng Tường, Đông Hưng"
        for pk, items in plists:
            if len(items) < 3 or any(known and not by_start[s].group.has_gazetteer for s, _, known in items):
                continue  # (a list naming a Vietnamese-only place mixes both sides: "Quảng Tây, Vân Nam, Hà Nam, Hải Dương")
            ccs = [decided[s] for s, _, known in items if known and s in decided]
            if len(ccs) < 2 or len(set(ccs)) != 1:
                continue
            cc = ccs[0]
            for s, e, known in items:
                if not known or s in decided:
                    continue
                rows = tuple(x for x in by_start[s].group.gazetteer if x.country == cc)
                if rows:
                    row = _reading(rows, pk)
                    out.append((*chars(s, e), row.canonical, row.country, row.kind))
                    decided[s] = cc
        for a, b, row in drift:
            out.append((a, b, row.canonical, row.country, row.kind))

        # pass 4: unknown name on the foreign side of a border-gate pair
        for j, cc in pairs.items():
            if j in by_start:
                b = by_start[j]
                if b.group.has_gazetteer or tuple(norms[b.start:b.end]) != pair_keys[j]:
                    continue  # a known (or domestic) name: decided above
                # a mirror-named pair ("Nậm Cắn - Nậm Cắn", "La Lay - La Lay"): B is the foreign gate of A's name
                k = b.end
            else:
                k = j
                while k < n and k < j + 4 and t.cap(k) and k not in by_start:
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
                row = _reading(known, pk)
                out.append((sp.start_char, sp.end_char, row.canonical, row.country, row.kind))
            else:
                out.append((sp.start_char, sp.end_char, sp.text, cc, pk or "province"))

        out.sort()
        doc.user_data["localities"] = out
        return doc

    # ------------------------------------------------------------------
    def _in_person_name(self, t: _Toks, s: int, e: int, by_start: dict[int, _Cand]) -> bool:
        norms = t.norm
        if s > 0 and t.cap(s - 1) and norms[s - 1] in self.name_parts:
            return True  # "Nguyễn Hải Nam"
        if s > 0 and norms[s - 1] in self.honorifics and not t.cap(s - 1):
            return True  # "anh Hải Nam", "chị Thanh Đảo"
        if s > 0 and norms[s - 1] == self.n_viet and norms[s] in self.viet_south_north:
            return True  # "Việt Nam Thái Lan" is not "Nam Thái Lan"
        if e < t.n and t.cap(e) and e not in by_start and not t.is_upper(e):
            # followed by another capitalised word that is not a known name: part of a longer name
            return True
        return False

    def _after_org_head(self, t: _Toks, s: int) -> bool:
        """Token ``s`` follows a capitalised organisation head ("Trường Đại học Kyoto", "Ngân hàng Shinhan")."""
        for h in self.org_heads:
            k = s - len(h)
            if k >= 0 and tuple(t.norm[k:s]) == h and t.cap(k):
                return True
        return False

    def _scan_back(self, t: _Toks, j: int, cc: str, by_end: dict[int, _Cand],
                   ctx: dict[int, str], unknown: list) -> None:
        """Walk back from token ``j`` over a list ending before "(Country)" —
        "các tỉnh: A, B và thành phố C (Lào)" — give the known items the country and
        collect the unknown capitalised items.

        An unknown item is kept only when it is cleanly delimited (separator, prefix word
        or colon on its left) and either has its own prefix word ("tỉnh X") or the list
        starts with one ("các tỉnh: X, Y").
        A list of people ("các đồng chí: X, Y (Lào)") gives no unknown item.
        """
        stop = max(-1, j - 80)
        run: Optional[list[int]] = None  # [start, end) of the unknown run being read
        items: list[tuple[int, int, Optional[str]]] = []
        last_event = ""

        while j > stop:
            cand = by_end.get(j + 1)
            if cand is not None and run is None:
                if cand.country is not None:
                    break  # another country: what precedes belongs to it
                if cand.group.has_gazetteer:
                    ctx.setdefault(cand.start, cc)
                    j = cand.start - 1
                    last_event = "item"
                    continue
                if cand.group.has_domestic:
                    break  # a Vietnamese place ends the foreign list
            norm = t.norm[j]
            if norm in self.list_seps:
                if run is not None:
                    items.append((run[0], run[1], None))
                    run = None
                last_event = "sep"
            elif norm in self.prefix_words and not self._name_word(t, j):
                if run is not None:
                    items.append((run[0], run[1], self._prefix_kind(t, run[0])))
                    run = None
                last_event = "prefix"
            elif t.orth[j] == self.o_colon:
                if run is not None:
                    items.append((run[0], run[1], None))
                    run = None
                last_event = "colon"
                for i in range(j - 1, max(-1, j - 5), -1):  # the words before the colon
                    if t.norm[i] in self.person_heads and not (i > 0 and t.norm[i - 1] == self.n_don):
                        return  # "các đồng chí: ...", "các ông: ...": people, not places ("các đơn vị:" are not)
                    if t.norm[i] in self.prefix_words and t.norm[i] not in self.plural_words:
                        break  # a prefix word nearer the colon announces places: "... lãnh đạo các tỉnh: ..."
            elif t.cap(j) or t.in_word(j):
                if run is None:
                    run = [j, j + 1]
                run[0] = j
                if t.width(run[0], run[1]) > _UNKNOWN_MAX_TOKENS:
                    return  # a long capitalised run: a title or an organisation, not a list
                last_event = "word"
            else:
                break
            j -= 1
        # an open run here is not delimited on its left ("dân tộc Choang"): dropped
        list_anchored = last_event in {"prefix", "colon"}
        for s, e, pk in items:
            if t.norm[s] in self.org_words:
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


# The characters ``regex`` reads as ``\s`` (Unicode White_Space, none above U+3000), written out so that
# the standard ``re`` engine scans the same set (its own ``\s`` also takes U+001C-U+001F) about 1.5x faster
_BLANK_CHARS = [chr(c) for c in range(0x3001) if regex.match(r"\s", chr(c))]
_BLANK = "[" + "".join(map(re.escape, _BLANK_CHARS)) + "]"
_NOT_SPACE_BLANK = "[" + "".join(re.escape(c) for c in _BLANK_CHARS if c != " ") + "]"
# a run of 2+ blanks, or one blank that is not a space; written blank-first (same matches as
# r"\s{2,}|[^\S ]") because the engine scans a pattern starting with one class faster than an alternation
_WS = re.compile(rf"{_BLANK}(?:{_BLANK}+|(?<={_NOT_SPACE_BLANK}))")
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
