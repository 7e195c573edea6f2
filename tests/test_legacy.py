"""TCVN3 / VNI detection and exact conversion (pipeline.legacy)."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipeline.legacy import (
    convert_legacy,
    convert_runs,
    detect_legacy,
    docx_legacy_runs,
    encode_legacy,
    fix_legacy,
    legacy_font,
)

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared") if Path("/work/shared").exists() else ROOT.parent / "shared"  # CI: beside the clone
SEEDS = SHARED / "seeds"
LEGACY = ROOT / "tests" / "fixtures" / "legacy"

LOWER = "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđ"
UPPER = LOWER.upper()

PARAGRAPH = (
    "Tiếp tục thực hiện có hiệu quả Quyết định số 1972/QĐ-UBND ngày 15/7/2021 của UBND tỉnh "
    "về ban hành Kế hoạch thực hiện công tác hội nhập quốc tế tỉnh Quảng Nam giai đoạn 2021 - 2025, "
    "tầm nhìn đến năm 2030; triển khai việc cụ thể hóa thực hiện Nghị quyết số 59-NQ/TW ngày "
    "24/01/2025 của Bộ Chính trị về hội nhập quốc tế trong tình hình mới."
)


def test_letter_inventory():
    assert len(LOWER) == 67 and len(set(LOWER)) == 67
    assert len(set(LOWER + UPPER)) == 134


# ---------------------------------------------------------------- hand-written legacy strings
@pytest.mark.parametrize(
    "legacy, expected",
    [
        ("Uû ban nh©n d©n", "Uỷ ban nhân dân"),  # seen on a mirror (domain note §10.4)
        ("TiÕng ViÖt rÊt hay", "Tiếng Việt rất hay"),
        ("Qu¶ng Nam", "Quảng Nam"),
        ("B¶o Th¾ng, M\xadêng Kh\xad\xacng, B¸t X¸t", "Bảo Thắng, Mường Khương, Bát Xát"),
        ("NghÞ quyÕt sè 59-NQ/TW ngµy 24/01/2025 cña Bé ChÝnh trÞ", "Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị"),
        ("§¶ng bé tØnh", "Đảng bộ tỉnh"),
        ("A¸p dông", "Áp dụng"),  # capital toned vowel as capital base + lower toned code
        ("Tµ Oäc", "Tà Oọc"),  # "Oọc" is a real spelling: O is never merged
    ],
)
def test_tcvn3_known_strings(legacy, expected):
    assert convert_legacy(legacy, "tcvn3") == expected


@pytest.mark.parametrize(
    "legacy, expected",
    [
        ("Tieáng Vieät raát hay", "Tiếng Việt rất hay"),
        ("UÛy ban nhaân daân tænh Quaûng Nam", "Ủy ban nhân dân tỉnh Quảng Nam"),
        ("Nghò quyeát soá 59-NQ/TW ngaøy 24/01/2025", "Nghị quyết số 59-NQ/TW ngày 24/01/2025"),
        ("Ñaûng boä tænh Ngheä An", "Đảng bộ tỉnh Nghệ An"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("thöïc hieän, höôùng daãn, ñoái ngoaïi", "thực hiện, hướng dẫn, đối ngoại"),
    ],
)
def test_vni_known_strings(legacy, expected):
    assert convert_legacy(legacy, "vni") == expected


def test_tcvn3_vntimeh_upper():
    assert convert_legacy("ñy ban nh©n d©n tØnh qu¶ng nam", "tcvn3", upper=True) == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"
    assert convert_legacy("kÕ ho¹ch", "tcvn3", upper=True) == "KẾ HOẠCH"


# ---------------------------------------------------------------- all 134 letters, round trip
def test_tcvn3_all_letters():
    lower = encode_legacy(LOWER, "tcvn3")
    assert all(ord(c) < 256 for c in lower) and len(lower) == 67
    assert convert_legacy(lower, "tcvn3") == LOWER
    upper_h = encode_legacy(UPPER, "tcvn3", upper_font=True)  # .VnTimeH
    assert upper_h == lower
    assert convert_legacy(upper_h, "tcvn3", upper=True) == UPPER
    # plain font: capital base + toned code for every vowel but O
    no_o = "".join(c for c in UPPER if unicodedata.normalize("NFD", c)[0] != "O")
    assert convert_legacy(encode_legacy(no_o, "tcvn3"), "tcvn3") == no_o


def test_vni_all_letters():
    for s in (LOWER, UPPER, LOWER + " " + UPPER):
        enc = encode_legacy(s, "vni")
        assert all(ord(c) < 256 for c in enc)
        assert convert_legacy(enc, "vni") == s
    assert encode_legacy("ố", "vni") == "oá" and encode_legacy("Ơ", "vni") == "Ô"


def test_seed_paragraph_round_trip():
    for enc in ("tcvn3", "vni"):
        legacy = encode_legacy(PARAGRAPH, enc)
        assert legacy != PARAGRAPH
        assert legacy.encode("cp1252").decode("cp1252") == legacy  # representable as 8-bit bytes
        assert detect_legacy(legacy) == enc
        assert convert_legacy(legacy, enc) == PARAGRAPH
        assert fix_legacy(legacy) == (PARAGRAPH, enc)


# ---------------------------------------------------------------- committed samples
def test_sample_files():
    expected = (LEGACY / "sample.expected.txt").read_text(encoding="utf-8")
    vni = (LEGACY / "sample.vni.txt").read_bytes().decode("cp1252")
    assert detect_legacy(vni) == "vni"
    assert convert_legacy(vni, "vni") == expected
    tc = (LEGACY / "sample.tcvn3.txt").read_bytes().decode("cp1252")
    assert detect_legacy(tc) == "tcvn3"
    assert convert_legacy(tc, "tcvn3") == (LEGACY / "sample.tcvn3.expected.txt").read_text(encoding="utf-8")


def test_sample_docx_runs():
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(LEGACY / "sample.vntime.docx"))
    got = []
    for p in doc.paragraphs:
        runs = []
        for r in p.runs:
            rfonts = r._element.rPr.find(qn("w:rFonts"))
            runs.append((r.text, rfonts.get(qn("w:hAnsi"))))
        got.append("".join(docx_legacy_runs(runs)))
    expected = (LEGACY / "sample.expected.txt").read_text(encoding="utf-8").strip().split("\n\n")
    assert got == expected


def test_convert_runs_mixed_fonts():
    runs = [
        ("Quy chÕ sè ", ".VnTime"),
        ("27-QC/TU", "Times New Roman"),
        (" cña Ban Th\xadêng vô TØnh ñy", ".VnTime"),
        ("kÕ ho¹ch", ".VnTimeH"),
        ("Nghị quyết", ".VnTime"),  # already Unicode in a legacy-named font: untouched
        ("Ban haønh", "VNI-Times"),
    ]
    assert convert_runs(runs) == [
        "Quy chế số ", "27-QC/TU", " của Ban Thường vụ Tỉnh ủy", "KẾ HOẠCH", "Nghị quyết", "Ban hành",
    ]


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize(
    "font, expected",
    [
        (".VnTime", ("tcvn3", False)),
        (".VnTimeH", ("tcvn3", True)),
        ("ABCDEF+.VnTimeH,Bold", ("tcvn3", True)),
        (".VnArial", ("tcvn3", False)),
        (".VnArialH", ("tcvn3", True)),
        ("VnTime-Italic", ("tcvn3", False)),
        (".VnBook-Antiqua", ("tcvn3", False)),
        ("VNI-Times", ("vni", False)),
        ("GHIJKL+VNI-Helve-Bold", ("vni", False)),
        ("Times New Roman", None),
        ("TimesNewRomanPS-BoldMT", None),
        ("Verdana", None),
        (None, None),
    ],
)
def test_legacy_font(font, expected):
    assert legacy_font(font) == expected


def test_detect_by_font_name():
    assert detect_legacy("Ban Chỉ đạo", [".VnTime"]) is None  # Unicode text in a legacy-named font
    assert detect_legacy("Ban chØ ®¹o", ["Times New Roman", ".VnTime"]) == "tcvn3"
    assert detect_legacy("Ban chæ ñaïo", ["VNI-Times"]) == "vni"
    assert detect_legacy("2025", ["VNI-Times"]) == "vni"  # nothing to contradict the font


def test_detect_by_statistics():
    assert detect_legacy("Uû ban nh©n d©n tØnh") == "tcvn3"
    assert detect_legacy("UÛy ban nhaân daân tænh") == "vni"
    assert detect_legacy("") is None
    assert detect_legacy("Plain ASCII text, 59-NQ/TW.") is None


@pytest.mark.parametrize("seed", ["000_94e1e49f62f025ed.txt", "001_0cbf89ddfb58e074.txt"])
def test_no_false_detection_on_seeds(seed):
    text = (SEEDS / seed).read_text(encoding="utf-8")
    assert detect_legacy(text) is None
    assert fix_legacy(text) == (text, None)
    for para in text.split("\n\n"):  # also paragraph by paragraph ("kế hoạch¹", "hoà", "quân"...)
        assert detect_legacy(para) is None, para[:80]


def test_unicode_old_style_tones_not_vni():
    text = "hoà bình, khoá học, hoãn lại, quân đội, thuê, quyền, Hoà Bình, HOÀ BÌNH"
    assert detect_legacy(text) is None


def test_unknown_encoding():
    with pytest.raises(ValueError):
        convert_legacy("abc", "viscii")
