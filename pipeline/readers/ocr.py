"""OCR for scanned PDFs (Tesseract, Vietnamese) and safe repair of OCR noise in citations.

Public API::

    tesseract_available() -> bool
    needs_ocr(page_text) -> bool                      # no usable text layer?
    ocr_pdf_page(pdf_path, page_index, dpi=300) -> OcrPage   # dpi=None: the scan's own dpi
    ocr_pdf(pdf_path, pages=None, dpi=300) -> list[OcrPage]
    ocr_image(image) -> OcrPage                        # a PIL image
    repair_ocr_text(text) -> str                       # ONLY on OCR output

Tesseract runs as a subprocess (``tesseract <png> stdout -l vie --psm 6 tsv``) with a
timeout and ``OMP_THREAD_LIMIT=1`` (deterministic, friendly to shared CPUs).  The
page text is rebuilt from the TSV word boxes: one line per Tesseract line, a blank
line between Tesseract paragraphs/blocks, and the mean word confidence (0-100).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple, Optional, Union

import regex

from pipeline.legacy import detect_legacy

PathLike = Union[str, Path]
PdfSource = Union[str, Path, bytes]  # a path, or the PDF's bytes (then pass name= for messages)

TESSERACT = os.environ.get("TESSERACT_CMD", "tesseract")
LANG = "vie"
PSM = 6  # one uniform block of text: keeps body lines whole; deskew is Tesseract's
TIMEOUT_S = 180


@dataclass
class OcrLine:
    """One Tesseract text line; box in PDF points, origin top-left of the page (y grows down)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float  # mean word confidence of the line
    paragraph: int  # running paragraph number on the page (a blank line separates paragraphs in OcrPage.text)
    words: list[tuple[str, float, float, float, float]] = field(default_factory=list)  # (text, left, top, right, bottom)


@dataclass
class OcrPage:
    text: str
    mean_confidence: float  # mean word confidence 0-100 (-1 when no word was read)
    method: str = "ocr"
    page_index: int = 0  # 0-based page of the PDF
    seconds: float = 0.0  # wall time of the Tesseract call
    lines: list[OcrLine] = field(default_factory=list)
    dpi: int = 300


# ------------------------------------------------------------------ availability
@lru_cache(maxsize=1)
def tesseract_available(lang: str = LANG) -> bool:
    """True when the ``tesseract`` binary is on PATH and has the ``vie`` language data."""
    exe = shutil.which(TESSERACT)
    if not exe:
        return False
    try:
        res = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    langs = {ln.strip() for ln in (res.stdout + res.stderr).splitlines()}
    return lang in langs


def _require(path: PathLike) -> str:
    exe = shutil.which(TESSERACT)
    if not exe or not tesseract_available():
        raise RuntimeError(
            f"cannot OCR {path}: tesseract with Vietnamese data is not installed "
            "(apt-get install tesseract-ocr tesseract-ocr-vie)"
        )
    return exe


