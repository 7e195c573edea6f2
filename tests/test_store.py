"""Store: manifest round trip, atomic writes, parts garbage collection, schema enforcement."""
from __future__ import annotations

import os

import pyarrow.parquet as pq
import pytest

from pipeline.store import FileEntry, Manifest, Store, atomic_write_bytes
from schemas import DOC_TABLES, TABLES, describe, schema, to_table


def test_every_column_is_documented():
    for name, (desc, cols) in TABLES.items():
        assert desc
        for c in cols:
            assert c.doc and len(c.doc) > 3, (name, c.name)
    md = describe()
    assert "### `citations`" in md and "`instrument_id`" in md


def test_to_table_ignores_unknown_and_fills_missing():
    t = to_table("citations", [{"doc_id": "a", "symbol": "59-NQ/TW", "bogus": 1}])
    assert t.schema.equals(schema("citations"))
    row = t.to_pylist()[0]
    assert row["symbol"] == "59-NQ/TW" and row["date_cited"] is None and "bogus" not in row


def test_manifest_round_trip_and_fingerprint(tmp_path):
    st = Store(tmp_path)
    m = Manifest()
    m.files["ab" * 32] = FileEntry("ab" * 32, "abababababababab", "x.txt", "b1", 1, "2025-01-01T00:00:00Z")
    fp = m.fingerprint()
    st.save_manifest(m)
    m2 = st.load_manifest()
    assert m2.files == m.files and m2.fingerprint() == fp
    m2.files["ab" * 32].current = False
    assert m2.fingerprint() != fp


def test_corrupt_manifest_is_a_clear_error(tmp_path):
    st = Store(tmp_path)
    st.state.mkdir(parents=True)
    st.manifest_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuntimeError, match="manifest"):
        st.load_manifest()


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    p = tmp_path / "f.bin"
    atomic_write_bytes(p, b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(p, b"new")
    assert p.read_bytes() == b"old"


def test_parts_written_for_every_doc_table_and_gc(tmp_path):
    st = Store(tmp_path)
    st.write_parts("b1", {"documents": [{"doc_id": "d1", "source_path": "a.txt"}]})
    st.write_parts("orphan", {"documents": [{"doc_id": "d2"}]})
    for name in DOC_TABLES:
        assert (st.parts / "b1" / f"{name}.parquet").exists()
    m = Manifest(files={"s": FileEntry("s", "d1", "a.txt", "b1", 1, "t")})
    assert st.gc_parts(m) == 1
    assert not (st.parts / "orphan").exists()
    t = st.read_parts("documents", ["b1"])
    assert t.column("doc_id").to_pylist() == ["d1"]


def test_publish_casts_to_schema(tmp_path):
    st = Store(tmp_path)
    st.publish({"failures": to_table("failures", [{"source_path": "x.pdf", "error_kind": "corrupt", "message": "x.pdf: bad"}])})
    t = pq.read_table(st.table_path("failures"))
    assert t.schema.field("error_kind").metadata[b"description"]
    with pytest.raises(KeyError):
        st.publish({"nope": t})
