"""Unit tests for extractors.instruments on hand-written variants (not the seed texts)."""
from __future__ import annotations

import time

import pytest

from extractors.instruments import extract_citations
from extractors.records import Citation


def _pick(text: str, which) -> Citation:
    cits = extract_citations(text)
    for c in cits:
        assert text[c.char_start : c.char_end] == c.text
    if isinstance(which, int):
        return cits[which]
    hits = [c for c in cits if c.symbol == which or c.name == which or c.text == which]
    assert hits, f"{which!r} not in {[c.text for c in cits]}"
    return hits[0]


def _check(c: Citation, expected: dict) -> None:
    for k, v in expected.items():
        if k == "subject_start":
            assert c.subject is not None and c.subject.startswith(v), (c.subject, v)
        elif k.startswith("extra."):
            assert c.extra.get(k[6:]) == v, (k, c.extra)
        else:
            assert getattr(c, k) == v, (k, getattr(c, k), v)


# --- full citations: symbol layouts and parsed fields --------------------------------------
FULL = [
    # Party
    ("Căn cứ Nghị quyết số 22-NQ/TW ngày 10/4/2013 của Bộ Chính trị về hội nhập quốc tế;", "22-NQ/TW",
     dict(number="22", type_code="NQ", issuer_code="TW", year=None, system="party", kind="full",
          date_cited="2013-04-10", date_text="ngày 10/4/2013", issuer_named="Bộ Chính trị",
          subject="hội nhập quốc tế", text="Nghị quyết số 22-NQ/TW", cited_as="Nghị quyết")),
    ("Thực hiện Kế hoạch số 164-KH/TU ngày 15/3/2023 của Ban Thường vụ Tỉnh uỷ Hà Tĩnh về học tập Nghị quyết", "164-KH/TU",
     dict(issuer_code="TU", issuer_named="Ban Thường vụ Tỉnh ủy", date_cited="2023-03-15",
          subject_start="học tập", **{"extra.issuer_locality": "Hà Tĩnh"})),
    ("Căn cứ Quyết định 1517-QĐ/TU ngày 18/11/2019 của Ban Thường vụ Tỉnh ủy Kon Tum ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại.",
     "1517-QĐ/TU", dict(text="Quyết định 1517-QĐ/TU", issuer_named="Ban Thường vụ Tỉnh ủy",
                        subject="ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại",
                        **{"extra.issuer_locality": "Kon Tum"})),
    ("theo Hướng dẫn số 05-HD/BĐNTW ngày 26/3/2019 của Ban Đối ngoại Trung ương", "05-HD/BĐNTW",
     dict(type_code="HD", issuer_code="BĐNTW", instrument_type="Hướng dẫn", date_cited="2019-03-26",
          issuer_named="Ban Đối ngoại Trung ương", **{"extra.issuer_level": "national"})),
    ("Nghị quyết số 59 -NQ/TW ngày 24/01/2025", "59-NQ/TW", dict(text="Nghị quyết số 59 -NQ/TW", date_cited="2025-01-24")),
    ("Kết luận số 33- KL/TW ngày 25/7/2018 của Bộ Chính trị", "33-KL/TW", dict(text="Kết luận số 33- KL/TW", type_code="KL")),
    ("Chỉ thị số 12 - CT / TW ngày 05/01/2022 của Ban Bí thư", "12-CT/TW",
     dict(text="Chỉ thị số 12 - CT / TW", issuer_named="Ban Bí thư", date_cited="2022-01-05")),
    ("Công văn số 165-CV/DU ngày 10/4/2025", "165-CV/ĐU", dict(issuer_code="ĐU", instrument_type="Công văn", type_mismatch=False)),
    ("Chương trình hành động số 45-CTr/TU ngày 14/3/2022 của Tỉnh ủy Lào Cai", "45-CTr/TU",
     dict(cited_as="Chương trình hành động", instrument_type="Chương trình", type_mismatch=False,
          issuer_named="Tỉnh ủy", **{"extra.issuer_locality": "Lào Cai"})),
    ("Quy chế số 07-QC/TU ngày 30/8/2018 của Tỉnh ủy Lào Cai", "07-QC/TU", dict(number="07", instrument_type="Quy chế")),
    ("Quy định số 105-QĐ/TW của Ban Chấp hành Trung ương", "105-QĐ/TW",
     dict(cited_as="Quy định", instrument_type="Quyết định", type_mismatch=False, issuer_named="Ban Chấp hành Trung ương")),
    ("Thông tri số 03-TT/TW của Ban Bí thư", "03-TT/TW", dict(instrument_type="Thông tri", type_code="TT", system="party")),
    ("Nghị quyết số 36-NQ/TW ngày 26/3/2004 của Bộ Chính trị khóa IX về công tác đối với người Việt Nam ở nước ngoài",
     "36-NQ/TW", dict(issuer_named="Bộ Chính trị", subject_start="công tác đối với", **{"extra.issuer_term": "IX"})),
    ("Nghị quyết 39-NQ/TW", "39-NQ/TW", dict(kind="full", text="Nghị quyết 39-NQ/TW", date_cited=None, issuer_named=None)),
    ("Quyết định số 31-QĐ/TW, ngày 01-10-1997 của Bộ Chính trị", "31-QĐ/TW", dict(date_cited="1997-10-01", date_text="ngày 01-10-1997")),
    # State administrative, typed
    ("Kế hoạch số 952/KH-UBND ngày 05/4/2022 của UBND tỉnh Kon Tum về công tác đối ngoại năm 2022", "952/KH-UBND",
     dict(type_code="KH", issuer_code="UBND", system="administrative", year=None, issuer_named="UBND tỉnh",
          subject="công tác đối ngoại năm 2022", **{"extra.issuer_locality": "Kon Tum"})),
    ("Nghị quyết số 169/NQ-CP ngày 31/12/2021 của Chính phủ ban hành Chương trình hành động", "169/NQ-CP",
     dict(issuer_code="CP", issuer_named="Chính phủ", subject="ban hành Chương trình hành động", **{"extra.issuer_level": "national"})),
    ("Công điện số 05/CĐ-TTg ngày 14/02/2024 của Thủ tướng Chính phủ về việc tăng cường bảo hộ công dân", "05/CĐ-TTg",
     dict(instrument_type="Công điện", issuer_code="TTg", issuer_named="Thủ tướng Chính phủ", subject="tăng cường bảo hộ công dân")),
    ("Tờ trình số 15/TTR-SNgV ngày 03/3/2024", "15/TTr-SNgV", dict(type_code="TTr", issuer_code="SNgV", instrument_type="Tờ trình")),
    ("Chương trình số 01/Ctr-UBND ngày 06/01/2020", "01/CTr-UBND", dict(type_code="CTr", instrument_type="Chương trình")),
    ("Báo cáo số 312/BC-STP ngày 12/10/2023 của Sở Tư pháp", "312/BC-STP",
     dict(instrument_type="Báo cáo", issuer_code="STP", issuer_named="Sở Tư pháp")),
    ("Quyết định số 2013/QĐ-TTg ngày 30/11/2021 của Thủ tướng Chính phủ phê duyệt Chiến lược Ngoại giao văn hóa đến năm 2030",
     "2013/QĐ-TTg", dict(number="2013", year=None, system="administrative", subject_start="phê duyệt Chiến lược")),
    # công văn (no type code)
    ("Công văn số 1349/BNG-CNV ngày 15/3/2024 của Bộ Ngoại giao", "1349/BNG-CNV",
     dict(type_code=None, issuer_code="BNG", unit_code="CNV", instrument_type="Công văn", type_mismatch=False, issuer_named="Bộ Ngoại giao")),
    ("Văn bản số 462/BNG-CNV-m ngày 12/01/2022 của Bộ Ngoại giao", "462/BNG-CNV-m",
     dict(cited_as="Văn bản", instrument_type="Công văn", unit_code="CNV", type_mismatch=False, **{"extra.suffix": "m"})),
    ("Công văn số 499/SNgV-LS&HTQT ngày 20/02/2024", "499/SNgV-LS&HTQT", dict(issuer_code="SNgV", unit_code="LS&HTQT")),
    ("Công văn số 10610/BKHĐT-ĐTNN V/v Chương trình xúc tiến đầu tư năm 2024", "10610/BKHĐT-ĐTNN",
     dict(issuer_code="BKHĐT", unit_code="ĐTNN", subject="Chương trình xúc tiến đầu tư năm 2024")),
    ("Văn bản số 4912/UBND-NC của UBND tỉnh Tuyên Quang", "4912/UBND-NC", dict(issuer_code="UBND", unit_code="NC", issuer_named="UBND tỉnh")),
    ("Công văn số 724/VP-NV", "724/VP-NV", dict(issuer_code="VP", unit_code="NV", instrument_type="Công văn")),
    # VBQPPL
    ("Nghị định số 80/2020/NĐ-CP ngày 08/7/2020 của Chính phủ về quản lý và sử dụng viện trợ", "80/2020/NĐ-CP",
     dict(number="80", year=2020, type_code="NĐ", issuer_code="CP", system="normative", instrument_type="Nghị định")),
    ("Nghị định số 72/2015/ND-CP ngày 07/9/2015", "72/2015/NĐ-CP", dict(type_code="NĐ", text="Nghị định số 72/2015/ND-CP")),
    ("Quyết định số 06/2020/QD-TTg ngày 21/02/2020 của Thủ tướng Chính phủ", "06/2020/QĐ-TTg",
     dict(number="06", type_code="QĐ", issuer_code="TTg", year=2020, date_cited="2020-02-21")),
    ("Căn cứ Thông tư liên tịch số 02/2009/TTLT-BNG-BNV ngày 29/5/2009 của Bộ Ngoại giao và Bộ Nội vụ hướng dẫn chức năng",
     "02/2009/TTLT-BNG-BNV", dict(type_code="TTLT", issuer_code="BNG-BNV", instrument_type="Thông tư liên tịch",
                                 issuer_named="Bộ Ngoại giao và Bộ Nội vụ", subject_start="hướng dẫn chức năng",
                                 **{"extra.issuer_named_code": "BNG-BNV"})),
    ("Thông tư số 22/2016/TT-BTTTT ngày 19/10/2016 của Bộ Thông tin và Truyền thông", "22/2016/TT-BTTTT",
     dict(instrument_type="Thông tư", issuer_named="Bộ Thông tin và Truyền thông", **{"extra.issuer_named_code": "BTTTT"})),
    ("Nghị quyết số 21/2022/NQ-HĐND ngày 08/12/2022 của HĐND tỉnh Hà Tĩnh", "21/2022/NQ-HĐND",
     dict(issuer_code="HĐND", issuer_named="HĐND tỉnh", system="normative", **{"extra.issuer_locality": "Hà Tĩnh"})),
    ("Thông tư số 02/2025/TT-BDTTG", "02/2025/TT-BDTTG", dict(issuer_code="BDTTG", year=2025)),
    # laws
    ("Căn cứ Luật số 45/2019/QH14;", "45/2019/QH14",
     dict(system="law", issuer_code="QH", year=2019, type_code=None, instrument_type="Luật", **{"extra.na_term": 14})),
    ("Nghị quyết số 190/2025/NQ-QH15 của Quốc hội", "190/2025/NQ-QH15",
     dict(system="law", issuer_code="QH", type_code="NQ", issuer_named="Quốc hội", **{"extra.symbol_key": "190/2025/QH15"})),
    ("Nghị quyết số 76/2025/UBTVQH15 ngày 14/4/2025", "76/2025/UBTVQH15",
     dict(system="law", issuer_code="UBTVQH", instrument_type="Nghị quyết", date_cited="2025-04-14", **{"extra.na_term": 15})),
    ("Căn cứ Luật Điều ước quốc tế số 108/2016/QH13 ngày 09/4/2016;", "108/2016/QH13",
     dict(text="Luật Điều ước quốc tế số 108/2016/QH13", cited_as="Luật", **{"extra.law_name": "Luật Điều ước quốc tế"})),
    ("Pháp lệnh số 12/2003/PL-UBTVQH11", "12/2003/PL-UBTVQH11", dict(instrument_type="Pháp lệnh", issuer_code="UBTVQH")),
    # joint documents of local bodies: the first code is the type, the issuers follow
    ("Căn cứ Quy chế phối hợp số 01/QCPH-SNgV-CAT ngày 10/01/2024 giữa Sở Ngoại vụ và Công an tỉnh;", "01/QCPH-SNgV-CAT",
     dict(text="Quy chế phối hợp số 01/QCPH-SNgV-CAT", instrument_type="Quy chế phối hợp", type_code="QCPH",
          issuer_code="SNgV-CAT", cited_as="Quy chế phối hợp", type_mismatch=False, date_cited="2024-01-10")),
    ("Chương trình phối hợp số 02/CTPH-UBND-UBMTTQ ngày 5/3/2024", "02/CTPH-UBND-UBMTTQ",
     dict(type_code="CTPH", issuer_code="UBND-UBMTTQ", instrument_type="Chương trình phối hợp", type_mismatch=False)),
    ("Kế hoạch liên tịch số 03/KHLT-SNgV-SVHTTDL về tổ chức", "03/KHLT-SNgV-SVHTTDL",
     dict(type_code="KHLT", issuer_code="SNgV-SVHTTDL", cited_as="Kế hoạch liên tịch", type_mismatch=False)),
    # a Party document written in the State layout is the Party symbol (a Party body issues no State document)
    ("Chỉ thị số 12/CT-TW ngày 05/01/2022 của Ban Bí thư về đối ngoại nhân dân", "12-CT/TW",
     dict(system="party", type_code="CT", issuer_code="TW", text="Chỉ thị số 12/CT-TW", date_cited="2022-01-05",
          **{"extra.symbol_written": "12/CT-TW"})),
    ("Nghị quyết số 06/NQ-TU ngày 20/7/2021 của Tỉnh ủy", "06-NQ/TU", dict(system="party", issuer_code="TU")),
    ("Công văn số 5/TU-VP ngày 20/7/2021", "5/TU-VP", dict(system="administrative", issuer_code="TU", unit_code="VP")),
]


