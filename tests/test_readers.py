"""Readers: PDF, DOCX and TXT → Document (text fidelity, footnotes, errors, tricky input)."""
from __future__ import annotations

import difflib
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import ReadError
from pipeline.readers import ReadLimits, read_bytes, read_document
from pipeline.readers.common import Line, join_two, marker, rebuild_paragraphs
from pipeline.readers.pdf import _assemble
from pipeline.readers.pdf_lines import PLine
from pipeline.normalize import normalize_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEEDS = Path("/work/shared/seeds")
QN = "quang-nam-2025-ke-hoach-doi-ngoai"
NA = "nghe-an-2025-chuong-trinh-doi-ngoai"
SEED_OF = {QN: "000_94e1e49f62f025ed.txt", NA: "001_0cbf89ddfb58e074.txt"}
FOOTNOTE = {QN: ("Kế hoạch số 258-KH/TU", "kế hoạch"), NA: ("Kế hoạch số 134-KH/TU", "đối ngoại")}


def _seed_text(stem: str) -> str:
    p = SEEDS / SEED_OF[stem]
    if not p.exists():  # the corpus TXT is the seed itself
        p = CORPUS / f"{stem}.txt"
    return p.read_text(encoding="utf-8")


def _seed_tokens(stem: str) -> list[str]:
    t = _seed_text(stem).replace("**", "")
    t = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]{1,400}?)(?<=\S)\*(?![\w*])", r"\1", t)
    paras = [x for x in re.split(r"\n\s*\n", t) if not re.match(r"^\s*[¹²³⁴⁵⁶⁷⁸⁹]", x)]
    return normalize_text("\n".join(paras)).replace("¹", "").split()


def _coverage(seed: list[str], got: list[str]) -> float:
    sm = difflib.SequenceMatcher(None, seed, got, autojunk=False)
    return sum(b.size for b in sm.get_matching_blocks()) / len(seed)


@pytest.fixture(scope="module")
def corpus_docs():
    docs = {}
    for stem in (QN, NA):
        for ext in ("pdf", "docx", "txt"):
            p = CORPUS / f"{stem}.{ext}"
            assert p.exists(), f"missing corpus file {p}"
            docs[(stem, ext)] = read_document(p)
    return docs


# ----------------------------------------------------------------------------- corpus fidelity
@pytest.mark.parametrize("stem", [QN, NA])
@pytest.mark.parametrize("ext", ["pdf", "docx", "txt"])
def test_corpus_text_matches_seed(corpus_docs, stem, ext):
    doc = corpus_docs[(stem, ext)]
    assert doc.format == ext
    body = doc.text[: doc.body_end]
    assert _coverage(_seed_tokens(stem), body.split()) >= 0.995
    # no footnote text, no page numbers, no markdown, no private-use markers left in the body
    assert FOOTNOTE[stem][0] not in body
    assert "**" not in doc.text and "\ue000" not in doc.text
    assert not re.search(r"(?m)^\d{1,3}$", body)


@pytest.mark.parametrize("stem", [QN, NA])
@pytest.mark.parametrize("ext", ["pdf", "docx", "txt"])
def test_corpus_footnotes_and_anchors(corpus_docs, stem, ext):
    doc = corpus_docs[(stem, ext)]
    start, before = FOOTNOTE[stem]
    assert len(doc.footnotes) == 1
    fn = doc.footnotes[0]
    assert fn.label == "1"
    assert fn.text.startswith(start)
    assert doc.text[fn.char_start : fn.char_end] == fn.text
    assert fn.char_start >= doc.body_end
    assert doc.text[doc.body_end : fn.char_start] == "\n\n"
    assert fn.anchor is not None and fn.anchor < doc.body_end
    assert doc.text[: fn.anchor].endswith(before)
    assert doc.body_offset(fn.char_start + 5) == fn.anchor


def test_seed_paragraph_rejoined_around_footnote(corpus_docs):
    for ext in ("pdf", "docx", "txt"):
        doc = corpus_docs[(QN, ext)]
        assert "chỉ đạo rà soát, kịp thời sửa đổi, bổ sung và ban hành các văn bản trong lĩnh vực đối ngoại" in doc.body


