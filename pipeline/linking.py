"""Glue between the Parquet tables and the pure linker (``pipeline.linker``).

Two ways to run the same linking rules; :func:`link_batches` (publish) picks one by the corpus size:

* :func:`link_result` / :func:`link_in_memory` link rows held in memory, one row object per citation
  (~1.8 KB each): used up to ``LINK_IN_MEMORY_MAX_CITATIONS`` citations, about twice as fast;
* :func:`link_streamed` links the current corpus of a store a group at a time, in memory that does not grow
  with the corpus. Each scope of the rules gets its rows from DuckDB, sorted, and sees one group at a time:

  1. per batch part (whole documents): :func:`pipeline.linker.prepare` (identity of each citation) → each
     full citation to its key's bucket; every citation of a document with short forms or relations also to
     its document's bucket;
  2. by key (ns, issuer, type, number), input order: :func:`pipeline.linker.link_group` → each citation with
     what step 4 reads of it (LINKED_SCHEMA) to its instrument id's bucket, and its result to its document's
     bucket when step 3 will see that document;
  3. by document, input order (only documents with short forms or relations):
     :func:`pipeline.linker.link_shorts` and :func:`pipeline.linker.doc_relations` → each short form
     (LINKED_SCHEMA) to its instrument id's bucket, and the relations;
  4. by instrument id, input order, from the two linked spills (every citation is in exactly one; no join):
     :func:`pipeline.linker.link_instrument` → the instruments, the conflicts and the ``links`` spill (the
     link columns of every citation, merged into ``citations`` by :func:`pipeline.publishing.with_links` a
     chunk of documents at a time).

  Rows are routed to their bucket by Python as they are written (``_Buckets``: one set of Parquet files
  per bucket, ``LINK_ROWS_PER_BUCKET`` rows per bucket on average, at most ``LINK_BUCKET_BUFFER_ROWS`` rows
  waiting in memory), so each query reads and sorts one bucket only (a group never straddles two buckets)
  and the whole linking reads each spill once: linear in the corpus. (Filtering the whole spill once per
  bucket was quadratic; a hash join of each bucket against the whole spill made each query's memory grow
  with the corpus.)

  What stays in memory: the current documents' province and date (one small entry per document), the ids
  of the documents with short forms or relations, the ``relation_mentions`` rows and the relations, the
  symbols of the instruments the relations name, and one group of rows. The instruments and conflicts go
  to spills as they are made (held as objects, ~2 KB per instrument, they were the streamed linker's main
  growth with the corpus) and are read back in their published order by
  :meth:`pipeline.publishing.Parts.ordered_file`. The spills live under ``Parts.spill`` and go with the
  connection.
"""
from __future__ import annotations

import itertools
import operator
import zlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.linker import (
    GROUP_FIELDS,
    IDENT_FIELDS,
    INSTRUMENT_FIELDS,
    CitationLink,
    CitationRow,
    Instrument,
    LinkItem,
    LinkResult,
    RelationRow,
    citation_link,
    doc_relations,
    graph,
    group_key,
    ident_from,
    link,
    link_group,
    link_instrument,
    link_shorts,
    prepare,
    rows_from_columns,
    with_symbols,
)
from schemas import schema, to_table

if TYPE_CHECKING:
    from pipeline.publishing import Parts


# Citation columns the linker reads (pipeline.linker.CitationRow); the others (extra, section, the link
# columns) are not read from the parts at all.
LINKER_COLUMNS = ("doc_id", "mention", "symbol", "instrument_type", "cited_as", "type_mismatch", "number", "type_code",
                  "issuer_code", "year", "system", "kind", "name", "date_cited", "issuer_named", "subject", "text",
                  "char_start", "char_end", "in_footnote")

ROWS_PER_FETCH = 8192  # rows per record batch read back from DuckDB (the Python side holds one batch + one group)
# Rows sorted together by one query: each step splits the rows into hash buckets of about this size (by
# key, document or instrument id, so a group never straddles two) and sorts one bucket at a time. DuckDB's
# own spilling is not relied on: under a tight memory limit its sorts and joins fail rather than spill.
LINK_ROWS_PER_BUCKET = 16_384
# Rows waiting in memory, over all buckets, before each bucket's rows are written out (pipeline.linking._Buckets)
LINK_BUCKET_BUFFER_ROWS = 65_536
# Up to this many citations (about 2 500 plans) the corpus is linked in memory: one row object per citation,
# ~1.8 KB each, so at most ~270 MB, and ~2x faster than streaming. Beyond it, the streamed linker's memory
# stays level whatever the corpus size.
LINK_IN_MEMORY_MAX_CITATIONS = 150_000