@pytest.mark.parametrize("text,which,expected", FULL, ids=[f"full{i}" for i in range(len(FULL))])
def test_full(text, which, expected):
    _check(_pick(text, which), expected)


# --- type words, mismatches, upper case, line breaks ---------------------------------------------
FORMS = [
    ("ý kiến của Ban Thường vụ Tỉnh ủy tại Công văn số 2143-TB/TU ngày 09/4/2024", "2143-TB/TU",
     dict(cited_as="Công văn", instrument_type="Thông báo", type_mismatch=True, issuer_named="Ban Thường vụ Tỉnh ủy",
          **{"extra.issuer_before": "Ban Thường vụ Tỉnh ủy"})),
    ("Kế hoạch số 123/QĐ-UBND", "123/QĐ-UBND", dict(cited_as="Kế hoạch", instrument_type="Quyết định", type_mismatch=True)),
    ("Văn bản số 55/KH-UBND ngày 01/02/2024", "55/KH-UBND", dict(cited_as="Văn bản", instrument_type="Kế hoạch", type_mismatch=False)),
    ("KẾ HOẠCH THỰC HIỆN NGHỊ QUYẾT SỐ 27/NQ-CP NGÀY 05 THÁNG 4 NĂM 2016 CỦA CHÍNH PHỦ VỀ CÔNG TÁC NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI",
     "27/NQ-CP", dict(text="NGHỊ QUYẾT SỐ 27/NQ-CP", cited_as="Nghị quyết", date_cited="2016-04-05",
                      date_text="NGÀY 05 THÁNG 4 NĂM 2016", issuer_named="Chính phủ",
                      subject="CÔNG TÁC NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI")),
    ("Nghị quyết số\n59-NQ/TW ngày\n24/01/2025 của Bộ\nChính trị", "59-NQ/TW",
     dict(text="Nghị quyết số\n59-NQ/TW", date_cited="2025-01-24", date_text="ngày 24/01/2025", issuer_named="Bộ Chính trị")),
    ("Chương trình hành động số 55-CTr/TU ngày\n\n04/01/2018 của Ban Thường vụ Tỉnh ủy thực hiện", "55-CTr/TU",
     dict(date_cited="2018-01-04", issuer_named="Ban Thường vụ Tỉnh ủy")),
    ("Quyết định số 1673/QĐ-\nUBND ngày 21/6/2021", "1673/QĐ-UBND", dict(text="Quyết định số 1673/QĐ-\nUBND", date_cited="2021-06-21")),
    ("Quyết định số 1673/QĐ-UBND ngày 21 tháng 6 năm 2021 của Ủy ban nhân dân tỉnh Quảng Trị", "1673/QĐ-UBND",
     dict(date_cited="2021-06-21", date_text="ngày 21 tháng 6 năm 2021", issuer_named="Ủy ban nhân dân tỉnh",
          **{"extra.issuer_locality": "Quảng Trị"})),
    ("Chỉ thị số 25-CT/TW (ngày 08/8/2018) của Ban Bí thư", "25-CT/TW", dict(date_cited="2018-08-08", issuer_named="Ban Bí thư")),
    ("Nghị quyết số 59-NQ/TW của Bộ Chính trị ngày 24/01/2025 về hội nhập quốc tế", "59-NQ/TW",
     dict(issuer_named="Bộ Chính trị", date_cited="2025-01-24", subject="hội nhập quốc tế")),
    ("ban hành kèm theo Quyết định số 1060-QĐ/TU ngày 31/3/2017 của Ban Thường vụ Tỉnh ủy", "1060-QĐ/TU",
     dict(**{"extra.issued_with": True}, date_cited="2017-03-31")),
    ("Quyết định số 123/QĐ-UBND ngày 31/02/2024 của UBND tỉnh Đà Nẵng", "123/QĐ-UBND",
     dict(date_cited=None, issuer_named="UBND tỉnh", **{"extra.date_invalid": "ngày 31/02/2024", "extra.issuer_locality": "Đà Nẵng"})),
    ("Công văn số 8145-CV/TU ngày 10/6/2024 của Thành ủy Đà Nẵng V/v tổ chức đoàn ra.", "8145-CV/TU",
     dict(issuer_named="Thành ủy", subject="tổ chức đoàn ra", **{"extra.issuer_locality": "Đà Nẵng"})),
    ("Căn cứ Nghị quyết số 36-NQ TW của Bộ Chính trị", "36-NQ/TW", dict(text="Nghị quyết số 36-NQ TW", issuer_named="Bộ Chính trị")),
    ("theo quyết định số 1673/QĐ-UBND của ủy ban nhân dân tỉnh", "1673/QĐ-UBND",
     dict(cited_as="Quyết định", text="quyết định số 1673/QĐ-UBND", issuer_named="Ủy ban nhân dân tỉnh")),
    ("thực hiện Kế hoạch 164-KH/TU của Tỉnh ủy", "164-KH/TU", dict(kind="full", text="Kế hoạch 164-KH/TU", issuer_named="Tỉnh ủy")),
    ("Bản thoả thuận số 03/BTT-UBND ngày 02/3/2023 của UBND tỉnh Quảng Trị", "03/BTT-UBND",
     dict(cited_as="Bản thỏa thuận", instrument_type="Bản thỏa thuận", type_mismatch=False)),
    ("Bộ luật Lao động số 45/2019/QH14 ngày 20/11/2019", "45/2019/QH14",
     dict(cited_as="Bộ luật", text="Bộ luật Lao động số 45/2019/QH14", **{"extra.law_name": "Bộ luật Lao động"})),
    ("Nghị định số 72/NĐ-CP ngày 07/9/2015 của Chính phủ", "72/NĐ-CP",
     dict(system="administrative", year=None, date_cited="2015-09-07", **{"extra.normative_without_year": True})),
    ("Kế hoạch số 09/KH-UBND ngày 10/01/2024 của UBND thành phố Đà Nẵng về hoạt động đối ngoại năm 2024; Quyết định số 5/QĐ-UBND",
     "09/KH-UBND", dict(issuer_named="UBND thành phố", subject="hoạt động đối ngoại năm 2024", **{"extra.issuer_locality": "Đà Nẵng"})),
]


