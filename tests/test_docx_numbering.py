"""Word's automatic numbering (w:numPr) rendered as printed labels: pipeline.readers.docx_numbering."""
from __future__ import annotations

import io

import docx
import pytest
from docx.oxml import parse_xml

from pipeline.readers import read_bytes
from pipeline.readers.docx_numbering import format_number

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# one list for a plan's body: I. / 1. / a) / - , as provincial offices set it up in Word
ABSTRACT = f"""<w:abstractNum {W} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
<w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
</w:abstractNum>"""
# recipients: a Symbol-font bullet (U+F0B7), and a list restarted at 1 by a second w:num
ABSTRACT_2 = f"""<w:abstractNum {W} w:abstractNumId="91">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl></w:abstractNum>"""
ABSTRACT_3 = f"""<w:abstractNum {W} w:abstractNumId="92">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>"""


def _plan_docx() -> bytes:
    d = docx.Document()
    numbering = d.part.numbering_part.element
    for a in (ABSTRACT, ABSTRACT_2, ABSTRACT_3):
        numbering.insert(0, parse_xml(a))  # abstractNums go before the nums
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="92"><w:abstractNumId w:val="92"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="93"><w:abstractNumId w:val="92"/>'
                               f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))

    def para(text: str, num: str | None = None, ilvl: int = 0) -> None:
        p = d.add_paragraph(text)
        if num is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>'))

    para("KẾ HOẠCH")
    para("Triển khai công tác đối ngoại năm 2025")
    para("MỤC ĐÍCH, YÊU CẦU", "90", 0)
    para("Mục đích", "90", 1)
    para("Triển khai hiệu quả Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị.")
    para("Yêu cầu", "90", 1)
    para("Bảo đảm sự lãnh đạo thống nhất của Tỉnh ủy.", "90", 3)
    para("NHIỆM VỤ", "90", 0)
    para("Đối ngoại Đảng", "90", 1)  # restarts at 1 under II.
    para("Hợp tác với Lào", "90", 2)
    para("Hợp tác với Campuchia", "90", 2)
    para("Dự kiến tổ chức 60 đoàn ra, 46 đoàn vào.")
    para("Nơi nhận:")
    para("Bộ Ngoại giao;", "91")
    para("Lưu: VT.", "91")
    para("Phụ lục thứ nhất", "92")
    para("Phụ lục thứ hai", "92")
    para("Bảng mới", "93")  # a second list on the same definition, restarted
    para("Không đánh số", "0")  # numId 0: numbering off
    b = io.BytesIO()
    d.save(b)
    return b.getvalue()


def test_automatic_numbering_is_printed_as_labels():
    """The labels Word prints: before this, the text held no "I.", "1.", "a)" or "-", and the document lost its
    sections and lists (a known limit until session 10)."""
    text = read_bytes(_plan_docx(), "plan.docx").text
    paras = text.split("\n\n")
    assert paras[2:] == [
        "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích",
        "Triển khai hiệu quả Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị.",
        "2. Yêu cầu", "- Bảo đảm sự lãnh đạo thống nhất của Tỉnh ủy.",
        "II. NHIỆM VỤ", "1. Đối ngoại Đảng", "a) Hợp tác với Lào", "b) Hợp tác với Campuchia",
        "Dự kiến tổ chức 60 đoàn ra, 46 đoàn vào.",
        "Nơi nhận:", "• Bộ Ngoại giao;", "• Lưu: VT.",
        "1. Phụ lục thứ nhất", "2. Phụ lục thứ hai", "1. Bảng mới", "Không đánh số",
    ]


def test_numbered_sections_reach_the_structure():
    doc = read_bytes(_plan_docx(), "plan.docx")
    labels = [(s.label, s.title) for s in doc.sections]
    assert ("I", "MỤC ĐÍCH, YÊU CẦU") in labels and ("II", "NHIỆM VỤ") in labels
    assert ("a", "Hợp tác với Lào") in labels


def test_style_numbering_and_a_document_without_numbering():
    d = docx.Document()
    d.add_paragraph("Mục đích", style="List Number")  # numbering from the paragraph's style
    d.add_paragraph("Yêu cầu", style="List Number")
    d.add_paragraph("Bộ Ngoại giao;", style="List Bullet")
    b = io.BytesIO()
    d.save(b)
    assert read_bytes(b.getvalue(), "s.docx").text == "1. Mục đích\n\n2. Yêu cầu\n\n• Bộ Ngoại giao;"


@pytest.mark.parametrize("n,fmt,out", [(4, "upperRoman", "IV"), (14, "lowerRoman", "xiv"), (2, "lowerLetter", "b"),
                                       (27, "lowerLetter", "aa"), (3, "upperLetter", "C"), (5, "decimalZero", "05"),
                                       (7, "decimal", "7"), (7, "chineseCounting", "7"), (1, "none", "")])
def test_number_formats(n, fmt, out):
    assert format_number(n, fmt) == out
