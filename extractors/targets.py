"""Quantitative targets (chỉ tiêu) in Vietnamese plans.

Public API: :func:`extract_targets`, :func:`target_category`.

A target is a number followed by a counted object from ``data/targets_units.csv``
("60 đoàn ra", "05 thỏa thuận quốc tế", "02 lần/năm", "15%", "1,5 tỷ đồng"), kept only
in a plan context: a comparator right before the number ("ít nhất", "không quá", ...),
a frequency unit ("lần/năm"), or a planning cue earlier in the same clause ("Dự kiến",
"phấn đấu", "tổ chức", "ký kết", "đạt", ...; ``data/targets_cues.csv``), and not a result
reported (a cue after "đã", a sentence opening with a past year or measured "…% kế hoạch", a review
section's heading above it) unless its clause looks ahead ("phấn đấu", "dự kiến").  Numbers
inside dates/periods/anniversaries, ordinals ("lần thứ 32"), section and symbol numbers
("số 1", "đường 8") and counts in names ("03 nước Việt Nam - Lào - Thái Lan") are not
targets.

Conventions
-----------
* ``value`` is a float; Vietnamese "1.200" = 1200 and "1,5" = 1.5.
* ``comparator``: ">=" (ít nhất, tối thiểu, không dưới, trên, ... trở lên),
  "<=" (không quá, tối đa, dưới, ... trở xuống), else "=".  A range ("từ 3 đến 5 đoàn ra",
  "03-05 hội nghị") gives two targets: its lower bound ">=" and its upper bound "<=".
* The number written out beside the digits is skipped: "02 (hai) thỏa thuận", "hai (02) đoàn ra".
* ``unit`` is the canonical object ("đoàn ra", "hội nghị, hội thảo quốc tế",
  "lần/năm", "%", "triệu USD").  A magnitude word between the number and the object
  (``data/targets_magnitudes.csv``) stays in the unit, as in "triệu USD": "đón 69 nghìn
  lượt khách quốc tế" → value 69, unit "nghìn lượt khách quốc tế".  A percentage introduced by "tăng"/"giảm" gets unit
  "% tăng" / "% giảm" (value = the change).
* ``period``: "per year" ("/năm", "hằng năm"), "per quarter", "per month"; else
  "YYYY-YYYY" from "giai đoạn ..." in the sentence, else "YYYY" from "năm YYYY" in the
  sentence, else ``doc_year`` when the sentence says "Dự kiến"/"trong năm"; else the
  nearest preceding heading's period or year; else the period or year of the plan's title
  ("KẾ HOẠCH\nCông tác đối ngoại ... năm 2026" → "2026"); else None.
* ``appendix``: "(Phụ lục 4 kèm theo)" → "Phụ lục 4"; "(các Phụ lục 1, 2 kèm theo)"
  after two targets → one label each, in order.
* ``text`` / span: the clause holding the target (list item after a colon, or the whole
  "lead: number object" clause when the colon introduces a single bare count).
"""
from __future__ import annotations

import bisect
import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import regex

from extractors.dates import extract_dates
from extractors.records import DateMention, Target
from pipeline.normalize import match_key

_DATA = Path(__file__).with_name("data")
_TIMEOUT = 5.0
_F = regex.IGNORECASE | regex.V1


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _units() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(folded surface → (unit, category), folded unit → category)."""
    surf: dict[str, tuple[str, str]] = {}
    cat: dict[str, str] = {}
    with open(_DATA / "targets_units.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            surf[match_key(row["surface"])] = (row["unit"], row["category"])
            cat.setdefault(match_key(row["unit"]), row["category"])
            cat.setdefault(match_key(row["surface"]), row["category"])
    return surf, cat


@lru_cache(maxsize=1)
def _magnitudes() -> dict[str, str]:
    """Folded magnitude word ("nghìn", "ngàn", "triệu", "tỷ") → its canonical spelling."""
    with open(_DATA / "targets_magnitudes.csv", encoding="utf-8") as fh:
        return {match_key(row["surface"]): row["canonical"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _number_words() -> dict[str, int]:
    """Vietnamese number words ("hai", "mười", "trăm") → value, for the written-out number of "02 (hai)"."""
    with open(_DATA / "targets_number_words.csv", encoding="utf-8") as fh:
        return {row["word"]: int(row["value"]) for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    with open(_DATA / "targets_cues.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["kind"], []).append(row["phrase"].strip())
    return {k: tuple(sorted(set(v), key=len, reverse=True)) for k, v in out.items()}


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _tone_alternatives(p: str) -> dict[int, str]:
    """Positions of open "oa/oe/uy" syllables with a tone → regex alternative for both placements
    (thỏa|thoả), so patterns match either spelling without folding the text."""
    out: dict[int, str] = {}
    for i in range(len(p) - 1):
        a, b = p[i], p[i + 1]
        nxt = p[i + 2] if i + 2 < len(p) else ""
        if nxt.isalpha():
            continue
        da, db = unicodedata.normalize("NFD", a), unicodedata.normalize("NFD", b)
        ta = "".join(ch for ch in da if ch in _TONE_MARKS)
        tb = "".join(ch for ch in db if ch in _TONE_MARKS)
        ba = unicodedata.normalize("NFC", "".join(ch for ch in da if ch not in _TONE_MARKS))
        bb = unicodedata.normalize("NFC", "".join(ch for ch in db if ch not in _TONE_MARKS))
        if (ba.lower(), bb.lower()) not in {("o", "a"), ("o", "e"), ("u", "y")} or not (ta or tb):
            continue
        tone = ta or tb
        first = unicodedata.normalize("NFC", ba + tone) + bb
        second = ba + unicodedata.normalize("NFC", bb + tone)
        out[i] = f"(?:{regex.escape(first)}|{regex.escape(second)})"
    return out


# Counts in words read as numbers, after a blank: a unit word ("hai", "mười") or a tens word ("hai mươi"), and a
# unit word after "mươi"/"mười" ("mười hai", "hai mươi lăm"); "một" (also "a") and "năm" (also "year") are never
# read alone.  Such a count is read before the objects of these categories only, and never before a place word
# (kind geo_unit: "hai nước", "ba tỉnh" name the parties, not a target).
_WORD_CATEGORIES = frozenset({"đoàn ra", "đoàn vào", "thỏa thuận quốc tế", "hội nghị, hội thảo", "khác"})
_TENS, _TEN = "mươi", "mười"


def _alone_words() -> list[str]:
    """Count words read alone or before "mươi" (2–9; not "năm" (year), "tư", "lăm"), longest first."""
    words = _number_words()
    return sorted((w for w, v in words.items() if 2 <= v <= 9 and w not in ("năm", "tư", "lăm")), key=len, reverse=True)


def _word_number_pattern() -> regex.Pattern:
    words = _number_words()
    alone = _alone_words()
    digit = sorted((w for w, v in words.items() if 1 <= v <= 9 and w != "năm"), key=len, reverse=True)
    a, d = "|".join(alone), "|".join(digit)
    return regex.compile(
        r"(?<=\s)(?:(?:" + a + r")\s{1,3}" + _TENS + r"(?:\s{1,3}(?:" + d + r"))?|" + _TEN + r"(?:\s{1,3}(?:" + d
        + r"))?|" + a + r")(?=\s)(?!\s{1,3}\()",
        _F,
    )


@lru_cache(maxsize=1)
def _word_starts() -> "re.Pattern[str]":
    """Where a count in words may start (its first word between blanks), for a fast scan with ``re``."""
    first = sorted({*_alone_words(), _TEN}, key=len, reverse=True)
    return re.compile(r"(?<=\s)(?:" + "|".join(map(re.escape, first)) + r")(?=\s)", re.IGNORECASE)


def _word_numbers(text: str) -> Iterator[regex.Match]:
    """``_pats().word_number.finditer(text)``, tried only where ``_word_starts`` finds a first word (every
    match starts there; a start inside the previous match is skipped, as finditer does)."""
    P = _pats()
    end = 0
    for w in _word_starts().finditer(text):
        if w.start() < end:
            continue
        m = P.word_number.match(text, w.start())
        if m is not None:
            end = m.end()
            yield m


@lru_cache(maxsize=1)
def _geo_units() -> frozenset[str]:
    return frozenset(match_key(p) for p in _cues()["geo_unit"])


def _word_value(s: str) -> float:
    """Value of a count in words matched by ``word_number``: "hai" 2, "mười hai" 12, "hai mươi lăm" 25."""
    words = _number_words()
    total = 0
    for w in s.lower().split():
        if w == _TENS:
            total *= 10
        else:
            total += words[w]
    return float(total)


# A part of a plan, above its "I." headings: "PHẦN I", "Phần thứ hai.", "A. KẾT QUẢ ..." (capital letter)
_PART = r"(?:PHẦN|Phần)[ \t]{1,3}(?:[IVX]{1,5}|\d{1,2}|(?:THỨ|thứ)[ \t]{1,3}\p{L}{2,5})(?![\p{L}\d])[.:\-)]?(?:[ \t]|$)"
_PART_HEADING = regex.compile(r"^[ \t]{0,8}(?:" + _PART + r"|[A-ZĐ][.)][ \t])", regex.V1)
_PART_LINE = regex.compile(r"^[ \t]{0,8}(?:" + _PART + r"|[A-ZĐ][.)][ \t])", regex.V1 | regex.M)  # anywhere


def _phrase(p: str) -> str:
    """A phrase as a pattern: flexible blanks, optional blanks around / and ,; both tone placements."""
    parts: list[str] = []
    alts = _tone_alternatives(p)
    skip = -1
    for i, ch in enumerate(p):
        if i == skip:
            continue
        if i in alts:
            parts.append(alts[i])
            skip = i + 1
        elif ch == " ":
            parts.append(r"\s{1,3}")
        elif ch in "/,":
            parts.append(r"\s{0,2}" + regex.escape(ch) + r"\s{0,2}")
        else:
            parts.append(regex.escape(ch))
    return "".join(parts).replace(r"\s{0,2},\s{0,2}\s{1,3}", r"\s{0,2},\s{1,3}")


def _alt(phrases: tuple[str, ...]) -> str:
    return "|".join(_phrase(p) for p in phrases)


# A line break ends a clause only when it is a paragraph break: blank line, next line opens
# with a list marker, or the line ends with . ; ! ?  Other breaks are PDF line wraps.
_HARD_NL = (
    r"\n(?=[ \t]{0,8}\n)"
    r"|\n(?=[ \t]{0,8}(?:[-+•*]|\d{1,2}(?:\.\d{1,2}){0,3}[.)]|[a-zđ]\)|[IVX]{1,5}\.|(?:[IVX]{1,5}|\d{1,2})-)[ \t])"
    r"|(?<=[.;!?][ \t]{0,3})\n"
)


def _last_words(phrases: tuple[str, ...]) -> regex.Pattern:
    """The last words of ``phrases`` spelled as in ``_alt`` (flags and tone placements alike), ending at
    the end of the searched span; ``_phrase`` spells a word the same alone or at a phrase's end."""
    return regex.compile(r"(?r)(?:" + _alt(tuple(sorted({p.split()[-1] for p in phrases}))) + r")\Z", _F)