# ------------------------------------------------------------------ needs_ocr
# A Vietnamese syllable with diacritics stripped: onset + 1-3 vowels + coda.
_SYLLABLE = regex.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnptiyou])?"
)
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]{0,30}")
_CID = regex.compile(r"\(cid:\d{1,6}\)")
_VIET_LETTER = regex.compile(r"[\u00c0-\u00c3\u00c8-\u00ca\u00cc\u00cd\u00d2-\u00d5\u00d9\u00da\u00dd\u00e0-\u00e3\u00e8-\u00ea\u00ec\u00ed\u00f2-\u00f5\u00f9\u00fa\u00fd\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


def _strip(word: str) -> str:
    d = unicodedata.normalize("NFD", word.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in d if not unicodedata.combining(c)).lower()


def _bad_char(ch: str) -> bool:
    cp = ord(ch)
    if ch == "\ufffd" or 0xE000 <= cp <= 0xF8FF or 0xF0000 <= cp:
        return True
    return unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\n\t\r"


def text_quality(page_text: str) -> dict[str, float]:
    """Diagnostics used by :func:`needs_ocr`: counts and ratios of the page text."""
    text = _CID.sub("\ufffd", page_text)
    nonspace = [c for c in text if not c.isspace()]
    n = len(nonspace)
    bad = sum(1 for c in nonspace if _bad_char(c))
    letters = sum(1 for c in nonspace if c.isalpha())
    words = _WORD.findall(text)
    # syllable check on lower-case words; all-caps abbreviations (UBND, NQ) are neutral
    checked = valid = 0
    for w in words:
        if len(w) > 1 and w.isupper() and not _VIET_LETTER.search(w):
            continue
        checked += 1
        if _SYLLABLE.fullmatch(_strip(w)):
            valid += 1
    latin = [w for w in words if w.isascii()]
    voweled = sum(1 for w in latin if regex.search(r"[aeiouyAEIOUY]", w))
    return {
        "latin_voweled_ratio": voweled / len(words) if words else 0.0,
        "mean_word_len": sum(len(w) for w in words) / len(words) if words else 0.0,
        "chars": float(n),
        "bad_ratio": bad / n if n else 0.0,
        "letter_ratio": letters / n if n else 0.0,
        "words": float(checked),
        "syllable_ratio": valid / checked if checked else 0.0,
        "viet_letters": float(len(_VIET_LETTER.findall(text))),
    }


def needs_ocr(page_text: str, min_chars: int = 40) -> bool:
    """True when the page has no usable text layer and should be OCRed.

    Usable = enough characters, few replacement/private-use/(cid:N) glyphs, mostly
    letters, and words that are mostly valid Vietnamese syllables.  Text in a legacy
    encoding (TCVN3/VNI) counts as usable: convert it with :mod:`pipeline.legacy`.
    """
    q = text_quality(page_text)
    if q["chars"] < min_chars:
        return True
    if q["bad_ratio"] > 0.05:
        return True
    if detect_legacy(page_text) is not None:
        return False
    if q["letter_ratio"] < 0.5:
        return True
    if q["words"] >= 10 and q["syllable_ratio"] < 0.6:
        # a clean foreign-language page (English annex): long words, each with a vowel
        foreign = q["viet_letters"] == 0 and q["latin_voweled_ratio"] >= 0.9 and q["mean_word_len"] >= 3.5
        return not foreign
    return False


# ------------------------------------------------------------------ OCR
def _tsv_to_page(tsv: str, scale: float = 1.0) -> tuple[str, float, list[OcrLine]]:
    """Rebuild text (lines, blank line between paragraphs), mean confidence and line boxes
    (pixels * ``scale`` -> points) from Tesseract TSV."""
    rows = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    groups: list[tuple[tuple[int, int, int], list[str], list[float], list[tuple[int, int, int, int]]]] = []
    confs: list[float] = []
    for r in rows:
        if r.get("level") != "5":
            continue
        word = (r.get("text") or "").strip()
        if not word:
            continue
        try:
            conf = float(r["conf"])
            box = (int(r["left"]), int(r["top"]), int(r["width"]), int(r["height"]))
            key = (int(r["block_num"]), int(r["par_num"]), int(r["line_num"]))
        except (TypeError, ValueError, KeyError):
            continue
        if conf >= 0:
            confs.append(conf)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(word)
            groups[-1][2].append(conf)
            groups[-1][3].append(box)
        else:
            groups.append((key, [word], [conf], [box]))
    out: list[str] = []
    lines: list[OcrLine] = []
    prev: Optional[tuple[int, int, int]] = None
    par = 0
    for key, words, wconf, boxes in groups:
        if prev is not None:
            if key[:2] != prev[:2]:
                out.append("\n\n")
                par += 1
            else:
                out.append("\n")
        text = " ".join(words)
        out.append(text)
        good = [c for c in wconf if c >= 0]
        lines.append(OcrLine(
            text=unicodedata.normalize("NFC", text),
            left=min(b[0] for b in boxes) * scale,
            top=min(b[1] for b in boxes) * scale,
            right=max(b[0] + b[2] for b in boxes) * scale,
            bottom=max(b[1] + b[3] for b in boxes) * scale,
            confidence=sum(good) / len(good) if good else -1.0,
            paragraph=par,
            words=[(unicodedata.normalize("NFC", w), b[0] * scale, b[1] * scale, (b[0] + b[2]) * scale, (b[1] + b[3]) * scale)
                   for w, b in zip(words, boxes)],
        ))
        prev = key
    mean = sum(confs) / len(confs) if confs else -1.0
    return "".join(out), mean, lines


def _preprocess(img):  # PIL.Image -> PIL.Image
    """Grayscale; Tesseract binarizes (Otsu) and handles small skew itself."""
    return img.convert("L")


def _tesseract(image, source: str, psm: int, timeout: int, dpi: int) -> tuple[str, float]:
    """Tesseract's TSV for one PIL image, and the wall time of the call."""
    import time

    exe = _require(source)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="ocr_") as tmp:
        png = Path(tmp) / "page.png"
        _preprocess(image).save(png)
        cmd = [exe, str(png), "stdout", "-l", LANG, "--psm", str(psm), "--dpi", str(dpi),
               "-c", "tessedit_do_invert=0", "tsv"]
        t0 = time.perf_counter()
        try:
            res = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"tesseract timed out after {timeout}s on {source}") from exc
        secs = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"tesseract failed on {source}: {res.stderr.decode('utf-8', 'replace')[:500]}")
    return res.stdout.decode("utf-8", "replace"), secs


