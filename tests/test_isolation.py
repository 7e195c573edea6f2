"""Forked readers kept between batches (pipeline/isolation.py, ``keep_workers``): one fork serves many batches,
yet a failed, hung or grown worker is replaced and every file still gets its own limits."""
from __future__ import annotations

import os
import signal
import time

import pytest

from pipeline import isolation
from pipeline.config import Limits
from pipeline.isolation import fork_available, keep_workers, run_isolated

pytestmark = pytest.mark.skipif(not fork_available(), reason="forked readers need fork()")

LIMITS = Limits(seconds_per_file=5)
_HELD: list[bytearray] = []


def pid_of(path: str) -> int:
    """What the worker does with a 'file': crash, hang, hold memory, or just say which process it is."""
    if path == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    if path == "hang":
        time.sleep(60)
    if path.startswith("hold"):
        _HELD.append(bytearray(int(path[4:]) * 1024 * 1024))
        _HELD[-1][::4096] = b"x" * len(_HELD[-1][::4096])  # touch every page: resident, not just mapped
    if path == "alloc":
        bytearray(300 * 1024 * 1024)  # within a 512 MB cap even in a worker that already holds memory
    return os.getpid()


def pids(paths: list[str], limits: Limits = LIMITS) -> list[int | str]:
    return [r.payload if r.ok else r.error_kind for r in run_isolated(pid_of, paths, limits)]


def test_without_the_block_each_batch_forks_its_own_worker():
    a, b = pids(["x", "y"]), pids(["z"])
    assert a[0] == a[1] != os.getpid()  # one worker per batch, not per file
    assert b[0] != a[0]
    assert not isolation._KEPT  # nothing kept outside the block


def test_inside_the_block_one_worker_serves_every_batch_and_stops_at_the_end():
    with keep_workers():
        a, b = pids(["x", "y"]), pids(["z"])
        assert a[0] == a[1] == b[0]
        (kept,) = isolation._KEPT
        assert kept.proc.is_alive()
    assert not kept.proc.is_alive()  # stopped when the block ends, not left to the exit of the process
    assert isolation._KEPT is None


def test_a_hung_worker_is_replaced_and_the_replacement_is_kept():
    with keep_workers():
        out = pids(["x", "hang", "y"])
        assert out[1] == "timeout" and isinstance(out[2], int) and out[2] != out[0]
        assert pids(["z"]) == [out[2]]


def test_a_crash_does_not_reach_the_next_batch():
    with keep_workers():
        first = pids(["x"])[0]
        out = pids(["segv", "y"])
        assert out[0] == "crashed" and out[1] != first
        assert pids(["z"]) == [out[1]]


def test_a_worker_whose_memory_grew_too_much_is_replaced(monkeypatch):
    monkeypatch.setattr(isolation, "RECYCLE_GROWTH_BYTES", 64 * 1024 * 1024)
    with keep_workers():
        a = pids(["x", "hold16", "hold100", "y", "z"])
        assert a[0] == a[1] == a[2]  # grew by 16 MB, then by 116 MB: replaced after that file
        assert a[3] == a[4] != a[0]


def test_every_file_gets_the_whole_memory_cap_above_what_a_kept_worker_already_holds(monkeypatch):
    monkeypatch.setattr(isolation, "RECYCLE_GROWTH_BYTES", 4 * 1024**3)  # keep the worker that holds 300 MB
    limits = Limits(seconds_per_file=20, max_memory_bytes=512 * 1024**2)
    with keep_workers():
        out = pids(["hold150", "hold150", "alloc", "x"], limits)
        assert len(set(out)) == 1, out  # 300 MB held, then 300 MB more: allowed, the cap counts from each file's start
        assert pids(["alloc"], Limits(seconds_per_file=20, max_memory_bytes=256 * 1024**2)) == ["too_large"]


def test_limits_of_another_kind_get_their_own_worker():
    with keep_workers():
        a = pids(["x"])
        b = pids(["x"], Limits(seconds_per_file=7))
        assert a != b
        assert pids(["x"]) == a and pids(["x"], Limits(seconds_per_file=7)) == b