@dataclass(frozen=True)
class _Pats:
    number: regex.Pattern
    unit: regex.Pattern
    scaled_unit: regex.Pattern  # a magnitude word, then a unit: "69 nghìn lượt khách quốc tế"
    reject_before: regex.Pattern
    comparator: regex.Pattern
    change: regex.Pattern
    after_cmp: regex.Pattern
    plan_cue: regex.Pattern
    per_year: regex.Pattern
    appendix: regex.Pattern
    heading: regex.Pattern
    clause_break: regex.Pattern
    sentence_break: regex.Pattern
    geo_name: regex.Pattern
    marker: regex.Pattern
    # last word of a reject_before / comparator phrase at the end of a window (see _ends_with)
    reject_last: regex.Pattern
    cmp_last: regex.Pattern
    words_after: regex.Pattern  # "02 (hai) thỏa thuận": the number written out, between the number and its unit
    words_before: regex.Pattern  # "hai (02) thỏa thuận": the number written out before it, the digits in parentheses
    range_tail: regex.Pattern  # "3 - 5", "03-05", "3 đến 5": a range's upper bound after its lower one
    past_cue: regex.Pattern  # "đã" just before the plan cue: a result reported, not a target
    of_plan: regex.Pattern  # "bằng 117% kế hoạch": a sentence that reports results against a plan
    review_heading: regex.Pattern
    word_number: regex.Pattern  # "hai", "mười hai", "hai mươi lăm" before a unit: a count in words
    word_range_tail: regex.Pattern  # "hai đến ba": a range's upper bound in words
    forward: regex.Pattern  # "phấn đấu", "dự kiến", "chỉ tiêu": a clause that looks ahead is never a review
    past_opener: regex.Pattern  # "Năm qua,", "Thời gian qua,", "Qua 5 năm thực hiện", "Lũy kế": a sentence on the past
    sends: regex.Pattern  # a cue that sends delegations out ("cử"): its plain "đoàn" is "đoàn ra"
    receives: regex.Pattern  # a cue that receives them ("đón"): "đoàn vào"
    nominal: regex.Pattern  # a plan cue that is a noun ("vốn", "kinh phí"): a result's verb may come before it
    direction_after: regex.Pattern  # "ra nước ngoài" / "vào thăm tỉnh" after a plain "đoàn"
    share_verb: regex.Pattern  # "được", "có" after "100% cán bộ": the share of a group, a target
    breakdown: regex.Pattern  # "(trong đó: ...": the parts of a count, not targets of their own
    body_opener: regex.Pattern  # "Căn cứ", "Thực hiện", "Để": the body's first words after a plan's title
    unit_in_label: regex.Pattern  # a unit named anywhere, in the label before "Số đoàn ra: 60 đoàn"


