"""One PDF page -> text lines, from PDFium's per-character geometry (the reader's hot loop).

Why geometry and not PDFium's text dump: PDFs written by LibreOffice/Word often draw the
Vietnamese letters that come from a fallback font ("ư", "ờ", "ỉ" ...) in a separate text object
at the end of the line, so the dump puts them out of order ("T nh Qu ng Nam Ỉ Ả"); superscript
footnote numbers, footnote areas (smaller type), running headers and the two-column header and
signature tables are only visible in the geometry too.

Speed: a page has a few thousand characters and each needs five PDFium calls (code point,
generated?, loose box, origin, font size).  Through ctypes from Python that is ~1 µs a call; the
loop below is compiled by Numba and calls PDFium directly (~20 ns a character, all five calls), then
clusters lines and lays out their text in compiled code too.  Python sees one array per page.

Layout rules (unchanged from the pure-Python reader they replace):

1. characters are sorted by baseline and grouped into lines (a character joins the line when its
   baseline is within half the line's largest font size of the line's first baseline);
2. a line is sorted left to right; its size and baseline are the most common (rounded to 0.5 pt)
   among its glyphs; a gap wider than 2 ems splits it into column segments;
3. a space is written where a real (not PDFium-generated) space stood or the gap exceeds 0.12 em;
4. digits smaller than 0.8 x and raised above the line are superscripts: footnote markers after
   text ("ngoại¹" -> marker), the footnote number when they open a line, plain digits after a unit
   ("m²").
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Optional

import llvmlite.binding as llvm
import numba
import numpy as np
import pypdfium2.raw as pdfium_c
from pypdfium2 import PdfiumError
import regex

from pipeline.readers.common import marker

_SPACE_EM = 0.12  # a horizontal gap wider than this many ems between two glyphs is a word break
_COLUMN_EM = 2.0  # ... wider than this, a column break (header/signature tables)

# element kinds
_SKIP, _GLYPH, _SPACE = 0, 1, 2
_COORD_MAX = 1e5  # user-space units: a page is ~600-1200 wide; a coordinate beyond this is a broken matrix

# what cp1252 puts at the C1 codes U+0091..U+0097: ‘ ’ “ ” • – —
_CP1252_C1 = np.array([0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014], dtype=np.uint32)

# str.isspace() for every code point up to U+3000 (the last whitespace code point)
_IS_SPACE = np.array([chr(i).isspace() for i in range(0x3001)], dtype=np.bool_)


@dataclass(slots=True)  # slots: ~50 000 of them per 100 plans, built once and read many times
class PLine:
    """One line (or one column segment of a line) of a page, y measured downwards."""

    base: float
    size: float
    page: int
    x0: float = 0.0
    x1: float = 0.0
    text: str = ""
    sup_label: Optional[str] = None  # leading superscript number (footnote area)
    top: float = 0.0


class Glyphs:
    """A page's characters as arrays: code point, box (x0, x1), baseline (y down), font size, kind."""

    __slots__ = ("code", "x0", "x1", "base", "size", "kind", "repaired")

    def __init__(self, n: int) -> None:
        self.code = np.zeros(n, np.uint32)
        self.x0 = np.zeros(n, np.float64)
        self.x1 = np.zeros(n, np.float64)
        self.base = np.zeros(n, np.float64)
        self.size = np.ones(n, np.float64)
        self.kind = np.zeros(n, np.uint8)
        self.repaired = 0  # characters given a neighbour's position (repair_geometry)

    def n_glyphs(self) -> int:
        return int(np.count_nonzero(self.kind == _GLYPH))