@pytest.mark.parametrize("text,which,expected", FORMS, ids=[f"form{i}" for i in range(len(FORMS))])
def test_forms(text, which, expected):
    _check(_pick(text, which), expected)


# --- lists -----------------------------------------------------------------------------------
def test_list_shares_issuer_and_subject():
    t = ("Thực hiện Nghị quyết số 36-NQ/TW, Chỉ thị số 45-CT/TW và Kết luận số 12-KL/TW của Bộ Chính trị "
         "về công tác người Việt Nam ở nước ngoài; Quyết định số 5/QĐ-UBND.")
    cits = [c for c in extract_citations(t) if c.kind == "full"]
    assert [c.symbol for c in cits] == ["36-NQ/TW", "45-CT/TW", "12-KL/TW", "5/QĐ-UBND"]
    for c in cits[:3]:
        assert c.issuer_named == "Bộ Chính trị"
        assert c.subject == "công tác người Việt Nam ở nước ngoài"
    assert cits[0].extra["shared_from_list"] == ["issuer", "subject"]
    assert "shared_from_list" not in cits[2].extra
    assert cits[3].issuer_named is None and cits[3].subject is None


def test_list_shared_date():
    t = "các Quyết định số 1673/QĐ-UBND, 1972/QĐ-UBND ngày 15/7/2021 của UBND tỉnh Hà Tĩnh"
    cits = extract_citations(t)
    assert [c.symbol for c in cits] == ["1673/QĐ-UBND", "1972/QĐ-UBND"]
    assert [c.date_cited for c in cits] == ["2021-07-15", "2021-07-15"]
    assert cits[1].text == "1972/QĐ-UBND" and cits[1].cited_as == "Quyết định"
    assert cits[1].extra["cited_as_carried"] is True
    assert cits[0].extra["shared_from_list"] == ["date", "issuer"]


def test_list_does_not_steal_next_date():
    t = "Nghị quyết số 36-NQ/TW; Kế hoạch số 55/KH-UBND ngày 27/02/2024 của UBND tỉnh"
    a, b = extract_citations(t)
    assert (a.symbol, a.date_cited, a.issuer_named) == ("36-NQ/TW", None, None)
    assert (b.symbol, b.date_cited, b.issuer_named) == ("55/KH-UBND", "2024-02-27", "UBND tỉnh")