@lru_cache(maxsize=1)
def _pats() -> _Pats:
    surf, _ = _units()
    c = _cues()
    surfaces = tuple(sorted(surf, key=len, reverse=True))
    cmp_alt = "|".join(
        f"(?P<{name}>{_alt(c[name])})" for name in ("ge", "le", "eq")
    )
    label = r"(?:[IVXLC]{1,6}|\d{1,3}[a-z]?)(?![\p{L}\d])"
    words = "|".join(sorted((regex.escape(w) for w in _number_words()), key=len, reverse=True))
    word_number = _word_number_pattern()
    return _Pats(
        number=regex.compile(
            r"(?<![\p{L}\d/.,\-])(?P<num>\d{1,3}(?:\.\d{3}){1,4}(?:,\d{1,3})?|\d{1,7}(?:[,.]\d{1,2})?)"
            r"(?![\d]|[.,]\d|\s?/\s?[\p{L}\d]|-\p{L}|\.\p{L})",
            regex.V1,
        ),
        unit=regex.compile(r"\s{0,3}(?P<unit>" + _alt(surfaces) + r")(?![\p{L}\d])", _F),
        scaled_unit=regex.compile(
            r"\s{0,3}(?P<mag>" + _alt(tuple(sorted(_magnitudes(), key=len, reverse=True))) + r")\s{1,3}"
            r"(?P<unit>" + _alt(surfaces) + r")(?![\p{L}\d])", _F),
        reject_before=regex.compile(r"(?<!\p{L})(?:" + _alt(c["reject_before"]) + r")\s{0,3}$", _F),
        comparator=regex.compile(r"(?<!\p{L})(?:" + cmp_alt + r")\s{1,3}\(?$", _F),
        change=regex.compile(
            r"(?<!\p{L})(?:(?P<inc>" + _alt(c["increase"]) + r")|(?P<dec>" + _alt(c["decrease"]) + r"))\s{1,3}"
            r"(?:(?:" + _alt(c["ge"] + c["le"] + c["eq"]) + r")\s{1,3})?$",
            _F,
        ),
        after_cmp=regex.compile(
            r"\s{0,3}(?:(?P<ge>" + _alt(c["ge_after"]) + r")|(?P<le>" + _alt(c["le_after"]) + r"))(?!\p{L})", _F
        ),
        plan_cue=regex.compile(r"(?<!\p{L})(?:" + _alt(c["plan"]) + r")(?!\p{L})", _F),
        per_year=regex.compile(r"(?:" + _alt(c["per_year"]) + r")(?!\p{L})", _F),
        appendix=regex.compile(
            r"(?:[Pp]hụ\s{1,3}lục|PHỤ\s{1,3}LỤC)(?:\s{1,3}(?:số|SỐ))?\s{1,3}(?P<labels>" + label + r"(?:\s{0,2}(?:,|và|-)\s{0,2}" + label + r"){0,10})",
            regex.V1,
        ),
        heading=regex.compile(r"^[ \t]{0,8}(?:(?:(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,3}|[a-zđA-ZĐ])[.)]|(?:[IVX]{1,5}|\d{1,2})-)[ \t]"
                              r"|" + _PART + r")", regex.V1),
        clause_break=regex.compile(r";|" + _HARD_NL + r"|[.!?](?=\s|$)", regex.V1),
        sentence_break=regex.compile(_HARD_NL + r"|[.!?](?=\s{1,3}[\p{Lu}\-+\d]|\s*$)", regex.V1),
        geo_name=regex.compile(r"\s{1,3}\p{Lu}", regex.V1),
        marker=regex.compile(r"^\s{0,8}(?:[-+•*]|\d{1,2}(?:\.\d{1,2}){0,3}[.)]|[a-zđ]\)|[IVX]{1,5}\.|(?:[IVX]{1,5}|\d{1,2})-)\s{1,4}", regex.V1),
        reject_last=_last_words(c["reject_before"]),
        cmp_last=_last_words(c["ge"] + c["le"] + c["eq"]),
        words_after=regex.compile(r"\s{0,3}\(\s{0,2}(?:" + words + r")(?:\s{1,3}(?:" + words + r")){0,6}\s{0,2}\)", _F),
        words_before=regex.compile(r"(?<!\p{L})(?:" + words + r")(?:\s{1,3}(?:" + words + r")){0,6}\s{0,3}\($", _F),
        range_tail=regex.compile(r"\s{0,3}(?:[-–]|đến|tới)\s{0,3}(?P<hi>\d{1,3}(?:\.\d{3}){1,4}(?:,\d{1,3})?|\d{1,7}(?:,\d{1,2})?)"
                                 r"(?![\d]|[.,]\d|\s?/\s?[\p{L}\d])", _F),
        past_cue=regex.compile(r"(?<!\p{L})(?:" + _alt(c["past"]) + r")(?:\s{1,3}(?:được|thực\s{1,3}hiện|tiếp\s{1,3}tục))?\s{1,3}$", _F),
        of_plan=regex.compile(r"%\s{0,3}(?:so\s{1,3}với\s{1,3})?(?:kế\s{1,3}hoạch|KH)(?!\p{L})", _F),
        word_number=word_number,
        word_range_tail=regex.compile(r"\s{0,3}(?:[-–]|đến|tới)\s{0,3}(?P<hi>" + word_number.pattern + r")", _F),
        # a heading that opens with the review words (not a list item "c) Phấn đấu ...; đánh giá kết quả ...")
        review_heading=regex.compile(r"^[ \t]{0,8}(?:(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,3}|[a-zđ])[.)]|(?:[IVX]{1,5}|\d{1,2})-"
                                     r"|(?:PHẦN|Phần)[ \t]{1,3}(?:[IVX]{1,5}|\d{1,2}|(?:THỨ|thứ)[ \t]{1,3}\p{L}{2,5})[.:\-)]?)[ \t]{1,4}"
                                     r"(?:(?:" + _alt(c["review_heading"]) + r")(?!\p{L})|(?:" + _alt(c["situation_heading"])
                                     # "I. BỐI CẢNH VÀ MỤC TIÊU" also holds targets
                                     + r")(?!\p{L})(?![^;\n]{0,120}?(?<!\p{L})(?:" + _alt(c["forward_heading"]) + r")(?!\p{L})))"
                                     r"[^;]{0,120}$", _F),
        past_opener=regex.compile(r"[ \t]{0,8}(?:[-+•*][ \t]{1,3})?(?:(?:trong|sau)\s{1,3})?(?:" + _alt(c["past_opener"])
                                  + r"|qua\s{1,3}\d{1,2}\s{1,3}năm)(?!\p{L})", _F),
        forward=regex.compile(r"(?<!\p{L})(?:" + _alt(c["forward"]) + r")(?!\p{L})", _F),
        sends=regex.compile(r"(?:" + _alt(c["sends"]) + r")(?!\p{L})", _F),
        receives=regex.compile(r"(?:" + _alt(c["receives"]) + r")(?!\p{L})", _F),
        nominal=regex.compile(r"(?:" + _alt(c["nominal"]) + r")(?!\p{L})", _F),
        unit_in_label=regex.compile(r"(?<!\p{L})(?P<unit>" + _alt(surfaces) + r")(?![\p{L}\d])", _F),
        body_opener=regex.compile(r"(?:" + _alt(c["body_opener"]) + r")(?!\p{L})", _F),
        breakdown=regex.compile(r"\s{0,3}(?:" + _alt(c["breakdown"]) + r")(?!\p{L})", _F),
        share_verb=regex.compile(r"(?<!\p{L})(?:" + _alt(c["share_verb"]) + r")(?!\p{L})", _F),
        direction_after=regex.compile(r"(?<!\p{L})(?:(?P<out>" + _alt(c["sends_after"]) + r")|(?P<in>"
                                      + _alt(c["receives_after"]) + r"))(?!\p{L})", _F),
    )


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
_THOUSANDS = regex.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_RANGE4 = regex.compile(r"\d{4}/\d{4}")
_YEAR4 = regex.compile(r"\d{4}")
_PLAN_YEAR = regex.compile(r"(?<!\p{L})(?:dự kiến|trong năm|năm nay)(?!\p{L})", _F)
_LABEL_SEP = regex.compile(r"\s{0,2}(?:,|và)\s{0,2}")
_LABEL_RANGE = regex.compile(r"(\d{1,3})\s{0,2}-\s{0,2}(\d{1,3})")


def _parse_number(s: str) -> float:
    if _THOUSANDS.fullmatch(s):
        return float(s.replace(".", "").replace(",", "."))
    return float(s.replace(",", "."))