# ----------------------------------------------------------------------------- PDFium calls
# The kernels call PDFium's C functions by name. The names are bound to the addresses of the library
# pypdfium2 loaded (LLVM's symbol table), so the compiled code refers to symbols, not to this process's
# addresses, and Numba can cache it on disk: a process loads the kernels in milliseconds instead of
# compiling them (~0.7 s) at every start. Pointers are passed as size_t.
_T = numba.types
_PDFIUM = {
    "FPDFText_GetUnicode": _T.uint32(_T.uintp, _T.intc),
    "FPDFText_IsGenerated": _T.intc(_T.uintp, _T.intc),
    "FPDFText_GetLooseCharBox": _T.intc(_T.uintp, _T.intc, _T.uintp),
    "FPDFText_GetCharOrigin": _T.intc(_T.uintp, _T.intc, _T.uintp, _T.uintp),
    "FPDFText_GetFontSize": _T.float64(_T.uintp, _T.intc),
    "FPDFPage_CountObjects": _T.intc(_T.uintp),
    "FPDFPage_GetObject": _T.uintp(_T.uintp, _T.intc),
    "FPDFFormObj_CountObjects": _T.intc(_T.uintp),
    "FPDFFormObj_GetObject": _T.uintp(_T.uintp, _T.uint64),  # unsigned long (LP64)
    "FPDFPageObj_GetType": _T.intc(_T.uintp),
    "FPDFPageObj_GetBounds": _T.intc(_T.uintp, _T.uintp, _T.uintp, _T.uintp, _T.uintp),
}


def _bind_pdfium() -> dict[str, "numba.types.ExternalFunction"]:
    for name in _PDFIUM:
        llvm.add_symbol(name, ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value)
    return {name: _T.ExternalFunction(name, sig) for name, sig in _PDFIUM.items()}


_C = _bind_pdfium()
get_unicode, is_generated = _C["FPDFText_GetUnicode"], _C["FPDFText_IsGenerated"]
get_box, get_origin, get_size = _C["FPDFText_GetLooseCharBox"], _C["FPDFText_GetCharOrigin"], _C["FPDFText_GetFontSize"]
count_objects, get_object = _C["FPDFPage_CountObjects"], _C["FPDFPage_GetObject"]
form_count, form_object = _C["FPDFFormObj_CountObjects"], _C["FPDFFormObj_GetObject"]
obj_type, obj_bounds = _C["FPDFPageObj_GetType"], _C["FPDFPageObj_GetBounds"]
_PATH, _FORM = int(pdfium_c.FPDF_PAGEOBJ_PATH), int(pdfium_c.FPDF_PAGEOBJ_FORM)


# explicit signatures: compiled (or loaded from the cache) at import, before any worker forks
@numba.njit("int64(uintp, int64, float64, boolean[::1], uint32[::1], float64[::1], float64[::1], float64[::1], float64[::1], uint8[::1])",
            nogil=True, cache=True)
def read_chars(tp, n, height, is_space, code, x0, x1, base, size, kind):  # pragma: no cover - compiled
    rect = np.empty(4, np.float32)  # FS_RECTF: left, top, right, bottom
    org = np.empty(2, np.float64)
    ra = rect.ctypes.data
    oa = org.ctypes.data
    n_space = is_space.shape[0]
    bad = 0  # characters whose geometry is not a finite, plausible number (returned)
    for i in range(n):
        c = get_unicode(tp, i)
        # a hyphen drawn with a control code for its text: PDFium's U+FFFE for a hyphen it takes for a soft one,
        # U+0002 for Word's non-breaking hyphen exported by LibreOffice 7.4, a cp1252 dash declared as Latin-1
        # (U+0096/U+0097); PDFium's own text dump takes these as hyphen-like control codes too. Quotes and
        # bullets mis-declared the same way (U+0091-U+0095) become the characters they are
        if c == 0xFFFE or c == 0x02:
            c = 0x2D
        elif 0x91 <= c <= 0x97:
            c = _CP1252_C1[c - 0x91]
        if c == 0 or c == 0xFFFF or c >= 0x110000 or c == 13 or c == 10 or is_generated(tp, i):
            kind[i] = _SKIP
            continue
        if 0xD800 <= c <= 0xDFFF:
            c = 0xFFFD
        code[i] = c
        get_box(tp, i, ra)
        left = rect[0]
        right = rect[2]
        if right < left:
            right = left
        if c < n_space and is_space[c]:
            if right <= left:  # a zero-width space says nothing about the layout
                kind[i] = _SKIP
                continue
            kind[i] = _SPACE
        else:
            kind[i] = _GLYPH
        get_origin(tp, i, oa, oa + 8)
        x0[i] = left
        x1[i] = right
        b = height - org[1]
        base[i] = b
        s = get_size(tp, i)
        size[i] = s if s > 0 else 1.0
        # a damaged matrix or font: NaN, infinite or absurd numbers (every comparison with NaN is false)
        if not (-_COORD_MAX < left < _COORD_MAX and -_COORD_MAX < right < _COORD_MAX
                and -_COORD_MAX < b < _COORD_MAX and s < _COORD_MAX):
            bad += 1
    return bad



