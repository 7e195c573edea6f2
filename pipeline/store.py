"""Parquet storage through ``schemas/``: incremental, idempotent, crash-safe.

Layout of an output directory::

    OUT/<table>.parquet           published tables (what users open)
    OUT/_state/manifest.json      the commit point: which file versions are ingested, in which batch
    OUT/_state/parts/<batch>/<table>.parquet   per-batch rows of the per-document tables
    OUT/_quarantine/              copies of files that failed

Rules that make it safe:

* Every file is written aside (``*.tmp-<pid>``) then ``os.replace``-d: a reader
  never sees half a file.
* Parts are written first, then the manifest is replaced: a batch is ingested
  exactly when the manifest names it.  Parts no manifest names (a run killed
  mid-batch) are ignored and garbage-collected.
* Published tables are rebuilt from the manifest's parts; the manifest records
  the fingerprint of the last complete publication, so a run killed while
  publishing is finished by the next run even when no file changed.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from schemas import DOC_TABLES, TABLES, empty_table, schema, to_table

MANIFEST_VERSION = 1


def utcnow() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def atomic_write_table(table: pa.Table | pa.RecordBatchReader, path: Path) -> int:
    """Write a table, or a stream of record batches one row group at a time, aside and then in place.
    Returns the number of rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if isinstance(table, pa.Table):
            pq.write_table(table, tmp, compression="zstd")
            n = table.num_rows
        else:
            n = 0
            with pq.ParquetWriter(tmp, table.schema, compression="zstd") as w:
                for batch in table:
                    w.write_batch(batch)
                    n += batch.num_rows
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        if isinstance(table, pa.RecordBatchReader):
            table.close()
        raise
    os.replace(tmp, path)
    return n


@dataclass
class FileEntry:
    sha256: str
    doc_id: str
    source_path: str
    batch: str
    version: int
    ingested_at: str
    current: bool = True


@dataclass
class Manifest:
    files: dict[str, FileEntry] = field(default_factory=dict)  # sha256 -> entry
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)  # source_path -> failure row
    published: str | None = None  # fingerprint of the last complete publication

    # -- queries ---------------------------------------------------------
    def current_by_path(self) -> dict[str, FileEntry]:
        return {e.source_path: e for e in self.files.values() if e.current}

    def current_doc_ids(self) -> set[str]:
        return {e.doc_id for e in self.files.values() if e.current}

    def batches(self) -> set[str]:
        return {e.batch for e in self.files.values()}

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for sha in sorted(self.files):
            e = self.files[sha]
            h.update(f"{sha}|{e.batch}|{e.current}|{e.version}|{e.source_path}\n".encode())
        for p in sorted(self.failures):
            f = self.failures[p]
            h.update(f"F|{p}|{f.get('sha256')}|{f.get('error_kind')}\n".encode())
        return h.hexdigest()

    # -- serialization ---------------------------------------------------
    def to_json(self) -> bytes:
        return json.dumps(
            {
                "version": MANIFEST_VERSION,
                "files": {k: vars(v) for k, v in sorted(self.files.items())},
                "failures": dict(sorted(self.failures.items())),
                "published": self.published,
            },
            ensure_ascii=False,
            indent=1,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        raw = json.loads(data.decode("utf-8"))
        if raw.get("version") != MANIFEST_VERSION:
            raise ValueError(f"unsupported manifest version {raw.get('version')!r}")
        return cls(
            files={k: FileEntry(**v) for k, v in raw.get("files", {}).items()},
            failures=raw.get("failures", {}),
            published=raw.get("published"),
        )


class Store:
    """An output directory of Parquet tables."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.state = self.root / "_state"
        self.parts = self.state / "parts"
        self.quarantine_dir = self.root / "_quarantine"

    # -- one writer at a time -------------------------------------------------
    @contextlib.contextmanager
    def lock(self):
        """Exclusive lock on the output folder for the length of a run (released even if the process is killed).

        A POSIX record lock: the forked reading workers do not inherit it."""
        self.state.mkdir(parents=True, exist_ok=True)
        fh = open(self.state / "lock", "a+")
        try:
            try:
                fcntl.lockf(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise RuntimeError(f"{self.root}: another `plans ingest` is writing to this folder; try again when it ends") from None
            yield self
        finally:
            fh.close()

    # -- manifest ----------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.state / "manifest.json"

    def load_manifest(self) -> Manifest:
        if not self.manifest_path.exists():
            return Manifest()
        try:
            return Manifest.from_json(self.manifest_path.read_bytes())
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(f"{self.manifest_path}: unreadable manifest ({exc}); move it aside to start over") from exc

    def save_manifest(self, manifest: Manifest) -> None:
        atomic_write_bytes(self.manifest_path, manifest.to_json())

    # -- parts ---------------------------------------------------------------
    def write_parts(self, batch: str, rows: dict[str, Any]) -> None:
        """Write one batch's per-document tables (every DOC_TABLE, empty ones included); each value is an
        Arrow table or a list of row dicts."""
        d = self.parts / batch
        for name in DOC_TABLES:
            t = rows.get(name, [])
            atomic_write_table(t if isinstance(t, pa.Table) else to_table(name, t), d / f"{name}.parquet")

    def read_parts(self, name: str, batches: Iterable[str]) -> pa.Table:
        tables = []
        for b in sorted(set(batches)):
            p = self.parts / b / f"{name}.parquet"
            if p.exists():
                tables.append(pq.read_table(p, schema=schema(name)))
        if not tables:
            return empty_table(name)
        return pa.concat_tables(tables)

    def clean_tmp(self) -> int:
        """Remove half-written temporary files left by a run that was killed (never a published file)."""
        n = 0
        for d in (self.root, self.state, *(p for p in self.parts.glob("*") if p.is_dir())):
            if d.is_dir():
                for f in d.glob(".*.tmp-*"):
                    f.unlink(missing_ok=True)
                    n += 1
        return n

    def gc_parts(self, manifest: Manifest) -> int:
        """Remove part directories the manifest does not name (left by an interrupted run)."""
        if not self.parts.exists():
            return 0
        live = manifest.batches()
        n = 0
        for d in self.parts.iterdir():
            if d.is_dir() and d.name not in live:
                shutil.rmtree(d, ignore_errors=True)
                n += 1
        return n

    # -- published tables ----------------------------------------------------
    def table_path(self, name: str) -> Path:
        return self.root / f"{name}.parquet"

    def publish(self, tables: dict[str, pa.Table | pa.RecordBatchReader]) -> dict[str, int]:
        """Write each table (in memory or streamed) under its published name; returns rows per table."""
        for name in tables:
            if name not in TABLES:
                raise KeyError(f"unknown table {name!r}")
        counts = {}
        for name, table in tables.items():
            if isinstance(table, pa.Table):
                table = table.cast(schema(name))
            elif not table.schema.equals(schema(name), check_metadata=True):
                raise ValueError(f"{name}: stream does not have the published schema")
            counts[name] = atomic_write_table(table, self.table_path(name))
        return counts

    def read(self, name: str) -> pa.Table:
        p = self.table_path(name)
        if not p.exists():
            return empty_table(name)
        return pq.read_table(p)

    # -- quarantine ------------------------------------------------------------
    def quarantine(self, path: Path, sha256: str | None) -> str | None:
        try:
            self.quarantine_dir.mkdir(parents=True, exist_ok=True)
            dest = self.quarantine_dir / f"{(sha256 or 'unhashed')[:16]}-{path.name}"
            if not dest.exists():
                shutil.copyfile(path, dest)
            return str(dest)
        except OSError:
            return None