# ---------------------------------------------------------------------------
# Spilled rows: one Parquet row per citation with everything the linker's functions read
# ---------------------------------------------------------------------------
def _arrow_type(annotation: str) -> pa.DataType:
    for word, t in (("bool", pa.bool_()), ("int", pa.int64()), ("float", pa.float64()), ("str", pa.string())):
        if word in annotation:
            return t
    raise TypeError(f"no Arrow type for {annotation!r}")


# CitationRow fields except ``extra`` (the linker never reads it), then the LinkItem's own, then the identity's
ROW_FIELDS = tuple(f.name for f in fields(CitationRow) if f.name != "extra")
ROWS_SCHEMA = pa.schema(
    [("seq", pa.int64()), ("lmention", pa.int64()), ("fsubject", pa.string())]
    + [(f.name, _arrow_type(str(f.type))) for f in fields(CitationRow) if f.name != "extra"]
    + [("i_" + name, _arrow_type(t)) for name, t in IDENT_FIELDS]
)
_IDENT_COLS = [f.name for f in ROWS_SCHEMA if f.name.startswith("i_")]
# A citation's result (LinkItem.iid, conf, evid, amb), by seq
RESULTS_SCHEMA = pa.schema([("seq", pa.int64()), ("iid", pa.string()), ("conf", pa.float64()), ("evid", pa.string()),
                            ("amb", pa.bool_())])
_RESULT_COLS = RESULTS_SCHEMA.names[1:]
# What the last step reads of each citation, written by the steps that link it (full citations by key, short
# forms by document): its INSTRUMENT_FIELDS, its identity and its result, so the last step joins nothing.
_TWO_STEP_FIELDS = (*INSTRUMENT_FIELDS, *(f for f in GROUP_FIELDS if f not in INSTRUMENT_FIELDS))
LINKED_SCHEMA = pa.schema(
    [ROWS_SCHEMA.field(n) for n in ("seq", "lmention", "fsubject", *INSTRUMENT_FIELDS, *_IDENT_COLS)]
    + [RESULTS_SCHEMA.field(n) for n in _RESULT_COLS]
)
LINKS_SCHEMA = pa.schema([("seq", pa.int64()), ("doc_id", pa.string()), ("mention", pa.int64()),
                          ("instrument_id", pa.string()), ("link_confidence", pa.float64()),
                          ("link_evidence", pa.string()), ("ambiguous", pa.bool_())])


def _rows_columns(items: list[LinkItem], row_fields: Sequence[str] = ROW_FIELDS) -> dict[str, list[Any]]:
    """Column lists of ``items``: seq, mention, subject, ``row_fields`` of each row, then the identity."""
    cols: dict[str, list[Any]] = {"seq": [it.seq for it in items], "lmention": [it.mention for it in items],
                                  "fsubject": [it.subject for it in items]}
    for f in row_fields:
        cols[f] = [getattr(it.row, f) for it in items]
    cols.update(_ident_columns(items))
    return cols


def _ident_columns(items: list[LinkItem]) -> dict[str, list[Any]]:
    return {"i_" + name: [getattr(it.ident, name) if it.ident is not None else None for it in items]
            for name, _ in IDENT_FIELDS}


def _result_columns(items: list[LinkItem]) -> dict[str, list[Any]]:
    return {"seq": [it.seq for it in items], "iid": [it.iid for it in items], "conf": [it.conf for it in items],
            "evid": [it.evid for it in items], "amb": [it.amb for it in items]}


def _linked_columns(items: list[LinkItem]) -> dict[str, list[Any]]:
    """LINKED_SCHEMA's column lists: what step 4 reads of each citation, with its result."""
    return {**_rows_columns(items, INSTRUMENT_FIELDS), **_result_columns(items)}