def ocr_image(image, source: str = "<image>", psm: int = PSM, timeout: int = TIMEOUT_S,
              dpi: Optional[int] = None) -> OcrPage:
    """OCR one PIL image with Tesseract (Vietnamese).  ``dpi``: the image's resolution
    (default: its ``info["dpi"]`` or 300); line boxes are returned in points (1/72 in).

    A signature block beside the recipients ("Nơi nhận:" on the left, "TM. ỦY BAN NHÂN DÂN" ... the
    signer on the right) is read again on its own (see :func:`signature_column`)."""
    _require(source)
    if dpi is None:
        dpi = int(image.info.get("dpi", (300, 300))[0]) or 300
    tsv, secs = _tesseract(image, source, psm, timeout, dpi)
    text, conf, lines = _tsv_to_page(tsv, scale=72.0 / dpi)
    col = signature_column(lines, image.size[0] * 72.0 / dpi)
    if col is not None:
        lines, more = _with_column(image, lines, col, dpi, source, psm, timeout)
        text = _lines_text(lines)
        secs += more
    return OcrPage(text=unicodedata.normalize("NFC", text), mean_confidence=conf, seconds=secs,
                   lines=lines, dpi=dpi)


# ------------------------------------------------------------------ the signature column
# A gap wider than this many line heights between two words of one line separates two columns (a word gap in
# justified text is under 1.5; the recipients and the signature block of a plan are 10-25 apart)
COLUMN_GAP_HEIGHTS = 5.0
_RECIPIENTS_LINE_RE = regex.compile(r"^N[oơ]i\s{0,2}nh[aâậ]n\b", regex.IGNORECASE)


class Column(NamedTuple):
    """The signature block beside the recipients, in points (origin top-left): its left edge, its top, and
    the top of the first full-width line below it (None: it runs to the foot of the page)."""

    left: float
    top: float
    bottom: Optional[float]


def signature_column(lines: list[OcrLine], page_width: float) -> Optional[Column]:
    """The signature block beside the recipients (see :class:`Column`), when a line opens with "Nơi nhận" and
    it or a later line has words beyond a column gap in the right 60 % of the page (``page_width``, in
    points). Tesseract reads such a page row by row, so each line splices a recipient with a piece of the
    signature block ("- Bộ Ngoại giao; ... PHO CHU TỊCH"), and the stamp and signature strokes between them
    come out as noise words. The block ends above the first line that runs across its left edge."""
    for i, ln in enumerate(lines):
        if not _RECIPIENTS_LINE_RE.match(ln.text):
            continue
        lefts = []
        below = lines[i:]
        for x in below:
            h = max(x.bottom - x.top, 1.0)
            for a, b in zip(x.words, x.words[1:]):
                if b[1] - a[3] > COLUMN_GAP_HEIGHTS * h:
                    lefts.append(b[1])
                    break
        lefts = [v for v in lefts if v > 0.4 * page_width]
        if not lefts:
            return None
        left = min(lefts)
        bottom = next((x.top for x in below[1:] if _crosses(x, left)), None)
        return Column(left, ln.top, bottom)
    return None


