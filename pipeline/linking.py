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
from schemas import to_table


def _citation_dicts(citations: pa.Table) -> list[dict[str, Any]]:
    rows = citations.to_pylist()
    for r in rows:
        extra = r.get("extra")
        r["extra"] = json.loads(extra) if isinstance(extra, str) and extra else {}
    return rows


def link_rows(tables: dict[str, pa.Table]):
    """Run the linker over the tables; returns (LinkResult, citation dict rows)."""
    cits = _citation_dicts(tables["citations"])
    docs = [d for d in tables["documents"].to_pylist() if d.get("is_current", True)]
    rows = rows_from_tables(cits, docs)
    rel_by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in tables["relation_mentions"].to_pylist():
        rel_by_doc.setdefault(r["doc_id"], []).append(r)
    return link(rows, rel_by_doc), cits


def link_tables(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    result, cits = link_rows(tables)
    out = result.tables()
    links = {(r["doc_id"], r["mention"]): r for r in out["citation_links"]}
    for c in cits:
        link_row = links.get((c["doc_id"], c["mention"]))
        if link_row:
            c.update({k: link_row[k] for k in ("instrument_id", "link_confidence", "link_evidence", "ambiguous")})
        c["extra"] = json.dumps(c["extra"], ensure_ascii=False, sort_keys=True, default=str) if c["extra"] else None
    return {
        "citations": to_table("citations", cits),
        "instruments": to_table("instruments", out["instruments"]),
        "relations": to_table("relations", out["relations"]),
        "conflicts": to_table("conflicts", out["conflicts"]),
    }


def corpus_graph(tables: dict[str, pa.Table]):
    """The citation network of the tables as a networkx MultiDiGraph."""
    result, _ = link_rows(tables)
    docs = [d for d in tables["documents"].to_pylist() if d.get("is_current", True)]
    return graph(result, docs)
