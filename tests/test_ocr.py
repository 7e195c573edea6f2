"""OCR of scanned PDFs (pipeline.readers.ocr): needs_ocr, repair_ocr_text, and end-to-end
OCR of the committed scans of the two seed plans (skipped only when tesseract is absent)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pipeline.legacy import encode_legacy
from pipeline.normalize import normalize_text
from pipeline.readers import ocr
from pipeline.readers.ocr import (
    OcrPage,
    needs_ocr,
    ocr_pdf,
    ocr_pdf_page,
    repair_ocr_text,
    tesseract_available,
)

ROOT = Path(__file__).resolve().parent.parent
SCANS = ROOT / "corpus" / "scans"
SHARED = Path("/work/shared") if Path("/work/shared").exists() else ROOT.parent / "shared"  # CI: beside the clone
GOLD = SHARED / "gold" / "seeds.json"

CLEAN = (
    "Tiếp tục lãnh đạo, chỉ đạo, tổ chức quán triệt và triển khai thực hiện nghiêm túc, đầy đủ "
    "chỉ đạo của Bộ Chính trị, Ban Bí thư, Chính phủ về chủ trương, đường lối, chính sách của Đảng "
    "và Nhà nước; Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị về hội nhập quốc tế."
)


# ---------------------------------------------------------------- needs_ocr
def test_needs_ocr_clean_text():
    assert needs_ocr(CLEAN) is False


@pytest.mark.parametrize("text", ["", "   \n\n  ", "3", "- 2 -\n", "\x0c"])
def test_needs_ocr_empty(text):
    assert needs_ocr(text) is True


def test_needs_ocr_gibberish():
    assert needs_ocr("(cid:12)(cid:34)(cid:56) " * 20) is True
    assert needs_ocr("\ufffd\ufffd \ufffd\ufffd\ufffd " * 30) is True
    assert needs_ocr("\ue001\ue002\ue003 \ue010\ue011 " * 30) is True  # private-use glyphs
    assert needs_ocr("#$%& *+<>= ~^|{} @@ ## " * 10) is True
    # letters, but no Vietnamese syllables (font with a scrambled encoding)
    assert needs_ocr("Xqzvbk wrtpq jjxzk qwrtz bcdfgh lkjhg zxcvb mnbvc " * 5) is True


def test_needs_ocr_legacy_text_is_usable():
    assert needs_ocr(encode_legacy(CLEAN, "tcvn3")) is False
    assert needs_ocr(encode_legacy(CLEAN, "vni")) is False


def test_needs_ocr_table_of_numbers_and_caps():
    text = "TT | Nội dung | Thời gian\n1 | Tổ chức đoàn ra | Quý II/2025\n2 | UBND, SNgV, BCĐ | 2025\n" * 3
    assert needs_ocr(text) is False


# ---------------------------------------------------------------- repair_ocr_text
@pytest.mark.parametrize(
    "noisy, fixed",
    [
        ("Nghị quyết số 59-NQ/TVV ngày 24/01/2025", "Nghị quyết số 59-NQ/TW ngày 24/01/2025"),
        ("Quyết định số l673/QĐ-UBND ngày 21/6/2021", "Quyết định số 1673/QĐ-UBND ngày 21/6/2021"),
        ("Quyết định số 20/2O23/QĐ-UBND ngày 25/9/2023", "Quyết định số 20/2023/QĐ-UBND ngày 25/9/2023"),
        ("Quyết định số 1O60-QĐ/TU", "Quyết định số 1060-QĐ/TU"),
        ("Kết luận số 33- KL/TW ngày 25/7/2018", "Kết luận số 33-KL/TW ngày 25/7/2018"),
        ("Nghị định số 80 / 2020 / NĐ - CP", "Nghị định số 80/2020/NĐ-CP"),
        ("Chỉ thị số 38-CT/T W ngày 21/7/2014", "Chỉ thị số 38-CT/TW ngày 21/7/2014"),
        ("Chỉ thị số 47-CT/TỦ ngày 10/9/2020", "Chỉ thị số 47-CT/TU ngày 10/9/2020"),
        ("Công văn số 165-CV/ĐÐU ngày 10/4/2025", "Công văn số 165-CV/ĐU ngày 10/4/2025"),
        ("Chỉ thị số 32-C1/TW ngày 18/02/2019", "Chỉ thị số 32-CT/TW ngày 18/02/2019"),
        ("Chỉ thị số 45-\nCTI/TW và", "Chỉ thị số 45-\nCT/TW và"),
        ("Quyết định số 2006/QÐ-UBND", "Quyết định số 2006/QĐ-UBND"),
        ("Quyết định số 06/2020/QD-TTG", "Quyết định số 06/2020/QĐ-TTg"),
        ("Luật số 45/2019/QHl4", "Luật số 45/2019/QH14"),
        ("Chương trình số 21-CTR/TU", "Chương trình số 21-CTr/TU"),
        ("Nghi quyet so 59-NQ/TW", "Nghị quyết số 59-NQ/TW"),
        ("NGHI QUYET SO 27/NQ-CP", "NGHỊ QUYẾT SỐ 27/NQ-CP"),
        ("thực hiện Chi thị số 25-CT/TW", "thực hiện Chỉ thị số 25-CT/TW"),
        ("có hiệu quả Kể hoạch số 7562/KH-UBND", "có hiệu quả Kế hoạch số 7562/KH-UBND"),
        ("theo Quyet dinh so 1673", "theo Quyết định số 1673"),
    ],
)
def test_repair_fixes(noisy, fixed):
    assert repair_ocr_text(noisy) == fixed


@pytest.mark.parametrize(
    "text",
    [
        CLEAN,
        "giai đoạn 2021 - 2025, phát triển kinh tế - xã hội, quốc phòng - an ninh",
        "ngày 02/11/2022, ngày 28/11/1990, từ 12 - 15 đoàn/năm",
        "Công văn số 1349/BNG-CNV ngày 15/3/2024",  # unknown unit code: left alone
        "Công văn số 499/SNgV-LS&HTQT",
        "Chương trình số 92-CTr/U ngày 23/8/2019",  # "U" cannot be guessed safely: left alone
        "Văn bản số 462/BNG-CNV-m",
        "Theo dõi, đôn đốc; Chi bộ 3; Kế hoạch năm 2025; Quy chế 272",
        "Mã số 12-AB/XY; tỷ lệ 10/15; 1O người",  # unknown codes / no citation context
        "Nghị quyết Đại hội XIII; hoà bình; Oọc; xoong",
        "tỉnh Hà Tĩnh ủy quyền cho Sở; TỈNH HÀ TĨNH ỦY QUYỀN; UBND tính toán lại; ngày 10/1 3/2023; ngày 1 1/2023",
    ],
)
def test_repair_leaves_clean_text(text):
    assert repair_ocr_text(text) == text


@pytest.mark.parametrize("seed", ["000_94e1e49f62f025ed.txt", "001_0cbf89ddfb58e074.txt"])
def test_repair_on_clean_seed_only_collapses_symbol_spaces(seed):
    text = (SHARED / "seeds" / seed).read_text(encoding="utf-8")
    assert repair_ocr_text(text) == text.replace("33- KL/TW", "33-KL/TW")


def test_repair_linear_time_on_pathological_input():
    bad = ("1-" * 5000) + ("l/" * 5000) + ("O-A/" * 3000) + "số " * 3000
    t0 = time.perf_counter()
    repair_ocr_text(bad)
    assert time.perf_counter() - t0 < 5.0


# ---------------------------------------------------------------- OCR (needs tesseract)
needs_tesseract = pytest.mark.skipif(not tesseract_available(), reason="tesseract (vie) not installed")


def test_ocr_error_without_tesseract(monkeypatch, tmp_path):
    import pipeline.readers.ocr as ocr

    monkeypatch.setattr(ocr, "TESSERACT", "tesseract-does-not-exist")
    ocr.tesseract_available.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="plan.pdf"):
            ocr.ocr_pdf_page(tmp_path / "plan.pdf", 0)
    finally:
        monkeypatch.undo()
        ocr.tesseract_available.cache_clear()


def _gold_symbols(seed: str) -> set[str]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    doc = next(d for d in gold["documents"] if d["seed"] == seed)
    return {i["symbol"] for i in doc["instruments"] if i.get("symbol")}


@pytest.fixture(scope="module")
def ocr_scans() -> dict[str, tuple[list[OcrPage], float]]:
    out = {}
    for name in ("quang-nam-2025-scan.pdf", "nghe-an-2025-scan.pdf"):
        t0 = time.perf_counter()
        pages = ocr_pdf(SCANS / name, dpi=None)
        out[name] = (pages, time.perf_counter() - t0)
    return out


@needs_tesseract
def test_scans_have_no_text_layer():
    import pypdfium2 as pdfium

    for name in ("quang-nam-2025-scan.pdf", "nghe-an-2025-scan.pdf"):
        pdf = pdfium.PdfDocument(str(SCANS / name))
        try:
            texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        finally:
            pdf.close()
        assert len(texts) >= 5 and all(needs_ocr(t) for t in texts)
        assert (SCANS / name).stat().st_size < 2_000_000


@needs_tesseract
def test_ocr_single_page_header(ocr_scans):
    pages, _ = ocr_scans["quang-nam-2025-scan.pdf"]
    first = pages[0]
    assert first.method == "ocr" and first.page_index == 0
    assert first.mean_confidence > 80
    assert "KẾ HOẠCH" in first.text
    assert "Quảng Nam" in first.text
    assert not needs_ocr(first.text)


@needs_tesseract
@pytest.mark.parametrize(
    "scan, seed",
    [("quang-nam-2025-scan.pdf", "000_94e1e49f62f025ed.txt"), ("nghe-an-2025-scan.pdf", "001_0cbf89ddfb58e074.txt")],
)
def test_ocr_citation_recall_precision(ocr_scans, scan, seed):
    from extractors.instruments import extract_citations

    pages, seconds = ocr_scans[scan]
    for p in pages:  # repair keeps the line structure, so OcrPage.lines stay aligned
        assert repair_ocr_text(p.text).count("\n") == p.text.count("\n")
    text = normalize_text(repair_ocr_text("\n\n".join(p.text for p in pages)))
    found = {c.symbol for c in extract_citations(text) if c.kind == "full" and c.symbol}
    gold = _gold_symbols(seed)
    tp = found & gold
    recall, precision = len(tp) / len(gold), len(tp) / max(1, len(found))
    print(f"\n{scan}: {len(pages)} pages, {seconds:.1f}s ({seconds / len(pages):.2f}s/page), "
          f"recall {recall:.3f}, precision {precision:.3f}, missed {sorted(gold - found)}, extra {sorted(found - gold)}")
    assert recall >= 0.95
    assert precision >= 0.98


@needs_tesseract
def test_ocr_pdf_page_matches_ocr_pdf(ocr_scans):
    one = ocr_pdf_page(SCANS / "nghe-an-2025-scan.pdf", 1, dpi=None)
    assert one.text == ocr_scans["nghe-an-2025-scan.pdf"][0][1].text  # deterministic


@needs_tesseract
def test_ocr_lines_geometry(ocr_scans):
    page = ocr_scans["quang-nam-2025-scan.pdf"][0][0]
    assert page.dpi == 200  # the scan's own resolution was detected
    assert page.lines and "\n".join(ln.text for ln in page.lines) == page.text.replace("\n\n", "\n")
    for ln in page.lines:  # boxes in points inside an A4 page
        assert 0 <= ln.left < ln.right <= 596 and 0 <= ln.top < ln.bottom <= 843
    title = next(ln for ln in page.lines if ln.text.strip() == "KẾ HOẠCH")
    assert abs((title.left + title.right) / 2 - 297.7) < 40  # centred title
    assert title.top < 300


@needs_tesseract
def test_ocr_from_bytes_names_source():
    data = (SCANS / "nghe-an-2025-scan.pdf").read_bytes()
    page = ocr_pdf_page(data, 0, dpi=None, name="nghe-an.pdf")
    assert "CHƯƠNG TRÌNH" in page.text.upper()
    with pytest.raises(Exception):
        ocr_pdf_page(data, 99, name="nghe-an.pdf")


@pytest.mark.parametrize(
    "noisy, fixed",
    [
        ("Nghị quyết số 59-NO/TW ngày", "Nghị quyết số 59-NQ/TW ngày"),  # NO: NQ or NĐ? the type word decides
        ("Nghị định số 80/2020/NO-CP", "Nghị định số 80/2020/NĐ-CP"),
        ("Nghị quyết số 59-NQITW ngày", "Nghị quyết số 59-NQ/TW ngày"),  # "/" read as I
        ("Chỉ thị số 38-CTlTW", "Chỉ thị số 38-CT/TW"),
        ("Quyết định số 1673/QĐ-UBMD", "Quyết định số 1673/QĐ-UBND"),
        ("ngày 2l/6/2O21 của", "ngày 21/6/2021 của"),
        ("ngày 0l-l0-1997", "ngày 01-10-1997"),
        # the scans of the seeds: a day or month split by a space, and the issuer words after a citation
        ("Quyết định số 1334/QĐ-TTg ngày 10/1 1/2023 của Thủ tướng", "Quyết định số 1334/QĐ-TTg ngày 10/11/2023 của Thủ tướng"),
        ("Kế hoạch số 134-KH/TU ngày 02/11/2022 của Tĩnh ủy triển khai", "Kế hoạch số 134-KH/TU ngày 02/11/2022 của Tỉnh ủy triển khai"),
        ("số 55-CTr/TU ngày 04/01/2018 của Ban Thường vụ Tĩnh uỷ", "số 55-CTr/TU ngày 04/01/2018 của Ban Thường vụ Tỉnh uỷ"),
        ("8337/UBND-TH ngày 29/10/2024 của UBND tính về việc", "8337/UBND-TH ngày 29/10/2024 của UBND tỉnh về việc"),
        ("TĨNH ỦY QUẢNG NAM", "TỈNH ỦY QUẢNG NAM"),
    ],
)
def test_repair_fixes_more(noisy, fixed):
    assert repair_ocr_text(noisy) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Công văn số 1069-TB/TU",  # type word disagrees with the symbol: the symbol wins, untouched
        "số 12-CTITA",  # split would need an unknown issuer
        "ngày Il/Il/IlIl",  # no digit at all
        "ngày 45/13/2021",  # not a date: left alone
        "Il/Il",
    ],
)
def test_repair_leaves_more(text):
    assert repair_ocr_text(text) == text


def test_needs_ocr_question_marks_and_english():
    mangled = ("Ti?p t?c l?nh ??o, ch? ??o, t? ch?c qu?n tri?t v? tri?n khai th?c hi?n nghi?m t?c, "
               "??y ?? ch? ??o c?a B? Ch?nh tr?, Ban B? th?, Ch?nh ph? v? ch? tr??ng, ???ng l?i ")
    assert needs_ocr(mangled) is True  # Vietnamese letters lost to "?"
    english = ("The Provincial People's Committee hereby issues the plan on foreign affairs for the "
               "year 2025 with the following contents and requirements for all departments.")
    assert needs_ocr(english) is False  # a clean English annex keeps its text layer


def _line(words: list[tuple[str, float]], top: float, h: float = 12.0) -> "ocr.OcrLine":
    """An OcrLine of (word, left) pairs, each word 6 pt per character wide."""
    ws = [(w, x, top, x + 6.0 * len(w), top + h) for w, x in words]
    return ocr._line_of(ws, 90.0, 0)


def test_signature_column_geometry():
    body = _line([("Trên", 60.0), ("đây", 90.0), ("là", 115.0), ("Kế", 135.0), ("hoạch", 155.0)], 100.0)
    rec = _line([("Nơi", 60.0), ("nhận:", 82.0), ("TM.", 330.0), ("ỦY", 352.0), ("BAN", 368.0)], 130.0)
    rec2 = _line([("-", 60.0), ("Bộ", 70.0), ("Ngoại", 85.0), ("giao;", 120.0), ("CHỦ", 360.0), ("TỊCH", 382.0)], 145.0)
    name = _line([("Lê", 340.0), ("Văn", 355.0), ("Dũng", 377.0)], 200.0)
    assert ocr.signature_column([body, rec, rec2, name], 595.0) == (330.0, 130.0, None)
    # the column is the leftmost word beyond a gap on or below the recipients' line
    rec3 = _line([("-", 60.0), ("Sở", 70.0), ("PHÓ", 310.0), ("CHỦ", 333.0)], 160.0)
    assert ocr.signature_column([body, rec, rec3], 595.0) == (310.0, 130.0, None)
    # the block ends above the first line that runs across its left edge (an appendix's text below it)
    full = _line([(w, 60.0 + 30.0 * k) for k, w in enumerate("Phụ lục gồm các hoạt động đối ngoại của tỉnh năm 2025 đã".split())], 240.0)
    assert ocr.signature_column([body, rec, rec2, name, full], 595.0) == (330.0, 130.0, 240.0)
    # no "Nơi nhận", a gap only in the left half (a table row), or no gap: no column
    assert ocr.signature_column([body, rec2, name], 595.0) is None
    left_gap = _line([("Nơi", 60.0), ("nhận:", 82.0), ("Sở", 190.0)], 130.0)
    assert ocr.signature_column([body, left_gap, name], 595.0) is None
    assert ocr.signature_column([body, _line([("Nơi", 60.0), ("nhận:", 82.0)], 130.0)], 595.0) is None


def test_lines_text_keeps_paragraphs():
    a, b, c = _line([("a", 0.0)], 0.0), _line([("b", 0.0)], 20.0), _line([("c", 0.0)], 40.0)
    c.paragraph = 1
    assert ocr._lines_text([a, b, c]) == "a\nb\n\nc"