def _crosses(line: OcrLine, edge: float) -> bool:
    """Whether ``line`` runs across ``edge`` (a word over it, or two words on either side of it closer than a
    column gap)."""
    h = max(line.bottom - line.top, 1.0)
    for w in line.words:
        if w[1] < edge - 0.5 * h and w[3] > edge + 0.5 * h:
            return True
    for a, b in zip(line.words, line.words[1:]):
        if a[3] <= edge <= b[1] + 0.5 * h and b[1] - a[3] <= COLUMN_GAP_HEIGHTS * h:
            return True
    return False


def _with_column(image, lines: list[OcrLine], col: Column, dpi: int, source: str, psm: int,
                 timeout: int) -> tuple[list[OcrLine], float]:
    """The page's lines with the signature column read on its own: the image right of ``col``'s left edge,
    from its top to its bottom, is OCRed alone (clean lines, in their place on the page), and the lines
    beside it keep only their words left of it. Returns the lines and the extra Tesseract time."""
    scale = 72.0 / dpi
    h = statistics.median([x.bottom - x.top for x in lines]) if lines else 12.0
    x0, y0 = max(0.0, col.left - 0.5 * h), max(0.0, col.top - 0.5 * h)
    y1 = col.bottom if col.bottom is not None else image.size[1] * scale
    box = (int(x0 / scale), int(y0 / scale), image.size[0], max(int(y0 / scale) + 1, int(y1 / scale)))
    tsv, secs = _tesseract(image.crop(box), source, psm, timeout, dpi)
    _, _, right = _tsv_to_page(tsv, scale=scale)
    before: list[OcrLine] = []
    beside: list[OcrLine] = []
    after: list[OcrLine] = []
    for ln in lines:
        if ln.bottom < y0:
            before.append(ln)
        elif ln.top >= y1:
            after.append(ln)
        elif kept := [w for w in ln.words if w[3] <= x0]:
            beside.append(_line_of(kept, ln.confidence, ln.paragraph))
    par = max((x.paragraph for x in lines), default=-1) + 1
    column = [_line_of([(w[0], w[1] + x0, w[2] + y0, w[3] + x0, w[4] + y0) for w in ln.words], ln.confidence,
                       par + ln.paragraph) for ln in right]
    return before + beside + column + after, secs


def _line_of(words: list[tuple[str, float, float, float, float]], confidence: float, paragraph: int) -> OcrLine:
    return OcrLine(text=" ".join(w[0] for w in words), left=min(w[1] for w in words), top=min(w[2] for w in words),
                   right=max(w[3] for w in words), bottom=max(w[4] for w in words), confidence=confidence,
                   paragraph=paragraph, words=words)


def _lines_text(lines: list[OcrLine]) -> str:
    """OcrPage.text of ``lines``: one per line, a blank line between paragraphs (as :func:`_tsv_to_page`)."""
    out: list[str] = []
    for i, ln in enumerate(lines):
        if i:
            out.append("\n\n" if ln.paragraph != lines[i - 1].paragraph else "\n")
        out.append(ln.text)
    return "".join(out)


def _name(pdf: PdfSource, name: Optional[str]) -> str:
    if name:
        return name
    return "<pdf bytes>" if isinstance(pdf, (bytes, bytearray)) else str(pdf)


def _open_pdf(pdf: PdfSource):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(bytes(pdf) if isinstance(pdf, (bytes, bytearray)) else str(pdf))


def _native_dpi(page) -> Optional[int]:
    """Resolution of the largest image on a pypdfium2 page (a scan's own dpi), if any."""
    import pypdfium2.raw as pdfium_c

    best: Optional[tuple[int, float]] = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            w_px, _h_px = obj.get_px_size()
            left, _b, right, _t = obj.get_bounds()
        except Exception:  # noqa: BLE001 - odd image objects: ignore
            continue
        width_pt = right - left
        if w_px > 0 and width_pt > 0 and (best is None or w_px * width_pt > best[1]):
            best = (int(round(w_px / (width_pt / 72.0))), w_px * width_pt)
    return best[0] if best else None


