"""Hostile and broken input: every case completes the run, the bad file lands in `failures` with a precise
error_kind and a message naming it, and the good file beside it is in the tables.

Files are generated at test time (nothing big is committed). Runs go through the real ingestion steps
(discover → isolated read+extract → commit → publish) without Prefect, to stay quick; tests/test_flows.py
covers the same isolation inside the Prefect flow.
"""
from __future__ import annotations

import io
import os
import resource
import shutil
import signal
import time
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hostile_fixtures import docx_with_document_xml, pdf_bomb

from pipeline import ingest as steps
from pipeline.config import Limits
from pipeline.store import Store

REPO = Path(__file__).resolve().parents[1]
GOOD_PDF = REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.pdf"
GOOD_DOCX = REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.docx"
GiB = 1024**3


def ingest(inbox: Path, out: Path, limits: Limits | None = None) -> dict:
    limits = limits or Limits()
    store = Store(out)
    manifest = store.load_manifest()
    cands = steps.discover([str(inbox)], limits)
    pl = steps.plan(cands, manifest)
    steps.record_discovery_failures(store, manifest, pl.failed_discovery)
    res = steps.process_batch(pl.todo, limits)
    steps.commit_batch(store, manifest, "b0", res)
    steps.publish(store, manifest)
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    fails = {Path(f["source_path"]).name: f for f in pq.read_table(out / "failures.parquet").to_pylist()}
    return {"docs": {Path(d["source_path"]).name for d in docs}, "fails": fails}


def check(result: dict, name: str, kind: str, *words: str) -> None:
    assert "good.txt" in result["docs"], result
    assert name in result["fails"], result["fails"]
    f = result["fails"][name]
    assert f["error_kind"] == kind, f
    assert name in f["message"], f
    for w in words:
        assert w in f["message"], f


