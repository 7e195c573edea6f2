"""The words around a number-and-symbol: type word before it; date, issuer and
subject after it; an issuing body named before it ("của X tại Công văn số ...").

All phrase lists come from ``extractors/data`` and are matched
case-insensitively with both tone placements (hòa/hoà, ủy/uỷ).
"""
from __future__ import annotations

import csv
import datetime as _dt
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import regex

from pipeline.normalize import fold_tones, match_key

DATA = Path(__file__).with_name("data")

# line/page break tolerant separators (bounded)
SP = r"[ \t]{0,3}(?:\n{1,3}[ \t]{0,3})?"  # optional
SP1 = r"(?:[ \t]{1,3}(?:\n{1,3}[ \t]{0,3})?|\n{1,3}[ \t]{0,3})"  # at least one space or break

# --- tone variants ------------------------------------------------------------
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}
_VOWELS = set("aăâeêioôơuưy")


def _split_tone(ch: str) -> tuple[str, str]:
    d = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in d if c in _TONES)
    base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
    return base, tone


def alt_tones(text: str) -> str:
    """The other tone placement of :func:`fold_tones` for open oa/oe/uy syllables (thủy → thuỷ)."""
    chars = list(fold_tones(text))
    n = len(chars)
    for i in range(n - 1):
        a, b = chars[i], chars[i + 1]
        if not (a.isalpha() and b.isalpha()):
            continue
        base_a, tone_a = _split_tone(a)
        if not tone_a:
            continue
        base_b, tone_b = _split_tone(b)
        if tone_b or (base_a.lower(), base_b.lower()) not in _PAIRS:
            continue
        if i + 2 < n and chars[i + 2].isalpha():
            continue
        prev = chars[i - 1].lower() if i > 0 else ""
        if base_a.lower() == "u" and prev == "q":
            continue
        if prev.isalpha() and _split_tone(prev)[0].lower() in _VOWELS:
            continue
        chars[i] = base_a
        chars[i + 1] = unicodedata.normalize("NFC", base_b + tone_a)
    return "".join(chars)


def phrase_pattern(phrase: str) -> str:
    """Regex source for ``phrase``: both tone placements, flexible spaces/breaks."""
    outs = []
    for variant in sorted({phrase, fold_tones(phrase), alt_tones(phrase)}):
        parts = []
        for tok in variant.split():
            if tok == "-":
                parts.append(r"-")
            elif tok.endswith(","):
                parts.append(regex.escape(tok[:-1]) + r"[ \t]{0,2},")
            else:
                parts.append(regex.escape(tok))
        outs.append(SP1.join(parts))
    return "|".join(outs)


