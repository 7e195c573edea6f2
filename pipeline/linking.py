"""Glue between the Parquet tables and the pure linker (``pipeline.linker``).

``link_batches`` takes the citations of the whole current corpus as a stream of Arrow record batches
(plus the ``documents`` and ``relation_mentions`` tables) and returns the corpus-level tables
(instruments, relations, conflicts) and the link columns of each citation
(``instrument_id``/``link_confidence``/``link_evidence``/``ambiguous``, keyed by doc_id + mention).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import pyarrow as pa

from pipeline.linker import CitationLink, Instrument, LinkResult, RelationRow, graph, link, rows_from_tables
from schemas import schema, to_table


# Citation columns the linker reads (pipeline.linker.CitationRow); the others (extra, section, the link
# columns) are not read from the parts at all.
LINKER_COLUMNS = ("doc_id", "mention", "symbol", "instrument_type", "cited_as", "type_mismatch", "number", "type_code",
                  "issuer_code", "year", "system", "kind", "name", "date_cited", "issuer_named", "subject", "text",
                  "char_start", "char_end", "in_footnote")


def _citation_dicts(batch: pa.RecordBatch, pool: dict[str, str]) -> list[dict[str, Any]]:
    """Rows of a record batch as dicts; equal strings (doc ids, symbols, issuers, subjects ...) are one
    shared object across the corpus, so the linker's rows cost little more than their distinct values."""
    names = [n for n in batch.schema.names if n != "extra"]
    cols = []
    for n in names:
        values = batch.column(n).to_pylist()
        if pa.types.is_string(batch.schema.field(n).type) and n != "text":
            values = [pool.setdefault(v, v) if v is not None else None for v in values]
        cols.append(values)
    return [dict(zip(names, row)) for row in zip(*cols)]


@dataclass
class Linked:
    links: pa.Table  # doc_id, mention and the link columns of every linked citation
    corpus: dict[str, pa.Table]  # instruments, relations, conflicts (unsorted)


def link_result(citations: Iterable[pa.RecordBatch], documents: pa.Table, relation_mentions: pa.Table) -> LinkResult:
    """Run the linker. Citations become the linker's rows a record batch at a time, so the corpus never
    exists as one Python dict per citation as well as the linker's own rows."""
    docs = [d for d in documents.to_pylist() if d.get("is_current", True)]
    rows = []
    pool: dict[str, str] = {}
    for batch in citations:
        rows.extend(rows_from_tables(_citation_dicts(batch, pool), docs))
    del pool
    rel_by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in relation_mentions.to_pylist():
        rel_by_doc.setdefault(r["doc_id"], []).append(r)
    return link(rows, rel_by_doc)


def link_batches(citations: Iterable[pa.RecordBatch], documents: pa.Table, relation_mentions: pa.Table) -> Linked:
    """The corpus-level tables and the link columns of the citations."""
    result = link_result(citations, documents, relation_mentions)
    cits = schema("citations")
    ls = result.citation_links
    links = pa.table({
        "doc_id": pa.array([l.doc_id for l in ls], pa.string()),
        "mention": pa.array([l.mention for l in ls], pa.int64()),
        "instrument_id": pa.array([l.instrument_id for l in ls], cits.field("instrument_id").type),
        "link_confidence": pa.array([l.confidence for l in ls], cits.field("link_confidence").type),
        "link_evidence": pa.array([l.evidence for l in ls], cits.field("link_evidence").type),
        "ambiguous": pa.array([l.ambiguous for l in ls], cits.field("ambiguous").type),
    })
    out = result.tables(links=False)
    return Linked(links, {name: to_table(name, out[name]) for name in ("instruments", "relations", "conflicts")})


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
