"""Publish the corpus tables from the committed batch parts, in memory that does not grow with the corpus.

The per-document tables (sections, footnotes, pages, citations, localities, dates, targets,
relation_mentions) are never assembled whole in this process. For each table, DuckDB reads the parts,
keeps the rows of the batch that owns each current document (``_state/manifest.json``) and sorts them
``DOCS_PER_CHUNK`` documents at a time, in doc_id order; the chunks stream to
:meth:`pipeline.store.Store.publish`, which writes them to Parquet one row group at a time. The linker's
input is read part by part (one part in memory at a time).

What the process does hold: the ``documents`` table (one small row per file version), one chunk of one
table, the linker's working set (one group of citations: the linker streams its own spills through DuckDB,
see ``pipeline.linking``) and the ``relations`` table. The link columns are merged into ``citations`` from
the linker's spill, a chunk of documents at a time; a streamed linker's instruments and conflicts are
written from its spills in their published order. (Linked in memory, up to
``pipeline.linking.LINK_IN_MEMORY_MAX_CITATIONS`` citations, the corpus tables are held whole.)
"""
from __future__ import annotations

import contextlib
import copy
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import heap
from pipeline.store import Manifest, Store
from schemas import CORPUS_TABLES, DOC_TABLES, schema, to_table

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

DOCS_PER_CHUNK = 1000  # documents whose rows are sorted together (in memory) when a table is published
DUCKDB_MEMORY_LIMIT = "1GB"  # a ceiling for DuckDB's working memory (a chunk needs far less)
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


def _part_file(store: Store, batch: str, name: str) -> Path:
    return store.parts / batch / f"{name}.parquet"


def owned_parts(store: Store, name: str, by_batch: dict[str, set[str]], columns: list[str] | None = None) -> Iterator[pa.Table]:
    """``name``'s part of each batch in ``by_batch`` (batch -> the doc ids it owns), in batch order, keeping
    only the rows of the documents that batch owns: one part in memory at a time."""
    for b in sorted(by_batch):
        f = _part_file(store, b, name)
        if f.exists():
            t = pq.read_table(f, columns=columns, schema=schema(name))
            yield t.filter(pc.is_in(t["doc_id"], value_set=pa.array(sorted(by_batch[b]), pa.string())))