def target_category(unit: str) -> str:
    """Report category of a counted object: "đoàn ra", "đoàn vào", "thỏa thuận quốc tế",
    "hội nghị, hội thảo", "địa phương", "tần suất", "tỷ lệ", "vốn" or "khác"."""
    return _category(unit)


@lru_cache(maxsize=4096)  # a plan repeats a handful of units; match_key per target row was measurable
def _category(unit: str) -> str:
    if not unit:
        return "khác"
    key = match_key(unit.strip())
    _, cat = _units()
    if key in cat:
        return cat[key]
    head, _, rest = key.partition(" ")
    if rest and head in _magnitudes():  # "nghìn lượt khách quốc tế": the category of "lượt khách quốc tế"
        return _category(rest)
    surf, _ = _units()
    if key in surf:
        return surf[key][1]
    if key.startswith("%") or "phần trăm" in key:
        return "tỷ lệ"
    if regex.search(r"(?:usd|eur|đồng|đô la|yên|vnd)(?!\p{L})", key):
        return "vốn"
    if regex.match(r"lần\s*/", key) or key.startswith("lần "):
        return "tần suất"
    return "khác"


@lru_cache(maxsize=4096)  # a plan repeats a handful of unit surfaces
def _unit_key(surface: str) -> str:
    """``match_key`` of a unit as matched, its blanks (a PDF line break: "triệu\nUSD") made one space."""
    return match_key(" ".join(surface.split()))


def _span_search(p: regex.Pattern, text: str, start: int, end: int) -> Optional[regex.Match]:
    try:
        return p.search(text, max(0, start), end, timeout=_TIMEOUT)
    except TimeoutError:  # pragma: no cover
        return None


_BACK_STEP = 64  # first look-back of _bounds; quadrupled until the break or the width is reached


def _bounds(p: regex.Pattern, text: str, pos: int, width: int) -> tuple[int, int]:
    """(start, end) of the segment around ``pos`` delimited by ``p`` (bounded by ``width``).

    ``p`` is a clause/sentence break: every alternative consumes exactly one character, so the
    breaks a scan of ``text[a:pos]`` finds do not depend on where the scan starts (lookbehinds see
    before ``a``; lookaheads stop at ``pos`` either way).  The last break before ``pos`` is therefore
    looked for in growing windows ending at ``pos`` instead of always scanning the whole width.
    """
    lo = max(0, pos - width)
    start = lo
    a, step = pos, _BACK_STEP
    try:
        while a > lo:
            a = max(lo, a - step)
            last = None
            for last in p.finditer(text, a, pos, timeout=_TIMEOUT):
                pass
            if last is not None:
                start = last.end()
                break
            step *= 4
    except TimeoutError:  # pragma: no cover
        pass
    m2 = _span_search(p, text, pos, min(len(text), pos + width))
    end = m2.start() if m2 is not None else min(len(text), pos + width)
    return start, end


@dataclass
class _Hit:
    num_start: int
    num_end: int
    unit_end: int
    value: float
    unit: str
    comparator: str
    period: Optional[str] = None
    appendix: Optional[str] = None
    t_start: int = 0
    t_end: int = 0
    c_start: int = 0  # _bounds(clause_break, text, num_start, 300), computed once
    c_end: int = 0
    review: bool = False  # a result of a past period reported (review section, "đã tổ chức"): not a target
    lead: Optional[tuple[int, int]] = None  # the line introducing the list item the hit is in, when its cue is there


def _after_number(text: str, s: int, e: int) -> int:
    """Where a number's unit may start: after the number written out in parentheses ("02 (hai) thỏa thuận"),
    or after the closing parenthesis when the number written out comes first ("hai (02) thỏa thuận")."""
    P = _pats()
    wa = P.words_after.match(text, e, min(len(text), e + 60))
    if wa is not None:
        return wa.end()
    if text.startswith(")", e) and P.words_before.search(text, max(0, s - 60), s) is not None:
        return e + 1
    return e


_SHARE_NOUN = regex.compile(r"[ \t]{1,3}(?!so\s|kế\s|trở\s|tăng|giảm)\p{Ll}", regex.V1)


def _share_verb(text: str, c_start: int, num_start: int, unit_end: int, c_end: int) -> Optional[int]:
    """For a percentage that opens its clause (after a list marker or a phrase closed by a comma) followed by
    a noun, the share of a group that a plan states ("- 100% cán bộ ... được tập huấn", "Đến hết năm 2027, 100%
    xã biên giới có tổ hợp tác"): the start of its verb (kind ``share_verb``) before the next comma; None
    otherwise ("chiếm 45% tổng vốn, có ...")."""
    P = _pats()
    mk = P.marker.match(text, c_start, num_start)
    prefix = text[mk.end() if mk else c_start : num_start].strip()
    if (prefix and not prefix.endswith(",")) or _SHARE_NOUN.match(text, unit_end) is None:
        return None
    comma = text.find(",", unit_end, c_end)
    m = _span_search(P.share_verb, text, unit_end, min(c_end if comma == -1 else comma, unit_end + 120))
    return m.start() if m is not None else None


def _in_breakdown(text: str, c_start: int, num_start: int) -> bool:
    """Whether a number lies in a parenthesis that breaks a count down ("(trong đó: 20 đoàn cấp tỉnh, 40 đoàn cấp
    sở)", "(trong đó có 50 học viên sau đại học)": kind ``breakdown``)."""
    open_p = text.rfind("(", c_start, num_start)
    if open_p == -1 or text.find(")", open_p, num_start) != -1:
        return False
    return _pats().breakdown.match(text, open_p + 1, num_start) is not None


def _direction_after(text: str, start: int, end: int) -> Optional[str]:
    """"đoàn ra" / "đoàn vào" from the words after a plain "đoàn" ("... ra nước ngoài", "... vào thăm tỉnh":
    kinds ``sends_after`` / ``receives_after``), the first such phrase deciding; None when there is none."""
    P = _pats()
    m = _span_search(P.direction_after, text, start, end)
    if m is None:
        return None
    return "đoàn ra" if m["out"] else "đoàn vào"


def _last_cue(text: str, start: int, end: int, verbs_only: bool = False) -> Optional[int]:
    """Start of the last plan cue in ``text[start:end]`` (None when there is none); a cue made a noun by "sự"
    ("có sự tham gia của 50 doanh nghiệp", "với sự hỗ trợ của") is none, and with ``verbs_only`` neither is a cue
    that is a noun itself (``nominal``: "vốn", "kinh phí")."""
    P = _pats()
    last = None
    try:
        for m in P.plan_cue.finditer(text, max(0, start), end, timeout=_TIMEOUT):
            if verbs_only and P.nominal.match(text, m.start()) is not None:
                continue
            if not _NOUN_MAKER.search(text, max(0, m.start() - 6), m.start()):
                last = m.start()
    except TimeoutError:  # pragma: no cover
        pass
    return last


_NOUN_MAKER = regex.compile(r"(?<!\p{L})sự\s{1,3}$", _F)

_LEAD_LINES = 30  # list items looked through, upwards, for the line that introduces the list