def test_each_item_keeps_its_own_issuer():
    t = ("Kế hoạch số 120-KH/TU ngày 15/8/2022 của Ban Thường vụ Tỉnh ủy và Kế hoạch số 716/KH-UBND ngày 14/10/2022 "
         "của UBND tỉnh về triển khai Chỉ thị số 12-CT/TW ngày 05/01/2022 của Ban Bí thư")
    a, b, c = extract_citations(t)
    assert (a.issuer_named, a.date_cited, a.subject) == ("Ban Thường vụ Tỉnh ủy", "2022-08-15", None)
    assert (b.issuer_named, b.date_cited, b.subject) == ("UBND tỉnh", "2022-10-14", "triển khai")
    assert b.extra.get("subject_cut_at_citation") is True
    assert (c.issuer_named, c.date_cited) == ("Ban Bí thư", "2022-01-05")


def test_dated_list_members_share_the_issuer_of_the_same_body():
    t = ("Thực hiện Công văn số 2156/UBND-KT ngày 12/7/2024 và Công văn số 2301/UBND-KT ngày 30/7/2024 "
         "của UBND thành phố về thúc đẩy hợp tác với Nhật Bản; Quyết định số 17/2021/QĐ-UBND ngày 30/9/2021, "
         "Quyết định số 05/2023/QĐ-UBND ngày 12/4/2023 của UBND tỉnh Kiên Giang.")
    a, b, c, d = extract_citations(t)
    assert (a.symbol, a.date_cited, a.issuer_named) == ("2156/UBND-KT", "2024-07-12", "UBND thành phố")
    assert a.extra["shared_from_list"] == ["issuer"] and a.subject is None
    assert (b.date_cited, b.issuer_named) == ("2024-07-30", "UBND thành phố")
    assert (c.symbol, c.date_cited, c.issuer_named) == ("17/2021/QĐ-UBND", "2021-09-30", "UBND tỉnh")
    assert c.extra["issuer_locality"] == "Kiên Giang"


def test_dated_list_members_of_other_bodies_keep_no_issuer():
    t = ("Nghị quyết số 59-NQ/TW ngày 24/01/2025 và Nghị quyết số 153/NQ-CP ngày 16/5/2025 của Chính phủ; "
         "Kế hoạch số 56/KH-UBND ngày 11/3/2024; Kế hoạch số 88/KH-UBND ngày 10/4/2024 của UBND tỉnh")
    a, b, c, d = extract_citations(t)
    assert (a.symbol, a.issuer_named, b.issuer_named) == ("59-NQ/TW", None, "Chính phủ")
    assert (c.symbol, c.issuer_named, d.issuer_named) == ("56/KH-UBND", None, "UBND tỉnh")  # ";" ends a list


def test_carried_type_word_only_when_compatible():
    t = "các Quyết định số 1673/QĐ-UBND, 58/KH-UBND"
    a, b = extract_citations(t)
    assert b.cited_as is None and b.instrument_type == "Kế hoạch" and not b.type_mismatch


# --- short forms ---------------------------------------------------------------------------------
SHORT = [
    ("tiếp tục thực hiện Quy chế 272;", "Quy chế 272", dict(kind="short", number="272", instrument_type="Quy chế", symbol=None, cited_as="Quy chế")),
    ("theo Nghị quyết 39 của Bộ Chính trị", "Nghị quyết 39", dict(kind="short", number="39", issuer_named="Bộ Chính trị", system="unknown")),
    ("Quyết định số 1673 ngày 21/6/2021 của UBND tỉnh", "Quyết định số 1673", dict(kind="short", number="1673", date_cited="2021-06-21")),
    ("QĐ 1673 ngày 21/6/2021", "QĐ 1673", dict(kind="short", instrument_type="Quyết định", cited_as="QĐ", **{"extra.abbreviated": True})),
    ("Kết luận 33, Nghị quyết 36", "Nghị quyết 36", dict(kind="short", number="36")),
    ("Đề án 06 về dân cư", "Đề án 06", dict(kind="short", number="06", instrument_type="Đề án")),
]


@pytest.mark.parametrize("text,which,expected", SHORT, ids=[f"short{i}" for i in range(len(SHORT))])
def test_short(text, which, expected):
    _check(_pick(text, which), expected)


# --- named instruments ---------------------------------------------------------------------------
NAMED = [
    ("đường lối đối ngoại tại Nghị quyết Đại hội Đại biểu toàn quốc lần thứ XIII của Đảng, nhiệm vụ",
     "Nghị quyết Đại hội Đại biểu toàn quốc lần thứ XIII của Đảng",
     dict(kind="named", system="named", symbol=None, instrument_type="Nghị quyết", **{"extra.congress": "XIII", "extra.level": "national"})),
    ("chủ trương đối ngoại của Đại hội Đảng XIII; hoạt động", "Đại hội Đảng XIII", dict(kind="named", **{"extra.congress": "XIII"})),
    ("Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Quảng Trị lần thứ XVII;", "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Quảng Trị lần thứ XVII",
     dict(kind="named", **{"extra.level": "provincial", "extra.congress": "XVII"})),
    ("thực hiện Đại hội đại biểu Đảng bộ tỉnh lần thứ XIX, nhiệm kỳ", "Đại hội đại biểu Đảng bộ tỉnh lần thứ XIX",
     dict(kind="named", **{"extra.level": "provincial"})),
    ("Nghị quyết Trung ương 4 khóa XII về xây dựng Đảng", "Nghị quyết Trung ương 4 khóa XII", dict(kind="named", **{"extra.named_kind": "plenum"})),
    ("tận dụng các FTA như CPTPP, EVFTA, RCEP và UKFTA", "EVFTA",
     dict(kind="named", name="EVFTA", instrument_type="Hiệp định", **{"extra.named_kind": "fta"})),
    ("Hiệp định Đối tác Toàn diện và Tiến bộ xuyên Thái Bình Dương (CPTPP) có hiệu lực",
     "Hiệp định Đối tác Toàn diện và Tiến bộ xuyên Thái Bình Dương", dict(kind="named", **{"extra.acronym": "CPTPP"})),
    ("kiểm tra thực hiện Hiệp định Quy chế biên giới Việt Nam - Lào; Nghị định thư về đường biên giới và mốc quốc giới.",
     "Hiệp định Quy chế biên giới Việt Nam - Lào", dict(kind="named", instrument_type="Hiệp định")),
    ("Nghị định thư về đường biên giới và mốc quốc giới tại một số huyện biên giới", "Nghị định thư về đường biên giới và mốc quốc giới",
     dict(kind="named", instrument_type="Nghị định thư", **{"extra.named_kind": "protocol"})),
    ("Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021 - 2025 trên địa bàn tỉnh",
     "Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021 - 2025", dict(kind="named", instrument_type="Chương trình")),
    ("thực hiện Chiến lược phát triển du lịch Hà Tĩnh đến năm 2030, tầm nhìn 2045", "Chiến lược phát triển du lịch Hà Tĩnh đến năm 2030",
     dict(kind="named", instrument_type="Chiến lược")),
    # the national socio-economic strategy's horizon "10 năm 2021 - 2030"
    ("bám sát Chiến lược phát triển kinh tế - xã hội 10 năm 2021 - 2030 và Nghị quyết số 59-NQ/TW",
     "Chiến lược phát triển kinh tế - xã hội 10 năm 2021 - 2030", dict(kind="named", instrument_type="Chiến lược")),
]


@pytest.mark.parametrize("text,which,expected", NAMED, ids=[f"named{i}" for i in range(len(NAMED))])
def test_named(text, which, expected):
    _check(_pick(text, which), expected)


