"""The version of the code and data that turn a file into its rows (read, structure, extract, table rows).

Every manifest entry records the version its rows were made with; a file whose rows were made by other code is
read again at the next run, so an upgrade of the extractors (or of their gazetteers and tables) never leaves
old rows beside new ones. The version is a hash of the files themselves, so no one has to remember to bump
it: any change to them (a comment included) re-reads the corpus once. Linking is not part of it: it is
recomputed over the whole corpus at every publication.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What decides a file's rows, relative to the repository (the installed packages).
_SOURCES = (
    "extractors",  # extractors and their data files
    "pipeline/readers",
    "pipeline/data",  # OCR repairs, legacy encodings
    "pipeline/document.py",
    "pipeline/normalize.py",
    "pipeline/legacy.py",
    "pipeline/structure.py",
    "pipeline/extract.py",
    "pipeline/ingest.py",  # the table rows
    "schemas",
)
_SUFFIXES = {".py", ".csv", ".json", ".txt", ".tsv"}


@lru_cache(maxsize=1)
def extraction_version() -> str:
    """16 hex digits of the SHA-256 of the sources that make a file's rows (paths and bytes, in path order)."""
    h = hashlib.sha256()
    for rel in _SOURCES:
        p = ROOT / rel
        files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in _SUFFIXES) if p.is_dir() else [p]
        for f in files:
            if not f.exists():
                continue
            h.update(f.relative_to(ROOT).as_posix().encode("utf-8") + b"\0")
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()[:16]


__all__ = ["extraction_version"]
