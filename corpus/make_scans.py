"""Build the OCR and legacy-encoding test corpus.

* ``corpus/scans/*.pdf`` — image-only "scans" of the corpus PDFs: every page rendered
  at 200 dpi (pypdfium2), rotated 1° (white fill), light deterministic noise,
  saved as 1-bit (CCITT G4) pages in a PDF without any text layer.
* ``tests/fixtures/legacy/`` — the same known Unicode paragraphs in TCVN3 (bytes), VNI (bytes)
  and a DOCX whose runs use the ".VnTime"/".VnTimeH" fonts with TCVN3 text, plus
  ``*.expected.txt`` with the Unicode they must convert back to.

Run from the repository root::

    .venv/bin/python corpus/make_scans.py            # scans + legacy samples
    .venv/bin/python corpus/make_scans.py --legacy   # legacy samples only

Deterministic: the same inputs give byte-identical images (seeded noise).
"""
from __future__ import annotations

import argparse
import io
import time
from datetime import datetime
import sys
from pathlib import Path
from typing import Iterable, Optional

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.legacy import encode_legacy  # noqa: E402

CORPUS = ROOT / "corpus"
SCANS = {
    "quang-nam-2025-ke-hoach-doi-ngoai.pdf": "quang-nam-2025-scan.pdf",
    "nghe-an-2025-chuong-trinh-doi-ngoai.pdf": "nghe-an-2025-scan.pdf",
}


def degrade(img: Image.Image, seed: int, skew_deg: float = 1.0, noise_sigma: float = 12.0,
            speckle: float = 0.0003) -> Image.Image:
    """Grayscale page image -> skewed, noisy "scan" (deterministic for a given seed)."""
    g = img.convert("L").rotate(skew_deg, resample=Image.BICUBIC, expand=False, fillcolor=255)
    a = np.asarray(g, dtype=np.float32)
    rng = np.random.default_rng(seed)
    a = a + rng.normal(0.0, noise_sigma, a.shape).astype(np.float32)
    mask = rng.random(a.shape) < speckle  # dust specks
    a[mask] = rng.choice(np.array([0.0, 255.0], dtype=np.float32), size=int(mask.sum()))
    a = np.clip(a * 0.97 + 6.0, 0, 255)  # slightly grey paper, lighter ink
    return Image.fromarray(a.astype(np.uint8), mode="L")


def render_pages(pdf_path: Path, dpi: int = 200) -> Iterable[Image.Image]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            yield page.render(scale=dpi / 72, grayscale=True).to_pil()
            page.close()
    finally:
        pdf.close()


def make_scan(src: Path, dst: Path, dpi: int = 200, seed: int = 1234, threshold: int = 140,
              jpeg_quality: Optional[int] = None) -> int:
    """Write an image-only PDF of ``src``; returns its size in bytes.

    Default: 1-bit pages (CCITT G4 in the PDF, ~50 kB a page), like an office
    black-and-white scanner.  ``jpeg_quality`` (e.g. 70) writes grayscale JPEG
    pages instead (~0.5 MB a page).
    """
    pages: list[Image.Image] = []
    for i, img in enumerate(render_pages(src, dpi)):
        noisy = degrade(img, seed + i)
        if jpeg_quality is None:
            pages.append(noisy.point(lambda v: 255 if v > threshold else 0).convert("1"))
        else:  # JPEG round trip fixes the quality (PIL's PDF writer embeds JPEG as is)
            buf = io.BytesIO()
            noisy.save(buf, "JPEG", quality=jpeg_quality, optimize=True)
            pages.append(Image.open(io.BytesIO(buf.getvalue())))
    dst.parent.mkdir(parents=True, exist_ok=True)
    fixed = time.gmtime(1735689600)  # 2025-01-01: fixed dates, reproducible bytes
    pages[0].save(dst, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi),
                  title=src.stem + " (scan)", producer="corpus/make_scans.py", creationDate=fixed, modDate=fixed)
    return dst.stat().st_size