def test_each_thread_keeps_its_own_worker():
    """A worker dies with the thread that forked it (PR_SET_PDEATHSIG), so it is never handed to another:
    here thread a's worker sits idle while thread b reads, and b still forks its own."""
    import threading

    a_done, b_done = threading.Event(), threading.Event()
    seen: dict[str, list] = {}

    def a() -> None:
        seen["a"] = pids(["x"])
        a_done.set()
        b_done.wait(30)
        seen["a"] += pids(["y"])

    def b() -> None:
        a_done.wait(30)
        seen["b"] = pids(["x"]) + pids(["y"])
        b_done.set()

    with keep_workers():
        threads = [threading.Thread(target=f) for f in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert seen["a"][0] == seen["a"][1] and seen["b"][0] == seen["b"][1]
        assert seen["a"][0] != seen["b"][0]


def test_a_worker_forked_by_another_thread_holds_no_end_of_its_siblings_pipes(monkeypatch):
    """Two threads forking readers at the same moment: if thread b forks while thread a's new worker still
    has its pipe ends open in the parent, b's worker inherits them, and a's worker's death (its end of the
    result pipe, its exit sentinel) is not seen until b's worker dies too.  That showed as `plans ingest`
    stopping a kept reader in 5 s (the join timeout) instead of at once, and would show a crash as a
    timeout.  Here thread b is made to fork inside a's window (while a forks, it waits up to 1 s for b)."""
    import multiprocessing.connection
    import threading

    real_fork = os.fork
    b_forked = threading.Event()
    made: dict[str, isolation._Child] = {}

    done = threading.Event()  # a worker dies with the thread that forked it: both threads wait for the end

    def b() -> None:
        made["b"] = isolation._Child(LIMITS)
        done.wait(30)

    def fork() -> int:
        pid = real_fork()
        if pid and threading.current_thread().name == "a":
            threading.Thread(target=b, name="b").start()
            b_forked.wait(1.0)  # b forks now, unless something keeps it out of a's window
        elif pid and threading.current_thread().name == "b":
            b_forked.set()
        return pid

    monkeypatch.setattr(os, "fork", fork)

    def a() -> None:
        made["a"] = isolation._Child(LIMITS)
        done.wait(30)

    threading.Thread(target=a, name="a").start()
    for _ in range(200):
        if "a" in made and "b" in made:
            break
        time.sleep(0.05)
    monkeypatch.setattr(os, "fork", real_fork)
    wa, wb = made["a"], made["b"]
    try:
        wa.conn.send(None)  # a's worker exits; b's stays up
        deadline = time.time() + 10
        while time.time() < deadline and os.waitid(os.P_PID, wa.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            time.sleep(0.01)
        # a's worker is gone: both its exit sentinel and its result pipe must say so at once
        assert multiprocessing.connection.wait([wa.proc.sentinel], timeout=3) == [wa.proc.sentinel]
        assert wa.conn.poll(3)
        with pytest.raises(EOFError):
            wa.conn.recv()
    finally:
        wb.stop(kill=True)
        wa.proc.join(1)
        wa.conn.close()
        done.set()


def test_a_files_tables_come_back_from_its_reader_as_it_made_them():
    # the tables travel as Arrow IPC streams (pipeline.ingest.FileTables): the same rows, types and column docs
    from functools import partial
    from pathlib import Path

    from pipeline.ingest import FileTables, _read_extract

    seed = str(sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.txt"))[0])
    (res,) = run_isolated(partial(_read_extract, limits=LIMITS), [seed], LIMITS)
    assert res.ok, res.message
    _, tables, _ = res.payload
    _, here, _ = _read_extract(seed, LIMITS)
    assert type(tables) is FileTables and set(tables) == set(here)
    assert sum(t.num_rows for t in tables.values()) > 100
    for name, table in here.items():
        assert tables[name].equals(table), name
        assert tables[name].schema.equals(table.schema, check_metadata=True), name