@numba.njit("float64(uintp, float64, float64)", nogil=True, cache=True)
def separator(page, width, height):  # pragma: no cover - compiled
    box = np.empty(4, np.float32)  # left, bottom, right, top
    a0 = box.ctypes.data
    best = np.nan
    n = count_objects(page)
    for i in range(n):
        obj = get_object(page, i)
        t = obj_type(obj)
        m = 1
        if t == _FORM:
            m = form_count(obj)
        for j in range(m):
            o = obj
            if t == _FORM:
                o = form_object(obj, j)
                if obj_type(o) != _PATH:
                    continue
            elif t != _PATH:
                continue
            if not obj_bounds(o, a0, a0 + 4, a0 + 8, a0 + 12):
                continue
            left, bottom, right, top = box[0], box[1], box[2], box[3]
            if top - bottom > 2.5 or not (30.0 <= right - left <= 0.55 * width):
                continue
            y = height - top
            if y < 0.2 * height or left > 0.4 * width:
                continue
            if best != best or y < best:
                best = y
    return best


def footnote_rule(page) -> Optional[float]:
    """y (down) of a footnote separator: a short horizontal rule (a path, possibly inside a form
    XObject) in the lower part of the page, left-aligned."""
    sep = separator(ctypes.cast(page.raw, ctypes.c_void_p).value, float(page.get_width()), float(page.get_height()))
    return None if sep != sep else float(sep)


class RawPage:
    """A page loaded and closed through PDFium's C API, as ``PdfDocument.get_page`` and ``PdfPage.close``
    do (same calls, same error) for a document without a form environment, offering what
    :func:`page_glyphs` and :func:`footnote_rule` use of a pypdfium2 page.  pypdfium2's page object
    registers a finalizer per page, which cost about as much as reading the page's characters."""

    __slots__ = ("raw",)

    def __init__(self, pdf, index: int) -> None:
        raw = pdfium_c.FPDF_LoadPage(pdf.raw, index)
        if not raw:
            raise PdfiumError("Failed to load page.")
        self.raw = raw

    def get_width(self) -> float:
        return pdfium_c.FPDF_GetPageWidthF(self.raw)

    def get_height(self) -> float:
        return pdfium_c.FPDF_GetPageHeightF(self.raw)

    def close(self) -> None:
        pdfium_c.FPDF_ClosePage(self.raw)


def page_glyphs(page) -> Glyphs:
    """Every character of one pypdfium2 page with its geometry.

    The text page is loaded and closed through PDFium's C API, as ``page.get_textpage()``, ``count_chars()``
    and ``close()`` do (same calls, same errors), without pypdfium2's wrapper object: its finalizer
    bookkeeping cost more than reading a page's characters."""
    tp = pdfium_c.FPDFText_LoadPage(page.raw)
    if not tp:
        raise PdfiumError("Failed to load text page.")
    try:
        n = pdfium_c.FPDFText_CountChars(tp)
        if n == -1:
            raise PdfiumError("Failed to get character count.")
        g = Glyphs(max(n, 0))
        if n > 0:
            raw = ctypes.cast(tp, ctypes.c_void_p).value
            if read_chars(raw, n, float(page.get_height()), _IS_SPACE, g.code, g.x0, g.x1, g.base, g.size, g.kind):
                g.repaired = repair_geometry(g)
        return g
    finally:
        pdfium_c.FPDFText_ClosePage(tp)


def text_glyphs(line_boxes: list[tuple[str, float, float, float, float]]) -> Glyphs:
    """Glyphs for lines known only by their box (OCR): (text, left, right, baseline, size) each,
    characters spread evenly over the box so that column gaps and line clustering still apply."""
    total = sum(len(t) for t, *_ in line_boxes)
    g = Glyphs(total)
    k = 0
    for text, left, right, base, size in line_boxes:
        step = max(right - left, 1.0) / max(len(text), 1)
        for j, c in enumerate(text):
            g.code[k] = ord(c)
            g.x0[k] = left + j * step
            g.x1[k] = left + (j + 1) * step
            g.base[k] = base
            g.size[k] = size
            g.kind[k] = _SPACE if c.isspace() else _GLYPH
            k += 1
    return g


