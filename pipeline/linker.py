"""Corpus linker: citations → canonical instruments, conflicts, relations, graph.

Pure functions over in-memory rows (no Prefect, no Parquet I/O).

Identity follows the numbering rules of the domain reference (§0, §10.5):

* Party documents (``59-NQ/TW``) restart numbering every committee term: the key is
  ``vn-party:{body}:{term}:{type}:{number}``; the term comes from the cited date
  (national Party Congress terms for national bodies, provincial congress terms for
  ``TU``/``ĐU``/...).
* Normative documents (``80/2020/NĐ-CP``) carry their year: ``vn-law:{issuer}:{year}:{type}:{n}``;
  National Assembly laws/resolutions are keyed by NA term: ``vn-law:QH:XIV:LUAT:45``.
* Administrative documents (``1673/QĐ-UBND``, công văn ``1349/BNG-CNV``) restart every
  calendar year: ``vn-adm:{issuer}:{year}:{type|CV}:{n}``; the year comes from the date.
* Local issuers (UBND, HĐND, TU, ĐU, Sở ...) are scoped by province: ``UBND@Quảng Nam``.

When the period (term/year) is not cited, it is resolved from other citations of the
same symbol (same document first, then the corpus) and from the curated table
``extractors/data/national_instruments.csv``, using subject-clause overlap to choose
between candidates; otherwise the link is kept ambiguous with a ``?`` period.
Every decision carries a confidence (0-1) and an evidence string.

Linking groups citations by symbol key first, so the cost is O(n · candidates). The rules are split by
the scope of what they read (document, key, instrument id: see "Linking" below), so the same functions link a
corpus held in memory (:func:`link`) or one streamed a group at a time (``pipeline.linking.link_batches``).
"""
from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import regex

from extractors.records import Citation, Relation, as_row
from pipeline.normalize import fold_tones, match_key, normalize_text, strip_diacritics

DATA_DIR = Path(__file__).resolve().parent.parent / "extractors" / "data"

__all__ = [
    "CitationRow",
    "CitationLink",
    "Instrument",
    "Conflict",
    "RelationRow",
    "LinkResult",
    "LinkItem",
    "IDENT_FIELDS",
    "GROUP_FIELDS",
    "INSTRUMENT_FIELDS",
    "link",
    "prepare",
    "link_group",
    "link_shorts",
    "link_instrument",
    "doc_relations",
    "with_symbols",
    "citation_link",
    "group_key",
    "ident_from",
    "rows_from_tables",
    "rows_from_columns",
    "party_term",
    "parse_symbol",
    "is_national",
    "canonical_issuer",
    "graph",
    "export_graph",
]


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class CitationRow:
    """One citation with the context of its citing document (slots: the linker holds one per citation
    of the corpus)."""

    doc_id: str
    symbol: Optional[str] = None
    instrument_type: Optional[str] = None
    number: Optional[str] = None
    type_code: Optional[str] = None
    issuer_code: Optional[str] = None
    year: Optional[int] = None
    system: str = "administrative"
    kind: str = "full"
    text: str = ""
    char_start: int = 0
    char_end: int = 0
    cited_as: Optional[str] = None
    type_mismatch: bool = False
    date_cited: Optional[str] = None
    date_text: Optional[str] = None
    issuer_named: Optional[str] = None
    subject: Optional[str] = None
    name: Optional[str] = None
    unit_code: Optional[str] = None
    section: Optional[str] = None
    province: Optional[str] = None  # province of the citing document
    doc_date: Optional[str] = None  # ISO issue date of the citing document (may be partial)
    doc_year: Optional[int] = None
    mention: Optional[int] = None  # index of the citation in its document's citation list
    in_footnote: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_citation(
        cls,
        c: Citation,
        doc_id: str,
        province: Optional[str] = None,
        doc_date: Optional[str] = None,
        doc_year: Optional[int] = None,
        mention: Optional[int] = None,
        in_footnote: bool = False,
    ) -> "CitationRow":
        d = asdict(c)
        return cls(doc_id=doc_id, province=province, doc_date=doc_date, doc_year=doc_year,
                   mention=mention, in_footnote=in_footnote, **d)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], **overrides: Any) -> "CitationRow":
        names = _ROW_FIELDS
        kw = {k: v for k, v in d.items() if k in names}
        kw.update(overrides)
        if any(isinstance(v, float) for v in kw.values()):  # rows from pandas: NaN → None, whole numbers → int
            kw = {k: (None if isinstance(v, float) and v != v else v) for k, v in kw.items()}
            for k in ("year", "doc_year", "mention", "char_start", "char_end"):
                if isinstance(kw.get(k), float):
                    kw[k] = int(kw[k])
        if kw.get("extra") is None:
            kw["extra"] = {}
        kw["type_mismatch"] = bool(kw.get("type_mismatch") or False)
        kw["in_footnote"] = bool(kw.get("in_footnote") or False)
        return cls(**kw)


_ROW_FIELDS = frozenset(f.name for f in fields(CitationRow))


@dataclass
class CitationLink:
    doc_id: str
    mention: int
    symbol: Optional[str]
    char_start: int
    char_end: int
    instrument_id: str
    confidence: float
    evidence: str
    ambiguous: bool


@dataclass
class Instrument:
    instrument_id: str
    symbol: Optional[str]
    instrument_type: Optional[str]
    number: Optional[str]
    issuer_code: Optional[str]
    scope: str
    year: Optional[int]
    date: Optional[str]
    issuer: Optional[str]
    subject: Optional[str]
    n_documents: int
    n_mentions: int
    ambiguous: bool
    confidence: float
    evidence: str


@dataclass
class Conflict:
    instrument_id: str
    symbol: Optional[str]
    kind: str  # date | issuer | type
    values: list[dict[str, Any]]
    majority: Optional[str]
    evidence: str


@dataclass
class RelationRow:
    doc_id: str
    source_instrument_id: str
    relation: str
    target_instrument_id: str
    source_symbol: Optional[str]
    target_symbol: Optional[str]
    text: str
    char_start: Optional[int] = None
    char_end: Optional[int] = None


@dataclass
class LinkResult:
    instruments: list[Instrument] = field(default_factory=list)
    citation_links: list[CitationLink] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)

    def instrument(self, instrument_id: str) -> Optional[Instrument]:
        for i in self.instruments:
            if i.instrument_id == instrument_id:
                return i
        return None

    def tables(self, links: bool = True) -> dict[str, list[dict[str, Any]]]:
        """Rows shaped for schemas/tables.py (``instruments``, ``relations``, ``conflicts``)
        plus, unless ``links`` is false, ``citation_links`` (columns to merge into ``citations`` by doc_id + mention)."""
        conflicts = []
        for c in self.conflicts:
            r = as_row(c)
            r["values"] = json.dumps(c.values, ensure_ascii=False)
            conflicts.append(r)
        link_rows = []
        for l in (self.citation_links if links else ()):
            link_rows.append({
                "doc_id": l.doc_id, "mention": l.mention, "instrument_id": l.instrument_id,
                "link_confidence": l.confidence, "link_evidence": l.evidence, "ambiguous": l.ambiguous,
            })
        return {
            "instruments": [as_row(i) for i in self.instruments],
            "relations": [as_row(r) for r in self.relations],
            "conflicts": conflicts,
            "citation_links": link_rows,
        }


