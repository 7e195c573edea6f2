"""Property-based tests (hypothesis): no exception on any input, spans inside the text and matching it,
normalization idempotent, a citation's extraction unchanged by surrounding noise."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.dates import extract_dates
from extractors.instruments import extract_citations
from extractors.localities import extract_localities
from extractors.relations import extract_relations
from extractors.targets import extract_targets
from pipeline.normalize import fold_tones, normalize, normalize_text, strip_diacritics

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like plans: Vietnamese letters, digits, the punctuation of symbols, odd spaces and marks.
PIECES = [
    "Nghị quyết", "số", "Quyết định", "Kế hoạch", "ngày", "tháng", "năm", "của", "Bộ Chính trị", "UBND tỉnh",
    "về", "thực hiện", "59-NQ/TW", "1673/QĐ-UBND", "80/2020/NĐ-CP", "24/01/2025", "/", "-", " - ", "(", ")", ";",
    ",", ".", "\n", "\n\n", "Lào", "tỉnh", "Sê Kông", "Nhật Bản", "đoàn ra", "60", "05", "ít nhất", "không quá",
    "giai đoạn 2021 - 2025", "trước ngày 15/5", "Phụ lục 1", "\u00a0", "\u200b", "\u0301", "Ð", "“", "”", "–",
]
plan_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=300), plan_text)


@SETTINGS
@given(any_text)
def test_normalize_idempotent_and_offsets_valid(text):
    out, offs = normalize(text)
    assert normalize_text(out) == out
    assert len(offs) == len(out)
    assert all(0 <= o < max(len(text), 1) for o in offs)
    assert offs == sorted(offs)
    assert fold_tones(fold_tones(out)) == fold_tones(out)
    assert len(fold_tones(out)) == len(out)
    strip_diacritics(out)


def _spans_ok(text, records, attr):
    for r in records:
        assert 0 <= r.char_start <= r.char_end <= len(text)
        assert text[r.char_start : r.char_end] == getattr(r, attr)


@SETTINGS
@given(any_text)
def test_extractors_never_raise_and_spans_match(raw):
    text = normalize_text(raw)
    cits = extract_citations(text)
    _spans_ok(text, cits, "text")
    _spans_ok(text, extract_localities(text), "name")
    dates = extract_dates(text, doc_year=2025)
    _spans_ok(text, dates, "text")
    _spans_ok(text, extract_targets(text, doc_year=2025), "text")
    for rel in extract_relations(text, cits):
        assert 0 <= rel.source < len(cits) and 0 <= rel.target < len(cits)


CITATION = "Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị"
noise = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40).map(normalize_text)


@SETTINGS
@given(noise, noise)
def test_a_citation_is_extracted_the_same_whatever_surrounds_it(before, after):
    text = f"{before}; {CITATION}; {after}"
    found = [c for c in extract_citations(text) if c.symbol == "59-NQ/TW"]
    assert found, text
    c = found[0]
    assert c.date_cited == "2025-01-24"
    assert c.issuer_named == "Bộ Chính trị"
    assert c.instrument_type == "Nghị quyết" and c.kind == "full"


_section = st.builds(
    lambda start, length, level: (start, start + length, level),
    st.integers(0, 60), st.integers(-3, 40), st.integers(1, 5),
)


@given(st.lists(_section, max_size=12), st.lists(st.integers(-5, 110), min_size=1, max_size=30))
def test_section_at_is_the_deepest_section_holding_the_offset_starting_last(spans, offsets):
    """Document.section_at (an interval table) against its definition, checked by brute force: of the
    sections holding the offset, the deepest, and of those the one starting last (later in the list
    when two start together); empty and reversed extents hold nothing."""
    from pipeline.document import Document, Section

    secs = [Section(f"s{i}", str(i), lvl, "", a, b) for i, (a, b, lvl) in enumerate(spans)]
    doc = Document(doc_id="d", source_path="x.txt", format="txt", text="x" * 120, body_end=120, sections=secs)
    for off in offsets:
        holding = [(s.level, s.char_start, i) for i, s in enumerate(secs) if s.char_start <= off < s.char_end]
        want = secs[max(holding)[2]] if holding else None
        assert doc.section_at(off) is want
