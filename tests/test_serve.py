"""`plans serve` in embedded mode: the nightly deployment is served, its cron schedule fires a run,
and stopping the command stops the private Prefect server it started."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]


def test_served_schedule_fires_an_ingest_run(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.txt", inbox / "plan.txt")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)
    cmd = [sys.executable, "-m", "pipeline.cli", "serve", "--inbox", str(inbox), "--out", str(out), "--cron", "* * * * *"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        t0 = time.time()
        while time.time() - t0 < 240 and not (out / "documents.parquet").exists():
            assert proc.poll() is None, proc.stdout.read().decode()
            time.sleep(1)
        assert (out / "documents.parquet").exists(), "no scheduled run within 4 minutes"
        docs = pq.read_table(out / "documents.parquet").to_pylist()
        assert [d["province"] for d in docs] == ["Nghệ An"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output = proc.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:  # fail, but never hang on a child still holding the output pipe
            os.killpg(proc.pid, signal.SIGKILL)
            output = proc.communicate(timeout=30)[0].decode()
            raise AssertionError("`plans serve` did not stop within 60 s of SIGTERM:\n" + output[-3000:])
    for _ in range(20):  # helpers (multiprocessing's resource tracker) exit just after the service
        left_kids = subprocess.run(["pgrep", "-a", "-s", str(proc.pid)], capture_output=True, text=True).stdout.strip()
        if not left_kids:
            break
        time.sleep(0.5)
    assert left_kids == "", f"processes of the stopped service were left running: {left_kids}"
    assert "via http://127.0.0.1:" in output
    port = output.split("via http://127.0.0.1:")[1].split("/")[0]
    time.sleep(2)
    left = subprocess.run(["pgrep", "-f", f"server start --host 127.0.0.1 --port {port}"], capture_output=True, text=True)
    assert left.stdout.strip() == "", "the private Prefect server was left running"