def alternation(phrases: list[str]) -> str:
    """Case-insensitive alternation, longest phrase first."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "(?i:" + "|".join(f"(?:{phrase_pattern(p)})" for p in ordered) + ")"


@lru_cache(maxsize=8192)
def key(surface: str) -> str:
    return " ".join(match_key(surface).replace(" ,", ",").split())


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


# --- cited type words ---------------------------------------------------------
@dataclass(frozen=True)
class TypeWord:
    word: str  # canonical spelling ("Chương trình hành động")
    instrument_type: Optional[str]  # None for the generic "Văn bản"
    codes: frozenset[str]  # compatible type codes; "*" any; "NONE" công văn form; "LAW" QH symbols

    def compatible(self, type_code: Optional[str], system: str) -> bool:
        if "*" in self.codes:
            return True
        if system == "law":
            return "LAW" in self.codes or (type_code is not None and type_code in self.codes)
        if type_code is None:
            return "NONE" in self.codes
        return type_code in self.codes


@dataclass(frozen=True)
class IssuerPhrase:
    phrase: str
    code: Optional[str]
    level: str


@dataclass(frozen=True)
class Lexicon:
    type_words: dict[str, TypeWord]  # key(word) -> TypeWord
    type_alt: str  # regex source (case-insensitive)
    issuers: dict[str, IssuerPhrase]  # key(phrase) -> IssuerPhrase
    issuer_alt: str


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    tws: dict[str, TypeWord] = {}
    for r in _read_csv("cited_words.csv"):
        t = None if r["instrument_type"] == "*" else r["instrument_type"]
        tws[key(r["word"])] = TypeWord(r["word"], t, frozenset(r["codes"].split("|")))
    iss: dict[str, IssuerPhrase] = {}
    for r in _read_csv("issuer_phrases.csv"):
        iss[key(r["phrase"])] = IssuerPhrase(r["phrase"], r["code"] or None, r["level"])
    return Lexicon(
        tws,
        alternation([tw.word for tw in tws.values()]),
        iss,
        alternation([p.phrase for p in iss.values()]),
    )


def type_word(surface: str) -> Optional[TypeWord]:
    return lexicon().type_words.get(key(surface))


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, TypeWord]:
    """Abbreviated type words (``cited_abbreviations.csv``, case-sensitive): "QĐ" -> a "Quyết định" type word
    spelled "QĐ"."""
    out: dict[str, TypeWord] = {}
    for r in _read_csv("cited_abbreviations.csv"):
        tw = type_word(r["word"])
        if tw is not None:
            out[r["abbreviation"]] = TypeWord(r["abbreviation"], tw.instrument_type, tw.codes)
    return out


# --- compiled patterns ----------------------------------------------------------
_DATE_CORE = (
    r"(?:(?P<d>\d{1,2})[ \t]{0,2}(?P<sep>[/.\-])[ \t]{0,2}(?P<m>\d{1,2})[ \t]{0,2}(?P=sep)[ \t]{0,2}(?P<y>\d{4})"
    r"|(?P<d2>\d{1,2})" + SP1 + r"(?i:tháng)" + SP1 + r"(?P<m2>\d{1,2})" + SP1 + r"(?i:năm)" + SP1 + r"(?P<y2>\d{4}))"
    r"(?!\d)"
)
_LOC = r"(?P<loc>\p{Lu}\p{L}{0,12}(?![\p{L}/])(?:(?:[ \t]{1,2}|[ \t]{0,2}-[ \t]{0,2})\p{Lu}\p{L}{0,12}(?![\p{L}/])){0,3})"
_TERM = r"(?P<termp>[ \t]{1,3}\(?(?i:khóa|khoá)[ \t]{1,3}(?P<term>[IVXLC]{1,6}|\d{1,2})\)?)"
_LOC_PART = r"(?:[ \t]{1,3}(?:(?i:tỉnh|thành phố|TP\.?)[ \t]{1,3})?" + _LOC + r")"
_GENERIC_HEADS = (
    "Ban|Bộ|Sở|Cục|Tổng cục|Ủy ban|Uỷ ban|UBND|HĐND|Văn phòng|Hội đồng|Hội|Liên hiệp|Liên hợp|Liên Hợp|"
    "Đảng ủy|Đảng uỷ|Ngân hàng|Viện|Tòa án|Toà án|Chủ tịch|Đoàn|Mặt trận|Trung tâm|Tổng Liên đoàn|Công an|"
    "Bộ Chỉ huy|Thành ủy|Thành uỷ|Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Huyện uỷ|Phòng|Hiệp hội|Chi cục"
)
STOP_WORDS = frozenset(
    """về ngày tại số ban phê quy hướng thực triển giai năm đến trong để nhằm theo với cho khóa khoá v/v và
    hoặc các là đã được có nay này kèm tháng trên đối việc nêu thông tiếp""".split()
)


@dataclass(frozen=True)
class Patterns:
    prefix: "regex.Pattern[str]"
    law_prefix: "regex.Pattern[str]"
    header: "regex.Pattern[str]"
    date: "regex.Pattern[str]"
    paren_date: "regex.Pattern[str]"
    partial_date: "regex.Pattern[str]"
    issuer: "regex.Pattern[str]"
    generic_issuer: "regex.Pattern[str]"
    before: "regex.Pattern[str]"
    joint: "regex.Pattern[str]"
    subject: "regex.Pattern[str]"
    subject_end: "regex.Pattern[str]"
    issued_with: "regex.Pattern[str]"
    list_sep: "regex.Pattern[str]"


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    lx = lexicon()
    so = r"(?:(?i:số)[ \t]{0,3}:?" + SP + ")"
    return Patterns(
        prefix=regex.compile(r"(?r)(?<![\p{L}\d])(?P<tw>" + lx.type_alt + r")(?P<gap>" + SP + so + r"?)\Z"),
        law_prefix=regex.compile(
            r"(?r)(?<![\p{L}\d])(?P<tw>(?i:bộ luật|luật|pháp lệnh))(?P<lname>(?:[ \t]{1,3}[\p{L}][\p{L},]{0,15}){1,10}?)"
            r"[ \t]{1,3}" + so + r"\Z"
        ),
        header=regex.compile(r"(?r)(?:\A|\n)[ \t]{0,8}(?i:số)[ \t]{0,3}:[ \t]{0,8}\Z"),
        date=regex.compile(
            r"[ \t]{0,3}(?:,[ \t]{0,3})?(?:\n{1,3}[ \t]{0,3})?\(?[ \t]{0,2}(?:(?i:được)[ \t]{1,3})?(?:(?i:ban hành|ký)[ \t]{1,3})?"
            r"(?:(?i:cùng)[ \t]{1,3})?(?P<dt>(?i:ngày)" + SP + _DATE_CORE + r")\)?"
        ),
        paren_date=regex.compile(r"[ \t]{0,3}\((?P<dt>" + _DATE_CORE + r")\)"),
        # "ngày 15/7", "ngày 15 tháng 7": a day and month without a year (tried where ``date`` fails)
        partial_date=regex.compile(
            r"[ \t]{0,3}(?:,[ \t]{0,3})?(?:\n{1,3}[ \t]{0,3})?\(?[ \t]{0,2}(?:(?i:được)[ \t]{1,3})?(?:(?i:ban hành|ký)[ \t]{1,3})?"
            r"(?P<dt>(?i:ngày)" + SP + r"(?:(?P<d>\d{1,2})[ \t]{0,2}[/.\-][ \t]{0,2}(?P<m>\d{1,2})(?![ \t]{0,2}[/.\-][ \t]{0,2}\d)"
            r"|(?P<d2>\d{1,2})" + SP1 + r"(?i:tháng)" + SP1 + r"(?P<m2>\d{1,2})(?!" + SP1 + r"(?i:năm)))(?!\d))\)?"
        ),
        issuer=regex.compile(
            r"[ \t]{0,3},?[ \t]{0,3}(?:\n{1,3}[ \t]{0,3})?(?i:của|do)" + SP1 + r"(?P<iss>" + lx.issuer_alt + r")(?!\p{L})"
            + _TERM + "?" + _LOC_PART + "?"
        ),
        generic_issuer=regex.compile(
            r"[ \t]{0,3},?[ \t]{0,3}(?:\n{1,3}[ \t]{0,3})?(?i:của|do)" + SP1
            + r"(?P<iss>(?P<head>" + _GENERIC_HEADS + r")(?:[ \t]{1,2}[\p{L}&\-]{1,15}){1,8})"
        ),
        before=regex.compile(
            r"(?r)(?i:của|do)" + SP1 + r"(?P<iss>" + lx.issuer_alt + r")(?!\p{L})" + _TERM + "?" + _LOC_PART + "?"
            + r"(?:[ \t]{1,3}(?i:tại|theo)(?:[ \t]{1,3}(?i:các))?" + SP1 + r"|[ \t]{0,3}(?P<par>\()[ \t]{0,3}"
            + r"|[ \t]{1,3}(?:(?i:ban hành)[ \t]{1,3})?(?P<kem>(?i:kèm))[ \t]{1,3}(?i:theo)" + SP1 + r")\Z"
        ),
        joint=regex.compile(r"(?P<sep>[ \t]{1,3}(?i:và)[ \t]{1,3}|[ \t]{0,2},[ \t]{1,3})(?P<iss>" + lx.issuer_alt + r")(?!\p{L})"),
        subject=regex.compile(
            r"[ \t]{0,3},?[ \t]{0,3}(?:\n{1,3}[ \t]{0,3})?"
            r"(?:(?P<mk>(?i:về việc|về|v/v))[ \t:]{1,3}|(?P<verb>(?i:ban hành|phê duyệt|quy định|hướng dẫn)[ \t]))"
        ),
        subject_end=regex.compile(
            r";|(?<!\bTP|\bTp)\.(?=[ \t\n]|$)|\n(?![ \t]{0,3}\n{0,3}[ \t]{0,3}\p{Ll})"
            r"|[ \t,]{1,3}(?:và|cùng|hoặc)[ \t]{1,3}(?i:các)[ \t]{1,3}(?i:văn bản|quy định|nghị quyết|chỉ thị|kế hoạch|chương trình|hướng dẫn)"
        ),
        issued_with=regex.compile(r"(?r)(?i:kèm theo)" + SP + r"\Z"),
        # "; số 88/KH-UBND" (no type word) goes on with the list too
        list_sep=regex.compile(
            r"[ \t]{0,3}(?:,[ \t]{0,3}(?:(?i:và|hoặc)[ \t]{1,3})?|(?i:và|hoặc)[ \t]{1,3}|;[ \t]{0,3}(?=(?i:số)))"
            + r"(?:(?i:số)[ \t]{0,3})?"
        ),
    )


# --- helpers ---------------------------------------------------------------------
def iso_date(m: "regex.Match[str]") -> Optional[str]:
    d, mo, y = (m.group("d"), m.group("m"), m.group("y")) if m.group("d") else (m.group("d2"), m.group("m2"), m.group("y2"))
    try:
        return _dt.date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


def partial_date(m: "regex.Match[str]") -> Optional[str]:
    """ISO partial date "--MM-DD" of a ``partial_date`` match (None for an impossible day or month)."""
    d, mo = (m.group("d"), m.group("m")) if m.group("d") else (m.group("d2"), m.group("m2"))
    try:
        _dt.date(2024, int(mo), int(d))  # a leap year: "29/2" is possible
    except ValueError:
        return None
    return f"--{int(mo):02d}-{int(d):02d}"


def collapse(s: str) -> str:
    return " ".join(s.split())


_WORD = regex.compile(r"[\p{L}]+")  # precompiled: trim_locality runs for every issuer


_GENERIC_HEAD_AT = regex.compile(r"(?:" + _GENERIC_HEADS + r")(?![\p{L}])")


def trim_locality(text: str, start: int, end: int, body_name: bool = False) -> tuple[Optional[str], int]:
    """Keep locality words until a stop word; return (locality, end offset). With ``body_name`` (the words of
    a body's name after its head) "và" goes on when a capitalised word that opens no other body follows
    ("Sở Văn hóa và Thể thao"; not "Sở Ngoại vụ và Sở Tư pháp", "... và các ...")."""
    last = start
    words = list(_WORD.finditer(text, start, end))  # (a letter run: the same as in text[start:end])
    kept = 0
    for i, w in enumerate(words):
        word = w.group()
        if word.casefold() in STOP_WORDS:
            nxt = words[i + 1] if i + 1 < len(words) else None
            if not (body_name and kept and word.casefold() == "và" and nxt is not None and nxt.group()[:1].isupper()
                    and not _GENERIC_HEAD_AT.match(text, nxt.start())):
                break
        kept += 1
        last = w.end()
    if not kept:
        return None, start
    return collapse(text[start:last]), last


@dataclass
class IssuerHit:
    named: str
    code: Optional[str]
    end: int
    locality: Optional[str] = None
    term: Optional[str] = None
    generic: bool = False


# A Central Committee plenum named right after the date, with or without "của":
# "... ngày 22/10/2018 Hội nghị lần thứ tám Ban Chấp hành Trung ương Đảng khóa XII về ...",
# "... của Hội nghị Trung ương 8 khóa XII ...".
_PLENUM_RE = regex.compile(
    r"[ \t]{0,3},?[ \t]{0,3}(?:\n{1,3}[ \t]{0,3})?(?:(?i:của)" + SP1 + r")?"
    r"(?P<iss>(?i:hội nghị)" + SP1 + r"(?:"
    r"(?:(?i:lần thứ)" + SP1 + r"[\p{L}\d]{1,8}" + SP1 + r")?(?i:ban chấp hành trung ương)(?:" + SP1 + r"(?i:đảng))?"
    r"|(?i:trung ương)" + SP1 + r"\d{1,2})"
    r"(?:" + SP1 + r"(?i:khóa|khoá)" + SP1 + r"[IVXLC]{1,6})?)(?![\p{L}\d])"
)


def fold(s: str) -> str:
    """Lower case for literal pre-checks of case-insensitive patterns: ``(?i:i)`` also matches "İ",
    whose ``lower()`` is "i" + U+0307, so combining dots above are dropped (a looser check stays a
    necessary condition)."""
    return s.lower().replace("\u0307", "")


def tone_key(s: str) -> str:
    """Case- and tone-placement-blind form of a word, for literal pre-checks: the spellings a
    ``phrase_pattern`` accepts (case-insensitively) differ only in case and in where the tone mark
    sits (``fold_tones``/``alt_tones``), and both vanish here; U+0307 goes too (see :func:`fold`)."""
    d = unicodedata.normalize("NFD", s.casefold())
    return "".join(ch for ch in d if ch not in _TONES and ch != "\u0307")


def last_word(text: str, start: int, end: int, strip: str) -> str:
    """The letters (``isalpha`` is ``\\p{L}``) ending ``text[start:end]`` once ``strip`` chars are dropped."""
    i = end
    while i > start and text[i - 1] in strip:
        i -= 1
    j = i
    while j > start and text[j - 1].isalpha():
        j -= 1
    return text[j:i]


def _skip(text: str, pos: int, chars: str) -> int:
    n = len(text)
    while pos < n and text[pos] in chars:
        pos += 1
    return pos


def _cua_do_at(text: str, pos: int) -> bool:
    """Necessary for ``issuer``/``generic_issuer`` to match at ``pos``: both open with blanks, a comma
    and line breaks (only " \t,\n", bounded) then ``(?i:của|do)``; "c"/"d" are none of those chars,
    so the keyword starts right after the maximal run of them."""
    i = _skip(text, pos, " \t,\n")
    w = fold(text[i : i + 3])
    return w.startswith("của") or w.startswith("do")


def _joint_sep_at(text: str, pos: int) -> bool:
    """Necessary for ``joint`` to match at ``pos``: ``[ \t]{1,3}(?i:và)`` or ``[ \t]{0,2},`` first."""
    i = _skip(text, pos, " \t")
    return text[i : i + 1] == "," or fold(text[i : i + 2]).startswith("và")


def issuer_at(text: str, pos: int) -> Optional[IssuerHit]:
    """An issuer phrase ("của Bộ Chính trị", "của Tỉnh ủy Nghệ An", a Central Committee plenum) at ``pos``."""
    pt = patterns()
    pm = _PLENUM_RE.match(text, pos)
    if pm:
        return IssuerHit(collapse(pm.group("iss")), "TW", pm.end("iss"))
    if not _cua_do_at(text, pos):
        return None  # issuer and generic_issuer both need "của"/"do" here: skip two failing matches
    m = pt.issuer.match(text, pos)
    if m:
        phrase = lexicon().issuers.get(key(m.group("iss")))
        named = phrase.phrase if phrase else collapse(m.group("iss"))
        end = m.end("iss")
        term = m.group("term")
        if term:
            end = m.end("termp")
        loc = None
        if m.group("loc"):
            loc, loc_end = trim_locality(text, m.start("loc"), m.end("loc"))
            if loc:
                end = loc_end
        hit = IssuerHit(named, phrase.code if phrase else None, end, loc, term)
        for _ in range(3):  # joint issuers: "của Bộ Ngoại giao và Bộ Nội vụ"
            j = pt.joint.match(text, hit.end) if _joint_sep_at(text, hit.end) else None
            if not j:
                break
            p2 = lexicon().issuers.get(key(j.group("iss")))
            if p2 is None:
                break
            hit.named += (", " if j.group("sep").strip() == "," else " và ") + p2.phrase
            hit.code = f"{hit.code}-{p2.code}" if hit.code and p2.code else hit.code
            hit.end = j.end("iss")
        return hit
    g = pt.generic_issuer.match(text, pos)
    if g:
        # the head is a body's word even when it is a stop word elsewhere ("Ban", "Ủy ban" vs "ban hành")
        rest, end = trim_locality(text, g.end("head"), g.end("iss"), body_name=True)
        if rest:
            return IssuerHit(g.group("head") + " " + rest, None, end, generic=True)
    return None


def subject_at(text: str, pos: int, limit: int, max_len: int = 300) -> Optional[tuple[str, int, int]]:
    """The subject clause at ``pos`` ("về ...", "V/v ...", "ban hành ..."): (subject, start, end)."""
    pt = patterns()
    m = pt.subject.match(text, pos)
    if not m:
        return None
    start = m.end() if m.group("mk") else m.start("verb")
    hard = min(limit, start + max_len + 1, len(text))
    e = pt.subject_end.search(text, start, hard)
    end = e.start() if e else hard
    if not e and hard == start + max_len + 1:
        cut = text.rfind(" ", start, hard)
        end = cut if cut > start else hard
    while start < end and text[start] in _TRIM:
        start += 1
    end = _rtrim(text, start, end)
    if end <= start:
        return None
    return collapse(text[start:end]), start, end


_TRIM = " \t\n,:;\"'(-"
_TRAILING_WORDS = ("và", "hoặc", "cùng", "của", "tại", "theo")


def _rtrim(text: str, start: int, end: int) -> int:
    """Drop trailing punctuation/space and dangling connectives ("... và")."""
    while end > start:
        if text[end - 1] in _TRIM:
            end -= 1
            continue
        for w in _TRAILING_WORDS:
            n = len(w)
            if end - n > start and text[end - n:end].casefold() == w and text[end - n - 1] in " \t\n":
                end -= n
                break
        else:
            break
    return end
