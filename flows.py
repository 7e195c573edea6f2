"""Prefect flows: nightly, incremental, idempotent ingestion of plans.

``ingest`` = discover → read+extract (batched tasks, retried on transient
errors, a bad file isolated as a failure) → commit each batch → link the
whole corpus → publish the Parquet tables → a run-summary artifact.

Task runners: ``threads`` (default), ``processes``, ``dask`` (prefect-dask's
DaskTaskRunner; a LocalCluster, or an existing cluster with
``dask_address="tcp://HOST:PORT"``), ``sequential``.

The functions doing the work live in ``pipeline.ingest``; this module only
orchestrates them.
"""
from __future__ import annotations

from pipeline.config import Limits, Settings, load_settings, prefect_environment

prefect_environment()

import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402

from pipeline import heap  # noqa: E402
from pipeline import ingest as steps  # noqa: E402
from pipeline.extraction_version import extraction_version  # noqa: E402
from pipeline.isolation import keep_workers  # noqa: E402
from pipeline.localserver import wait_embedded  # noqa: E402
from pipeline.store import Store, utcnow  # noqa: E402


def _transient(task, task_run, state) -> bool:
    """Retry only what may succeed on a second try (I/O hiccups, a worker lost), never a deterministic bug."""
    try:
        state.result()
    except (OSError, TimeoutError, ConnectionError):
        return True
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__ in {"CommClosedError", "KilledWorker"}
    return False


@task(name="discover", retries=2, retry_delay_seconds=1)
def discover_task(paths: list[str], limits: Limits) -> list[steps.Candidate]:
    return steps.discover(paths, limits)


@task(name="read-extract-batch", retries=2, retry_delay_seconds=2, retry_condition_fn=_transient)
def process_batch_task(items: list[steps.Candidate], limits: Limits, out: str, batch_id: str) -> steps.BatchResult:
    """Read and extract a batch and write its (uncommitted) parts into ``out``, so the result that travels
    back to the flow is only outcomes and counts."""
    return steps.write_batch_parts(Store(out), batch_id, steps.process_batch(items, limits))


@task(name="link-and-publish", retries=1, retry_delay_seconds=1, retry_condition_fn=_transient)
def publish_task(out: str, force: bool = False) -> dict[str, int] | None:
    store = Store(out)
    return steps.publish(store, store.load_manifest(), force=force)