def test_corpus_ids_pages_blocks(corpus_docs):
    for (stem, ext), doc in corpus_docs.items():
        data = (CORPUS / f"{stem}.{ext}").read_bytes()
        import hashlib

        assert doc.sha256 == hashlib.sha256(data).hexdigest()
        assert doc.doc_id == doc.sha256[:16]
        for b in doc.blocks:
            assert 0 <= b.char_start < b.char_end <= len(doc.text)
        starts = [b.char_start for b in doc.blocks]
        assert starts == sorted(starts)
        assert doc.original is not None and len(doc.offsets) == len(doc.text)
        if ext == "pdf":
            assert doc.n_pages >= 2 and len(doc.pages) == doc.n_pages
            assert doc.pages[0].number == 1 and doc.pages[-1].char_end == doc.body_end
            assert doc.page_at(doc.footnotes[0].char_start) == doc.page_at(doc.footnotes[0].anchor)
        if ext == "docx":
            assert doc.n_pages >= 1


def test_scanned_pdf_without_tesseract_has_no_text_layer(monkeypatch):
    """Where Tesseract is absent, a scan is a clear no_text_layer failure that says how to fix it."""
    import pipeline.readers.pdf as pdf_reader

    scans = sorted((CORPUS / "scans").glob("*.pdf"))
    assert scans, "corpus/scans is committed"
    monkeypatch.setattr(pdf_reader, "tesseract_available", lambda: False)
    with pytest.raises(ReadError) as e:
        read_document(scans[0])
    assert e.value.kind == "no_text_layer"
    assert scans[0].name in str(e.value) and "tesseract-ocr-vie" in str(e.value)


# ----------------------------------------------------------------------------- TXT
def test_txt_encodings_utf8_bom_utf16_cp1258():
    text = "KẾ HOẠCH\n\nTriển khai công tác đối ngoại tỉnh Thừa Thiên Huế năm 2025\n\nĐồng chí Nguyễn Văn Đạt, Phó Chủ tịch.\n"

    def cp1258_bytes(s: str) -> bytes:
        # Windows-1258 has no precomposed tone letters: base (with â/ơ/ư...) + combining tone mark
        out = []
        for ch in s:
            d = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tone))
            out.append(base + tone)
        return "".join(out).encode("cp1258")

    variants = {
        "utf8": text.encode("utf-8"),
        "bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf16": text.encode("utf-16"),
        "utf16be": b"\xfe\xff" + text.encode("utf-16-be"),
        "cp1258": cp1258_bytes(text),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
    }
    expected = "KẾ HOẠCH\n\nTriển khai công tác đối ngoại tỉnh Thừa Thiên Huế năm 2025\n\nĐồng chí Nguyễn Văn Đạt, Phó Chủ tịch."
    for name, data in variants.items():
        doc = read_bytes(data, f"x_{name}.txt")
        assert doc.text == expected, name
        assert doc.header.doc_type == "Kế hoạch"
        assert doc.header.province == "Thừa Thiên Huế"
    assert "decoded as cp1258" in read_bytes(variants["cp1258"], "a.txt").warnings


def test_txt_undecodable_and_binary():
    with pytest.raises(ReadError) as e:
        read_bytes(b"abc \x81\x8a\x8d\x8e\x8f\x90 def", "bad.txt")
    assert e.value.kind == "encoding" and "bad.txt" in str(e.value)
    with pytest.raises(ReadError) as e:
        read_bytes(b"\x00\x01\x02\x03" * 10 + b"\xff\xfe\x00\x00\xd8\x00", "blob.txt")
    assert e.value.kind in ("unsupported_format", "encoding")


def test_txt_normalization_nfd_lookalike_spaces_quotes():
    raw = unicodedata.normalize("NFD", "Ðoàn công tác") + "\u00a0sang\u200b Lào theo “Kế hoạch” – giai đoạn 2021\u20132025, hoà bình"
    doc = read_bytes(raw.encode("utf-8"), "n.txt")
    assert doc.text == 'Đoàn công tác sang Lào theo "Kế hoạch" - giai đoạn 2021-2025, hoà bình'
    # original keeps the document's own spelling; offsets map back
    i = doc.text.index("Kế")
    assert doc.original[doc.offsets[i]] == "K"
    assert doc.original[doc.offsets[0]] == "Ð"