def _groups(con: Any, source: str, row_fields: Sequence[str], key: Sequence[str], results: bool) -> Iterator[list[LinkItem]]:
    """LinkItems from ``source`` (a FROM clause with the columns of ROWS_SCHEMA, and the results columns when
    ``results``), sorted by ``key`` then input order, one group of rows with equal ``key`` at a time. Only
    ``row_fields`` of each CitationRow are read (the others keep their defaults): the step's own fields."""
    cols = ["seq", "lmention", "fsubject", *row_fields, *_IDENT_COLS, *(_RESULT_COLS if results else ())]
    sql = f"SELECT {', '.join(cols)} FROM {source} ORDER BY {', '.join(key)}, seq"
    reader = con.sql(sql).to_arrow_reader(ROWS_PER_FETCH)
    at = [cols.index(k) for k in key]
    r0, i0, x0 = 3, 3 + len(row_fields), 3 + len(row_fields) + len(_IDENT_COLS)

    def item(v: tuple[Any, ...]) -> LinkItem:
        row = CitationRow(**dict(zip(row_fields, v[r0:i0])))
        ident = ident_from(*v[i0:x0]) if v[i0] is not None else None
        it = LinkItem(row, v[0], v[1], v[2], ident)
        if results and v[x0] is not None:
            it.iid, it.conf, it.evid, it.amb = v[x0:x0 + 4]
        return it

    def rows() -> Iterator[tuple[Any, ...]]:
        for b in reader:
            yield from zip(*(c.to_pylist() for c in b.columns))

    for _, group in itertools.groupby(rows(), key=operator.itemgetter(*at)):
        yield [item(v) for v in group]


class _Spill:
    """A Parquet file written from column lists (or row dicts), ROWS_PER_FETCH rows at a time (always
    written, even when empty): groups are small, and one Arrow table per group would cost more than the
    linking."""

    def __init__(self, path: Path, schema_: pa.Schema):
        self.path, self.schema = path, schema_
        self.writer = pq.ParquetWriter(path, schema_, compression="lz4")
        self.rows = 0
        self.buf: dict[str, list[Any]] = {n: [] for n in schema_.names}

    def _waiting(self) -> int:
        return len(self.buf[self.schema.names[0]])

    def add(self, cols: Mapping[str, list[Any]]) -> None:
        for n, values in cols.items():
            self.buf[n].extend(values)
        if self._waiting() >= ROWS_PER_FETCH:
            self.flush()

    def add_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Row dicts (unknown keys ignored, missing ones null, as ``schemas.to_table``)."""
        if rows:
            self.add({n: [r.get(n) for r in rows] for n in self.schema.names})

    def flush(self) -> None:
        n = self._waiting()
        if n:
            self.writer.write_table(pa.table(self.buf, schema=self.schema))
            self.rows += n
            self.buf = {k: [] for k in self.schema.names}

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


# ---------------------------------------------------------------------------
# The two entry points
# ---------------------------------------------------------------------------
def _current_docs(documents: pa.Table) -> dict[str, dict[str, Any]]:
    cols = [c for c in ("doc_id", "province", "issue_date", "is_current") if c in documents.column_names]
    return {d["doc_id"]: d for d in documents.select(cols).to_pylist() if d.get("is_current", True)}


def _relations_by_doc(relation_mentions: pa.Table) -> dict[str, list[dict[str, Any]]]:
    rel_by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in relation_mentions.to_pylist():
        rel_by_doc.setdefault(r["doc_id"], []).append(r)
    return rel_by_doc


def _citation_columns(batch: pa.RecordBatch, pool: dict[str, str]) -> dict[str, list[Any]]:
    """A record batch's columns as lists; equal strings (doc ids, symbols, issuers, subjects ...) are one
    shared object across the corpus, so the linker's rows cost little more than their distinct values."""
    cols: dict[str, list[Any]] = {}
    for n in batch.schema.names:
        if n == "extra":
            continue
        values = batch.column(n).to_pylist()
        if pa.types.is_string(batch.schema.field(n).type) and n != "text":
            values = [pool.setdefault(v, v) if v is not None else None for v in values]
        cols[n] = values
    return cols


def link_result(citations: Iterable[pa.RecordBatch], documents: pa.Table, relation_mentions: pa.Table) -> LinkResult:
    """Run the linker in memory: one Python row per citation (~1.8 KB, strings shared), made a record
    batch at a time."""
    docs = _current_docs(documents)
    rows: list[CitationRow] = []
    pool: dict[str, str] = {}
    for batch in citations:
        rows.extend(rows_from_columns(_citation_columns(batch, pool), docs))
    del pool
    return link(rows, _relations_by_doc(relation_mentions))


@dataclass
class Linked:
    links: pa.RecordBatchReader  # doc_id, mention and the link columns of every citation, in (doc_id, mention) order
    corpus: dict[str, pa.Table | pa.RecordBatchReader]  # instruments, relations, conflicts (tables unsorted; streams in published order)
    groups: dict[str, int]  # groups processed by each step (keys, documents, instruments)


