"""The Prefect ingest flow: incremental, idempotent, crash-safe, isolated failures, Dask, schedule.

Runs against a temporary Prefect server (prefect_test_harness), on copies of the TXT seeds so that
the whole module stays quick.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import load_settings, prefect_environment

prefect_environment()

from prefect.testing.utilities import prefect_test_harness  # noqa: E402

import flows  # noqa: E402
from pipeline import store as store_mod  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
QN = REPO / "corpus" / "quang-nam-2025-ke-hoach-doi-ngoai.txt"
NA = REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.txt"
TABLES = ("documents", "citations", "instruments", "relations", "conflicts", "localities", "targets", "dates", "failures")


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def run(inbox: Path, out: Path, **kw):
    settings = load_settings(out=str(out), **kw)
    return flows.ingest_with(settings, [str(inbox)])


def snapshot(out: Path) -> dict[str, list[dict]]:
    return {t: pq.read_table(out / f"{t}.parquet").to_pylist() for t in TABLES}


def test_same_inputs_twice_processes_nothing(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    first = run(inbox, out)
    assert first["processed"] == 1 and not first["failures"]
    before = snapshot(out)
    assert len(before["documents"]) == 1 and len(before["citations"]) > 40
    second = run(inbox, out)
    assert second["processed"] == 0 and second["unchanged"] == 1
    assert snapshot(out) == before


def test_new_file_only_it_is_read_and_cross_links_appear(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    run(inbox, out)
    shutil.copy(NA, inbox / "na.txt")
    res = run(inbox, out)
    assert res["processed"] == 1 and res["unchanged"] == 1
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    assert {d["province"] for d in docs} == {"Quảng Nam", "Nghệ An"}
    inst = {r["symbol"]: r for r in pq.read_table(out / "instruments.parquet").to_pylist()}
    # instruments cited by both plans (gold cross_document_links)
    for sym in ("169/NQ-CP", "36-NQ/TW", "45-CT/TW", "12-KL/TW", "12-CT/TW", "32-CT/TW"):
        assert inst[sym]["n_documents"] == 2, sym
    conflicts = {(c["symbol"], c["kind"]) for c in pq.read_table(out / "conflicts.parquet").to_pylist()}
    assert ("32-CT/TW", "date") in conflicts


def test_modified_file_replaces_rows_and_keeps_history(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    plan = inbox / "plan.txt"
    text = QN.read_text(encoding="utf-8")
    plan.write_text(text, encoding="utf-8")
    run(inbox, out)
    old_doc = pq.read_table(out / "documents.parquet").to_pylist()[0]["doc_id"]
    plan.write_text(
        text.replace("Công văn số 8337/UBND-TH", "Công văn số 9999/UBND-TH"), encoding="utf-8"
    )
    res = run(inbox, out)
    assert res["processed"] == 1
    docs = pq.read_table(out / "documents.parquet").to_pylist()
    assert [(d["version"], d["is_current"]) for d in docs] == [(1, False), (2, True)]
    new_doc = docs[1]["doc_id"]
    cits = pq.read_table(out / "citations.parquet").to_pylist()
    assert {c["doc_id"] for c in cits} == {new_doc} and new_doc != old_doc
    syms = {c["symbol"] for c in cits}
    assert "9999/UBND-TH" in syms and "8337/UBND-TH" not in syms


def test_an_upgrade_of_the_extraction_code_reads_unchanged_files_again_once(tmp_path, monkeypatch):
    """Rows made by other extraction code (an older release: its manifest entries carry another version, or
    none) are made again at the next run, replacing the old ones: same doc_id and version, no duplicates, the
    old batch's parts removed; the run after that reads nothing."""
    from pipeline import ingest as steps
    from pipeline.extraction_version import extraction_version

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    monkeypatch.setattr(steps, "extraction_version", lambda: "0ld0ld0ld0ld0ld0")
    assert run(inbox, out)["processed"] == 1
    before = snapshot(out)
    old_parts = {p.name for p in (out / "_state" / "parts").iterdir()}
    assert run(inbox, out)["processed"] == 0  # the same code: nothing to do
    monkeypatch.undo()

    res = run(inbox, out)
    assert (res["processed"], res["stale"], res["unchanged"]) == (1, 1, 0)
    after = snapshot(out)
    assert [(d["doc_id"], d["version"], d["is_current"]) for d in after["documents"]] == [
        (before["documents"][0]["doc_id"], 1, True)]
    assert after["citations"] == before["citations"]  # replaced, not added beside
    entries = list(store_mod.Store(out).load_manifest().files.values())
    assert [e.extraction for e in entries] == [extraction_version()]
    assert not old_parts & {p.name for p in (out / "_state" / "parts").iterdir()}
    again = run(inbox, out)
    assert (again["processed"], again["stale"], again["unchanged"]) == (0, 0, 1)