def test_txt_footnote_superscript_and_bracket_and_rejoin():
    src = (
        "1. Nhiệm vụ\n\n"
        "Triển khai các chương trình, kế hoạch¹ liên quan đã ban hành; rà soát và ban hành các\n\n"
        "¹ Kế hoạch số 145-KH/TU ngày 06/5/2022 của Tỉnh ủy.\n\n"
        "văn bản trong lĩnh vực đối ngoại. Diện tích 25 m² đất.\n\n"
        "- Theo Nghị quyết [2] của Chính phủ.\n\n"
        "[2] Nghị quyết số 169/NQ-CP ngày 31/12/2021.\n"
    )
    doc = read_bytes(src.encode(), "fn.txt")
    paras = doc.body.split("\n\n")
    assert paras == [
        "1. Nhiệm vụ",
        "Triển khai các chương trình, kế hoạch liên quan đã ban hành; rà soát và ban hành các văn bản trong lĩnh vực đối ngoại. Diện tích 25 m² đất.",
        "- Theo Nghị quyết của Chính phủ.",
    ]
    assert [f.label for f in doc.footnotes] == ["1", "2"]
    assert doc.footnotes[0].text == "Kế hoạch số 145-KH/TU ngày 06/5/2022 của Tỉnh ủy."
    assert doc.body[: doc.footnotes[0].anchor].endswith("kế hoạch")
    assert doc.body[: doc.footnotes[1].anchor].endswith("Theo Nghị quyết")
    assert doc.text.endswith("Nghị quyết số 169/NQ-CP ngày 31/12/2021.")


def test_txt_markdown_and_hard_wrapped_lines():
    src = (
        "**KẾ HOẠCH**\n\n"
        "Các hoạt động đối ngoại được triển khai theo Kết luận số 33-\n"
        "KL/TW ngày 25/7/2018, bảo đảm phát triển kinh tế -\n"
        "xã hội của tỉnh trong năm 2025 và các năm tiếp theo một cách bền vững.\n"
        "- *Xúc tiến thương mại:* tổ chức đoàn công tác.\n"
    )
    doc = read_bytes(src.encode(), "w.txt")
    assert doc.body.split("\n\n") == [
        "KẾ HOẠCH",
        "Các hoạt động đối ngoại được triển khai theo Kết luận số 33-KL/TW ngày 25/7/2018, bảo đảm phát triển kinh tế - xã hội của tỉnh trong năm 2025 và các năm tiếp theo một cách bền vững.",
        "- Xúc tiến thương mại: tổ chức đoàn công tác.",
    ]


# ----------------------------------------------------------------------------- line joining / paragraphs
def test_join_two_hyphenation_rules():
    assert join_two("theo Kết luận số 33-", "KL/TW ngày 25/7/2018") == "theo Kết luận số 33-KL/TW ngày 25/7/2018"
    assert join_two("Quyết định số 1673/", "QĐ-UBND") == "Quyết định số 1673/QĐ-UBND"
    assert join_two("phát triển kinh tế -", "xã hội") == "phát triển kinh tế - xã hội"
    assert join_two("giai đoạn 2021-", "2025") == "giai đoạn 2021-2025"
    assert join_two("khu du lịch Bà Nà-", "hills") == "khu du lịch Bà Nà-hills"
    assert join_two("hợp tác với", "tỉnh Sê Kông") == "hợp tác với tỉnh Sê Kông"
    assert join_two("Văn hóa -", "Xã hội ASEAN") == "Văn hóa - Xã hội ASEAN"
    # a hyphenated name wrapped after its hyphen (it read "Ivry-sur- Seine", and the place was lost)
    assert join_two("với thành phố Ivry-sur-", "Seine (Pháp)") == "với thành phố Ivry-sur-Seine (Pháp)"
    assert join_two("tại bang Baden-", "Württemberg") == "tại bang Baden-Württemberg"
    assert join_two("tỉnh Darkhan-", "Uul") == "tỉnh Darkhan-Uul"


