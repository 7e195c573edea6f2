"""Date, period and deadline mentions in Vietnamese official text.

Public API: :func:`extract_dates`.

Every mention carries an ISO-style ``value``; partial dates stay partial and the
year is never guessed from the document:

========================================  ====================================  ==============
text                                      value                                 kind
========================================  ====================================  ==============
``ngày 24/01/2025`` after a symbol        ``2025-01-24``                        instrument_date
``Quảng Nam, ngày 15 tháng 4 năm 2025``   ``2025-04-15``                        issue_date
``ngày   tháng   năm 2025`` (draft)       ``2025``                              issue_date/other
``trước ngày 15/5``                       ``--05-15``                           deadline
``hoàn thành trong Quý II/2025``          ``2025-Q2`` (quarter, not a day)      deadline
``tháng 5/2025`` / ``tháng 5``            ``2025-05`` / ``--05``                other
``6 tháng đầu năm (2025)``                ``2025-H1`` / ``--H1``                period
``giai đoạn 2021 - 2025``                 ``2021/2025`` (ISO interval)          period
``từ ngày 14 đến 20/9/2025``              ``2025-09-14/2025-09-20``             period
``từ tháng 11/2025 đến tháng 02/2026``    ``2025-11/2026-02``                   period
``đến năm 2030`` / ``tầm nhìn đến 2045``  ``2030`` / ``2045``                   horizon
``trước ngày 10/6 và 10/12`` (a list)     ``--06-10``, ``--12-10``              deadline (each)
``định kỳ 6 tháng`` / ``định kỳ hằng quý``  ``R/P6M`` / ``R/P3M`` (repeating)       other
``(18/01/1950-18/01/2025)``               ``1950-01-18/2025-01-18``             anniversary
``kỷ niệm 135 năm`` (a count of years)    ``P135Y`` (ISO duration)              anniversary
``Xuân Ất Tỵ 2025``, ``Tết Nguyên đán     ``2025`` (Can–Chi resolved to the     event
Ất Tỵ``, ``Trại hè Việt Nam 2025``        year nearest ``doc_year``)
``năm 2025``, ``24/01/2025`` (plain)      ``2025``, ``2025-01-24``              other
========================================  ====================================  ==============

Numbers that belong to instrument symbols (``20/2023/QĐ-UBND``), phone numbers
and durations (``06 tháng``) never produce a date; invalid days/months are
rejected.  All patterns use bounded repetition only (linear time).
"""
from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import regex

from extractors.records import DateMention
from pipeline.normalize import strip_diacritics

_DATA = Path(__file__).with_name("data")
_TIMEOUT = 5.0
_F = regex.IGNORECASE | regex.V1