# ----------------------------------------------------------------------------- layout (compiled)
@numba.njit(nogil=True, cache=True)
def _group_lines(base, size, glyph):  # pragma: no cover - compiled
    """Line number of every element, elements sorted by baseline."""
    n = base.shape[0]
    gid = np.empty(n, np.int64)
    g = -1
    anchor = 0.0
    gmax = 0.0
    for k in range(n):
        if g >= 0 and base[k] - anchor <= 0.5 * max(gmax, size[k]):
            gid[k] = g
            if glyph[k] and size[k] > gmax:
                gmax = size[k]
            continue
        g += 1
        gid[k] = g
        anchor = base[k]
        gmax = size[k] if glyph[k] else 0.0
    return gid


@numba.njit(nogil=True, cache=True)
def _x_less(x0, x1, i, j):  # pragma: no cover - compiled
    """Element i before element j by (x0, x1), in NumPy's sort order for floats (NaN after everything)."""
    a, b = x0[i], x0[j]
    if a < b or (b != b and a == a):
        return True
    if b < a or (a != a and b == b):
        return False
    a, b = x1[i], x1[j]
    return a < b or (b != b and a == a)


@numba.njit(nogil=True, cache=True)
def _order_in_lines(gid, x0, x1):  # pragma: no cover - compiled
    """``np.lexsort((x1, x0, gid))`` for a non-decreasing ``gid`` (elements already grouped by line):
    a stable sort of each line by (x0, x1), so each line is sorted on its own (lexsort sorts the whole
    page three times).  Returns the permutation, or an empty array if ``gid`` is not non-decreasing."""
    n = gid.shape[0]
    perm = np.arange(n)
    for k in range(1, n):
        if gid[k] < gid[k - 1]:
            return np.empty(0, np.int64)
    tmp = np.empty(n, np.int64)
    run = 16
    a = 0
    while a < n:
        b = a + 1
        while b < n and gid[b] == gid[a]:
            b += 1
        # stable insertion sort of chunks of `run` elements (a line is mostly in order already) ...
        for c in range(a, b, run):
            ce = min(c + run, b)
            for k in range(c + 1, ce):
                v = perm[k]
                m = k
                while m > c and _x_less(x0, x1, v, perm[m - 1]):
                    perm[m] = perm[m - 1]
                    m -= 1
                perm[m] = v
        # ... then stable bottom-up merges (the right element goes first only when strictly less)
        width = run
        while width < b - a:
            for lo in range(a, b, 2 * width):
                mid = min(lo + width, b)
                hi = min(lo + 2 * width, b)
                if mid >= hi or not _x_less(x0, x1, perm[mid], perm[mid - 1]):
                    continue  # already in order
                i, j, o = lo, mid, lo
                while i < mid and j < hi:
                    if _x_less(x0, x1, perm[j], perm[i]):
                        tmp[o] = perm[j]
                        j += 1
                    else:
                        tmp[o] = perm[i]
                        i += 1
                    o += 1
                while i < mid:
                    tmp[o] = perm[i]
                    i += 1
                    o += 1
                while j < hi:
                    tmp[o] = perm[j]
                    j += 1
                    o += 1
                perm[lo:hi] = tmp[lo:hi]
            width *= 2
        a = b
    return perm


@numba.njit(nogil=True, cache=True)
def _mode_first(vals, a, b, mask):  # pragma: no cover - compiled
    """Most common of vals[a:b] where mask (NaN if none); ties -> the value seen first, as collections.Counter."""
    first = -1
    for k in range(a, b):
        if mask[k]:
            first = k
            break
    if first < 0:
        return np.nan
    v0 = vals[first]
    uniform = True
    for k in range(first + 1, b):
        if mask[k] and vals[k] != v0:
            uniform = False
            break
    if uniform:
        return v0
    best = v0
    best_n = 0
    for k in range(first, b):
        if not mask[k]:
            continue
        v = vals[k]
        seen = False
        for j in range(first, k):
            if mask[j] and vals[j] == v:
                seen = True
                break
        if seen:
            continue
        cnt = 0
        for j in range(k, b):
            if mask[j] and vals[j] == v:
                cnt += 1
        if cnt > best_n:
            best_n = cnt
            best = v
    return best