def test_interrupted_write_keeps_previous_outputs_and_next_run_completes(tmp_path, monkeypatch):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    run(inbox, out)
    before = snapshot(out)
    shutil.copy(NA, inbox / "na.txt")

    real = store_mod.atomic_write_table
    calls = {"n": 0}

    def dying_write(table, path):
        # die in the middle of publishing: after a few tables were replaced
        if Path(path).parent == out and not Path(path).name.startswith("."):
            calls["n"] += 1
            if calls["n"] >= 4:  # every attempt dies there (the publish task's retry included)
                raise OSError("killed while writing " + Path(path).name)
        return real(table, path)

    monkeypatch.setattr(store_mod, "atomic_write_table", dying_write)
    with pytest.raises(Exception):
        run(inbox, out)
    # every table still readable and whole (old or new, never half-written)
    for t in TABLES:
        pq.read_table(out / f"{t}.parquet")
    assert not list(out.glob(".*.tmp-*"))
    monkeypatch.setattr(store_mod, "atomic_write_table", real)
    res = run(inbox, out)
    assert res["processed"] == 0  # the batch was committed before the crash: nothing is read twice
    after = snapshot(out)
    assert {d["province"] for d in after["documents"]} == {"Quảng Nam", "Nghệ An"}
    qn_doc = before["documents"][0]["doc_id"]
    assert [c for c in after["citations"] if c["doc_id"] == qn_doc] == [
        {**c, **{k: c2[k] for k in ("instrument_id", "link_confidence", "link_evidence", "ambiguous")}}
        for c, c2 in zip(before["citations"], [c for c in after["citations"] if c["doc_id"] == qn_doc])
    ]