def test_rebuild_paragraphs_geometry():
    L, R, em = 85.0, 538.0, 14.0
    lines = [
        Line("I. MỤC ĐÍCH, YÊU CẦU", 113.5, 300, 100, 114, 14, 1),
        Line("Tiếp tục quán triệt và chỉ đạo các Sở, Ban, ngành, địa phương trên địa bàn", 113.5, 537, 118, 132, 14, 1),
        Line("tỉnh nghiêm túc triển khai thực hiện đồng bộ các chương trình, kế hoạch liên", 85.2, 538, 136, 150, 14, 1),
        Line("quan công tác đối ngoại.", 85.2, 250, 154, 168, 14, 1),
        Line("Các hoạt động phải đảm bảo tính thiết thực, hiệu quả, có trọng tâm, trọng", 113.5, 537, 178, 192, 14, 1),
        Line("điểm; bảo đảm sự lãnh đạo thống nhất.", 85.2, 300, 40, 54, 14, 2),  # next page
        Line("a) Đối ngoại Đảng", 113.5, 250, 58, 72, 14, 2),
        Line("- Xúc tiến đầu tư", 113.5, 250, 76, 90, 14, 2),
    ]
    paras = [" ".join(x.text for x in p) for p in rebuild_paragraphs(lines, left=L, right=R, em=em)]
    assert paras == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Tiếp tục quán triệt và chỉ đạo các Sở, Ban, ngành, địa phương trên địa bàn tỉnh nghiêm túc triển khai thực hiện đồng bộ các chương trình, kế hoạch liên quan công tác đối ngoại.",
        "Các hoạt động phải đảm bảo tính thiết thực, hiệu quả, có trọng tâm, trọng điểm; bảo đảm sự lãnh đạo thống nhất.",
        "a) Đối ngoại Đảng",
        "- Xúc tiến đầu tư",
    ]


def _pl(text, x0, x1, base, size, page, sup=None):
    ln = PLine(base=base, size=size, page=page, x0=x0, x1=x1, text=text)
    ln.sup_label = sup
    ln.top = base - size
    return ln


def test_pdf_assembly_page_break_footnote_page_numbers():
    """Synthetic page lines: a sentence broken by the footnote area and a page break; page numbers; a citation split over the break."""
    H = 842.0
    p1 = [
        _pl("1", 300, 306, 40, 13, 1),  # page number at the top
        _pl("II. NHIỆM VỤ", 113.5, 300, 100, 14, 1),
        _pl("Tiếp tục quán triệt và chỉ đạo các Sở, Ban, ngành, địa phương trên địa bàn", 113.5, 537, 118, 14, 1),
        _pl("tỉnh triển khai đồng bộ các chương trình, kế hoạch" + marker("1") + " liên quan; Kết luận số 33-", 85.2, 538, 136, 14, 1),
        _pl("Kế hoạch số 258-KH/TU ngày 25/7/2019 của Tỉnh ủy về học tập, quán triệt, tuyên", 121.5, 538, 700, 12, 1, sup="1"),
        _pl("truyền phổ biến sâu rộng Chỉ thị số 25-CT/TW.", 85.2, 400, 714, 12, 1),
        _pl("Trang 1", 290, 320, 820, 11, 1),
    ]
    p2 = [
        _pl("2", 300, 306, 40, 13, 2),
        _pl("KL/TW ngày 25/7/2018 của Bộ Chính trị về tiếp tục thực hiện Quy chế 272 và các", 85.2, 538, 70, 14, 2),
        _pl("văn bản liên quan.", 85.2, 200, 88, 14, 2),
        _pl("III. TỔ CHỨC THỰC HIỆN", 113.5, 350, 112, 14, 2),
        _pl("Trang 2", 290, 320, 820, 11, 2),
    ]
    raw = _assemble([p1, p2], [H, H], [650.0, None], 2)
    assert [b.text for b in raw.blocks] == [
        "II. NHIỆM VỤ",
        "Tiếp tục quán triệt và chỉ đạo các Sở, Ban, ngành, địa phương trên địa bàn tỉnh triển khai đồng bộ các chương trình, kế hoạch"
        + marker("1")
        + " liên quan; Kết luận số 33-KL/TW ngày 25/7/2018 của Bộ Chính trị về tiếp tục thực hiện Quy chế 272 và các văn bản liên quan.",
        "III. TỔ CHỨC THỰC HIỆN",
    ]
    assert [b.page for b in raw.blocks] == [1, 1, 2]
    assert len(raw.footnotes) == 1
    assert raw.footnotes[0].label == "1"
    assert raw.footnotes[0].text == "Kế hoạch số 258-KH/TU ngày 25/7/2019 của Tỉnh ủy về học tập, quán triệt, tuyên truyền phổ biến sâu rộng Chỉ thị số 25-CT/TW."