@numba.njit(nogil=True, cache=True)
def _lay_out(gid, code, x0, x1, base, size, glyph, digit, space_em, column_em):  # pragma: no cover - compiled
    """Elements sorted by (line, x0, x1).  Returns the segments (column pieces of lines) as rows of
    [start, end, base, size, x0, x1, has_superscript] and the page text as code points, one 0 after
    each segment (a segment with superscripts gets no text here: Python lays it out)."""
    n = code.shape[0]
    rsize = np.empty(n, np.float64)
    rbase = np.empty(n, np.float64)
    for k in range(n):
        rsize[k] = np.round(size[k] * 2.0) / 2.0
        rbase[k] = np.round(base[k] * 2.0) / 2.0
    big = np.zeros(n, np.bool_)
    segs = np.empty((n + 1, 7), np.float64)
    out = np.empty(3 * n + 1, np.uint32)  # at most a space and a glyph per element, a 0 per segment
    n_seg = 0
    n_out = 0
    a = 0
    while a < n:
        b = a + 1
        while b < n and gid[b] == gid[a]:
            b += 1
        lsize = _mode_first(rsize, a, b, glyph)
        if lsize != lsize:  # no glyph on this line (spaces only)
            a = b
            continue
        for k in range(a, b):
            big[k] = glyph[k] and size[k] >= 0.8 * lsize
        lbase = _mode_first(rbase, a, b, big)
        if lbase != lbase:
            for k in range(a, b):
                if glyph[k]:
                    lbase = base[k]
                    break
        gap_space = space_em * max(lsize, 1.0)
        # column segments: split before a glyph far right of the previous glyph
        s = a
        while s < b:
            e = s
            has_last = False
            last_x1 = 0.0
            while e < b:
                if glyph[e] and has_last and x0[e] - last_x1 > column_em * lsize and e > s:
                    break
                if glyph[e]:
                    last_x1 = x1[e]
                    has_last = True
                e += 1
            # segment [s, e)
            sx0 = 0.0
            sx1 = -1e300
            got = False
            sup = False
            for k in range(s, e):
                if glyph[k]:
                    if not got:
                        sx0 = x0[k]
                        got = True
                    if x1[k] > sx1:
                        sx1 = x1[k]
                    if digit[k] and size[k] < 0.8 * lsize and base[k] < lbase - 0.12 * lsize:
                        sup = True
            if not got:
                sx1 = 0.0
            segs[n_seg, 0] = s
            segs[n_seg, 1] = e
            segs[n_seg, 2] = lbase
            segs[n_seg, 3] = lsize
            segs[n_seg, 4] = sx0
            segs[n_seg, 5] = sx1
            segs[n_seg, 6] = 1.0 if sup else 0.0
            n_seg += 1
            if not sup:
                emitted = False
                last_space = False
                prev = -1
                for k in range(s, e):
                    if not glyph[k]:
                        if emitted and not last_space:
                            out[n_out] = 32
                            n_out += 1
                            last_space = True
                        prev = k
                        continue
                    if prev >= 0 and glyph[prev] and x0[k] - x1[prev] > gap_space and emitted and not last_space:
                        out[n_out] = 32
                        n_out += 1
                        last_space = True
                    out[n_out] = code[k]
                    n_out += 1
                    emitted = True
                    last_space = False
                    prev = k
            out[n_out] = 0
            n_out += 1
            s = e
        a = b
    return segs[:n_seg], out[:n_out]


_IS_DIGIT = np.array([chr(i).isdigit() for i in range(0x10000)], dtype=np.bool_)  # _sup_kernel reads it as a global (a constant)


