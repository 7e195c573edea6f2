"""Instrument-citation extractor.

``extract_citations(text)`` finds every mention of a legal/Party/administrative
instrument in normalized text (see ``pipeline.normalize.normalize_text``):

* ``kind="full"``  — a number-and-symbol ("Nghị quyết số 59-NQ/TW", "1673/QĐ-UBND",
  "80/2020/NĐ-CP", "45/2019/QH14"), with the type word before it, and after it the
  date as cited, the issuing body ("của ...") and the subject ("về ...");
* ``kind="short"`` — a type word and a bare number ("Quy chế 272", "Nghị quyết 39");
* ``kind="named"`` — instruments without a number (Party congress resolutions,
  free-trade agreements, "Hiệp định ...", national programmes and strategies).

Pure: no I/O besides reading the tables in ``extractors/data`` once.
"""
from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

import regex

from extractors import cite_context as cx
from extractors.records import Citation
from extractors.symbols import (
    LOWER_SYMBOL_AT, PARTY_NOSLASH_NEEDS, PARTY_NOSLASH_RE, SYMBOL_CI_RE, SYMBOL_RE, Symbol, issuer_level, parse_symbol,
    tables, type_name,
)

__all__ = ["extract_citations"]

_WINDOW = 160  # chars looked at before a symbol


@dataclass
class _Cand:
    kind: str
    start: int  # span start (type word, else number)
    sym_start: int  # start of the number
    end: int  # span end (end of the symbol / number / name)
    sym: Optional[Symbol] = None
    number: Optional[str] = None
    tw: Optional[cx.TypeWord] = None
    cited_surface: Optional[str] = None
    name: Optional[str] = None
    instrument_type: Optional[str] = None
    date_cited: Optional[str] = None
    date_text: Optional[str] = None
    issuer: Optional[cx.IssuerHit] = None
    subject: Optional[str] = None
    tail_end: int = 0
    skip: int = 0  # chars after ``end`` that belong to the match but not to the mention (a footnote marker)
    extra: dict[str, Any] = field(default_factory=dict)


# --- full citations ---------------------------------------------------------------
def _prefix(text: str, c: _Cand) -> None:
    """Type word (and "số") right before the number; header and "kèm theo" checks."""
    pt = cx.patterns()
    w0 = max(0, c.sym_start - _WINDOW)
    window = text[w0 : c.sym_start]
    m = pt.prefix.search(window)
    if m:
        c.tw = cx.type_word(m.group("tw"))
        c.cited_surface = m.group("tw")
        c.start = w0 + m.start()
    elif c.sym is not None and (am := _abbr_prefix().search(window)) is not None:
        # "QĐ số 2345/QĐ-UBND", "NQ số 59-NQ/TW": an abbreviated type word, "số" required
        c.tw = cx.abbreviations()[am.group("tw")]
        c.cited_surface = am.group("tw")
        c.start = w0 + am.start()
        c.extra["abbreviated"] = True
    elif c.sym is not None and c.sym.system == "law":
        lm = pt.law_prefix.search(window)
        if lm:
            c.tw = cx.type_word(lm.group("tw"))
            c.cited_surface = lm.group("tw")
            c.start = w0 + lm.start()
            c.name = cx.collapse(lm.group("tw") + lm.group("lname"))
    before = text[max(0, c.start - _WINDOW) : c.start]
    # issued_with ends "(?i:kèm theo)" + blanks/breaks (" \t\n") at \Z: check the word first
    if _ends_with_word(before, "theo") and pt.issued_with.search(before):
        c.extra["issued_with"] = True


@lru_cache(maxsize=1)
def _abbr_prefix() -> "regex.Pattern[str]":
    alt = "|".join(regex.escape(a) for a in sorted(cx.abbreviations(), key=len, reverse=True))
    return regex.compile(r"(?r)(?<![\p{L}\d])(?P<tw>(?-i:" + alt + r"))[ \t]{1,3}(?i:số)[ \t]{0,3}:?[ \t]{0,3}\Z")