def _lead_line(text: str, item: int) -> Optional[tuple[int, int]]:
    """For a list item starting at ``item``: the span of the line that introduces the list ("Chỉ tiêu:",
    "Phấn đấu năm 2025 đạt các chỉ tiêu sau:"), the nearest line above ending with a colon with only list
    items (and their wrapped lines, which go on in lower case) and blank lines between, or a heading that
    announces targets without a colon ("2. Chỉ tiêu chủ yếu", "1- Mục tiêu đến năm 2030", see
    _target_heading); None when there is none."""
    P = _pats()
    end = text.rfind("\n", 0, item)
    for _ in range(_LEAD_LINES):
        if end <= 0:
            return None
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        end = start - 1
        if not line.strip():
            continue
        stripped = line.rstrip()
        if stripped.endswith(":"):
            return start, start + len(stripped)
        if _target_heading(line):
            return start, start + len(stripped)
        if not P.marker.match(line) and not stripped.lstrip()[:1].islower():  # a wrapped item goes on in lower case
            return None
    return None


def _paragraph_lead(text: str, line_start: int) -> Optional[tuple[int, int]]:
    """For a paragraph (not a list item) starting at ``line_start``: the line right above it when that line
    introduces targets, a heading with a forward cue ("2. Chỉ tiêu cụ thể") or a line ending with ":"
    ("Chỉ tiêu:"); None otherwise."""
    end = line_start - 1
    if end <= 0:
        return None
    start = text.rfind("\n", 0, end) + 1
    line = text[start:end]
    stripped = line.rstrip()
    if stripped and (_target_heading(line) or (stripped.endswith(":") and _pats().forward.search(line))):
        return start, start + len(stripped)
    return None


_GENERIC_UNITS = frozenset({"đoàn", "thỏa thuận", "hội nghị", "hội thảo"})


def _unit_of_label(text: str, c_start: int, num_start: int, unit: str) -> str:
    """"Số đoàn ra: 60 đoàn", "Thỏa thuận quốc tế được ký kết: 05 thỏa thuận": a generic unit takes the
    more specific one its label names before the colon (one that starts with it), else stays."""
    colon = text.rfind(":", c_start, num_start)
    if colon == -1 or text[colon + 1 : num_start].strip():
        return unit
    surf, _ = _units()
    best = unit
    try:
        for m in _pats().unit_in_label.finditer(text, c_start, colon, timeout=_TIMEOUT):
            named = surf.get(_unit_key(m["unit"]), (m["unit"], ""))[0]
            if named.startswith(unit):
                best = named
    except TimeoutError:  # pragma: no cover
        pass
    return best


def _target_heading(line: str) -> bool:
    """A short heading line, not a sentence, that announces targets: "2. Chỉ tiêu chủ yếu", "1- Mục tiêu đến
    năm 2030" (its title opens with a ``forward`` cue; a list item "a) Phấn đấu ... ;" ends with punctuation and
    is not one, nor is "2. Kết quả thực hiện các chỉ tiêu")."""
    P = _pats()
    stripped = line.rstrip()
    if len(stripped) > 120 or stripped.endswith((".", ";", ",")):
        return False
    label = P.heading.match(line)
    if label is None:
        return False
    title = line[label.end() :]
    # the title opens with the forward cue: not "2. Kết quả thực hiện các chỉ tiêu"
    return P.forward.match(line, label.end() + len(title) - len(title.lstrip())) is not None


def _expand_labels(labels: str) -> list[str]:
    out: list[str] = []
    for part in _LABEL_SEP.split(labels):
        part = part.strip()
        rng = _LABEL_RANGE.fullmatch(part)
        if rng and int(rng[1]) < int(rng[2]) <= int(rng[1]) + 20:
            out.extend(str(i) for i in range(int(rng[1]), int(rng[2]) + 1))
        elif part:
            out.extend(x.strip() for x in part.split("-") if x.strip())
    return out


_BASELINE = regex.compile(r"(?<!\p{L})(?:so\s{1,3}với|so\s{1,3}cùng\s{1,3}kỳ|từ|kể\s{1,3}từ|sau)\s{1,3}$", _F)
_BASELINE_LAST = regex.compile(r"(?r)(?:với|kỳ|từ|sau)\Z", _F)  # last words of _BASELINE's phrases


def _ends_with(last: regex.Pattern, text: str, start: int, end: int, trailing: str = "") -> bool:
    """Necessary for a pattern ``(?:phrases)`` + [blanks and ``trailing`` chars] + ``$`` to match in
    ``text[start:end]``: the phrase's last word (``last``, ``..\\Z``) ends where the maximal run of
    such chars before ``end`` begins (words end with a letter; ``$`` may also stop before a final
    "\\n", itself a blank; ``isspace`` covers every ``\\s`` char).  A stripped run and one anchored
    word cost less than the full search, which still decides."""
    start = max(0, start)
    i = end
    while i > start and (text[i - 1].isspace() or text[i - 1] in trailing):
        i -= 1
    return last.search(text, max(start, i - 16), i) is not None


def _not_baseline(mentions: list[DateMention], text: str) -> list[DateMention]:
    """``mentions`` less the baseline years of a comparison ("so với năm 2024", "từ năm 2024")."""
    return [
        m
        for m in mentions
        if not (
            _ends_with(_BASELINE_LAST, text, m.char_start - 20, m.char_start)
            and _BASELINE.search(text, max(0, m.char_start - 20), m.char_start)
        )
    ]


def _year_period(mentions: list[DateMention], pos: int, text: str = "") -> Optional[str]:
    """Period from date mentions of one sentence: a range first, then a year (nearest before ``pos``).

    A baseline year ("so với năm 2024") is not a period; a year deadline ("Đến hết năm 2027, ...") is one."""
    if text:
        mentions = _not_baseline(mentions, text)
    ranges = [m for m in mentions if m.kind == "period" and _RANGE4.fullmatch(m.value)]
    years = [m for m in mentions if m.kind in ("other", "horizon", "event", "deadline") and _YEAR4.fullmatch(m.value)]
    for group, fmt in ((ranges, lambda v: v.replace("/", "-")), (years, lambda v: v)):
        if not group:
            continue
        before = [m for m in group if m.char_start < pos]
        pick = before[-1] if before else group[0]
        return fmt(pick.value)
    return None


class _Dates:
    """The date mentions of a text, with ``within(lo, hi)`` = ``[m for m in dates if lo <= m.char_start
    and m.char_end <= hi]`` (same order) found by bisection when the list is sorted by start and
    every span is well-formed (as ``extract_dates`` returns it), by a full scan otherwise."""

    def __init__(self, dates: list[DateMention]) -> None:
        self.dates = dates
        self.starts = [m.char_start for m in dates]
        self.sorted = all(a <= b for a, b in zip(self.starts, self.starts[1:])) and all(
            m.char_start <= m.char_end for m in dates
        )

    def within(self, lo: int, hi: int) -> list[DateMention]:
        ds = self.dates
        if self.sorted:  # a mention starting after hi ends after hi
            ds = ds[bisect.bisect_left(self.starts, lo) : bisect.bisect_right(self.starts, hi)]
        return [m for m in ds if lo <= m.char_start and m.char_end <= hi]


@lru_cache(maxsize=4)
def _heading_index(text: str) -> tuple[list[int], list[tuple[int, int, int, str]]]:
    """Every heading line of ``text`` that ends with a line break, found once per text (one scan for the
    lines that may be headings, see _HEADING_START): (start, end, line end, line) in text order, a part heading alone on its line
    ("PHẦN I") with the title of the line after it (end and line then run over both). Before it, each
    target walked the lines above it one by one (~3 ms per plan)."""
    P = _pats()
    items: list[tuple[int, int, int, str]] = []
    for s in (0, *(m.start() + 1 for m in _HEADING_START.finditer(text))):
        e = text.find("\n", s)
        if e == -1:
            break  # the last line: above no position
        line = text[s:e]
        if len(line) > 200 or not line.strip() or not P.heading.match(line):
            continue
        end = e
        if not _PART_HEADING.sub("", line).strip():  # "PHẦN I" alone: its title is the next line
            nxt = text.find("\n", e + 1)
            end = len(text) if nxt == -1 or nxt > e + 200 else nxt
            line = text[s:end].replace("\n", " ")
        items.append((s, end, e, line))
    return [x[0] for x in items], items


