"""Run each file of a batch in a child process with a time limit and a memory cap.

A forked worker reads files one after another and sends each result back
over a pipe.  The parent waits at most ``Limits.seconds_per_file`` for each
file; a file that takes longer, or that kills the worker (a crash in a native
library, the memory cap), is recorded as failed and a new worker is forked
for the remaining files.  A hostile file can therefore neither hang the run
nor exhaust the machine's memory.  The memory cap and the CPU budget are set
again before every file, relative to what the worker holds at that moment.

Forking is cheap here because the heavy modules (spaCy, pypdfium2, the
extractors' data) are loaded in the parent before the first fork.  Cheap is
not free: a fresh worker copies every page of the parent it writes to (about
0.1 s of CPU per fork in a warmed-up flow process).  So inside
``keep_workers()`` (an ingest run) each thread that reads keeps its worker from
one batch to the next, and replaces it only when it failed or grew by more
than ``RECYCLE_GROWTH_BYTES``; outside it, each batch forks its own.
"""
from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import resource
import signal
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from pipeline import heap
from pipeline.config import Limits
from pipeline.errors import ReadError


@dataclass
class FileResult:
    path: str
    ok: bool
    payload: Any = None  # (doc, rows) on success
    error_kind: str | None = None
    message: str | None = None
    max_rss_kb: int = 0  # peak RSS of the worker that read the file
    rss_bytes: int = 0  # the worker's resident memory once the file was read


def fork_available() -> bool:
    """Whether this process can fork readers: the platform has ``fork`` and this process is not daemonic
    (multiprocessing forbids a daemonic process children; a remote Dask cluster's workers are daemonic by
    default, so there each file is read in the worker itself, without the per-file limits)."""
    return "fork" in mp.get_all_start_methods() and not mp.current_process().daemon


def warm_up() -> None:
    """Load everything a worker needs before forking, so children never import (or deadlock importing)."""
    global _WARM
    if _WARM:
        return
    with _WARM_LOCK:  # batch tasks on a thread runner arrive together: warm up once, not once per thread
        if not _WARM:
            _warm_up()


def _warm_up() -> None:
    global _WARM
    from pipeline.extract import extract_document
    from pipeline.readers import docx, pdf, pdf_lines, read_bytes  # noqa: F401

    pdf_lines.warm_up()  # compiled PDF kernels, inherited by every forked reader

    # one tiny plan through every stage: lazily built tables, patterns and the spaCy pipeline are then
    # shared by every forked worker instead of being rebuilt (and thrown away) in each one
    sample = ("KẾ HOẠCH\n\nHợp tác với tỉnh Sê Kông (Lào) năm 2025\n\nI. MỤC ĐÍCH\n\nThực hiện Nghị quyết số "
              "59-NQ/TW ngày 24/01/2025 của Bộ Chính trị; dự kiến 05 đoàn ra trước ngày 15/5/2025.\n\n"
              # a citation wrapped before its "số" compiles the type-word lexicon's pattern (~90 ms)
              "Căn cứ Kế hoạch\nsố 12/KH-UBND ngày 05/3/2024 của UBND tỉnh.\n")
    ex = extract_document(read_bytes(sample.encode("utf-8"), "warm-up.txt"))
    from schemas import to_table

    for name, rows in ex.rows.items():  # Arrow's first conversions load lazily too
        to_table(name, rows)
    _WARM = True


_WARM = False
_WARM_LOCK = threading.Lock()


def _describe(exc: BaseException, path: str) -> tuple[str, str]:
    if isinstance(exc, ReadError):
        return exc.kind, str(exc)
    if isinstance(exc, MemoryError):
        return "too_large", f"{path}: ran out of memory while reading (over the per-file memory cap)"
    if isinstance(exc, TimeoutError):
        return "timeout", f"{path}: a text pattern took too long on this file ({exc})"
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
    return "internal", f"{path}: internal error {type(exc).__name__}: {exc}{where}"


def run_one(fn: Callable[[str], Any], path: str) -> FileResult:
    """Run ``fn(path)`` in this process, turning every exception into a failed FileResult."""
    try:
        return FileResult(path, True, fn(path))
    except BaseException as exc:  # noqa: BLE001 - everything a file can cause is reported, never raised
        if isinstance(exc, KeyboardInterrupt):
            raise
        kind, msg = _describe(exc, path)
        return FileResult(path, False, error_kind=kind, message=msg)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Linux: have the kernel send ``sig`` to this process when its parent dies (e.g. a run killed with
    SIGKILL), so that no worker or private server outlives the command that started it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, sig)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _statm(field: int) -> int:
    """A field of /proc/self/statm in bytes (0: address-space size, 1: resident), 0 if unknown (not Linux)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[field]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _cpu_used() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _worker(conn, memory_bytes: int, cpu_seconds: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()  # a crash here is expected and reported by the parent, not dumped
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        return
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        fn, path = job
        if memory_bytes > 0:  # headroom above what the worker maps now (inherited modules, spaCy, pdfium...)
            try:
                cap = _statm(0) + memory_bytes
                resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
            except (ValueError, OSError):
                pass
        if cpu_seconds > 0:  # a CPU budget per file, not for the worker's whole life
            try:
                soft = int(_cpu_used()) + cpu_seconds
                resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))
            except (ValueError, OSError):
                pass
        res = run_one(fn, path)
        res.max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        res.rss_bytes = _statm(1)
        try:
            conn.send(res)
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            conn.send(FileResult(path, False, error_kind="internal", message=f"{path}: result could not be sent back ({exc})"))


def _caps(limits: Limits) -> tuple[int, int]:
    """A worker's memory cap (bytes above what it maps) and CPU budget per file (seconds; 0: none)."""
    return limits.max_memory_bytes, int(limits.seconds_per_file * 4) if limits.seconds_per_file else 0