def test_corrupt_file_among_good_ones(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    shutil.copy(NA, inbox / "na.txt")
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    (inbox / "empty.docx").write_bytes(b"")
    res = run(inbox, out, batch_size=1)
    assert res["processed"] == 2
    fails = {Path(f["source_path"]).name: f for f in pq.read_table(out / "failures.parquet").to_pylist()}
    assert set(fails) == {"broken.pdf", "empty.docx"}
    assert fails["broken.pdf"]["error_kind"] == "corrupt" and "broken.pdf" in fails["broken.pdf"]["message"]
    assert fails["empty.docx"]["error_kind"] == "empty"
    assert Path(fails["broken.pdf"]["quarantine_path"]).exists()
    assert len(pq.read_table(out / "documents.parquet")) == 2
    # a known-bad file is not retried while its bytes are unchanged
    again = run(inbox, out)
    assert again["processed"] == 0 and again["known_failures"] == 2


def test_dask_local_cluster_gives_same_tables(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    shutil.copy(NA, inbox / "na.txt")
    run(inbox, tmp_path / "local", batch_size=1)
    res = run(inbox, tmp_path / "dask", batch_size=1, runner="dask", workers=2)
    assert res["processed"] == 2
    a, b = snapshot(tmp_path / "local"), snapshot(tmp_path / "dask")
    for t in TABLES:
        if t == "documents":
            strip = lambda rows: [{k: v for k, v in r.items() if k != "ingested_at"} for r in rows]  # noqa: E731
            assert strip(a[t]) == strip(b[t])
        else:
            assert a[t] == b[t], t


def test_dask_workers_apply_the_per_file_limits(tmp_path):
    """The local Dask cluster's workers read each file in a forked reader under the per-file limits, as the
    other runners do: with a time budget far below a file's reading time every file times out (its worker
    stopped) and is recorded as a failure. Before, Dask workers were daemonic, could not fork, and read the
    files themselves with no time or memory limit (both files were processed)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    shutil.copy(NA, inbox / "na.txt")
    out = tmp_path / "out"
    res = run(inbox, out, batch_size=1, runner="dask", workers=2, seconds_per_file=0.001)
    assert res["processed"] == 0 and len(res["failures"]) == 2
    fails = pq.read_table(out / "failures.parquet").to_pylist()
    assert sorted(Path(f["source_path"]).name for f in fails) == ["na.txt", "qn.txt"]
    assert {f["error_kind"] for f in fails} == {"timeout"}
    assert all("0.001 s" in f["message"] for f in fails)


def test_deployment_with_cron_schedule_is_created_and_listed(tmp_path):
    from prefect.client.orchestration import get_client

    settings = load_settings(inbox=str(tmp_path), out=str(tmp_path / "out"))
    dep = flows.deployment_spec(settings, name="nightly-test")
    dep_id = dep.apply()

    import anyio

    async def read():
        async with get_client() as client:
            d = await client.read_deployment(dep_id)
            return d

    d = anyio.run(read)
    assert d.name == "nightly-test"
    sched = d.schedules[0].schedule
    assert sched.cron == "0 2 * * *" and sched.timezone == "Asia/Ho_Chi_Minh"
    assert d.parameters["inbox"] == str(tmp_path.resolve())


def test_batches_keep_every_worker_busy_on_small_runs_and_stay_large_on_big_ones():
    from pipeline.ingest import batches

    items = list(range(10))
    assert [len(b) for b in batches(items, 25, workers=2)] == [3, 3, 3, 1]
    assert [len(b) for b in batches(list(range(1000)), 25, workers=2)] == [25] * 40
    assert [len(b) for b in batches(items, 4, workers=1)] == [4, 4, 2]
    assert batches([], 25, workers=2) == []
    assert sum(batches(list(range(7)), 25, workers=8), []) == list(range(7))  # nothing lost or repeated


def test_default_batch_size_is_one_setting_used_by_the_flows_cli_and_benchmark(monkeypatch):
    """Large runs get batches of 50 (one Prefect task each: ~30 ms of bookkeeping a task, half the tasks
    of the old 25); the flows, the CLI's help and the benchmark take the default from Settings."""
    import argparse
    import inspect

    from typer.testing import CliRunner

    from benchmarks import run as bench
    from pipeline.cli import app
    from pipeline.config import Settings, load_settings
    from pipeline.ingest import batches

    assert Settings().batch_size == load_settings().batch_size == 50
    assert [len(b) for b in batches(list(range(1000)), Settings().batch_size, workers=2)] == [50] * 20
    for fl in (flows.ingest, flows.ingest_inbox):
        assert inspect.signature(fl.fn).parameters["batch_size"].default == 50
    assert "[default: 50]" in " ".join(CliRunner().invoke(app, ["ingest", "--help"]).output.split())

    class Parsed(Exception):
        pass

    def parse_args(self, args=None, namespace=None):  # the benchmark's parser, stopped before it measures
        raise Parsed(self.get_default("batch_size"))

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_args)
    with pytest.raises(Parsed) as got:
        bench.main([])
    assert got.value.args == (50,)


def test_heartbeats_only_when_the_api_server_outlives_the_run(tmp_path, monkeypatch):
    """A configured server (here the harness's) gets the flow run's heartbeats; this process's private
    server, which dies with the process, does not (Prefect would also wait for the heartbeat thread at
    the end of each run)."""
    import prefect.flow_engine as engine_mod
    from prefect.settings import get_current_settings

    from pipeline import localserver

    intervals: list[object] = []
    orig = engine_mod._send_heartbeats

    def spy(engine, *a, **k):
        intervals.append(engine.heartbeat_seconds)
        return orig(engine, *a, **k)

    monkeypatch.setattr(engine_mod, "_send_heartbeats", spy)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(QN, inbox / "qn.txt")
    run(inbox, tmp_path / "out1")
    assert intervals and all(isinstance(s, int) and s > 0 for s in intervals)
    intervals.clear()
    harness_url = get_current_settings().api.url
    monkeypatch.setattr(localserver, "embedded_url", lambda: harness_url)  # as if it were the private server
    run(inbox, tmp_path / "out2")
    assert intervals and all(s is None for s in intervals)
