"""Configuration in one place: CLI flags over environment variables over a config file over defaults.

Config file: ``plans.toml`` in the working directory, or the file named by
``--config`` / ``PLANS_CONFIG``.  Keys are the field names below, at top level::

    out = "outputs"
    inbox = "/data/inbox"
    batch_size = 50
    runner = "threads"
    max_file_mb = 100

Environment variables: ``PLANS_<FIELD>`` in upper case (``PLANS_OUT``,
``PLANS_BATCH_SIZE``, ``PLANS_MAX_FILE_MB``...).

This module also switches Prefect to a fully local, offline mode (no
telemetry, embedded server, state under ``PREFECT_HOME``) before Prefect is
imported: call :func:`prefect_environment` first.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Limits:
    """Safety limits applied to every input file (safe defaults; all configurable)."""

    max_file_bytes: int = 100 * 1024 * 1024  # larger files are refused (too_large)
    max_pages: int = 3000  # PDF pages read at most
    max_uncompressed_bytes: int = 200 * 1024 * 1024  # DOCX zip: total uncompressed size (zip bombs)
    max_chars: int = 5_000_000  # text per document (~2,000 dense pages; keeps a worker near 1 GB)
    seconds_per_file: float = 120.0  # wall-clock budget per file (enforced when isolate is on)
    max_memory_bytes: int = 2 * 1024 * 1024 * 1024  # address space a reading worker may add to what it inherits
    isolate: bool = True  # read each file in a forked worker (time and memory limits); not in a daemonic process


@dataclass
class Settings:
    out: str = "outputs"
    inbox: str | None = None
    batch_size: int = 50  # files per Prefect task at most: ~30 ms of bookkeeping a task (benchmarks/README.md)
    runner: str = "threads"  # threads | processes | dask | sequential
    workers: int = 2
    dask_address: str | None = None
    cron: str = "0 2 * * *"
    timezone: str = "Asia/Ho_Chi_Minh"
    quarantine: bool = True
    max_file_mb: float = 100.0
    max_pages: int = 3000
    max_uncompressed_mb: float = 200.0
    seconds_per_file: float = 120.0
    max_memory_mb: float = 2048.0
    max_chars: int = 5_000_000
    isolate: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def limits(self) -> Limits:
        return Limits(
            max_file_bytes=int(self.max_file_mb * 1024 * 1024),
            max_pages=int(self.max_pages),
            max_uncompressed_bytes=int(self.max_uncompressed_mb * 1024 * 1024),
            seconds_per_file=float(self.seconds_per_file),
            max_memory_bytes=int(self.max_memory_mb * 1024 * 1024),
            max_chars=int(self.max_chars),
            # (a daemonic process may not fork: there, files are read in the process itself, see isolation.fork_available)
            isolate=bool(self.isolate),
        )


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return str(value).strip().lower() in {"1", "true", "yes", "on"} if not isinstance(value, bool) else value
    if isinstance(default, int) and not isinstance(default, bool):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def load_settings(config_file: str | Path | None = None, **cli: Any) -> Settings:
    """Merge defaults < config file < environment < CLI flags (None flags are ignored)."""
    s = Settings()
    names = {f.name: f for f in fields(Settings) if f.name != "extra"}
    path = config_file or os.environ.get("PLANS_CONFIG")
    if path is None and Path("plans.toml").exists():
        path = "plans.toml"
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"{p}: config file not found")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{p}: invalid TOML ({exc})") from exc
        for k, v in data.items():
            if k not in names:
                raise ValueError(f"{p}: unknown setting {k!r} (known: {', '.join(sorted(names))})")
            setattr(s, k, _coerce(v, getattr(s, k)) if getattr(s, k) is not None else v)
    for k in names:
        env = os.environ.get(f"PLANS_{k.upper()}")
        if env is not None and env != "":
            setattr(s, k, _coerce(env, getattr(s, k)) if getattr(s, k) is not None else env)
    for k, v in cli.items():
        if v is not None:
            if k not in names:
                raise ValueError(f"unknown setting {k!r}")
            setattr(s, k, v)
    if s.runner not in {"threads", "processes", "dask", "sequential"}:
        raise ValueError(f"runner must be threads, processes, dask or sequential, not {s.runner!r}")
    return s


def prefect_environment(home: str | Path | None = None) -> None:
    """Local, offline Prefect: no telemetry, no cloud, embedded (ephemeral) server unless PREFECT_API_URL is set."""
    defaults = {
        "PREFECT_HOME": str(home or (REPO_ROOT / ".prefect")),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    for k, v in defaults.items():
        os.environ.setdefault(k, v)