def ocr_pdf_page(pdf_path: PdfSource, page_index: int, dpi: Optional[int] = 300, psm: int = PSM,
                 name: Optional[str] = None) -> OcrPage:
    """Render page ``page_index`` (0-based) of a PDF (path or bytes) at ``dpi`` and OCR it.

    ``dpi=None``: use the resolution of the page's scanned image (clamped to
    200-400), which avoids resampling a 200 dpi scan; 300 when there is no image.
    Raises RuntimeError naming the file when tesseract is missing or fails.
    """
    label = _name(pdf_path, name)
    _require(label)
    pdf = _open_pdf(pdf_path)
    try:
        page = pdf[page_index]
        if dpi is None:
            dpi = min(400, max(200, _native_dpi(page) or 300))
        img = page.render(scale=dpi / 72, grayscale=True).to_pil()
        page.close()
    finally:
        pdf.close()
    res = ocr_image(img, source=f"{label} page {page_index + 1}", psm=psm, dpi=dpi)
    res.page_index = page_index
    return res


def ocr_pdf(pdf_path: PdfSource, pages: Optional[Iterable[int]] = None, dpi: Optional[int] = 300,
            psm: int = PSM, name: Optional[str] = None) -> list[OcrPage]:
    """OCR the given 0-based pages (default: all) of a PDF (path or bytes)."""
    label = _name(pdf_path, name)
    _require(label)
    if pages is None:
        pdf = _open_pdf(pdf_path)
        try:
            pages = range(len(pdf))
        finally:
            pdf.close()
    return [ocr_pdf_page(pdf_path, i, dpi=dpi, psm=psm, name=label) for i in pages]


# ------------------------------------------------------------------ repair_ocr_text
_DATA = Path(__file__).resolve().parent.parent / "data" / "ocr_repair.json"
_NUMCH = "0-9OoIl|"
# a number-like token (digits with OCR look-alikes) directly followed by "-" or "/": symbol shape
_ANCHOR = regex.compile(rf"(?<![\p{{L}}\p{{M}}\d|/.-])([{_NUMCH}]{{1,6}})(?=[ ]{{0,2}}[-/])")
_PART = regex.compile(r"([ ]{0,2}(?:\n[ ]{0,2})?)([-/])([ ]{0,2}(?:\n[ ]{0,2})?)([\p{L}\p{M}\d|&]{1,10})")
_SPLIT_TAIL = regex.compile(r"[ ](\p{Lu})(?![\p{L}\p{M}\d])")
_SO = regex.compile(r"(?<![\p{L}\p{M}])(s\p{L}\p{M}?)[ ]{1,2}$", regex.I)
_PREV_WORDS = regex.compile(r"((?:[\p{L}\p{M}]{1,12}[ ]{1,2}){1,4})$")
_NUM_AFTER_SO = regex.compile(rf"(?<![\p{{L}}\p{{M}}\d])([{_NUMCH}]{{1,6}})(?![\p{{L}}\p{{M}}\d])")


# (a day or month may come split by a space: "ngày 10/1 1/2023")
_DATE = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}])(?:ngày|Ngày|NGÀY)[ ]{{1,2}}(?P<d>[{_NUMCH}](?: ?[{_NUMCH}])?)(?P<sep>[/.-])"
    rf"(?P<m>[{_NUMCH}](?: ?[{_NUMCH}])?)(?P=sep)(?P<y>[{_NUMCH}]{{4}})(?![\p{{L}}\p{{M}}\d])"
)


@lru_cache(maxsize=1)
def _repair_tables() -> dict:
    with open(_DATA, encoding="utf-8") as fh:
        d = json.load(fh)
    d["_types"] = {c.casefold(): c for c in d["type_codes"]}
    d["_issuers"] = {c.casefold(): c for c in d["issuer_codes"]}
    d["_words"] = {_strip(w): w for w in d["type_words"]}
    d["_word_codes"] = {_strip(w): c for w, c in d["type_word_codes"].items()}
    d["_issuer_fixes"] = [(regex.compile(pat), new) for pat, new in d["issuer_word_fixes"]["rules"]]
    return d


def _strip_keep_d(s: str) -> str:
    """Remove diacritics but keep Đ/đ (codes are ASCII plus Đ)."""
    out = []
    for ch in s:
        if ch in "Đđ":
            out.append(ch)
            continue
        d = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in d if not unicodedata.combining(c)))
    return "".join(out)


