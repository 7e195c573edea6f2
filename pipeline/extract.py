"""Run every extractor over one Document and shape the results as table rows.

Pure: takes a Document, returns ``{table_name: [row dict, ...]}`` plus the raw
relation records the linker needs.  No I/O, no Prefect.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from extractors.dates import extract_dates
from extractors.instruments import extract_citations
from extractors.localities import extract_localities
from extractors.records import Citation, Relation, as_row
from extractors.relations import extract_relations
from extractors.targets import extract_targets, target_category
from pipeline.document import Document


@dataclass
class Extraction:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def _section_id(doc: Document, offset: int) -> str | None:
    s = doc.section_at(offset)
    return s.id if s is not None else None


def extract_document(doc: Document) -> Extraction:
    text = doc.text
    year = doc.header.year
    out = Extraction()

    cits = extract_citations(text)
    rows = []
    for i, c in enumerate(cits):
        c.section = _section_id(doc, c.char_start)
        r = as_row(c)
        r["extra"] = json.dumps(c.extra, ensure_ascii=False, sort_keys=True, default=str) if c.extra else None
        r.update(doc_id=doc.doc_id, mention=i, in_footnote=c.char_start >= doc.body_end)
        rows.append(r)
    out.citations = cits
    out.rows["citations"] = rows
    out.relations = extract_relations(text, cits)

    out.rows["localities"] = [
        {**as_row(loc), "doc_id": doc.doc_id, "section": _section_id(doc, loc.char_start)}
        for loc in extract_localities(text)
    ]
    dates = extract_dates(text, doc_year=year)
    out.rows["dates"] = [
        {**as_row(d), "doc_id": doc.doc_id, "section": _section_id(doc, d.char_start)} for d in dates
    ]
    out.rows["targets"] = [
        {**as_row(t), "doc_id": doc.doc_id, "section": _section_id(doc, t.char_start), "category": target_category(t.unit)}
        for t in extract_targets(text, doc_year=year, dates=dates)
    ]
    return out


def structure_rows(doc: Document) -> dict[str, list[dict[str, Any]]]:
    """Rows of the structural tables (sections, footnotes, pages) for one document."""
    sections = [
        {
            "doc_id": doc.doc_id, "section_id": s.id, "label": s.label, "level": s.level, "title": s.title,
            "parent": s.parent, "char_start": s.char_start, "char_end": s.char_end,
        }
        for s in doc.sections
    ]
    footnotes = [
        {
            "doc_id": doc.doc_id, "label": f.label, "text": f.text, "anchor": f.anchor,
            "section": _section_id(doc, f.anchor) if f.anchor is not None else None,
            "char_start": f.char_start, "char_end": f.char_end,
        }
        for f in doc.footnotes
    ]
    return {"sections": sections, "footnotes": footnotes, "pages": page_rows(doc)}


def page_rows(doc: Document) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": doc.doc_id, "page": p.number, "method": p.method, "confidence": p.confidence,
            "n_chars": p.char_end - p.char_start,
        }
        for p in doc.pages
    ]
