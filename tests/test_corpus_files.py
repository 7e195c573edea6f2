"""The bundled corpus (corpus/*.docx|pdf|txt) and the builder that makes it.

The committed files are checked as a user would receive them (no LibreOffice needed);
the builder is checked on small hand-written plans.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from corpus.build import SEEDS, default_seeds_dir
from corpus.docx_writer import HeaderSpec, Para, SignatureSpec, build_docx, parse_inline
from corpus.seed_parser import (
    classify,
    extract_footnotes,
    join_broken,
    mark_footnote_refs,
    parse_plan_text,
    split_paragraphs,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QN = CORPUS / "quang-nam-2025-ke-hoach-doi-ngoai"
NA = CORPUS / "nghe-an-2025-chuong-trinh-doi-ngoai"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
FN_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FN_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def _xml(docx: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(docx) as z:
        return etree.fromstring(z.read(name))


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _paras(root: etree._Element) -> list[str]:
    return [_text(p) for p in root.iter(f"{{{W}}}p")]


def _w(attr: str) -> str:
    return f"{{{W}}}{attr}"


# --------------------------------------------------------------------------- DOCX structure


@pytest.mark.parametrize("stem", [QN, NA])
def test_docx_has_real_footnotes_part(stem: Path) -> None:
    docx = stem.with_suffix(".docx")
    ct = _xml(docx, "[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in ct}
    assert overrides["/word/footnotes.xml"] == FN_CT
    rels = _xml(docx, "word/_rels/document.xml.rels")
    assert [r.get("Target") for r in rels if r.get("Type") == FN_RT] == ["footnotes.xml"]
    fn = _xml(docx, "word/footnotes.xml")
    notes = fn.findall("w:footnote", NS)
    assert [(n.get(_w("id")), n.get(_w("type"))) for n in notes] == [
        ("-1", "separator"), ("0", "continuationSeparator"), ("1", None)]
    assert notes[2].find(".//w:footnoteRef", NS) is not None
    settings = _xml(docx, "word/settings.xml")
    assert [f.get(_w("id")) for f in settings.findall("w:footnotePr/w:footnote", NS)] == ["-1", "0"]


def test_quang_nam_footnote_text_and_anchor() -> None:
    docx = QN.with_suffix(".docx")
    note = _xml(docx, "word/footnotes.xml").findall("w:footnote", NS)[2]
    text = _text(note).strip()
    assert text.startswith("Kế hoạch số 258-KH/TU ngày 25/7/2019 của Tỉnh ủy về học tập")
    assert "Công văn số 8337/UBND-TH ngày 29/10/2024" in text
    assert text.endswith("trên địa bàn tỉnh; ...")
    body = _xml(docx, "word/document.xml")
    refs = body.findall(".//w:footnoteReference", NS)
    assert [r.get(_w("id")) for r in refs] == ["1"]
    run = refs[0].getparent()
    assert run.find("w:rPr/w:rStyle", NS).get(_w("val")) == "FootnoteReference"
    # the page-break artefact is undone: one paragraph, footnote anchored after "kế hoạch"
    para = run.getparent()
    before, after = [], []
    seen = False
    for r in para.findall("w:r", NS):
        if r is run:
            seen = True
            continue
        (after if seen else before).append(_text(r))
    assert "".join(before).endswith("đồng bộ các chương trình, kế hoạch")
    assert "".join(after).startswith(" liên quan công tác đối ngoại đã ban hành; chỉ đạo rà soát")
    assert "ban hành các văn bản trong lĩnh vực đối ngoại của tỉnh" in "".join(after)
    all_text = _paras(body)
    assert not any(p.startswith("văn bản trong lĩnh vực") for p in all_text)
    assert not any("¹" in p or p.startswith("Kế hoạch số 258-KH/TU") for p in all_text)


def test_nghe_an_footnote_text_and_anchor() -> None:
    docx = NA.with_suffix(".docx")
    note = _xml(docx, "word/footnotes.xml").findall("w:footnote", NS)[2]
    text = _text(note).strip()
    assert text.startswith("Kế hoạch số 134-KH/TU ngày 02/11/2022 của Tỉnh ủy")
    assert text.endswith("trên địa bàn tỉnh Nghệ An...")
    body = _xml(docx, "word/document.xml")
    ref = body.find(".//w:footnoteReference", NS)
    para = _text(ref.getparent().getparent())
    assert para == ("- Tăng cường công tác lãnh đạo, chỉ đạo việc tuyên truyền, quán triệt tổ chức "
                    "triển khai thực hiện các nghị quyết, chỉ thị của Đảng và Nhà nước về hoạt động "
                    "đối ngoại.")


@pytest.mark.parametrize("stem", [QN, NA])
def test_docx_fonts_page_and_page_numbers(stem: Path) -> None:
    docx = stem.with_suffix(".docx")
    styles = _xml(docx, "word/styles.xml")
    fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        assert fonts.get(_w(attr)) == "Times New Roman"
    assert not [k for k in fonts.keys() if k.endswith("Theme")]
    size = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS).get(_w("val"))
    assert int(size) in (26, 28)
    body = _xml(docx, "word/document.xml")
    sect = body.find(".//w:body/w:sectPr", NS)
    pg = sect.find("w:pgSz", NS)
    assert (pg.get(_w("w")), pg.get(_w("h"))) == ("11906", "16838")  # A4
    mar = sect.find("w:pgMar", NS)
    assert int(mar.get(_w("left"))) == 1701 and int(mar.get(_w("top"))) == 1134  # 3 cm / 2 cm
    assert sect.find("w:titlePg", NS) is not None
    default_hdr = [h for h in sect.findall("w:headerReference", NS) if h.get(_w("type")) == "default"]
    rels = {r.get("Id"): r.get("Target") for r in _xml(docx, "word/_rels/document.xml.rels")}
    rid = default_hdr[0].get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    hdr = _xml(docx, "word/" + rels[rid])
    assert [t.text.strip() for t in hdr.iter(_w("instrText"))] == ["PAGE"]
    assert "**" not in _text(body) and "¹" not in _text(body)


def _cell_lines(tc: etree._Element) -> list[str]:
    return [_text(p) for p in tc.findall("w:p", NS) if _text(p)]


@pytest.mark.parametrize(
    "stem, issuer, number, place_date, doc_type, title",
    [
        (QN, ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NAM"], "Số:    /KH-UBND",
         "Quảng Nam, ngày    tháng    năm 2025", "KẾ HOẠCH",
         "Triển khai công tác đối ngoại tỉnh Quảng Nam năm 2025"),
        (NA, ["ỦY BAN NHÂN DÂN", "TỈNH NGHỆ AN"], "Số:    /CTr-UBND",
         "Nghệ An, ngày    tháng    năm 2025", "CHƯƠNG TRÌNH",
         "Hoạt động đối ngoại tỉnh Nghệ An năm 2025"),
    ],
)
def test_docx_header_table(stem, issuer, number, place_date, doc_type, title) -> None:
    body = _xml(stem.with_suffix(".docx"), "word/document.xml").find("w:body", NS)
    first = body[0]
    assert first.tag == _w("tbl")
    borders = first.find("w:tblPr/w:tblBorders", NS)
    assert {b.tag.split("}")[1]: b.get(_w("val")) for b in borders} == {
        s: "nil" for s in ("top", "left", "bottom", "right", "insideH", "insideV")}
    rows = first.findall("w:tr", NS)
    left0, right0 = rows[0].findall("w:tc", NS)
    left1, right1 = rows[1].findall("w:tc", NS)
    assert _cell_lines(left0) == issuer
    assert all(r.find("w:rPr/w:b", NS) is not None for r in left0.iter(_w("r")))
    assert _cell_lines(right0) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert _cell_lines(left1) == [number]
    assert _cell_lines(right1) == [place_date]
    assert right1.find(".//w:r/w:rPr/w:i", NS) is not None
    # document type and title: centered bold lines right after the table
    after = [p for p in body[1:4] if p.tag == _w("p")]
    assert [_text(p) for p in after[:2]] == [doc_type, title]
    for p in after[:2]:
        assert p.find("w:pPr/w:jc", NS).get(_w("val")) == "center"
        assert p.find("w:r/w:rPr/w:b", NS) is not None
    # the draft's number/date lines are not repeated in the body
    texts = _paras(body)
    assert texts.count(number) == 1 and texts.count(place_date) == 1
    assert not any(t.startswith(doc_type + " ") for t in texts)


@pytest.mark.parametrize(
    "stem, last_recipient, notes, capacity, signer",
    [
        (QN, "- Lưu: VT, KT, KGVX, NCKS, TH, HCQT, ĐN.", [], ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
         "Lê Văn Dũng"),
        (NA, "- Lưu: VT, KGVX (Hg, TP).", ["(b/c)"],
         ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "Bùi Đình Long"),
    ],
)
def test_docx_signature_table(stem, last_recipient, notes, capacity, signer) -> None:
    body = _xml(stem.with_suffix(".docx"), "word/document.xml").find("w:body", NS)
    tbl = body.findall("w:tbl", NS)[-1]
    assert {b.get(_w("val")) for b in tbl.find("w:tblPr/w:tblBorders", NS)} == {"nil"}
    left, right = tbl.find("w:tr", NS).findall("w:tc", NS)
    lines = _cell_lines(left)
    assert lines[0] == "Nơi nhận:"
    head_rpr = left.find("w:p/w:r/w:rPr", NS)
    assert head_rpr.find("w:b", NS) is not None and head_rpr.find("w:i", NS) is not None
    assert lines[1] == "- Bộ Ngoại giao;" or lines[2] == "- Bộ Ngoại giao;"
    n = len(notes)
    assert lines[len(lines) - 1 - n] == last_recipient and lines[len(lines) - n:] == notes
    small = left.findall("w:p", NS)[1].find("w:r/w:rPr/w:sz", NS).get(_w("val"))
    assert int(small) in (22, 24)
    rlines = _cell_lines(right)
    assert rlines == capacity + [signer]
    assert all(r.find("w:rPr/w:b", NS) is not None for r in right.iter(_w("r")))


def test_docx_headings_bold_body_justified() -> None:
    body = _xml(QN.with_suffix(".docx"), "word/document.xml").find("w:body", NS)
    by_text = {_text(p): p for p in body.findall("w:p", NS)}
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "III. TỔ CHỨC THỰC HIỆN", "Về đoàn ra"):
        assert by_text[heading].find("w:r/w:rPr/w:b", NS) is not None, heading
    para = next(t for t in by_text if t.startswith("Đề ra các nhiệm vụ công tác đối ngoại"))
    p = by_text[para]
    assert p.find("w:pPr/w:jc", NS).get(_w("val")) == "both"
    assert int(p.find("w:pPr/w:ind", NS).get(_w("firstLine"))) > 0
    assert p.find("w:r/w:rPr/w:b", NS) is None
    # the page-break cut inside "... viện trợ không hoàn | lại không thuộc ..." is joined
    assert any("viện trợ không hoàn lại không thuộc hỗ trợ phát triển chính thức dành cho" in t
               for t in by_text)


def test_docx_italic_markup_rendered() -> None:
    body = _xml(NA.with_suffix(".docx"), "word/document.xml").find("w:body", NS)
    p = next(p for p in body.findall("w:p", NS) if _text(p).startswith("- Xúc tiến thương mại, du lịch"))
    assert _text(p) == "- Xúc tiến thương mại, du lịch:"
    runs = p.findall("w:r", NS)
    assert _text(runs[0]) == "- " and runs[0].find("w:rPr/w:i", NS) is None
    assert _text(runs[1]) == "Xúc tiến thương mại, du lịch:" and runs[1].find("w:rPr/w:i", NS) is not None
    # a cut inside a dated citation is joined: "... số 55-CTr/TU ngày | 04/01/2018 ..."
    assert any("Chương trình hành động số 55-CTr/TU ngày 04/01/2018 của Ban Thường vụ" in t
               for t in _paras(body))


# --------------------------------------------------------------------------- PDF


def _pdf_pages(pdf_path: Path):
    pdfium = pytest.importorskip("pypdfium2")
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(pdf_path))
    pages = []
    for i in range(len(pdf)):
        page = pdf[i]
        _, height = page.get_size()
        tp = page.get_textpage()
        n = tp.count_chars()
        text = tp.get_text_range(0, n) if n else ""
        chars = []
        for k in range(n):
            ch = text[k] if k < len(text) else ""
            if not ch.strip():
                continue
            left, bottom, right, top = tp.get_charbox(k)
            chars.append((ch, bottom, top, raw.FPDFText_GetFontSize(tp.raw, k)))
        pages.append((height, text, chars))
    return pages


@pytest.mark.parametrize(
    "stem, note_start", [(QN, "Kế hoạch số 258-KH/TU"), (NA, "Kế hoạch số 134-KH/TU")])
def test_pdf_pages_numbers_and_footnote_at_bottom(stem: Path, note_start: str) -> None:
    pages = _pdf_pages(stem.with_suffix(".pdf"))
    assert len(pages) > 1
    # page numbers: every page after the first starts with its number, printed at the top
    for i, (height, text, chars) in enumerate(pages[1:], start=2):
        assert text.lstrip().split()[0] == str(i)
        digits = chars[: len(str(i))]
        assert all(c[1] > height * 0.9 for c in digits)
    assert not pages[0][1].lstrip().startswith("1")
    # no footnote paragraph in the body flow
    for _, text, _ in pages:
        assert "¹ Kế hoạch" not in text and "¹" not in text
    hits = [(i, t.find(note_start)) for i, (_, t, _) in enumerate(pages) if note_start in t]
    assert len(hits) == 1
    idx, pos = hits[0]
    height, text, chars = pages[idx]
    # the footnote starts in the lower part of the page, below every body (14 pt) line
    non_space = [k for k in range(pos) if text[k].strip()]
    start = len(non_space)
    fn_top = chars[start][2]
    assert fn_top < height * 0.5
    body_bottom = min(c[1] for c in chars if c[3] >= 13.5)
    assert fn_top < body_bottom
    # and it is set smaller than the body text
    assert 10.5 <= chars[start][3] <= 12.5
    assert all(c[3] <= 12.5 for c in chars if c[2] <= fn_top)


# --------------------------------------------------------------------------- TXT


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_txt_is_seed_copy(seed) -> None:
    out = CORPUS / f"{seed.stem}.txt"
    out.read_bytes().decode("utf-8")
    src = default_seeds_dir() / seed.source
    if not src.exists():
        pytest.skip("seed directory not available")
    assert out.read_bytes() == src.read_bytes()


# --------------------------------------------------------------------------- parser and builder on hand-written input

PLAN = """