# ---------------------------------------------------------------------------
# Data tables
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Term:
    level: str
    term: str
    start: str
    end: Optional[str]
    window_start: str
    window_end: str


@dataclass(frozen=True)
class _Tables:
    national: frozenset[str]
    national_prefixes: tuple[str, ...]
    type_words: dict[str, str]  # match_key(word) -> code
    type_codes: dict[str, str]  # code -> full name
    generic_types: frozenset[str]
    normative_codes: frozenset[str]
    aliases: tuple[tuple[str, str, Optional[str]], ...]  # (match_key alias, canonical, umbrella), longest first
    generic_bigrams: frozenset[str]
    terms: tuple[_Term, ...]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    raw = json.loads((DATA_DIR / "linker_tables.json").read_text(encoding="utf-8"))
    terms = []
    with open(DATA_DIR / "party_terms.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            terms.append(_Term(r["level"], r["term"], r["start"], r["end"] or None, r["window_start"], r["window_end"]))
    aliases = sorted(
        ((match_key(a), c, u) for a, c, u in raw["issuer_aliases"]), key=lambda t: -len(t[0])
    )
    national = set(raw["national_issuers"])
    extra = DATA_DIR / "issuers.csv"  # the citation extractor's issuer table, when present
    if extra.exists():
        with open(extra, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if (r.get("level") or "").strip() == "national" and r.get("code"):
                    national.add(r["code"].strip())
    return _Tables(
        national=frozenset(national),
        national_prefixes=tuple(raw["national_issuer_prefixes"]),
        type_words={match_key(k): v for k, v in raw["type_words"].items()},
        type_codes=dict(raw["type_codes"]),
        generic_types=frozenset(match_key(w) for w in raw["generic_type_words"]),
        normative_codes=frozenset(raw["normative_type_codes"]),
        aliases=tuple(aliases),
        generic_bigrams=frozenset(match_key(b) for b in raw["generic_bigrams"]),
        terms=tuple(terms),
    )


@dataclass(frozen=True)
class _Curated:
    symbol: str
    key: tuple[str, str, str, str]
    period: Optional[str]
    date: Optional[str]
    issuer: Optional[str]
    subject: str
    instrument_type: Optional[str]


@lru_cache(maxsize=1)
def _curated() -> tuple[dict[tuple[str, str, str, str], list[_Curated]], dict[str, list[_Curated]]]:
    """Curated national instruments by (ns, issuer, type, number) and by number."""
    by_key: dict[tuple[str, str, str, str], list[_Curated]] = defaultdict(list)
    by_num: dict[str, list[_Curated]] = defaultdict(list)
    with open(DATA_DIR / "national_instruments.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            p = parse_symbol(r["symbol"])
            if p is None:
                continue
            date = r["date"] or None
            row = CitationRow(doc_id="", symbol=r["symbol"], number=p["number"], type_code=p["type_code"],
                              issuer_code=p["issuer_code"], year=p["year"], system=p["system"],
                              instrument_type=r["type"] or None, date_cited=date)
            ident = _identity(row, None)
            period = ident.period
            if period is None and r["term"] and ident.ns == "vn-party":
                period = r["term"]
            ctype = r["type"] or (_tables().type_codes.get(p["type_code"] or "", None) if p["type_code"] else None)
            c = _Curated(r["symbol"], (ident.ns, ident.issuer, ident.type, ident.num), period, date,
                         r["issuer"] or None, r["subject"], ctype)
            by_key[c.key].append(c)
            by_num[ident.num].append(c)
    return dict(by_key), dict(by_num)


# ---------------------------------------------------------------------------
# Symbols, periods, issuers
# ---------------------------------------------------------------------------
_RE_LAW = regex.compile(r"^(\d{1,5})/((?:19|20)\d{2})/(?:NQ-)?(UBTVQH|QH)(\d{1,2})$")
_RE_NORM = regex.compile(r"^(\d{1,5})/((?:19|20)\d{2})/([^/\-\s]{1,8})-(\S{1,40})$")
_RE_PARTY = regex.compile(r"^(\d{1,6})-([^/\-\s]{1,8})/(\S{1,20})$")
_RE_ADM = regex.compile(r"^(\d{1,6})/([^/\-\s]{1,12})-(\S{1,40})$")
_ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
          "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]


_SPACED_SEP = regex.compile(r"\s*([/\-])\s*")


def _compact(symbol: str) -> str:
    s = normalize_text(symbol).strip()
    return _SPACED_SEP.sub(r"\1", s)


def parse_symbol(symbol: Optional[str]) -> Optional[dict[str, Any]]:
    """Parse a normalized symbol: number, year, type_code, issuer_code, na_term, system."""
    if not symbol:
        return None
    p = _parse_symbol(symbol)
    return dict(p) if p is not None else None


# Caches of the linker's per-string work: big enough for the strings that recur (national instruments, a
# document's own citations, which come together), small enough not to grow with the corpus (65 536 parsed
# symbols held ~35 MB when publishing 10 000 plans)
@lru_cache(maxsize=8192)
def _parse_symbol(symbol: str) -> Optional[dict[str, Any]]:
    s = _compact(symbol)
    m = _RE_LAW.match(s)
    if m:
        return {"number": m[1], "year": int(m[2]), "type_code": None, "issuer_code": m[3],
                "na_term": int(m[4]), "system": "law", "unit": None}
    m = _RE_NORM.match(s)
    if m:
        return {"number": m[1], "year": int(m[2]), "type_code": m[3], "issuer_code": m[4],
                "na_term": None, "system": "normative", "unit": None}
    m = _RE_PARTY.match(s)
    if m:
        return {"number": m[1], "year": None, "type_code": m[2], "issuer_code": m[3],
                "na_term": None, "system": "party", "unit": None}
    m = _RE_ADM.match(s)
    if m:
        a, b = m[2], m[3]
        if a in _tables().type_codes or a in ("QĐ", "NQ", "KH", "CT", "TB", "HD", "BC", "CTr", "TTr"):
            return {"number": m[1], "year": None, "type_code": a, "issuer_code": b,
                    "na_term": None, "system": "administrative", "unit": None}
        unit = b.split("-", 1)
        return {"number": m[1], "year": None, "type_code": None, "issuer_code": a,
                "na_term": None, "system": "administrative", "unit": unit[0]}
    return None


def _num_key(number: Optional[str]) -> str:
    if number and number.isdigit():
        return str(int(number))
    return number or "?"


def is_national(issuer_code: Optional[str]) -> bool:
    """True when every issuer of a (possibly joint) code is a national body."""
    if not issuer_code:
        return False
    return _is_national(issuer_code)


@lru_cache(maxsize=65536)
def _is_national(issuer_code: str) -> bool:
    t = _tables()
    parts = [p for p in issuer_code.split("-") if p]
    if not parts:
        return False
    for p in parts:
        if p in t.national:
            continue
        if any(p.startswith(x) and p[len(x):].isdigit() for x in t.national_prefixes):
            continue
        return False
    return True


def _date_in(d: str, start: str, end: Optional[str]) -> bool:
    return start <= d and (end is None or d <= end)


def party_term(date_iso: Optional[str], level: str = "national") -> tuple[Optional[str], float, str]:
    """(term, confidence, evidence) for a Party document dated ``date_iso``.

    level: "national" (Party Congress terms) | "provincial" (provincial congress terms,
    approximate boundaries) | "na" (National Assembly terms).
    """
    if not date_iso or len(date_iso) < 4 or not date_iso[:4].isdigit():
        return None, 0.0, ""
    d = date_iso if len(date_iso) >= 10 else (date_iso + "-06-30")[:10] if len(date_iso) == 4 else date_iso + "-15"
    for t in _tables().terms:
        if t.level != level:
            continue
        if _date_in(d, t.start, t.end):
            in_window = any(w.level == level and w.window_start <= d <= w.window_end for w in _tables().terms)
            base = 0.95 if level == "national" else 0.85
            conf = 0.6 if in_window else base
            if len(date_iso) < 10:
                conf = min(conf, 0.7)
            ev = f"date {date_iso} → term {t.term}"
            if in_window:
                ev += " (inside congress window: boundary uncertain)"
            return t.term, conf, ev
    return None, 0.0, ""


_RE_LOCAL_NAME = regex.compile(r"\b(?:tỉnh|thành phố|tỉnh ủy|thành ủy|đảng bộ tỉnh|ubnd|hđnd|ủy ban nhân dân|hội đồng nhân dân)\b")
_RE_KHOA = regex.compile(r"khóa\s{1,3}([ivxl]{1,5})\b")
_RE_LOCALITY = regex.compile(
    r"(?i:tỉnh ủy|thành ủy|tỉnh|thành phố|tp\.?)\s{1,3}(\p{Lu}[\p{L}]{0,15}(?:\s\p{Lu}[\p{L}]{0,15}){0,3})"
)


def _province_of(row: CitationRow) -> Optional[str]:
    """Province scoping a local issuer: a locality named in the issuer phrase, else the citing doc's."""
    if row.issuer_named:
        m = _RE_LOCALITY.search(normalize_text(row.issuer_named))
        if m:
            return _clean_province(m[1])
    return _clean_province(row.province) if row.province else None


@lru_cache(maxsize=4096)
def _clean_province(p: Optional[str]) -> Optional[str]:
    if not p:
        return None
    s = regex.sub(r"\s+", " ", fold_tones(normalize_text(p))).strip()  # "Khánh Hoà" → "Khánh Hòa"
    s = regex.sub(r"^(?i:tỉnh|thành phố|tp\.?)\s*", "", s)
    return s or None


@lru_cache(maxsize=16384)
def canonical_issuer(name: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(canonical body, umbrella body) for an issuer phrase; the locality is dropped.

    "Ban Bí thư Trung ương Đảng" → ("Ban Bí thư", None);
    "Ban Thường vụ Tỉnh ủy Quảng Nam" → ("Ban Thường vụ Tỉnh ủy", "Tỉnh ủy").
    """
    if not name:
        return None, None
    k = regex.sub(r"\s+", " ", match_key(name)).strip(" ,.;:")
    k = regex.sub(r"^(?:của|tại)\s", "", k)
    # a plenum is its Central Committee: "Hội nghị lần thứ tám Ban Chấp hành Trung ương Đảng khóa XII"
    k = regex.sub(r"^hội nghị\s+(?:lần thứ\s+\S+\s+)?(?=ban chấp hành)", "", k)
    for alias, canon, umb in _tables().aliases:
        if k == alias or k.startswith(alias + " ") or k.startswith(alias + ","):
            return canon, umb
    return regex.sub(r"\s+", " ", normalize_text(name)).strip(" ,.;:"), None


@lru_cache(maxsize=4096)
def _type_code_of_word(word: Optional[str]) -> Optional[str]:
    if not word:
        return None
    k = match_key(word).strip()
    t = _tables().type_words
    if k in t:
        return t[k]
    # longest known prefix ("Chương trình hành động" → CTr)
    best = None
    for w, c in t.items():
        if (k == w or k.startswith(w + " ")) and (best is None or len(w) > len(best[0])):
            best = (w, c)
    return best[1] if best else None


# ---------------------------------------------------------------------------
# Identity of one citation
# ---------------------------------------------------------------------------
@dataclass
class _Ident:
    ns: str  # vn-party | vn-law | vn-adm | vn-named | vn-short
    issuer: str  # "TW", "UBND@Quảng Nam"
    scope: str  # national | province | "?"
    type: str
    num: str
    period: Optional[str]
    conf: float
    evidence: str
    period_kind: str  # term | year | na_term | none
    level: str = "national"  # for party: national | provincial


# (name, type) of each field of an identity: an identity is spilled to Parquet and read back by pipeline.linking
IDENT_FIELDS: tuple[tuple[str, str], ...] = tuple((f.name, str(f.type)) for f in fields(_Ident))


def ident_from(*values: Any) -> _Ident:
    """An identity from its fields, in the order of ``IDENT_FIELDS``."""
    return _Ident(*values)


def _identity(row: CitationRow, _unused: Any) -> _Ident:
    t = _tables()
    if row.kind == "named" or row.system == "named":
        name = row.name or row.text or "?"
        key = regex.sub(r"[^a-z0-9]+", "-", strip_diacritics(name)).strip("-")[:80]
        if _RE_LOCAL_NAME.search(_mkey(name)):  # "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX"
            prov = _province_of(row) or "?"
            return _Ident("vn-named", f"@{prov}", prov, "", key, "-", 0.5,
                          f"named provincial instrument (matched by name in {prov})", "none")
        return _Ident("vn-named", "", "national", "", key, "-", 0.5, "named instrument (matched by name)", "none")
    p = parse_symbol(row.symbol) if row.symbol else None
    number = row.number or (p["number"] if p else None)
    type_code = row.type_code if row.type_code else (p["type_code"] if p else None)
    issuer_code = row.issuer_code or (p["issuer_code"] if p else None)
    year = row.year if row.year else (p["year"] if p else None)
    system = (p["system"] if p else None) or row.system
    if p and p["system"] == "administrative" and row.system in ("party", "normative", "law"):
        system = row.system
    num = _num_key(number)
    national = is_national(issuer_code)
    prov = None if national else _province_of(row)
    scope = "national" if national else (prov or "?")
    issuer = (issuer_code or "?") if national else f"{issuer_code or '?'}@{prov or '?'}"
    date = row.date_cited

    if system == "law" or (p and p.get("na_term")):
        na_term = p["na_term"] if p else None
        body = "UBTVQH" if (issuer_code or "").startswith("UBTVQH") else "QH"
        code = type_code or _type_code_of_word(row.cited_as) or _type_code_of_word(row.instrument_type) or "LUAT"
        if code == "CV":
            code = "LUAT"
        if code == "QH":
            code = "LUAT"
        term = _ROMAN[na_term] if na_term and na_term < len(_ROMAN) else None
        conf, ev = (0.95, f"NA term {term} from the symbol") if term else (0.3, "NA term unknown")
        return _Ident("vn-law", body, "national", code, num, term, conf, ev, "na_term")

    if system == "party":
        level = "national" if national else "provincial"
        code = type_code or _type_code_of_word(row.cited_as) or "?"
        term, conf, ev = party_term(date, level)
        if term is None and national:
            m = _RE_KHOA.search(_mkey(" ".join(x for x in (row.text, row.issuer_named or "") if x)))
            if m:
                term, conf, ev = m[1].upper(), 0.9, f"'khóa {m[1].upper()}' stated in the citation"
        return _Ident("vn-party", issuer, scope, code, num, term, conf, ev, "term", level)

    # State: normative (year in symbol) or administrative (year from date)
    code = type_code or ("CV" if system == "administrative" else _type_code_of_word(row.cited_as) or "?")
    if year:
        return _Ident("vn-law", issuer, scope, code, num, str(year), 0.95, f"year {year} from the symbol", "year")
    ns = "vn-law" if code in t.normative_codes else "vn-adm"
    if date and date[:4].isdigit():
        return _Ident(ns, issuer, scope, code, num, date[:4], 0.95, f"date {date} → year {date[:4]}", "year")
    return _Ident(ns, issuer, scope, code, num, None, 0.0, "", "year")


def _make_id(ns: str, issuer: str, period: Optional[str], type_: str, num: str) -> str:
    if ns == "vn-named":
        return f"vn-named{issuer}:{num}"
    return f"{ns}:{issuer}:{period or '?'}:{type_}:{num}"


# ---------------------------------------------------------------------------
# Subject overlap
# ---------------------------------------------------------------------------
_RE_WORD = regex.compile(r"[\p{L}\p{N}]+")


@lru_cache(maxsize=8192)
def _mkey(text: str) -> str:
    return match_key(text)


@lru_cache(maxsize=8192)
def _bigrams(text: Optional[str]) -> frozenset[str]:
    if not text:
        return frozenset()
    words = _RE_WORD.findall(_mkey(text))
    g = _tables().generic_bigrams
    out = set()
    for a, b in zip(words, words[1:]):
        if a.isdigit() or b.isdigit():
            continue
        bg = f"{a} {b}"
        if bg not in g:
            out.add(bg)
    return frozenset(out)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


# ---------------------------------------------------------------------------
# Linking
# ---------------------------------------------------------------------------
# The rules are split by the scope of what they read, so the corpus can be linked in memory (:func:`link`)
# or a group at a time from spilled rows (``pipeline.linking``) with the same functions:
#   per document  - :func:`prepare` (mention index, borrowed subjects, identity of each full citation);
#   per key       - :func:`link_group` (the citations of one (ns, issuer, type, number) key: periods, ids);
#   per document  - :func:`link_shorts` (short forms against the same document's full citations),
#                   :func:`doc_relations` (relations between the document's mentions);
#   per id        - :func:`link_instrument` (the instrument and its conflicts from every citation linked to it);
#   corpus        - :func:`with_symbols` (relation endpoints labelled with their instruments' symbols).
# Inside each scope, the citations are taken in input order (``LinkItem.seq``): ties (most common symbol,
# majority votes, the first date ...) are broken by first appearance.
@dataclass
class _Profile:
    period: str
    tokens: set[str] = field(default_factory=set)
    docs: set[str] = field(default_factory=set)
    first_date: Optional[str] = None
    curated: Optional[_Curated] = None

    def describe(self, symbol: Optional[str]) -> str:
        if self.curated is not None and not self.docs:
            return f"{self.curated.symbol} {self.curated.date or ''} (national table)".replace("  ", " ")
        src = f"dated in doc {sorted(self.docs)[0]}" if self.docs else "national table"
        return f"{symbol or ''} {self.period} ({src})".strip()


@dataclass(slots=True)
class LinkItem:
    """One citation in the linker's working set: the row, its place in the input, and the link decided."""

    row: CitationRow
    seq: int  # position in the input (order of appearance across the corpus)
    mention: int  # index of the citation in its document (the row's, else its order in the document)
    subject: Optional[str]  # the row's subject, or the one it borrows from the next item of a list
    ident: Optional[_Ident]  # None for a short form until it resolves through its own symbol
    iid: Optional[str] = None
    conf: float = 0.0
    evid: str = ""
    amb: bool = False


Key = tuple[str, str, str, str]  # (ns, issuer, type, number): the citations that may be one instrument

# The CitationRow fields each step reads (besides the LinkItem's own): a streamed step loads only these.
# tests/test_linker_streaming.py checks them (any other field of the rows is made unreadable there).
GROUP_FIELDS = ("doc_id", "symbol", "date_cited", "doc_date", "doc_year")  # link_group
INSTRUMENT_FIELDS = ("doc_id", "symbol", "kind", "date_cited", "issuer_named", "subject", "instrument_type", "number",
                     "issuer_code", "province", "char_start", "char_end", "in_footnote", "cited_as",
                     "type_mismatch")  # link_instrument, citation_link


def group_key(ident: _Ident) -> Key:
    return (ident.ns, ident.issuer, ident.type, ident.num)


def _fill_distributive_subjects(rows: Sequence[CitationRow]) -> dict[int, Optional[str]]:
    """Subject per row index; an undated list item ("Nghị quyết số 36-NQ/TW, Chỉ thị số 45-CT/TW
    và Kết luận số 12-KL/TW ... về X") borrows the subject of the next item of the list."""
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_doc[r.doc_id].append(i)
    subj: dict[int, Optional[str]] = {i: r.subject for i, r in enumerate(rows)}
    for idxs in by_doc.values():
        idxs.sort(key=lambda i: rows[i].char_start)
        for a, b in reversed(list(zip(idxs, idxs[1:]))):
            ra, rb = rows[a], rows[b]
            if subj[a] is None and ra.date_cited is None and 0 <= rb.char_start - ra.char_end <= 5:
                subj[a] = subj[b]
    return subj


def _doc_date(row: CitationRow) -> Optional[str]:
    if row.doc_date and row.doc_date[:4].isdigit():
        return row.doc_date
    if row.doc_year:
        return f"{row.doc_year}-12-31"
    return None


def prepare(rows: Sequence[CitationRow], first_seq: int = 0) -> list[LinkItem]:
    """The linker's items for ``rows``, which must hold every citation of each of their documents (mention
    indexes default to the order of appearance in the document; list items borrow subjects within it)."""
    seen: dict[str, int] = defaultdict(int)
    subjects = _fill_distributive_subjects(rows)
    out: list[LinkItem] = []
    for i, r in enumerate(rows):
        mention = seen[r.doc_id] if r.mention is None else r.mention
        seen[r.doc_id] += 1
        # a short form is resolved in-document first (its symbol, if any, is the fallback)
        ident = None if r.kind == "short" else _identity(r, None)
        out.append(LinkItem(r, first_seq + i, mention, subjects[i], ident))
    return out


def link_group(
    key: Key,
    members: Sequence[LinkItem],
    cur_by_key: Optional[Mapping[Key, list[_Curated]]] = None,
) -> None:
    """Ids, confidence, evidence and ambiguity of the full citations of one key (all of them, in input order)."""
    if cur_by_key is None:
        cur_by_key = _curated()[0]
    ns, issuer, type_, num = key
    if ns == "vn-named":
        for it in members:
            it.iid, it.conf, it.evid = _make_id(ns, issuer, None, type_, num), it.ident.conf, it.ident.evidence
        return
    sym = Counter(it.row.symbol for it in members if it.row.symbol).most_common(1)
    symbol = sym[0][0] if sym else None
    profiles: dict[str, _Profile] = {}
    doc_periods: dict[str, set[str]] = defaultdict(set)
    undated: list[LinkItem] = []
    for it in members:
        idt = it.ident
        if idt.period is None:
            undated.append(it)
            continue
        pr = profiles.setdefault(idt.period, _Profile(idt.period))
        pr.tokens |= _bigrams(it.subject)
        pr.docs.add(it.row.doc_id)
        d = it.row.date_cited
        if d and (pr.first_date is None or d < pr.first_date):
            pr.first_date = d
        doc_periods[it.row.doc_id].add(idt.period)
        it.iid = _make_id(ns, issuer, idt.period, type_, num)
        it.conf, it.evid = idt.conf, idt.evidence
    for c in cur_by_key.get(key, []):
        if c.period is None:
            continue
        pr = profiles.setdefault(c.period, _Profile(c.period))
        pr.tokens |= _bigrams(c.subject)
        pr.curated = c
        if c.date and (pr.first_date is None or c.date < pr.first_date):
            pr.first_date = c.date
    for it in members:
        if it.iid is not None and profiles.get(it.ident.period) and profiles[it.ident.period].curated:
            it.evid += "; curated table"
    for it in undated:
        period, conf, ev = _resolve_period(it.row, it.subject, profiles, doc_periods, symbol)
        it.iid = _make_id(ns, issuer, period, type_, num)
        it.conf, it.evid = conf, ev
        it.amb = period is None


def link_shorts(doc_items: Sequence[LinkItem], cur_by_num: Optional[Mapping[str, list[_Curated]]] = None) -> None:
    """Resolve the short forms of one document (``doc_items``: all its citations in input order, the full
    ones already linked): antecedent in the document, else the short form's own symbol, else the curated table."""
    if cur_by_num is None:
        cur_by_num = _curated()[1]
    full = [it for it in doc_items if it.ident is not None and it.ident.ns != "vn-named"]
    for it in doc_items:
        if it.row.kind == "short":
            _resolve_short(it, full, cur_by_num)


def link(
    citations: Sequence[CitationRow],
    relations: Optional[Mapping[str, Sequence[Relation | Mapping[str, Any]]]] = None,
) -> LinkResult:
    """Link citations to canonical instruments; report conflicts; map relations.

    ``relations``: per doc_id, the relations of :func:`extractors.relations.extract_relations`
    (source/target = index of the citation in that document's list, i.e. ``CitationRow.mention``)
    or rows of the ``relation_mentions`` table (``source_mention``/``target_mention``).
    """
    items = prepare(list(citations))
    cur_by_key, cur_by_num = _curated()

    # --- group full citations by symbol key -------------------------------
    groups: dict[Key, list[LinkItem]] = defaultdict(list)
    for it in items:
        if it.ident is not None:
            groups[group_key(it.ident)].append(it)
    for key, members in groups.items():
        link_group(key, members, cur_by_key)

    # --- short forms: antecedent in the same document, else curated table ----
    by_doc: dict[str, list[LinkItem]] = defaultdict(list)
    for it in items:
        by_doc[it.row.doc_id].append(it)
    for doc_items in by_doc.values():
        link_shorts(doc_items, cur_by_num)

    # --- outputs -----------------------------------------------------------
    links = [citation_link(it) for it in items]
    by_id: dict[str, list[LinkItem]] = defaultdict(list)
    for it in items:
        by_id[it.iid or "?"].append(it)
    instruments: list[Instrument] = []
    conflicts: list[Conflict] = []
    for iid, members in by_id.items():
        ins, cons = link_instrument(iid, members, cur_by_key)
        instruments.append(ins)
        conflicts.extend(cons)
    instruments.sort(key=lambda x: x.instrument_id)
    symbol_of = {x.instrument_id: x.symbol for x in instruments}
    rel_rows = [r for doc_id, rels in (relations or {}).items() for r in doc_relations(doc_id, rels, by_doc.get(doc_id, ()))]
    return LinkResult(instruments, links, conflicts, with_symbols(rel_rows, symbol_of))


def citation_link(it: LinkItem) -> CitationLink:
    r = it.row
    return CitationLink(r.doc_id, it.mention, r.symbol, r.char_start, r.char_end, it.iid or "?",
                        round(it.conf, 2), it.evid, it.amb)


def link_instrument(
    iid: str,
    members: Sequence[LinkItem],
    cur_by_key: Optional[Mapping[Key, list[_Curated]]] = None,
) -> tuple[Instrument, list[Conflict]]:
    """The instrument ``iid`` and its conflicts, from every citation linked to it (in input order)."""
    if cur_by_key is None:
        cur_by_key = _curated()[0]
    ins = _instrument(iid, members, cur_by_key)
    if any(it.amb for it in members):
        return ins, []
    return ins, _conflicts(iid, members, cur_by_key)


def _resolve_period(
    row: CitationRow,
    subject: Optional[str],
    profiles: dict[str, _Profile],
    doc_periods: dict[str, set[str]],
    symbol: Optional[str],
) -> tuple[Optional[str], float, str]:
    in_doc = doc_periods.get(row.doc_id, set())
    if len(in_doc) == 1:
        p = next(iter(in_doc))
        return p, 0.9, f"same symbol dated in this document ({profiles[p].first_date or p})"
    dd = _doc_date(row)
    cands = [p for p in profiles.values() if (p.period in in_doc if in_doc else True)]
    if dd:
        cands = [p for p in cands if p.first_date is None or p.first_date[:10] <= dd]
    toks = _bigrams(subject)
    scored = sorted(((_overlap(toks, frozenset(p.tokens)), p) for p in cands if p.tokens), key=lambda t: -t[0])
    if toks and scored:
        best, bp = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        if best >= 0.34 and best - second >= 0.15:
            return bp.period, round(min(0.9, 0.5 + 0.4 * best), 2), f"subject overlap {best:.2f} with {bp.describe(symbol)}"
    if len(cands) == 1:
        p = cands[0]
        if toks and p.tokens and _overlap(toks, frozenset(p.tokens)) < 0.15:
            return None, 0.3, f"no date; subject disagrees with the only known {p.describe(symbol)}"
        if p.docs:
            return p.period, 0.6, f"same symbol dated in doc {sorted(p.docs)[0]} (only known {p.period})"
        return p.period, 0.65, f"curated table: {p.describe(symbol)}"
    if not cands:
        return None, 0.3, "no date and no dated citation of the same symbol"
    names = ", ".join(sorted(p.period for p in cands))
    return None, 0.3, f"no date; context cannot decide between {names}"


def _resolve_short(it: LinkItem, full: Sequence[LinkItem], cur_by_num: Mapping[str, list[_Curated]]) -> None:
    r = it.row
    num = _num_key(r.number or (parse_symbol(r.symbol) or {}).get("number"))
    word = r.cited_as or r.instrument_type
    code = _type_code_of_word(word) or r.type_code
    cands = [j for j in full if j.ident.num == num]
    if cands:
        def rank(j: LinkItem) -> tuple[int, int, int]:
            same_type = j.ident.type == code
            mentions_word = bool(word) and _mkey(word) in _mkey(j.row.subject or "")
            before = j.row.char_start < r.char_start
            dist = abs(r.char_start - j.row.char_start)
            return (0 if same_type else 1 if mentions_word else 2, 0 if before else 1, dist)
        j = min(cands, key=rank)
        it.iid = j.iid
        it.conf = round(min(j.conf, 0.9 if j.ident.type == code else 0.8), 2)
        it.evid = f"short form → {j.row.symbol} cited in this document"
        it.amb = j.amb
        return
    if r.symbol and parse_symbol(r.symbol):
        idt = _identity(r, None)
        it.ident = idt
        it.iid = _make_id(idt.ns, idt.issuer, idt.period, idt.type, idt.num)
        it.conf, it.evid, it.amb = min(idt.conf, 0.6) if idt.period else 0.3, "short form with symbol " + r.symbol, idt.period is None
        return
    dd = _doc_date(r)
    cur = [c for c in cur_by_num.get(num, []) if (dd is None or c.date is None or c.date <= dd)]
    typed = [c for c in cur if c.key[2] == code]
    named = [c for c in cur if word and _mkey(c.subject).startswith(_mkey(word))]
    pick = typed if len(typed) == 1 else named if len(named) == 1 else []
    if len(pick) == 1:
        c = pick[0]
        it.iid = _make_id(c.key[0], c.key[1], c.period, c.key[2], c.key[3])
        it.conf, it.evid = 0.6, f"short form → {c.symbol} (curated table)"
        return
    it.iid = f"vn-short:{r.doc_id}:{code or '?'}:{num}"
    it.conf, it.evid, it.amb = 0.2, "unresolved short form", True


def _majority(values: list[str], prefer: Optional[str] = None) -> Optional[str]:
    if not values:
        return None
    cnt = Counter(values).most_common()
    if len(cnt) > 1 and cnt[0][1] == cnt[1][1]:
        return None
    return cnt[0][0]


def _instrument(iid: str, members: Sequence[LinkItem], cur_by_key: Mapping[Key, list[_Curated]]) -> Instrument:
    rs = [it.row for it in members]
    full = ([it for it in members if it.ident is not None and it.row.kind != "short"]
            or [it for it in members if it.ident is not None])
    idt = full[0].ident if full else None
    symbols = Counter(it.row.symbol for it in full if it.row.symbol)
    symbol = symbols.most_common(1)[0][0] if symbols else None
    cur = None
    if idt is not None:
        for c in cur_by_key.get(group_key(idt), []):
            if c.period and iid.split(":")[2] == c.period:
                cur = c
    dates = [r.date_cited for r in rs if r.date_cited]
    date = _majority(dates) or (cur.date if cur else None) or (Counter(dates).most_common(1)[0][0] if dates else None)
    if cur and dates and cur.date in dates and _majority(dates) is None:
        date = cur.date
    issuers = [canonical_issuer(r.issuer_named)[0] for r in rs if r.issuer_named]
    issuer = _majority([x for x in issuers if x]) or (cur.issuer if cur else None)
    subjects = [r.subject for r in rs if r.subject]
    subject = max(subjects, key=len) if subjects else (cur.subject if cur else None)
    year: Optional[int] = None
    if idt is not None and idt.period_kind == "year":
        p = iid.split(":")[2]
        year = int(p) if p.isdigit() else None
    elif date and date[:4].isdigit():
        year = int(date[:4])
    itype = None
    if idt is not None:
        itype = _tables().type_codes.get(idt.type) or (cur.instrument_type if cur else None)
    if itype is None:
        itype = Counter(r.instrument_type for r in rs if r.instrument_type).most_common(1)[0][0] if any(r.instrument_type for r in rs) else None
    ev = list(dict.fromkeys(part for it in members if it.evid for part in it.evid.split("; ")))
    if cur is not None and "curated table" not in " ".join(ev):
        ev.append("curated table")
    number = next((it.row.number for it in full if it.row.number), None)
    issuer_code = next((it.row.issuer_code for it in full if it.row.issuer_code), None)
    if issuer_code is None and symbol:
        issuer_code = (parse_symbol(symbol) or {}).get("issuer_code")
    scope = idt.scope if idt is not None else ("?" if iid.startswith("vn-short") else "national")
    return Instrument(
        instrument_id=iid, symbol=symbol, instrument_type=itype, number=number, issuer_code=issuer_code,
        scope=scope, year=year, date=date, issuer=issuer, subject=subject,
        n_documents=len({r.doc_id for r in rs}), n_mentions=len(rs), ambiguous=any(it.amb for it in members),
        confidence=round(sum(it.conf for it in members) / len(members), 2), evidence="; ".join(ev[:6]),
    )


def _value(r: CitationRow, value: Optional[str], **extra: Any) -> dict[str, Any]:
    return {"value": value, "doc_id": r.doc_id, "province": r.province, "char_start": r.char_start,
            "char_end": r.char_end, "in_footnote": bool(r.in_footnote), **extra}


def _conflicts(iid: str, members: Sequence[LinkItem], cur_by_key: Mapping[Key, list[_Curated]]) -> list[Conflict]:
    out: list[Conflict] = []
    rs = [it.row for it in members]
    symbol = Counter(r.symbol for r in rs if r.symbol and r.kind != "short").most_common(1)
    sym = symbol[0][0] if symbol else None
    curated = None
    idt = next((it.ident for it in members if it.ident is not None), None)
    if idt is not None:
        for c in cur_by_key.get(group_key(idt), []):
            if c.period and iid.split(":")[2] == c.period:
                curated = c
    # date
    dated = [r for r in rs if r.date_cited]
    if len({r.date_cited for r in dated}) > 1:
        vals = [r.date_cited for r in dated]
        maj = _majority(vals)
        ev = f"{sym}: cited dates " + ", ".join(f"{v} ×{n}" for v, n in Counter(vals).most_common())
        if maj is None and curated and curated.date in vals:
            ev += f"; tie, curated table says {curated.date}"
        out.append(Conflict(iid, sym, "date", [_value(r, r.date_cited) for r in dated], maj, ev))
    # issuer
    named = [(r, canonical_issuer(r.issuer_named)) for r in rs if r.issuer_named]
    roots = {(u or c) for _, (c, u) in named if c}  # "Ban Thường vụ Tỉnh ủy" is compatible with "Tỉnh ủy"
    if len(roots) > 1:
        vals = [c for _, (c, _) in named]
        maj = _majority(vals)
        ev = f"{sym}: issuer named as " + ", ".join(f"{v} ×{n}" for v, n in Counter(vals).most_common())
        if curated and curated.issuer:
            ev += f"; curated table says {curated.issuer}"
        out.append(Conflict(iid, sym, "issuer",
                            [_value(r, c, as_written=r.issuer_named) for r, (c, _) in named], maj, ev))
    # type: the cited word against the symbol's type code
    t = _tables()
    sym_type = t.type_codes.get(idt.type) if idt is not None and idt.type not in ("?", "") else None
    if sym_type and idt is not None and idt.ns in ("vn-party", "vn-adm", "vn-law") and idt.type != "CV":
        bad = []
        for r in rs:
            if r.kind == "short" or not r.cited_as:
                continue
            wk = _mkey(r.cited_as)
            if wk in t.generic_types:
                continue
            code = _type_code_of_word(r.cited_as)
            if r.type_mismatch or (code is not None and code != idt.type):
                bad.append(r)
        if bad:
            vals = [_value(r, r.cited_as, role="cited_as") for r in bad]
            bad_ids = {id(r) for r in bad}
            good = [r for r in rs if id(r) not in bad_ids and r.kind != "short"]
            vals += [_value(r, sym_type, role="symbol_type") for r in good] or [
                {"value": sym_type, "role": "symbol_type", "doc_id": None, "province": None,
                 "char_start": None, "char_end": None, "in_footnote": False}]
            ev = (f"{sym}: cited as " + ", ".join(sorted({r.cited_as for r in bad}))
                  + f" but the symbol's type code {idt.type} is {sym_type}; the symbol is trusted")
            out.append(Conflict(iid, sym, "type", vals, sym_type, ev))
    return out


def doc_relations(
    doc_id: str,
    rels: Sequence[Relation | Mapping[str, Any]],
    doc_items: Sequence[LinkItem],
) -> list[RelationRow]:
    """One document's mention-level relations mapped to instrument ids (``doc_items``: the document's
    citations, linked). Endpoint symbols are the cited rows' until :func:`with_symbols` relabels them."""
    index = {it.mention: it for it in doc_items}
    out: list[RelationRow] = []
    seen: set[tuple[str, str, str]] = set()
    for rel in rels:
        if isinstance(rel, Relation):
            s, t, kind, text, cs, ce = rel.source, rel.target, rel.relation, rel.text, rel.char_start, rel.char_end
        else:
            s = rel.get("source_mention", rel.get("source"))
            t = rel.get("target_mention", rel.get("target"))
            kind, text = rel.get("relation"), rel.get("text", "")
            cs, ce = rel.get("char_start"), rel.get("char_end")
        si, ti = index.get(s), index.get(t)
        if si is None or ti is None:
            continue
        a, b = si.iid, ti.iid
        if not a or not b or a == b:
            continue
        k = (a, str(kind), b)
        if k in seen:
            continue
        seen.add(k)
        out.append(RelationRow(doc_id, a, str(kind), b, si.row.symbol or si.row.text, ti.row.symbol or ti.row.text,
                               text, cs, ce))
    return out


def with_symbols(relations: Iterable[RelationRow], symbol_of: Mapping[str, Optional[str]]) -> list[RelationRow]:
    """Relations whose endpoints are labelled with the linked instruments' symbols (a short form
    "Quy chế 272" reports the symbol of the instrument it resolved to), else the cited rows'."""
    return [replace(r, source_symbol=symbol_of.get(r.source_instrument_id) or r.source_symbol,
                    target_symbol=symbol_of.get(r.target_instrument_id) or r.target_symbol) for r in relations]


def rows_from_tables(
    citations: Iterable[Mapping[str, Any]],
    documents: Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]],
) -> list[CitationRow]:
    """CitationRows from rows of the ``citations`` and ``documents`` tables (dicts; the documents may be
    given already keyed by doc_id)."""
    docs = documents if isinstance(documents, Mapping) else {d["doc_id"]: d for d in documents}
    out = []
    for c in citations:
        province, date, year = _doc_context(docs.get(c.get("doc_id"), {}))
        out.append(CitationRow.from_dict(c, province=province, doc_date=date, doc_year=year))
    return out


def _doc_context(doc: Mapping[str, Any]) -> tuple[Any, Any, Optional[int]]:
    """What a citation row takes from its citing document: province, issue date, and the year of that date."""
    date = doc.get("issue_date")
    return doc.get("province"), date, int(date[:4]) if date and date[:4].isdigit() else None


_ROW_ORDER = tuple(f.name for f in fields(CitationRow) if f.name != "extra")  # extra is last: left to its factory
_ROW_DEFAULTS = {f.name: f.default for f in fields(CitationRow)}


def rows_from_columns(
    columns: Mapping[str, Sequence[Any]],
    documents: Mapping[str, Mapping[str, Any]],
) -> list[CitationRow]:
    """The rows :func:`rows_from_tables` makes of the ``citations`` rows these columns hold (equal-length
    lists, values as Arrow gives them: ``None`` for null, no NaN), built column-wise: no dict per row.
    ``documents`` is keyed by doc_id."""
    doc_ids = columns["doc_id"]
    n = len(doc_ids)
    context = {d: _doc_context(documents.get(d, {})) for d in set(doc_ids)}
    of_doc = [context[d] for d in doc_ids]
    cols: list[Sequence[Any]] = []
    for name in _ROW_ORDER:
        if name in ("province", "doc_date", "doc_year"):
            i = ("province", "doc_date", "doc_year").index(name)
            cols.append([c[i] for c in of_doc])
        elif name in ("type_mismatch", "in_footnote"):
            col = columns.get(name)
            cols.append([bool(v) for v in col] if col is not None else [False] * n)
        elif name in columns:
            cols.append(columns[name])
        else:
            cols.append([_ROW_DEFAULTS[name]] * n)
    return list(map(CitationRow, *cols))


# ---------------------------------------------------------------------------
# Graph
# ---------------------------------------------------------------------------
def graph(result: LinkResult, documents: Iterable[Any] = ()) -> "Any":
    """A ``networkx.MultiDiGraph``: documents and instruments as nodes; edges
    ``cites`` (document → instrument, one per pair, with the number of mentions) and
    ``implements`` / ``amends`` / ``replaces`` / ``issued_with`` (instrument → instrument).

    ``documents``: pipeline Documents, rows of the ``documents`` table (dicts), or doc ids.
    """
    import networkx as nx

    G = nx.MultiDiGraph()
    known = {i.instrument_id for i in result.instruments}
    for d in documents:
        if isinstance(d, str):
            G.add_node(f"doc:{d}", kind="document", label=d, doc_id=d)
            continue
        if isinstance(d, Mapping):
            doc_id = d.get("doc_id")
            attrs = {k: d.get(k) for k in ("province", "doc_type", "title", "issue_date", "source_path", "number", "symbol")}
        else:  # pipeline.document.Document
            doc_id = d.doc_id
            h = d.header
            attrs = {"province": h.province, "doc_type": h.doc_type, "title": h.title, "issue_date": h.issue_date,
                     "source_path": d.source_path, "number": h.number, "symbol": h.symbol}
        label = " ".join(x for x in (attrs.get("doc_type"), attrs.get("title")) if x) or str(doc_id)
        own = _own_instrument_id(attrs)
        if own is not None and own in known:
            attrs["instrument_id"] = own  # the document is itself cited in the corpus
        G.add_node(f"doc:{doc_id}", kind="document", label=label, doc_id=doc_id, **_simple(attrs))
    for ins in result.instruments:
        a = asdict(ins)
        a.pop("instrument_id")
        G.add_node(ins.instrument_id, kind="instrument", label=ins.symbol or ins.instrument_id, **_simple(a))
    cites: dict[tuple[str, str], list[CitationLink]] = defaultdict(list)
    for l in result.citation_links:
        cites[(l.doc_id, l.instrument_id)].append(l)
    for (doc_id, iid), ls in cites.items():
        dn = f"doc:{doc_id}"
        if dn not in G:
            G.add_node(dn, kind="document", label=doc_id, doc_id=doc_id)
        G.add_edge(dn, iid, key="cites", kind="cites", n_mentions=len(ls),
                   confidence=max(l.confidence for l in ls), ambiguous=any(l.ambiguous for l in ls))
    for r in result.relations:
        G.add_edge(r.source_instrument_id, r.target_instrument_id, key=f"{r.relation}:{r.doc_id}",
                   kind=r.relation, doc_id=r.doc_id, text=r.text or "")
    return G


def _own_instrument_id(attrs: Mapping[str, Any]) -> Optional[str]:
    """Canonical id of a document from its header (number + symbol, province, issue date)."""
    number, symbol = attrs.get("number"), attrs.get("symbol")
    if not number or not symbol:
        return None
    sym = str(symbol).strip()
    if sym[:1] in "/-":
        sep = ""
    elif "/" in sym and not regex.match(r"\d{4}/", sym):
        sep = "-"  # Party: "KH/TU"
    else:
        sep = "/"  # State: "KH-UBND", "2023/QĐ-UBND"
    full = f"{number}{sep}{sym}"
    if parse_symbol(full) is None:
        return None
    date = attrs.get("issue_date")
    r = CitationRow(doc_id="", symbol=full, province=attrs.get("province"),
                    date_cited=date if date and len(str(date)) >= 4 else None)
    p = parse_symbol(full) or {}
    r.number, r.type_code, r.issuer_code, r.year, r.system = p["number"], p["type_code"], p["issuer_code"], p["year"], p["system"]
    idt = _identity(r, None)
    return _make_id(idt.ns, idt.issuer, idt.period, idt.type, idt.num) if idt.period else None


def _simple(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes of simple types only (graphml/gexf): None → "", lists → joined strings."""
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            out[k] = ""
        elif isinstance(v, (bool, int, float, str)):
            out[k] = v
        elif isinstance(v, (list, tuple, set)):
            out[k] = "; ".join(str(x) for x in v)
        else:
            out[k] = json.dumps(v, ensure_ascii=False, default=str)
    return out


def export_graph(G: Any, fmt: str, out: Path | str) -> list[Path]:
    """Write ``G`` as graphml, gexf, or csv (``out`` is then a directory receiving
    ``nodes.csv`` and ``edges.csv``). Returns the written paths."""
    import networkx as nx

    out = Path(out)
    H = nx.MultiDiGraph()
    for n, a in G.nodes(data=True):
        H.add_node(n, **_simple(a))
    for u, v, k, a in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **_simple(a))
    if fmt == "graphml":
        out.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(H, out)
        return [out]
    if fmt == "gexf":
        out.parent.mkdir(parents=True, exist_ok=True)
        nx.write_gexf(H, out)
        return [out]
    if fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        ncols = sorted({k for _, a in H.nodes(data=True) for k in a})
        ecols = sorted({k for _, _, a in H.edges(data=True) for k in a})
        npath, epath = out / "nodes.csv", out / "edges.csv"
        with open(npath, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", *ncols])
            for n, a in H.nodes(data=True):
                w.writerow([n, *[a.get(c, "") for c in ncols]])
        with open(epath, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["source", "target", "key", *ecols])
            for u, v, k, a in H.edges(keys=True, data=True):
                w.writerow([u, v, k, *[a.get(c, "") for c in ecols]])
        return [npath, epath]
    raise ValueError(f"unknown graph format {fmt!r} (graphml | gexf | csv)")
