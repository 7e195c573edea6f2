"""Shared reader machinery: limits, the raw intermediate form, line re-joining,
and assembly of a :class:`pipeline.document.Document`.

Readers produce a :class:`RawDoc` (blocks of raw text, footnotes, pages);
:func:`build_document` normalizes every block with
:func:`pipeline.normalize.normalize`, collapses whitespace, removes footnote
markers (recording their offsets as anchors) and lays the text out as
documented in :mod:`pipeline.document`.

Footnote markers inside raw block text are written as
``MARK_OPEN + label + MARK_CLOSE`` (private-use code points), see :func:`marker`.
"""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from typing import Container, Optional, Protocol, Sequence, TypeVar

import numpy as np
import regex

from pipeline.config import Limits
from pipeline.document import Block, Document, Footnote, Page
from pipeline.normalize import normalize_offsets

MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"


ReadLimits = Limits  # one definition of the safety limits: pipeline.config.Limits


@dataclass
class RawBlock:
    kind: str
    text: str  # raw text; may contain markers; "\n" kept inside a block only where meaningful
    page: Optional[int] = None


@dataclass
class RawFootnote:
    label: str
    text: str
    page: Optional[int] = None


@dataclass
class RawDoc:
    blocks: list[RawBlock] = field(default_factory=list)
    footnotes: list[RawFootnote] = field(default_factory=list)
    n_pages: int = 0
    warnings: list[str] = field(default_factory=list)
    page_info: dict[int, tuple[str, Optional[float]]] = field(default_factory=dict)  # page -> (method, OCR confidence)


def marker(label: str) -> str:
    return f"{MARK_OPEN}{label}{MARK_CLOSE}"


# --------------------------------------------------------------------------- labels
# Heading / list labels that start a new paragraph.
LABEL_RE = regex.compile(
    r"""^(?:
        (?:PHẦN|Phần|CHƯƠNG|Chương|MỤC|Mục|ĐIỀU|Điều)\s{1,3}[0-9IVXLCivxlc]{1,6}\b
      | [IVXLC]{1,6}\s{0,2}[.\-–]\s
      | [A-HK]\s{0,2}[.]\s
      | \d{1,2}(?:\.\d{1,2}){0,3}\s{0,2}[.)\-]?\s
      | [a-zđ]\s{0,2}\)\s
      | [\-+•∙·–—]\s
    )""",
    regex.VERBOSE,
)
LIST_RE = regex.compile(r"^[\-+•∙·–—]\s")
# A label that is only a number ("9 đoàn vào", "10 triệu USD", "15 tháng 3"): a wrapped line of running
# text starts like this as often as a list item does, so alone it does not start a paragraph.
BARE_NUMBER_RE = regex.compile(r"^\d{1,2}\s")
ENDS_SENTENCE_RE = regex.compile(r"""[.;:!?…]["'”’)\]]{0,2}$""")
# Bare page numbers and page-number lines: "3", "- 3 -", "Trang 3", "Trang 3/12", "3/12"
PAGE_NUMBER_RE = regex.compile(
    r"^\s{0,5}(?:(?:Trang|trang|TRANG|Page|page)\s{0,3}\d{1,4}(?:\s{0,3}(?:/|trên|of)\s{0,3}\d{1,4})?"
    r"|[\-–—]?\s{0,3}\d{1,4}\s{0,3}[\-–—]?|\d{1,4}\s{0,3}/\s{0,3}\d{1,4})\s{0,5}$"
)


def starts_with_label(text: str) -> bool:
    return LABEL_RE.match(text) is not None


# --------------------------------------------------------------------------- joining
_CITATION_TAIL_RE = regex.compile(r"(?:\d{1,5}|[A-ZĐ][A-Za-zĐđ]{0,7})-$")
_CITATION_HEAD_RE = regex.compile(r"^[A-ZĐ][A-Za-zĐđ]{0,7}(?:[/\-][A-ZĐ0-9]|\b)")


