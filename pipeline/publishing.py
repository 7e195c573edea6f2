"""Publish the corpus tables from the committed batch parts, in memory that does not grow with the corpus.

The per-document tables (sections, footnotes, pages, citations, localities, dates, targets,
relation_mentions) are never assembled in this process: DuckDB reads each one's parts, keeps the rows of
the batch that owns each current document (``_state/manifest.json``), sorts them under a fixed memory
limit (spilling to ``_state/duckdb-tmp`` when needed) and hands them over as a stream of Arrow record
batches, which :meth:`pipeline.store.Store.publish` writes to Parquet one row group at a time.

What the process does hold: the ``documents`` table (one small row per file version), the linker's
working set (one compact row per citation, see ``pipeline.linking``), the link columns and the corpus
tables (instruments, relations, conflicts).
"""
from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.store import Manifest, Store
from schemas import DOC_TABLES, schema, to_table

# Output order of every table. Ties keep the order of the parts (batch, then row within the batch), as
# a stable sort of the concatenated parts would.
SORT_KEYS: dict[str, list[str]] = {
    "documents": [],
    "sections": ["doc_id", "char_start", "level"],
    "footnotes": ["doc_id", "char_start"],
    "pages": ["doc_id", "page"],
    "citations": ["doc_id", "mention"],
    "localities": ["doc_id", "char_start"],
    "dates": ["doc_id", "char_start"],
    "targets": ["doc_id", "char_start"],
    "relation_mentions": ["doc_id", "source_mention", "target_mention"],
    "instruments": ["instrument_id"],
    "relations": ["doc_id", "source_instrument_id", "relation", "target_instrument_id"],
    "conflicts": ["instrument_id", "kind"],
    "failures": [],
}

DUCKDB_MEMORY_LIMIT = "256MB"  # DuckDB's own working memory while sorting; beyond it, it spills to disk
ROWS_PER_BATCH = 65_536  # rows per record batch handed to the Parquet writer (one row group each)
LINK_COLUMNS = ("instrument_id", "link_confidence", "link_evidence", "ambiguous")


def sort_table(name: str, t: pa.Table) -> pa.Table:
    """A table held in memory, in its published order (stable)."""
    keys = [k for k in SORT_KEYS.get(name, []) if k in t.column_names]
    if not keys or t.num_rows == 0:
        return t
    return t.sort_by([(k, "ascending") for k in keys])


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class Parts:
    """SQL access (DuckDB) to the parts of the current documents, each read from its owning batch only.

    A batch retried after a crash may hold a document that a later batch holds too; joining on the
    manifest's (doc_id, batch) keeps every row exactly once.
    """

    def __init__(self, store: Store, manifest: Manifest, con):
        self.store, self.con = store, con
        owner = {e.doc_id: e.batch for e in manifest.files.values() if e.current}
        con.register("owner", pa.table({"doc_id": pa.array(list(owner), pa.string()),
                                         "batch": pa.array(list(owner.values()), pa.string())}))
        self.batch_names = sorted(set(owner.values()))

    def files(self, name: str) -> list[str]:
        return [str(p) for b in self.batch_names if (p := self.store.parts / b / f"{name}.parquet").exists()]

    def relation(self, name: str, columns: list[str]) -> str | None:
        """A SQL subquery with ``columns`` of ``name`` for the current documents, plus ``_batch`` and
        ``_row`` (position in the part) for stable ordering; None when no part holds the table."""
        files = self.files(name)
        if not files:
            return None
        cols = ", ".join(f"p.{_q(c)}" for c in columns)
        return (f"(SELECT {cols}, o.batch AS _batch, p.file_row_number AS _row "
                f"FROM read_parquet([{', '.join(_lit(f) for f in files)}], filename = true, "
                f"file_row_number = true, union_by_name = true) p "
                f"JOIN owner o ON p.doc_id = o.doc_id AND regexp_extract(p.filename, '([^/]+)/[^/]+$', 1) = o.batch)")

    def _stream(self, sql: str, target: pa.Schema) -> pa.RecordBatchReader:
        """The rows of ``sql`` as record batches of ``target``. Lazy: the query runs when the first batch
        is pulled (one connection runs one query at a time, and streams are drained one after another)."""

        def run() -> Iterator[pa.RecordBatch]:
            reader = self.con.sql(sql).to_arrow_reader(ROWS_PER_BATCH)
            try:
                for b in reader:
                    yield pa.RecordBatch.from_arrays([b.column(i).cast(f.type) for i, f in enumerate(target)], schema=target)
            finally:
                reader.close()

        return pa.RecordBatchReader.from_batches(target, run())

    def batches(self, name: str, columns: list[str]) -> pa.RecordBatchReader:
        """``columns`` of ``name`` for the current documents, in part order (batch, then row), streamed."""
        target = pa.schema([schema(name).field(c) for c in columns])
        rel = self.relation(name, columns)
        if rel is None:
            return pa.RecordBatchReader.from_batches(target, iter(()))
        return self._stream(f"SELECT {', '.join(_q(c) for c in columns)} FROM {rel} ORDER BY _batch, _row", target)

    def sorted_stream(self, name: str, replace: dict[str, str] | None = None, join: str = "") -> pa.RecordBatchReader:
        """Every column of ``name`` in its published order, streamed; ``replace`` maps a column to a SQL
        expression over the part ``c`` and what ``join`` brings in."""
        target = schema(name)
        rel = self.relation(name, target.names)
        if rel is None:
            return pa.RecordBatchReader.from_batches(target, iter(()))
        replace = replace or {}
        select = ", ".join(f"{replace.get(c, 'c.' + _q(c))} AS {_q(c)}" for c in target.names)
        keys = "".join(f"c.{_q(k)} ASC NULLS LAST, " for k in SORT_KEYS.get(name, []))
        return self._stream(f"SELECT {select} FROM {rel} c {join} ORDER BY {keys}c._batch, c._row", target)