# --------------------------------------------------------------------------- PDF
def test_truncated_pdf(inbox, tmp_path):
    data = GOOD_PDF.read_bytes()
    (inbox / "truncated.pdf").write_bytes(data[: len(data) // 3])
    check(ingest(inbox, tmp_path / "out"), "truncated.pdf", "corrupt")


def test_corrupt_pdf(inbox, tmp_path):
    (inbox / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n" + os.urandom(4000))
    check(ingest(inbox, tmp_path / "out"), "corrupt.pdf", "corrupt")


def test_encrypted_pdf_with_and_without_user_password(inbox, tmp_path):
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(GOOD_PDF) as pdf:
        pdf.save(inbox / "locked.pdf", encryption=pikepdf.Encryption(user="secret", owner="owner", R=6))
        pdf.save(inbox / "owner-only.pdf", encryption=pikepdf.Encryption(user="", owner="owner", R=6))
    r = ingest(inbox, tmp_path / "out")
    check(r, "locked.pdf", "encrypted", "password")
    # an owner password alone (copy/print restrictions) does not stop reading: the plan is ingested
    assert "owner-only.pdf" in r["docs"] and "owner-only.pdf" not in r["fails"]


def test_pdf_with_no_text_layer(inbox, tmp_path, monkeypatch):
    from PIL import Image

    import pipeline.readers.pdf as pdf_reader

    Image.new("RGB", (600, 800), "white").save(inbox / "blank-scan.pdf", "PDF")
    monkeypatch.setattr(pdf_reader, "tesseract_available", lambda: False)
    check(ingest(inbox, tmp_path / "out"), "blank-scan.pdf", "no_text_layer", "OCR")


def test_pdf_with_thousands_of_pages_is_bounded(inbox, tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(120):
        pdf.new_page(200, 200)
    buf = io.BytesIO()
    pdf.save(buf)
    (inbox / "huge.pdf").write_bytes(buf.getvalue())
    check(ingest(inbox, tmp_path / "out", Limits(max_pages=100)), "huge.pdf", "too_large", "100-page limit")


def test_pdf_decompression_bomb_is_refused_with_bounded_memory(inbox, tmp_path):
    (inbox / "bomb.pdf").write_bytes(pdf_bomb(1024, hide="none"))  # 1 GiB of spaces, ~1 MB compressed
    check(ingest(inbox, tmp_path / "out"), "bomb.pdf", "too_large", "decompression bomb")
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < GiB


# --------------------------------------------------------------------------- DOCX
def test_docx_zip_bomb_refused_before_inflating(inbox, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"<w:t>" + b"A" * (1 << 20) + b"</w:t>"
            for _ in range(2048):  # 2 GiB when inflated
                fh.write(block)
    data = buf.getvalue()
    assert len(data) < 10 * 1024 * 1024
    (inbox / "bomb.docx").write_bytes(data)
    check(ingest(inbox, tmp_path / "out"), "bomb.docx", "too_large", "zip bomb")
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < GiB


def test_docx_external_entity_never_resolved(inbox, tmp_path):
    xml = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           b"<w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>")
    (inbox / "xxe.docx").write_bytes(docx_with_document_xml(xml))
    r = ingest(inbox, tmp_path / "out")
    check(r, "xxe.docx", "corrupt")
    cits = pq.read_table(tmp_path / "out" / "footnotes.parquet").to_pylist()
    assert not any("root:" in (c["text"] or "") for c in cits)


def test_docx_billion_laughs_never_expanded(inbox, tmp_path):
    ents = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{ents}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           "<w:t>&l9;</w:t></w:r></w:p></w:body></w:document>").encode()
    (inbox / "laughs.docx").write_bytes(docx_with_document_xml(xml))
    check(ingest(inbox, tmp_path / "out"), "laughs.docx", "corrupt")


# --------------------------------------------------------------------------- junk, empty, encodings, sizes
@pytest.mark.parametrize("name", ["empty.pdf", "empty.docx", "empty.txt"])
def test_zero_byte_files(inbox, tmp_path, name):
    (inbox / name).write_bytes(b"")
    check(ingest(inbox, tmp_path / "out"), name, "empty", "0 bytes")


@pytest.mark.parametrize("name, kind", [("junk.pdf", "corrupt"), ("junk.docx", "corrupt")])
def test_binary_junk_with_a_document_name(inbox, tmp_path, name, kind):
    rnd = bytes((i * 7919 + 13) % 256 for i in range(20000))
    (inbox / name).write_bytes(rnd)
    r = ingest(inbox, tmp_path / "out")
    assert "good.txt" in r["docs"] and name in r["fails"]
    assert r["fails"][name]["error_kind"] in {kind, "unsupported_format"} and name in r["fails"][name]["message"]


def test_50_mb_text_file_is_refused_with_bounded_memory(inbox, tmp_path):
    line = ("Tiếp tục triển khai thực hiện Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị. " * 20 + "\n").encode()
    with open(inbox / "huge.txt", "wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    assert (inbox / "huge.txt").stat().st_size >= 50 * 1024 * 1024
    check(ingest(inbox, tmp_path / "out", Limits(max_chars=20_000_000)), "huge.txt", "too_large", "character limit")
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < GiB


def test_file_over_the_size_limit(inbox, tmp_path):
    (inbox / "big.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * 2_000_000)
    check(ingest(inbox, tmp_path / "out", Limits(max_file_bytes=1_000_000)), "big.pdf", "too_large")


def test_mixed_and_wrong_encodings_do_not_stop_the_run(inbox, tmp_path):
    mixed = "Kế hoạch số 12/KH-UBND ".encode("utf-8") + "của Ủy ban".encode("utf-16-le") + b"\xff\xfe\x81\x8d tail"
    (inbox / "mixed.txt").write_bytes(mixed)
    (inbox / "latin1.txt").write_bytes("Réunion à Genève, coopération décentralisée".encode("latin-1"))
    r = ingest(inbox, tmp_path / "out")
    assert "good.txt" in r["docs"]
    for name in ("mixed.txt", "latin1.txt"):  # read with a warning, or refused with a clear reason: never a crash
        assert name in r["docs"] or (r["fails"][name]["error_kind"] in {"encoding", "unsupported_format"}
                                     and name in r["fails"][name]["message"])


def test_non_vietnamese_text_ingests_and_extracts_nothing_spurious(inbox, tmp_path):
    (inbox / "english.txt").write_text(
        "Annual plan of the city of Springfield. Section 1. Goals: 12 meetings per year, 5 agreements.\n"
        "According to Decision 15/2020 of the Council and Regulation (EU) 2016/679, the mayor will report.\n"
        "中华人民共和国 关于 2025 年 的 计划 第 3 条\n", encoding="utf-8")
    r = ingest(inbox, tmp_path / "out")
    assert "english.txt" in r["docs"]
    docs = {Path(d["source_path"]).name: d["doc_id"] for d in pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()}
    cits = [c for c in pq.read_table(tmp_path / "out" / "citations.parquet").to_pylist() if c["doc_id"] == docs["english.txt"]]
    assert cits == []


def test_pathological_lines_finish_in_linear_time(inbox, tmp_path):
    patterns = ["1/2-3/4-", "số 59-NQ/", "-/-/", "12/2025/QĐ-"]
    body = "".join(p * (250_000 // len(p)) + "\n" for p in patterns)  # ~1 MB of digits, slashes and hyphens
    (inbox / "patho.txt").write_text(body, encoding="utf-8")
    t0 = time.perf_counter()
    r = ingest(inbox, tmp_path / "out", Limits(seconds_per_file=120))
    assert time.perf_counter() - t0 < 120
    assert "patho.txt" in r["docs"] or r["fails"]["patho.txt"]["error_kind"] != "timeout"


# --------------------------------------------------------------------------- paths
def test_symlinks_are_not_followed(inbox, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(GOOD_PDF, outside / "secret-plan.pdf")
    os.symlink("/etc/passwd", inbox / "passwd.txt")
    os.symlink(outside / "secret-plan.pdf", inbox / "plan.pdf")
    os.symlink(outside, inbox / "linked-dir")
    r = ingest(inbox, tmp_path / "out")
    assert r["docs"] == {"good.txt"}
    for name in ("passwd.txt", "plan.pdf"):
        assert r["fails"][name]["error_kind"] == "unsupported_format" and "symbolic link" in r["fails"][name]["message"]
    assert "secret-plan.pdf" not in r["fails"]


def test_unsupported_formats_are_reported(inbox, tmp_path):
    (inbox / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (inbox / "notes.py").write_text("print('not a plan')", encoding="utf-8")
    r = ingest(inbox, tmp_path / "out")
    check(r, "old.doc", "unsupported_format")
    assert "notes.py" not in r["fails"] and "notes.py" not in r["docs"]


# --------------------------------------------------------------------------- time and crashes in the worker
def _slow_or_crashing(real):
    def fake(path, limits=None, seconds=None):
        name = Path(path).name
        if name.startswith("hang"):
            time.sleep(60)
        if name.startswith("segv"):
            os.kill(os.getpid(), signal.SIGSEGV)
        if name.startswith("oom"):
            b = bytearray(8 * GiB)  # over the worker's memory cap
            return b
        return real(path, limits, seconds)

    return fake


def test_a_hanging_file_times_out_and_the_rest_is_read(inbox, tmp_path, monkeypatch):
    (inbox / "hang.txt").write_text("Kế hoạch", encoding="utf-8")
    (inbox / "zz-good.txt").write_bytes(GOOD_PDF.with_suffix(".txt").read_bytes())
    monkeypatch.setattr(steps, "process_file", _slow_or_crashing(steps.process_file))
    t0 = time.perf_counter()
    r = ingest(inbox, tmp_path / "out", Limits(seconds_per_file=3))
    assert time.perf_counter() - t0 < 40
    check(r, "hang.txt", "timeout", "3 s")
    assert "zz-good.txt" in r["docs"]


def test_a_crashing_or_memory_hungry_worker_is_isolated(inbox, tmp_path, monkeypatch):
    (inbox / "segv.txt").write_text("x", encoding="utf-8")
    (inbox / "oom.txt").write_text("y", encoding="utf-8")
    monkeypatch.setattr(steps, "process_file", _slow_or_crashing(steps.process_file))
    r = ingest(inbox, tmp_path / "out", Limits(max_memory_bytes=3 * GiB))
    check(r, "segv.txt", "crashed", "died")
    check(r, "oom.txt", "too_large", "memory")


def test_a_known_failure_is_retried_by_newer_extraction_code_only():
    """A file that failed keeps failing quietly while neither it nor the code changes; a failure recorded
    by other extraction code (or before versions were kept) is tried again: the fix may be in the new code."""
    from pipeline.store import Manifest

    cand = steps.Candidate("in/bad.pdf", "ab" * 32, 10)
    fail = {"source_path": "in/bad.pdf", "sha256": "ab" * 32, "error_kind": "corrupt", "message": "x"}
    for recorded, version, retried in [("v1", "v1", False), ("v1", "v2", True), (None, "v1", True)]:
        m = Manifest(failures={"in/bad.pdf": dict(fail, **({"extraction": recorded} if recorded else {}))})
        pl = steps.plan([cand], m, version=version)
        assert ([c.path for c in pl.todo], [c.path for c in pl.known_failures]) == (
            (["in/bad.pdf"], []) if retried else ([], ["in/bad.pdf"])), (recorded, version)