# Where a heading line may start (after a line break): a superset of ``_pats().heading``'s starts, each checked
# again with it on its line alone. A literal-led ``re`` scan: ~15x faster than the heading pattern with re.M.
_HEADING_START = re.compile(r"\n[ \t]{0,8}(?:(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,3}|[a-zđA-ZĐ])[.)\-]|PHẦN|Phần)")


def _heading_indices_above(text: str, pos: int, back: int) -> Iterator[int]:
    """Indices in ``_heading_index(text)`` of the heading lines above the line of ``pos``, nearest first,
    ending within ``back`` chars."""
    starts, items = _heading_index(text)
    cursor = text.rfind("\n", 0, pos) + 1  # the start of pos's line: the headings start before it
    lo = max(0, pos - back)
    for i in range(bisect.bisect_left(starts, cursor) - 1, -1, -1):
        if items[i][2] + 1 <= lo:
            break
        yield i


def _headings_above(text: str, pos: int, back: int) -> Iterator[tuple[int, int, str]]:
    """Heading lines above the line of ``pos``, nearest first, ending within ``back`` chars: (start, end, line);
    a part heading alone on its line ("PHẦN I") comes with the title on the line after it."""
    items = _heading_index(text)[1]
    for i in _heading_indices_above(text, pos, back):
        s, end, _line_end, line = items[i]
        yield s, end, line


@lru_cache(maxsize=4)
def _heading_facts(text: str) -> list[tuple[int, bool]]:
    """(level, opens a review section) of each heading of ``_heading_index(text)``, computed once."""
    review = _pats().review_heading
    return [(_heading_level(line), review.match(line) is not None) for _s, _e, _le, line in _heading_index(text)[1]]


def _heading_facts_above(text: str, pos: int, back: int) -> Iterator[tuple[int, bool]]:
    """``_heading_facts`` of the headings ``_headings_above(text, pos, back)`` yields, in the same order."""
    facts = _heading_facts(text)
    for i in _heading_indices_above(text, pos, back):
        yield facts[i]


def _heading_period(text: str, pos: int, dates: _Dates) -> Optional[str]:
    """Period or year named in the nearest preceding headings (up to 3, within 8000 chars)."""
    for seen, (start, end, _line) in enumerate(_headings_above(text, pos, 8000)):
        if seen >= 3:
            break
        found = _year_period(dates.within(start, end), end, text)
        if found:
            return found
    return None


_REVIEW_BACK = 40000  # how far back the headings of a review section are looked for


def _heading_level(line: str) -> int:
    """0 a part ("PHẦN I", "A."), 1 "I.", 2 "1." / "1-", 3 "1.1.", 4 "a)" and the rest."""
    if _TOP_HEADING.match(line):
        return 1
    if _PART_HEADING.match(line):
        return 0
    if _ARABIC_HEADING.match(line):
        return 2
    return 3 if _SUB_HEADING.match(line) else 4


def _in_review_section(text: str, pos: int, parts: bool = True) -> bool:
    """Whether ``pos`` lies in a review section: one of the headings that contain it (the nearest above, then
    each one above of a higher level), up to a part ("PHẦN I", "A.") or else the nearest top-level one ("I.",
    "II."), opens with words of results or an assessment ("I. KẾT QUẢ THỰC HIỆN NĂM 2024", "1. Đánh giá chung",
    "a) Tình hình thực hiện"; a part's title may be on the line after it: "PHẦN I\nKẾT QUẢ NĂM 2025", see
    _headings_above)."""
    level = 99
    top_seen = False
    for lv, review in _heading_facts_above(text, pos, _REVIEW_BACK):
        if lv >= level or (top_seen and lv > 0):
            continue
        level = lv
        if review:
            return True
        if lv == 0:
            return False
        if lv == 1:
            if not parts:  # ``parts`` False: the text has no part headings, none can be above
                return False
            top_seen = True  # only a part above may still say it is a review
    return False


_ARABIC_HEADING = regex.compile(r"^[ \t]{0,8}\d{1,2}[.)\-][ \t]")
_SUB_HEADING = regex.compile(r"^[ \t]{0,8}\d{1,2}\.\d{1,2}")


_UNSET = object()
_TITLE_LINE = 60  # a title line (centred) is short; the body's lines run the page's width
_TITLE_BACK = 6000  # how far into the text the title is looked for
# the line of the document type, in capitals: "KẾ HOẠCH", "CHƯƠNG TRÌNH HÀNH ĐỘNG", "ĐỀ ÁN"
_TYPE_LINE = regex.compile(r"^[ \t]{0,40}(?:KẾ\s{1,3}HOẠCH|CHƯƠNG\s{1,3}TRÌNH|ĐỀ\s{1,3}ÁN)(?![\p{L}])[^\n]{0,300}$", regex.V1 | regex.M)


def _title_lines(text: str) -> Optional[tuple[int, int]]:
    """Span of a plan's title: its type line in capitals ("KẾ HOẠCH", "CHƯƠNG TRÌNH HÀNH ĐỘNG", or the title on
    the same line: "CHƯƠNG TRÌNH Hoạt động đối ngoại tỉnh Nghệ An năm 2025") and the
    title line after it (blank lines between), then the lines that go on with it (a wrapped line starts
    in lower case or with a digit: "... năm\n2026"; a title in capitals goes on in capitals; a short line
    after one without a final stop goes on unless it opens the body: "Căn cứ", "Để", kind ``body_opener``);
    None when there is no type line."""
    m = _span_search(_TYPE_LINE, text, 0, min(len(text), _TITLE_BACK))
    if m is None:
        return None
    end = m.end()
    prev = m.group()
    # "CHƯƠNG TRÌNH Hoạt động ...": the title began on the type line, the next line must go on with it
    pos, taken = end + 1, int(prev.upper() != prev)
    while pos < len(text) and taken < 4:
        nl = text.find("\n", pos)
        nl = len(text) if nl == -1 else nl
        line = text[pos:nl].strip()
        if not line:
            if taken:
                break
            pos = nl + 1
            continue
        first = line[0]
        goes_on = (first.islower() or first.isdigit() or (prev.upper() == prev and line.upper() == line)
                   # "... tỉnh Quảng\nNinh năm 2026": a short line after a title line without a final stop
                   or (len(line) <= _TITLE_LINE and prev[-1:] not in ".;:" and not _pats().body_opener.match(line)))
        if len(line) > 300 or (taken and not goes_on) or _pats().heading.match(line) or line.startswith("("):
            break
        end, prev, taken, pos = nl, line, taken + 1, nl + 1
    return m.start(), end


def _title_period(text: str, index: "_Dates") -> Optional[str]:
    """Period or year of a plan's title ("Kế hoạch công tác đối ngoại năm 2026" → "2026", "giai đoạn 2025 -
    2030, tầm nhìn đến năm 2045" → "2025-2030"): the period of its targets that name none."""
    span = _title_lines(text)
    if span is None:
        return None
    return _year_period(index.within(*span), span[1], text)