def test_pdf_assembly_small_font_footnote_without_rule_and_columns():
    H = 842.0
    p1 = [
        _pl("ỦY BAN NHÂN DÂN", 109, 231, 85, 13, 1),
        _pl("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 261, 532, 85, 13, 1),
        _pl("TỈNH HÀ GIANG", 121, 218, 101, 14, 1),
        _pl("Độc lập - Tự do - Hạnh phúc", 311, 482, 101, 14, 1),
        _pl("Số: 12/KH-UBND", 122, 218, 129, 14, 1),
        _pl("Hà Giang, ngày 05 tháng 3 năm 2025", 290, 503, 129, 14, 1),
        _pl("KẾ HOẠCH", 255, 368, 163, 14, 1),
        _pl("Công tác đối ngoại năm 2025", 200, 420, 180, 14, 1),
        _pl("Thực hiện Chỉ thị số 12-CT/TW" + marker("1") + " của Ban Bí thư, Ủy ban nhân dân tỉnh ban hành Kế hoạch", 113.5, 538, 214, 14, 1),
        _pl("như sau:", 85.2, 150, 232, 14, 1),
        _pl("Chỉ thị số 12-CT/TW ngày 05/01/2022 của Ban Bí thư.", 121, 400, 780, 10, 1, sup="1"),
    ]
    raw = _assemble([p1], [H], [None], 1)
    texts = [b.text for b in raw.blocks]
    assert texts[0] == "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nSố: 12/KH-UBND"
    assert texts[1] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nHà Giang, ngày 05 tháng 3 năm 2025"
    assert texts[2:4] == ["KẾ HOẠCH", "Công tác đối ngoại năm 2025"]
    assert texts[4].endswith("ban hành Kế hoạch như sau:")
    assert [b.kind for b in raw.blocks[:2]] == ["table_cell", "table_cell"]
    assert [(f.label, f.text) for f in raw.footnotes] == [("1", "Chỉ thị số 12-CT/TW ngày 05/01/2022 của Ban Bí thư.")]


# ----------------------------------------------------------------------------- DOCX
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _make_docx(paragraphs, footnotes=(), header=None, page_break_before=None) -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    d = docx.Document()
    if header:
        t = d.add_table(rows=1, cols=2)
        for cell, lines in zip(t.rows[0].cells, header):
            cell.paragraphs[0].text = lines[0]
            for ln in lines[1:]:
                cell.add_paragraph(ln)
    for k, ptxt in enumerate(paragraphs):
        p = d.add_paragraph()
        if page_break_before == k:
            p.paragraph_format.page_break_before = True
        for piece in re.split(r"(\{fn\d+\}|\{PAGE\})", ptxt):
            m = re.fullmatch(r"\{fn(\d+)\}", piece)
            if m:
                r = p.add_run()
                r._r.append(parse_xml(f'<w:footnoteReference {W_NS} w:id="{m.group(1)}"/>'))
            elif piece == "{PAGE}":
                p._p.append(parse_xml(f'<w:fldSimple {W_NS} w:instr=" PAGE "><w:r><w:t>7</w:t></w:r></w:fldSimple>'))
            elif piece:
                p.add_run(piece)
    if footnotes:
        xml = [f"<w:footnotes {W_NS}>",
               '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
               '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>']
        for i, t in enumerate(footnotes, 1):
            xml.append(f'<w:footnote w:id="{i}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {t}</w:t></w:r></w:p></w:footnote>')
        xml.append("</w:footnotes>")
        part = Part(PackURI("/word/footnotes.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                    "".join(xml).encode(), d.part.package)
        d.part.relate_to(part, RT.FOOTNOTES)
    bio = io.BytesIO()
    d.save(bio)
    return bio.getvalue()


def test_docx_table_header_footnotes_page_break_fields():
    data = _make_docx(
        [
            "CHƯƠNG TRÌNH",
            "Hoạt động đối ngoại tỉnh Nghệ An năm 2025",
            "1. Tăng cường công tác đối ngoại{fn1} trong năm, theo Kết luận số 33-KL/TW.",
            "Trang {PAGE}",
            "2. Phối hợp với các tỉnh của Lào{fn2}.",
        ],
        footnotes=["Kế hoạch số 134-KH/TU ngày 02/11/2022 của Tỉnh ủy.", "Xiêng Khoảng, Hủa Phăn."],
        header=(["ỦY BAN NHÂN DÂN", "TỈNH NGHỆ AN", "Số:    /CTr-UBND"], ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Nghệ An, ngày    tháng    năm 2025"]),
        page_break_before=4,
    )
    doc = read_bytes(data, "t.docx")
    assert doc.format == "docx"
    assert doc.body.split("\n\n") == [
        "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\nSố: /CTr-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nNghệ An, ngày tháng năm 2025",
        "CHƯƠNG TRÌNH",
        "Hoạt động đối ngoại tỉnh Nghệ An năm 2025",
        "1. Tăng cường công tác đối ngoại trong năm, theo Kết luận số 33-KL/TW.",
        "Trang",
        "2. Phối hợp với các tỉnh của Lào.",
    ]
    assert [(f.label, f.text) for f in doc.footnotes] == [
        ("1", "Kế hoạch số 134-KH/TU ngày 02/11/2022 của Tỉnh ủy."),
        ("2", "Xiêng Khoảng, Hủa Phăn."),
    ]
    assert doc.body[: doc.footnotes[0].anchor].endswith("công tác đối ngoại")
    assert doc.body[: doc.footnotes[1].anchor].endswith("các tỉnh của Lào")
    assert doc.blocks[0].kind == "header" and doc.blocks[1].kind == "header"
    h = doc.header
    assert (h.issuer, h.number, h.symbol, h.place, h.issue_date, h.doc_type, h.title, h.province) == (
        "Ủy ban nhân dân tỉnh Nghệ An", None, "CTr-UBND", "Nghệ An", "2025", "Chương trình",
        "Hoạt động đối ngoại tỉnh Nghệ An năm 2025", "Nghệ An",
    )


def test_docx_zip_bomb_and_dtd_refused():
    data = _make_docx(["Xin chào"])
    zin = zipfile.ZipFile(io.BytesIO(data))
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
        for i in zin.infolist():
            z.writestr(i, zin.read(i))
        z.writestr("word/media/bomb.bin", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(ReadError) as e:
        read_bytes(bio.getvalue(), "bomb.docx", limits=ReadLimits(max_uncompressed_bytes=1024 * 1024))
    assert e.value.kind == "too_large" and "bomb.docx" in str(e.value)

    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
        for i in zin.infolist():
            blob = zin.read(i)
            if i.filename == "word/document.xml":
                blob = blob.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', 1)
            z.writestr(i, blob)
    with pytest.raises(ReadError) as e:
        read_bytes(bio.getvalue(), "dtd.docx")
    assert e.value.kind == "corrupt" and "DTD" in e.value.message


def test_zip_without_document_xml():
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReadError) as e:
        read_bytes(bio.getvalue(), "book.xlsx")
    assert e.value.kind == "unsupported_format"
    with pytest.raises(ReadError) as e:
        read_bytes(b"PK\x03\x04garbage" * 5, "broken.docx")
    assert e.value.kind == "corrupt"


# ----------------------------------------------------------------------------- errors
def _pdf_bytes(objs, trailer_extra=""):
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, body in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    x = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for o in offs:
        out += f"{o:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R {trailer_extra}>>\nstartxref\n{x}\n%%EOF\n".encode()
    return bytes(out)


def test_encrypted_pdf():
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            "<< /Filter /Standard /V 1 /R 2 /O <" + "11" * 32 + "> /U <" + "22" * 32 + "> /P -4 >>"]
    data = _pdf_bytes(objs, "/Encrypt 4 0 R /ID [<" + "33" * 16 + "> <" + "33" * 16 + ">] ")
    with pytest.raises(ReadError) as e:
        read_bytes(data, "secret.pdf")
    assert e.value.kind == "encrypted" and "secret.pdf" in str(e.value) and "password" in e.value.message


def test_image_only_pdf_has_no_text_layer(tmp_path):
    from PIL import Image

    p = tmp_path / "scan.pdf"
    Image.new("RGB", (300, 400), "white").save(p, "PDF")
    with pytest.raises(ReadError) as e:
        read_document(p)
    assert e.value.kind == "no_text_layer"


def test_minimal_text_pdf():
    stream = "BT /F1 12 Tf 72 700 Td (Ke hoach so 12/KH-UBND) Tj ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    doc = read_bytes(_pdf_bytes(objs), "mini.pdf")
    assert doc.text == "Ke hoach so 12/KH-UBND" and doc.n_pages == 1 and doc.format == "pdf"


@pytest.mark.parametrize(
    "data,name,kind",
    [
        (b"", "empty.txt", "empty"),
        (b"", "empty.pdf", "empty"),
        (b"  \n\n \t ", "blank.txt", "empty"),
        (b"\x13\x37junk bytes, not a pdf at all" * 20, "junk.pdf", "corrupt"),
        (b"%PDF-1.7\n garbage garbage", "trunc.pdf", "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.doc", "unsupported_format"),
        (b"{\\rtf1\\ansi hello}", "a.rtf", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "img.png", "unsupported_format"),
    ],
)
def test_read_errors(tmp_path, data, name, kind):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(ReadError) as e:
        read_document(p)
    assert e.value.kind == kind
    assert name in str(e.value)


def test_too_large_and_missing(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(b"a" * 2000)
    with pytest.raises(ReadError) as e:
        read_document(p, limits=ReadLimits(max_file_bytes=1000))
    assert e.value.kind == "too_large"
    with pytest.raises(ReadError) as e:
        read_document(tmp_path / "nope.pdf")
    assert e.value.kind == "corrupt" and "does not exist" in e.value.message


def test_pathological_text_is_fast():
    import time

    nasty = (
        "*a" * 20000 + "\n\n" + "Số: 1/" + "A-" * 5000 + "\n\n" + "tỉnh " + "Quảng " * 5000 + "\n\n"
        + "¹" * 3000 + "\n\n" + "[1]" * 3000 + "\n\n" + "- " * 20000 + "\n\n" + ("33-\n" * 3000)
    )
    t = time.perf_counter()
    doc = read_bytes(nasty.encode(), "nasty.txt")
    assert time.perf_counter() - t < 5.0
    assert doc.text


@pytest.mark.parametrize("code", [0x0002, 0xFFFE, 0x0096])
def test_hyphen_glyphs_with_control_codes_are_read_as_hyphens(code):
    """A hyphen drawn with a control code for its text: LibreOffice 7.4 exports Word's non-breaking hyphen
    with U+0002 in the font's ToUnicode map, PDFium reports some hyphens as U+FFFE, and a cp1252 en dash
    declared as Latin-1 arrives as U+0096 (PDFium's own text dump treats all three as hyphen-like control
    codes). Read as a control character, the hyphen became a space: "3476/KH-UBND" turned into
    "3476/KH UBND" and the citation was lost (the synthetic corpus rendered by LibreOffice 7.4: citation
    recall 0.935 instead of 1.000)."""
    stream = "BT /F1 12 Tf 72 700 Td (Ke hoach so 3476/KH-UBND ngay 13/04/2021) Tj ET"
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Hyphen def "
            "/CMapType 2 def 1 begincodespacerange <00> <FF> endcodespacerange "
            f"1 beginbfchar <2D> <{code:04X}> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode 6 0 R >>",
            f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream"]
    pdf = _pdf_bytes(objs)
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    tp = page.get_textpage()
    codes = {raw.FPDFText_GetUnicode(tp.raw, i) for i in range(tp.count_chars())}
    tp.close()
    page.close()
    doc.close()
    assert code in codes  # the PDF really gives the hyphen that code
    text = read_bytes(pdf, "h.pdf").text
    assert "3476/KH-UBND" in text and "KH UBND" not in text


def _courier_page(lines: list[tuple[float, str]]) -> bytes:
    """A one-page PDF drawing each (x, text) on its own line, 16 pt apart, in 10 pt Courier."""
    ops = [f"BT /F1 10 Tf {x} {700 - 16 * i} Td ({t}) Tj ET" for i, (x, t) in enumerate(lines)]
    stream = "\n".join(ops)
    return _pdf_bytes([
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"])


def test_a_wrapped_line_opening_with_a_number_continues_its_paragraph():
    """A line wrap before a number ("... đón" / "9 đoàn vào", "... đạt" / "10 triệu USD") split the
    paragraph: the number was taken for a list label. The clause was cut in two, so the target after it
    was lost (the synthetic corpus: 56 of 622 "triệu USD" targets), and the head of a list item lost its
    end. A number after a line that ends a clause still opens a paragraph."""
    pdf = _courier_page([
        (90, "Van dong cac to chuc phi chinh phu nuoc ngoai ho tro cac du an phat"),
        (54, "trien kinh te - xa hoi cua tinh; phan dau to chuc 62 doan ra, don va"),
        (54, "9 doan vao trong nam; van dong vien tro phi chinh phu nuoc ngoai dat"),
        (54, "10 trieu USD."),
        (90, "Cac hoat dong phai dam bao tinh thiet thuc, hieu qua, co trong tam."),
        (54, "2 Nang cao nang luc doi ngu can bo lam cong tac doi ngoai cua tinh va"),
        (54, "cac dia phuong."),
    ])
    assert read_bytes(pdf, "wrap.pdf").text.split("\n\n") == [
        "Van dong cac to chuc phi chinh phu nuoc ngoai ho tro cac du an phat trien kinh te - xa hoi cua tinh; "
        "phan dau to chuc 62 doan ra, don va 9 doan vao trong nam; van dong vien tro phi chinh phu nuoc ngoai dat "
        "10 trieu USD.",
        "Cac hoat dong phai dam bao tinh thiet thuc, hieu qua, co trong tam.",
        "2 Nang cao nang luc doi ngu can bo lam cong tac doi ngoai cua tinh va cac dia phuong.",
    ]


def test_a_hard_wrapped_text_file_keeps_a_number_in_its_clause():
    from extractors.targets import extract_targets

    txt = ("    Vận động các tổ chức phi chính phủ nước ngoài hỗ trợ các dự án phát triển kinh tế -\n"
           "xã hội; phấn đấu vận động viện trợ phi chính phủ nước ngoài trong năm 2025 đạt\n"
           "10 triệu USD; tổ chức 62 đoàn ra, đón 9 đoàn vào theo kế hoạch được phê duyệt.\n")
    doc = read_bytes(txt.encode(), "wrap.txt")
    assert "\n" not in doc.text.strip()
    got = [(t.value, t.unit) for t in extract_targets(doc.text, 2025)]
    assert got == [(10.0, "triệu USD"), (62.0, "đoàn ra"), (9.0, "đoàn vào")]


def test_estimated_line_sizes_do_not_break_paragraphs():
    """OCR gives a line's size as its box's height, which varies with the accents and descenders it holds; on
    such pages a size change is no paragraph break. On pages with real font sizes it still is."""
    L, R, em = 85.0, 538.0, 14.0
    lines = [
        Line("Thẩm định, xây dựng kế hoạch, đón tiếp các đoàn vào chặt chẽ, kịp thời, trọng", 113.5, 537, 100, 114, 15.5, 1),
        Line("thị, chu đáo. Dự kiến kế hoạch đoàn ra, đoàn vào sử dụng ngân sách nhà nước năm", 85.2, 538, 118, 132, 16.4, 1),
        Line("2025: 60 đoàn ra, 46 đoàn vào (các Phụ lục 1, 2 kèm theo).", 85.2, 400, 136, 150, 11.6, 1),
    ]
    joined = lambda **kw: [" ".join(x.text for x in p) for p in rebuild_paragraphs(lines, left=L, right=R, em=em, **kw)]
    assert len(joined(estimated_size_pages={1})) == 1
    assert len(joined(estimated_size_pages={2})) == 2  # the sizes of page 1 are real: 16.4 → 11.6 is a break
    assert len(joined()) == 2