class _Child:
    def __init__(self, limits: Limits):
        ctx = mp.get_context("fork")
        self.caps = _caps(limits)  # (memory cap, CPU budget): a kept worker serves only limits with the same
        # the thread that forks it: the kernel kills the child when that thread ends (die_with_parent), so
        # a kept worker only ever serves the thread that forked it
        self.owner = threading.get_ident()
        self.base_rss = 0  # resident memory after its first file (what it inherited and touched)
        # One fork at a time, from creating the child's pipe ends to closing them here: a worker forked by
        # another thread in between would inherit them, and this worker's death (EOF on its pipe, its exit
        # sentinel) would go unseen until that one died too
        with _FORK_LOCK:
            self.conn, child_conn = ctx.Pipe()
            self.proc = ctx.Process(target=_worker, args=(child_conn, *self.caps, os.getpid()), daemon=True)
            # the child's garbage collector never walks the parent's objects (spaCy, gazetteers...): fewer
            # copy-on-write pages to copy in every forked reader
            with heap.frozen_for_fork():
                self.proc.start()
            child_conn.close()
            # (Process.start closed the child's end of the exit sentinel before returning)

    def grew_too_much(self, res: FileResult) -> bool:
        if not self.base_rss:
            self.base_rss = res.rss_bytes
            return False
        return res.rss_bytes - self.base_rss > RECYCLE_GROWTH_BYTES

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


_FORK_LOCK = threading.Lock()

RECYCLE_GROWTH_BYTES = 256 * 1024 * 1024  # a kept worker whose memory grew more than this is replaced

_KEPT: list[_Child] | None = None  # idle workers kept for the next batch, while keep_workers() is open
_KEPT_DEPTH = 0
_KEPT_LOCK = threading.Lock()


@contextmanager
def keep_workers() -> Iterator[None]:
    """Within this block, a batch's worker is kept for the next batch of the same thread instead of being
    stopped; every kept worker is stopped when the block ends.  Used around an ingest run's batches:
    code changed in this process after a worker was forked (a test's monkeypatch) is not seen by that
    worker, so the block should span one run."""
    global _KEPT, _KEPT_DEPTH
    with _KEPT_LOCK:
        _KEPT_DEPTH += 1
        if _KEPT is None:
            _KEPT = []
    try:
        yield
    finally:
        with _KEPT_LOCK:
            _KEPT_DEPTH -= 1
            idle, _KEPT = (_KEPT or [], None) if _KEPT_DEPTH == 0 else ([], _KEPT)
        for child in idle:
            child.stop()


def _take(limits: Limits) -> _Child | None:
    """An idle worker this thread forked for the same limits and kept, if any."""
    caps = _caps(limits)
    me = threading.get_ident()
    found, dead = None, []
    with _KEPT_LOCK:
        for child in list(_KEPT or []):
            if not child.proc.is_alive():  # e.g. its thread ended (an ident can be reused)
                _KEPT.remove(child)  # type: ignore[union-attr]
                dead.append(child)
            elif found is None and child.owner == me and child.caps == caps:
                _KEPT.remove(child)  # type: ignore[union-attr]
                found = child
    for child in dead:
        child.stop(kill=True)
    return found


def _give_back(child: _Child) -> None:
    with _KEPT_LOCK:
        if _KEPT is not None and child.proc.is_alive():
            _KEPT.append(child)
            return
    child.stop()


def run_isolated(fn: Callable[[str], Any], paths: list[str], limits: Limits) -> Iterator[FileResult]:
    """Yield one FileResult per path, in order; each file read in a forked worker under the limits."""
    if not paths:
        return
    warm_up()
    child = _take(limits)
    busy = False  # a file sent and its result not yet received
    try:
        for path in paths:
            if child is None:
                child = _Child(limits)
            try:
                busy = True
                child.conn.send((fn, path))
                ready = child.conn.poll(limits.seconds_per_file if limits.seconds_per_file > 0 else None)
                if not ready:
                    child.stop(kill=True)
                    child, busy = None, False
                    yield FileResult(path, False, error_kind="timeout",
                                     message=f"{path}: reading took longer than {limits.seconds_per_file:g} s (PLANS_SECONDS_PER_FILE); stopped")
                    continue
                res = child.conn.recv()
                busy = False
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
                code = child.proc.exitcode if child is not None else None
                if child is not None:
                    child.stop(kill=True)
                child, busy = None, False
                if code == -signal.SIGXCPU:
                    kind, why = "timeout", "reading used more CPU time than allowed (PLANS_SECONDS_PER_FILE); stopped"
                elif code == -signal.SIGKILL:
                    kind, why = "too_large", "the worker was killed (memory limit)"
                else:
                    kind, why = "crashed", f"the worker reading it died (exit code {code})"
                yield FileResult(path, False, error_kind=kind, message=f"{path}: {why}")
                continue
            if child.grew_too_much(res):
                child.stop()
                child = None
            yield res
    finally:
        if child is not None and busy:  # interrupted while it reads (Ctrl-C): its answer would go to the next batch
            child.stop(kill=True)
        elif child is not None:
            _give_back(child)


def run_in_process(fn: Callable[[str], Any], paths: list[str]) -> Iterator[FileResult]:
    for p in paths:
        yield run_one(fn, p)


__all__ = ["FileResult", "keep_workers", "run_isolated", "run_in_process", "run_one", "fork_available", "warm_up"]