class Parts:
    """Access to the parts of the current documents, each document read from its owning batch only.

    A batch retried after a crash may hold a document that a later batch holds too; keeping only the
    manifest's (doc_id, batch) pairs keeps every row exactly once.
    """

    def __init__(self, store: Store, manifest: Manifest, con, spill: Path | None = None):
        self.store, self.con = store, con
        self.spill = spill if spill is not None else store.state / "link-spill"  # the linker's spill files
        owner = {e.doc_id: e.batch for e in manifest.files.values() if e.current}
        ids = sorted(owner)
        # documents in doc_id order, DOCS_PER_CHUNK at a time: a sorted table is produced chunk by chunk
        self.n_chunks = -(-len(ids) // DOCS_PER_CHUNK)
        self._owner = pa.table({"doc_id": pa.array(ids, pa.string()),
                                "batch": pa.array([owner[d] for d in ids], pa.string()),
                                "chunk": pa.array([i // DOCS_PER_CHUNK for i in range(len(ids))], pa.int64())})
        con.register("owner", self._owner)
        self.by_batch: dict[str, set[str]] = {}
        for d, b in owner.items():
            self.by_batch.setdefault(b, set()).add(d)

    def on_cursor(self) -> "Parts":
        """The same parts over a new cursor of the connection, for use by another thread (one DuckDB
        connection must not run queries from two threads at once). Close it with ``.con.close()``."""
        other = copy.copy(self)
        other.con = self.con.cursor()
        other.con.register("owner", self._owner)
        return other

    def files(self, name: str) -> list[str]:
        return [str(p) for b in sorted(self.by_batch) if (p := _part_file(self.store, b, name)).exists()]

    def count(self, name: str) -> int:
        """Rows of ``name`` in the owning batches' parts, from the Parquet footers (an upper bound of the
        current documents' rows: a part may still hold a superseded version)."""
        return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files(name))

    def tables(self, name: str, columns: list[str]) -> Iterator[pa.Table]:
        """``columns`` of ``name`` for the current documents, one batch part (whole documents) at a time."""
        return owned_parts(self.store, name, self.by_batch, columns)

    def batches(self, name: str, columns: list[str]) -> pa.RecordBatchReader:
        """``columns`` of ``name`` for the current documents, in part order (batch, then row), streamed:
        one part in memory at a time."""
        target = pa.schema([schema(name).field(c) for c in columns])

        def run() -> Iterator[pa.RecordBatch]:
            for t in owned_parts(self.store, name, self.by_batch, columns):
                yield from t.cast(target).to_batches(max_chunksize=ROWS_PER_BATCH)

        return pa.RecordBatchReader.from_batches(target, run())

    def sorted_stream(self, name: str) -> pa.RecordBatchReader:
        """Every column of ``name`` in its published order, streamed: DuckDB reads the parts once per
        chunk of DOCS_PER_CHUNK documents and sorts that chunk's rows (ties in part order). Lazy: the
        queries run as the stream is drained (one connection runs one query at a time)."""
        target = schema(name)
        files = self.files(name)
        if not files:
            return pa.RecordBatchReader.from_batches(target, iter(()))
        cols = ", ".join(f"p.{_q(c)}" for c in target.names)
        keys = "".join(f"p.{_q(k)} ASC NULLS LAST, " for k in SORT_KEYS.get(name, []))
        source = (f"read_parquet([{', '.join(_lit(f) for f in files)}], filename = true, file_row_number = true, "
                  f"union_by_name = true) p JOIN owner o ON p.doc_id = o.doc_id "
                  f"AND regexp_extract(p.filename, '([^/]+)/[^/]+$', 1) = o.batch")
        return self._by_chunk(target, lambda k: f"SELECT {cols} FROM {source} WHERE o.chunk = {k} "
                                                f"ORDER BY {keys}o.batch, p.file_row_number")

    def sorted_file(self, path: Path, target: pa.Schema, keys: list[str]) -> pa.RecordBatchReader:
        """``target``'s columns of a Parquet file of current documents' rows (e.g. the linker's spill) in
        doc_id order, sorted by ``keys`` a chunk of DOCS_PER_CHUNK documents at a time, like
        :meth:`sorted_stream`. Lazy."""
        cols = ", ".join(f"f.{_q(c)}" for c in target.names)
        order = ", ".join(f"f.{_q(k)} ASC NULLS LAST" for k in keys)

        return self._by_chunk(target, lambda k: f"SELECT {cols} FROM read_parquet({_lit(str(path))}) f JOIN owner o "
                                                f"ON f.doc_id = o.doc_id WHERE o.chunk = {k} ORDER BY {order}")

    def ordered_file(self, path: Path, name: str) -> pa.RecordBatchReader:
        """The rows of table ``name`` spilled to a Parquet file (e.g. the streamed linker's instruments), in
        ``name``'s published order, ties in file order, streamed. Lazy: the query runs on a cursor of its own
        when the stream is first read, and DuckDB sorts out of core under its memory limit."""
        target = schema(name)
        cols = ", ".join(_q(c) for c in target.names)
        keys = "".join(f"{_q(k)} ASC NULLS LAST, " for k in SORT_KEYS.get(name, []))
        sql = f"SELECT {cols} FROM read_parquet({_lit(str(path))}, file_row_number = true) ORDER BY {keys}file_row_number"

        def run() -> Iterator[pa.RecordBatch]:
            cur = self.con.cursor()
            try:
                reader = cur.sql(sql).to_arrow_reader(ROWS_PER_BATCH)
                for b in reader:
                    yield b.cast(target)
                del reader
            finally:
                cur.close()

        return pa.RecordBatchReader.from_batches(target, run())

    def _by_chunk(self, target: pa.Schema, query: Callable[[int], str]) -> pa.RecordBatchReader:
        """The rows of ``query(k)`` for every chunk k of documents, one chunk in memory at a time, as
        ``target``. Lazy: the queries run as the stream is drained."""

        def run() -> Iterator[pa.RecordBatch]:
            for k in range(self.n_chunks):
                t = self.con.sql(query(k)).to_arrow_table()
                yield from t.cast(target).to_batches(max_chunksize=ROWS_PER_BATCH)
                del t

        return pa.RecordBatchReader.from_batches(target, run())


@contextlib.contextmanager
def parts_db(store: Store, manifest: Manifest) -> Iterator[Parts]:
    """A DuckDB connection over the parts, with a memory ceiling and a private spill directory."""
    import duckdb

    tmp = store.state / "duckdb-tmp"
    spill = store.state / "link-spill"
    shutil.rmtree(spill, ignore_errors=True)  # left by a killed run
    spill.mkdir(parents=True)
    con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": str(tmp),
                                 "threads": 2, "preserve_insertion_order": False})
    parts = Parts(store, manifest, con, spill)
    try:
        yield parts
    finally:
        # no DuckDB object may outlive the connection (a traceback keeps frames alive; DuckDB's bindings
        # then report "leaked" objects when the interpreter exits)
        parts.con = None
        con.close()
        del con
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(spill, ignore_errors=True)


def with_links(citations: pa.RecordBatchReader, links: pa.RecordBatchReader | pa.Table) -> pa.RecordBatchReader:
    """The citations stream (sorted by doc_id, mention) with the linker's columns put in.

    ``links``: doc_id, mention and the link columns, one row per citation, in (doc_id, mention) order
    (a table is sorted here; a stream must come sorted, ties in part order). The linker returns one link per
    citation it was given, and it was given exactly these citations, so both line up row for row: no join
    (and no join's memory) is needed. The alignment is checked batch by batch."""
    if isinstance(links, pa.Table):
        links = pa.RecordBatchReader.from_batches(
            links.schema, links.sort_by([("doc_id", "ascending"), ("mention", "ascending")]).to_batches())
    target = citations.schema

    def take(source: Iterator[pa.RecordBatch], pending: list[pa.RecordBatch], n: int) -> pa.Table:
        """The next ``n`` link rows (fewer when the stream ends)."""
        have = sum(b.num_rows for b in pending)
        while have < n:
            nxt = next(source, None)
            if nxt is None:
                break
            pending.append(nxt)
            have += nxt.num_rows
        t = pa.Table.from_batches(pending, schema=links.schema)
        pending[:] = t.slice(n).to_batches()
        return t.slice(0, n)

    def merge() -> Iterator[pa.RecordBatch]:
        at = 0
        source, pending = iter(links), []
        for b in citations:
            part = take(source, pending, b.num_rows)
            at += b.num_rows
            if part.num_rows != b.num_rows or not (part.column("doc_id").equals(pa.chunked_array([b.column("doc_id")]))
                                                   and part.column("mention").equals(pa.chunked_array([b.column("mention")]))):
                raise RuntimeError("internal error: the linker's output does not line up with the citations "
                                   f"(near row {at - b.num_rows}); publication stopped, the next run redoes it")
            cols = [part.column(f.name).combine_chunks().cast(f.type) if f.name in LINK_COLUMNS else b.column(i)
                    for i, f in enumerate(target)]
            yield pa.RecordBatch.from_arrays(cols, schema=target)
        extra = sum(x.num_rows for x in pending) + sum(x.num_rows for x in source)
        if extra:
            raise RuntimeError(f"internal error: {extra} links without a citation; publication stopped, the next run redoes it")

    return pa.RecordBatchReader.from_batches(target, merge())


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
    parts = [t for t in owned_parts(store, "documents", by_batch) if t.num_rows]
    return pa.concat_tables(parts) if parts else to_table("documents", [])


def publish(store: Store, manifest: Manifest, force: bool = False) -> dict[str, int] | None:
    """Rebuild and publish every table unless the last complete publication already covers the manifest.

    Returns the number of rows of each published table (None when nothing needed publishing)."""
    from pipeline.linking import link_batches  # looked up at call time (the benchmark times it)

    fp = manifest.fingerprint()
    if not force and manifest.published == fp and all(store.table_path(n).exists() for n in ("documents", "citations")):
        return None
    store.gc_parts(manifest)
    store.clean_tmp()
    counts: dict[str, int] = {}
    order = [*DOC_TABLES, *CORPUS_TABLES, "failures"]
    # linking builds hundreds of thousands of acyclic records: no cyclic collection while it runs (heap.py)
    with heap.paused(), parts_db(store, manifest) as parts:
        documents = documents_table(store, manifest)
        # The per-document tables that do not need the links are written by a second thread while the
        # linker runs: their work is DuckDB's and Parquet's, outside the GIL, and linking is Python.
        side = parts.on_cursor()
        early = {name: side.sorted_stream(name) for name in DOC_TABLES if name not in ("documents", "citations")}
        tables: dict[str, pa.Table | pa.RecordBatchReader] = {}
        linked = None
        try:
            # (if the linker fails, leaving the block waits for the writer, then raises the linker's error)
            with ThreadPoolExecutor(1, thread_name_prefix="plans-publish") as pool:
                writing = pool.submit(store.publish, early)
                linked = link_batches(parts, documents)
                counts.update(writing.result())
            tables["documents"] = documents
            tables["citations"] = with_links(parts.sorted_stream("citations"), linked.links)
            for name, t in linked.corpus.items():
                tables[name] = t if isinstance(t, pa.RecordBatchReader) else sort_table(name, t)
            tables["failures"] = to_table("failures", sorted(manifest.failures.values(), key=lambda r: r["source_path"]))
            counts.update(store.publish(tables))
        finally:
            for t in [*early.values(), *tables.values(), *([linked.links] if linked is not None else [])]:
                if isinstance(t, pa.RecordBatchReader):
                    t.close()  # a stream not (fully) written releases its query
            tables.clear()
            early.clear()
            side.con.close()
            side.con = None  # no DuckDB object may outlive the connection (a traceback keeps `side` alive)
    counts = {name: counts[name] for name in order if name in counts}
    manifest.published = fp
    store.save_manifest(manifest)
    return counts


__all__ = ["SORT_KEYS", "LINK_COLUMNS", "Parts", "owned_parts", "parts_db", "documents_table", "publish", "sort_table"]