# precompiled (a string pattern costs a cache lookup in regex._compile on every call)
_PARTY_HEADER_SO = regex.compile(r"(?:\A|\n)[ \t]{0,8}(?i:số)[ \t]{1,3}\Z")
_NEXT_WORD = regex.compile(r"[ \t]{1,3}(\p{L}+)")
_ROMAN_NUM = regex.compile(r"(?-i:[IVXLC]{1,7})(?![\p{L}])")
_DANG_BO = regex.compile(r"(?i:đảng\s+bộ)")


def _ends_with_word(window: str, *words: str) -> bool:
    """Necessary for a ``(?i:...)`` pattern ending ``(?i:word)`` + blanks/breaks (chars of " \t\n") + ``\\Z``
    to match ``window``: after stripping those chars it ends with one of ``words`` (none ends with
    a blank, so the stripped run is exactly the pattern's trailing blanks)."""
    tail = cx.fold(window.rstrip(" \t\n")[-12:])
    return tail.endswith(words)


@lru_cache(maxsize=1)
def _type_word_at_end() -> "regex.Pattern[str]":
    return regex.compile(r"(?r)(?<![\p{L}\d])(?:" + cx.lexicon().type_alt + r")[ \t]{0,3}\Z")


def _after_type_word(text: str, line_start: int) -> bool:
    """The line(s) before ``line_start`` end with a document-type word: a citation wrapped before its "số"
    ("Căn cứ Nghị quyết\nsố 59-NQ/TW"), not a header's own "Số:" line."""
    i = line_start
    while i > 0 and text[i - 1] in " \t\n":
        i -= 1
    if i == 0 or cx.tone_key(cx.last_word(text, max(0, i - 12), i, "")) not in _short_prefix_ends():
        return False  # the last word ends no type word (nor is it "số"/an abbreviation: the search decides)
    m = _type_word_at_end().search(text, max(0, i - 60), i)
    if not m:
        return False
    # a title in capitals ("KẾ HOẠCH") over a header's "Số:" is no citation; a title wrapped inside a
    # citation keeps its capitals ("THỰC HIỆN NGHỊ QUYẾT\nSỐ 59-NQ/TW")
    j = line_start
    while text[j] in " \t\n":
        j += 1
    return not (m.group().isupper() and not text[j : j + 2].isupper())


def _is_header(text: str, pos: int) -> bool:
    w0 = max(0, pos - 40)
    w = text[w0:pos]
    # header ends "(?i:số)[ \t]{0,3}:[ \t]{0,8}\Z": a colon after the trailing blanks is necessary
    if w.rstrip(" \t").endswith(":"):
        m = cx.patterns().header.search(w)
        if m:
            return not _after_type_word(text, w0 + m.start())
    # Party header "Số 36-HD/VPTW" on its own line near the top
    if pos < 1000:
        m = _PARTY_HEADER_SO.search(w)
        if m:
            return not _after_type_word(text, w0 + m.start())
    return False


_SO_BEFORE = regex.compile(r"(?r)(?<![\p{L}\d])(?i:số)[ \t]{0,3}:?[ \t]{0,3}\Z")


def _lower_case_symbols(text: str, taken: "_Spans") -> list[tuple["regex.Match[str]", Symbol]]:
    """Symbols written in lower case ("123/qđ-ubnd", "59-nq/tw"; domain reference §10.1): only with "số"
    or a type word right before, a type code and only known codes."""
    out = []
    pre = cx.patterns().prefix
    for a in LOWER_SYMBOL_AT.finditer(text):
        s = a.start()
        if taken.overlaps(s, a.end()):
            continue
        m = SYMBOL_CI_RE.match(text, s)
        if not m or taken.overlaps(s, m.end()):
            continue
        window = text[max(0, s - _WINDOW) : s]
        if not (_SO_BEFORE.search(window) or pre.search(window)):
            continue
        sym = parse_symbol(m)
        if not sym.known or (sym.type_code is None and sym.system != "law"):
            continue
        out.append((m, sym))
    return out


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_DIGITS = str.maketrans(_SUPERSCRIPTS, "0123456789")


