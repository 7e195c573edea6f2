"""Publishing streams the per-document tables from the batch parts through DuckDB (bounded memory).

The published tables must be exactly what a stable in-memory sort of the owned parts gives: each
document's rows from the batch the manifest names (a retried batch may hold stale copies), ties in the
sort keys kept in part order, nulls last; written in several row groups when the stream is long."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import publishing
from pipeline.store import FileEntry, Manifest, Store
from schemas import schema, to_table


def _store(tmp_path) -> tuple[Store, Manifest]:
    """Three batches; document d2 was written by b1 (a crashed attempt) and again by b2, which owns it;
    d4 is an old version (not current) whose rows must not be published."""
    store = Store(tmp_path / "out")
    m = Manifest()
    owners = {"d1": "b1", "d2": "b2", "d3": "b3", "d4": "b1"}
    for i, (doc, b) in enumerate(owners.items()):
        m.files[f"sha{i}"] = FileEntry(f"sha{i}", doc, f"{doc}.txt", b, 1, "2026-01-01T00:00:00Z", doc != "d4")

    def sec(doc, start, level, title):
        return {"doc_id": doc, "section_id": title, "label": "1", "level": level, "title": title,
                "char_start": start, "char_end": None if start is None else start + 5}

    def cit(doc, mention, symbol):
        return {"doc_id": doc, "mention": mention, "symbol": symbol, "cited_as": "Kế hoạch", "instrument_type": "Kế hoạch",
                "number": symbol.split("/")[0], "type_code": "KH", "issuer_code": "UBND", "year": None,
                "system": "administrative", "kind": "full", "text": f"Kế hoạch số {symbol}", "char_start": mention * 10,
                "char_end": mention * 10 + 8, "in_footnote": False, "type_mismatch": False, "extra": "{}",
                "instrument_id": "stale-from-the-part"}

    parts = {
        "b1": {"sections": [sec("d1", 10, 2, "d1-b"), sec("d1", 0, 1, "d1-a"), sec("d1", 10, 2, "d1-tie-2nd"),
                            sec("d2", 0, 1, "d2-STALE"), sec("d4", 0, 1, "d4-old"), sec("d1", None, 3, "d1-null")],
               "citations": [cit("d1", 1, "12/KH-UBND"), cit("d1", 0, "10/KH-UBND"), cit("d2", 0, "99/KH-UBND")],
               "documents": [{"doc_id": d, "source_path": f"{d}.txt", "format": "txt"} for d in ("d1", "d2", "d4")]},
        "b2": {"sections": [sec("d2", 3, 1, "d2-a"), sec("d2", 1, 4, "d2-b")],
               "citations": [cit("d2", 0, "10/KH-UBND")],
               "documents": [{"doc_id": "d2", "source_path": "d2.txt", "format": "txt"}]},
        "b3": {"sections": [sec("d3", 7, 1, "d3-a")] + [sec("d3", 100 + k, 2, f"d3-{k}") for k in range(20)],
               "citations": [],
               "documents": [{"doc_id": "d3", "source_path": "d3.txt", "format": "txt"}]},
    }
    for b, rows in parts.items():
        store.write_parts(b, rows)
    store.save_manifest(m)
    return store, m


def _reference(store: Store, m: Manifest, name: str) -> pa.Table:
    owner = {e.doc_id: e.batch for e in m.files.values() if e.current}
    rows = []
    for b in sorted(set(owner.values())):
        rows += [r for r in store.read_parts(name, [b]).to_pylist() if owner.get(r["doc_id"]) == b]
    return publishing.sort_table(name, to_table(name, rows))


def test_streamed_tables_equal_a_stable_sort_of_the_owned_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "ROWS_PER_BATCH", 4)  # many record batches -> many row groups
    monkeypatch.setattr(publishing, "DOCS_PER_CHUNK", 2)  # d1, d2 sorted together, then d3
    store, m = _store(tmp_path)
    counts = publishing.publish(store, m)
    got = pq.read_table(store.table_path("sections"))
    want = _reference(store, m, "sections")
    assert got.equals(want, check_metadata=True)
    titles = got.column("title").to_pylist()
    assert "d2-STALE" not in titles and "d4-old" not in titles  # stale copy and old version left out
    assert titles[:4] == ["d1-a", "d1-b", "d1-tie-2nd", "d1-null"]  # tie kept in part order, null last
    assert pq.ParquetFile(store.table_path("sections")).metadata.num_row_groups > 1
    assert counts["sections"] == got.num_rows == 4 + 2 + 21  # d1, d2 (from b2 only), d3
    assert pq.read_schema(store.table_path("sections")).equals(schema("sections"), check_metadata=True)


@pytest.mark.parametrize("per_chunk", [1, 1000])
def test_citations_get_the_linker_columns_and_keep_the_others(tmp_path, monkeypatch, per_chunk):
    monkeypatch.setattr(publishing, "DOCS_PER_CHUNK", per_chunk)
    store, m = _store(tmp_path)
    publishing.publish(store, m)
    got = pq.read_table(store.table_path("citations"))
    assert [(r["doc_id"], r["mention"], r["symbol"]) for r in got.to_pylist()] == [
        ("d1", 0, "10/KH-UBND"), ("d1", 1, "12/KH-UBND"), ("d2", 0, "10/KH-UBND")]
    ids = got.column("instrument_id").to_pylist()
    assert "stale-from-the-part" not in ids and all(ids)
    assert ids[0] != ids[1]  # two different plans
    inst = pq.read_table(store.table_path("instruments"))
    assert set(ids) == set(inst.column("instrument_id").to_pylist())
    assert got.column("extra").to_pylist() == ["{}"] * 3  # not read by the linker, still published


def test_a_stream_with_the_wrong_schema_is_refused_and_nothing_is_replaced(tmp_path):
    store = Store(tmp_path)
    store.publish({"pages": to_table("pages", [{"doc_id": "a", "page": 1, "method": "text", "n_chars": 3}])})
    before = store.table_path("pages").read_bytes()
    bad = pa.RecordBatchReader.from_batches(pa.schema([("doc_id", pa.string())]), iter(()))
    with pytest.raises(ValueError, match="pages"):
        store.publish({"pages": bad})
    assert store.table_path("pages").read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp-*"))


def test_a_failing_stream_leaves_the_published_table_and_no_temporary_file(tmp_path):
    store = Store(tmp_path)
    store.publish({"pages": to_table("pages", [{"doc_id": "a", "page": 1, "method": "text", "n_chars": 3}])})
    before = store.table_path("pages").read_bytes()

    def boom():
        yield to_table("pages", [{"doc_id": "b", "page": 1}]).to_batches()[0]
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.publish({"pages": pa.RecordBatchReader.from_batches(schema("pages"), boom())})
    assert store.table_path("pages").read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp-*"))


def test_a_failing_linker_stops_publication_cleanly_while_tables_are_written_beside_it(tmp_path, monkeypatch):
    """The per-document tables are written by a second thread while the linker runs: when the linker fails,
    its error is what publish raises, only whole tables are on disk, the publication is not recorded, and
    the next run publishes everything."""
    import pipeline.linking as linking

    store, m = _store(tmp_path)

    def boom(parts, documents):
        raise RuntimeError("linker failed")

    orig = linking.link_batches
    monkeypatch.setattr(linking, "link_batches", boom)
    with pytest.raises(RuntimeError, match="linker failed"):
        publishing.publish(store, m)
    assert m.published is None and Store(store.root).load_manifest().published is None
    assert not list(store.root.glob(".*.tmp-*"))
    for p in store.root.glob("*.parquet"):
        pq.read_table(p)  # whatever was written is whole
    assert not store.table_path("citations").exists()  # it waits for the links

    monkeypatch.setattr(linking, "link_batches", orig)
    counts = publishing.publish(store, m)
    assert list(counts) == [n for n in (*publishing.DOC_TABLES, *publishing.CORPUS_TABLES, "failures")]
    assert pq.read_table(store.table_path("sections")).equals(_reference(store, m, "sections"))
    assert m.published is not None
