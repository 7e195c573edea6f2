"""Build the bundled corpus: each seed plan as the DOCX, PDF and TXT a user really receives.

Usage (from the repository root)::

    .venv/bin/python -m corpus.build                 # seeds from ../shared/seeds
    .venv/bin/python -m corpus.build --seeds DIR --out corpus --no-pdf

Reusable API (the benchmark generator builds synthetic plans with it)::

    from corpus.build import HeaderSpec, Para, SignatureSpec, build_docx, render_pdf
    header = HeaderSpec(issuer=("ỦY BAN NHÂN DÂN", "TỈNH HÀ GIANG"), number="Số:    /KH-UBND",
                        place_date="Hà Giang, ngày    tháng    năm 2025", doc_type="KẾ HOẠCH",
                        title=("Công tác đối ngoại năm 2025",))
    paras = [Para("I. MỤC ĐÍCH, YÊU CẦU", kind="heading", level=1),
             Para("Thực hiện Chỉ thị số 12-CT/TW[^1] ... *in nghiêng* ... **đậm**.")]
    build_docx(paras, {"1": "Chỉ thị số 12-CT/TW ngày 05/01/2022 của Ban Bí thư."}, header,
               "out/plan.docx", SignatureSpec(recipients=("- Như trên;", "- Lưu: VT."),
               capacity=("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), signer="Nguyễn Văn A"))
    render_pdf("out/plan.docx", "out")          # -> out/plan.pdf (needs LibreOffice)

Everything is deterministic: fixed core-property dates and zip entry times in the DOCX,
pinned creation date and ID in the PDF.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from corpus.docx_writer import (
    FIXED_DATE,
    MOTTO,
    DocStyle,
    HeaderSpec,
    Para,
    SignatureSpec,
    build_docx,
    pin_pdf_metadata,
    render_pdf,
)
from corpus.seed_parser import PlanSpec, parse_plan_text

__all__ = [
    "DocStyle", "HeaderSpec", "Para", "SignatureSpec", "PlanSpec", "SEEDS", "FIXED_DATE", "MOTTO",
    "build_docx", "render_pdf", "pin_pdf_metadata", "parse_plan_text", "build_plan", "build_all",
    "default_seeds_dir", "main",
]

CORPUS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Seed:
    source: str  # file name in the seeds directory
    stem: str  # output file stem in corpus/


SEEDS: tuple[Seed, ...] = (
    Seed("000_94e1e49f62f025ed.txt", "quang-nam-2025-ke-hoach-doi-ngoai"),
    Seed("001_0cbf89ddfb58e074.txt", "nghe-an-2025-chuong-trinh-doi-ngoai"),
)


def default_seeds_dir() -> Path:
    """``shared/seeds`` beside the repository (…/work/main → …/work/shared/seeds)."""
    return Path(__file__).resolve().parents[2] / "shared" / "seeds"


def build_plan(text: str, out_docx: Path) -> PlanSpec:
    """Parse a plan's text and write it as DOCX; return the parsed description."""
    plan = parse_plan_text(text)
    build_docx(plan.paragraphs, plan.footnotes, plan.header, out_docx, plan.signature)
    return plan


def build_all(seeds_dir: Path, out_dir: Path, *, pdf: bool = True,
              seeds: Sequence[Seed] = SEEDS) -> list[Path]:
    """Regenerate TXT, DOCX and (when LibreOffice is available and ``pdf``) PDF for every seed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    have_soffice = bool(shutil.which("soffice") or shutil.which("libreoffice"))
    if pdf and not have_soffice:
        print("soffice (LibreOffice) not found: skipping the PDF step; committed PDFs are kept.",
              file=sys.stderr)
    for seed in seeds:
        src = seeds_dir / seed.source
        raw = src.read_bytes()
        txt = out_dir / f"{seed.stem}.txt"
        txt.write_bytes(raw)  # the seed text, byte for byte
        docx = out_dir / f"{seed.stem}.docx"
        build_plan(raw.decode("utf-8"), docx)
        written += [txt, docx]
        if pdf and have_soffice:
            written.append(render_pdf(docx, out_dir))
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=default_seeds_dir(), help="seed text directory")
    ap.add_argument("--out", type=Path, default=CORPUS_DIR, help="output directory")
    ap.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice PDF step")
    args = ap.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"seed directory not found: {args.seeds}", file=sys.stderr)
        return 2
    for path in build_all(args.seeds, args.out, pdf=not args.no_pdf):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
