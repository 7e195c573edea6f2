"""The one document model every reader produces and every extractor consumes.

This module sits at the bottom of the import graph: it imports nothing from
``pipeline`` or ``extractors`` so that extractors may depend on it.

Text layout
-----------
``Document.text`` is the normalized text of the whole document, laid out as::

    <header block> <body ...> <signature/recipients> \n\n <footnote 1> \n\n <footnote 2> ...

``Document.body_end`` is the offset where the body stops and the footnotes
begin.  Every offset anywhere in the model (blocks, sections, footnotes,
extractor spans) indexes ``Document.text``.  Footnote markers (¹, ², "[1]")
are removed from the body; each footnote keeps the body offset of its marker
in ``Footnote.anchor``.

``Document.original`` keeps the text before tone-mark/look-alike folding so
that users can always see the document's own spelling; ``normalize`` is
length-preserving except for NFC composition, and ``offsets`` (when not
None) maps each char of ``text`` to its offset in ``original``.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Page:
    number: int  # 1-based physical page number
    char_start: int
    char_end: int
    method: str = "text"  # text (text layer) | ocr | empty
    confidence: Optional[float] = None  # mean OCR word confidence 0-100 (OCR pages only)


@dataclass
class Block:
    """A paragraph-level unit of the text (heading, paragraph, list item, table cell...)."""

    kind: str  # heading | paragraph | list_item | table_cell | footnote | signature | recipients | header
    char_start: int
    char_end: int
    page: Optional[int] = None


@dataclass
class Section:
    """One node of the section tree: I., 1., a), -, + ..."""

    id: str  # dotted path of labels, e.g. "II.1.a"
    label: str  # as printed: "II", "1", "a", "-"
    level: int  # 1 = roman numerals, 2 = arabic, 3 = letters, 4 = dash, 5 = plus
    title: str
    char_start: int
    char_end: int  # end of the section's extent (up to the next sibling or ancestor)
    parent: Optional[str] = None


@dataclass
class Footnote:
    label: str  # "1", "2", ...
    text: str
    char_start: int  # span of the footnote text inside Document.text
    char_end: int
    anchor: Optional[int] = None  # body offset where the marker stood


@dataclass
class Signature:
    capacity: Optional[str] = None  # "TM. Ủy ban nhân dân", "TM. Ủy ban nhân dân, KT. Chủ tịch"
    title: Optional[str] = None  # "Chủ tịch", "Phó Chủ tịch"
    signer: Optional[str] = None


@dataclass
class Header:
    """Metadata from the header block and the title."""

    issuer: Optional[str] = None  # "Ủy ban nhân dân tỉnh Quảng Nam"
    parent_body: Optional[str] = None  # the line above the issuer, if any ("TỈNH ỦY QUẢNG NAM")
    number: Optional[str] = None  # "58" or None when blank (draft)
    symbol: Optional[str] = None  # "KH-UBND" (the part after the slash), also for blank numbers
    place: Optional[str] = None  # "Quảng Nam"
    issue_date: Optional[str] = None  # ISO date, partial "2025" when day/month blank
    doc_type: Optional[str] = None  # "Kế hoạch", "Chương trình", ...
    title: Optional[str] = None  # "Triển khai công tác đối ngoại tỉnh Quảng Nam năm 2025"
    province: Optional[str] = None  # "Quảng Nam"
    year: Optional[int] = None  # the issue date's year, else the year the title names ("… năm 2025")


@dataclass
class Document:
    doc_id: str
    source_path: str
    format: str  # pdf | docx | txt
    text: str
    body_end: int
    original: Optional[str] = None
    offsets: Optional[list[int]] = None
    pages: list[Page] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    header: Header = field(default_factory=Header)
    signature: Signature = field(default_factory=Signature)
    recipients: list[str] = field(default_factory=list)
    appendices: list[str] = field(default_factory=list)
    sha256: Optional[str] = None
    n_pages: int = 0
    warnings: list[str] = field(default_factory=list)
    # (the sections list it was built from, its length, interval bounds, innermost section per interval):
    # built on first section_at, rebuilt when ``sections`` is replaced or changes length
    _section_index: Optional[tuple[list[Section], int, list[int], list[Optional[Section]]]] = field(
        default=None, repr=False, compare=False)

    # ------------------------------------------------------------------
    @property
    def body(self) -> str:
        return self.text[: self.body_end]

    def in_footnote(self, offset: int) -> Optional[Footnote]:
        for fn in self.footnotes:
            if fn.char_start <= offset < fn.char_end:
                return fn
        return None

    def body_offset(self, offset: int) -> int:
        """Map an offset to the body: a footnote offset maps to its anchor."""
        if offset < self.body_end:
            return offset
        fn = self.in_footnote(offset)
        if fn is not None and fn.anchor is not None:
            return fn.anchor
        return offset

    def section_at(self, offset: int) -> Optional[Section]:
        """The innermost section containing ``offset`` (footnotes: their anchor's section): of the
        sections holding it, the deepest, and of those the one starting last."""
        secs = self.sections
        if not secs:
            return None
        idx = self._section_index
        if idx is None or idx[0] is not secs or idx[1] != len(secs):
            idx = self._section_index = (secs, len(secs), *_innermost_by_interval(secs))
        _, _, points, inner = idx
        k = bisect.bisect_right(points, self.body_offset(offset)) - 1
        return inner[k] if k >= 0 else None

    def page_at(self, offset: int) -> Optional[int]:
        if not self.pages:
            return None
        starts = [p.char_start for p in self.pages]
        i = bisect.bisect_right(starts, self.body_offset(offset)) - 1
        return self.pages[max(i, 0)].number


def _innermost_by_interval(secs: list[Section]) -> tuple[list[int], list[Optional[Section]]]:
    """(points, inner): ``inner[k]`` is the innermost section holding every offset of
    ``[points[k], points[k + 1])``. Which sections hold an offset changes only at a section's start or
    end, so the answer is worked out once per interval: of the sections holding it, the deepest, and of
    those the one starting last (later in the list on equal starts)."""
    order = sorted(range(len(secs)), key=lambda i: secs[i].char_start)
    rank = {i: r for r, i in enumerate(order)}
    points = sorted({s.char_start for s in secs} | {s.char_end for s in secs})
    by_start: dict[int, list[int]] = {}
    by_end: dict[int, list[int]] = {}
    for i, s in enumerate(secs):
        if s.char_start < s.char_end:  # an empty (or reversed) extent holds no offset
            by_start.setdefault(s.char_start, []).append(i)
            by_end.setdefault(s.char_end, []).append(i)
    active: set[int] = set()
    inner: list[Optional[Section]] = []
    for p in points:
        active.difference_update(by_end.get(p, ()))
        active.update(by_start.get(p, ()))
        inner.append(secs[max(active, key=lambda i: (secs[i].level, rank[i]))] if active else None)
    return points, inner
