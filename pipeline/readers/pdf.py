"""PDF reader on pypdfium2 (per-character geometry, no pdfplumber).

1. every page's glyphs -> lines (``pdf_lines``: baseline clustering, left-to-right order,
   column gaps, superscript digits -> footnote markers); pages without a usable text layer are OCRed;
2. drop running headers/footers and page numbers (top/bottom zone, repeated or "3", "- 3 -", "Trang 3");
3. the bottom run of small-font lines starting with a footnote number (or below a footnote rule) is the
   footnote area -> footnotes (continued across pages);
4. side-by-side column runs (header / signature tables) become table cells; the rest is rebuilt into
   paragraphs across lines and page breaks (``common.rebuild_paragraphs``).
"""
from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Optional, Union

import numpy as np
import regex

from pipeline.errors import ReadError
from pipeline.readers.ocr import needs_ocr, ocr_pdf_page, repair_ocr_text, tesseract_available
from pipeline.readers.pdf_lines import Glyphs, PLine, RawPage, footnote_rule, lay_out, page_glyphs, text_glyphs
from pipeline.readers.common import (
    PAGE_NUMBER_RE,
    Line,
    RawBlock,
    RawDoc,
    RawFootnote,
    ReadLimits,
    classify,
    join_lines,
    join_two,
    rebuild_paragraphs,
    MARK_OPEN,
    MARK_CLOSE,
)

_FPDF_ERR_PASSWORD = 4
_FPDF_ERR_SECURITY = 6


@dataclass
class _Columns:
    """A run of lines laid out in side-by-side columns (header/signature tables)."""

    columns: list[list[PLine]] = field(default_factory=list)
    page: int = 0


def _open(data: bytes, path: str):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == _FPDF_ERR_PASSWORD:
            raise ReadError("encrypted", "is password-protected (encrypted PDF); it cannot be read without the password", path)
        if code == _FPDF_ERR_SECURITY:
            raise ReadError("encrypted", "uses an unsupported PDF security handler (encrypted)", path)
        raise ReadError("corrupt", f"is a damaged PDF that PDFium cannot open ({e})", path)


def _mode(values: list[float], default: float) -> float:
    """Most common value rounded to 0.5 (ties: first seen)."""
    if not values:
        return default
    return Counter(round(v * 2) / 2 for v in values).most_common(1)[0][0]


def _fits_column(x: PLine, col: list[PLine], em: float) -> bool:
    """Does line x follow the column's alignment (left, centred or right)?"""
    tol = 0.6 * em
    checks = (
        lambda ln: ln.x0,
        lambda ln: (ln.x0 + ln.x1) / 2,
        lambda ln: ln.x1,
    )
    for f in checks:
        ref = f(col[0])
        if all(abs(f(ln) - ref) < tol for ln in col) and abs(f(x) - ref) < tol:
            return True
    return False