@numba.njit(nogil=True, cache=True)
def _page_layout(order, code_all, x0_all, x1_all, base_all, size_all, kind_all, is_digit, space_em, column_em):  # pragma: no cover - compiled
    """Everything :func:`lay_out` does to a page between the baseline sort and the Python lines, in one
    compiled call: a Python -> Numba call unboxes each array argument (~1 µs each), and the per-page gathers
    and three kernel calls this replaces cost ~70 µs a page.  ``order``: the kept elements sorted (stably) by
    baseline.  Returns (segs, out, code, x0, x1, base, size, glyph) -- the elements in layout order
    (:func:`_superscript_line` reads them)."""
    m = order.shape[0]
    sbase = np.empty(m, np.float64)
    ssize = np.empty(m, np.float64)
    sglyph = np.empty(m, np.bool_)
    sx0 = np.empty(m, np.float64)
    sx1 = np.empty(m, np.float64)
    for k in range(m):
        o = order[k]
        sbase[k] = base_all[o]
        ssize[k] = size_all[o]
        sglyph[k] = kind_all[o] == _GLYPH
        sx0[k] = x0_all[o]
        sx1[k] = x1_all[o]
    gid = _group_lines(sbase, ssize, sglyph)
    o2 = _order_in_lines(gid, sx0, sx1)
    code = np.empty(m, np.uint32)
    x0 = np.empty(m, np.float64)
    x1 = np.empty(m, np.float64)
    base = np.empty(m, np.float64)
    size = np.empty(m, np.float64)
    glyph = np.empty(m, np.bool_)
    digit = np.empty(m, np.bool_)
    g2 = np.empty(m, np.int64)
    if o2.shape[0] != m:  # cannot happen: _group_lines numbers the lines in order (it only ever increments)
        raise ValueError("internal error: lines not numbered in order")
    n_digit = is_digit.shape[0]
    for k in range(m):
        j = o2[k]
        o = order[j]
        c = code_all[o]
        code[k] = c
        x0[k] = sx0[j]
        x1[k] = sx1[j]
        base[k] = sbase[j]
        size[k] = ssize[j]
        glyph[k] = sglyph[j]
        digit[k] = c < n_digit and is_digit[c]
        g2[k] = gid[j]
    segs, out = _lay_out(g2, code, x0, x1, base, size, glyph, digit, space_em, column_em)
    return segs, out, code, x0, x1, base, size, glyph


def repair_geometry(g: Glyphs) -> int:
    """Give each character whose box, baseline or size is not a finite, plausible number (a damaged text
    matrix or font in the PDF) the line of the character read before it, spanning from that one's right edge
    to the next good character's left edge when both are on one line (else zero-wide; the first ones: at the
    next good character's left edge), so it stays in its place in the line instead of garbling the page or
    failing the file. Returns how many were repaired."""
    used = g.kind != _SKIP
    ok = (np.isfinite(g.x0) & np.isfinite(g.x1) & np.isfinite(g.base) & np.isfinite(g.size)
          & (np.abs(g.x0) < _COORD_MAX) & (np.abs(g.x1) < _COORD_MAX) & (np.abs(g.base) < _COORD_MAX)
          & (g.size < _COORD_MAX))
    bad = np.flatnonzero(used & ~ok)
    if bad.size == 0:
        return 0
    good = np.flatnonzero(used & ok)
    for i in bad.tolist():
        k = int(np.searchsorted(good, i))  # good[k - 1] is the last good character before i
        if k > 0:
            j = int(good[k - 1])
            x = g.x1[j]
        elif good.size:
            j = int(good[0])
            x = g.x0[j]
        else:
            j, x = -1, 0.0
        g.x0[i] = g.x1[i] = x
        if 0 < k < good.size:  # between two good characters: fill the gap up to the next one on the same line
            m = int(good[k])
            if g.base[m] == g.base[j] and g.x0[m] > x:
                g.x1[i] = g.x0[m]
        g.base[i] = g.base[j] if j >= 0 else 0.0
        g.size[i] = g.size[j] if j >= 0 else 1.0
    return int(bad.size)


def lay_out(g: Glyphs, page_no: int) -> list[PLine]:
    """A page's glyphs -> its lines (top to bottom, left to right within a row)."""
    keep = np.flatnonzero(g.kind)
    if keep.size == 0:
        return []
    order = keep[np.argsort(g.base[keep], kind="stable")]  # NumPy's stable sort (NaN last), as before
    segs, out, code, x0, x1, base, size, glyph = _page_layout(
        order, g.code, g.x0, g.x1, g.base, g.size, g.kind, _IS_DIGIT, _SPACE_EM, _COLUMN_EM)
    return _lines_of(segs, out, code, x0, x1, base, size, glyph, page_no)