def task_runner(settings: Settings):
    """The Prefect task runner for ``settings.runner``."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    if settings.runner == "threads":
        return ThreadPoolTaskRunner(max_workers=settings.workers)
    if settings.runner == "sequential":
        return ThreadPoolTaskRunner(max_workers=1)
    if settings.runner == "processes":
        return ProcessPoolTaskRunner(max_workers=settings.workers)
    if settings.runner == "dask":
        import dask
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        # the local cluster's workers are not daemonic, so that each reads its files in forked readers under
        # the per-file limits, as the other runners do (a daemonic process may not fork; the nannies still stop
        # their workers when the cluster closes)
        dask.config.set({"distributed.worker.daemon": False})
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": settings.workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
        )
    raise ValueError(f"unknown runner {settings.runner!r}")


def _summary_markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# Ingest run {summary['run_id']}",
        "",
        f"Output: `{summary['out']}` · files seen {summary['files_seen']} · processed {summary['processed']} · "
        f"unchanged {summary['unchanged']} · failed {len(summary['failures'])} · {summary['seconds_total']:.1f} s",
        "",
        "| table | rows |",
        "|---|---|",
    ]
    for k, v in (summary.get("counts") or {}).items():
        lines.append(f"| {k} | {v} |")
    lines += ["", "| stage | seconds |", "|---|---|"]
    for k, v in summary["seconds"].items():
        lines.append(f"| {k} | {v:.2f} |")
    if summary["failures"]:
        lines += ["", "| file | error | message |", "|---|---|---|"]
        for f in summary["failures"]:
            lines.append(f"| {f['path']} | {f['error_kind']} | {f['message']} |")
    return "\n".join(lines)


def run_ingest(
    paths: list[str],
    settings: Settings,
    on_batch: Callable[[int, int], None] | None = None,
    force_publish: bool = False,
) -> dict[str, Any]:
    """Body of the ingest flow (called inside a flow run so tasks are tracked)."""
    with Store(settings.out).lock():
        return _run_ingest(paths, settings, on_batch, force_publish)


def _run_ingest(paths: list[str], settings: Settings, on_batch: Callable[[int, int], None] | None,
                force_publish: bool) -> dict[str, Any]:
    t_start = time.perf_counter()
    logger = get_run_logger()
    limits = settings.limits()
    store = Store(settings.out)
    manifest = store.load_manifest()
    run_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]

    t0 = time.perf_counter()
    cands = discover_task(paths, limits)
    pl = steps.plan(cands, manifest)
    seconds: dict[str, float] = {"discover": time.perf_counter() - t0}
    steps.record_discovery_failures(store, manifest, pl.failed_discovery)
    logger.info(
        "%d files: %d to read, %d unchanged, %d known failures, %d refused",
        len(cands), len(pl.todo), len(pl.unchanged), len(pl.known_failures), len(pl.failed_discovery),
    )
    if pl.stale:
        logger.info("%d of the files to read are unchanged but their rows were made by other extraction code: "
                    "read again with this version (%s)", len(pl.stale), extraction_version())

    groups = steps.batches(pl.todo, settings.batch_size, settings.workers)
    batch_ids = [f"{run_id}-{i:05d}" for i in range(len(groups))]
    # batch tasks running in this process (the threads runner) keep their forked reader from one batch to
    # the next; the readers stop before publishing
    with keep_workers():
        futures = [process_batch_task.submit(g, limits, str(settings.out), b) for g, b in zip(groups, batch_ids)]
        failures: list[dict[str, Any]] = [
            {"path": c.path, "error_kind": c.error[0], "message": c.error[1]} for c in pl.failed_discovery if c.error
        ]
        processed = 0
        done_files = 0
        n_pages = n_chars = n_bytes = 0
        for i, group in enumerate(groups):
            fut, futures[i] = futures[i], None  # keep no finished batch alive: memory stays flat in N
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - the batch task failed after its retries: record every file
                res = steps.BatchResult(outcomes=[
                    steps.FileOutcome(c.path, c.sha256, error_kind="internal", message=f"{c.path}: batch failed ({type(exc).__name__}: {exc})")
                    for c in group
                ])
            t0 = time.perf_counter()
            steps.commit_batch(store, manifest, batch_ids[i], res, quarantine=settings.quarantine)
            seconds["commit"] = seconds.get("commit", 0.0) + time.perf_counter() - t0
            for k, v in res.seconds.items():
                seconds[k] = seconds.get(k, 0.0) + v
            n_pages, n_chars, n_bytes = n_pages + res.n_pages, n_chars + res.n_chars, n_bytes + res.n_bytes
            for o in res.outcomes:
                if o.doc_id:
                    processed += 1
                else:
                    failures.append({"path": o.path, "error_kind": o.error_kind, "message": o.message})
                    logger.warning("%s", o.message)
            done_files += len(group)
            if on_batch:
                on_batch(done_files, len(pl.todo))

    t0 = time.perf_counter()
    counts = publish_task(settings.out, force=force_publish)
    seconds["link+write"] = time.perf_counter() - t0
    if counts is None:  # nothing changed since the last complete publication
        counts = {}
    summary = {
        "run_id": run_id, "out": str(settings.out), "files_seen": len(cands), "processed": processed,
        "unchanged": len(pl.unchanged), "stale": len(pl.stale), "known_failures": len(pl.known_failures), "failures": failures,
        "counts": counts, "seconds": seconds, "seconds_total": time.perf_counter() - t_start,
        "pages": n_pages, "chars": n_chars, "bytes": n_bytes, "finished_at": utcnow(),
    }
    try:
        create_markdown_artifact(markdown=_summary_markdown(summary), key="ingest-summary", description="plans ingest run summary")
    except Exception as exc:  # noqa: BLE001 - an artifact must never fail the run
        logger.warning("could not publish the run summary artifact: %s", exc)
    return summary


@flow(name="ingest", log_prints=True)
def ingest(
    paths: list[str],
    out: str = "outputs",
    batch_size: int = Settings.batch_size,
    runner: str = "threads",
    workers: int = 2,
    dask_address: str | None = None,
    quarantine: bool = True,
) -> dict[str, Any]:
    """Ingest plan files (PDF, DOCX, TXT) into Parquet tables: incremental, idempotent, crash-safe."""
    settings = load_settings(out=out, batch_size=batch_size, runner=runner, workers=workers,
                             dask_address=dask_address, quarantine=quarantine)
    return run_ingest(paths, settings)


def ingest_with(settings: Settings, paths: list[str], on_batch: Callable[[int, int], None] | None = None,
                force_publish: bool = False) -> dict[str, Any]:
    """Run the ingest flow with the task runner chosen in ``settings``.

    ``on_batch`` (a progress callback, e.g. a rich progress bar holding locks) is looked up by a token
    instead of being captured by the flow: process and Dask runners pickle the flow with each task,
    and a lock cannot be pickled."""
    token = uuid.uuid4().hex
    if on_batch is not None:
        _PROGRESS[token] = on_batch
    # While the API server boots (a subprocess), load in a thread what the run needs first: spaCy, the
    # gazetteers and the compiled PDF kernels when readers fork from this process, and the two modules
    # Prefect imports only when a flow run starts (~0.4 s)
    import threading

    threading.Thread(target=_prepare_run, args=(settings.runner in ("threads", "sequential") and settings.limits().isolate,),
                     name="plans-warm-up", daemon=True).start()
    wait_embedded()  # the private API server started by pipeline.localserver.embedded_api, if any

    @flow(name="ingest", log_prints=True, task_runner=task_runner(settings))
    def _ingest(paths: list[str]) -> dict[str, Any]:
        return run_ingest(paths, settings, on_batch=_progress_callback(token), force_publish=force_publish)

    try:
        with _no_heartbeats_on_a_private_server():
            return _ingest(paths)
    finally:
        _PROGRESS.pop(token, None)


def _no_heartbeats_on_a_private_server():
    """Flow-run heartbeats let a server mark a run whose process died as crashed. A private server (this
    process's own, or Prefect's ephemeral one) dies with the process, so nobody is left to watch them;
    and at the end of every run Prefect waits up to a second for the heartbeat thread to wake up and
    stop. Kept whenever an API server is configured (PREFECT_API_URL, `plans serve`)."""
    import contextlib

    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    from pipeline.localserver import embedded_url

    url = get_current_settings().api.url
    if url is None or url == embedded_url():
        return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
    return contextlib.nullcontext()


_PROGRESS: dict[str, Callable[[int, int], None]] = {}  # progress callbacks of the runs in this process


def _prepare_run(readers_fork_here: bool) -> None:
    try:
        if readers_fork_here:
            from pipeline.isolation import warm_up

            warm_up()
        import fastapi.encoders  # noqa: F401 - Flow.serialize_parameters imports it at the first flow call
        import prefect.utilities.visualization  # noqa: F401 - and Flow.__call__ this one
    finally:
        heap.settle()  # start-up's objects frozen, collection back on (if the command held it: pipeline/heap.py)


def _progress_callback(token: str) -> Callable[[int, int], None] | None:
    # a module-level function is pickled by reference (the closure above, by value, with the globals it names)
    return _PROGRESS.get(token)


@flow(name="ingest-inbox", log_prints=True)
def ingest_inbox(inbox: str, out: str = "outputs", batch_size: int = Settings.batch_size, runner: str = "threads", workers: int = 2,
                 dask_address: str | None = None) -> dict[str, Any]:
    """The scheduled flow: ingest everything new in ``inbox``."""
    settings = load_settings(out=out, batch_size=batch_size, runner=runner, workers=workers, dask_address=dask_address)
    return ingest_with(settings, [inbox])


def serve(settings: Settings, name: str = "nightly-ingest") -> None:
    """Serve a deployment of ``ingest_inbox`` on a cron schedule (blocks; Ctrl-C to stop)."""
    from prefect.schedules import Cron

    if not settings.inbox:
        raise ValueError("an inbox folder is required (--inbox DIR or PLANS_INBOX)")
    ingest_inbox.serve(
        name=name,
        schedule=Cron(settings.cron, timezone=settings.timezone),
        parameters={
            "inbox": str(Path(settings.inbox).resolve()), "out": str(Path(settings.out).resolve()),
            "batch_size": settings.batch_size, "runner": settings.runner, "workers": settings.workers,
            "dask_address": settings.dask_address,
        },
    )


def deployment_spec(settings: Settings, name: str = "nightly-ingest"):
    """The deployment object (without serving it): used by tests and `plans serve --dry-run`."""
    from prefect.schedules import Cron

    return ingest_inbox.to_deployment(
        name=name,
        schedule=Cron(settings.cron, timezone=settings.timezone),
        parameters={"inbox": str(Path(settings.inbox or ".").resolve()), "out": str(Path(settings.out).resolve())},
    )


__all__ = ["ingest", "ingest_inbox", "ingest_with", "run_ingest", "serve", "deployment_spec", "task_runner"]
