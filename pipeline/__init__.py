"""plans pipeline: readers, normalization, structure, linking, storage, queries.

The notebook-facing API is loaded lazily so that importing ``pipeline.document``
(which the extractors do) stays cheap and free of cycles::

    import pipeline
    pipeline.sql("outputs", "SELECT * FROM instruments LIMIT 5")
    pipeline.cites("outputs", "59-nq/tw")
    pipeline.chain("outputs", "7868/KH-UBND")
    pipeline.cocited("outputs", "169/NQ-CP")
    pipeline.read_document("corpus/quang-nam-2025-ke-hoach-doi-ngoai.pdf")
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "read_document": "pipeline.readers",
    "sql": "pipeline.query",
    "connect": "pipeline.query",
    "cites": "pipeline.query",
    "chain": "pipeline.query",
    "cocited": "pipeline.query",
    "find_symbol": "pipeline.query",
    "compare": "pipeline.report",
    "evaluate": "pipeline.evaluate",
}


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    return getattr(import_module(mod), name)


__all__ = sorted(_LAZY)
