"""Run every extractor over one Document and shape the results as table rows.

Pure: takes a Document, returns ``{table_name: [row dict, ...]}`` plus the raw
relation records the linker needs.  No I/O, no Prefect.
"""
from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Callable, Optional

from extractors.dates import extract_dates
from extractors.instruments import extract_citations
from extractors.localities import extract_localities
from extractors.records import Citation, Relation
from extractors.relations import extract_relations
from extractors.targets import extract_targets, target_category
from pipeline.document import Document


@dataclass
class Extraction:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _row(record: Any) -> dict[str, Any]:
    """A record's fields as a row (shallow: ``dataclasses.asdict`` deep-copies every value, a third of
    the extraction time on a plan)."""
    names = _field_names(type(record))
    d = getattr(record, "__dict__", None)
    if d is not None and len(d) == len(names) and tuple(d) == names:
        return d.copy()  # the instance dict holds exactly the fields, in order (plain records)
    return {name: getattr(record, name) for name in names}


def _section_id(doc: Document, offset: int) -> str | None:
    s = doc.section_at(offset)
    return s.id if s is not None else None


def _section_lookup(doc: Document) -> Callable[[int], Optional[str]]:
    """``offset -> _section_id(doc, offset)`` for many offsets of one document.

    ``Document.section_at`` scans every section starting before the offset (a third of a second per
    100 plans).  Its answer depends only on the set of sections containing the body offset, which is
    constant between consecutive section boundaries, so it is computed once per boundary interval:
    of the sections holding the position, the deepest, and of those the one that comes last in
    ``section_at``'s start order (a stable sort on ``char_start``).
    """
    secs = doc.sections
    if not secs:
        return lambda offset: None
    order = sorted(range(len(secs)), key=lambda i: secs[i].char_start)
    rank = {i: r for r, i in enumerate(order)}
    points = sorted({s.char_start for s in secs} | {s.char_end for s in secs})
    by_start: dict[int, list[int]] = {}
    by_end: dict[int, list[int]] = {}
    for i, s in enumerate(secs):
        if s.char_start < s.char_end:  # an empty extent holds no offset
            by_start.setdefault(s.char_start, []).append(i)
            by_end.setdefault(s.char_end, []).append(i)
    active: set[int] = set()
    ids: list[Optional[str]] = []  # ids[k]: section of the interval [points[k], points[k + 1])
    for p in points:
        active.difference_update(by_end.get(p, ()))
        active.update(by_start.get(p, ()))
        if active:
            best = max(active, key=lambda i: (secs[i].level, rank[i]))
            ids.append(secs[best].id)
        else:
            ids.append(None)

    def lookup(offset: int) -> Optional[str]:
        k = bisect.bisect_right(points, doc.body_offset(offset)) - 1
        return ids[k] if k >= 0 else None

    return lookup


def _doc_year(doc: Document) -> int | None:
    d = doc.header.issue_date
    if d and d[:4].isdigit():
        return int(d[:4])
    return None


def extract_document(doc: Document) -> Extraction:
    text = doc.text
    year = _doc_year(doc)
    section_id = _section_lookup(doc)
    out = Extraction()

    cits = extract_citations(text)
    rows = []
    for i, c in enumerate(cits):
        c.section = section_id(c.char_start)
        r = _row(c)
        r["extra"] = json.dumps(c.extra, ensure_ascii=False, sort_keys=True, default=str) if c.extra else None
        r.update(doc_id=doc.doc_id, mention=i, in_footnote=c.char_start >= doc.body_end)
        rows.append(r)
    out.citations = cits
    out.rows["citations"] = rows
    out.relations = extract_relations(text, cits)

    out.rows["localities"] = [
        {**_row(loc), "doc_id": doc.doc_id, "section": section_id(loc.char_start)}
        for loc in extract_localities(text)
    ]
    dates = extract_dates(text, doc_year=year)
    out.rows["dates"] = [
        {**_row(d), "doc_id": doc.doc_id, "section": section_id(d.char_start)} for d in dates
    ]
    out.rows["targets"] = [
        {**_row(t), "doc_id": doc.doc_id, "section": section_id(t.char_start), "category": target_category(t.unit)}
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
