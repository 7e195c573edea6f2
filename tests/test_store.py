"""Store: manifest round trip, atomic writes, parts garbage collection, schema enforcement."""
from __future__ import annotations

import os

import pyarrow.parquet as pq
import pytest

from pipeline.store import FileEntry, Manifest, ManifestChange, Store, atomic_write_bytes
from schemas import DOC_TABLES, TABLES, describe, schema, to_table


def test_every_column_is_documented():
    for name, (desc, cols) in TABLES.items():
        assert desc
        for c in cols:
            assert c.doc and len(c.doc) > 3, (name, c.name)
    md = describe()
    assert "### `citations`" in md and "`instrument_id`" in md


def test_the_readme_holds_the_schemas_reference():
    """README's "Output tables" is ``describe()``'s text: schemas/ is the one source of the columns' meaning
    (the README had drifted: an older list of failure kinds)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert describe().strip() in readme


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


def _entry(i: int, path: str | None = None, batch: str = "b1", version: int = 1) -> FileEntry:
    sha = f"{i:064x}"
    return FileEntry(sha, sha[:16], path or f"p{i}.txt", batch, version, "2025-01-01T00:00:00Z")


def test_commits_append_to_a_journal_and_the_snapshot_absorbs_it(tmp_path):
    st = Store(tmp_path)
    m = Manifest()
    m.files[_entry(1).sha256] = _entry(1)
    m.failures["bad.pdf"] = {"source_path": "bad.pdf", "sha256": None, "error_kind": "corrupt"}
    st.save_manifest(m)
    snapshot = st.manifest_path.read_bytes()
    # a new version of p1.txt, a new file, bad.pdf fixed, a failing file
    st.commit(m, ManifestChange(files=[_entry(2, "p1.txt", "b2", 2), _entry(3, batch="b2")], retired=[_entry(1).sha256],
                                cleared=["bad.pdf"], failures={"worse.pdf": {"source_path": "worse.pdf", "error_kind": "timeout"}}))
    st.commit(m, ManifestChange(files=[_entry(4, batch="b3")]))
    assert st.manifest_path.read_bytes() == snapshot  # a commit does not rewrite the manifest
    assert st.journal_path.read_bytes().count(b"\n") == 2
    again = st.load_manifest()
    assert again.files == m.files and again.failures == m.failures and again.fingerprint() == m.fingerprint()
    assert not m.files[_entry(1).sha256].current and m.files[_entry(2, "p1.txt").sha256].version == 2
    assert set(m.failures) == {"worse.pdf"} and m.batches() == {"b1", "b2", "b3"}
    st.save_manifest(m)
    assert not st.journal_path.exists() and st.load_manifest().fingerprint() == m.fingerprint()


def test_replaying_a_journal_the_snapshot_already_holds_changes_nothing(tmp_path):
    """A crash after the snapshot is written but before the journal is removed."""
    st = Store(tmp_path)
    m = Manifest()
    m.files[_entry(1).sha256] = _entry(1)
    st.save_manifest(m)
    st.commit(m, ManifestChange(files=[_entry(2, "p1.txt", "b2", 2)], retired=[_entry(1).sha256]))
    journal = st.journal_path.read_bytes()
    st.save_manifest(m)
    st.journal_path.write_bytes(journal)
    assert st.load_manifest().fingerprint() == m.fingerprint()


def test_a_journal_line_cut_short_is_not_a_commit(tmp_path):
    st = Store(tmp_path)
    m = Manifest()
    st.commit(m, ManifestChange(files=[_entry(1)]))
    whole = st.journal_path.read_bytes()
    cut = ManifestChange(files=[_entry(2)]).to_json_line()[:-9]  # the process died while appending
    st.journal_path.write_bytes(whole + cut)
    assert set(st.load_manifest().files) == {_entry(1).sha256}
    st.commit(m, ManifestChange(files=[_entry(3)]))  # the next commit drops the unfinished line first
    assert st.journal_path.read_bytes() == whole + ManifestChange(files=[_entry(3)]).to_json_line()
    assert set(st.load_manifest().files) == {_entry(1).sha256, _entry(3).sha256}


def test_a_corrupt_journal_line_is_a_clear_error(tmp_path):
    st = Store(tmp_path)
    st.commit(Manifest(), ManifestChange(files=[_entry(1)]))
    st.journal_path.write_bytes(st.journal_path.read_bytes() + b"{not json\n")
    with pytest.raises(RuntimeError, match=r"manifest\.journal: unreadable line 2"):
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