Số: 15/KH-UBND

Lào Cai, ngày 10 tháng 3 năm 2025

KẾ HOẠCH Thực hiện công tác đối ngoại tỉnh Lào Cai năm 2025

Căn cứ Nghị định số 80/2020/NĐ-CP ngày 08/7/2020 của Chính phủ; Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Tăng cường hợp tác với tỉnh Vân Nam² (Trung Quốc) theo các thỏa thuận đã ký kết, trọng tâm là hợp tác thương mại qua cửa khẩu quốc tế và phát triển hạ tầng kết nối; đồng thời rà soát

² Biên bản hội đàm ngày 12/01/2025 giữa tỉnh Lào Cai và tỉnh Vân Nam.

các nội dung chưa thực hiện để kiến nghị bổ sung.

a) Hợp tác kinh tế

- *Xúc tiến thương mại:* tổ chức **02** hội chợ.

Nơi nhận:

- Bộ Ngoại giao (b/c);
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Trịnh Xuân Trường
"""


def test_parse_plan_text_handwritten() -> None:
    plan = parse_plan_text(PLAN)
    h = plan.header
    assert h.issuer == ("ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI")
    assert h.number == "Số: 15/KH-UBND"
    assert h.place_date == "Lào Cai, ngày 10 tháng 3 năm 2025"
    assert (h.doc_type, h.title) == ("KẾ HOẠCH", ("Thực hiện công tác đối ngoại tỉnh Lào Cai năm 2025",))
    assert plan.footnotes == {"2": "Biên bản hội đàm ngày 12/01/2025 giữa tỉnh Lào Cai và tỉnh Vân Nam."}
    texts = [p.text for p in plan.paragraphs]
    assert texts[2] == (
        "1. Tăng cường hợp tác với tỉnh Vân Nam[^2] (Trung Quốc) theo các thỏa thuận đã ký kết, "
        "trọng tâm là hợp tác thương mại qua cửa khẩu quốc tế và phát triển hạ tầng kết nối; "
        "đồng thời rà soát các nội dung chưa thực hiện để kiến nghị bổ sung.")
    kinds = [(p.kind, p.level) for p in plan.paragraphs]
    assert kinds == [("body", 0), ("heading", 1), ("body", 2), ("heading", 3), ("body", 4)]
    sig = plan.signature
    assert sig.recipients == ("- Bộ Ngoại giao (b/c);", "- Lưu: VT.")
    assert sig.capacity == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert sig.signer == "Trịnh Xuân Trường" and sig.notes == ()


def test_parse_blank_draft_header_and_split_type() -> None:
    plan = parse_plan_text("Số: /CTr-UBND\n\nHà Tĩnh, ngày tháng năm 2024\n\n"
                           "CHƯƠNG TRÌNH Hoạt động đối ngoại tỉnh Hà Tĩnh năm 2024\n\nNội dung.\n")
    assert plan.header.number == "Số:    /CTr-UBND"
    assert plan.header.place_date == "Hà Tĩnh, ngày    tháng    năm 2024"
    assert plan.header.doc_type == "CHƯƠNG TRÌNH"
    assert plan.header.title == ("Hoạt động đối ngoại tỉnh Hà Tĩnh năm 2024",)
    assert plan.signature is None and [p.text for p in plan.paragraphs] == ["Nội dung."]
    # no header lines: number and place-date are synthesised from the type and the title
    plan = parse_plan_text("KẾ HOẠCH\n\nCông tác đối ngoại thành phố Hải Phòng năm 2025\n\nA.\n")
    assert plan.header.number == "Số:    /KH-UBND"
    assert plan.header.issuer == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẢI PHÒNG")
    assert plan.header.place_date == "Hải Phòng, ngày    tháng    năm 2025"


def test_join_rules() -> None:
    paras = split_paragraphs(
        "- Phối hợp với các cơ quan\n\nĐại sứ quán Nhật Bản.\n\n"
        "+ Ưu tiên vận động các nhà tài trợ như Ngân hàng Thế giới (WB), Ngân hàng Phát triển châu Á "
        "(ADB), Cơ quan Phát triển Pháp (AFD), Cơ quan hợp tác quốc tế Hàn Quốc (KOICA), Cơ quan hợp "
        "tác quốc tế Nhật Bản (JICA), Ngân hàng Tái thiết Đức (KfW), Cơ quan\n\n"
        "Phát triển Quốc tế Úc.\n\nVề đoàn ra\n\nTăng cường quản lý.\n\n"
        "Chương trình hành động số 55-CTr/TU ngày\n\n04/01/2018 của Ban Thường vụ.\n\n"
        "2. Mục tiêu\n\n3. Nhiệm vụ")
    joined = join_broken(paras)
    assert joined[0] == "- Phối hợp với các cơ quan"  # short, next starts upper-case: kept
    assert joined[1] == "Đại sứ quán Nhật Bản."
    assert joined[2].endswith("Cơ quan Phát triển Quốc tế Úc.")
    assert joined[3:] == ["Về đoàn ra", "Tăng cường quản lý.",
                          "Chương trình hành động số 55-CTr/TU ngày 04/01/2018 của Ban Thường vụ.",
                          "2. Mục tiêu", "3. Nhiệm vụ"]
    assert classify("Về đoàn ra").kind == "heading"
    assert classify("2. Mục tiêu").kind == "heading"
    assert classify("1. Các sở chủ động triển khai.").kind == "body"


def test_footnote_extraction_and_markers() -> None:
    body, notes = extract_footnotes(["Theo Kế hoạch¹ và Quyết định¹² đã ban hành", "¹ Kế hoạch số 1/KH-UBND.",
                                     "¹² Quyết định số 2/QĐ-UBND.", "m² đất"])
    assert notes == {"1": "Kế hoạch số 1/KH-UBND.", "12": "Quyết định số 2/QĐ-UBND."}
    assert body == ["Theo Kế hoạch¹ và Quyết định¹² đã ban hành", "m² đất"]
    assert mark_footnote_refs(body[0], set(notes)) == "Theo Kế hoạch[^1] và Quyết định[^12] đã ban hành"
    assert mark_footnote_refs("diện tích 20 m²", set(notes)) == "diện tích 20 m²"


def test_inline_markup() -> None:
    spans = parse_inline("a **b *c*** d[^3]")
    assert [(s.text, s.bold, s.italic, s.footnote) for s in spans] == [
        ("a ", False, False, None), ("b ", True, False, None), ("c", True, True, None),
        (" d", False, False, None), ("", False, False, "3")]


def _small_plan(tmp: Path, name: str) -> Path:
    header = HeaderSpec(issuer=("ỦY BAN NHÂN DÂN", "TỈNH HÀ GIANG"), number="Số:    /KH-UBND",
                        place_date="Hà Giang, ngày    tháng    năm 2025", doc_type="KẾ HOẠCH",
                        title=("Công tác đối ngoại năm 2025",))
    paras = [Para("I. MỤC ĐÍCH", kind="heading", level=1),
             Para("Thực hiện Chỉ thị số 12-CT/TW[^a] và *Kết luận* số 12-KL/TW[^b]."),
             Para("Nhắc lại Chỉ thị[^a].")]
    notes = {"b": "Kết luận số 12-KL/TW.", "a": "Chỉ thị số 12-CT/TW ngày 05/01/2022.", "z": "unused"}
    sig = SignatureSpec(recipients=("- Như trên;",), capacity=("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
                        signer="Nguyễn Văn A")
    return build_docx(paras, notes, header, tmp / name, sig)


def test_build_docx_footnote_numbering_and_determinism(tmp_path: Path) -> None:
    a = _small_plan(tmp_path, "a.docx")
    b = _small_plan(tmp_path, "b.docx")
    assert a.read_bytes() == b.read_bytes()
    fn = _xml(a, "word/footnotes.xml").findall("w:footnote", NS)
    assert [(n.get(_w("id")), _text(n).strip()) for n in fn[2:]] == [
        ("1", "Chỉ thị số 12-CT/TW ngày 05/01/2022."), ("2", "Kết luận số 12-KL/TW.")]
    body = _xml(a, "word/document.xml")
    assert [r.get(_w("id")) for r in body.iter(_w("footnoteReference"))] == ["1", "2", "1"]
    core = _xml(a, "docProps/core.xml")
    created = core.find("{http://purl.org/dc/terms/}created").text
    assert created == "2025-01-01T00:00:00Z"
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 1, 1, 0, 0, 0)}


def test_build_docx_rejects_missing_footnote(tmp_path: Path) -> None:
    header = HeaderSpec(issuer=("ỦY BAN NHÂN DÂN", "TỈNH X"), number="Số:", place_date="X",
                        doc_type="KẾ HOẠCH", title=("T",))
    with pytest.raises(KeyError):
        build_docx([Para("a[^9]")], {}, header, tmp_path / "x.docx")


def test_signature_without_recipients_list() -> None:
    plan = parse_plan_text("QUYẾT ĐỊNH\n\nVề việc ban hành Quy chế tỉnh Bắc Kạn\n\n"
                           "Điều 1. Ban hành kèm theo Quyết định này Quy chế./.\n\n"
                           "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\n\nNguyễn Văn B\n")
    assert [p.text for p in plan.paragraphs] == ["Điều 1. Ban hành kèm theo Quyết định này Quy chế./."]
    assert plan.signature.recipients == ()
    assert plan.signature.capacity == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert plan.signature.signer == "Nguyễn Văn B"
    assert plan.header.number == "Số:    /QĐ-UBND"
    assert plan.header.issuer == ("ỦY BAN NHÂN DÂN", "TỈNH BẮC KẠN")
