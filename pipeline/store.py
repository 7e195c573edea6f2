"""Parquet storage through ``schemas/``: incremental, idempotent, crash-safe.

Layout of an output directory::

    OUT/<table>.parquet           published tables (what users open)
    OUT/_state/manifest.json      which file versions are ingested, in which batch (a snapshot)
    OUT/_state/manifest.journal   the batches committed since that snapshot, one JSON line each
    OUT/_state/parts/<batch>/<table>.parquet   per-batch rows of the per-document tables
    OUT/_quarantine/              copies of files that failed

Rules that make it safe:

* Every file is written aside (``*.tmp-<pid>``) then ``os.replace``-d: a reader
  never sees half a file.
* Parts are written first, then the batch's line is appended to the journal
  (and fsync-ed): a batch is ingested exactly when the manifest (snapshot plus
  journal) names it.  A line cut short by a crash is not a commit and is
  ignored.  Appending keeps a commit's cost independent of the corpus size
  (rewriting the whole manifest for each batch made a run quadratic).  Parts
  no manifest names (a run killed mid-batch) are ignored and garbage-collected.
* The snapshot is rewritten (aside, then replaced) at the end of a run, and only
  then is the journal removed; replaying a line already in the snapshot changes
  nothing, so a crash between the two loses nothing.
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


def _drop_unfinished_line(fh) -> None:
    """Truncate a journal opened "a+b" after its last newline (nothing to do when it ends with one)."""
    end = fh.seek(0, os.SEEK_END)
    pos = end
    while pos > 0:
        start = max(0, pos - 4096)
        fh.seek(start)
        block = fh.read(pos - start)
        i = block.rfind(b"\n")
        if i >= 0:
            pos = start + i + 1
            break
        pos = start
    if pos != end:
        fh.truncate(pos)
    fh.seek(0, os.SEEK_END)


@dataclass
class FileEntry:
    sha256: str
    doc_id: str
    source_path: str
    batch: str
    version: int
    ingested_at: str
    current: bool = True
    extraction: str = ""  # pipeline.extraction_version of the code that made its rows ("" before it was kept)


@dataclass
class ManifestChange:
    """What one commit did to the manifest, as resulting states (so applying it twice changes nothing)."""

    files: list[FileEntry] = field(default_factory=list)  # entries added or replaced
    retired: list[str] = field(default_factory=list)  # sha256 of entries no longer current
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)  # source_path -> failure row set
    cleared: list[str] = field(default_factory=list)  # source paths whose failure is cleared

    def to_json_line(self) -> bytes:
        return (json.dumps({"files": [vars(e) for e in self.files], "retired": self.retired,
                            "failures": self.failures, "cleared": self.cleared}, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_json_line(cls, line: bytes) -> "ManifestChange":
        raw = json.loads(line.decode("utf-8"))
        return cls([FileEntry(**e) for e in raw["files"]], list(raw["retired"]), dict(raw["failures"]), list(raw["cleared"]))


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

    def apply(self, change: ManifestChange) -> None:
        """Apply one commit (in memory; :meth:`Store.commit` also journals it)."""
        for sha in change.retired:
            if sha in self.files:
                self.files[sha].current = False
        for e in change.files:
            self.files[e.sha256] = e
        for p in change.cleared:
            self.failures.pop(p, None)
        self.failures.update(change.failures)

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

    @property
    def journal_path(self) -> Path:
        return self.state / "manifest.journal"

    def load_manifest(self) -> Manifest:
        """The snapshot with every complete journal line applied (a last line cut short by a crash was
        never committed and is skipped)."""
        m = Manifest()
        if self.manifest_path.exists():
            try:
                m = Manifest.from_json(self.manifest_path.read_bytes())
            except (ValueError, KeyError, TypeError) as exc:
                raise RuntimeError(f"{self.manifest_path}: unreadable manifest ({exc}); move it aside to start over") from exc
        if self.journal_path.exists():
            lines = self.journal_path.read_bytes().split(b"\n")
            for i, line in enumerate(lines[:-1]):  # the last piece is "" or an unfinished line
                try:
                    m.apply(ManifestChange.from_json_line(line))
                except (ValueError, KeyError, TypeError) as exc:
                    raise RuntimeError(f"{self.journal_path}: unreadable line {i + 1} ({exc}); "
                                       "move the file aside to start over") from exc
        return m

    def commit(self, manifest: Manifest, change: ManifestChange) -> None:
        """Apply ``change`` to ``manifest`` and make it durable: one line appended to the journal and
        fsync-ed (the commit point of a batch), whatever the size of the corpus."""
        self.state.mkdir(parents=True, exist_ok=True)
        new = not self.journal_path.exists()
        with open(self.journal_path, "a+b") as fh:
            _drop_unfinished_line(fh)  # a line a crash cut short was never a commit
            fh.write(change.to_json_line())
            fh.flush()
            os.fsync(fh.fileno())
        if new:  # the new file's directory entry must be durable too
            fd = os.open(self.state, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        manifest.apply(change)

    def save_manifest(self, manifest: Manifest) -> None:
        """Rewrite the snapshot (aside, then in place), then drop the journal it now contains."""
        atomic_write_bytes(self.manifest_path, manifest.to_json())
        self.journal_path.unlink(missing_ok=True)

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