def _superscript_marker(text: str, c: _Cand) -> None:
    """A footnote marker in superscript digits right after the symbol ("59-NQ/TW¹ ngày 24/01/2025 của ...") is
    skipped like glued digits, so the date, issuer and list after it are still read."""
    if c.skip:
        return
    i = c.end
    while i < len(text) and i - c.end < 3 and text[i] in _SUPERSCRIPTS:
        i += 1
    if i > c.end:
        c.skip = i - c.end
        c.extra["footnote_marker"] = text[c.end : i].translate(_SUPERSCRIPT_DIGITS)


def _full(text: str) -> list[_Cand]:
    out: list[_Cand] = []
    taken = _Spans([])
    for rx in (SYMBOL_RE, PARTY_NOSLASH_RE):
        if rx is PARTY_NOSLASH_RE and not any(n in text for n in PARTY_NOSLASH_NEEDS):
            continue  # cannot match: skip the scan
        for m in rx.finditer(text):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            if _is_header(text, s):
                continue
            sym = parse_symbol(m)
            if rx is PARTY_NOSLASH_RE and (sym.type_code is None or "unknown_type_code" in sym.extra):
                continue
            taken.add(s, e)
            c = _Cand("full", s, s, e - sym.trailing, sym=sym, number=sym.number, skip=sym.trailing)
            _superscript_marker(text, c)
            _prefix(text, c)
            out.append(c)
    if LOWER_SYMBOL_AT.search(text):
        for m, sym in _lower_case_symbols(text, taken):
            s, e = m.span()
            if taken.overlaps(s, e) or _is_header(text, s):
                continue
            taken.add(s, e)
            c = _Cand("full", s, s, e - sym.trailing, sym=sym, number=sym.number, skip=sym.trailing)
            c.extra["symbol_written"] = text[s : e - sym.trailing]
            _superscript_marker(text, c)
            _prefix(text, c)
            out.append(c)
    out.sort(key=lambda c: c.start)
    return out


# --- short forms --------------------------------------------------------------------
_MEASURE = frozenset(
    "năm tháng ngày tuần quý lần giờ phút người đoàn tỷ triệu nghìn ngàn trăm km ha điểm mục tiết trang cuộc "
    "hội đồng tấn lượt doanh dự đơn xã huyện tỉnh đợt lớp buổi nhóm nội vấn hoạt nhiệm chỉ sự bài tin cán học sinh "
    "chương".split()
)


_SHORT_NUM = regex.compile(
    r"(?<=[ \t:])\d{1,5}(?![\p{L}\d]|[ \t]{0,3}[\-/][ \t]{0,3}[\p{L}\d]|[.,]\d|[ \t]{0,2}%)"
)


_SHORT_ABBR = ("NQ", "QĐ", "QD", "NĐ", "ND", "CT", "KL", "KH", "CTr", "QC", "TB", "HD")


@lru_cache(maxsize=1)
def _short_prefix() -> "regex.Pattern[str]":
    lx = cx.lexicon()
    return regex.compile(
        r"(?r)(?<![\p{L}\d])(?P<tw>" + lx.type_alt + r"|(?-i:" + "|".join(_SHORT_ABBR) + r"))"
        r"(?P<gap>[ \t]{1,3}(?:(?P<so>(?i:số))[ \t]{0,3}:?[ \t]{0,3})?)\Z"
    )


@lru_cache(maxsize=1)
def _short_prefix_ends() -> frozenset[str]:
    """``cx.tone_key`` of every word that can end a ``_short_prefix`` match.

    Its gap is blanks, an optional "số" and a colon (" \\t:" only) up to ``\\Z``, so once those are
    stripped the window ends with "số" or with the last word of a type word (spelled by
    ``phrase_pattern``: letters, words split by blanks, the word before preceded by a blank or the
    lookbehind) or of an abbreviation: the letters ending it are that whole word."""
    words = [tw.word.split()[-1] for tw in cx.lexicon().type_words.values()]
    return frozenset(cx.tone_key(w) for w in words + ["số", *_SHORT_ABBR])


