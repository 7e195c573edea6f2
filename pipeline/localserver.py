"""Private Prefect servers on loopback, for embedded mode (no PREFECT_API_URL configured).

* ``local_server`` — for `plans serve`: Prefect's ephemeral API cannot run the scheduler, so a
  served deployment would never fire; `plans serve` starts `prefect server start` on 127.0.0.1
  (a free port, state under PREFECT_HOME, UI and telemetry off) and stops it on exit.
* ``EphemeralServer`` — for `plans ingest`: the same API server Prefect's ephemeral mode starts
  (uvicorn on Prefect's app factory, services off), but launched by us *before* Prefect is
  imported, so that it boots on the other core while this process imports Prefect and warms the
  pipeline up; and this process never imports Prefect's server code (Prefect's own ephemeral mode
  imports the whole API app in the client just to launch that subprocess: ~3 s of start-up).

Nothing listens beyond loopback and nothing reaches the network.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Iterator

from pipeline.isolation import die_with_parent


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
        preexec_fn=functools.partial(die_with_parent, signal.SIGTERM),  # never outlives `plans serve`
    )
    try:
        _wait_healthy(proc, url, timeout, 0.5)
        yield url
    finally:
        _stop(proc, 20)


def _wait_healthy(proc: subprocess.Popen, url: str, timeout: float, poll: float) -> None:
    t0 = time.time()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the local Prefect server exited early (code {proc.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.time() - t0 > timeout:
            raise RuntimeError(f"the local Prefect server did not start within {timeout:.0f} s")
        time.sleep(poll)


def _stop(proc: subprocess.Popen, timeout: float) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class EphemeralServer:
    """Prefect's API server (as its ephemeral mode runs it) in a subprocess on a free loopback port.

    ``start()`` returns at once; ``url()`` waits until the server answers; ``stop()`` ends it.
    Usable as a context manager."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.api_url = ""
        self._ready = False

    def start(self) -> "EphemeralServer":
        if self.proc is None:
            port = _free_port()
            self.api_url = f"http://127.0.0.1:{port}/api"
            env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT_SERVER_UI_ENABLED": "false",
                   "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
                   # no block-type registration at boot: an ingest run uses no blocks, and checking whether the
                   # registry changed imports every installed Prefect collection first (prefect-dask loads
                   # distributed): ~0.5 s of the boot's ~3.7 s of CPU.  `plans serve`'s server still registers them
                   "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
                   "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}
            env.pop("PREFECT_API_URL", None)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # same process group: Ctrl-C stops it too
                preexec_fn=functools.partial(die_with_parent, signal.SIGTERM),  # and a `kill -9` of the command does not orphan it
            )
        return self

    def url(self) -> str:
        """The API URL, once the server answers its health check."""
        self.start()
        if not self._ready:
            assert self.proc is not None
            _wait_healthy(self.proc, self.api_url, self.timeout, 0.05)
            self._ready = True
        return self.api_url

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc, 20)
            self.proc = None
            self._ready = False

    def __enter__(self) -> "EphemeralServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_EMBEDDED: EphemeralServer | None = None


def embedded_api() -> EphemeralServer | None:
    """Embedded mode for this process: unless PREFECT_API_URL is set, start the process-wide private
    server now and point PREFECT_API_URL at it (it is stopped when the process exits).

    Call it before Prefect is imported (Prefect reads its settings once); the server boots while the
    caller imports Prefect and the pipeline. Returns the server, or None when an API is configured.
    Call it from the main thread: the kernel stops the server when the thread that started it ends."""
    global _EMBEDDED
    if _EMBEDDED is None and not os.environ.get("PREFECT_API_URL"):
        if "prefect" in sys.modules:
            raise RuntimeError("embedded_api() must run before Prefect is imported")
        _EMBEDDED = EphemeralServer().start()
        os.environ["PREFECT_API_URL"] = _EMBEDDED.api_url
        atexit.register(_EMBEDDED.stop)
    return _EMBEDDED


def embedded_url() -> str | None:
    """The API URL of this process's private server, if ``embedded_api`` started one."""
    return _EMBEDDED.api_url if _EMBEDDED is not None else None


def wait_embedded() -> None:
    """Block until this process's private server (if ``embedded_api`` started one) answers."""
    if _EMBEDDED is not None:
        _EMBEDDED.url()


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