def _line_order(segs: np.ndarray) -> list[int]:
    """Indices of the segments sorted by (round(base), x0), as ``sorted(key=lambda: (round(base, 0), x0))``:
    np.lexsort is stable and np.round (to even) rounds as Python's round(x, 0) does.  Python compares
    tuples holding NaN differently from NumPy, so a NaN (not seen in practice) takes Python's sort."""
    rbase, sx0 = np.round(segs[:, 2]), segs[:, 4]
    if np.isnan(rbase).any() or np.isnan(sx0).any():
        keys = list(zip(rbase.tolist(), sx0.tolist()))
        return sorted(range(len(keys)), key=keys.__getitem__)
    return np.lexsort((sx0, rbase)).tolist()


def _lines_of(segs: np.ndarray, out: np.ndarray, code, x0, x1, base, size, glyph, page_no: int) -> list[PLine]:
    """The segments of :func:`_lay_out` -> PLines in reading order (empty ones dropped)."""
    texts = out.tobytes().decode("utf-32-le").split("\x00")
    rows = segs.tolist()
    lines: list[PLine] = []
    # sorted before the empty segments are dropped: a stable sort keeps the kept ones in the same order
    for i in _line_order(segs):
        s, e, lbase, lsize, sx0, sx1, sup = rows[i]
        label: Optional[str] = None
        if sup:
            text, label = _superscript_text(int(s), int(e), code, x0, x1, base, size, glyph, lbase, lsize)
        else:
            text = texts[i].strip()
        if text:  # positional: base, size, page, x0, x1, text, sup_label, top
            lines.append(PLine(lbase, lsize, page_no, sx0, sx1, text, label, lbase - lsize))
    return lines


_UNIT_RE = regex.compile(r"(?:\b(?:k|c|d|m)?m|ha)$")


@numba.njit(nogil=True, cache=True)
def _sup_kernel(s, e, code, x0, x1, base, size, glyph, lbase, lsize, space_em):  # pragma: no cover - compiled
    """:func:`_superscript_line` for the elements [s, e), compiled, except the one decision that needs the
    unit pattern: every superscript run after text is written as plain digits and listed in ``runs`` (its
    start and end in ``out``), and the caller makes it a marker or leaves it ("m²").  None of the choices
    made here depends on that decision (a marker and plain digits both end in a non-space).  Returns
    (ok, out, runs, lead): ok is False when a glyph lies beyond the BMP (the digit test here is
    ``_IS_DIGIT``'s, str.isdigit() covers more), lead is the leading label's digits (empty when none)."""
    n = e - s
    out = np.empty(2 * n + 1, np.uint32)
    runs = np.empty((n + 1, 2), np.int64)
    run = np.empty(n + 1, np.uint32)
    lead = np.empty(n + 1, np.uint32)
    n_out = 0
    n_runs = 0
    n_run = 0
    n_lead = 0
    visible_seen = False
    seen_before_sup = False
    gap_space = space_em * max(lsize, 1.0)
    small = 0.8 * lsize
    raised = lbase - 0.12 * lsize
    prev = -1
    for k in range(s, e + 1):
        # k == e: the final flush; flush = what _superscript_line's flush_sup does, inlined at each call site
        flush = k == e
        emit_space = False
        is_sup = False
        if k < e:
            c = code[k]
            if glyph[k] and c > 0xFFFF:
                return False, out[:0], runs[:0], lead[:0]
            if not glyph[k]:
                if n_out > 0 and out[n_out - 1] != 32:
                    flush = True
                    emit_space = True
                prev = k
            else:
                is_sup = _IS_DIGIT[c] and size[k] < small and base[k] < raised
                if prev >= 0 and glyph[prev] and x0[k] - x1[prev] > gap_space and not is_sup:
                    flush = True
                    emit_space = True  # only if the output still does not end in a space (checked below)
                if not is_sup:
                    flush = True
        if flush and n_run > 0:
            if not seen_before_sup:
                for j in range(n_run):
                    lead[j] = run[j]
                n_lead = n_run
            else:
                runs[n_runs, 0] = n_out
                for j in range(n_run):
                    out[n_out] = run[j]
                    n_out += 1
                runs[n_runs, 1] = n_out
                n_runs += 1
            n_run = 0
        if k == e:
            break
        if emit_space and n_out > 0 and out[n_out - 1] != 32:
            out[n_out] = 32
            n_out += 1
        if glyph[k]:
            if is_sup:
                if n_run == 0:
                    seen_before_sup = visible_seen
                run[n_run] = code[k]
                n_run += 1
            else:
                out[n_out] = code[k]
                n_out += 1
                visible_seen = True
            prev = k
    return True, out[:n_out], runs[:n_runs], lead[:n_lead]