def link_batches(parts: "Parts", documents: pa.Table) -> Linked:
    """Link the current corpus of ``parts``: in memory up to LINK_IN_MEMORY_MAX_CITATIONS citations (the
    faster way), else a group at a time through spills (memory that no longer grows with the corpus). Both
    run the same rule functions and publish the same tables (tests/test_linker_streaming.py)."""
    if parts.count("citations") <= LINK_IN_MEMORY_MAX_CITATIONS:
        return link_in_memory(parts, documents)
    return link_streamed(parts, documents)


def _link_schema() -> pa.Schema:
    cits = schema("citations")
    return pa.schema([pa.field("doc_id", pa.string()), pa.field("mention", pa.int64())]
                     + [cits.field(c) for c in ("instrument_id", "link_confidence", "link_evidence", "ambiguous")])


def link_in_memory(parts: "Parts", documents: pa.Table) -> Linked:
    """:func:`link_result` over the current corpus of ``parts``, as a :class:`Linked`."""
    rel = parts.batches("relation_mentions", schema("relation_mentions").names).read_all()
    result = link_result(parts.batches("citations", list(LINKER_COLUMNS)), documents, rel)
    ls = result.citation_links
    target = _link_schema()
    links = pa.table({
        "doc_id": pa.array([l.doc_id for l in ls], pa.string()),
        "mention": pa.array([l.mention for l in ls], pa.int64()),
        "instrument_id": pa.array([l.instrument_id for l in ls], target.field("instrument_id").type),
        "link_confidence": pa.array([l.confidence for l in ls], target.field("link_confidence").type),
        "link_evidence": pa.array([l.evidence for l in ls], target.field("link_evidence").type),
        "ambiguous": pa.array([l.ambiguous for l in ls], target.field("ambiguous").type),
    }, schema=target).sort_by([("doc_id", "ascending"), ("mention", "ascending")])
    out = result.tables(links=False)
    return Linked(pa.RecordBatchReader.from_batches(target, links.to_batches()),
                  {name: to_table(name, out[name]) for name in ("instruments", "relations", "conflicts")},
                  {"buckets": 0, "keys": 0, "documents": 0, "instruments": len(result.instruments)})


def _bucket_of(value: str, n: int) -> int:
    """A stable bucket number for a key string (the same in every process and run)."""
    return zlib.crc32(value.encode("utf-8", "surrogatepass")) % n


def _key_string(ident: Any) -> str:
    return "\x1f".join("" if v is None else str(v) for v in group_key(ident))


class _Buckets:
    """Rows routed to one set of Parquet files per bucket (``dir/<bucket>-<flush>.parquet``), so that each
    step's query reads one bucket's rows only (reading the whole spill once per bucket made the streamed
    linker quadratic). At most ``LINK_BUCKET_BUFFER_ROWS`` rows wait in memory over all buckets; past that,
    each bucket's waiting rows are written as one file, so memory does not grow with the number of buckets."""

    def __init__(self, directory: Path, schema_: pa.Schema):
        directory.mkdir(parents=True, exist_ok=True)
        self.dir, self.schema = directory, schema_
        self.buf: dict[str, list[Any]] = {name: [] for name in schema_.names}  # rows not yet routed
        self.bbuf: list[int] = []  # their buckets
        self.pending: dict[int, list[pa.Table]] = {}  # routed rows waiting to be written, by bucket
        self.waiting = self.flushes = 0
        self.written: dict[int, list[Path]] = {}  # bucket -> its files

    def add(self, buckets: list[int], cols: Mapping[str, list[Any]]) -> None:
        """Rows given as column lists, with their buckets (groups are small: rows are converted to Arrow
        ROWS_PER_FETCH at a time)."""
        for name, values in cols.items():
            self.buf[name].extend(values)
        self.bbuf.extend(buckets)
        if len(self.bbuf) >= ROWS_PER_FETCH:
            self._route()
            if self.waiting >= LINK_BUCKET_BUFFER_ROWS:
                self.flush()

    def _route(self) -> None:
        """Sort the rows not yet routed into their buckets' waiting lists."""
        if not self.bbuf:
            return
        t = pa.table(self.buf, schema=self.schema)
        b = np.asarray(self.bbuf, dtype=np.int64)
        order = np.argsort(b, kind="stable")
        t, sb = t.take(pa.array(order)), b[order]
        cuts = [0, *(np.flatnonzero(np.diff(sb)) + 1).tolist(), len(sb)]
        for i, j in zip(cuts, cuts[1:]):
            self.pending.setdefault(int(sb[i]), []).append(t.slice(i, j - i))
        self.waiting += len(sb)
        self.buf, self.bbuf = {name: [] for name in self.schema.names}, []

    def flush(self) -> None:
        """Write every bucket's waiting rows as one more file of that bucket."""
        self._route()
        for b, ts in self.pending.items():
            path = self.dir / f"{b:05d}-{self.flushes:05d}.parquet"
            pq.write_table(pa.concat_tables(ts), path, compression="lz4")
            self.written.setdefault(b, []).append(path)
        self.flushes += 1
        self.pending, self.waiting = {}, 0

    close = flush

    def source(self, b: int) -> str | None:
        """A DuckDB FROM item reading bucket ``b`` (None when it is empty). Files are named, not globbed: a
        glob fails in a folder whose path holds glob characters ("[", "?")."""
        if b not in self.written:
            return None
        return f"read_parquet([{', '.join(_lit(p) for p in self.written[b])}])"


