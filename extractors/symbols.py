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
through the tables in ``extractors/data``.  Digits glued to the last code are an
NA term (``1656/NQ-UBTVQH15``), part of a body's name (``31/QĐ-BCĐ389``) or a
footnote marker (``59-NQ/TW1``), as the "digits" column of ``issuers.csv`` says.
``SYMBOL_CI_RE`` matches the same layouts in lower case (``123/qđ-ubnd``).
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


_TU_CENTRAL_RE = regex.compile(r"T[Ưư](?![\p{L}])")


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
        if "Ư" in code or "ư" in code:  # "TƯ" / "BTGTƯ" written for TW / BTGTW (Trung ương), never TU (Tỉnh ủy)
            code = _TU_CENTRAL_RE.sub("TW", code)
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
    party_issuers: frozenset[str]  # codes of Party bodies (issuers.csv system "party")
    # what digits glued to an issuer code mean (issuers.csv "digits"): "term" (UBTVQH15: the NA term),
    # "name" (BCĐ389: part of the body's name); codes absent here take no digits (TW1: a footnote marker)
    issuer_digits: dict[str, str]


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
        party_issuers=frozenset(r["code"] for r in irows if r["system"] == "party"),
        issuer_digits={r["code"]: r["digits"] for r in irows if r.get("digits")},
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
_BODY = r"[A-ZĐ][A-Za-zĐđƯư&]{0,11}"  # "Ư": "TƯ" is written for TW (Trung ương)
_END = r"(?![\p{L}\d&])"
_NUM_START = r"(?<![\p{L}\d./\-])"

# Digits glued to the last code: an NA term (NQ-UBTVQH15), part of a body's name (QĐ-BCĐ389) or a
# footnote marker (59-NQ/TW1); ``parse_symbol`` tells them apart through issuers.csv ("digits").
_DIG = r"\d{1,3}"
_SYMBOL_SRC = rf"""
    {_NUM_START}
    (?:
      (?P<l_num>\d{{1,4}}){_S}/{_S}(?P<l_year>(?:19|20)\d\d){_S}/{_S}
        (?:(?P<l_type>NQ|PL|NQLT){_S}-{_S})?(?P<l_body>UBTVQH|QH)[ ]?(?P<l_term>\d{{1,2}})(?!\d)
    | (?P<n_num>\d{{1,4}}){_S}/{_S}(?P<n_year>(?:19|20)\d\d){_S}/{_S}
        (?P<n_type>{_CODE}){_S}-{_S}(?P<n_body>{_BODY}(?:-{_BODY}){{0,3}})(?P<n_dig>{_DIG})?{_END}
    | (?P<p_num>\d{{1,5}}){_S}-{_S}(?P<p_type>{_CODE}){_S}/{_S}(?P<p_body>{_BODY}(?:-{_BODY}){{0,2}})(?P<p_dig>{_DIG})?{_END}
    | (?P<a_num>\d{{1,6}}){_S}/{_S}(?P<a_a>{_BODY}){_S}-{_S}(?P<a_b>{_BODY})(?:(?P<a_dig>{_DIG})|-(?P<a_c>[A-Za-zĐđ&]{{1,11}}))?{_END}
    )
    """
