"""Crash safety end to end: `plans ingest` is killed with SIGKILL at several points of a run over many
files; the next run completes, and no row is lost or duplicated, every table readable."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import ingest as steps
from pipeline.store import Store

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.txt"
N = 30
TABLES = ("documents", "citations", "localities", "dates", "targets", "instruments", "relations", "conflicts", "failures")


def make_inbox(inbox: Path) -> None:
    inbox.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(N):
        extra = f"\n\nThực hiện Kế hoạch số {100 + i}/KH-UBND ngày 02/3/2024 của UBND tỉnh về hợp tác quốc tế.\n"
        (inbox / f"plan-{i:02d}.txt").write_text(text + extra, encoding="utf-8")


def reference(inbox: Path, out: Path) -> dict[str, int]:
    store = Store(out)
    manifest = store.load_manifest()
    res = steps.process_batch(steps.plan(steps.discover([str(inbox)]), manifest).todo)
    steps.commit_batch(store, manifest, "ref", res)
    return steps.publish(store, manifest)


def committed(out: Path) -> tuple[int, bool]:
    """Files committed (manifest snapshot plus journal) and whether a publication was recorded."""
    try:
        m = Store(out).load_manifest()
    except (OSError, RuntimeError):
        return 0, False
    return len(m.files), m.published is not None


def start(inbox: Path, out: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_HOME": str(home)}
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", str(inbox), "--out", str(out), "--batch-size", "3", "-q"]
    # its own process group, so that the kill takes Prefect's server subprocess down with it
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def kill_when(proc: subprocess.Popen, out: Path, condition, timeout: float = 240) -> tuple[int, bool]:
    t0 = time.time()
    while time.time() - t0 < timeout:
        state = committed(out)
        if condition(*state) or proc.poll() is not None:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole run: CLI, reading workers, embedded Prefect server
    proc.wait(timeout=30)
    return committed(out)


def test_sigkill_at_several_points_then_rerun(tmp_path):
    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "prefect"
    make_inbox(inbox)
    ref = reference(inbox, tmp_path / "ref")
    ref_rows = {t: pq.read_table(tmp_path / "ref" / f"{t}.parquet").num_rows for t in TABLES}

    seen = []
    # 1: as soon as the first batch is committed; 2: half-way; 3: once every file is committed (publishing)
    for cond in (lambda n, pub: n >= 3, lambda n, pub: n >= N // 2, lambda n, pub: n >= N):
        seen.append(kill_when(start(inbox, out, home), out, cond))
        for t in TABLES:  # whatever was published before the kill is readable and whole
            p = out / f"{t}.parquet"
            if p.exists():
                pq.read_table(p)
    assert seen[0][0] >= 3 and seen[-1][0] <= N

    proc = start(inbox, out, home)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    rows = {t: pq.read_table(out / f"{t}.parquet").num_rows for t in TABLES}
    assert rows == ref_rows, (rows, ref_rows)
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    assert len({d["doc_id"] for d in docs}) == len(docs) == N
    cits = pq.read_table(out / "citations.parquet").to_pylist()
    keys = [(c["doc_id"], c["mention"]) for c in cits]
    assert len(keys) == len(set(keys))
    assert not list(out.glob(".*.tmp-*"))
    assert ref["citations"] == rows["citations"]

    # and a run with nothing new does nothing
    proc = start(inbox, out, home)
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and b"0 processed" in stdout


def test_two_runs_on_one_folder_do_not_interleave(tmp_path):
    out = tmp_path / "out"
    code = f"from pipeline.store import Store\nwith Store({str(out)!r}).lock():\n    pass\n"
    with Store(out).lock():  # held by this process: another process is refused
        p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert p.returncode != 0 and "another `plans ingest`" in p.stderr
    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr


def _servers_of(session: int) -> list[int]:
    """Pids of Prefect API servers (uvicorn on Prefect's app) in the given session."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes()
            if b"prefect.server.api.server:create_app" in cmd and os.getsid(int(d.name)) == session:
                pids.append(int(d.name))
        except (OSError, ProcessLookupError):
            continue
    return pids


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not yet reaped


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc to find the server process")
def test_sigkill_of_the_command_alone_does_not_orphan_its_prefect_server(tmp_path):
    """Only the `plans ingest` process is killed (not its group): the kernel stops its private API server."""
    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "prefect"
    make_inbox(inbox)
    proc = start(inbox, out, home)
    t0 = time.time()
    servers: list[int] = []
    while not servers and time.time() - t0 < 120 and proc.poll() is None:
        servers = _servers_of(proc.pid)
        time.sleep(0.05)
    assert servers, "the command started no Prefect server"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    t0 = time.time()
    while any(_alive(p) for p in servers) and time.time() - t0 < 30:
        time.sleep(0.1)
    left = [p for p in servers if _alive(p)]
    for p in left:  # do not leave it running if the assertion fails
        os.kill(p, signal.SIGKILL)
    assert not left