# ---------------------------------------------------------------- legacy samples
LEGACY_TITLE = "KẾ HOẠCH TRIỂN KHAI CÔNG TÁC ĐỐI NGOẠI NĂM 2025"
LEGACY_TEXT = (
    "Tiếp tục quán triệt và triển khai thực hiện Nghị quyết số 59-NQ/TW ngày 24/01/2025 "
    "của Bộ Chính trị về hội nhập quốc tế trong tình hình mới; Quy chế số 27-QC/TU ngày "
    "28/6/2024 của Ban Thường vụ Tỉnh ủy về quản lý thống nhất các hoạt động đối ngoại "
    "trên địa bàn tỉnh; Quyết định số 1673/QĐ-UBND ngày 21/6/2021 của Ủy ban nhân dân tỉnh. "
    "Tăng cường hợp tác với các tỉnh Sê Kông, Chăm Pa Sắc, Sa La Văn (Lào), đẩy mạnh "
    "ngoại giao kinh tế, thu hút đầu tư, xúc tiến thương mại và du lịch."
)


def make_legacy(out_dir: Path) -> list[Path]:
    """TCVN3 and VNI text files (cp1252 bytes) and a .VnTime DOCX, with expected Unicode."""
    from docx import Document
    from docx.oxml.ns import qn

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    expected = LEGACY_TITLE + "\n\n" + LEGACY_TEXT + "\n"
    (out_dir / "sample.expected.txt").write_text(expected, encoding="utf-8")
    written.append(out_dir / "sample.expected.txt")
    # Text files: the title in capitals is written with TCVN3 capitals codes only where VN3 has them;
    # a plain-font TCVN3 file cannot hold capital toned letters, so the file keeps the body only.
    tc = encode_legacy(LEGACY_TEXT, "tcvn3") + "\n"
    (out_dir / "sample.tcvn3.txt").write_bytes(tc.encode("cp1252"))
    vni = encode_legacy(expected, "vni")
    (out_dir / "sample.vni.txt").write_bytes(vni.encode("cp1252"))
    (out_dir / "sample.tcvn3.expected.txt").write_text(LEGACY_TEXT + "\n", encoding="utf-8")
    written += [out_dir / "sample.tcvn3.txt", out_dir / "sample.vni.txt", out_dir / "sample.tcvn3.expected.txt"]

    def set_font(run, name: str) -> None:
        run.font.name = name
        rpr = run._element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), name)

    doc = Document()
    p = doc.add_paragraph()
    set_font(p.add_run(encode_legacy(LEGACY_TITLE, "tcvn3", upper_font=True)), ".VnTimeH")
    p = doc.add_paragraph()
    # split the body into several runs, one of them in a Unicode font (numbers/symbols)
    head, sep, tail = LEGACY_TEXT.partition("59-NQ/TW")
    set_font(p.add_run(encode_legacy(head, "tcvn3")), ".VnTime")
    set_font(p.add_run(sep), "Times New Roman")
    set_font(p.add_run(encode_legacy(tail, "tcvn3")), ".VnTime")
    cp = doc.core_properties  # fixed metadata: reproducible content
    cp.created = cp.modified = datetime(2025, 1, 1)
    cp.last_modified_by = cp.author = "corpus/make_scans.py"
    cp.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    _write_zip_fixed_dates(buf.getvalue(), out_dir / "sample.vntime.docx")
    written.append(out_dir / "sample.vntime.docx")
    return written


def _write_zip_fixed_dates(data: bytes, dst: Path) -> None:
    """Re-pack a DOCX (zip) with fixed member dates so that reruns give identical bytes."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, zin.read(info.filename))


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--legacy", action="store_true", help="only the legacy-encoding samples")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--src", type=Path, action="append", default=[],
                    help="extra source PDF (writes scans/<stem>-scan.pdf)")
    args = ap.parse_args(argv)
    for p in make_legacy(CORPUS.parent / "tests" / "fixtures" / "legacy"):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size} B")
    if args.legacy:
        return 0
    jobs = [(CORPUS / s, CORPUS / "scans" / d) for s, d in SCANS.items()]
    jobs += [(s, CORPUS / "scans" / f"{s.stem}-scan.pdf") for s in args.src]
    for src, dst in jobs:
        if not src.exists():
            print(f"skip (missing): {src}")
            continue
        size = make_scan(src, dst, dpi=args.dpi)
        print(f"{dst.relative_to(ROOT)}  {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