def join_two(prev: str, nxt: str) -> str:
    """Join two wrapped lines of one paragraph.

    "33-" + "KL/TW ..." -> "33-KL/TW ..." (hyphen kept, no space); a word hyphen
    "Na-" + "hill", "Baden-" + "Württemberg" keeps the hyphen without space (Word and LibreOffice wrap a
    hyphenated name after its hyphen); "kinh tế -" + "xã hội" keeps the spaced dash; everything else is
    joined with one space.
    """
    a = prev.rstrip()
    b = nxt.lstrip()
    if not a:
        return b
    if not b:
        return a
    return a + _glue(a, b) + b


def _glue(a: str, b: str) -> str:
    """What :func:`join_two` puts between ``a`` (right-stripped, non-empty) and ``b`` (left-stripped,
    non-empty): "" or " ".  Only the last 9 characters of ``a`` matter, so a caller may pass a suffix of
    ``a`` at least that long (or all of ``a`` when it is shorter)."""
    if a.endswith("-") and len(a) >= 2 and not a[-2].isspace():
        if _CITATION_TAIL_RE.search(a[-9:]) and (_CITATION_HEAD_RE.match(b) or b[:1].isdigit()):
            return ""
        if a[-2].isalpha() and b[:1].isalpha():
            return ""  # a line wrapped at a word's hyphen: "Bà Nà-" + "hills", "Ivry-sur-" + "Seine"
    if a.endswith("/") and len(a) >= 2 and a[-2].isalnum() and b[:1].isalnum():
        return ""  # "1673/" + "QĐ-UBND"
    return " "


@dataclass
class Line:
    """One physical line with optional geometry (PDF points, y grows downwards)."""

    text: str
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    page: Optional[int] = None
    bold: bool = False