class _Spans:
    """Sorted, non-overlapping occupied spans with O(log n) overlap test."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.starts, b) - 1  # last span starting before b
        return i >= 0 and self.ends[i] > a

    def add(self, a: int, b: int) -> None:
        i = bisect.bisect_left(self.starts, a)
        self.starts.insert(i, a)
        self.ends.insert(i, b)


def _short(text: str, occupied: _Spans) -> list[_Cand]:
    out = []
    pre = _short_prefix()
    ends = _short_prefix_ends()
    for m in _SHORT_NUM.finditer(text):
        ns, e = m.span()
        w0 = max(0, ns - 40)
        if cx.tone_key(cx.last_word(text, w0, ns, " \t:")) not in ends:
            continue  # no type word / "số" right before: the search cannot match
        p = pre.search(text, w0, ns)
        if not p:
            continue
        s = p.start()
        if occupied.overlaps(s, e):
            continue
        tw_s, num = p.group("tw"), m.group()
        has_so = bool(p.group("so"))
        if not (tw_s[0].isupper() or has_so):
            continue
        if not has_so and len(num) == 4 and num[:2] in ("19", "20"):
            continue  # "Kế hoạch 2025" is a year
        nxt = _NEXT_WORD.match(text[e : e + 20])
        if nxt and nxt.group(1).casefold() in _MEASURE and not cx.patterns().date.match(text, e):
            continue
        tw = cx.type_word(tw_s)
        c = _Cand("short", s, ns, e, number=num, tw=tw, cited_surface=tw_s)
        if tw is not None:
            c.instrument_type = tw.instrument_type
        else:  # abbreviation "QĐ 1673"
            code = tables().types.canon(tw_s)
            c.instrument_type = type_name(code, "state")
            c.extra["abbreviated"] = True
        out.append(c)
    return out


# --- named instruments --------------------------------------------------------------
_ROMAN = r"(?-i:[IVXLC]{1,7})"
_S1 = r"[ \t\n]{1,3}"
_NAME_CONT = r"[^;,.:()\n\"]{0,160}"


def _w(words: str) -> str:
    return _S1.join(regex.escape(w) for w in words.split())


@lru_cache(maxsize=1)
def _named_res() -> list[tuple[str, "regex.Pattern[str]"]]:
    cong = (
        r"(?i:đại" + _S1 + r"hội)" + _S1 + r"(?:"
        r"(?i:" + _w("đại biểu toàn quốc") + r"|" + _w("toàn quốc") + r")" + _S1 + r"(?i:lần" + _S1 + r"thứ)" + _S1
        + _ROMAN + r"(?:" + _S1 + r"(?i:của" + _S1 + r"đảng))?"
        r"|(?i:đảng)(?:" + _S1 + r"(?i:toàn" + _S1 + r"quốc))?(?:" + _S1 + r"(?i:lần" + _S1 + r"thứ))?" + _S1 + _ROMAN
        + r"|(?:(?i:đại" + _S1 + r"biểu)" + _S1 + r")?(?i:đảng" + _S1 + r"bộ)" + _S1 + r"(?i:tỉnh|thành" + _S1 + r"phố)"
        r"(?:" + _S1 + r"\p{Lu}\p{L}{0,10}(?:[ \t]\p{Lu}\p{L}{0,10}){0,3})?" + _S1 + r"(?i:lần" + _S1 + r"thứ)" + _S1 + _ROMAN
        + r"|" + _ROMAN + _S1 + r"(?i:của" + _S1 + r"đảng)"
        r")(?![\p{L}\d])"
    )
    nq = r"(?i:nghị" + _S1 + r"quyết)"
    res = [
        ("congress", regex.compile(r"(?<![\p{L}])" + nq + _S1 + cong)),
        ("congress_bare", regex.compile(r"(?<=(?i:của|theo|tại|thực hiện|quán triệt|triển khai)[ \t]{1,3})" + cong)),
        ("plenum", regex.compile(
            r"(?<![\p{L}])" + nq + _S1 + r"(?i:trung" + _S1 + r"ương)" + _S1 + r"(?:(?i:số)[ \t]{0,2})?\d{1,2}"
            + _S1 + r"(?i:khóa|khoá)" + _S1 + _ROMAN + r"(?![\p{L}\d])"
        )),
        ("treaty", regex.compile(r"(?<![\p{L}])(?:Hiệp" + _S1 + r"định|HIỆP" + _S1 + r"ĐỊNH)" + _S1 + r"(?=\p{Lu})" + _NAME_CONT)),
        ("protocol", regex.compile(
            r"(?<![\p{L}])Nghị" + _S1 + r"định" + _S1 + r"thư" + _S1 + r"(?=về|giữa|\p{Lu})" + _NAME_CONT
        )),
        ("programme", regex.compile(
            r"(?<![\p{L}])(?<!(?i:các|những)[ \t])Chương" + _S1 + r"trình" + _S1 + r"(?:mục" + _S1 + r"tiêu" + _S1 + r")?quốc"
            + _S1 + r"gia(?![\p{L}])" + _NAME_CONT
        )),
        ("strategy", regex.compile(r"(?<![\p{L}])(?<!(?i:các|những)[ \t])Chiến" + _S1 + r"lược" + _S1 + r"\p{L}" + _NAME_CONT)),
    ]
    return res


_NAME_STOP = regex.compile(
    r"[ \t\n](?:tại|trên[ \t]địa[ \t]bàn|nhằm|để|đảm[ \t]bảo|bảo[ \t]đảm|gắn[ \t]với|theo|đã|được|của[ \t]tỉnh|trong)(?![\p{L}])"
)
_HORIZON = regex.compile(
    r"(?:giai\s{1,3}đoạn|đến\s{1,3}năm|thời\s{1,3}kỳ)\s{1,3}(?:19|20)\d\d(?:\s{0,3}-\s{0,3}(?:19|20)\d\d)?"
    r"|\d{1,2}\s{1,3}năm\s{1,3}(?:19|20)\d\d\s{0,3}-\s{0,3}(?:19|20)\d\d"  # "Chiến lược ... 10 năm 2021 - 2030"
)


@lru_cache(maxsize=1)
def _fta() -> tuple["regex.Pattern[str]", dict[str, str]]:
    with open(cx.DATA / "named_instruments.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["acronym"]: r["name"] for r in rows}
    alt = "|".join(regex.escape(a) for a in sorted(names, key=len, reverse=True))
    return regex.compile(r"(?<![\p{L}\d\-])(?:" + alt + r")(?![\p{L}\d\-])"), names


def _named(text: str, taken: _Spans) -> list[_Cand]:
    out: list[_Cand] = []

    def add(kind: str, s: int, e: int, name: str, itype: Optional[str], extra: dict[str, Any]) -> None:
        if taken.overlaps(s, e):
            return
        taken.add(s, e)
        c = _Cand("named", s, s, e, name=name, instrument_type=itype, extra=extra)
        out.append(c)

    for kind, rx in _named_res():
        for m in rx.finditer(text):
            s, e = m.span()
            if kind in ("treaty", "protocol", "programme", "strategy"):
                stop = _NAME_STOP.search(text, s + 8, e)
                if stop:
                    e = stop.start()
                h = _HORIZON.search(text, s, e)
                if h:
                    e = h.end()
                elif kind == "strategy":
                    continue  # a strategy needs a horizon to count as an instrument
                e = cx._rtrim(text, s, e)
                if e - s < len(m.group(0).split()[0]) + 8:
                    continue
            name = cx.collapse(text[s:e])
            itype = {
                "congress": "Nghị quyết", "congress_bare": "Nghị quyết", "plenum": "Nghị quyết",
                "treaty": "Hiệp định", "protocol": "Nghị định thư", "programme": "Chương trình", "strategy": "Chiến lược",
            }[kind]
            extra: dict[str, Any] = {"named_kind": "congress" if kind.startswith("congress") else kind}
            rm = _ROMAN_NUM.search(name)
            if kind.startswith("congress") and rm:
                extra["congress"] = rm.group()
                extra["level"] = "provincial" if _DANG_BO.search(name) else "national"
            add(kind, s, e, name, itype, extra)
    fta_re, names = _fta()
    for m in fta_re.finditer(text):
        s, e = m.span()
        # "(CPTPP)" right after a "Hiệp định ..." name: part of it
        near = [c for c in out if c.extra.get("named_kind") == "treaty" and 0 <= s - c.end <= 3]
        if near:
            near[0].extra["acronym"] = m.group()
            continue
        add("fta", s, e, m.group(), "Hiệp định", {"named_kind": "fta", "full_name": names[m.group()]})
    return out


# --- tails and lists ---------------------------------------------------------------------
_PAREN_NOTE = regex.compile(r"[ \t]{0,3}\((?P<note>[^()\n\d/]{1,40})\)")  # a short note without numbers or symbols
_SAME_DAY = regex.compile(r"[ \t]{0,3},?[ \t]{0,3}(?i:cùng)[ \t]{1,3}(?i:ngày)(?![\p{L}\d]|[ \t]{1,3}\d)")


def _tail(text: str, c: _Cand, limit: int) -> None:
    pt = cx.patterns()
    pos = c.end + c.skip

    def date_at(p: int) -> int:
        m = pt.date.match(text, p) or pt.paren_date.match(text, p)
        if m and m.end() <= limit:
            iso = cx.iso_date(m)
            if iso:
                c.date_cited, c.date_text = iso, cx.collapse(m.group("dt"))
            else:  # "ngày 31/02/2024": keep the surface, skip over it
                c.extra["date_invalid"] = cx.collapse(m.group("dt"))
            return m.end()
        m = pt.partial_date.match(text, p)
        if m and m.end() <= limit:  # "ngày 15/7" (no year): kept partial, the issuer after it still found
            part = cx.partial_date(m)
            if part:
                c.extra["date_partial"] = part
                c.extra["date_partial_text"] = cx.collapse(m.group("dt"))
            else:  # "ngày 31/2"
                c.extra["date_invalid"] = cx.collapse(m.group("dt"))
            return m.end()
        return p

    p0 = pos
    pos = date_at(pos)
    if pos == p0:
        same = _SAME_DAY.match(text, pos)
        if same and same.end() <= limit:  # "Kế hoạch số 13/KH-UBND cùng ngày của UBND tỉnh": the date before
            c.extra["same_date"] = True
            pos = same.end()
    iss = cx.issuer_at(text, pos)
    if iss is None and c.date_cited is not None:
        note = _PAREN_NOTE.match(text, pos)  # "ngày 5/3/2024 (kỳ họp chuyên đề) của HĐND tỉnh"
        if note:
            iss = cx.issuer_at(text, note.end())
            if iss is not None:
                c.extra["note"] = cx.collapse(note.group("note"))
    if iss and iss.end <= limit:
        c.issuer = iss
        pos = iss.end
        if c.date_cited is None:
            pos = date_at(pos)
    sub = cx.subject_at(text, pos, limit)
    if sub:
        c.subject = sub[0]
        pos = sub[2]
        if limit < len(text) and not text[pos:limit].strip(" \t\n,"):
            c.extra["subject_cut_at_citation"] = True
    c.tail_end = pos


def _has_tail(c: _Cand) -> bool:
    return bool(c.date_cited or c.issuer or c.subject)


def _lists(text: str, cands: list[_Cand]) -> None:
    """Share the trailing date/issuer/subject of a list with its bare members; carry the type word."""
    pt = cx.patterns()
    fulls = [c for c in cands if c.kind == "full"]
    for prev, c in zip(fulls, fulls[1:]):  # "cùng ngày": the date of the citation before
        if c.extra.get("same_date") and c.date_cited is None and prev.date_cited:
            c.date_cited, c.date_text = prev.date_cited, prev.date_text
            c.extra["date_from_previous"] = True
    for i in range(len(fulls) - 1, -1, -1):
        c = fulls[i]
        if i + 1 >= len(fulls):
            continue
        nxt = fulls[i + 1]
        if _has_tail(c):
            _share_dated_issuer(text, c, nxt)
            continue
        m = pt.list_sep.match(text, c.end + c.skip)
        if not m or m.end() != nxt.start:
            continue
        c.extra["list_next"] = True
        shared = []
        if nxt.date_cited and not c.date_cited:
            c.date_cited, c.date_text = nxt.date_cited, nxt.date_text
            shared.append("date")
        if nxt.issuer and not c.issuer:
            c.issuer = nxt.issuer
            shared.append("issuer")
        if nxt.subject and not c.subject:
            c.subject = nxt.subject
            shared.append("subject")
        if shared:
            c.extra["shared_from_list"] = shared
    # carry a type word forward: "các Quyết định số 1673/QĐ-UBND, 1972/QĐ-UBND"
    for prev, c in zip(fulls, fulls[1:]):
        if c.tw is not None or prev.tw is None or not prev.extra.get("list_next") or prev.end > c.start:
            continue
        sep = pt.list_sep.match(text, max(prev.tail_end, prev.end + prev.skip))  # after a member's own date
        if sep and sep.end() == c.start:
            assert c.sym is not None
            if prev.tw.compatible(c.sym.type_code, c.sym.system):
                c.tw = prev.tw
                c.extra["cited_as_carried"] = True


def _share_dated_issuer(text: str, c: _Cand, nxt: _Cand) -> None:
    """Members of a list that each carry their own date share its trailing issuer ("Công văn số 2156/UBND-KT
    ngày 12/7/2024 và Công văn số 2301/UBND-KT ngày 30/7/2024 của UBND thành phố") when both symbols
    name the same issuing body (59-NQ/TW before "... 153/NQ-CP ngày ... của Chính phủ" keeps none)."""
    if c.issuer is not None or c.subject is not None or c.date_cited is None:
        return
    m = cx.patterns().list_sep.match(text, c.tail_end)
    if not m or m.end() != nxt.start:
        return
    c.extra["list_next"] = True  # the type word may be carried ("Công văn số 1520/UBND-KT ngày ... và số 1688/UBND-KT")
    if nxt.issuer is not None and _same_body(c, nxt):
        c.issuer = nxt.issuer
        c.extra["shared_from_list"] = ["issuer"]


def _same_body(a: _Cand, b: _Cand) -> bool:
    assert a.sym is not None and b.sym is not None
    return a.sym.issuer_code is not None and a.sym.issuer_code == b.sym.issuer_code


def _issuer_before(text: str, c: _Cand) -> Optional[cx.IssuerHit]:
    w0 = max(0, c.start - _WINDOW)
    window = text[w0 : c.start]
    # before ends "[ \t]{1,3}(?i:tại|theo)" (+ "các") + SP1 (only " \t\n") or "(" + blanks at \Z: check that first
    if not (_ends_with_word(window, "tại", "theo", "các") or window.rstrip(" \t").endswith("(")):
        return None
    fw = cx.fold(window)
    if "của" not in fw and "do" not in fw:
        return None  # before needs (?i:của|do) inside the window
    m = cx.patterns().before.search(window)
    if not m:
        return None
    phrase = cx.lexicon().issuers.get(cx.key(m.group("iss")))
    if (m.group("par") or m.group("kem")) and (phrase is None or c.sym is None or phrase.code != c.sym.issuer_code):
        # "ý kiến của Bộ Ngoại giao (Văn bản số 3344/BNG-ĐBNG ...)", "Chương trình hành động của Chính phủ ban
        # hành kèm theo Nghị quyết số 153/NQ-CP": only the body of the symbol
        return None
    named = phrase.phrase if phrase else cx.collapse(m.group("iss"))
    loc = None
    if m.group("loc"):
        loc, _ = cx.trim_locality(text, w0 + m.start("loc"), w0 + m.end("loc"))
    return cx.IssuerHit(named, phrase.code if phrase else None, w0 + m.end("iss"), loc, m.group("term"))


_NORMATIVE_ONLY = frozenset({"NĐ", "TT", "TTLT", "NQLT", "CTLT", "PL"})


# --- assembly ---------------------------------------------------------------------------
def _to_citation(text: str, c: _Cand) -> Citation:
    extra = dict(c.extra)
    if c.issuer is not None:
        if c.issuer.code:
            extra["issuer_named_code"] = c.issuer.code
        if c.issuer.locality:
            extra["issuer_locality"] = c.issuer.locality
        if c.issuer.term:
            extra["issuer_term"] = c.issuer.term
        if c.issuer.generic:
            extra["issuer_generic"] = True
    cited_as = c.tw.word if c.tw is not None else (c.cited_surface if c.kind == "short" else None)
    if c.kind == "full":
        s = c.sym
        assert s is not None
        extra.update(s.extra)
        lvl = issuer_level(s.issuer_code)
        if lvl:
            extra["issuer_level"] = lvl
        if s.system == "law":
            itype = type_name(s.type_code, "state") if s.type_code else (c.tw.instrument_type if c.tw else None)
        elif s.type_code is None:
            itype = "Công văn"
        else:
            itype = type_name(s.type_code, s.system) or (c.tw.instrument_type if c.tw else None)
        mismatch = c.tw is not None and not c.tw.compatible(s.type_code, s.system)
        if c.name:
            extra["law_name"] = c.name
        if s.system == "administrative" and s.type_code in _NORMATIVE_ONLY:
            extra["normative_without_year"] = True  # "Nghị định số 72/NĐ-CP ngày 07/9/2015" (source noise)
        return Citation(
            symbol=s.symbol, instrument_type=itype, number=s.number, type_code=s.type_code,
            issuer_code=s.issuer_code, year=s.year, system=s.system, kind="full",
            text=text[c.start : c.end], char_start=c.start, char_end=c.end,
            cited_as=cited_as, type_mismatch=mismatch, date_cited=c.date_cited, date_text=c.date_text,
            issuer_named=c.issuer.named if c.issuer else None, subject=c.subject,
            unit_code=s.unit_code, extra=extra,
        )
    if c.kind == "short":
        return Citation(
            symbol=None, instrument_type=c.instrument_type, number=c.number, type_code=None, issuer_code=None,
            year=None, system="unknown", kind="short", text=text[c.start : c.end], char_start=c.start,
            char_end=c.end, cited_as=cited_as, date_cited=c.date_cited, date_text=c.date_text,
            issuer_named=c.issuer.named if c.issuer else None, subject=c.subject, extra=extra,
        )
    return Citation(
        symbol=None, instrument_type=c.instrument_type, number=None, type_code=None, issuer_code=None, year=None,
        system="named", kind="named", text=text[c.start : c.end], char_start=c.start, char_end=c.end,
        name=c.name, extra=extra,
    )


def extract_citations(text: str) -> list[Citation]:
    """Every instrument mention in ``text``, ordered by ``char_start``.

    ``text[c.char_start:c.char_end] == c.text`` for every returned citation.
    """
    if not text:
        return []
    fulls = _full(text)
    shorts = _short(text, _Spans([(c.start, c.end) for c in fulls]))
    named = _named(text, _Spans([(c.start, c.end) for c in fulls + shorts]))
    cands = sorted(fulls + shorts + named, key=lambda c: (c.start, c.end))
    # the tail stops at the next full citation (short/named ones may sit inside a subject)
    hard = sorted(c.start for c in cands if c.kind == "full")
    for c in cands:
        if c.kind == "named":
            continue
        j = bisect.bisect_left(hard, c.end)
        _tail(text, c, hard[j] if j < len(hard) else len(text))
    _lists(text, cands)
    prev: Optional[_Cand] = None
    for c in cands:
        if c.kind != "full":
            continue
        before = _issuer_before(text, c)
        if before is not None:
            c.extra["issuer_before"] = before.named
            if c.issuer is None:
                c.issuer = before
        elif (c.issuer is None and prev is not None and prev.extra.get("list_next") and "issuer_before" in prev.extra
              and prev.issuer is not None and _same_body(prev, c)):
            # "chỉ đạo của UBND tỉnh tại các Công văn số 1520/UBND-KT ngày 12/5/2024 và số 1688/UBND-KT ..."
            c.issuer = prev.issuer
            c.extra["issuer_before"] = prev.issuer.named
        prev = c
    return [_to_citation(text, c) for c in cands]