def _variants(code: str, lookalikes: dict[str, list[str]]) -> set[str]:
    out = {code.replace("Ð", "Đ"), _strip_keep_d(code)}
    for src, reps in lookalikes.items():
        start = code.find(src)
        while start >= 0:
            for r in reps:
                out.add(code[:start] + r + code[start + len(src):])
            start = code.find(src, start + 1)
    for i in range(len(code) - 1):  # doubled letter: ĐĐU, QĐĐ
        if code[i] == code[i + 1] or {code[i], code[i + 1]} == {"Đ", "Ð"}:
            out.add(code[:i] + code[i + 1:])
    if len(code) > 1 and code[-1] in "Il1|":  # stray stroke read before "/": CTI/TW
        out.add(code[:-1])
    out.discard(code)
    return out


def _canon(code: str, table: dict[str, str], prefer: Optional[str] = None) -> Optional[str]:
    """Known code for an OCR token, or None.  Exact/case-insensitive first, then one or
    two look-alike edits; ambiguous (two different codes at the same edit distance) -> None
    unless ``prefer`` (the code of the type word written before the number) is one of them."""
    hit = table.get(code.casefold())
    if hit:
        return hit
    letters = sum(1 for c in code if c.isalpha())
    if letters == 0 or 2 * letters < len(code):  # "11" in a date is not a code
        return None
    look = _repair_tables()["code_lookalikes"]
    frontier = {code}
    seen = {code}
    for _ in range(2):
        nxt: set[str] = set()
        for c in frontier:
            nxt |= _variants(c, look)
        nxt -= seen
        seen |= nxt
        hits = {table[v.casefold()] for v in nxt if v.casefold() in table}
        if len(hits) == 1:
            return hits.pop()
        if len(hits) > 1:
            return prefer if prefer in hits else None
        frontier = nxt
    return None


def _fix_number(tok: str) -> Optional[str]:
    if not any(c.isdigit() for c in tok):
        return None
    m = _repair_tables()["number_lookalikes"]
    return "".join(m.get(c, c) for c in tok)


def _canon_law(tok: str) -> Optional[str]:
    """QH14, UBTVQH15, NQ-less law issuer with term digits."""
    m = regex.fullmatch(r"([\p{L}\p{M}|]{2,8}?)([0-9OIl|]{1,2})", tok)
    if not m:
        return None
    body = _canon(m.group(1), {"qh": "QH", "ubtvqh": "UBTVQH"})
    num = _fix_number(m.group(2)) if any(c.isdigit() for c in m.group(2)) else None
    if body and num and num.isdigit():
        return body + num
    return None


def _split_slash(tok: str) -> Optional[tuple[str, str]]:
    """"NQITW" -> ("NQ", "TW") when a slash look-alike splits a token into a known type and
    a known issuer (exact, case-insensitive), and the split is unique."""
    t = _repair_tables()
    found = set()
    for i, ch in enumerate(tok):
        if ch in t["slash_lookalikes"] and 0 < i < len(tok) - 1:
            a, b = t["_types"].get(tok[:i].casefold()), t["_issuers"].get(tok[i + 1:].casefold())
            if a and b:
                found.add((a, b))
    return found.pop() if len(found) == 1 else None


_TW_BEFORE = regex.compile(r"((?:[\p{L}\p{M}]{1,12}[ ]{1,2}){1,4})(?:s\p{L}\p{M}?[ ]{1,2})?$")


def _type_word_code(text: str, at: int) -> Optional[str]:
    """Type code of the type word written just before offset ``at`` ("Nghị quyết số " -> "NQ")."""
    t = _repair_tables()
    m = _TW_BEFORE.search(text[max(0, at - 60):at])
    if not m:
        return None
    toks = _strip(m.group(1)).split()
    if toks and toks[-1] == "so":
        toks = toks[:-1]
    codes = t["_word_codes"]
    for k in range(min(4, len(toks)), 0, -1):
        code = codes.get(" ".join(toks[-k:]))
        if code:
            return code
    return None