_TOP_HEADING = regex.compile(r"^[ \t]{0,8}[IVX]{1,5}[.)\-][ \t]")  # "I.", "II)", Party style "I-"


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
def extract_targets(
    text: str, doc_year: int | None = None, *, dates: Optional[list[DateMention]] = None
) -> list[Target]:
    """Quantitative targets in ``text`` (normalized), in order of appearance.

    ``dates`` may pass the result of ``extract_dates(text, doc_year)`` when the caller
    already has it (saves a second pass); it must index the same ``text``.
    """
    if not text:
        return []
    P = _pats()
    surf, _ = _units()
    if dates is None:
        dates = extract_dates(text, doc_year)
    date_spans = [(m.char_start, m.char_end) for m in dates]
    hits: list[_Hit] = []
    di = 0
    try:
        numbers = [(m.start("num"), m.end("num"), None) for m in P.number.finditer(text, timeout=_TIMEOUT)]
        numbers += [(m.start(), m.end(), _word_value(m.group())) for m in _word_numbers(text)]
    except TimeoutError:  # pragma: no cover
        numbers = []
    numbers.sort()
    consumed: set[int] = set()  # upper bounds of ranges, already taken with their lower bound
    for s, e, word_value in numbers:
        if s in consumed:
            continue
        while di < len(date_spans) and date_spans[di][1] <= s:
            di += 1
        if di < len(date_spans) and date_spans[di][0] <= s < date_spans[di][1]:
            continue
        ue = _after_number(text, s, e) if word_value is None else e
        hi_span: Optional[tuple[int, int]] = None
        rt = (P.range_tail if word_value is None else P.word_range_tail).match(text, ue, min(len(text), ue + 40))
        if rt is not None:  # "từ 3 đến 5 đoàn ra", "03-05 hội nghị": the unit follows the upper bound
            hs, he = rt.span("hi")
            hue = _after_number(text, hs, he) if word_value is None else he
            if P.unit.match(text, hue, min(len(text), hue + 80)) or P.scaled_unit.match(text, hue, min(len(text), hue + 90)):
                hi_span, ue = (hs, he), hue
                consumed.add(hs)
        um = P.unit.match(text, ue, min(len(text), ue + 80))
        magnitude = None
        if um is None:
            # "69 nghìn lượt khách", "2,5 triệu lượt khách": the magnitude goes into the unit, as in "triệu USD"
            um = P.scaled_unit.match(text, ue, min(len(text), ue + 90))
            if um is None:
                continue
            magnitude = _magnitudes()[_unit_key(um["mag"])]
        unit_key = _unit_key(um["unit"])
        unit, category = surf.get(unit_key, (um["unit"], "khác"))
        if word_value is not None and (magnitude is not None or category not in _WORD_CATEGORIES
                                       or unit_key in _geo_units()):
            continue  # "hai nước", "ba tỉnh": a number in words counts only delegations, agreements, conferences
        if magnitude is not None:
            unit = f"{magnitude} {unit}"
        unit_end = um.end()
        if _ends_with(P.reject_last, text, s - 24, s) and _span_search(P.reject_before, text, s - 24, s) is not None:
            continue
        if unit in ("nước", "quốc gia", "tỉnh", "thành phố") and P.geo_name.match(text, unit_end):
            continue  # "03 nước Việt Nam - Lào - Thái Lan": a count inside a name
        before = text[max(0, s - 40) : s]
        cm = P.comparator.search(before) if _ends_with(P.cmp_last, text, s - 40, s, "(") else None
        comparator = "="
        if cm is not None:
            comparator = ">=" if cm["ge"] else "<=" if cm["le"] else "="
        am = P.after_cmp.match(text, unit_end)
        if am is not None:
            comparator = ">=" if am["ge"] else "<="
        frequency = category == "tần suất" and "/" in unit
        c_start, c_end = _bounds(P.clause_break, text, s, 300)
        c_start = _after_heading_title(text, c_start, s)
        if _in_breakdown(text, c_start, s):
            continue  # "60 đoàn ra (trong đó: 20 đoàn cấp tỉnh, ...)": parts of the target before it
        cue = _last_cue(text, c_start, s)
        lead: Optional[tuple[int, int]] = None
        if cue is None and P.marker.match(text[c_start : c_start + 16]):  # "Chỉ tiêu:\n- 15 đoàn ra;\n- 20 đoàn vào": the list's lead
            lead = _lead_line(text, c_start)
            if lead is not None:
                cue = _last_cue(text, *lead)
        elif cue is None:  # "2. Chỉ tiêu cụ thể\nSố đoàn ra: 60 đoàn; số đoàn vào: 46 đoàn": the paragraph's lead
            lead = _paragraph_lead(text, text.rfind("\n", 0, c_start) + 1)
            if lead is not None:
                cue = _last_cue(text, *lead)
        if unit in _GENERIC_UNITS:  # "Số đoàn ra: 60 đoàn": the label before the colon names the object
            unit = _unit_of_label(text, c_start, s, unit)
        share = _share_verb(text, c_start, s, unit_end, c_end) if cue is None and unit == "%" else None
        if not (frequency or (cm is not None and (cm["ge"] or cm["le"])) or am is not None or cue is not None
                or share is not None):
            continue
        if unit == "đoàn" and cue is not None:  # "cử 01 đoàn": sent out; "đón 03 đoàn": received
            if P.sends.match(text, cue):
                unit = "đoàn ra"
            elif P.receives.match(text, cue):
                unit = "đoàn vào"
        if unit == "đoàn":  # "02 đoàn xúc tiến đầu tư ra nước ngoài", "05 đoàn ... vào thăm tỉnh"
            unit = _direction_after(text, unit_end, min(c_end, unit_end + 60)) or unit
        if unit == "%":
            ch = P.change.search(before)
            if ch is not None:
                unit = "% tăng" if ch["inc"] else "% giảm"
        # "đã tổ chức 45 đoàn ra": a result reported, not a target
        past = False
        if cue is not None:
            # "đã tiếp nhận 38 dự án với tổng vốn 1,8 tỷ USD": a noun cue ("vốn") reads as the verb before it
            lo = lead[0] if lead else c_start
            verb = _last_cue(text, lo, cue, verbs_only=True) if P.nominal.match(text, cue) else cue
            past = verb is not None and _span_search(P.past_cue, text, max(lo, verb - 24), verb) is not None
        elif share is not None:  # "100% cán bộ đã được tập huấn": a result
            past = _span_search(P.past_cue, text, max(c_start, share - 24), share) is not None
        value = _parse_number if word_value is None else _word_value
        bounds = [(s, e, ">="), (hi_span[0], hi_span[1], "<=")] if hi_span else [(s, e, comparator)]
        for ns, ne, cmp_ in bounds:
            hit = _Hit(ns, ne, unit_end, value(text[ns:ne]), unit, cmp_, c_start=c_start, c_end=c_end, review=past, lead=lead)
            # period ------------------------------------------------------------
            if unit.endswith("/năm") or _span_search(P.per_year, text, c_start, c_end):
                hit.period = "per year"
            elif unit.endswith("/quý"):
                hit.period = "per quarter"
            elif unit.endswith("/tháng"):
                hit.period = "per month"
            hits.append(hit)

    _attach_context(text, hits, dates, doc_year)
    out: list[Target] = []
    for h in hits:
        if h.review:
            continue
        out.append(
            Target(
                text=text[h.t_start : h.t_end],
                value=h.value,
                comparator=h.comparator,
                unit=h.unit,
                char_start=h.t_start,
                char_end=h.t_end,
                period=h.period,
                appendix=h.appendix,
            )
        )
    return out


