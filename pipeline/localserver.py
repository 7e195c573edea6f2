"""A private Prefect server on loopback for `plans serve` in embedded mode.

Prefect's in-process (ephemeral) API cannot run the scheduler, so a served
deployment would never fire.  When no PREFECT_API_URL is configured, `plans
serve` starts `prefect server start` on 127.0.0.1 (a free port, state under
PREFECT_HOME, UI and telemetry off), points PREFECT_API_URL at it, and stops
it on exit.  Nothing listens beyond loopback and nothing reaches the network.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Iterator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def local_server(timeout: float = 120.0) -> Iterator[str]:
    """Start a Prefect server on 127.0.0.1 and yield its API URL; stop it on exit."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        # a short scheduler loop so that a freshly served deployment gets its runs promptly
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": os.environ.get("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "10"),
    }
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        t0 = time.time()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the local Prefect server exited early (code {proc.returncode})")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() - t0 > timeout:
                raise RuntimeError(f"the local Prefect server did not start within {timeout:.0f} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def stop_children(timeout: float = 20.0) -> int:
    """Stop the flow runs this process started (Prefect runs served flows in child processes).

    Called when `plans serve` stops, *before* its private server goes: a run still in flight is
    terminated while it can still report its final state (ingestion is crash-safe: a terminated run
    loses nothing already committed and the next run redoes the rest).  Without this, a run
    outliving the server retries its state report for minutes, holding the service's output open.
    Returns how many children were stopped.
    """
    import multiprocessing

    kids = [p for p in multiprocessing.active_children() if p.is_alive()]
    for p in kids:
        p.terminate()
    deadline = time.time() + timeout
    for p in kids:
        p.join(max(0.0, deadline - time.time()))
        if p.is_alive():
            p.kill()
            p.join(5)
    return len(kids)