def _repair_symbol(text: str, m: regex.Match, edits: list[tuple[int, int, str]]) -> int:
    """Parse one symbol from anchor ``m``; append edits; return the end offset consumed."""
    t = _repair_tables()
    num_s, num_e = m.span(1)
    if not any(c.isdigit() for c in m.group(1)):
        return num_e
    parts = []  # (gap_start, tok_start, tok_end, sep, tok)
    pos = num_e
    for _ in range(4):
        pm = _PART.match(text, pos)
        if not pm:
            break
        parts.append((pm.start(), pm.start(4), pm.end(4), pm.group(2), pm.group(4)))
        pos = pm.end()
    if not parts:
        return num_e
    canon: list[Optional[str]] = [None] * len(parts)
    roles: list[str] = []
    prefer = _type_word_code(text, num_s)
    if parts[0][3] == "-" and (len(parts) < 2 or parts[1][3] != "/"):
        split = _split_slash(parts[0][4])  # "/" read as I, l, 1: "59-NQITW"
        if split:
            gap_s, tok_s, tok_e, sep, tok = parts[0]
            sep_gap = text[gap_s:tok_s]
            edits.append((gap_s, tok_e, ("\n" if "\n" in sep_gap else "") + "-" + split[0] + "/" + split[1]))
            fixed_num = _fix_number(text[num_s:num_e])
            if fixed_num and fixed_num != text[num_s:num_e]:
                edits.append((num_s, num_e, fixed_num))
            return tok_e
    if parts[0][3] == "-" and len(parts) >= 2 and parts[1][3] == "/":  # party: 59-NQ/TW
        roles = ["type", "issuer"]
    elif parts[0][3] == "/":
        year = _fix_number(parts[0][4])
        if year and year.isdigit() and len(year) == 4 and year[:2] in ("19", "20") and len(parts) >= 2 and parts[1][3] == "/":
            roles = ["year", "type"] + ["issuer"] * (len(parts) - 2)
            law = _canon_law(parts[1][4])
            if law:
                roles = ["year", "law"]
        elif _canon(parts[0][4], t["_types"], prefer):
            roles = ["type"] + ["issuer"] * (1 if len(parts) > 1 and parts[1][3] == "-" else 0)
        elif _canon(parts[0][4], t["_issuers"]):
            roles = ["issuer"]  # công văn: issuer-unit, unit left as is
    if not roles:
        return num_e
    n_known = 0
    for i, role in enumerate(roles):
        if i >= len(parts):
            break
        if i > 0 and role == "issuer" and roles[0] != "type" and parts[i][3] != "-":
            break
        if roles[:2] == ["type", "issuer"] and parts[0][3] == "/" and i == 1 and parts[1][3] != "-":
            break
        tok = parts[i][4]
        if role == "year":
            canon[i] = _fix_number(tok)
        elif role == "law":
            canon[i] = _canon_law(tok)
            n_known += canon[i] is not None
        else:
            canon[i] = _canon(tok, t["_types"] if role == "type" else t["_issuers"],
                              prefer if role == "type" else None)
            if canon[i] is None and role == "issuer" and i == len(roles) - 1:
                # split code at the end: "CT/T W" -> TW
                sm = _SPLIT_TAIL.match(text, parts[i][2])
                if sm:
                    joined = _canon(tok + sm.group(1), t["_issuers"])
                    if joined:
                        canon[i] = joined
                        parts[i] = (parts[i][0], parts[i][1], sm.end(), parts[i][3], tok)
            n_known += canon[i] is not None
    if n_known == 0:
        return num_e
    fixed_num = _fix_number(text[num_s:num_e])
    if fixed_num and fixed_num != text[num_s:num_e]:
        edits.append((num_s, num_e, fixed_num))
    end = num_e
    for i, c in enumerate(canon):
        if c is None:
            break
        gap_s, tok_s, tok_e, sep, tok = parts[i]
        gap = text[gap_s:tok_s]
        pre, post = gap.split(sep, 1)
        new = ("\n" if "\n" in pre else "") + sep + ("\n" if "\n" in post else "") + c
        if text[gap_s:tok_e] != new:
            edits.append((gap_s, tok_e, new))
        end = tok_e
    return end