# --- not citations ---------------------------------------------------------------------------------
NOT = [
    "nhiệm vụ trọng tâm được đề ra tại Hội nghị ngoại giao lần thứ 32;",
    "sự kiện của Cụm thi đua số 1 Liên hiệp các Tổ chức hữu nghị",
    "Hiệp hội các tỉnh sử dụng đường 8 và đường 12 của 03 nước",
    "Số: /KH-UBND\nQuảng Trị, ngày   tháng   năm 2025",
    "Số: 58/KH-UBND\nLào Cai, ngày 11 tháng 03 năm 2024",
    "triển khai thực hiện Kế hoạch này; các Nghị quyết, chỉ thị của Đảng",
    "xây dựng Kế hoạch năm 2025 và kế hoạch 5 năm 2021-2025",
    "kỷ niệm (18/01/1950-18/01/2025), cột mốc 405.1 và mốc 390; COVID-19",
    "Chiến lược ngoại giao văn hóa tỉnh giai đoạn mới; các chương trình mục tiêu quốc gia",
    "Tỷ lệ 50/50, điện thoại 0235/3812345, quốc lộ 1A-14B",
    "ĐẢNG CỘNG SẢN VIỆT NAM\nSố 36-HD/VPTW\nHà Nội, ngày 03 tháng 4 năm 2018",
    # a type word then a count of things (a bullet or a table cell), not a short citation
    "- Chương trình 30 hoạt động giao lưu; Kế hoạch 2 đợt; Quy định 3 nhóm nhiệm vụ; Kết luận 2 vấn đề",
    "Đề án 5 nội dung; Chương trình 12 chỉ tiêu; Kế hoạch 4 lớp bồi dưỡng cho 120 học viên",
]


@pytest.mark.parametrize("text", NOT, ids=[f"not{i}" for i in range(len(NOT))])
def test_not_citations(text):
    assert extract_citations(text) == []


# --- general properties ----------------------------------------------------------------------------
def test_order_and_spans():
    t = ("Căn cứ Luật số 45/2019/QH14; Nghị định số 80/2020/NĐ-CP; Quy chế 272; CPTPP; "
         "Quyết định số 1673/QĐ-UBND; Nghị quyết 59-NQ/TW.")
    cits = extract_citations(t)
    assert [c.symbol or c.name or c.text for c in cits] == [
        "45/2019/QH14", "80/2020/NĐ-CP", "Quy chế 272", "CPTPP", "1673/QĐ-UBND", "59-NQ/TW"]
    assert [c.kind for c in cits] == ["full", "full", "short", "named", "full", "full"]
    starts = [c.char_start for c in cits]
    assert starts == sorted(starts)


def test_subject_trimmed():
    t = ("Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị về Quy chế quản lý thống nhất các hoạt động đối ngoại "
         "và các văn bản hướng dẫn liên quan.")
    c = extract_citations(t)[0]
    assert c.subject == "Quy chế quản lý thống nhất các hoạt động đối ngoại"
    long = "Kế hoạch số 7/KH-UBND về " + "phát triển kinh tế " * 40
    c = extract_citations(long)[0]
    assert c.subject is not None and len(c.subject) <= 300 and c.subject.startswith("phát triển kinh tế")


def test_empty():
    assert extract_citations("") == []