def _attach_context(text: str, hits: list[_Hit], dates: list[DateMention], doc_year: Optional[int]) -> None:
    """Fill period (sentence/heading/doc_year), appendix and clause text for every hit."""
    P = _pats()
    index = _Dates(dates)
    title: object = _UNSET  # _title_period, computed when a hit first needs it
    heading: dict[int, Optional[str]] = {}  # sentence start -> _heading_period
    by_sentence: dict[tuple[int, int], list[_Hit]] = {}
    for h in hits:
        by_sentence.setdefault(_bounds(P.sentence_break, text, h.num_start, 1500), []).append(h)
    review_section: dict[int, bool] = {}  # start of the number's line -> _in_review_section
    parts: Optional[bool] = None  # whether the text has part headings ("PHẦN I", "A."), looked up once
    for (ss, se), group in by_sentence.items():
        sent_dates = index.within(ss, se)
        plan_year = _PLAN_YEAR.search(text[ss:se]) is not None
        # "Năm 2024, ...": a sentence that opens with a past year reports results
        past_year = bool(doc_year) and any(
            m.char_start < ss + 25 and m.kind in ("other", "event") and _YEAR4.fullmatch(m.value) and int(m.value) < doc_year
            for m in _not_baseline(sent_dates, text))  # "Tăng 15% so với năm 2025" reports nothing
        # "Giai đoạn 2021-2025, tỉnh thu hút ...", "Năm qua, ...", "Lũy kế đến nay, ...": a sentence that opens on a past time
        past_year = past_year or (bool(doc_year) and any(
            m.char_start < ss + 25 and m.kind == "period" and _RANGE4.fullmatch(m.value) and int(m.value[5:]) < doc_year
            for m in sent_dates)) or P.past_opener.match(text, ss, min(se, ss + 80)) is not None
        of_plan = _span_search(P.of_plan, text, ss, se) is not None  # "bằng 117% kế hoạch"
        for h in group:
            from_heading = False
            lead_dates = index.within(*h.lead) if h.lead is not None else []
            if h.period is None:
                h.period = _year_period(sent_dates, h.num_start, text) or _year_period(lead_dates, h.num_start, text)
            if h.period is None and doc_year and (plan_year or (h.lead is not None and _PLAN_YEAR.search(text, *h.lead))):
                h.period = str(doc_year)
            if h.period is None:
                if ss not in heading:  # the same for every hit of the sentence
                    heading[ss] = _heading_period(text, ss, index)
                h.period = heading[ss]
                from_heading = h.period is not None
            if h.period is None:  # the plan's own period or year, from its title ("... năm 2026")
                if title is _UNSET:
                    title = _title_period(text, index)
                h.period = title
            if _span_search(P.forward, text, h.lead[0] if h.lead else h.c_start, h.lead[1] if h.lead else h.num_start) is not None:
                h.review = False  # a clause that looks ahead is a target
                continue
            line = text.rfind("\n", 0, h.num_start) + 1  # the sentence may open on the heading line itself
            if line not in review_section:
                if parts is None:
                    parts = _PART_LINE.search(text) is not None
                review_section[line] = _in_review_section(text, line, parts)
            past_heading = (from_heading and doc_year is not None and h.period is not None
                            and _YEAR4.fullmatch(h.period) is not None and int(h.period) < doc_year)
            lead_past = bool(doc_year) and h.lead is not None and any(
                m.char_start < h.lead[0] + 25 and m.kind in ("other", "event") and _YEAR4.fullmatch(m.value)
                and int(m.value) < doc_year for m in lead_dates)
            if of_plan or past_year or lead_past or past_heading or review_section[line]:
                h.review = True
        # appendix ----------------------------------------------------------
        try:
            refs = list(P.appendix.finditer(text, ss, se, timeout=_TIMEOUT))
        except TimeoutError:  # pragma: no cover
            refs = []
        prev = ss
        for ref in refs:
            members = [h for h in group if prev <= h.num_start < ref.start()]
            labels = _expand_labels(ref["labels"])
            if members and labels:
                if len(labels) == len(members):
                    for h, lab in zip(members, labels):
                        h.appendix = f"Phụ lục {lab}"
                else:
                    for h in members:
                        h.appendix = f"Phụ lục {', '.join(labels)}"
            prev = ref.end()
        # clause text -------------------------------------------------------
        for h in group:
            _clause(text, h, group, refs)


_HEADING_TITLE = 60  # a numbered line this short, then a line opening in capitals, is a heading and its text


def _after_heading_title(text: str, start: int, num_start: int) -> int:
    """Where a clause starting at ``start`` really starts: after the title of a heading it runs over ("2. Hợp
    tác với Lào\nTổ chức từ 3 đến 5 hội nghị", "KINH PHÍ\nTổng kinh phí ..."): a numbered line of at most
    ``_HEADING_TITLE`` characters, or one in capitals, with no final stop, followed by a line opening in
    capitals. The heading's words are then neither the target's text nor its cue."""
    P = _pats()
    nl = text.find("\n", start, num_start)
    if nl == -1:
        return start
    line_start = text.rfind("\n", 0, start) + 1  # the clause may start after the label's "." ("2. Hợp tác")
    head = text[line_start : line_start + 40]
    heading_line = P.heading.match(head) is not None or _PART_HEADING.match(head) is not None
    title = text[start:nl].strip()
    rest = text[nl + 1 : num_start].lstrip()
    if (title and rest[:1].isupper() and title[-1] not in ".;:," and any(ch.isalpha() for ch in title)
            and ((heading_line and len(title) <= _HEADING_TITLE) or title.upper() == title)):
        return nl + 1
    return start


def _clause(text: str, h: _Hit, group: list[_Hit], refs: list[regex.Match]) -> None:
    P = _pats()
    c_start, c_end = h.c_start, h.c_end
    # a number inside parentheses: the clause ends at the closing parenthesis
    open_p = text.rfind("(", c_start, h.num_start)
    if open_p != -1 and text.find(")", open_p, h.num_start) == -1:
        close_p = text.find(")", h.unit_end, c_end)
        if close_p != -1:
            c_end = close_p + 1
    # drop an appendix parenthetical and what follows it
    for ref in refs:
        if h.unit_end <= ref.start() < c_end:
            par = text.rfind("(", h.unit_end, ref.start())
            c_end = par if par != -1 else ref.start()
            break
    colon = text.rfind(":", c_start, h.num_start)
    if colon != -1:
        seg_start = colon + 1
        mates = [g for g in group if seg_start <= g.num_start < c_end]
        lead_is_bare = not text[seg_start : h.num_start].strip()
        if len(mates) >= 2:
            nxt = [g.num_start for g in mates if g.num_start > h.num_start]
            c_start, c_end = h.num_start, (nxt[0] if nxt else c_end)
        elif not (lead_is_bare and len(mates) == 1):
            c_start = seg_start
    seg = text[c_start:c_end]
    mk = P.marker.match(seg)
    if mk is not None and c_start + mk.end() <= h.num_start:
        c_start += mk.end()
    c_start = _after_heading_title(text, c_start, h.num_start)
    while c_start < c_end and text[c_start] in " \t\n":
        c_start += 1
    while True:  # trailing blanks and punctuation, and a dangling "và" before the next target
        while c_end > c_start and text[c_end - 1] in " \t\n,;.:":
            c_end -= 1
        if c_end - 3 <= c_start or text[c_end - 3 : c_end] != " và":
            break
        c_end -= 3
    h.t_start, h.t_end = c_start, c_end


__all__ = ["extract_targets", "target_category"]
