"""Number-and-symbol recognition and parsing for Vietnamese official documents.

One compiled pattern finds every number-and-symbol in a text; ``parse_symbol``
turns a match into its parts (number, year, type code, issuer code, unit,
system) and the normalized symbol string.  Layouts, tried in this order at
each position (domain reference §10.2):

* law       ``45/2019/QH14``, ``76/2025/UBTVQH15``, ``190/2025/NQ-QH15``
* normative ``80/2020/NĐ-CP``, ``20/2023/QĐ-UBND``, ``02/2009/TTLT-BNG-BNV``
* party     ``59-NQ/TW``, ``33- KL/TW``, ``05-HD/BĐNTW``
* admin     ``1673/QĐ-UBND`` (typed) or ``1349/BNG-CNV``, ``462/BNG-CNV-m`` (công văn)

Stray spaces and single line/page breaks around ``-`` and ``/`` are tolerated;
ASCII ``D`` for ``Đ`` (``ND-CP``) and odd case (``Ctr``) are canonicalized
through the tables in ``extractors/data``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import regex

from pipeline.normalize import strip_diacritics

DATA = Path(__file__).with_name("data")

# --- tables ----------------------------------------------------------------


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


@dataclass(frozen=True)
class CodeTable:
    """Canonical-case lookup with case-insensitive and ASCII-D fallbacks."""

    exact: dict[str, str]
    folded: dict[str, str]
    ascii: dict[str, Optional[str]]  # None marks an ambiguous ASCII key

    @staticmethod
    def build(codes: list[str]) -> "CodeTable":
        exact = {c: c for c in codes}
        folded: dict[str, str] = {}
        ascii_: dict[str, Optional[str]] = {}
        for c in codes:
            folded.setdefault(c.casefold(), c)
            k = strip_diacritics(c)
            if k in ascii_ and ascii_[k] != c:
                ascii_[k] = None
            else:
                ascii_[k] = c
        return CodeTable(exact, folded, ascii_)

    def canon(self, code: str) -> Optional[str]:
        if code in self.exact:
            return code
        hit = self.folded.get(code.casefold())
        if hit is not None:
            return hit
        if "Đ" not in code and "đ" not in code:
            return self.ascii.get(strip_diacritics(code))
        return None


@dataclass(frozen=True)
class Tables:
    types: CodeTable
    type_names: dict[tuple[str, str], str]  # (code, "party"|"state") -> type name
    issuers: CodeTable
    issuer_level: dict[str, str]


@lru_cache(maxsize=1)
def tables() -> Tables:
    rows = _read_csv("doc_types.csv")
    names: dict[tuple[str, str], str] = {}
    for r in rows:
        scopes = ("party", "state") if r["scope"] == "both" else (r["scope"],)
        for s in scopes:
            names.setdefault((r["code"], s), r["instrument_type"])
    irows = _read_csv("issuers.csv")
    return Tables(
        types=CodeTable.build(sorted({r["code"] for r in rows})),
        type_names=names,
        issuers=CodeTable.build([r["code"] for r in irows]),
        issuer_level={r["code"]: r["level"] for r in irows},
    )


def type_name(code: Optional[str], system: str) -> Optional[str]:
    if code is None:
        return None
    scope = "party" if system == "party" else "state"
    t = tables().type_names
    return t.get((code, scope)) or t.get((code, "state" if scope == "party" else "party"))


# --- pattern ----------------------------------------------------------------
# Separators: optional spaces, at most one line/page break ("\n\n") on each side.
_S = r"[ \t]{0,3}(?:\n{1,3}[ \t]{0,3})?"
_CODE = r"[A-ZĐ][A-Za-zĐđ]{0,7}"  # type or body code
_BODY = r"[A-ZĐ][A-Za-zĐđ&]{0,11}"
_END = r"(?![\p{L}\d&])"
_NUM_START = r"(?<![\p{L}\d./\-])"

SYMBOL_RE = regex.compile(
    rf"""
    {_NUM_START}
    (?:
      (?P<l_num>\d{{1,4}}){_S}/{_S}(?P<l_year>(?:19|20)\d\d){_S}/{_S}
        (?:(?P<l_type>NQ|PL|NQLT){_S}-{_S})?(?P<l_body>UBTVQH|QH)[ ]?(?P<l_term>\d{{1,2}})(?!\d)
    | (?P<n_num>\d{{1,4}}){_S}/{_S}(?P<n_year>(?:19|20)\d\d){_S}/{_S}
        (?P<n_type>{_CODE}){_S}-{_S}(?P<n_body>{_BODY}(?:-{_BODY}){{0,3}}){_END}
    | (?P<p_num>\d{{1,5}}){_S}-{_S}(?P<p_type>{_CODE}){_S}/{_S}(?P<p_body>{_BODY}(?:-{_BODY}){{0,2}}){_END}
    | (?P<a_num>\d{{1,6}}){_S}/{_S}(?P<a_a>{_BODY}){_S}-{_S}(?P<a_b>{_BODY})(?:-(?P<a_c>[A-Za-zĐđ&]{{1,11}}))?{_END}
    )
    """,
    regex.VERBOSE,
)

# Party symbol whose slash was lost ("36-NQ TW"): only for a known type and a Party body.
_PARTY_NOSLASH_BODIES = ("TW", "TU", "ĐU", "HU")
PARTY_NOSLASH_RE = regex.compile(
    rf"{_NUM_START}(?P<p_num>\d{{1,5}})[ \t]{{0,2}}-[ \t]{{0,2}}(?P<p_type>[A-ZĐ][A-Za-zĐđ]{{0,3}})[ ](?P<p_body>{'|'.join(_PARTY_NOSLASH_BODIES)}){_END}"
)
# every PARTY_NOSLASH_RE match holds one of these (case-sensitive): a text without any has no match
PARTY_NOSLASH_NEEDS = tuple(" " + b for b in _PARTY_NOSLASH_BODIES)


@dataclass
class Symbol:
    """A parsed number-and-symbol."""

    symbol: str
    number: str
    system: str  # law | normative | party | administrative
    type_code: Optional[str]
    issuer_code: Optional[str]
    year: Optional[int] = None
    unit_code: Optional[str] = None
    extra: dict[str, Any] = field(default_factory=dict)


def _canon_type(code: str) -> Optional[str]:
    return tables().types.canon(code)


def _canon_issuer(code: str) -> str:
    return tables().issuers.canon(code) or code


def _canon_issuers(codes: str) -> str:
    return "-".join(_canon_issuer(c) for c in codes.split("-"))


def parse_symbol(m: "regex.Match[str]") -> Symbol:
    """Parse a match of :data:`SYMBOL_RE` or :data:`PARTY_NOSLASH_RE`."""
    g = m.groupdict()
    if g.get("l_num"):
        body, term = g["l_body"], g["l_term"]
        ltype = g["l_type"].upper() if g["l_type"] else None
        sym = f"{g['l_num']}/{g['l_year']}/" + (f"{ltype}-" if ltype else "") + f"{body}{term}"
        extra: dict[str, Any] = {"na_term": int(term), "symbol_key": f"{g['l_num']}/{g['l_year']}/{body}{term}"}
        return Symbol(sym, g["l_num"], "law", ltype, body, int(g["l_year"]), extra=extra)
    if g.get("n_num"):
        raw_t = g["n_type"]
        t = _canon_type(raw_t)
        extra = {} if t else {"unknown_type_code": raw_t}
        iss = _canon_issuers(g["n_body"])
        sym = f"{g['n_num']}/{g['n_year']}/{t or raw_t}-{iss}"
        return Symbol(sym, g["n_num"], "normative", t or raw_t, iss, int(g["n_year"]), extra=extra)
    if g.get("p_num"):
        raw_t = g["p_type"]
        t = _canon_type(raw_t)
        extra = {} if t else {"unknown_type_code": raw_t}
        iss = _canon_issuers(g["p_body"])
        sym = f"{g['p_num']}-{t or raw_t}/{iss}"
        return Symbol(sym, g["p_num"], "party", t or raw_t, iss, extra=extra)
    # administrative: typed document or công văn
    a, b, c = g["a_a"], g["a_b"], g.get("a_c")
    t = _canon_type(a)
    if t is not None:
        iss = _canon_issuer(b) + (f"-{_canon_issuer(c)}" if c else "")
        return Symbol(f"{g['a_num']}/{t}-{iss}", g["a_num"], "administrative", t, iss)
    iss = _canon_issuer(a)
    extra = {"suffix": c} if c else {}
    sym = f"{g['a_num']}/{iss}-{b}" + (f"-{c}" if c else "")
    return Symbol(sym, g["a_num"], "administrative", None, iss, unit_code=b, extra=extra)


def issuer_level(code: Optional[str]) -> Optional[str]:
    if not code:
        return None
    return tables().issuer_level.get(code.split("-")[0])
