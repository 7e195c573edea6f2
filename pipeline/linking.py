"""Glue between the Parquet tables and the pure linker (``pipeline.linker``).

``link_tables`` takes the per-document tables of the whole current corpus and
returns the corpus-level tables (instruments, relations, conflicts) plus the
citations table with ``instrument_id``/``link_confidence``/``link_evidence``/``ambiguous`` filled.
"""
from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from pipeline.linker import graph, link, rows_from_tables
from schemas import schema, to_table


def _citation_dicts(citations: pa.Table) -> list[dict[str, Any]]:
    rows = citations.to_pylist()
    for r in rows:
        extra = r.get("extra")
        r["extra"] = json.loads(extra) if isinstance(extra, str) and extra else {}
    return rows


_LINK_COLUMNS = ("instrument_id", "link_confidence", "link_evidence", "ambiguous")


def link_rows(tables: dict[str, pa.Table]):
    """Run the linker over the tables; returns the LinkResult.

    Citations are turned into the linker's rows a record batch at a time, so the whole corpus never
    exists as one Python dict per citation as well (only as the linker's own rows)."""
    docs = [d for d in tables["documents"].to_pylist() if d.get("is_current", True)]
    rows = []
    for batch in tables["citations"].to_batches(max_chunksize=4096):
        rows.extend(rows_from_tables(_citation_dicts(pa.Table.from_batches([batch])), docs))
    rel_by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in tables["relation_mentions"].to_pylist():
        rel_by_doc.setdefault(r["doc_id"], []).append(r)
    return link(rows, rel_by_doc)


def link_tables(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The corpus-level tables, and the citations table with its link columns filled (the other
    columns are kept as they are, in Arrow)."""
    out = link_rows(tables).tables()
    cits = schema("citations")
    table = tables["citations"]
    links = {(r["doc_id"], r["mention"]): r for r in out["citation_links"]}
    hits = [links.get(key) for key in zip(table.column("doc_id").to_pylist(), table.column("mention").to_pylist())]
    for name in _LINK_COLUMNS:
        values = table.column(name).to_pylist() if name in table.column_names else [None] * table.num_rows
        for i, link_row in enumerate(hits):
            if link_row:
                values[i] = link_row[name]
        arr = pa.array(values, type=cits.field(name).type)
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), cits.field(name), arr)
        else:
            table = table.append_column(cits.field(name), arr)
    return {
        "citations": table.select(cits.names).cast(cits),
        "instruments": to_table("instruments", out["instruments"]),
        "relations": to_table("relations", out["relations"]),
        "conflicts": to_table("conflicts", out["conflicts"]),
    }


def corpus_graph(tables: dict[str, pa.Table]):
    """The citation network of the tables as a networkx MultiDiGraph."""
    result = link_rows(tables)
    docs = [d for d in tables["documents"].to_pylist() if d.get("is_current", True)]
    return graph(result, docs)