SYMBOL_RE = regex.compile(_SYMBOL_SRC, regex.VERBOSE)
# The same layouts in any case ("123/qđ-ubnd", "59-nq/tw"): only used after "số" or a type word, and
# only kept when every code is a known one (see instruments); the stored form is the canonical case.
SYMBOL_CI_RE = regex.compile(_SYMBOL_SRC, regex.VERBOSE | regex.IGNORECASE)
# A necessary condition for a SYMBOL_CI_RE match that SYMBOL_RE cannot make: a lower-case letter opens
# the first code (after the number, the separator and an optional year)
LOWER_SYMBOL_AT = regex.compile(
    rf"{_NUM_START}\d{{1,6}}{_S}[/\-]{_S}(?:(?:19|20)\d\d{_S}/{_S})?(?=[a-zđ])"
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
    trailing: int = 0  # chars at the end of the match that are not part of the symbol (a footnote marker)
    known: bool = True  # every code is in the tables (type, issuers)


def _canon_type(code: str) -> Optional[str]:
    return tables().types.canon(code)


def _canon_issuer(code: str) -> str:
    return tables().issuers.canon(code) or code


def _canon_issuers(codes: str) -> str:
    return "-".join(_canon_issuer(c) for c in codes.split("-"))


def _known_issuers(codes: str) -> bool:
    t = tables().issuers
    return all(t.canon(c) is not None for c in codes.split("-"))


def _digits(body: str, digits: Optional[str]) -> tuple[str, str, dict[str, Any], int]:
    """Canonical issuer code(s), the issuer as written in the symbol, extra fields and trailing chars
    for ``body`` followed by ``digits`` (see ``_DIG``)."""
    iss = _canon_issuers(body)
    if not digits:
        return iss, iss, {}, 0
    last = iss.rsplit("-", 1)[-1]
    how = tables().issuer_digits.get(last)
    if how == "term" and len(digits) <= 2:  # NQ-UBTVQH15: numbered per NA term (domain reference §2.1)
        return iss, iss + digits, {"na_term": int(digits)}, 0
    if how == "name" or tables().issuers.canon(last) is None:  # BCĐ389, or an unknown code: keep the digits
        return iss + digits, iss + digits, {}, 0
    # a known code that takes no digits: "59-NQ/TW1" is 59-NQ/TW and a footnote marker
    return iss, iss, {"footnote_marker": digits}, len(digits)


def parse_symbol(m: "regex.Match[str]") -> Symbol:
    """Parse a match of :data:`SYMBOL_RE`, :data:`SYMBOL_CI_RE` or :data:`PARTY_NOSLASH_RE`."""
    g = m.groupdict()
    if g.get("l_num"):
        body, term = g["l_body"].upper(), g["l_term"]
        ltype = g["l_type"].upper() if g["l_type"] else None
        sym = f"{g['l_num']}/{g['l_year']}/" + (f"{ltype}-" if ltype else "") + f"{body}{term}"
        extra: dict[str, Any] = {"na_term": int(term), "symbol_key": f"{g['l_num']}/{g['l_year']}/{body}{term}"}
        return Symbol(sym, g["l_num"], "law", ltype, body, int(g["l_year"]), extra=extra)
    if g.get("n_num"):
        raw_t = g["n_type"]
        t = _canon_type(raw_t)
        extra = {} if t else {"unknown_type_code": raw_t}
        iss, written, more, trail = _digits(g["n_body"], g.get("n_dig"))
        extra.update(more)
        sym = f"{g['n_num']}/{g['n_year']}/{t or raw_t}-{written}"
        return Symbol(sym, g["n_num"], "normative", t or raw_t, iss, int(g["n_year"]), extra=extra, trailing=trail,
                      known=t is not None and _known_issuers(g["n_body"]))
    if g.get("p_num"):
        raw_t = g["p_type"]
        t = _canon_type(raw_t)
        extra = {} if t else {"unknown_type_code": raw_t}
        iss, written, more, trail = _digits(g["p_body"], g.get("p_dig"))
        extra.update(more)
        sym = f"{g['p_num']}-{t or raw_t}/{written}"
        return Symbol(sym, g["p_num"], "party", t or raw_t, iss, extra=extra, trailing=trail,
                      known=t is not None and _known_issuers(g["p_body"]))
    # administrative: typed document or công văn
    a, b, c = g["a_a"], g["a_b"], g.get("a_c")
    t = _canon_type(a)
    if t is not None and not c and not g.get("a_dig") and _canon_issuer(b) in tables().party_issuers:
        # a Party document written in the State layout ("Chỉ thị số 12/CT-TW", "Nghị quyết số 06/NQ-TU"):
        # a Party body issues no State document, so it is the Party symbol 12-CT/TW (source noise)
        iss = _canon_issuer(b)
        return Symbol(f"{g['a_num']}-{t}/{iss}", g["a_num"], "party", t, iss,
                      extra={"symbol_written": f"{g['a_num']}/{a}-{b}"})
    if t is not None:
        if c:
            iss = written = _canon_issuer(b) + f"-{_canon_issuer(c)}"
            extra, trail = {}, 0
        else:
            iss, written, extra, trail = _digits(b, g.get("a_dig"))
        return Symbol(f"{g['a_num']}/{t}-{written}", g["a_num"], "administrative", t, iss, extra=extra, trailing=trail,
                      known=_known_issuers(b + (f"-{c}" if c else "")))
    iss = _canon_issuer(a)
    extra = {"suffix": c} if c else {}
    unit = b + (g.get("a_dig") or "")  # "UBND-VX2": digits of a unit are kept (its codes are not in the tables)
    sym = f"{g['a_num']}/{iss}-{unit}" + (f"-{c}" if c else "")
    return Symbol(sym, g["a_num"], "administrative", None, iss, unit_code=unit, extra=extra,
                  known=_known_issuers(a))


def issuer_level(code: Optional[str]) -> Optional[str]:
    if not code:
        return None
    return tables().issuer_level.get(code.split("-")[0].rstrip("0123456789"))