def _match_case(src: str, canon: str) -> str:
    letters = [c for c in src if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return canon.upper()
    if src[:1].islower():
        return canon[:1].lower() + canon[1:]
    return canon


def _repair_type_word(text: str, at: int, edits: list[tuple[int, int, str]]) -> None:
    """Fix the type word (and "số") written before a citation number starting at ``at``."""
    words = _repair_tables()["_words"]
    head = text[max(0, at - 60):at]
    base = at - len(head)
    so = _SO.search(head)
    end_words = len(head)
    if so:
        if _strip(so.group(1)) != "so":
            so = None
        else:
            end_words = so.start()
    wm = _PREV_WORDS.search(head[:end_words])
    if not wm:
        return
    seg = wm.group(1)
    toks = list(regex.finditer(r"[\p{L}\p{M}]{1,12}", seg))
    for k in range(min(4, len(toks)), 0, -1):
        first = toks[-k]
        src = seg[first.start():toks[-1].end()]
        key = _strip(" ".join(x.group(0) for x in toks[-k:]))
        canon = words.get(key)
        if canon:
            new = _match_case(src, canon)
            if new != src:
                s = base + wm.start(1) + first.start()
                edits.append((s, s + len(src), new))
            if so and so.group(1) != ("SỐ" if so.group(1).isupper() else "số" if so.group(1)[0].islower() else "Số"):
                edits.append((base + so.start(1), base + so.end(1),
                               "SỐ" if so.group(1).isupper() else ("số" if so.group(1)[0].islower() else "Số")))
            return


def repair_ocr_text(text: str) -> str:
    """Repair OCR confusions inside citations only (apply to OCR output, never to clean text).

    * symbols: "59-NQ/TVV" -> "59-NQ/TW", "l673/QĐ-UBND" -> "1673/QĐ-UBND",
      "20/2O23/QĐ-UBND" -> "20/2023/QĐ-UBND", "33- KL/TW" -> "33-KL/TW", "38-CT/T W" -> "38-CT/TW",
      "47-CT/TỦ" -> "47-CT/TU", "165-CV/ĐĐU" -> "165-CV/ĐU", "32-C1/TW" -> "32-CT/TW";
      a symbol is touched only when its type or issuer code becomes a known code;
    * "/" read as I/l/1 between a known type and issuer: "59-NQITW" -> "59-NQ/TW";
      a type/issuer code that could be two codes is resolved by the type word before it
      ("Nghị quyết số 59-NO/TW" -> NQ, "Nghị định số 80/2020/NO-CP" -> NĐ);
    * dates after "ngày": "ngày 2l/6/2O21" -> "ngày 21/6/2021", "ngày 10/1 1/2023" -> "ngày 10/11/2023"
      (valid dates only);
    * issuer words (``issuer_word_fixes`` in the tables): "Tĩnh ủy" -> "Tỉnh ủy", "của UBND tính" -> "của UBND tỉnh";
    * type words before "số"/a symbol: "Nghi quyet so 59-NQ/TW" -> "Nghị quyết số 59-NQ/TW";
    * "Ð" (eth) -> "Đ".
    """
    text = text.replace("Ð", "Đ").replace("ð", "đ")
    for pat, new in _repair_tables()["_issuer_fixes"]:  # (the edits below are found in the mended text)
        text = pat.sub(new, text)
    edits: list[tuple[int, int, str]] = []
    pos = 0
    for m in _ANCHOR.finditer(text):
        if m.start() < pos:
            continue
        end = _repair_symbol(text, m, edits)
        if end > m.end(1) or text[m.end(1):m.end(1) + 3].strip()[:1] in "-/":
            _repair_type_word(text, m.start(1), edits)
        pos = end
    # "Nghi quyet so 59" (no symbol): type word + "số" + number
    for m in _NUM_AFTER_SO.finditer(text):
        head = text[max(0, m.start() - 4):m.start()]
        if regex.search(r"s\p{L}\p{M}?[ ]{1,2}$", head, flags=regex.I) and _fix_number(m.group(1)) is not None:
            _repair_type_word(text, m.start(1), edits)
    for m in _DATE.finditer(text):  # "ngày 2l/6/2O21" -> "ngày 21/6/2021"
        d, mo, y = (_fix_number(m.group(g).replace(" ", "")) for g in ("d", "m", "y"))
        if not (d and mo and y and d.isdigit() and mo.isdigit() and y.isdigit()):
            continue
        if sum(c.isdigit() for c in m.group("y")) < 2:
            continue
        if 1 <= int(d) <= 31 and 1 <= int(mo) <= 12 and y[:2] in ("19", "20"):
            for g, new in (("d", d), ("m", mo), ("y", y)):
                if m.group(g) != new:
                    edits.append((m.start(g), m.end(g), new))
    if not edits:
        return text
    edits = sorted(set(edits))
    out, last = [], 0
    for s, e, new in edits:
        if s < last:  # overlapping edit: keep the first
            continue
        out.append(text[last:s])
        out.append(new)
        last = e
    out.append(text[last:])
    return "".join(out)