@pytest.mark.parametrize("unit", ["1/-", "12-/", "số ", "-NQ/", "/QĐ-", "9" * 7 + " "])
def test_pathological_inputs_complete(unit):
    t = unit * (100_000 // len(unit))
    t0 = time.time()
    extract_citations(t)
    assert time.time() - t0 < 30  # generous: only guards against runaway backtracking


@pytest.mark.parametrize(
    "text, symbol, date, issuer, subject_start",
    [
        ("Nghị quyết số 36-NQ/TW ngày 22/10/2018 Hội nghị lần thứ tám Ban Chấp hành Trung ương Đảng khóa XII "
         "về Chiến lược phát triển bền vững kinh tế biển Việt Nam đến năm 2030",
         "36-NQ/TW", "2018-10-22", "Hội nghị lần thứ tám Ban Chấp hành Trung ương Đảng khóa XII", "Chiến lược phát triển bền vững"),
        ("Nghị quyết số 18-NQ/TW ngày 25 tháng 10 năm 2017 của Hội nghị Trung ương 6 khóa XII về một số vấn đề tiếp tục đổi mới",
         "18-NQ/TW", "2017-10-25", "Hội nghị Trung ương 6 khóa XII", "một số vấn đề"),
    ],
)
def test_plenum_named_after_the_date(text, symbol, date, issuer, subject_start):
    c = next(c for c in extract_citations(text) if c.symbol == symbol)
    assert (c.date_cited, c.issuer_named) == (date, issuer)
    assert c.subject.startswith(subject_start)


# --------------------------------------------------------------------------- pre-checks
# Literal pre-checks skip regex searches that cannot match; upper case, "İ" and line breaks still match.
def test_issuer_in_capitals_and_after_breaks() -> None:
    (c,) = extract_citations("Quyết định số 1/QĐ-TTg , \n DO BỘ NGOẠI GIAO")
    assert c.issuer_named == "Bộ Ngoại giao"


def test_issuer_before_with_dotted_capital_i() -> None:
    (c,) = extract_citations("của Bộ Ngoại giao TẠİ Kế hoạch số 5/KH-UBND")
    assert c.extra.get("issuer_before") == "Bộ Ngoại giao"


@pytest.mark.parametrize("text", ["Giấy uỷ quyền 3 của", "Giấy ủy quyền 3 của", "QĐ 1673 và", "KẾ HOẠCH SỐ: 15 về"])
def test_short_forms_with_either_tone_placement_or_case(text: str) -> None:
    assert [c.kind for c in extract_citations(text)] == ["short"]


# --------------------------------------------------------------------------- symbols with digits in the issuer code
@pytest.mark.parametrize(
    "text, symbol, date",
    [
        ("Nghị quyết số 1656/NQ-UBTVQH15 ngày 16/6/2025 của Ủy ban Thường vụ Quốc hội về việc sắp xếp các đơn vị "
         "hành chính cấp xã của tỉnh Lạng Sơn năm 2025", "1656/NQ-UBTVQH15", "2025-06-16"),
        ("Căn cứ Nghị quyết số 1314/NQ-UBTVQH15 ngày 12/11/2024 của Ủy ban Thường vụ Quốc hội;", "1314/NQ-UBTVQH15", "2024-11-12"),
    ],
)
def test_na_standing_committee_resolution_without_year(text, symbol, date) -> None:
    (c,) = extract_citations(text)
    _check(c, dict(symbol=symbol, kind="full", type_code="NQ", instrument_type="Nghị quyết", issuer_code="UBTVQH",
                   date_cited=date, issuer_named="Ủy ban Thường vụ Quốc hội", year=None,
                   text=f"Nghị quyết số {symbol}", **{"extra.na_term": 15, "extra.issuer_named_code": "UBTVQH",
                                                        "extra.issuer_level": "national"}))


def test_na_standing_committee_resolution_with_year_unchanged() -> None:
    (c,) = extract_citations("Nghị quyết số 1211/2016/UBTVQH13 ngày 25/5/2016 của Ủy ban Thường vụ Quốc hội")
    _check(c, dict(symbol="1211/2016/UBTVQH13", system="law", issuer_code="UBTVQH", year=2016, date_cited="2016-05-25",
                   **{"extra.na_term": 13}))


def test_issuer_code_with_digits() -> None:
    (c,) = extract_citations("Quyết định số 31/QĐ-BCĐ389 ngày 23/5/2014 của Ban Chỉ đạo")
    _check(c, dict(symbol="31/QĐ-BCĐ389", type_code="QĐ", issuer_code="BCĐ389", date_cited="2014-05-23",
                   text="Quyết định số 31/QĐ-BCĐ389", issuer_named="Ban Chỉ đạo"))


@pytest.mark.parametrize(
    "text, symbol, mention, marker",
    [
        ("Nghị quyết số 59-NQ/TW1 ngày 24/01/2025 của Bộ Chính trị", "59-NQ/TW", "Nghị quyết số 59-NQ/TW", "1"),
        ("Quyết định số 1673/QĐ-UBND2 ngày 24/01/2025 của Bộ Chính trị", "1673/QĐ-UBND", "Quyết định số 1673/QĐ-UBND", "2"),
        ("Quyết định số 12/2024/QĐ-UBND3 ngày 24/01/2025 của Bộ Chính trị", "12/2024/QĐ-UBND", "Quyết định số 12/2024/QĐ-UBND", "3"),
    ],
)
def test_footnote_digit_glued_after_a_symbol(text, symbol, mention, marker) -> None:
    # a known code that takes no digits: the digits are a footnote marker, not part of the symbol
    (c,) = extract_citations(text)
    _check(c, dict(symbol=symbol, text=mention, date_cited="2025-01-24", issuer_named="Bộ Chính trị",
                   **{"extra.footnote_marker": marker}))


def test_footnote_digits_in_a_list() -> None:
    a, b = extract_citations("Nghị quyết số 59-NQ/TW1, 60-NQ/TW2 của Bộ Chính trị")
    assert (a.symbol, b.symbol) == ("59-NQ/TW", "60-NQ/TW")
    assert a.issuer_named == b.issuer_named == "Bộ Chính trị"


# --------------------------------------------------------------------------- a line wrap before "số"
@pytest.mark.parametrize(
    "text, symbol, expected",
    [
        ("Căn cứ Nghị quyết\nsố 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị;", "59-NQ/TW",
         dict(text="Nghị quyết\nsố 59-NQ/TW", date_cited="2025-01-24", issuer_named="Bộ Chính trị")),
        ("Thực hiện Kết luận\nsố 33-KL/TW của Bộ Chính trị", "33-KL/TW", dict(text="Kết luận\nsố 33-KL/TW")),
        ("Căn cứ Quyết định\nsố: 1673/QĐ-UBND ngày 21/6/2021 của UBND tỉnh", "1673/QĐ-UBND",
         dict(text="Quyết định\nsố: 1673/QĐ-UBND", date_cited="2021-06-21")),
        ("x " * 600 + "Căn cứ Quyết định\nsố: 1673/QĐ-UBND ngày 21/6/2021 của UBND tỉnh", "1673/QĐ-UBND",
         dict(text="Quyết định\nsố: 1673/QĐ-UBND", date_cited="2021-06-21")),
        ("KẾ HOẠCH\nTHỰC HIỆN NGHỊ QUYẾT\nSỐ 59-NQ/TW NGÀY 24/01/2025 CỦA BỘ CHÍNH TRỊ", "59-NQ/TW",
         dict(text="NGHỊ QUYẾT\nSỐ 59-NQ/TW", date_cited="2025-01-24")),
    ],
)
def test_citation_wrapped_before_so(text, symbol, expected) -> None:
    _check(_pick(text, symbol), expected)


@pytest.mark.parametrize(
    "text",
    [
        "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN\nSố: 58/KH-UBND\nLạng Sơn, ngày 11 tháng 03 năm 2024",
        "x " * 600 + "\nỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN\nSố: 58/KH-UBND\nLạng Sơn, ngày 11 tháng 03 năm 2024",
        "TỈNH ỦY NGHỆ AN\nSố 123-KH/TU\nNghệ An, ngày 03 tháng 4 năm 2025",
        "KẾ HOẠCH\nSố: 58/KH-UBND\nLạng Sơn, ngày 11 tháng 03 năm 2024",
        "TỈNH LẠNG SƠN      QUYẾT ĐỊNH\nSố: 12/QĐ-UBND      Lạng Sơn, ngày 11 tháng 03 năm 2024",
    ],
)
def test_own_header_number_still_not_cited(text) -> None:
    assert [c for c in extract_citations(text) if c.kind == "full"] == []


# --------------------------------------------------------------------------- "Bộ trưởng Bộ X" for every ministry
def _ministries() -> list[tuple[str, str]]:
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "extractors" / "data" / "issuers.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["code"], r["name"]) for r in csv.DictReader(fh) if r["name"].startswith("Bộ ") and r["level"] == "national"]


def test_every_ministry_is_listed() -> None:
    codes = {c for c, _ in _ministries()}
    # domain reference §4.3, incl. the ministries of 1 March 2025
    assert {"BNG", "BTC", "BKHĐT", "BVHTTDL", "BKHCN", "BNNMT", "BDTTG", "BLĐTBXH", "BNNPTNT"} <= codes


@pytest.mark.parametrize("minister", [False, True], ids=["ministry", "minister"])
def test_ministry_and_minister_phrases(minister: bool) -> None:
    for code, name in _ministries():
        named = ("Bộ trưởng " if minister else "") + name
        t = f"Thông tư số 03/2023/TT-{code} ngày 10/02/2023 của {named} về hướng dẫn thực hiện"
        c = _pick(t, f"03/2023/TT-{code}")
        assert (c.issuer_named, c.extra.get("issuer_named_code"), c.subject) == (named, code, "hướng dẫn thực hiện"), t


def test_minister_phrase_examples() -> None:
    c = _pick("Thông tư số 03/2023/TT-BKHĐT ngày 10/02/2023 của Bộ trưởng Bộ Kế hoạch và Đầu tư hướng dẫn", "03/2023/TT-BKHĐT")
    assert (c.issuer_named, c.extra.get("issuer_named_code")) == ("Bộ trưởng Bộ Kế hoạch và Đầu tư", "BKHĐT")
    assert not c.extra.get("issuer_generic")
    c = _pick("Thông tư số 08/2024/TT-BVHTTDL của Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch về", "08/2024/TT-BVHTTDL")
    assert (c.issuer_named, c.extra.get("issuer_named_code")) == ("Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch", "BVHTTDL")
    c = _pick("Thông tư số 08/2024/TT-BLĐTBXH của Bộ Lao động, Thương binh và Xã hội", "08/2024/TT-BLĐTBXH")
    assert c.extra.get("issuer_named_code") == "BLĐTBXH"


# --------------------------------------------------------------------------- lower-case symbols
@pytest.mark.parametrize(
    "text, symbol, expected",
    [
        ("theo quyết định số 123/qđ-ubnd ngày 15/3/2024", "123/QĐ-UBND",
         dict(text="quyết định số 123/qđ-ubnd", type_code="QĐ", issuer_code="UBND", date_cited="2024-03-15",
              **{"extra.symbol_written": "123/qđ-ubnd"})),
        ("Nghị quyết số 59-nq/tw của Bộ Chính trị", "59-NQ/TW",
         dict(system="party", type_code="NQ", issuer_code="TW", issuer_named="Bộ Chính trị")),
        ("Thông tư số 02/2025/tt-bdttg", "02/2025/TT-BDTTG", dict(system="normative", issuer_code="BDTTG", year=2025)),
        ("theo số 5/kh-ubnd", "5/KH-UBND", dict(type_code="KH")),
    ],
)
def test_lower_case_symbols(text, symbol, expected) -> None:
    _check(_pick(text, symbol), expected)


@pytest.mark.parametrize(
    "text",
    [
        "định mức 5 triệu/người-năm, số 5/người-ngày; tốc độ 3/km-h",  # unknown codes
        "chia 123/qđ-ubnd theo tỷ lệ",  # no "số" or type word before
        "quyết định số 1/abc-xyz",  # unknown codes
        "công văn số 1349/bng-cnv",  # a công văn unit's case cannot be restored
    ],
)
def test_lower_case_symbols_need_context_and_known_codes(text) -> None:
    assert [c for c in extract_citations(text) if c.kind == "full"] == []


# --------------------------------------------------------------------------- a date without a year
@pytest.mark.parametrize(
    "text, partial",
    [
        ("Quyết định số 1234/QĐ-UBND ngày 15/7 của UBND tỉnh Lạng Sơn", "ngày 15/7"),
        ("Quyết định số 1234/QĐ-UBND ngày 15 tháng 7 của UBND tỉnh Lạng Sơn về", "ngày 15 tháng 7"),
    ],
)
def test_date_without_year_does_not_block_issuer(text, partial) -> None:
    (c,) = extract_citations(text)
    _check(c, dict(issuer_named="UBND tỉnh", date_cited=None, date_text=None,
                   **{"extra.issuer_locality": "Lạng Sơn", "extra.date_partial": "--07-15", "extra.date_partial_text": partial}))


# --------------------------------------------------------------------------- bodies named after "của"
@pytest.mark.parametrize(
    "text, symbol, named, code",
    [
        # a generic body whose head is "Ban"/"Ủy ban" (a stop word elsewhere: "ban hành")
        ("Kế hoạch số 15/KH-BQLKKT ngày 05/01/2025 của Ban Quản lý Khu kinh tế tỉnh về xúc tiến đầu tư",
         "15/KH-BQLKKT", "Ban Quản lý Khu kinh tế tỉnh", None),
        # bodies of domain reference §5 and the provincial Party commissions of issuers.csv
        ("Theo Kế hoạch số 12/KH-LHHN ngày 05/01/2025 của Liên hiệp các tổ chức hữu nghị tỉnh.",
         "12/KH-LHHN", "Liên hiệp các tổ chức hữu nghị tỉnh", "LHHN"),
        ("Chương trình số 05/CTr-MTTQ-BTT ngày 05/01/2025 của Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lạng Sơn về đối ngoại nhân dân",
         "05/CTr-MTTQ-BTT", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ"),
        ("Hướng dẫn số 15-HD/BTGDVTU ngày 05/01/2025 của Ban Tuyên giáo và Dân vận Tỉnh ủy về tuyên truyền đối ngoại",
         "15-HD/BTGDVTU", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "BTGDVTU"),
        # Party committees whose name holds the stop word "các" (data)
        ("Kế hoạch số 15-KH/ĐU ngày 05/01/2025 của Đảng ủy các cơ quan Đảng tỉnh về đối ngoại đảng",
         "15-KH/ĐU", "Đảng ủy các cơ quan Đảng tỉnh", "ĐU"),
        ("Nghị quyết số 16-NQ/ĐUK ngày 05/01/2025 của Đảng ủy Khối các cơ quan tỉnh Lạng Sơn", "16-NQ/ĐUK",
         "Đảng ủy Khối các cơ quan tỉnh", "ĐUK"),
    ],
)
def test_bodies_named_after_cua(text, symbol, named, code) -> None:
    c = _pick(text, symbol)
    assert (c.issuer_named, c.extra.get("issuer_named_code"), c.date_cited) == (named, code, "2025-01-05")


@pytest.mark.parametrize(
    "text, named, code",
    [
        # "và" inside a body's name goes on before a capitalised word that opens no other body
        ("Kế hoạch số 46/KH-BQL ngày 05/01/2025 của Trung tâm Xúc tiến Đầu tư và Thương mại tỉnh về xúc tiến",
         "Trung tâm Xúc tiến Đầu tư và Thương mại tỉnh", None),
        ("Kế hoạch số 46/KH-BQL ngày 05/01/2025 của Ban Quản lý Khu kinh tế và các khu công nghiệp", "Ban Quản lý Khu kinh tế", None),
        ("Kế hoạch số 46/KH-BQL ngày 05/01/2025 của Ban Quản lý Khu kinh tế và Phòng Thương mại", "Ban Quản lý Khu kinh tế", None),
        ("Kế hoạch số 46/KH-BQL ngày 05/01/2025 của Ban Quản lý Khu kinh tế và Công an tỉnh", "Ban Quản lý Khu kinh tế", None),
        # 2025 departments and a name with a stop word inside (data)
        ("Kế hoạch số 46/KH-BQL ngày 05/01/2025 của Sở Văn hóa và Thể thao về giao lưu", "Sở Văn hóa và Thể thao", "SVHTT"),
        ("Kế hoạch số 46/KH-BQL ngày 05/01/2025 của Sở Giao thông vận tải về", "Sở Giao thông vận tải", "SGTVT"),
    ],
)
def test_body_names_with_va(text, named, code) -> None:
    c = _pick(text, "46/KH-BQL")
    assert (c.issuer_named, c.extra.get("issuer_named_code"), c.date_cited) == (named, code, "2025-01-05")


# --------------------------------------------------------------------------- the body named before the number
def test_body_named_before_a_list_after_tai_cac() -> None:
    t = ("Thực hiện chỉ đạo của UBND tỉnh tại các Công văn số 1520/UBND-KT ngày 12/5/2024 và số 1688/UBND-KT "
         "ngày 28/5/2024; Kế hoạch số 5/KH-SNgV ngày 02/6/2024.")
    a, b, c = extract_citations(t)
    assert (a.symbol, a.issuer_named, a.date_cited) == ("1520/UBND-KT", "UBND tỉnh", "2024-05-12")
    assert (b.symbol, b.issuer_named, b.date_cited, b.cited_as) == ("1688/UBND-KT", "UBND tỉnh", "2024-05-28", "Công văn")
    assert (c.symbol, c.issuer_named) == ("5/KH-SNgV", None)


@pytest.mark.parametrize(
    "text, symbol, named",
    [
        ("ý kiến của Bộ Ngoại giao (Văn bản số 3344/BNG-ĐBNG ngày 20/8/2024);", "3344/BNG-ĐBNG", "Bộ Ngoại giao"),
        ("theo hướng dẫn của Ban Đối ngoại Trung ương (Công văn số 1265-CV/BĐNTW ngày 05-12-2024).",
         "1265-CV/BĐNTW", "Ban Đối ngoại Trung ương"),
        # the body in parentheses' front is not the symbol's: not its issuer
        ("nhiệm vụ của Sở Ngoại vụ (theo Quyết định số 12/QĐ-UBND ngày 05/01/2024)", "12/QĐ-UBND", None),
        ("nhiệm vụ của Sở Ngoại vụ (Quyết định số 12/QĐ-UBND ngày 05/01/2024)", "12/QĐ-UBND", None),
    ],
)
def test_body_named_before_a_parenthesised_citation(text, symbol, named) -> None:
    assert _pick(text, symbol).issuer_named == named


# --------------------------------------------------------------------------- a superscript footnote marker after the symbol
def test_superscript_footnote_marker_after_a_symbol() -> None:
    t = "Thực hiện Nghị quyết số 59-NQ/TW¹ ngày 24/01/2025 của Bộ Chính trị; Quyết định số 12/QĐ-UBND², 13/QĐ-UBND ngày 05/3/2024 của UBND tỉnh."
    a, b, c = extract_citations(t)
    _check(a, dict(symbol="59-NQ/TW", text="Nghị quyết số 59-NQ/TW", date_cited="2025-01-24", issuer_named="Bộ Chính trị",
                   **{"extra.footnote_marker": "1"}))
    _check(b, dict(symbol="12/QĐ-UBND", date_cited="2024-03-05", issuer_named="UBND tỉnh", **{"extra.footnote_marker": "2"}))
    _check(c, dict(symbol="13/QĐ-UBND", cited_as="Quyết định"))


# --------------------------------------------------------------------------- "cùng ngày"
def test_cung_ngay_date_shared_by_a_list() -> None:
    t = "Căn cứ Quyết định số 1234/QĐ-UBND và Quyết định số 1235/QĐ-UBND cùng ngày 05/3/2024 của UBND tỉnh Điện Biên;"
    a, b = extract_citations(t)
    for c in (a, b):
        _check(c, dict(date_cited="2024-03-05", date_text="ngày 05/3/2024", issuer_named="UBND tỉnh"))


def test_cung_ngay_without_a_date_is_the_date_before() -> None:
    t = ("Nghị quyết số 21/NQ-HĐND ngày 11/7/2024 của HĐND tỉnh về thông qua Đề án; "
         "Nghị quyết số 22/NQ-HĐND cùng ngày của HĐND tỉnh về chính sách hỗ trợ.")
    a, b = extract_citations(t)
    _check(b, dict(symbol="22/NQ-HĐND", date_cited="2024-07-11", issuer_named="HĐND tỉnh", subject="chính sách hỗ trợ",
                   **{"extra.date_from_previous": True}))
    (c,) = extract_citations("Quyết định số 5/QĐ-UBND; cùng ngày, Sở Ngoại vụ tổ chức họp.")
    assert c.date_cited is None


# --------------------------------------------------------------------------- an abbreviated type word before a full symbol
@pytest.mark.parametrize(
    "text, symbol, expected",
    [
        ("Thực hiện QĐ số 2345/QĐ-UBND ngày 15/9/2023 của UBND tỉnh;", "2345/QĐ-UBND",
         dict(text="QĐ số 2345/QĐ-UBND", cited_as="QĐ", instrument_type="Quyết định", type_mismatch=False,
              date_cited="2023-09-15", issuer_named="UBND tỉnh", **{"extra.abbreviated": True})),
        ("quán triệt NQ số 59-NQ/TW của Bộ Chính trị", "59-NQ/TW", dict(text="NQ số 59-NQ/TW", cited_as="NQ", type_mismatch=False)),
        ("theo CV số 123/SNgV-VP ngày 05/3/2025", "123/SNgV-VP", dict(text="CV số 123/SNgV-VP", type_mismatch=False)),
        ("theo KH số 12/QĐ-UBND", "12/QĐ-UBND", dict(cited_as="KH", type_mismatch=True)),
        # an abbreviation needs "số"; lower case is no abbreviation
        ("theo QĐ 2345/QĐ-UBND", "2345/QĐ-UBND", dict(text="2345/QĐ-UBND", cited_as=None)),
        ("theo qđ số 2345/QĐ-UBND", "2345/QĐ-UBND", dict(text="2345/QĐ-UBND", cited_as=None)),
    ],
)
def test_abbreviated_type_word_before_a_symbol(text, symbol, expected) -> None:
    _check(_pick(text, symbol), expected)


# --------------------------------------------------------------------------- "Giám đốc Sở X", "Chánh Văn phòng"
def _departments() -> list[tuple[str, str]]:
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "extractors" / "data" / "issuer_phrases.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["code"], r["phrase"]) for r in csv.DictReader(fh) if r["phrase"].startswith("Sở ")]


def test_director_of_every_department() -> None:
    assert len(_departments()) >= 20
    for code, name in _departments():
        t = f"Theo đề nghị của Giám đốc {name} tại Tờ trình số 18/TTr-{code} ngày 28/02/2025."
        c = _pick(t, f"18/TTr-{code}")
        assert (c.issuer_named, c.extra.get("issuer_named_code"), c.date_cited) == (f"Giám đốc {name}", code, "2025-02-28"), t


def test_appraisal_report_and_office_chief() -> None:
    t = ("Theo đề nghị của Chánh Văn phòng UBND tỉnh tại Công văn số 724/VP-NV ngày 02/8/2024 và Báo cáo thẩm định "
         "số 312/BC-STP ngày 05/12/2024 của Giám đốc Sở Tư pháp,")
    a, b = extract_citations(t)
    assert (a.symbol, a.issuer_named, a.extra.get("issuer_named_code")) == ("724/VP-NV", "Chánh Văn phòng UBND tỉnh", "VP")
    _check(b, dict(symbol="312/BC-STP", text="Báo cáo thẩm định số 312/BC-STP", cited_as="Báo cáo thẩm định",
                   instrument_type="Báo cáo", type_mismatch=False, issuer_named="Giám đốc Sở Tư pháp"))


@pytest.mark.parametrize(
    "text, symbol, named",
    [
        ("triển khai Chương trình hành động của Chính phủ ban hành kèm theo Nghị quyết số 153/NQ-CP ngày 16/5/2025.",
         "153/NQ-CP", "Chính phủ"),
        ("Quy chế quản lý thống nhất các hoạt động đối ngoại của UBND tỉnh ban hành kèm theo Quyết định số 1234/QĐ-UBND;",
         "1234/QĐ-UBND", "UBND tỉnh"),
        # the body that owns the attached text is not the symbol's: not its issuer
        ("Quy chế làm việc của Sở Ngoại vụ ban hành kèm theo Quyết định số 12/QĐ-UBND ngày 5/3/2024", "12/QĐ-UBND", None),
    ],
)
def test_body_named_before_kem_theo(text, symbol, named) -> None:
    c = _pick(text, symbol)
    assert c.issuer_named == named and c.extra.get("issued_with") is True


def test_semicolon_then_so_goes_on_with_the_list() -> None:
    a, b = extract_citations("Thực hiện các Kế hoạch số 56/KH-UBND ngày 11/3/2024; số 88/KH-UBND ngày 10/4/2024 của UBND tỉnh.")
    _check(a, dict(symbol="56/KH-UBND", date_cited="2024-03-11", issuer_named="UBND tỉnh"))
    _check(b, dict(symbol="88/KH-UBND", date_cited="2024-04-10", issuer_named="UBND tỉnh", cited_as="Kế hoạch"))
    a, b = extract_citations("Quyết định số 12/QĐ-UBND; số lượng 5/QĐ-UBND")
    assert b.cited_as is None and "list_next" not in a.extra


def test_short_note_between_the_date_and_the_issuer() -> None:
    (c,) = extract_citations("Nghị quyết số 12/NQ-HĐND, ngày 5/3/2024 (kỳ họp chuyên đề) của HĐND tỉnh về chính sách hỗ trợ")
    _check(c, dict(date_cited="2024-03-05", issuer_named="HĐND tỉnh", subject="chính sách hỗ trợ", **{"extra.note": "kỳ họp chuyên đề"}))
    # a note with a number (an alias) or no issuer after it is not skipped
    a = extract_citations("Quyết định số 12/QĐ-UBND ngày 5/3/2024 (sau đây gọi tắt là Quyết định 12) của UBND tỉnh")[0]
    assert a.issuer_named is None


def test_tu_written_for_tw_is_the_central_committee():
    """Many plans write "TƯ" (Trung ương) for the TW of a Party symbol: it is TW, never the TU of a Tỉnh ủy."""
    cits = extract_citations(
        "Căn cứ Nghị quyết số 36-NQ/TƯ ngày 26/3/2004 của Bộ Chính trị; Hướng dẫn số 05-HD/BTGTƯ ngày 02/3/2024 "
        "của Ban Tuyên giáo Trung ương và Kế hoạch số 45-KH/TU ngày 03/4/2024 của Tỉnh ủy.")
    assert [(c.symbol, c.date_cited) for c in cits] == [
        ("36-NQ/TW", "2004-03-26"), ("05-HD/BTGTW", "2024-03-02"), ("45-KH/TU", "2024-04-03")]