def _group_columns(lines: list[PLine], em: float, left: float, right: float) -> list[Union[PLine, _Columns]]:
    """Find runs of side-by-side lines (same baseline, separated by a wide gap).

    A run starts at a row holding two or more segments; following rows join it
    while each of their lines overlaps exactly one column's horizontal extent
    and the vertical gap stays small.
    """
    out: list[Union[PLine, _Columns]] = []
    i = 0
    n = len(lines)

    def row_at(k: int) -> int:
        m = k + 1
        while m < n and lines[m].page == lines[k].page and abs(lines[m].base - lines[k].base) < 0.5 * em:
            m += 1
        return m

    while i < n:
        j = row_at(i)
        if j - i < 2:
            out.append(lines[i])
            i += 1
            continue
        first = sorted(lines[i:j], key=lambda x: x.x0)
        cols: list[list[PLine]] = [[x] for x in first]
        ext = [[x.x0, x.x1] for x in first]
        k = j
        bases = [lines[i].base]
        while k < n:
            m = row_at(k)
            row = lines[k:m]
            steps = sorted(b2 - a2 for a2, b2 in zip(bases, bases[1:]))
            limit = max(1.6 * steps[len(steps) // 2], 2.2 * em) if steps else 2.2 * em
            if lines[k].page != lines[i].page or lines[k].base - bases[-1] > limit:
                break
            idx: list[Optional[int]] = []
            for x in row:
                hits = [c for c, (a, b) in enumerate(ext) if x.x0 < b + 0.5 * em and x.x1 > a - 0.5 * em]
                c = hits[0] if len(hits) == 1 else None
                if c is not None and not _fits_column(x, cols[c], em):
                    c = None
                idx.append(c)
            if any(c is None for c in idx) or len(set(idx)) != len(idx):
                break
            for x, c in zip(row, idx):
                cols[c].append(x)
                ext[c][0] = min(ext[c][0], x.x0)
                ext[c][1] = max(ext[c][1], x.x1)
            bases.append(lines[k].base)
            k = m
        out.append(_Columns(columns=cols, page=lines[i].page))
        i = k
    return out


_STREAM_RE = regex.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
# What a PDF reader inflates: zlib data (RFC 1950 header: CM=8, header checksum).  Detected from the bytes,
# not from the stream dictionary, because "/Filter 5 0 R" or a long dictionary would hide the filter name.
_TOTAL_FACTOR = 8  # all streams together may inflate to this many times the per-stream limit


def _zlib_header(b: bytes) -> bool:
    return len(b) >= 2 and (b[0] & 0x0F) == 8 and (b[0] >> 4) <= 7 and ((b[0] << 8) | b[1]) % 31 == 0


def _zlib_streams(data: bytes) -> Iterator[memoryview]:
    """The bytes of every stream of the file that starts with a zlib header (up to its "endstream")."""
    for m in _STREAM_RE.finditer(data):
        start = m.end()
        if not _zlib_header(data[start : start + 2]):
            continue
        end = data.find(b"endstream", start)
        yield memoryview(data)[start : end if end > 0 else len(data)]


# Deflate cannot expand more than 1032:1 (at best 2 bits -- a 1-bit length code for 258 bytes and a 1-bit
# distance code -- per 258 output bytes; zlib's header and checksum add nothing).
_MAX_INFLATE_RATIO = 1032


def _inflate_bound(data: bytes) -> int:
    """An upper bound of what :func:`check_streams` can count: every zlib stream at the maximum ratio.
    When it is within the per-stream limit, check_streams cannot refuse the file (each stream, and all
    of them together, stay within the limit), so there is nothing to inflate."""
    return _MAX_INFLATE_RATIO * sum(len(view) for view in _zlib_streams(data))


def check_streams(data: bytes, path: str, limit: int) -> int:
    """Inflate every zlib (Flate) stream of the file within a budget; refuse a decompression bomb.

    A single stream may inflate to at most ``limit`` bytes (a whole 600 dpi colour page is ~100 MB) and all
    streams together to ``_TOTAL_FACTOR * limit``.  Streams are inflated in 1 MB steps and never kept, so
    memory stays small whatever the file claims.  Returns the total inflated size.
    """
    total = 0
    cap = _TOTAL_FACTOR * limit
    for view in _zlib_streams(data):
        d = zlib.decompressobj()
        size = 0
        pos = 0
        try:
            while pos < len(view) and not d.eof:
                out = d.decompress(view[pos : pos + 65536], 1 << 20)
                pos += 65536
                size += len(out)
                while d.unconsumed_tail and size <= limit and not d.eof:
                    size += len(d.decompress(d.unconsumed_tail, 1 << 20))
                if size > limit:
                    break
        except zlib.error:
            pass  # a damaged or not-really-zlib stream: PDFium decides what to do with it; count what inflated
        total += size
        if size > limit:
            raise ReadError(
                "too_large",
                f"has a compressed stream that inflates to over {limit / 1e6:.0f} MB (decompression bomb?); refused",
                path,
            )
        if total > cap:
            raise ReadError(
                "too_large",
                f"has compressed streams that inflate to over {cap / 1e6:.0f} MB in all (decompression bomb?); refused",
                path,
            )
    return total


def read_pdf(data: bytes, path: str, limits: ReadLimits) -> RawDoc:
    if _inflate_bound(data) > limits.max_uncompressed_bytes:  # else no stream can be a bomb: skip inflating
        check_streams(data, path, limits.max_uncompressed_bytes)
    pdf = _open(data, path)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ReadError("empty", "is a PDF with no pages", path)
        if n_pages > limits.max_pages:
            raise ReadError("too_large", f"has {n_pages} pages, over the {limits.max_pages}-page limit", path)
        pages: list[list[PLine]] = []
        heights_pages: list[float] = []
        seps: list[Optional[float]] = []
        n_chars = 0
        page_info: dict[int, tuple[str, Optional[float]]] = {}
        warnings: list[str] = []
        ocr_ok = None  # tesseract availability, checked once when a page needs it
        for pi in range(n_pages):
            page = pdf[pi] if pdf.formenv else RawPage(pdf, pi)  # (forms are never initialised here)
            try:
                H = page.get_height()
                glyphs = page_glyphs(page)  # (characters with a broken position get a neighbour's: repair_geometry)
                if glyphs.repaired:
                    warnings.append(f"page {pi + 1}: {glyphs.repaired} character(s) with an invalid position (damaged PDF), "
                                    "placed after the character before them")
                n_glyphs = glyphs.n_glyphs()
                seps.append(footnote_rule(page) if n_glyphs else None)
            finally:
                page.close()
            method, conf = "text", None
            lines = lay_out(glyphs, pi + 1)
            page_text = _MARKER_RE.sub("", "\n".join(ln.text for ln in lines))  # our own markers are not bad glyphs
            # OCR a page with no text layer, or with a long text layer that is gibberish; a short
            # real text layer (a signature page) is kept as it is.
            if not page_text or (len(page_text) >= 40 and not _clearly_text(page_text) and needs_ocr(page_text)):
                if ocr_ok is None:
                    ocr_ok = tesseract_available()
                if ocr_ok:
                    glyphs, conf = _ocr_glyphs(data, pi, path)
                    n_glyphs = glyphs.n_glyphs()
                    lines = lay_out(glyphs, pi + 1)
                    seps[-1] = None
                    method = "ocr"
                    warnings.append(f"page {pi + 1}: no usable text layer, read by OCR (mean confidence {conf:.0f})")
                elif not n_glyphs:
                    method = "empty"
            page_info[pi + 1] = (method, conf)
            n_chars += n_glyphs
            if n_chars > limits.max_chars:  # stop early: memory grows with the text kept
                raise ReadError("too_large", f"has over {limits.max_chars} characters of text in its first {pi + 1} page(s), over the character limit", path)
            heights_pages.append(H)
            pages.append(lines)
    finally:
        pdf.close()
    if n_chars == 0:
        hint = "" if ocr_ok else " — install Tesseract with its Vietnamese model (apt-get install tesseract-ocr tesseract-ocr-vie) to read scanned plans"
        raise ReadError("no_text_layer", f"has {n_pages} page(s) but no text layer (scanned images?); OCR is needed{hint}", path)
    raw = _assemble(pages, heights_pages, seps, n_pages,
                    ocr_pages=frozenset(p for p, (m, _) in page_info.items() if m == "ocr"))
    raw.page_info = page_info
    raw.warnings.extend(warnings)
    return raw


_VN_LETTER_RE = regex.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u00c0-\u00c3\u00c8-\u00ca\u00cc\u00cd\u00d2-\u00d5\u00d9\u00da\u00dd\u00e0-\u00e3\u00e8-\u00ea\u00ec\u00ed\u00f2-\u00f5\u00f9\u00fa\u00fd\u1ea0-\u1ef9]")
_DIGITS_RE = regex.compile(r"\d+")
_LABEL_RE = regex.compile(MARK_OPEN + r"(\d{1,3})" + MARK_CLOSE)
_ANY_MARKER_RE = regex.compile(MARK_OPEN + r"([^" + MARK_CLOSE + r"]{0,12})" + MARK_CLOSE)
_MARKER_RE = regex.compile(MARK_OPEN + r"[^" + MARK_CLOSE + r"]{0,12}" + MARK_CLOSE)
_BAD_GLYPH_RE = regex.compile(r"[\ufffd\ue000-\uf8ff]")
# _VN_LETTER_RE as a table over code points (built from the pattern itself, so the two cannot disagree);
# the last entry (False) stands for every code point beyond it.  The pattern's highest member is U+1EF9.
_VN_LETTER_TABLE = np.array([_VN_LETTER_RE.match(chr(i)) is not None for i in range(0x1EFA)] + [False], dtype=np.bool_)


def _count_vn_letters(text: str) -> int:
    """len(_VN_LETTER_RE.findall(text)), by table look-up over the code points (no match objects)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return int(np.count_nonzero(_VN_LETTER_TABLE[np.minimum(codes, len(_VN_LETTER_TABLE) - 1)]))


def _clearly_text(page_text: str) -> bool:
    """Cheap test that a page's text layer is real Vietnamese text (skips the full needs_ocr analysis)."""
    head = page_text[:4000]
    return len(head) >= 200 and _count_vn_letters(head) >= 0.08 * len(head) and not _BAD_GLYPH_RE.search(head)


def _ocr_glyphs(data: bytes, page_index: int, path: str) -> tuple[Glyphs, float]:
    """OCR one page; its lines become glyphs laid out over each line's box, so the
    ordinary line/paragraph/footnote reconstruction applies to scanned pages too."""
    try:
        pg = ocr_pdf_page(data, page_index, dpi=None, name=path)
    except RuntimeError as exc:
        raise ReadError("no_text_layer", f"page {page_index + 1} needs OCR, which failed: {exc}", path) from exc
    texts = [t for t in repair_ocr_text(pg.text).split("\n") if t.strip()]
    boxes = []
    for text, ln in zip(texts, pg.lines):
        h = max(ln.bottom - ln.top, 1.0)
        boxes.append((text.strip(), ln.left, max(ln.right, ln.left + 1.0), ln.bottom - h * 0.18, h * 0.8))
    return text_glyphs(boxes), float(pg.mean_confidence or 0.0)


def _body_size(pages: list[list[PLine]]) -> float:
    """The font size (rounded to 0.5) holding the most characters; ties: the size seen first.  Summed per
    exact size first (a plan has a handful of sizes, and rounding each of its ~500 lines costs more), then
    folded into the rounded sizes in order of first appearance, so Counter.most_common sees the same order."""
    by_size: dict[float, int] = {}
    for p in pages:
        for ln in p:
            by_size[ln.size] = by_size.get(ln.size, 0) + len(ln.text)
    weights: Counter = Counter()
    for size, n in by_size.items():
        weights[round(size * 2) / 2] += n
    return weights.most_common(1)[0][0] if weights else 12.0


def _assemble(pages: list[list[PLine]], heights: list[float], seps: list[Optional[float]], n_pages: int,
              ocr_pages: frozenset[int] = frozenset()) -> RawDoc:
    """The document's blocks and footnotes from its pages' lines. ``ocr_pages`` (1-based): pages read by OCR,
    whose line sizes are estimates (see :func:`rebuild_paragraphs`)."""
    body_size = _body_size(pages)
    em = body_size
    # ---- running headers / footers and page numbers
    keys: Counter = Counter()
    # per page: the digit-masked text of each line in the top/bottom zone (None for other lines)
    zone_keys: list[list[Optional[str]]] = []
    for p, H in zip(pages, heights):
        top, bottom = 0.12 * H, 0.90 * H  # running headers/footers live above/below these, per page
        masked = [_DIGITS_RE.sub("#", ln.text) if (ln.base < top or ln.base > bottom) else None for ln in p]
        zone_keys.append(masked)
        keys.update({k for k in masked if k is not None})
    repeated = {k for k, c in keys.items() if n_pages >= 3 and c >= max(2, 0.5 * n_pages)}
    kept_pages: list[list[PLine]] = []
    for p, masked in zip(pages, zone_keys):
        kept = []
        for ln, key in zip(p, masked):
            if key is not None:
                plain = ln.text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
                if PAGE_NUMBER_RE.match(plain) or (ln.sup_label and PAGE_NUMBER_RE.match(ln.sup_label + plain)):
                    continue
                if key in repeated:
                    continue
            kept.append(ln)
        kept_pages.append(kept)
    # ---- footnote areas
    footnotes: list[RawFootnote] = []
    body_pages: list[list[PLine]] = []
    pending: list[str] = []  # body marker labels still waiting for their footnote text
    for p, H, sep in zip(kept_pages, heights, seps):
        page_labels = _LABEL_RE.findall("".join(ln.text for ln in p))
        body_labels = set(page_labels)
        pending.extend(x for x in page_labels if x not in pending)
        known = body_labels | set(pending)
        k = len(p)
        if sep is not None:
            below = [i for i, ln in enumerate(p) if ln.base - ln.size * 0.8 > sep]
            if below and below[-1] == len(p) - 1 and not _multi_column(p[below[0]:]) and (_fn_label(p[below[0]], known) is not None or footnotes):
                k = below[0]
        if k == len(p):
            while k > 0 and p[k - 1].size < 0.9 * body_size:
                k -= 1
            if _multi_column(p[k:]):
                k = len(p)
            if k == len(p):  # same-size footnotes without a rule: topmost numbered line in the lower half
                for i, ln in enumerate(p):
                    if ln.base > 0.5 * H and ln.sup_label and ln.sup_label in known:
                        k = i
                        break
        area = p[k:]
        # the area must start with a footnote number (or continue the previous page's footnote)
        start = None
        for idx, ln in enumerate(area):
            lab = _fn_label(ln, known)
            if lab is not None:
                start = idx
                break
        if area and start is None and footnotes and k > 0 and sep is not None:
            start = len(area)  # continuation of the last footnote of a previous page (no new number)
        if start is None:
            body_pages.append(p)
            continue
        cont = area[:start]
        attached = bool(cont and footnotes and k > 0)
        if attached:
            footnotes[-1].text = join_lines([Line(text=footnotes[-1].text)] + [Line(text=x.text) for x in cont])
        for ln in area[start:]:
            lab = _fn_label(ln, known)
            text = _strip_label(ln, lab) if lab is not None else ln.text
            if lab is not None:
                footnotes.append(RawFootnote(label=lab, text=text, page=ln.page))
                if lab in pending:
                    pending.remove(lab)
            elif footnotes:
                footnotes[-1].text = join_two(footnotes[-1].text, text)
        body_pages.append(p[:k] if attached else p[:k] + cont)
    # ---- layout: column runs and paragraphs
    body_lines = [ln for p in body_pages for ln in p]
    xs = [ln.x0 for ln in body_lines if ln.size >= 0.9 * body_size]
    left = _mode(xs, 0.0) if xs else 0.0
    rights = sorted(ln.x1 for ln in body_lines)
    right = rights[int(0.9 * (len(rights) - 1))] if rights else left + 400
    items: list[Union[PLine, _Columns]] = []
    for p in body_pages:
        items.extend(_group_columns(p, em, left, right))
    blocks: list[RawBlock] = []
    run: list[PLine] = []  # PLines go to rebuild_paragraphs as they are: it reads what a Line has

    def flush() -> None:
        if not run:
            return
        for para in rebuild_paragraphs(run, left=left, right=right, em=em, estimated_size_pages=ocr_pages):
            text = join_lines(para)
            if text:
                blocks.append(RawBlock(kind=classify(text), text=text, page=para[0].page))
        run.clear()

    for it in items:
        if isinstance(it, _Columns):
            flush()
            for col in it.columns:
                text = "\n".join(x.text for x in col)
                if text.strip():
                    blocks.append(RawBlock(kind="table_cell", text=text, page=it.page))
        else:
            run.append(it)
    flush()
    labels = {f.label for f in footnotes}
    for b in blocks:  # markers without a footnote are plain superscript digits
        if MARK_OPEN in b.text:
            b.text = _ANY_MARKER_RE.sub(lambda m: m.group(0) if m.group(1) in labels else m.group(1), b.text)
    return RawDoc(blocks=blocks, footnotes=footnotes, n_pages=n_pages)


def _multi_column(lines: list[PLine]) -> bool:
    """True when two of the lines share a baseline (a table / column layout, not a footnote area)."""
    return any(a.page == b.page and abs(a.base - b.base) < 0.3 * max(a.size, 1.0) for a, b in zip(lines, lines[1:]))


_LEAD_NUM_RE = regex.compile(r"^(\d{1,3})[.)]?\s+(?=\S)")


def _fn_label(ln: PLine, body_labels: set[str]) -> Optional[str]:
    if ln.sup_label:
        return ln.sup_label
    m = _LEAD_NUM_RE.match(ln.text)
    if m and m.group(1) in body_labels:
        return m.group(1)
    return None


def _strip_label(ln: PLine, lab: str) -> str:
    if ln.sup_label:
        return ln.text
    m = _LEAD_NUM_RE.match(ln.text)
    return ln.text[m.end() :] if m else ln.text
