"""Comparison report: data assembly, XLSX cells, self-contained HTML, and the HTML rendered in
headless Chromium (visible text + a non-empty screenshot).

Inputs: synthetic output tables modelled on the two seed plans (tests/_report_data.py):
Quảng Nam's 2025 Kế hoạch and Nghệ An's 2025 Chương trình, each in two formats, plus a
superseded older version that must never appear.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _report_data import NA, QN, write_synthetic  # noqa: E402
from pipeline.report import (  # noqa: E402
    build_report, compare, human_date, load_tables, render_html, select_documents, xlsx_sheets,
)
from pipeline.report_charts import bar_chart_svg  # noqa: E402

SHARED = {"169/NQ-CP", "36-NQ/TW", "45-CT/TW", "12-KL/TW", "12-CT/TW", "32-CT/TW"}


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def data(outdir):
    return build_report(load_tables(outdir), None, "all", now="2025-06-01 02:00 UTC")


# ---------------------------------------------------------------------------
# assembly
def test_provinces_and_documents(data):
    assert data.provinces == [NA, QN]  # sorted without diacritics: n < q
    assert len(data.documents) == 4  # 2 provinces × 2 formats; the superseded version is gone
    assert "(bản cũ) Kế hoạch đối ngoại" not in set(data.documents["Trích yếu"])
    assert set(data.documents["Định dạng"]) == {"txt", "pdf"}


def test_shared_central_instruments(data):
    assert set(data.shared) == SHARED
    m = data.matrix.set_index("Ký hiệu")
    assert m.loc["32-CT/TW", QN] == "2019-02-18"
    assert m.loc["32-CT/TW", NA] == "2019-02-28"
    assert m.loc["169/NQ-CP", NA] == m.loc["169/NQ-CP", QN] == "2021-12-31"
    assert m.loc["36-NQ/TW", QN] == "✓"  # cited without a date
    assert m.loc["59-NQ/TW", NA] == "" and m.loc["59-NQ/TW", "Số tỉnh"] == 1
    assert m.loc["32-CT/TW", "Mâu thuẫn"] == "ngày"
    assert m.loc["12-CT/TW", "Mâu thuẫn"] == "cơ quan ban hành"
    # only national instruments in the matrix: local ones (UBND, TU) never
    assert not any(s.endswith(("/TU", "-UBND", "/ĐU")) for s in m.index)
    assert list(m["Số tỉnh"])[: len(SHARED)] == [2] * len(SHARED)


def test_only_one_province(data):
    one = data.only_one
    assert set(one.loc[one["Tỉnh"] == QN, "Ký hiệu"]) == {
        "59-NQ/TW", "272-QĐ/TW", "33-KL/TW", "38-CT/TW", "25-CT/TW", "24-CT/TW", "37/NQ-CP", "53-KL/TW",
        "06/2020/QĐ-TTg"}
    assert set(one.loc[one["Tỉnh"] == NA, "Ký hiệu"]) == {
        "1349/BNG-CNV", "39-NQ/TW", "01-ĐA/TW", "15-CT/TW", "80/2020/NĐ-CP", "08-NQ/TW", "82/NQ-CP",
        "09/2023/QĐ-TTg", "1334/QĐ-TTg"}
    assert not SHARED & set(one["Ký hiệu"])
    # the same number/symbol in two provinces (1673/QĐ-UBND) is two local instruments
    lc = dict(zip(data.local_counts["Tỉnh"], data.local_counts["Văn bản địa phương được trích dẫn"]))
    assert lc == {QN: 8, NA: 8}


def test_conflicts_flagged(data):
    c = data.conflicts.set_index("Ký hiệu")
    assert set(c.index) == {"32-CT/TW", "12-CT/TW", "1069-TB/TU"}
    assert c.loc["32-CT/TW", "kind"] == "date"
    assert c.loc["32-CT/TW", "Các giá trị"] == "2019-02-18 — Quảng Nam; 2019-02-28 — Nghệ An"
    assert c.loc["12-CT/TW", "kind"] == "issuer"
    assert "Bộ Chính trị — Nghệ An (chú thích)" in c.loc["12-CT/TW", "Các giá trị"]
    assert c.loc["1069-TB/TU", "kind"] == "type"
    assert c.loc["1069-TB/TU", "Các giá trị"] == "Công văn — Quảng Nam; Thông báo — ký hiệu"


def test_conflicts_follow_the_selection(outdir):
    only_na = build_report(load_tables(outdir), ["nghe an"])
    assert only_na.provinces == [NA]
    assert set(only_na.conflicts["Ký hiệu"]) == {"32-CT/TW", "12-CT/TW"}  # 1069-TB/TU is Quảng Nam's
    assert only_na.shared == []


def test_targets_by_category(data):
    t = data.targets.set_index("Nhóm chỉ tiêu")
    assert t.loc["đoàn ra", NA] == "60 đoàn ra (2025)"
    assert t.loc["đoàn vào", NA] == "46 đoàn vào (2025)"
    assert t.loc["thỏa thuận quốc tế", NA] == "5 thỏa thuận quốc tế (2025)"
    assert t.loc["hội nghị, hội thảo", NA] == "7 hội nghị, hội thảo quốc tế (2025)"
    assert t.loc["địa phương", QN] == "≥ 10 địa phương (2024-2027)"
    assert t.loc["đoàn ra", QN] == ""
    assert list(t.index[:4]) == ["đoàn ra", "đoàn vào", "thỏa thuận quốc tế", "hội nghị, hội thảo"]
    d = data.target_details
    assert len(d) == 6  # duplicates across formats merged
    assert d.loc[(d["Tỉnh"] == NA) & (d["Nhóm chỉ tiêu"] == "đoàn ra"), "Phụ lục"].item() == "Phụ lục 1"


def test_partners_and_countries(data):
    p = data.partners
    qn = set(p.loc[p["Tỉnh"] == QN, "Địa phương đối tác"])
    na = set(p.loc[p["Tỉnh"] == NA, "Địa phương đối tác"])
    assert {"Sekong", "Nagasaki", "Saitama", "Gansu", "Southern Laos"} <= qn
    assert {"Xiangkhouang", "Houaphanh", "Vientiane Capital", "Gifu", "Gyeonggi", "Ulyanovsk Oblast"} <= na
    assert p.loc[(p["Tỉnh"] == NA) & (p["Địa phương đối tác"] == "Houaphanh"), "Tên trong văn bản"].item() == "Hủa Phăn / Hua Phăn"
    c = data.countries.set_index("Mã")
    assert c.loc["LA", "Quốc gia"].startswith("Lào")
    assert c.loc["LA", "Số tỉnh"] == 2 and c.loc["RU", "Số tỉnh"] == 1 and c.loc["IN", NA] == ""
    assert c.loc["LA", QN] == "✓ (3 địa phương)"
    chart = data.charts["partners"].set_index("label")
    assert chart.loc["LA", QN] == 3 and chart.loc["LA", NA] == 3 and chart.loc["JP", QN] == 2


def test_deadlines(data):
    d = data.deadlines
    assert list(zip(d["Tỉnh"], d["Giá trị"])) == [(NA, "2025-03-30"), (QN, "--05-15"), (QN, "--10-15")]
    assert list(d["Thời hạn"]) == ["30/03/2025", "15/05 hằng năm", "15/10 hằng năm"]
    assert human_date("2025-05") == "05/2025" and human_date("2021/2025") == "2021/2025"


def test_select_documents_modes(outdir):
    docs = load_tables(outdir)["documents"]
    assert len(select_documents(docs, None, "all")) == 4
    latest = select_documents(docs, None, "latest")
    assert sorted(zip(latest["province"], latest["format"])) == [(NA, "txt"), (QN, "txt")]  # txt beats pdf on a tie
    pdf = select_documents(docs, ["Quảng Nam"], "pdf")
    assert list(pdf["doc_id"]) == ["qnpdf00000000000"]
    assert len(select_documents(docs, ["QUANG NAM", "tỉnh Nghệ An"], "all")) == 4
    assert select_documents(docs, ["Quang Ngai"], "all").empty
    with pytest.raises(ValueError):
        select_documents(docs, None, "newest")


def test_single_format_gives_same_comparison(outdir):
    d = build_report(load_tables(outdir), None, "pdf")
    assert set(d.shared) == SHARED and len(d.documents) == 2


def test_compare_errors(outdir, tmp_path):
    with pytest.raises(ValueError):
        compare(outdir, None, tmp_path / "r.pdf")
    with pytest.raises(ValueError):
        compare(outdir, ["Hà Giang"], tmp_path / "r.html")
    with pytest.raises(FileNotFoundError):
        compare(tmp_path / "nothing", None, tmp_path / "r.html")


def test_bar_chart_svg_escapes_and_scales():
    svg = bar_chart_svg(["Bộ Chính trị", "<b>&"], {"Quảng Nam": [4, 2], "Nghệ An": [2, 0]}, "Cơ quan")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "&lt;b&gt;&amp;" in svg and "<b>" not in svg
    widths = [float(w) for w in re.findall(r'<rect x="250" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [450.0, 225.0, 225.0, 0.0]  # 4 = full plot width; 0 draws nothing


# ---------------------------------------------------------------------------
# XLSX
def test_xlsx_cells(outdir, tmp_path):
    from openpyxl import load_workbook

    path = compare(outdir, ["Quảng Nam", "Nghệ An"], tmp_path / "report.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Tổng quan", "Văn bản", "Văn bản TW"]
    ws = wb["Văn bản TW"]
    head = [c.value for c in ws[1]]
    assert head[:6] == ["Ký hiệu", "Loại", "Cơ quan ban hành", "Ngày (chuẩn)", QN, NA]  # order as asked
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(head)).column_letter}{ws.max_row}"
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(k for k, r in rows.items() if r[head.index("Số tỉnh")] == 2) == SHARED
    assert rows["32-CT/TW"][4] == "2019-02-18" and rows["32-CT/TW"][5] == "2019-02-28"
    assert rows["32-CT/TW"][head.index("Mâu thuẫn")] == "ngày"
    assert ws.column_dimensions["C"].width >= len("Thủ tướng Chính phủ")

    t = wb["Chỉ tiêu"]
    th = [c.value for c in t[1]]
    trows = {r[0]: r for r in t.iter_rows(min_row=2, values_only=True)}
    assert trows["đoàn ra"][th.index(NA)] == "60 đoàn ra (2025)"
    assert trows["đoàn vào"][th.index(NA)] == "46 đoàn vào (2025)"
    assert trows["thỏa thuận quốc tế"][th.index(NA)] == "5 thỏa thuận quốc tế (2025)"
    assert trows["hội nghị, hội thảo"][th.index(NA)] == "7 hội nghị, hội thảo quốc tế (2025)"
    det = wb["Chỉ tiêu chi tiết"]
    vals = {(r[0], r[1]): r[2] for r in det.iter_rows(min_row=2, values_only=True)}
    assert vals[(NA, "đoàn ra")] == 60 and isinstance(vals[(NA, "đoàn ra")], int)

    p = wb["Địa phương đối tác"]
    names = {r[3] for r in p.iter_rows(min_row=2, values_only=True)}
    assert {"Sê Koong", "Gifu", "Xiêng Khoảng", "Cam Túc", "Ulianốp"} <= names
    c = wb["Mâu thuẫn"]
    conf = {r[0]: r for r in c.iter_rows(min_row=2, values_only=True)}
    assert set(conf) == {"32-CT/TW", "12-CT/TW", "1069-TB/TU"}
    assert conf["1069-TB/TU"][1] == "loại văn bản"
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "B2"), ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws["A1"].font.bold, ws.title
    assert [n for n, _ in xlsx_sheets(build_report(load_tables(outdir)))] == wb.sheetnames
    assert all(len(n) <= 31 for n in wb.sheetnames)


# ---------------------------------------------------------------------------
# HTML
def _visible_text(html: str) -> str:
    from lxml import html as lh

    root = lh.fromstring(html)
    for bad in root.xpath("//style|//script|//title"):
        bad.getparent().remove(bad)
    return " ".join(root.text_content().split())


def test_html_self_contained_and_printable(data):
    html = render_html(data)
    assert '<meta charset="utf-8">' in html and '<html lang="vi">' in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # no network resources
    assert "url(" not in html
    assert "@media print" in html and "page-break-inside: avoid" in html and "break-before: page" in html
    assert html.count("<svg") == 2
    text = _visible_text(html)
    for s in SHARED:
        assert s in text
    assert "Văn bản Trung ương mà mọi tỉnh cùng trích dẫn (6)" in text
    assert "⚠ 32-CT/TW — ngày" in text and "⚠ 12-CT/TW — cơ quan ban hành" in text and "⚠ 1069-TB/TU — loại văn bản" in text
    assert "60 đoàn ra (2025)" in text and "46 đoàn vào (2025)" in text
    assert "5 thỏa thuận quốc tế (2025)" in text and "7 hội nghị, hội thảo quốc tế (2025)" in text
    for name in ("Sê Koong", "Gifu", "Xiêng Khoảng", "Lào (Laos)"):
        assert name in text
    assert "15/05 hằng năm" in text and "30/03/2025" in text


def test_html_escapes_document_text(outdir, tmp_path):
    tables = load_tables(outdir)
    docs = tables["documents"].copy()
    docs.loc[docs["doc_id"] == "qntxt00000000000", "title"] = "<script>alert(1)</script> & Co"
    tables["documents"] = docs
    html = render_html(build_report(tables))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (CI installs it)")
def test_html_in_headless_chromium(outdir, tmp_path):
    from PIL import Image

    page = compare(outdir, None, tmp_path / "report.html")
    url = page.resolve().as_uri()
    dom = _chromium(["--dump-dom", url], tmp_path / "profile1")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = _visible_text(dom.stdout)
    assert "So sánh kế hoạch đối ngoại các tỉnh" in text
    for s in SHARED:
        assert s in text
    assert "2019-02-28" in text and "Ban Bí thư Trung ương Đảng" in text and "Xiêng Khoảng" in text

    shot = tmp_path / "shot.png"
    r = _chromium([f"--screenshot={shot}", "--window-size=1280,2000", url], tmp_path / "profile2")
    assert shot.exists(), r.stderr[-2000:]
    assert shot.stat().st_size > 10_000
    with Image.open(shot) as im:
        colors = im.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colors is not None and len(colors) > 16  # text, tables, coloured bars: not a blank page

    if shutil.which("pdftotext"):
        pdf = tmp_path / "report.pdf"
        _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", url], tmp_path / "profile3")
        assert pdf.exists() and pdf.stat().st_size > 10_000
        printed = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        assert "Mâu thuẫn giữa các văn bản" in printed and "169/NQ-CP" in printed
        assert printed.count("\f") >= 7  # every section starts on a new page


# ---------------------------------------------------------------------------
# the two seed plans through the real pipeline (skipped only while it cannot be imported)
@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    from _report_data import ingest_seeds

    return ingest_seeds(tmp_path_factory.mktemp("seeds"))


def test_seed_report(seeds_out, tmp_path):
    from openpyxl import load_workbook

    data = build_report(load_tables(seeds_out), ["Quảng Nam", "Nghệ An"])
    assert data.provinces == [QN, NA]
    assert set(data.shared) == SHARED
    m = data.matrix.set_index("Ký hiệu")
    assert m.loc["32-CT/TW", QN] == "2019-02-18" and m.loc["32-CT/TW", NA] == "2019-02-28"
    kinds = dict(zip(data.conflicts["Ký hiệu"], data.conflicts["kind"]))
    assert kinds.get("32-CT/TW") == "date" and kinds.get("12-CT/TW") == "issuer" and kinds.get("1069-TB/TU") == "type"
    t = data.target_details
    na = {(r["Nhóm chỉ tiêu"], r["Giá trị"]) for _, r in t[t["Tỉnh"] == NA].iterrows()}
    assert {("đoàn ra", 60.0), ("đoàn vào", 46.0), ("thỏa thuận quốc tế", 5.0)} <= na
    assert any(c.startswith("hội nghị") and v == 7.0 for c, v in na)
    p = data.partners
    assert {"Sekong", "Nagasaki"} <= set(p.loc[p["Tỉnh"] == QN, "Địa phương đối tác"])
    assert {"Gifu", "Xiangkhouang", "Vientiane Capital"} <= set(p.loc[p["Tỉnh"] == NA, "Địa phương đối tác"])
    assert "LA" in set(data.countries["Mã"])
    html = render_html(data)
    for s in SHARED:
        assert s in html
    wb = load_workbook(compare(seeds_out, ["Quảng Nam", "Nghệ An"], tmp_path / "seeds.xlsx"))
    rows = {r[0]: r for r in wb["Văn bản TW"].iter_rows(min_row=2, values_only=True)}
    assert SHARED <= set(rows)
