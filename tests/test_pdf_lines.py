"""Page geometry -> lines (pipeline/readers/pdf_lines.py): the compiled layout on hand-made glyphs, and a
real LibreOffice page whose fallback-font letters PDFium returns out of order."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers.common import ReadLimits, marker
from pipeline.readers.pdf import read_pdf
from pipeline.readers.pdf_lines import Glyphs, lay_out

FIXTURES = Path(__file__).parent / "fixtures"
GLYPH, SPACE = 1, 2


def glyphs(items: list[tuple[str, float, float, float, float, int]]) -> Glyphs:
    """(char, x0, x1, baseline, size, kind) in drawing order."""
    g = Glyphs(len(items))
    for k, (c, x0, x1, base, size, kind) in enumerate(items):
        g.code[k], g.x0[k], g.x1[k], g.base[k], g.size[k], g.kind[k] = ord(c), x0, x1, base, size, kind
    return g


def word(text: str, x: float, base: float = 100.0, size: float = 12.0, w: float = 6.0, kind: int = GLYPH):
    return [(c, x + i * w, x + (i + 1) * w, base, size, kind) for i, c in enumerate(text)]


def test_letters_drawn_after_the_line_go_back_into_their_words():
    # "Tỉnh ủy": the main font draws "T", "nh", a real space, "y"; "ỉ" and "ủ" come last from a fallback font
    host = word("T", 10) + word("nh", 22) + [(" ", 34, 37, 100, 12, SPACE)] + word("y", 43)
    late = word("ỉ", 16) + word("ủ", 37)
    lines = lay_out(glyphs(host + late), 1)
    assert [ln.text for ln in lines] == ["Tỉnh ủy"]


def test_gaps_make_spaces_and_columns_and_generated_spaces_do_not_count():
    items = word("Nơi", 10) + word("nhận", 10 + 3 * 6 + 4) + word("TM.", 300)
    items += [(" ", 60, 60, 100, 12, 0)]  # a PDFium-generated space: kind 0, ignored
    lines = lay_out(glyphs(items), 1)
    assert [(ln.text, ln.x0) for ln in lines] == [("Nơi nhận", 10.0), ("TM.", 300.0)]


def test_superscript_digits_become_a_marker_after_text_and_a_label_at_line_start():
    body = word("ngoại", 10) + [("1", 40, 43, 95, 7, GLYPH)]
    note = [("1", 10, 13, 196, 6, GLYPH)] + word("Nghị", 14, base=200, size=10, w=5)
    area = word("120", 10, base=300) + word("km", 30, base=300) + [("2", 42, 45, 295, 7, GLYPH)]
    lines = lay_out(glyphs(body + note + area), 1)
    assert [(ln.text, ln.sup_label) for ln in lines] == [
        ("ngoại" + marker("1"), None),
        ("Nghị", "1"),
        ("120 km2", None),  # a unit's exponent is not a footnote
    ]


def test_lines_are_clustered_by_baseline_and_ordered_top_down():
    items = word("dưới", 10, base=200) + word("trên", 10, base=100) + word("x", 40, base=101.5)
    assert [ln.text for ln in lay_out(glyphs(items), 1)] == ["trên x", "dưới"]


def test_fallback_glyph_signature_page_is_read_from_its_text_layer():
    """The Nơi nhận / signature table of a LibreOffice PDF: PDFium's own text dump is "N i nh n: ơ ậ"
    (the earlier reader took that for gibberish and OCRed the page); the geometry gives the text back."""
    data = (FIXTURES / "signature_page_fallback_glyphs.pdf").read_bytes()
    raw = read_pdf(data, "signature_page_fallback_glyphs.pdf", ReadLimits())
    assert raw.page_info == {1: ("text", None)}
    assert [(b.kind, b.text) for b in raw.blocks] == [
        ("table_cell", "Nơi nhận:\n- Bộ Ngoại giao (b/c);\n- TT Thành ủy, TT HĐND thành phố (b/c);\n- Các sở, ban, ngành;\n- Lưu: VT, NC."),
        ("table_cell", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"),
        ("paragraph", "Phan Quang Lan"),
    ]


def test_raw_dump_of_the_fixture_is_really_out_of_order():
    """Guards the fixture: if PDFium ever returned these letters in order, the test above would prove nothing."""
    pdfium = pytest.importorskip("pypdfium2")
    page = pdfium.PdfDocument((FIXTURES / "signature_page_fallback_glyphs.pdf").read_bytes())[0]
    assert "N i nh n" in page.get_textpage().get_text_range()


def test_compiled_superscript_layout_matches_the_python_one():
    # _superscript_text (compiled kernel + the unit decision in Python) against _superscript_line, the
    # reference, on random segments mixing text, spaces, gaps, raised small digits and units
    import random

    import numpy as np

    from pipeline.readers.pdf_lines import _superscript_line, _superscript_text

    rng = random.Random(7)
    alphabet = "ab mkhcd12345ữ" + "\ue000"
    for _ in range(400):
        n = rng.randint(1, 30)
        code = np.array([ord(rng.choice(alphabet)) for _ in range(n)], np.uint32)
        glyph = np.array([chr(c) != " " and rng.random() > 0.1 for c in code.tolist()], np.bool_)
        x0 = np.cumsum([rng.choice([5.0, 6.0, 9.0, 30.0]) for _ in range(n)])
        x1 = x0 + 5.0
        raised = np.array([rng.random() < 0.4 for _ in range(n)])
        base = np.where(raised, 95.0, 100.0)
        size = np.where(raised, 7.0, 12.0)
        s = rng.randint(0, n - 1)
        args = (code, x0, x1, base, size, glyph, 100.0, 12.0)
        assert _superscript_text(s, n, *args) == _superscript_line(range(s, n), *args)


@pytest.mark.parametrize("field", ["x0", "x1", "base", "size"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), 1e300])
@pytest.mark.parametrize("where", [[5], [5, 6], [0], [0, 1, 2], [40]])
def test_characters_with_a_broken_position_keep_their_place(field, bad, where):
    """A damaged text matrix or font can give characters NaN, infinite or absurd coordinates: they used to
    garble the page (an infinite size sorted every line apart) or fail the file (an infinite x). They take
    their neighbour's place and the text reads as if nothing had happened."""
    from pipeline.readers.pdf import _assemble
    from pipeline.readers.pdf_lines import repair_geometry, text_glyphs

    boxes = [("KẾ HOẠCH hợp tác", 100, 400, 100, 12), ("Thực hiện Nghị quyết số 59-NQ/TW", 72, 500, 130, 12),
             ("năm 2025 với tỉnh Sê Kông", 72, 400, 150, 12)]

    def text(g: Glyphs) -> list[str]:
        return [b.text for b in _assemble([lay_out(g, 1)], [842.0], [None], 1).blocks]

    want = text(text_glyphs(boxes))
    g = text_glyphs(boxes)
    for i in where:
        getattr(g, field)[i] = bad
    assert repair_geometry(g) == len(where)
    assert text(g) == want
    assert repair_geometry(g) == 0  # repaired for good


def test_a_pdf_with_a_broken_text_matrix_still_reads():
    from hostile_fixtures import pdf_bytes

    from pipeline.readers import read_bytes

    lines = [b"BT /F1 12 Tf 72 700 Td (KE HOACH hop tac nam 2025) Tj ET\n",
             b"BT /F1 12 Tf 1e38 0 0 1e38 72 690 Tm (XYZ) Tj ET\n",  # PDFium leaves these characters out
             b"BT /F1 1e38 Tf 72 685 Td (XYZ) Tj ET\n",
             b"BT /F1 12 Tf 72 680 Td (Thuc hien Nghi quyet so 59-NQ/TW ngay 24/01/2025) Tj ET\n"]
    content = b"".join(lines)
    data = pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])
    doc = read_bytes(data, "broken-matrix.pdf")
    assert doc.text == "KE HOACH hop tac nam 2025 Thuc hien Nghi quyet so 59-NQ/TW ngay 24/01/2025"