_YEAR = r"(?:18[5-9]\d|19\d{2}|20\d{2})"  # from 1850: anniversaries reach back ("19/5/1890 - 19/5/2025")
_CENTURIES = ("18", "19", "20")  # the first two digits of a _YEAR, for the fast-path anchors
_D = regex.V1  # case-sensitive, for digit-led anchors
_WS = r"\s{1,12}"  # blanks between words, line breaks included


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    with open(_DATA / "dates_cues.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["kind"], []).append(row["phrase"].strip())
    return {k: tuple(sorted(set(v), key=len, reverse=True)) for k, v in out.items()}


@lru_cache(maxsize=1)
def _can_chi() -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, int], dict[str, int]]:
    """(stem variants, branch variants, exact stem names, exact branch names)."""
    sv: dict[str, list[int]] = {}
    bv: dict[str, list[int]] = {}
    se: dict[str, int] = {}
    be: dict[str, int] = {}
    with open(_DATA / "dates_can_chi.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            idx = int(row["index"])
            var, exact = (sv, se) if row["kind"] == "stem" else (bv, be)
            exact[row["name"].casefold()] = idx
            for v in row["variants"].split("|"):
                var.setdefault(v, []).append(idx)
    be.setdefault("tị", 5)
    be.setdefault("mẹo", 3)
    se.setdefault("kỉ", 5)
    return sv, bv, se, be


def _alt(phrases: tuple[str, ...]) -> str:
    return "|".join(r"\s{1,3}".join(regex.escape(w) for w in p.split()) for p in phrases)


# --------------------------------------------------------------------------
# patterns
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Pats:
    full_num: regex.Pattern
    spelled: regex.Pattern
    blank_slash: regex.Pattern
    dm_ngay: regex.Pattern
    dm_bare: regex.Pattern
    d_range: regex.Pattern
    month_year: regex.Pattern
    month: regex.Pattern
    quarter: regex.Pattern
    half: regex.Pattern
    year: regex.Pattern
    year_range: regex.Pattern
    horizon_year: regex.Pattern  # a year without "năm" right after a horizon phrase: "tầm nhìn đến 2045"
    month_span: regex.Pattern  # "tháng 9 - 10/2026", "tháng 9-10 năm 2026": two months of one year
    recurrence: regex.Pattern  # "định kỳ 6 tháng", "định kỳ hằng quý": a repeating interval (R/P6M, R/P3M)
    date_list_join: regex.Pattern  # ", " / " và " / " hoặc " between two dates of a list
    date_list_join_back: regex.Pattern  # the same, ending where the search window ends
    year_range_pre: regex.Pattern
    anniv_count: regex.Pattern
    anniv_pre: regex.Pattern
    anniv_next: regex.Pattern
    can_chi: regex.Pattern
    event: regex.Pattern
    deadline_cue: regex.Pattern
    horizon_cue: regex.Pattern
    instrument_cue: regex.Pattern
    place_cue: regex.Pattern
    anniv_ctx: regex.Pattern
    range_join: regex.Pattern
    # Anchors (see _scan): every match of the pattern starts where one of these matches
    full_num_at: tuple[regex.Pattern, ...]
    full_year_at: tuple[regex.Pattern, ...]
    event_year_at: tuple[regex.Pattern, ...]
    event_gap: regex.Pattern
    year_range_at: tuple[regex.Pattern, ...]
    half_at: tuple[regex.Pattern, ...]
    can_chi_at: tuple[regex.Pattern, ...]
    d_range_at: tuple[regex.Pattern, ...]  # where d_range can start ("từ", "ngày" before a digit)
    horizon_year_at: tuple[regex.Pattern, ...]  # where horizon_year can start ("định hướng", "tầm nhìn")


@lru_cache(maxsize=1)
def _pats() -> _Pats:
    c = _cues()
    ngay = r"(?:(?<!\p{L})ngày" + _WS + r")?"
    after_date = r"(?!\d|\s?/\s?[\w]|-\p{L}|\.\d)"
    period_words = _alt(c["period"])
    full_core = r"(?<![\d/.,])(?P<d>\d{1,2})\s?(?P<s>[/.\-])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<y>" + _YEAR + ")" + after_date
    return _Pats(
        full_num=regex.compile(ngay + full_core, _F),
        # full_num starts at "ngày" + blanks + a digit, or where full_core matches (see _full_num_starts)
        full_num_at=(regex.compile(r"(?<!\p{L})ngày(?=" + _WS + r"\d)", _F),),
        event_year_at=tuple(regex.compile(r"(?<=\s)" + c2 + r"\d{2}", regex.V1) for c2 in _CENTURIES),
        event_gap=regex.compile(r"(?r)[^\p{L}'\-\s]", regex.V1),
        # Digit-led anchors are compiled case-sensitively (_D): a literal scan is then several times
        # faster, digits and these punctuation marks have no other case, and where a case-blind
        # class or word is involved the anchor is made looser (\p{L} for a word), never stricter.
        full_year_at=tuple(regex.compile(r"(?<=[/.\-]\s?)" + c2 + r"\d{2}", _D) for c2 in _CENTURIES),
        # The lookaheads restate what the pattern needs right after its first literal, so fewer
        # anchor positions reach p.match (each still a superset of the match starts).
        year_range_at=tuple(
            regex.compile(r"(?<![\d/.\-\p{L}])" + c2 + r"(?=\d{2}\s{0,3}[\-\p{L}])", _D) for c2 in _CENTURIES
        ),
        half_at=tuple(regex.compile(r"(?<![\p{L}\d])" + h + r"(?=\s{1,5}\p{L})", _D) for h in ("06", "6"))
        + (regex.compile(r"(?<![\p{L}\d])sáu(?=\s{1,5}tháng)", _F),)
        + (regex.compile(r"(?<![\p{L}\d])nửa(?=\s{1,5}(?:đầu|cuối))", _F),),
        can_chi_at=tuple(regex.compile(r"(?<!\p{L})" + h + r"(?=\s{1,3}\p{L})", _F) for h in ("xuân", "tết", "năm")),
        d_range_at=(
            regex.compile(r"(?<!\p{L})từ(?=\s{1,3}(?:ngày" + _WS + r")?\d{1,2}\s{0,3}(?:-|đến|tới))", _F),
            regex.compile(r"(?<!\p{L})ngày(?=" + _WS + r"\d{1,2}\s{0,3}(?:-|đến|tới))", _F),
        ),
        horizon_year_at=tuple(
            regex.compile(r"(?<!\p{L})" + w + r"(?=\s{1,3}" + w2 + r"\s{1,3}(?:đến|tới)\s{1,5}\d)", _F)
            for w, w2 in (("định", "hướng"), ("tầm", "nhìn"))
        ),
        # "ngày 24 tháng 01 năm 2025", "ngày 15 tháng 4", blanks "ngày   tháng   năm 2025"
        spelled=regex.compile(
            r"(?<!\p{L})ngày(?:[\s._]{1,40}(?P<d>\d{1,2}))?[\s._]{1,40}tháng(?:[\s._]{1,40}(?P<m>\d{1,2}))?"
            r"(?:,?[\s._]{1,40}năm" + _WS + r"(?P<y>" + _YEAR + r"))?(?!\d)",
            _F,
        ),
        blank_slash=regex.compile(
            r"(?<!\p{L})ngày\s{0,8}[._]{0,12}\s{0,8}/\s{0,8}[._]{0,12}\s{0,8}/\s{0,3}(?P<y>" + _YEAR + r")(?!\d)", _F
        ),
        dm_ngay=regex.compile(
            r"(?<!\p{L})ngày" + _WS + r"(?P<d>\d{1,2})\s?(?P<s>[/.\-])\s?(?P<m>\d{1,2})(?!\d|\s?[/.\-]\s?\d|\s?/\s?\p{L})", _F
        ),
        dm_bare=regex.compile(r"(?<![\w/.,\-])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\w/]|[.,]\d)", _F),
        d_range=regex.compile(
            r"(?<!\p{L})(?:(?:từ\s{1,3})?ngày" + _WS + r"|từ\s{1,3})(?P<d1>\d{1,2})\s{0,3}(?:-|đến|tới)\s{0,3}(?:ngày\s{1,5})?"
            r"(?P<d2>\d{1,2})\s?(?P<s>[/.\-])\s?(?P<m>\d{1,2})(?:\s?(?P=s)\s?(?P<y>" + _YEAR + r"))?" + after_date,
            _F,
        ),
        month_year=regex.compile(
            r"(?<!\p{L})(?<!\d\s{0,3})tháng" + _WS + r"(?P<m>\d{1,2})(?:\s?[/.\-]\s?|,?" + _WS + r"năm" + _WS + r")(?P<y>"
            + _YEAR + ")" + after_date,
            _F,
        ),
        month=regex.compile(r"(?<!\p{L})(?<!\d\s{0,3})tháng" + _WS + r"(?P<m>\d{1,2})(?![\d/.,]\d|\d|\s{1,3}năm)", _F),
        quarter=regex.compile(
            r"(?<!\p{L})quý\s{1,5}(?P<q>IV|I{1,3}|[1-4])(?![\p{L}\d])(?:(?:\s?[/.\-]\s?|,?" + _WS + r"năm" + _WS + r")(?P<y>"
            + _YEAR + r")(?!\d))?",
            _F,
        ),
        half=regex.compile(
            r"(?<![\p{L}\d])(?:(?:0?6|sáu)\s{1,5}tháng|nửa)\s{1,5}(?P<h>đầu|cuối)\s{1,5}năm(?:" + _WS + r"(?P<y>" + _YEAR + r")(?!\d))?(?!\p{L})",
            _F,
        ),
        year=regex.compile(
            r"(?<!\p{L})năm" + _WS + r"(?P<y>" + _YEAR + r")(?!\d|\s?/\s?\w|-\p{L}|\s{0,3}-\s{0,3}\d)", _F
        ),
        horizon_year=regex.compile(
            r"(?<!\p{L})(?:" + _alt(c["horizon_bare"]) + r")\s{1,5}(?P<y>" + _YEAR + r")(?!\d|\s?/\s?\w|-\p{L}|\s{0,3}-\s{0,3}\d)", _F
        ),
        recurrence=regex.compile(
            r"(?<!\p{L})định\s{1,3}kỳ\s{0,3}\(?\s{0,2}(?:(?:hằng|hàng|mỗi)\s{1,3})?(?:(?P<n>\d{1,2}|sáu|ba|hai)\s{1,3}tháng"
            r"|(?P<unit>tuần|tháng|quý|năm))(?!\p{L})(?!\s{1,3}(?:đầu|cuối|\d))",
            _F,
        ),
        month_span=regex.compile(
            r"(?<!\p{L})(?<!\d\s{0,3})tháng" + _WS + r"(?P<m1>\d{1,2})\s{0,3}(?:-|–|đến|tới)\s{0,3}(?:tháng\s{1,3})?(?P<m2>\d{1,2})"
            r"(?:\s?[/.\-]\s?|,?" + _WS + r"năm" + _WS + r")(?P<y>" + _YEAR + ")" + after_date,
            _F,
        ),
        date_list_join=regex.compile(r"\s{0,3}(?:,|và|hoặc)\s{1,3}", _F),
        date_list_join_back=regex.compile(r"(?<![\s,])\s{0,3}(?:,|(?<!\p{L})và|(?<!\p{L})hoặc)\s{1,3}$", _F),
        year_range=regex.compile(
            r"(?<![\d/.\-\p{L}])(?P<y1>" + _YEAR + r")\s{0,3}(?:-|đến|tới)\s{0,3}(?:năm\s{1,5})?(?P<y2>" + _YEAR
            + r")(?!\d|\s?/\s?\w|-\p{L})",
            _F,
        ),
        year_range_pre=regex.compile(
            r"(?:(?<!\p{L})(?:" + period_words + r")" + _WS + r"(?:từ\s{1,5})?(?:năm\s{1,5})?|(?<!\p{L})từ\s{1,5}năm\s{1,5}"
            r"|(?<!\p{L})năm\s{1,5})$",
            _F,
        ),
        anniv_count=regex.compile(r"(?<![\p{L}\d/.,])(?P<n>\d{1,4})\s{1,5}năm(?!\p{L})", _F),
        anniv_pre=regex.compile(
            r"(?<!\p{L})(?:" + _alt(c["anniversary"]) + r")\s{1,5}(?:lần\s{1,3}thứ\s{1,3})?$", _F
        ),
        anniv_next=regex.compile(r"\s{1,5}(?:" + _alt(c["anniversary_next"]) + r")(?!\p{L})", _F),
        can_chi=regex.compile(
            r"(?<!\p{L})(?P<head>xuân|tết(?:\s{1,3}nguyên\s{1,3}đán|\s{1,3}cổ\s{1,3}truyền)?|năm)\s{1,3}(?P<stem>\p{L}{2,5})\s{1,3}"
            r"(?P<branch>\p{L}{2,4})(?!\p{L})(?:\s{1,3}(?P<y>" + _YEAR + r")(?!\d))?",
            _F,
        ),
        event=regex.compile(
            r"(?<!\p{L})(?P<head>" + _alt(c["event_head"]) + r")(?P<mid>(?:\s{1,3}(?:\p{L}[\p{L}']{0,15}|-)){0,10}?)"
            r"\s{1,3}(?:năm\s{1,3})?(?P<y>" + _YEAR + r")(?!\d|\s?/\s?\w|-\p{L}|\s{0,3}-\s{0,3}\d)",
            regex.V1,
        ),
        # (?r): searched right to left (the windowed search ends where the match must end), with the
        # same result: every match's phrase ends at the last letter before the window's trailing
        # [\s,:] run, so matching phrases are word-suffixes of one another; the leftmost start is the
        # one with most words, i.e. the longest, which the longest-first alternation tries first.
        deadline_cue=regex.compile(r"(?r)(?<!\p{L})(?:" + _alt(c["deadline"]) + r")[\s,:]{1,5}$", _F),
        horizon_cue=regex.compile(r"(?<!\p{L})(?:" + _alt(c["horizon"]) + r")\s{1,5}$", _F),
        # a symbol ("59-NQ/TW", "20/2023/QĐ-UBND", "1349/BNG-CNV", "số /KH-UBND") or "số 123" right before
        # (?r): only whether it matches in the window is used, the same in either direction
        instrument_cue=regex.compile(
            r"(?r)(?:\d{1,6}\s{0,2}[-/]\s{0,2}(?:\d{4}\s{0,2}/\s{0,2})?\p{Lu}[\p{L}\d&]{0,12}(?:\s{0,2}[-/]\s{0,2}[\p{L}\d&]{1,12}){0,3}"
            r"|(?<!\p{L})số\s{0,3}(?:\d{1,6}|[._…\s]{0,12}/\s{0,2}\p{Lu}[\p{L}&\-]{0,20}))\s{0,3}[,;(]?\s{0,3}$",
            regex.V1,
        ),
        place_cue=regex.compile(
            r"(?:^|\n|\s{2})[ \t]{0,40}\p{Lu}[\p{L}]{0,15}\.?(?:(?:[ ]{1,3}|[ ]{0,2}-[ ]{0,2})\p{Lu}[\p{L}]{0,15}\.?){0,5}[ \t]{0,3},[ \t]{0,5}$",
            regex.V1,
        ),
        anniv_ctx=regex.compile(
            r"(?<!\p{L})(?:" + _alt(c["anniversary"]) + r"|\d{1,4}\s{1,3}năm\s{1,3}(?:" + _alt(c["anniversary_next"]) + r"))(?!\p{L})", _F
        ),
        range_join=regex.compile(r"\s{0,3}(?:-|(?:cho\s{1,3})?(?:đến|tới)(?:\s{1,3}hết)?)\s{0,3}", _F),
    )


# --------------------------------------------------------------------------
# candidates
# --------------------------------------------------------------------------
@dataclass
class _Cand:
    start: int
    end: int
    value: str
    form: str  # full | dm | spelled | blank | my | m | q | half | y | yrange | drange | anniv | event
    kind: str = "other"
    needs_cue: bool = False
    y: Optional[int] = None
    m: Optional[int] = None
    d: Optional[int] = None


def _valid(d: Optional[int], m: Optional[int], y: Optional[int]) -> bool:
    if m is not None and not 1 <= m <= 12:
        return False
    if d is not None:
        if m is None or d < 1:
            return False
        last = calendar.monthrange(y if y is not None else 2024, m)[1]
        if d > last:
            return False
    return True


def _iso(d: Optional[int], m: Optional[int], y: Optional[int]) -> str:
    if y is not None:
        if m is None:
            return f"{y:04d}"
        if d is None:
            return f"{y:04d}-{m:02d}"
        return f"{y:04d}-{m:02d}-{d:02d}"
    if m is None:
        return ""
    if d is None:
        return f"--{m:02d}"
    return f"--{m:02d}-{d:02d}"


def _int(s: Optional[str]) -> Optional[int]:
    return int(s) if s else None


def _iter(p: regex.Pattern, text: str) -> Iterator[regex.Match]:
    try:
        yield from p.finditer(text, timeout=_TIMEOUT)
    except TimeoutError:  # pragma: no cover - defensive: patterns are bounded
        return


def _scan(p: regex.Pattern, text: str, anchors: tuple[regex.Pattern, ...]) -> Iterator[regex.Match]:
    """``p.finditer(text)`` for a pattern whose every match starts where one of ``anchors`` matches.

    finditer tries each position from the end of its last match and yields the first match; only
    anchor positions can match, so trying just those (in order) yields the same matches.  Patterns
    whose first item is an alternation or an optional group are slow to scan with the regex
    engine; their anchors (single literals, or the pattern minus its optional head) are fast.
    Only for patterns that never match empty (a match always ends after it starts).
    """
    try:
        starts: set[int] = set()
        for a in anchors:  # overlapping anchor matches too: every position where one matches
            starts.update(m.start() for m in a.finditer(text, overlapped=True, timeout=_TIMEOUT))
    except TimeoutError:  # pragma: no cover - defensive: anchors are literals
        yield from _iter(p, text)
        return
    yield from _scan_at(p, text, starts)


def _scan_at(p: regex.Pattern, text: str, starts: set[int]) -> Iterator[regex.Match]:
    """``p.finditer(text)`` given a superset ``starts`` of the positions where ``p`` can match (see _scan)."""
    pos = 0
    try:
        for x in sorted(starts):
            if x < pos:
                continue
            m = p.match(text, x, timeout=_TIMEOUT)
            if m is not None:
                yield m
                pos = m.end()
    except TimeoutError:  # pragma: no cover - defensive: patterns are bounded
        return


def _ngay_starts(text: str, P: "_Pats") -> set[int]:
    """Positions of "ngày" + blanks + a digit (``full_num_at``), where ``full_num`` may start with "ngày".

    (``dm_ngay``/``d_range`` start there too, but their own finditer is faster than a match per start.)"""
    try:
        return {m.start() for a in P.full_num_at for m in a.finditer(text, overlapped=True, timeout=_TIMEOUT)}
    except TimeoutError:  # pragma: no cover - defensive: anchors are literals
        return set(range(len(text)))


def _full_num_starts(text: str, P: "_Pats", ngay: set[int]) -> set[int]:
    """A superset of the starts of ``full_num`` matches, for :func:`_scan_at`.

    A match either starts at "ngày" + blanks + a digit (``full_num_at``) or is a bare ``full_core``
    match ``d sep m sep year``: ``d``/``m`` have 1-2 digits and each sep 0-1 blank around it, so
    the year starts 4 to 10 chars after the match, right after a sep and at most one blank
    (``full_year_at``; such a year never starts inside another one, so non-overlapping finditer
    finds them all).  ``d`` starts with a decimal digit (``isdecimal`` is ``\\d``).  Scanning
    for the literal year is much faster than running the lookbehind-led ``full_core`` at every
    position."""
    starts = set(ngay)
    try:
        for a in P.full_year_at:
            for m in a.finditer(text, timeout=_TIMEOUT):
                q = m.start()
                starts.update(x for x in range(max(0, q - 10), q - 3) if text[x].isdecimal())
    except TimeoutError:  # pragma: no cover - defensive: anchors are literals
        starts = set(range(len(text)))
    return starts


@lru_cache(maxsize=1)
def _event_reach() -> int:
    """Longest possible distance from the start of an ``event`` match to its year: the head (its
    words joined by at most 3 blanks), then at most 10 × (3 blanks + a 16-char word), 3 blanks,
    "năm" and 3 blanks."""
    head = max(len(p.replace(" ", "")) + 3 * (len(p.split()) - 1) for p in _cues()["event_head"])
    return head + 10 * (3 + 16) + 3 + 3 + 3


@lru_cache(maxsize=1)
def _event_heads_plain() -> bool:
    """Every event head is letters and blanks (``isalpha`` is ``\\p{L}``)."""
    return all(ch.isalpha() or ch.isspace() for h in _cues()["event_head"] for ch in h)


_EVENT_TAIL = 13  # the year (4) and what its lookahead reads (at most 8) fit before the search end


def _events(text: str, P: "_Pats") -> Iterator[regex.Match]:
    """``P.event.finditer(text)`` without running ``event`` at every position of the text.

    In a match only the year (at its end, after a blank) has digits or characters other than
    letters, "'", "-" and blanks.  So a match whose year starts at ``q`` starts after the last such
    other character before ``q`` and at most ``_event_reach()`` before it, and deciding it reads no
    further than ``q + _EVENT_TAIL``.  For each year candidate in order (and not before the end of
    the previous match, as finditer), search just that span; a hit starting at ``q`` or later
    belongs to a later year and is left for it (a later search covers it from no later start).
    No match can start in a span skipped this way, so the matches and their order are finditer's."""
    if not _event_heads_plain():
        yield from _iter(P.event, text)  # a head with other characters breaks the argument above
        return
    try:
        years = sorted(m.start() for a in P.event_year_at for m in a.finditer(text, timeout=_TIMEOUT))
        pos = 0
        reach = _event_reach()
        for q in years:
            if q < pos:
                continue
            lo = max(pos, q - reach)
            gap = P.event_gap.search(text, lo, q, timeout=_TIMEOUT)
            if gap is not None:
                lo = gap.end()
            m = P.event.search(text, lo, q + _EVENT_TAIL, timeout=_TIMEOUT)
            if m is not None and m.start() < q:
                yield m
                pos = m.end()
    except TimeoutError:  # pragma: no cover - defensive: patterns are bounded
        return


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_RECUR_WORDS = {"sáu": 6, "ba": 3, "hai": 2}
_RECUR_UNITS = {"tuần": "R/P1W", "tháng": "R/P1M", "quý": "R/P3M", "năm": "R/P1Y"}


def _can_chi_year(stem: str, branch: str, ref: int) -> Optional[int]:
    sv, bv, se, be = _can_chi()
    s_opts = [se[stem.casefold()]] if stem.casefold() in se else sv.get(strip_diacritics(stem), [])
    b_opts = [be[branch.casefold()]] if branch.casefold() in be else bv.get(strip_diacritics(branch), [])
    for s in s_opts:
        for b in b_opts:
            if s % 2 != b % 2:
                continue
            for y in range(ref - 30, ref + 30):
                if (y - 4) % 10 == s and (y - 4) % 12 == b:
                    return y
    return None


def _candidates(text: str, doc_year: Optional[int]) -> list[_Cand]:
    P = _pats()
    out: list[_Cand] = []
    add = out.append

    ngay = _ngay_starts(text, P)
    for mt in _scan_at(P.full_num, text, _full_num_starts(text, P, ngay)):
        d, m, y = int(mt["d"]), int(mt["m"]), int(mt["y"])
        if _valid(d, m, y):
            add(_Cand(mt.start(), mt.end(), _iso(d, m, y), "full", y=y, m=m, d=d))
    for mt in _iter(P.spelled, text):
        d, m, y = _int(mt["d"]), _int(mt["m"]), _int(mt["y"])
        if d is not None and m is None:
            continue
        if y is None and (d is None or m is None):
            continue
        if _valid(d, m, y):
            form = "spelled" if d is not None else "blank"
            add(_Cand(mt.start(), mt.end(), _iso(d, m, y), form, y=y, m=m, d=d))
    for mt in _iter(P.blank_slash, text):
        y = int(mt["y"])
        add(_Cand(mt.start(), mt.end(), f"{y:04d}", "blank", y=y))
    for mt in _iter(P.dm_ngay, text):
        d, m = int(mt["d"]), int(mt["m"])
        if _valid(d, m, None):
            add(_Cand(mt.start(), mt.end(), _iso(d, m, None), "dm", m=m, d=d))
    for mt in _iter(P.dm_bare, text):
        d, m = int(mt["d"]), int(mt["m"])
        if _valid(d, m, None):
            add(_Cand(mt.start(), mt.end(), _iso(d, m, None), "dm", needs_cue=True, m=m, d=d))
    for mt in _scan(P.d_range, text, P.d_range_at):
        d1, d2, m, y = int(mt["d1"]), int(mt["d2"]), int(mt["m"]), _int(mt["y"])
        if d1 < d2 and _valid(d1, m, y) and _valid(d2, m, y):
            add(_Cand(mt.start(), mt.end(), f"{_iso(d1, m, y)}/{_iso(d2, m, y)}", "drange", kind="period", y=y, m=m))
    for mt in _iter(P.month_year, text):
        m, y = int(mt["m"]), int(mt["y"])
        if _valid(None, m, y):
            add(_Cand(mt.start(), mt.end(), _iso(None, m, y), "my", y=y, m=m))
    for mt in _iter(P.recurrence, text):  # "định kỳ 6 tháng", "định kỳ hằng quý": how often, not a date
        n = mt["n"]
        if n is not None:
            months = _RECUR_WORDS.get(n.casefold()) or int(n)
            value = f"R/P{months}M" if 0 < months <= 24 else ""
        else:
            value = _RECUR_UNITS[mt["unit"].casefold()]
        if value:
            add(_Cand(mt.start(), mt.end(), value, "recur"))
    for mt in _iter(P.month_span, text):
        m1, m2, y = int(mt["m1"]), int(mt["m2"]), int(mt["y"])
        if m1 < m2 and _valid(None, m2, y):
            start = _with_tu(text, mt.start())
            add(_Cand(start, mt.end(), f"{_iso(None, m1, y)}/{_iso(None, m2, y)}", "mrange", kind="period", y=y))
    for mt in _iter(P.month, text):
        m = int(mt["m"])
        if _valid(None, m, None):
            add(_Cand(mt.start(), mt.end(), _iso(None, m, None), "m", m=m))
    for mt in _iter(P.quarter, text):
        q = mt["q"]
        qn = int(q) if q.isdigit() else _ROMAN[q.casefold()]
        y = _int(mt["y"])
        add(_Cand(mt.start(), mt.end(), f"{y:04d}-Q{qn}" if y else f"--Q{qn}", "q", y=y))
    for mt in _scan(P.half, text, P.half_at):
        h = 1 if mt["h"].casefold() == "đầu" else 2
        y = _int(mt["y"])
        add(_Cand(mt.start(), mt.end(), f"{y:04d}-H{h}" if y else f"--H{h}", "half", kind="period", y=y))
    for mt in _iter(P.year, text):
        y = int(mt["y"])
        add(_Cand(mt.start(), mt.end(), f"{y:04d}", "y", y=y))
    for mt in _scan(P.horizon_year, text, P.horizon_year_at):  # "tầm nhìn đến 2045": _classify reads the cue before it
        y = int(mt["y"])
        add(_Cand(mt.start("y"), mt.end(), f"{y:04d}", "y", y=y))
    for mt in _scan(P.year_range, text, P.year_range_at):
        y1, y2 = int(mt["y1"]), int(mt["y2"])
        if y1 < y2 <= y1 + 200:  # an anniversary may span 135 years ("(1890 - 2025)")
            pre = _cue_match(P.year_range_pre, "year_range_pre", text, mt.start(), 40)
            start = pre.start() if pre is not None else mt.start()
            add(_Cand(start, mt.end(), f"{y1:04d}/{y2:04d}", "yrange", kind="period", y=y2))
    for mt in _iter(P.anniv_count, text):
        n = int(mt["n"])
        if not 0 < n <= 2000:
            continue
        pre = _cue_match(P.anniv_pre, "anniv_pre", text, mt.start(), 40)
        if pre is not None:
            add(_Cand(pre.start(), mt.end(), f"P{n}Y", "anniv", kind="anniversary"))
        elif P.anniv_next.match(text, mt.end()):
            add(_Cand(mt.start(), mt.end(), f"P{n}Y", "anniv", kind="anniversary"))
    ref = doc_year if doc_year else 2014
    for mt in _scan(P.can_chi, text, P.can_chi_at):
        y = _int(mt["y"])
        cy = _can_chi_year(mt["stem"], mt["branch"], y or ref)
        if cy is None:
            continue
        add(_Cand(mt.start(), mt.end(), f"{(y or cy):04d}", "event", kind="event", y=y or cy))
    for mt in _events(text, P):
        mid = mt["mid"].split()
        head = mt["head"]
        if head in ("Năm", "Giải", "Tết", "Xuân") and (not mid or not mid[0][:1].isupper()):
            continue  # "Năm 2025 ...", sentence-initial "Năm"
        y = int(mt["y"])
        add(_Cand(mt.start(), mt.end(), f"{y:04d}", "event", kind="event", y=y))
    return out


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Longest non-overlapping candidates (ties: earlier start, then list order)."""
    order = sorted(range(len(cands)), key=lambda i: (-(cands[i].end - cands[i].start), cands[i].start, i))
    size = max((c.end for c in cands), default=0)
    taken = bytearray(size)
    chosen: list[_Cand] = []
    for i in order:
        c = cands[i]
        if 1 in taken[c.start : c.end]:
            continue
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
        chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    return chosen


def _window_match(p: regex.Pattern, text: str, end: int, width: int) -> Optional[regex.Match]:
    try:
        return p.search(text, max(0, end - width), end, timeout=_TIMEOUT)
    except TimeoutError:  # pragma: no cover
        return None


@lru_cache(maxsize=1)
def _cue_ends() -> dict[str, tuple[str, ...]]:
    """Last words (lower case) that end a match of each window-end-anchored cue pattern.

    ``deadline_cue``, ``horizon_cue``, ``anniv_pre`` and ``year_range_pre`` all end with a word
    followed by ``[\\s,:]`` chars up to ``$``; see :func:`_cue_tail`."""
    c = _cues()
    last = lambda phrases: tuple(sorted({p.split()[-1].lower() for p in phrases}))  # noqa: E731
    return {
        "deadline": last(c["deadline"]),
        "horizon": last(c["horizon"]),
        "anniv_pre": last(c["anniversary"]) + ("thứ",),
        "year_range_pre": last(c["period"]) + ("từ", "năm"),
    }


def _cue_tail(text: str, end: int, width: int, words: tuple[str, ...]) -> bool:
    """Necessary for ``_window_match`` of a ``..(word)[\\s,:]{1,n}$`` cue pattern to find a match.

    Such a match ends at the window end (or before a final "\\n", itself a blank) after a run of
    blanks/commas/colons; the word ends in a letter, so it ends where the maximal such run starts.
    Strip that run (``isspace`` covers every ``\\s`` char) and compare the lower-cased tail; dropping
    U+0307 keeps "İ" (which ``(?i)`` matches to "i", but lowers to "i" + U+0307) comparable.
    A cheap string test instead of a regex search at every candidate; the search still decides."""
    lo = max(0, end - width)
    i = end
    while i > lo and (text[i - 1].isspace() or text[i - 1] in ",:"):
        i -= 1
    return text[max(lo, i - 12) : i].lower().replace("\u0307", "").endswith(words)


def _cue_match(p: regex.Pattern, kind: str, text: str, end: int, width: int) -> Optional[regex.Match]:
    """``_window_match(p, text, end, width)``, skipped when :func:`_cue_tail` rules a match out."""
    if not _cue_tail(text, end, width, _cue_ends()[kind]):
        return None
    return _window_match(p, text, end, width)


def _with_tu(text: str, start: int) -> int:
    """``start`` moved back over a "từ " right before it ("từ ngày 14/9 đến …", "từ tháng 11/2025 đến …")."""
    return start - 3 if text[max(0, start - 4) : start].casefold().endswith("từ ") else start


def _merge_ranges(text: str, cands: list[_Cand]) -> list[_Cand]:
    """Join "18/01/1950-18/01/2025", "từ ngày 14/9 đến ngày 20/9/2025", "từ tháng 11/2025 đến tháng 02/2026"
    into one interval."""
    P = _pats()
    out: list[_Cand] = []
    i = 0
    while i < len(cands):
        a = cands[i]
        b = cands[i + 1] if i + 1 < len(cands) else None
        if (
            b is not None
            and a.form in ("full", "dm", "spelled")
            and b.form in ("full", "dm", "spelled")
            and a.d is not None
            and b.d is not None
            and P.range_join.fullmatch(text, a.end, b.start)
        ):
            ya = a.y
            if ya is None and b.y is not None:
                ya = b.y
                if b.m is not None and a.m is not None and a.m > b.m:
                    ya -= 1  # "từ ngày 29/12 đến ngày 02/01/2026": the start is in the year before
            va, vb = _iso(a.d, a.m, ya), b.value
            start = _with_tu(text, a.start)
            same_md = (a.m, a.d) == (b.m, b.d) and ya is not None and b.y is not None and ya != b.y
            kind = "anniversary" if same_md else "period"
            out.append(_Cand(start, b.end, f"{va}/{vb}", "range", kind=kind, y=b.y))
            i += 2
            continue
        if (
            b is not None
            and a.form in ("m", "my")
            and b.form in ("m", "my")
            and a.m is not None
            and b.m is not None
            and P.range_join.fullmatch(text, a.end, b.start)
            and (a.y is None or b.y is None or a.y < b.y or (a.y == b.y and a.m < b.m))
        ):
            # "từ tháng 11/2025 đến tháng 02/2026", "từ tháng 3 đến tháng 5/2026": one span of months
            ya = a.y
            if ya is None and b.y is not None:
                ya = b.y - 1 if a.m > b.m else b.y  # "từ tháng 11 đến tháng 02/2026": November of the year before
            start = _with_tu(text, a.start)
            out.append(_Cand(start, b.end, f"{_iso(None, a.m, ya)}/{b.value}", "range", kind="period", y=b.y))
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _classify(text: str, c: _Cand) -> None:
    """Set ``c.kind`` from the words before the mention; may extend ``c.start`` over a cue."""
    P = _pats()
    if c.kind in ("event", "anniversary") or c.form == "recur":
        return
    if c.form == "yrange" and text[c.start - 1 : c.start] == "(":
        if _window_match(P.anniv_ctx, text, c.start, 200) is not None:
            c.kind = "anniversary"
            return
    if c.kind == "period":
        return
    dl = _cue_match(P.deadline_cue, "deadline", text, c.start, 40)
    if dl is not None:
        c.kind, c.start = "deadline", dl.start()
        return
    if c.form in ("y",):
        hz = _cue_match(P.horizon_cue, "horizon", text, c.start, 40)
        if hz is not None:
            c.kind, c.start = "horizon", hz.start()
            return
    if c.form in ("full", "spelled", "blank", "dm"):
        if _window_match(P.instrument_cue, text, c.start, 60) is not None:
            c.kind = "instrument_date"
            return
    if c.form in ("spelled", "blank") and _window_match(P.place_cue, text, c.start, 80) is not None:
        c.kind = "issue_date"
        return
    c.kind = "other"


def extract_dates(text: str, doc_year: int | None = None) -> list[DateMention]:
    """All date, period, deadline, horizon, anniversary and event mentions in ``text``, in order.

    ``doc_year`` only disambiguates Can–Chi year names without a Gregorian year; partial
    dates ("trước ngày 15/5" → ``--05-15``) are never completed with it.
    """
    if not text:
        return []
    cands = _candidates(text, doc_year)
    P = _pats()
    kept: list[_Cand] = []
    chained: list[_Cand] = []  # bare "d/m" without a cue: a date only as the next of a list of deadlines
    for c in cands:
        if c.needs_cue:
            dl = _cue_match(P.deadline_cue, "deadline", text, c.start, 40)
            if dl is None:
                chained.append(c)
                continue
        kept.append(c)
    chosen = _merge_ranges(text, _select(kept))
    if chained:
        chosen = _add_chained(text, chosen, chained)
    out: list[DateMention] = []
    last_end = 0
    prev: Optional[_Cand] = None
    for c in chosen:
        if c.form != "chained":
            _classify(text, c)
        # "trước ngày 15/6 và (ngày) 15/12 hằng năm": a day listed right after a deadline is one too
        listed = (c.d is not None and prev is not None and prev.kind == "deadline"
                  and P.date_list_join.fullmatch(text, prev.end, c.start) is not None)
        if c.form == "chained":
            if not listed:
                continue  # a bare "d/m" that no deadline announces is not a date
            c.kind = "deadline"
        elif c.kind == "other" and listed:
            c.kind = "deadline"
        c.start = max(c.start, last_end)
        out.append(DateMention(text=text[c.start : c.end], value=c.value, kind=c.kind, char_start=c.start, char_end=c.end))
        last_end = c.end
        prev = c
    return out


def _add_chained(text: str, chosen: list[_Cand], chained: list[_Cand]) -> list[_Cand]:
    """``chosen`` with each bare "d/m" of ``chained`` that follows a chosen day-date, joined by "," / "và" /
    "hoặc" (form "chained": a deadline when that date is one, see extract_dates), overlapping none."""
    P = _pats()
    ends = {c.end: c for c in chosen if c.d is not None}
    taken = [(c.start, c.end) for c in chosen]
    extra: list[_Cand] = []
    for c in sorted(chained, key=lambda x: x.start):
        j = P.date_list_join_back.search(text, max(0, c.start - 16), c.start)
        if j is None or j.start() not in ends or any(a < c.end and c.start < b for a, b in taken):
            continue
        c.form = "chained"
        extra.append(c)
        ends[c.end] = c
        taken.append((c.start, c.end))
    return sorted(chosen + extra, key=lambda x: x.start) if extra else chosen


__all__ = ["extract_dates"]