@contextlib.contextmanager
def parts_db(store: Store, manifest: Manifest) -> Iterator[Parts]:
    """A DuckDB connection over the parts, with a bounded memory and a private spill directory."""
    import duckdb

    tmp = store.state / "duckdb-tmp"
    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": str(tmp),
                                 "threads": 2, "preserve_insertion_order": False})
    parts = Parts(store, manifest, con)
    try:
        yield parts
    finally:
        # no DuckDB object may outlive the connection (a traceback keeps frames alive; DuckDB's bindings
        # then report "leaked" objects when the interpreter exits)
        parts.con = None
        con.close()
        del con
        shutil.rmtree(tmp, ignore_errors=True)


def documents_table(store: Store, manifest: Manifest) -> pa.Table:
    """``documents``: every version ever ingested, with version/is_current from the manifest."""
    by_doc = {e.doc_id: e for e in manifest.files.values()}
    rows = _all_versions(store, manifest).to_pylist()
    for r in rows:
        e = by_doc[r["doc_id"]]
        r.update(version=e.version, is_current=e.current, ingested_at=e.ingested_at, source_path=e.source_path)
    rows.sort(key=lambda r: (r["source_path"], r["version"]))
    return to_table("documents", rows)


def _all_versions(store: Store, manifest: Manifest) -> pa.Table:
    """The documents rows of every version (not only current ones), each from its owning batch."""
    by_batch: dict[str, set[str]] = {}
    for e in manifest.files.values():
        by_batch.setdefault(e.batch, set()).add(e.doc_id)
    parts = []
    for b, ids in sorted(by_batch.items()):
        t = store.read_parts("documents", [b])
        if t.num_rows:
            parts.append(t.filter(pc.is_in(t["doc_id"], value_set=pa.array(sorted(ids), type=pa.string()))))
    parts = [p for p in parts if p.num_rows]
    return pa.concat_tables(parts) if parts else to_table("documents", [])


def publish(store: Store, manifest: Manifest, force: bool = False) -> dict[str, int] | None:
    """Rebuild and publish every table unless the last complete publication already covers the manifest.

    Returns the number of rows of each published table (None when nothing needed publishing)."""
    from pipeline.linking import LINKER_COLUMNS, link_batches  # looked up at call time (the benchmark times it)

    fp = manifest.fingerprint()
    if not force and manifest.published == fp and all(store.table_path(n).exists() for n in ("documents", "citations")):
        return None
    store.gc_parts(manifest)
    store.clean_tmp()
    counts: dict[str, int] = {}
    with parts_db(store, manifest) as parts:
        documents = documents_table(store, manifest)
        linked = link_batches(parts.batches("citations", list(LINKER_COLUMNS)), documents,
                              parts.batches("relation_mentions", schema("relation_mentions").names).read_all())
        parts.con.register("links", linked.links)
        tables: dict[str, pa.Table | pa.RecordBatchReader] = {"documents": documents}
        for name in DOC_TABLES:
            if name == "documents":
                continue
            if name == "citations":
                # the link columns come from the linker; a citation it did not link keeps its part's values
                keep = "l.doc_id IS NULL"
                tables[name] = parts.sorted_stream(name, replace={
                    c: f"CASE WHEN {keep} THEN c.{_q(c)} ELSE l.{_q(c)} END" for c in LINK_COLUMNS},
                    join="LEFT JOIN links l ON c.doc_id = l.doc_id AND c.mention = l.mention")
            else:
                tables[name] = parts.sorted_stream(name)
        for name, t in linked.corpus.items():
            tables[name] = sort_table(name, t)
        tables["failures"] = to_table("failures", sorted(manifest.failures.values(), key=lambda r: r["source_path"]))
        try:
            counts = store.publish(tables)
        finally:
            for t in tables.values():
                if isinstance(t, pa.RecordBatchReader):
                    t.close()  # a stream not (fully) written releases its query
            tables.clear()
    manifest.published = fp
    store.save_manifest(manifest)
    return counts


__all__ = ["SORT_KEYS", "LINK_COLUMNS", "Parts", "parts_db", "documents_table", "publish", "sort_table"]
