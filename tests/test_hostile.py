"""Hostile input the bad-input suite (tests/test_bad_inputs.py) does not reach: bombs and DTDs hidden from
simple checks, zip headers that lie, and punctuation runs that make a tokenizer quadratic.

Each reader case asserts the exact error kind and the words of the message; the end-to-end cases go through
the isolated read+extract (``process_batch``) next to a good file and bound time and worker memory.
"""
from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from hostile_fixtures import (
    docx_lying_sizes,
    docx_with_document_xml,
    dtd_document_xml,
    pdf_bomb,
    pdf_with_streams,
    punctuation_runs,
)

from pipeline import ingest as steps
from pipeline.config import Limits
from pipeline.errors import ReadError
from pipeline.readers import read_bytes
from pipeline.readers.pdf import check_streams

REPO = Path(__file__).resolve().parents[1]
MiB = 1 << 20
GiB = 1 << 30


def refused(data: bytes, name: str, limits: Limits | None = None) -> ReadError:
    with pytest.raises(ReadError) as e:
        read_bytes(data, name, limits=limits)
    assert name in str(e.value)
    return e.value


# --------------------------------------------------------------------------- PDF decompression bombs
@pytest.mark.parametrize("hide", ["padding", "indirect", "none"])
def test_pdf_bomb_is_found_however_the_filter_is_written(hide):
    t0 = time.perf_counter()
    e = refused(pdf_bomb(64, hide), f"bomb-{hide}.pdf", Limits(max_uncompressed_bytes=16 * MiB))
    assert e.kind == "too_large"
    assert e.message == "has a compressed stream that inflates to over 17 MB (decompression bomb?); refused"
    assert time.perf_counter() - t0 < 5


def test_pdf_streams_limit_is_per_stream_with_a_total_cap():
    lim = 4 * MiB
    # a scan: many images, each under the limit, more than the limit together -> accepted
    assert check_streams(pdf_with_streams([3, 3, 3]), "scan.pdf", lim) == 9 * MiB
    with pytest.raises(ReadError) as e:
        check_streams(pdf_with_streams([5]), "one.pdf", lim)
    assert e.value.kind == "too_large" and "a compressed stream" in e.value.message
    with pytest.raises(ReadError) as e:  # 11 x 3 MiB = 33 MiB > 8 x 4 MiB
        check_streams(pdf_with_streams([3] * 11), "many.pdf", lim)
    assert e.value.kind == "too_large" and "in all" in e.value.message


def test_pdf_stream_check_ignores_non_zlib_and_endstream():
    data = b"%PDF-1.7\n1 0 obj << /Length 8 >>\nstream\nBT ET xx\nendstream\nendobj\n" * 3
    assert check_streams(data, "plain.pdf", MiB) == 0


# --------------------------------------------------------------------------- DOCX: DTDs, lying zip headers
@pytest.mark.parametrize("encoding, pad", [("utf-8", 0), ("utf-16", 0), ("utf-16-be", 0), ("utf-8", 5)])
def test_docx_dtd_refused_in_any_encoding_anywhere(encoding, pad):
    data = docx_with_document_xml(dtd_document_xml(encoding, pad_mib=pad))
    e = refused(data, "dtd.docx")
    assert e.kind == "corrupt"
    assert e.message == "part word/document.xml declares a DTD/entities, which Word never writes; refused as unsafe"


def test_docx_whose_zip_headers_lie_about_sizes_is_refused_with_bounded_memory():
    data = docx_lying_sizes(real_mib=64)
    assert len(data) < 2 * MiB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    e = refused(data, "liar.docx", Limits(max_uncompressed_bytes=8 * MiB))
    # Python's zipfile stops at the declared size and the CRC no longer matches: nothing big is inflated
    assert e.kind == "corrupt" and "word/media/image1.bin" in e.message and "CRC" in e.message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 32 * 1024  # KiB: < 32 MiB more


def test_docx_with_too_many_parts():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(10_001):
            z.writestr(f"p/{i}", b"")
    e = refused(buf.getvalue(), "parts.docx")
    assert e.kind == "too_large" and "10002 parts" in e.message


def test_good_docx_still_reads_after_the_full_scan():
    doc = read_bytes((REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.docx").read_bytes(), "na.docx")
    assert doc.format == "docx" and "Nghệ An" in doc.text


# --------------------------------------------------------------------------- end to end, isolated worker
def batch(inbox: Path, limits: Limits) -> dict[str, steps.FileOutcome]:
    cands = [c for c in steps.discover([str(inbox)], limits) if not c.error]
    res = steps.process_batch(cands, limits)
    return {Path(o.path).name: o for o in res.outcomes}


def test_hidden_pdf_bomb_end_to_end_memory_bounded(inbox):
    (inbox / "bomb.pdf").write_bytes(pdf_bomb(1024, "padding"))  # 1 GiB of spaces behind a padded dictionary
    out = batch(inbox, Limits())
    assert out["good.txt"].doc_id and not out["good.txt"].error_kind
    assert out["bomb.pdf"].error_kind == "too_large" and "decompression bomb" in out["bomb.pdf"].message
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < GiB


def test_punctuation_runs_finish_in_linear_time(inbox):
    """spaCy's tokenizer strips prefix/suffix punctuation one character at a time (quadratic on long runs);
    extractors/localities.py blanks such runs first."""
    (inbox / "runs.txt").write_text(punctuation_runs(100_000), encoding="utf-8")
    t0 = time.perf_counter()
    out = batch(inbox, Limits(seconds_per_file=20))
    assert time.perf_counter() - t0 < 60  # the worker's time limit bounds it whatever happens
    assert out["good.txt"].doc_id
    assert out["runs.txt"].doc_id, (out["runs.txt"].error_kind, out["runs.txt"].message)


def test_docx_text_over_the_character_limit_is_refused_before_normalization():
    from hostile_fixtures import W_NS

    para = "<w:p><w:r><w:t>Triển khai Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị.</w:t></w:r></w:p>"
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>{para * 20_000}</w:body></w:document>'
    data = docx_with_document_xml(xml.encode())
    assert len(data) < 200_000  # 1.34 M characters from a tiny file
    e = refused(data, "long.docx", Limits(max_chars=1_000_000))
    assert e.kind == "too_large" and e.message == "has 1340000 characters of text, over the 1000000 character limit"
