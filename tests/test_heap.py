"""The garbage collector around start-up and publishing (pipeline/heap.py): off while `plans ingest` starts
and while publishing builds its records, on again after, and the objects start-up built frozen."""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import heap

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.txt"


def test_plans_ingest_collects_nothing_until_started_then_collects_again(tmp_path):
    """The real command in a fresh process: no collection from the start of the command until its start-up
    (importing Prefect and the pipeline, the warm-up) settles, the collector on again after it, start-up's
    objects frozen; the run itself unchanged."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / SEED.name).write_bytes(SEED.read_bytes())
    script = f"""
import gc, json, sys
events = []
gc.callbacks.append(lambda phase, info: phase == "start" and events.append(info["generation"]))
from pipeline import heap
hold, settle = heap.hold, heap.settle
def hold_and_mark():
    events.append("held")
    hold()
def settle_and_mark():
    events.append("settled")
    settle()
heap.hold, heap.settle = hold_and_mark, settle_and_mark
sys.argv = ["plans", "ingest", {str(inbox)!r}, "--out", {str(tmp_path / 'out')!r}, "-q"]
from pipeline.cli import main
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
gc.collect()
print(json.dumps({{"events": events, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}))
"""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "1 processed" in p.stdout, p.stdout + p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    ev = r["events"]
    assert "held" in ev and "settled" in ev
    # not one collection from the command's start (after parsing its arguments) until start-up settled
    assert ev.index("settled") == ev.index("held") + 1, ev[ev.index("held"):][:10]
    assert r["events"].count(2) >= 1  # the explicit gc.collect() at the end: the collector works again
    assert r["enabled"] is True
    assert r["frozen"] > 100_000  # start-up's modules, spaCy, tables


def test_publishing_runs_without_collections_and_restores_the_collector_even_on_failure(tmp_path, monkeypatch):
    from pipeline import ingest as steps
    from pipeline import linking
    from pipeline.store import Store

    store = Store(tmp_path / "out")
    manifest = store.load_manifest()
    res = steps.process_batch(steps.plan(steps.discover([str(SEED)]), manifest).todo)
    steps.commit_batch(store, manifest, "b0", res)
    seen: list[bool] = []
    real = linking.link_batches

    def spy(*a, **k):
        seen.append(gc.isenabled())
        return real(*a, **k)

    monkeypatch.setattr(linking, "link_batches", spy)
    assert gc.isenabled()
    counts = steps.publish(store, manifest)
    assert counts and counts["citations"] > 0
    assert seen == [False] and gc.isenabled()

    def broken(*a, **k):
        seen.append(gc.isenabled())
        raise RuntimeError("linker failed")

    monkeypatch.setattr(linking, "link_batches", broken)
    with pytest.raises(RuntimeError, match="linker failed"):
        steps.publish(store, manifest, force=True)
    assert seen == [False, False] and gc.isenabled()


def test_paused_leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with heap.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_settle_without_hold_changes_nothing_and_a_fork_freeze_is_thawed():
    """Tests and notebooks call the flow without the command's start-up hold: their heap is left as it is."""
    before = gc.get_freeze_count()
    heap.settle()
    assert gc.isenabled() and gc.get_freeze_count() == before
    with heap.frozen_for_fork():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == before


def test_the_command_called_in_process_leaves_the_callers_heap_alone(tmp_path):
    """Only `plans` running as its own process holds and freezes the heap; a caller's CliRunner (a test, a
    notebook) keeps a working collector even when the command stops early on a usage error."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    before = gc.get_freeze_count()
    assert CliRunner().invoke(app, ["ingest", str(tmp_path), "--runner", "bogus"]).exit_code == 2
    assert gc.isenabled() and gc.get_freeze_count() == before