class LineLike(Protocol):
    """What :func:`rebuild_paragraphs` and :func:`join_lines` read of a line: a :class:`Line`, or the PDF
    reader's own line object, passed as it is (a copy into a Line per line cost more than the reading)."""

    @property
    def text(self) -> str: ...
    @property
    def x0(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def top(self) -> float: ...
    @property
    def size(self) -> float: ...
    @property
    def page(self) -> Optional[int]: ...


AnyLine = TypeVar("AnyLine", bound=LineLike)


def rebuild_paragraphs(
    lines: Sequence[AnyLine],
    *,
    left: float,
    right: float,
    em: float,
    use_vertical: bool = True,
    estimated_size_pages: Container[int] = (),
) -> list[list[AnyLine]]:
    """Group physical lines into paragraphs.

    A new paragraph starts when the line is indented (first-line indent or a
    centred line), starts with a heading/list label (a label that is only a
    number, "9 đoàn vào", only after a line ending a clause), follows a line that ended
    a sentence short of the right margin, follows a very short line, follows a
    larger-than-usual vertical gap (same page), or changes font size.
    A page break alone never ends a paragraph.

    ``estimated_size_pages``: pages whose line sizes are estimates (OCR: the height of a line's box, which
    varies by a third with the accents and descenders a line holds); between their lines a size change
    is no break.
    """
    paras: list[list[AnyLine]] = []
    cur: list[AnyLine] = []
    width = max(right - left, 1.0)
    gaps: list[float] = []
    if use_vertical:
        for a, b in zip(lines, lines[1:]):
            if a.page == b.page and b.top > a.top:
                gaps.append(b.top - a.top)
    pitch = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    # the thresholds below, computed once (the same products as written inline per line)
    label_match = LABEL_RE.match  # starts_with_label
    bare_number = BARE_NUMBER_RE.match
    ends_sentence = ENDS_SENTENCE_RE.search
    indented = 1.2 * em
    short_line = 0.35 * width
    sentence_gap = 1.5 * em
    vertical = use_vertical and pitch > 0
    big_step = 1.45 * pitch
    aligned = 0.5 * em
    for ln in lines:
        if not cur:
            cur.append(ln)
            continue
        prev = cur[-1]
        prev_gap = right - prev.x1
        head = ln.text.lstrip()
        new = (
            # a bare-number label only after a line that ended a clause ("...trước.", "...sau:")
            (label_match(head) is not None
             and (bare_number(head) is None or ends_sentence(prev.text.rstrip()) is not None))
            or ln.x0 - left > indented
            or prev_gap > short_line
            or (prev_gap > sentence_gap and ends_sentence(prev.text.rstrip()) is not None)
            or (vertical and prev.page == ln.page and ln.top - prev.top > big_step)
            or bool(prev.size and ln.size and abs(prev.size - ln.size) > 0.15 * max(prev.size, ln.size)
                    and not (estimated_size_pages and prev.page in estimated_size_pages
                             and ln.page in estimated_size_pages))
            # centred lines (titles): each centred line group
            or (prev.x0 - left > indented and abs(prev.x0 - ln.x0) < aligned and prev_gap > indented)
        )
        if new:
            paras.append(cur)
            cur = [ln]
        else:
            cur.append(ln)
    if cur:
        paras.append(cur)
    return paras


def join_lines(lines: Sequence[LineLike]) -> str:
    """Fold :func:`join_two` over the lines (the first one stripped).

    Kept as a list of parts joined once at the end (re-concatenating the growing paragraph per line is
    quadratic).  Every part after the first starts with a non-space, so the whitespace join_two strips
    from the end of the text so far lies in the last part alone.
    """
    parts: list[str] = []
    for ln in lines:
        if not parts:
            first = ln.text.strip()
            if first:
                parts.append(first)
            continue
        b = ln.text.lstrip()
        last = parts[-1] = parts[-1].rstrip()
        if not b:
            continue
        tail = last  # the last 9+ characters of the text so far (or all of it): all _glue reads
        i = len(parts) - 2
        while len(tail) < 9 and i >= 0:
            tail = parts[i] + tail
            i -= 1
        sep = _glue(tail, b)
        if sep:
            parts.append(sep)
        parts.append(b)
    return "".join(parts)


def classify(text: str) -> str:
    t = text.lstrip()
    if LIST_RE.match(t):
        return "list_item"
    if starts_with_label(t) and len(t) < 400:
        first = t.split("\n", 1)[0]
        if len(first) < 250:
            return "heading"
    return "paragraph"


# --------------------------------------------------------------------------- assembly
_MARK_RE = regex.compile(MARK_OPEN + r"([^" + MARK_CLOSE + r"]{0,12})" + MARK_CLOSE)


def _strip_markers(raw: str) -> tuple[str, list[tuple[str, int]]]:
    if MARK_OPEN not in raw:  # no marker can match: only stray closing marks to drop (the common case)
        return raw.replace(MARK_CLOSE, ""), []
    marks: list[tuple[str, int]] = []
    parts: list[str] = []
    last = 0
    length = 0
    for m in _MARK_RE.finditer(raw):
        seg = raw[last : m.start()]
        parts.append(seg)
        length += len(seg)
        marks.append((m.group(1), length))
        last = m.end()
    parts.append(raw[last:])
    clean = "".join(parts).replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
    return clean, marks


_WS_RUN_RE = regex.compile(r"[ \n]+")


def clean_block(raw: str) -> tuple[str, list[int] | range, str, list[tuple[str, int]]]:
    """Normalize one raw block.

    Returns (text, offsets into raw_clean, raw_clean, anchors) where anchors are
    (label, offset in text) for every footnote marker found in ``raw``; the offsets are a ``range``
    when they map every character to itself (see normalize_offsets).
    """
    raw_clean, marks = _strip_markers(raw)
    norm, offs = normalize_offsets(raw_clean)
    if (
        norm
        and norm[0] not in " \n"
        and norm[-1] not in " \n"
        # no two adjacent spaces/newlines (substring tests: much cheaper than a regex scan)
        and "  " not in norm
        and " \n" not in norm
        and "\n " not in norm
        and "\n\n" not in norm
    ):
        return norm, offs, raw_clean, _anchors(norm, offs, marks)  # nothing to collapse: the common case
    # collapse every run of spaces/newlines to one character ("\n" if the run holds one, at the last
    # "\n"; else " " at the first space); drop leading and trailing runs
    out: list[str] = []
    o: list[int] = []
    last = 0
    gap: Optional[tuple[int, int]] = None  # the whitespace run before norm[last:]
    for m in [*_WS_RUN_RE.finditer(norm), None]:
        s, e = m.span() if m is not None else (len(norm), len(norm))
        if s > last:
            if out and gap is not None:
                k = norm.rfind("\n", gap[0], gap[1])
                out.append("\n" if k >= 0 else " ")
                o.append(offs[k] if k >= 0 else offs[gap[0]])
            out.append(norm[last:s])
            o.extend(offs[last:s])
        gap = (s, e)
        last = e
    text = "".join(out)
    return text, o, raw_clean, _anchors(text, o, marks)


def _anchors(text: str, offs: Sequence[int], marks: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(label, offset in text) of each footnote marker, given its offset in the raw text."""
    anchors: list[tuple[str, int]] = []
    for lab, pos in marks:
        a = bisect.bisect_left(offs, pos)
        while a > 0 and text[a - 1] in " \n":
            a -= 1  # "Nghị quyết [2] của": the anchor sits right after the word
        anchors.append((lab, a))
    return anchors


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_document(raw: RawDoc, *, path: str, fmt: str, data: bytes) -> Document:
    """Assemble a Document from a RawDoc (normalization, layout, anchors, pages)."""
    sha = _sha(data)
    texts: list[str] = []
    originals: list[str] = []
    offsets: list[int] = []
    blocks: list[Block] = []
    body_anchors: list[tuple[str, int]] = []
    pos = 0
    opos = 0
    warnings = list(raw.warnings)
    sep = "\n\n"

    def add(text: str, offs: list[int] | range, raw_clean: str) -> tuple[int, int]:
        nonlocal pos, opos
        if texts:
            texts.append(sep)
            originals.append(sep)
            offsets.extend([opos, opos + 1])
            pos += 2
            opos += 2
        start = pos
        texts.append(text)
        originals.append(raw_clean)
        if isinstance(offs, range):  # identity map of an already-normalized block: shift the range itself
            offsets.extend(range(offs.start + opos, offs.stop + opos, offs.step))
        else:
            offsets.extend((np.asarray(offs, dtype=np.int64) + opos).tolist() if opos else offs)
        pos += len(text)
        opos += len(raw_clean)
        return start, pos

    for rb in raw.blocks:
        text, offs, raw_clean, anchors = clean_block(rb.text)
        if not text:
            continue
        start, end = add(text, offs, raw_clean)
        blocks.append(Block(kind=rb.kind, char_start=start, char_end=end, page=rb.page))
        body_anchors.extend((lab, start + a) for lab, a in anchors)
    body_end = pos
    footnotes: list[Footnote] = []
    used: set[int] = set()
    for fn in raw.footnotes:
        text, offs, raw_clean, _ = clean_block(fn.text)
        if not text:
            continue
        start, end = add(text, offs, raw_clean)
        blocks.append(Block(kind="footnote", char_start=start, char_end=end, page=fn.page))
        anchor = None
        for i, (lab, a) in enumerate(body_anchors):
            if i not in used and lab == fn.label:
                anchor = a
                used.add(i)
                break
        if anchor is None:
            warnings.append(f"footnote {fn.label} has no marker in the body")
        footnotes.append(Footnote(label=fn.label, text=text, char_start=start, char_end=end, anchor=anchor))
    for i, (lab, _a) in enumerate(body_anchors):
        if i not in used:
            warnings.append(f"footnote marker {lab} has no footnote text")
    text = "".join(texts)
    original = "".join(originals)
    pages: list[Page] = []
    if fmt == "pdf":
        by_page: dict[int, list[int]] = {}
        for b in blocks:
            if b.page is not None and b.kind != "footnote":
                by_page.setdefault(b.page, []).append(b.char_start)
        nums = sorted(by_page)
        for i, p in enumerate(nums):
            s = min(by_page[p])
            e = min(by_page[nums[i + 1]]) if i + 1 < len(nums) else body_end
            method, conf = raw.page_info.get(p, ("text", None))
            pages.append(Page(number=p, char_start=s, char_end=max(s, e), method=method, confidence=conf))
    elif body_end > 0:
        pages.append(Page(number=1, char_start=0, char_end=body_end))
    return Document(
        doc_id=sha[:16],
        source_path=path,
        format=fmt,
        text=text,
        body_end=body_end,
        original=original,
        offsets=offsets,
        pages=pages,
        blocks=blocks,
        footnotes=footnotes,
        sha256=sha,
        n_pages=raw.n_pages,
        warnings=warnings,
    )