def _superscript_text(s: int, e: int, code, x0, x1, base, size, glyph, lbase: float, lsize: float) -> tuple[str, Optional[str]]:
    """:func:`_superscript_line` of the elements [s, e): the compiled kernel lays the segment out, Python
    decides for each superscript run after text whether it is a footnote marker or digits after a unit."""
    ok, out, runs, lead = _sup_kernel(s, e, code, x0, x1, base, size, glyph, lbase, lsize, _SPACE_EM)
    try:
        text = out.tobytes().decode("utf-32-le")
    except UnicodeDecodeError:  # a lone surrogate (OCR text): chr() takes it, the codec does not
        ok = False
    if not ok:
        return _superscript_line(range(s, e), code, x0, x1, base, size, glyph, lbase, lsize)
    label = lead.tobytes().decode("utf-32-le") if lead.size else None  # digits only
    if not runs.size:
        return text.strip(), label
    done: list[str] = []  # the text so far, runs decided (the unit test reads its last 3 characters)
    last = 0
    for a, b in runs.tolist():
        done.append(text[last:a])
        lab = text[a:b]
        done.append(lab if _UNIT_RE.search("".join(done)[-3:]) else marker(lab))
        last = b
    done.append(text[last:])
    return "".join(done).strip(), label


def _superscript_line(idx: range, code, x0, x1, base, size, glyph, lbase: float, lsize: float) -> tuple[str, Optional[str]]:
    """Lay out a segment holding superscript digits: a run of them after text is a footnote marker
    (plain digits after a unit: "m²"); a run opening the line is returned as the line's label."""
    parts: list[str] = []
    sup_run: list[str] = []
    lead_label: Optional[str] = None
    visible_seen = False
    seen_before_sup = False
    prev: Optional[int] = None

    def flush_sup() -> None:
        nonlocal lead_label
        if not sup_run:
            return
        lab = "".join(sup_run)
        sup_run.clear()
        if not seen_before_sup:
            lead_label = lab
        elif _UNIT_RE.search("".join(parts)[-3:]):
            parts.append(lab)
        else:
            parts.append(marker(lab))

    gap_space = _SPACE_EM * max(lsize, 1.0)
    small, raised = 0.8 * lsize, lbase - 0.12 * lsize
    # the segment's elements as Python lists (the same values; indexing NumPy scalars one by one is slow);
    # k below is the position inside the segment
    ids = list(idx)
    code, x0, x1, base, size, glyph = (a[ids].tolist() for a in (code, x0, x1, base, size, glyph))
    for k in range(len(ids)):
        c = chr(code[k])
        if not glyph[k]:
            if parts and not parts[-1].endswith(" "):
                flush_sup()
                parts.append(" ")
            prev = k
            continue
        is_sup = c.isdigit() and size[k] < small and base[k] < raised
        if prev is not None and glyph[prev] and x0[k] - x1[prev] > gap_space and not is_sup:
            flush_sup()
            if parts and not parts[-1].endswith(" "):
                parts.append(" ")
        if is_sup:
            if not sup_run:
                seen_before_sup = visible_seen
            sup_run.append(c)
        else:
            flush_sup()
            parts.append(c)
            visible_seen = True
        prev = k
    flush_sup()
    return "".join(parts).strip(), lead_label


def warm_up() -> None:
    """Run the layout kernels once now (before forking workers, so that each worker does not load its own)."""
    g = text_glyphs([("Tỉnh ủy 1", 10.0, 60.0, 100.0, 12.0), ("2", 61.0, 64.0, 96.0, 7.0)])
    lay_out(g, 1)