def link_streamed(parts: "Parts", documents: pa.Table) -> Linked:
    """Link the current corpus of ``parts`` a group at a time (see the module docstring). The link columns
    come back as a lazy stream over the ``links`` spill (valid while the connection is open)."""
    con, spill = parts.con, parts.spill
    docs = _current_docs(documents)
    n = max(1, -(-parts.count("citations") // LINK_ROWS_PER_BUCKET))
    counts = {"buckets": n, "keys": 0, "documents": 0, "instruments": 0}
    rel_by_doc = _relations_by_doc(parts.batches("relation_mentions", schema("relation_mentions").names).read_all())

    # 1. identities, a batch part (whole documents) at a time. Full citations go to their key's bucket;
    # every citation of a document with short forms or relations also goes to its document's bucket
    by_key = _Buckets(spill / "key", ROWS_SCHEMA)
    by_doc = _Buckets(spill / "doc", ROWS_SCHEMA)
    step3_docs: set[str] = set()  # documents with short forms or relations (one entry each)
    seq = 0
    for t in parts.tables("citations", list(LINKER_COLUMNS)):
        items = prepare(rows_from_columns(t.to_pydict(), docs), seq)
        seq += len(items)
        full = [it for it in items if it.ident is not None]
        by_key.add([_bucket_of(_key_string(it.ident), n) for it in full], _rows_columns(full))
        these = {it.row.doc_id for it in items if it.row.kind == "short" or it.row.doc_id in rel_by_doc}
        step3_docs |= these
        mine = [it for it in items if it.row.doc_id in these]
        by_doc.add([_bucket_of(it.row.doc_id, n) for it in mine], _rows_columns(mine))
        del items, full, mine
    by_key.close()
    by_doc.close()

    # 2. full citations, one key at a time, in input order → each one's result by instrument id (step 4)
    # and, for step 3's documents, by document
    key = ["i_ns", "i_issuer", "i_type", "i_num"]
    linked_full = _Buckets(spill / "linked-full", LINKED_SCHEMA)
    results = _Buckets(spill / "results", RESULTS_SCHEMA)
    for b in range(n):
        if (src := by_key.source(b)) is None:
            continue
        for members in _groups(con, f"{src} s", _TWO_STEP_FIELDS, key, False):
            link_group(group_key(members[0].ident), members)
            linked_full.add([_bucket_of(it.iid or "?", n) for it in members], _linked_columns(members))
            mine = [it for it in members if it.row.doc_id in step3_docs]
            results.add([_bucket_of(it.row.doc_id, n) for it in mine], _result_columns(mine))
            counts["keys"] += 1
    linked_full.close()
    results.close()

    # 3. short forms and relations, one document at a time (only documents that have either)
    linked_short = _Buckets(spill / "linked-short", LINKED_SCHEMA)
    rel_rows: list[RelationRow] = []
    for b in range(n):
        if (src := by_doc.source(b)) is None:
            continue
        res = results.source(b) or _empty_sql(RESULTS_SCHEMA)
        source = f"(SELECT r.*, f.iid, f.conf, f.evid, f.amb FROM {src} r LEFT JOIN {res} f USING (seq)) s"
        for doc_items in _groups(con, source, ROW_FIELDS, ["doc_id"], True):
            link_shorts(doc_items)
            shorts = [it for it in doc_items if it.row.kind == "short"]
            linked_short.add([_bucket_of(it.iid or "?", n) for it in shorts], _linked_columns(shorts))
            doc_id = doc_items[0].row.doc_id
            if doc_id in rel_by_doc:
                rel_rows.extend(doc_relations(doc_id, rel_by_doc[doc_id], doc_items))
            counts["documents"] += 1
    linked_short.close()

    # 4. instruments and conflicts, one instrument id at a time, from the two linked spills (every citation
    # is in exactly one of them, with all this step reads: no join); the link columns of each citation.
    # Instruments and conflicts go to spills too (one Python object per instrument would grow with the
    # corpus, ~2 KB each); only the symbols of the instruments the relations name stay in memory
    links_f = _Spill(spill / "links.parquet", LINKS_SCHEMA)
    instruments_f = _Spill(spill / "instruments.parquet", schema("instruments"))
    conflicts_f = _Spill(spill / "conflicts.parquet", schema("conflicts"))
    named = {r.source_instrument_id for r in rel_rows} | {r.target_instrument_id for r in rel_rows}
    symbol_of: dict[str, str | None] = {}
    try:
        for b in range(n):
            srcs = [x for x in (linked_full.source(b), linked_short.source(b)) if x is not None]
            if not srcs:
                continue
            union = " UNION ALL ".join(f"SELECT * FROM {x}" for x in srcs)
            source = f"(SELECT * REPLACE (COALESCE(iid, '?') AS iid) FROM ({union})) s"
            for members in _groups(con, source, INSTRUMENT_FIELDS, ["iid"], True):
                ins, cons = link_instrument(members[0].iid, members)
                rows = LinkResult([ins], [], cons, []).tables(links=False)
                instruments_f.add_rows(rows["instruments"])
                conflicts_f.add_rows(rows["conflicts"])
                if ins.instrument_id in named:
                    symbol_of[ins.instrument_id] = ins.symbol
                ls = [citation_link(it) for it in members]
                links_f.add({"seq": [it.seq for it in members], "doc_id": [l.doc_id for l in ls],
                             "mention": [l.mention for l in ls], "instrument_id": [l.instrument_id for l in ls],
                             "link_confidence": [l.confidence for l in ls], "link_evidence": [l.evidence for l in ls],
                             "ambiguous": [l.ambiguous for l in ls]})
                counts["instruments"] += 1
    finally:
        links_f.close()
        instruments_f.close()
        conflicts_f.close()
    if links_f.rows != seq:
        raise RuntimeError(f"internal error: {seq} citations but {links_f.rows} links; publication stopped, "
                           "the next run redoes it")

    relations = LinkResult([], [], [], with_symbols(rel_rows, symbol_of)).tables(links=False)["relations"]
    links = parts.sorted_file(links_f.path, _link_schema(), ["doc_id", "mention", "seq"])
    return Linked(links, {"instruments": parts.ordered_file(instruments_f.path, "instruments"),
                          "relations": to_table("relations", relations),
                          "conflicts": parts.ordered_file(conflicts_f.path, "conflicts")}, counts)


def _empty_sql(schema_: pa.Schema) -> str:
    """A FROM-able SELECT with ``schema_``'s columns and no row."""
    types = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN"}
    return "(SELECT " + ", ".join(f"NULL::{types[f.type]} AS {f.name}" for f in schema_) + " WHERE false)"


def published_result(tables: dict[str, pa.Table]) -> LinkResult:
    """The linker's result as published (``instruments``, the link columns of ``citations``, ``relations``):
    what a run computed, read back without linking again."""
    ins = [Instrument(**r) for r in tables["instruments"].select(schema("instruments").names).to_pylist()]
    cols = ["doc_id", "mention", "symbol", "char_start", "char_end", "instrument_id", "link_confidence",
            "link_evidence", "ambiguous"]
    links = [CitationLink(r["doc_id"], r["mention"], r["symbol"], r["char_start"], r["char_end"], r["instrument_id"],
                          r["link_confidence"], r["link_evidence"], r["ambiguous"])
             for r in tables["citations"].select(cols).to_pylist() if r["instrument_id"] is not None]
    rels = [RelationRow(**r) for r in tables["relations"].select(schema("relations").names).to_pylist()]
    return LinkResult(instruments=ins, citation_links=links, relations=rels)


def corpus_graph(tables: dict[str, pa.Table]):
    """The citation network of the published tables (documents, instruments, citations, relations) as a
    networkx MultiDiGraph."""
    docs = [d for d in tables["documents"].to_pylist() if d.get("is_current", True)]
    return graph(published_result(tables), docs)
