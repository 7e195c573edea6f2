"""The `plans` command as a user runs it: help, exit codes, ingest, eval, graph export."""
from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO.parent / "shared" / "gold" / "seeds.json"
SEEDS_TXT = [REPO / "corpus" / "quang-nam-2025-ke-hoach-doi-ngoai.txt", REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.txt"]
runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """Tables of the two TXT seeds, built through the ingestion steps (no Prefect: fast)."""
    from pipeline import ingest as steps
    from pipeline.store import Store

    out = tmp_path_factory.mktemp("out")
    store = Store(out)
    manifest = store.load_manifest()
    cands = steps.discover([str(p) for p in SEEDS_TXT])
    res = steps.process_batch(steps.plan(cands, manifest).todo)
    steps.commit_batch(store, manifest, "b0", res)
    steps.publish(store, manifest)
    return out


def test_help_teaches_every_command():
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for cmd in ("ingest", "eval", "sql", "cites", "chain", "compare", "graph", "serve", "tables"):
        assert cmd in r.output
    r = runner.invoke(app, ["ingest", "--help"])
    assert r.exit_code == 0 and "Example: plans ingest" in r.output


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["ingest", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["ingest", str(tmp_path), "--runner", "bogus"]).exit_code == 2
    assert runner.invoke(app, ["nonsense"]).exit_code == 2
    r = runner.invoke(app, ["eval", str(tmp_path), "--gold", str(GOLD)])
    assert r.exit_code == 2 and "run `plans ingest` first" in r.output


def test_eval_scores_the_seeds(out):
    r = runner.invoke(app, ["eval", str(out), "--gold", str(GOLD), "--json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    assert len(rep["documents"]) == 2
    for d in rep["documents"]:
        assert d["instruments"]["precision"] == 1.0 and d["instruments"]["recall"] == 1.0, d["instruments"]
        assert d["dates_cited"]["accuracy"] == 1.0, d["dates_cited"]["missed"]
        assert d["localities"]["f1"] >= 0.95
        assert d["targets"]["recall"] == 1.0 and d["deadlines"]["recall"] == 1.0
        assert all(v["ok"] for v in d["metadata"].values()), d["metadata"]
    corpus = rep["corpus"]
    assert corpus["txt"]["cross_document_links"]["f1"] == 1.0
    assert corpus["txt"]["relations"]["precision"] >= 0.9 and corpus["txt"]["relations"]["recall"] >= 0.9
    assert corpus["conflicts"]["recall"] == 1.0
    text = runner.invoke(app, ["eval", str(out), "--gold", str(GOLD)]).output
    assert "instruments" in text and "misses:" in text


def test_graph_export_loads_in_networkx_with_the_seed_counts(out, tmp_path):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    target = tmp_path / "net.graphml"
    r = runner.invoke(app, ["graph", "--format", "graphml", "--out", str(target), "--dir", str(out)])
    assert r.exit_code == 0, r.output
    G = nx.read_graphml(target)
    kinds = collections.Counter(d["kind"] for _, d in G.nodes(data=True))
    assert kinds["document"] == 2
    numbered = {n for n, d in G.nodes(data=True) if d["kind"] == "instrument" and d.get("symbol")}
    per_doc = [set(i["symbol"] for i in d["instruments"]) for d in gold["documents"]]
    assert len(numbered) == len(per_doc[0] | per_doc[1]) == 62
    cites_numbered = [(a, b) for a, b, d in G.edges(data=True) if d["kind"] == "cites" and b in numbered]
    assert len(cites_numbered) == sum(len(s) for s in per_doc) == 68
    rel_edges = [d["kind"] for _, _, d in G.edges(data=True) if d["kind"] != "cites"]
    assert len(rel_edges) == len(gold["relations"]) == 22
    for fmt in ("gexf", "csv"):
        r = runner.invoke(app, ["graph", "-f", fmt, "-o", str(tmp_path / f"net-{fmt}"), "-d", str(out)])
        assert r.exit_code == 0, r.output


def test_graph_is_read_from_the_published_tables_as_the_linker_made_it(out):
    """`plans graph` reads what the run published instead of linking again: the same network."""
    import pyarrow.parquet as pq

    from pipeline.linker import graph
    from pipeline.linking import corpus_graph, link_result

    t = {n: pq.read_table(out / f"{n}.parquet") for n in ("documents", "instruments", "citations", "relations", "relation_mentions")}
    docs = [d for d in t["documents"].to_pylist() if d["is_current"]]
    relinked = graph(link_result(t["citations"].to_batches(), t["documents"], t["relation_mentions"]), docs)
    published = corpus_graph(t)
    assert dict(published.nodes(data=True)) == dict(relinked.nodes(data=True))
    key = lambda e: (e[0], e[1], e[2])  # noqa: E731
    assert sorted(published.edges(keys=True, data=True), key=key) == sorted(relinked.edges(keys=True, data=True), key=key)
    assert published.number_of_edges() > 60


def test_tables_describes_every_column():
    r = runner.invoke(app, ["tables"])
    assert r.exit_code == 0 and "instrument_id" in r.output and "### `failures`" in r.output


def test_plans_ingest_end_to_end_reports_failures_and_exits_0(tmp_path):
    """The real console script with its embedded Prefect server: a bad file is reported, the run completes."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "plan.txt").write_bytes(SEEDS_TXT[1].read_bytes())
    (inbox / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", str(inbox), "--out", str(tmp_path / "out"), "-q"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "broken.docx" in p.stderr and "corrupt" in p.stderr
    assert "1 processed" in p.stdout and "1 failed" in p.stdout
    assert (tmp_path / "out" / "citations.parquet").exists()


def test_plans_ingest_with_the_process_runner(tmp_path):
    """`--runner processes` from the console script: the task payload must pickle (a progress bar closed
    over by the flow used to make every batch fail with "cannot pickle '_thread.RLock' object")."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in SEEDS_TXT:
        (inbox / p.name).write_bytes(p.read_bytes())
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", str(inbox), "--out", str(tmp_path / "out"),
           "--runner", "processes", "--workers", "2", "--batch-size", "1"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert p.returncode == 0, p.stderr
    assert f"{len(SEEDS_TXT)} processed" in p.stdout and "0 failed" in p.stdout, p.stdout + p.stderr


def test_embedded_server_boots_beside_prefect_and_is_gone_at_exit(tmp_path):
    """Embedded mode: `plans ingest` starts Prefect's API server itself before importing Prefect, so this
    process never imports Prefect's server code (its own ephemeral mode would, ~3 s of start-up); the
    flow really talks to that server, and the server does not outlive the process."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "plan.txt").write_bytes(SEEDS_TXT[0].read_bytes())
    script = f"""
import json, os, sys
from pipeline.config import load_settings, prefect_environment
prefect_environment()
from pipeline import localserver
srv = localserver.embedded_api()
import flows
summary = flows.ingest_with(load_settings(out={str(tmp_path / 'out')!r}), [{str(inbox)!r}])
from prefect.settings import PREFECT_API_URL
print(json.dumps({{"pid": srv.proc.pid, "url": srv.api_url, "api": PREFECT_API_URL.value(), "processed": summary["processed"],
                  "server_code_imported": "prefect.server.api.server" in sys.modules}}))
"""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["processed"] == 1 and r["api"] == r["url"] and r["url"].startswith("http://127.0.0.1:")
    assert r["server_code_imported"] is False
    with pytest.raises(ProcessLookupError):
        os.kill(r["pid"], 0)


def test_embedded_api_refuses_to_start_after_prefect_is_imported(tmp_path):
    """Prefect reads its settings once: a server started after that would be ignored, so say so."""
    script = "import prefect\nfrom pipeline.localserver import embedded_api\nembedded_api()\n"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert p.returncode != 0 and "before Prefect is imported" in p.stderr
