"""Tests for extractors.dates: seed gold deadlines plus hand-written variants."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors.dates import extract_dates
from pipeline.normalize import normalize_text

SEEDS = Path("/work/shared/seeds")


def _seed(name: str) -> str:
    return normalize_text((SEEDS / name).read_text(encoding="utf-8")).replace("*", "")


def _one(text: str, doc_year: int | None = None) -> tuple[str, str, str]:
    ms = extract_dates(text, doc_year)
    assert len(ms) == 1, ms
    m = ms[0]
    return m.kind, m.value, m.text


def _all(text: str, doc_year: int | None = None) -> list[tuple[str, str, str]]:
    return [(m.kind, m.value, m.text) for m in extract_dates(text, doc_year)]


# --------------------------------------------------------------------------- seeds
@pytest.fixture(scope="module")
def qn() -> str:
    return _seed("000_94e1e49f62f025ed.txt")


@pytest.fixture(scope="module")
def na() -> str:
    return _seed("001_0cbf89ddfb58e074.txt")


def test_seed_spans_are_exact(qn: str, na: str) -> None:
    for text in (qn, na):
        ms = extract_dates(text, 2025)
        assert ms
        for m in ms:
            assert text[m.char_start : m.char_end] == m.text
        starts = [m.char_start for m in ms]
        assert starts == sorted(starts)
        for a, b in zip(ms, ms[1:]):
            assert a.char_end <= b.char_start


def test_seed_qn_gold_deadlines(qn: str) -> None:
    dl = [(m.value, m.text) for m in extract_dates(qn, 2025) if m.kind == "deadline"]
    assert dl == [("--05-15", "trước ngày 15/5"), ("--10-15", "trước ngày 15/10")]


def test_seed_na_gold_deadline(na: str) -> None:
    dl = [(m.value, m.text) for m in extract_dates(na, 2025) if m.kind == "deadline"]
    assert dl == [("2025-03-30", "trước ngày 30/3/2025")]


def test_seed_qn_instrument_dates(qn: str) -> None:
    inst = {m.value for m in extract_dates(qn, 2025) if m.kind == "instrument_date"}
    # gold date_cited values of the Quảng Nam instruments
    for v in ("2025-04-09", "2025-04-10", "2015-01-21", "2018-07-25", "2014-07-21", "2025-01-24", "2024-06-28", "2024-10-15"):
        assert v in inst
    # "20/2023/QĐ-UBND" and "1673/QĐ-UBND" never become dates
    assert not any(m.value.startswith("2023-20") or "1673" in m.text for m in extract_dates(qn, 2025))


def test_seed_na_header_anniversaries_events(na: str) -> None:
    ms = extract_dates(na, 2025)
    assert (ms[0].kind, ms[0].value, ms[0].text) == ("issue_date", "2025", "ngày tháng năm 2025")
    anniv = [m.value for m in ms if m.kind == "anniversary"]
    assert "1950-01-18/2025-01-18" in anniv and "1995-07-28/2025-07-28" in anniv and "P135Y" in anniv
    ev = {(m.value, m.text) for m in ms if m.kind == "event"}
    assert ("2025", "Xuân Ất Ty 2025") in ev  # "Ty" typo for "Tỵ" still resolved
    # the line break between "ngày" and the date of 55-CTr/TU
    assert any(m.kind == "instrument_date" and m.value == "2018-01-04" and "\n" in m.text for m in ms)
    hz = [m.value for m in ms if m.kind == "horizon"]
    assert hz[:2] == ["2030", "2045"]


# --------------------------------------------------------------------------- forms
def test_instrument_date_slash_party() -> None:
    assert _one("Căn cứ Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị") == (
        "instrument_date", "2025-01-24", "ngày 24/01/2025")


def test_instrument_date_dashes_and_vbqppl_symbol() -> None:
    assert _one("Thực hiện Quyết định số 20/2023/QĐ-UBND ngày 25-9-2023 của UBND tỉnh Cà Mau") == (
        "instrument_date", "2023-09-25", "ngày 25-9-2023")


def test_instrument_date_dots() -> None:
    assert _one("Kế hoạch số 12/KH-UBND ngày 05.3.2024 của UBND tỉnh Hà Tĩnh") == (
        "instrument_date", "2024-03-05", "ngày 05.3.2024")


def test_instrument_date_spelled_and_uppercase_title() -> None:
    assert _one("KẾ HOẠCH THỰC HIỆN NGHỊ QUYẾT SỐ 27/NQ-CP NGÀY 05 THÁNG 4 NĂM 2016 CỦA CHÍNH PHỦ") == (
        "instrument_date", "2016-04-05", "NGÀY 05 THÁNG 4 NĂM 2016")


def test_instrument_date_after_line_break() -> None:
    assert _one("theo Tờ trình số 123/TTr-SNgV ngày\n15/3/2025 của Sở Ngoại vụ") == (
        "instrument_date", "2025-03-15", "ngày\n15/3/2025")


def test_issue_date_header_line() -> None:
    assert _one("Bà Rịa - Vũng Tàu, ngày 11 tháng 03 năm 2024") == ("issue_date", "2024-03-11", "ngày 11 tháng 03 năm 2024")
    assert _one("Số: 58/KH-UBND          Quảng Nam, ngày 15 tháng 4 năm 2025")[:2] == ("issue_date", "2025-04-15")


def test_issue_date_blank_draft() -> None:
    assert _one("Đà Nẵng, ngày ... tháng ... năm 2025") == ("issue_date", "2025", "ngày ... tháng ... năm 2025")
    assert _one("Hà Nội, ngày      tháng 5 năm 2025")[:2] == ("issue_date", "2025-05")


def test_deadline_full_date_chậm_nhất() -> None:
    assert _one("Các đơn vị gửi báo cáo chậm nhất ngày 20/11/2025 để tổng hợp.") == (
        "deadline", "2025-11-20", "chậm nhất ngày 20/11/2025")


def test_deadline_without_ngay() -> None:
    assert _one("gửi Sở Ngoại vụ trước 15/5 hằng năm") == ("deadline", "--05-15", "trước 15/5")


def test_deadline_quarter() -> None:
    assert _one("Hoàn thành trong Quý II/2025.") == ("deadline", "2025-Q2", "Hoàn thành trong Quý II/2025")


def test_quarter_other_and_without_year() -> None:
    assert _one("trong quý III năm 2025 tổ chức đoàn") == ("other", "2025-Q3", "quý III năm 2025")
    assert _one("tổ chức trong quý 4")[:2] == ("other", "--Q4")


def test_month_year_forms() -> None:
    assert _one("tổ chức vào tháng 5/2025 tại Viêng Chăn") == ("other", "2025-05", "tháng 5/2025")
    assert _one("dự kiến tháng 9 năm 2025") == ("other", "2025-09", "tháng 9 năm 2025")
    assert _one("dự kiến trong tháng 10")[:2] == ("other", "--10")


def test_half_year() -> None:
    assert _one("báo cáo kết quả 6 tháng đầu năm 2025") == ("period", "2025-H1", "6 tháng đầu năm 2025")
    assert _one("báo cáo 6 tháng cuối năm")[:2] == ("period", "--H2")


def test_periods() -> None:
    assert _one("Đề án giai đoạn 2016- 2020") == ("period", "2016/2020", "giai đoạn 2016- 2020")
    assert _one("đại hội nhiệm kỳ 2025-2030") == ("period", "2025/2030", "nhiệm kỳ 2025-2030")
    assert _one("từ năm 2021 đến năm 2025") == ("period", "2021/2025", "từ năm 2021 đến năm 2025")
    assert _one("Chương trình thí điểm 2024 - 2027")[:2] == ("period", "2024/2027")


def test_period_and_horizon() -> None:
    assert _all("quy hoạch tỉnh thời kỳ 2021 - 2030, tầm nhìn đến năm 2050") == [
        ("period", "2021/2030", "thời kỳ 2021 - 2030"),
        ("horizon", "2050", "tầm nhìn đến năm 2050"),
    ]
    assert _all("phát triển tỉnh đến năm 2030, tầm nhìn đến năm 2045") == [
        ("horizon", "2030", "đến năm 2030"),
        ("horizon", "2045", "tầm nhìn đến năm 2045"),
    ]


def test_day_ranges() -> None:
    assert _one("từ ngày 14 đến 20-9-2025 tại Hà Nội") == ("period", "2025-09-14/2025-09-20", "từ ngày 14 đến 20-9-2025")
    assert _one("từ ngày 14/9 đến ngày 20/9/2025")[:2] == ("period", "2025-09-14/2025-09-20")


def test_day_range_across_new_year() -> None:
    # the start without a year is in the year before the end's when its month comes later
    assert _one("từ ngày 29/12 đến ngày 02/01/2026")[:2] == ("period", "2025-12-29/2026-01-02")
    assert _one("từ ngày 29 tháng 12 đến ngày 02 tháng 01 năm 2026")[:2] == ("period", "2025-12-29/2026-01-02")
    assert _one("từ ngày 14/9 đến ngày 20/10/2025")[:2] == ("period", "2025-09-14/2025-10-20")


def test_anniversaries() -> None:
    assert _all("kỷ niệm 80 năm Cách mạng Tháng Tám và Quốc khánh 2/9 (1945-2025)") == [
        ("anniversary", "P80Y", "kỷ niệm 80 năm"),
        ("anniversary", "1945/2025", "1945-2025"),
    ]
    assert _one("Hoa Kỳ (11/7/1995-11/7/2025)") == ("anniversary", "1995-07-11/2025-07-11", "11/7/1995-11/7/2025")


def test_events_can_chi() -> None:
    assert _one("Chúc Tết Nguyên đán Ất Tỵ") == ("event", "2025", "Tết Nguyên đán Ất Tỵ")
    assert _one("gặp mặt nhân dịp Xuân Bính Ngọ 2026") == ("event", "2026", "Xuân Bính Ngọ 2026")
    # without a Gregorian year the cycle year nearest the document year is chosen
    assert _one("Tết Giáp Thìn", doc_year=2024)[1] == "2024"
    assert _one("Tết Giáp Thìn", doc_year=1970)[1] == "1964"


def test_events_named_years() -> None:
    assert _one("Năm Du lịch quốc gia 2025 tại Huế") == ("event", "2025", "Năm Du lịch quốc gia 2025")
    assert _one("Năm Đoàn kết hữu nghị Việt Nam - Lào 2022")[:2] == ("event", "2022")
    assert _one("Năm 2025 là năm cuối của nhiệm kỳ") == ("other", "2025", "Năm 2025")


def test_deadline_end_of_year() -> None:
    assert _one("hoàn thiện đến hết năm 2025") == ("deadline", "2025", "đến hết năm 2025")


# --------------------------------------------------------------------------- negatives
def test_invalid_dates_rejected() -> None:
    assert _all("trước ngày 31/02/2025 và ngày 32/1/2025 và ngày 15/13/2025") == []
    assert _one("ngày 29/02/2024 là ngày nhuận")[1] == "2024-02-29"
    assert _all("ngày 29/02/2025") == []


def test_instrument_numbers_are_not_dates() -> None:
    assert _all("Quyết định 20/2023/QĐ-UBND và 1673/QĐ-UBND, Luật 45/2019/QH14") == []
    assert _all("điểm 15/5 của Cụm 12/3") == []  # bare day/month needs a deadline cue


def test_phone_numbers_and_durations_are_not_dates() -> None:
    assert _all("Liên hệ: 0235.3812345 hoặc 0912-345-678") == []
    assert _all("trong thời gian 06 tháng kể từ khi ký") == []
    assert _all("báo cáo công tác đối ngoại 6 tháng") == []


def test_ordinals_and_counts_are_not_dates() -> None:
    assert _all("Hội nghị ngoại giao lần thứ 32 với 75 đại biểu") == []


def test_pathological_input_finishes() -> None:
    junk = ("1/2/" * 5000 + "12.12.12-" * 3000 + "ngày " * 2000 + "tháng " * 2000)[:100_000]
    ms = extract_dates(junk)
    for m in ms:
        assert junk[m.char_start : m.char_end] == m.text
    extract_dates("/" * 50_000 + "9" * 50_000)


# --------------------------------------------------------------------------- property
from hypothesis import given, settings, strategies as st  # noqa: E402

_TOKENS = st.sampled_from(["ngày", "tháng", "năm", "trước", "giai đoạn", "Quý", "II", "/", "-", ".", " ", "\n",
                           "15", "5", "2025", "31", "13", "1950", "(", ")", "Xuân", "Ất", "Tỵ", "kỷ niệm", "số", "QĐ-UBND"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_TOKENS, max_size=40))
def test_property_spans_and_values_well_formed(tokens: list[str]) -> None:
    import regex

    text = "".join(tokens)
    iso = regex.compile(r"(?:\d{4}(?:-\d{2}(?:-\d{2})?|-Q[1-4]|-H[12])?|--\d{2}(?:-\d{2})?|--Q[1-4]|--H[12]|P\d+Y)")
    prev_end = 0
    for m in extract_dates(text, 2025):
        assert text[m.char_start : m.char_end] == m.text
        assert m.char_start >= prev_end
        prev_end = m.char_end
        for part in m.value.split("/"):
            assert iso.fullmatch(part), m


# --------------------------------------------------------------------------- fast paths
# The scans below replace a plain finditer / windowed search; they must give the same result.
_FAST_PATH_TEXTS = [
    "CHẬM NHẤT : 15/5", "hạn chót:\n 15/5", "TRƯỚC NGÀY 15/5", "chậm nhất trước ngày 30/6/2025",
    "x 1 / 2 / 2025 y", "ngày\n\n1.2.2025", "01 - 02 - 2025 và 12/12/1999 12/12/2000", "x ١/٢/٢٠٢٥",
    "Lễ hội Xuân Hương năm 2025 và Festival Huế 2024", "Năm 2025, Hội chợ EXPO 2024-2025", "Giải Việt Nam 2025/26",
    "Tuần Văn hóa Du lịch Quảng Nam - Đà Nẵng lần thứ nhất năm 2025", "6 tháng cuối năm 2024; sáu tháng đầu năm",
    "Xuân Giáp Thìn 2024 năm Ất Tỵ", "giai đoạn 2021 - 2030", "1919-2020-2021",
]


@pytest.mark.parametrize("text", _FAST_PATH_TEXTS)
def test_fast_scans_equal_finditer(text: str) -> None:
    from extractors import dates as D

    P = D._pats()
    spans = lambda ms: [m.span() for m in ms]  # noqa: E731
    assert spans(D._events(text, P)) == spans(P.event.finditer(text))
    starts = D._full_num_starts(text, P, D._ngay_starts(text, P))
    assert spans(D._scan_at(P.full_num, text, starts)) == spans(P.full_num.finditer(text))
    for name, at in (("half", P.half_at), ("can_chi", P.can_chi_at), ("year_range", P.year_range_at)):
        p = getattr(P, name)
        assert spans(D._scan(p, text, at)) == spans(p.finditer(text)), name


@pytest.mark.parametrize("text", _FAST_PATH_TEXTS)
def test_cue_prechecks_never_hide_a_match(text: str) -> None:
    from extractors import dates as D

    P = D._pats()
    for p, kind in ((P.deadline_cue, "deadline"), (P.horizon_cue, "horizon"), (P.anniv_pre, "anniv_pre"), (P.year_range_pre, "year_range_pre")):
        for end in range(len(text) + 1):
            m = p.search(text, max(0, end - 40), end)
            got = D._cue_match(p, kind, text, end, 40)
            assert (m is None) == (got is None) and (m is None or m.span() == got.span()), (kind, end)


def test_case_blind_cues_with_dotted_capital_i() -> None:
    # "(?i)i" matches "İ" although "İ".lower() is two characters
    assert _all("KẾT THÚC TRƯỚC 15/5")[0][0] == "deadline"
    assert _one("hạn cuốİ: 15/5")[0] == "deadline"


def test_a_horizon_year_without_nam() -> None:
    """"2026-2030, tầm nhìn đến 2045": a horizon year needed "năm" before it and was lost."""
    assert _all("giai đoạn 2026-2030, tầm nhìn đến 2045") == [
        ("period", "2026/2030", "giai đoạn 2026-2030"), ("horizon", "2045", "tầm nhìn đến 2045")]
    assert _one("Chiến lược phát triển du lịch, định hướng tới 2035") == ("horizon", "2035", "định hướng tới 2035")
    assert _all("Kế hoạch ban hành đến 2030") == []  # a bare "đến" + year says too little


def test_month_ranges_are_one_period() -> None:
    """"từ tháng 11/2025 đến tháng 02/2026" gave two separate months (the README's known limit); a range of
    months is one period, and a start without its year takes the end's, or the year before across the New Year."""
    assert _one("tổ chức Tuần lễ Văn hóa từ tháng 11/2025 đến tháng 02/2026") == (
        "period", "2025-11/2026-02", "từ tháng 11/2025 đến tháng 02/2026")
    assert _one("thực hiện từ tháng 3 đến tháng 5/2026") == ("period", "2026-03/2026-05", "từ tháng 3 đến tháng 5/2026")
    assert _one("từ tháng 11 đến tháng 02/2026")[1] == "2025-11/2026-02"
    assert _one("tháng 10 - tháng 12 năm 2026")[:2] == ("period", "2026-10/2026-12")
    # two months of a list are not a range
    assert [k for k, _, _ in _all("trong tháng 10/2026, tháng 11/2026")] == ["other", "other"]


def test_a_day_range_to_the_end_of_a_day() -> None:
    """"từ ngày 01/01/2026 đến hết ngày 31/12/2026": "đến hết" did not join the range, whose end read as a deadline."""
    assert _one("Thời gian thực hiện: từ ngày 01/01/2026 đến hết ngày 31/12/2026.") == (
        "period", "2026-01-01/2026-12-31", "từ ngày 01/01/2026 đến hết ngày 31/12/2026")


def test_days_listed_after_a_deadline_are_deadlines() -> None:
    """"báo cáo trước ngày 10/6 và 10/12 hằng năm": the second date had no cue of its own and was dropped (a bare
    "d/m" needs one) or read as "other"."""
    assert _all("Định kỳ báo cáo trước ngày 10/6 và 10/12 hằng năm.") == [
        ("deadline", "--06-10", "trước ngày 10/6"), ("deadline", "--12-10", "10/12")]
    assert [v for _, v, _ in _all("gửi trước ngày 15/3, 15/6, 15/9 và 15/12 hằng năm")] == [
        "--03-15", "--06-15", "--09-15", "--12-15"]
    assert _all("hoàn thành trước ngày 15/6/2026 và ngày 15/12/2026")[1] == ("deadline", "2026-12-15", "ngày 15/12/2026")
    # not after a deadline: a bare "d/m" is still no date
    assert _all("ngày 10/6 và 10/12") == [("other", "--06-10", "ngày 10/6")]
    assert _all("Nghị quyết số 59-NQ/TW ngày 24/01/2025 và 10/12") == [("instrument_date", "2025-01-24", "ngày 24/01/2025")]


def test_two_months_of_one_year_and_a_completion_time_label() -> None:
    """Appendix tables write "Tháng 9 - 10/2026" (only "tháng 9" was read, the rest lost) and "Thời gian hoàn
    thành: tháng 6/2026" (a deadline, read as "other")."""
    assert _one("Tổ chức Tuần lễ văn hóa trong tháng 9 - 10/2026.") == ("period", "2026-09/2026-10", "tháng 9 - 10/2026")
    assert _one("Tháng 11-12 năm 2026")[:2] == ("period", "2026-11/2026-12")
    assert _one("Thời gian hoàn thành: tháng 6/2026.") == ("deadline", "2026-06", "Thời gian hoàn thành: tháng 6/2026")
    assert _one("Thời hạn hoàn thành: Quý IV/2026")[:2] == ("deadline", "2026-Q4")


def test_reporting_frequencies_are_repeating_intervals() -> None:
    """"định kỳ 6 tháng", "định kỳ hằng quý" say how often a report is due: they gave nothing (or "6 tháng" was
    lost); now an ISO 8601 repeating interval of kind "other" (not a deadline: no date is named)."""
    assert _one("Sở Ngoại vụ định kỳ 6 tháng báo cáo Ủy ban nhân dân tỉnh.") == ("other", "R/P6M", "định kỳ 6 tháng")
    assert _all("định kỳ hằng năm (trước ngày 25/11) báo cáo") == [
        ("other", "R/P1Y", "định kỳ hằng năm"), ("deadline", "--11-25", "trước ngày 25/11")]
    assert _one("định kỳ hằng quý")[1] == "R/P3M"
    assert _one("định kỳ 06 tháng đầu năm")[:2] == ("period", "--H1")  # a half-year, not a frequency
    assert _all("tổ chức giao ban định kỳ") == []


def test_anniversaries_of_the_nineteenth_century() -> None:
    """"Kỷ niệm 135 năm Ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2025)": years before 1900 were not years,
    so the range lost its start and kept "19/5/2025" as a plain date."""
    assert _all("Kỷ niệm 135 năm Ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2025)") == [
        ("anniversary", "P135Y", "Kỷ niệm 135 năm"), ("anniversary", "1890-05-19/2025-05-19", "19/5/1890 - 19/5/2025")]
    assert _all("Kỷ niệm 135 năm Ngày sinh Chủ tịch Hồ Chí Minh (1890 - 2025)")[1][:2] == ("anniversary", "1890/2025")
    assert _all("tổ chức 1890 đoàn") == []


def test_a_day_range_after_tu_without_ngay() -> None:
    """"Tuần lễ văn hóa từ 10 đến 15/11/2026", "từ 14-16/10/2026": without "ngày" only the end was read."""
    assert _one("Tổ chức Tuần lễ văn hóa từ 10 đến 15/11/2026.") == (
        "period", "2026-11-10/2026-11-15", "từ 10 đến 15/11/2026")
    assert _one("diễn ra từ 14-16/10/2026")[:2] == ("period", "2026-10-14/2026-10-16")
    assert _all("Tổ chức từ 3 đến 5 hội nghị") == []
