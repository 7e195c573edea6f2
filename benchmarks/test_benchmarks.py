"""Tests of the benchmark generator and the harness's bookkeeping (no LibreOffice, no pipeline run).

    .venv/bin/python -m pytest benchmarks/test_benchmarks.py -q
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks import generate as g
from benchmarks import run as r

REPO = Path(__file__).resolve().parents[1]

DATA = g.load_data()


def _plain(draft: g.PlanDraft) -> str:
    body = "\n".join(p.text for p in draft.paragraphs)
    body = re.sub(r"\[\^[0-9]+\]", "", body)
    return body + "\n" + "\n".join(draft.footnotes.values())


def test_plan_is_a_pure_function_of_seed_and_index():
    a, b = g.make_plan(3, 7, DATA), g.make_plan(3, 7, DATA)
    assert a.truth == b.truth
    assert [p.text for p in a.paragraphs] == [p.text for p in b.paragraphs]
    assert a.footnotes == b.footnotes
    assert g.make_plan(4, 7, DATA).truth != a.truth
    assert g.make_plan(3, 8, DATA).truth != a.truth


@pytest.mark.parametrize("index", range(12))
def test_truth_matches_the_text(index):
    p = g.make_plan(index, 11, DATA)
    text = _plain(p)
    t = p.truth
    assert 8 <= t["target_pages"] <= 20
    assert t["citations"], "every plan cites something"
    # every citation's surface text is in the plan, as many times as the truth says (at least)
    for c in t["citations"]:
        assert c["text"] in text
        sym = c["symbol"]
        assert sym in c["text"] or sym.replace("-", "- ", 1) in c["text"]
        if c["date_cited"]:
            d = dt.date.fromisoformat(c["date_cited"])
            assert any(s in c["text"] for s in (f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}/{d.month}/{d.year}",
                                                 f"{d.day:02d} tháng {d.month:02d} năm {d.year}"))
    # instruments = distinct symbols with mention counts
    assert sum(i["mentions"] for i in t["instruments"]) == len(t["citations"])
    assert len({i["symbol"] for i in t["instruments"]}) == len(t["instruments"])
    # footnote citations are in the footnotes
    fn = "\n".join(p.footnotes.values())
    assert all(c["text"] in fn for c in t["citations"] if c["in_footnote"])
    # local instruments are scoped to the plan's province, national ones nationally
    for c in t["citations"]:
        local = re.search(r"/(TU|ĐU)$|-(UBND|HĐND)$|/UBND-", c["symbol"]) is not None
        assert c["scope"] == (t["province"] if local else "national"), c
    for loc in t["localities"]:
        assert loc["name"] in text and len(loc["country"]) == 2
    for tg in t["targets"]:
        assert tg["text"] in text and tg["value"] > 0


def test_cited_instruments_predate_the_plan():
    for i in range(20):
        t = g.make_plan(i, 5, DATA).truth
        if t["issue_date"]:
            assert all(inst["date"] < t["issue_date"] for inst in t["instruments"]), t["index"]


def test_provinces_follow_the_2025_merger():
    before = {p["name"] for p in g._provinces_for(DATA, dt.date(2025, 3, 1))}
    after = {p["name"] for p in g._provinces_for(DATA, dt.date(2025, 9, 1))}
    assert len(before) == 63 and len(after) == 34
    assert "Quảng Nam" in before and "Quảng Nam" not in after and "Huế" in after


class _FixedRng(random.Random):
    """random() returns the queued values in order (then 0.0); other methods as usual."""

    def __init__(self, values):
        super().__init__(0)
        self.values = list(values)

    def random(self):
        return self.values.pop(0) if self.values else 0.0


def test_cite_renders_full_then_short_forms():
    inst = g.Instrument("59-NQ/TW", "Nghị quyết", dt.date(2025, 1, 24), "Bộ Chính trị",
                        "hội nhập quốc tế trong tình hình mới", "national", "party")
    # noise roll 0.5 (no spacing noise), "số" 0.1, date 0.1, date form 0.1 (dd/mm/yyyy), issuer 0.1, subject 0.1
    m = g.cite(_FixedRng([0.5, 0.1, 0.1, 0.1, 0.1, 0.1]), inst, first=True)
    assert m.text == "Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị về hội nhập quốc tế trong tình hình mới"
    assert m.date_cited == "2025-01-24"
    # later mention: noise 0.5, not re-dated (0.9), short form without "số" (0.7)
    m2 = g.cite(_FixedRng([0.5, 0.9, 0.7]), inst, first=False)
    assert (m2.text, m2.date_cited) == ("Nghị quyết 59-NQ/TW", None)
    assert inst.mentions == 2
    # the spacing noise of real plans: "33- KL/TW"
    assert g._symbol_text(_FixedRng([0.01]), "33-KL/TW", "party") == "33- KL/TW"
    assert g._symbol_text(_FixedRng([0.01]), "1673/QĐ-UBND", "administrative") == "1673/QĐ-UBND"


def test_corpus_is_a_prefix_of_the_pool_with_hard_links(tmp_path):
    c3 = g.ensure_corpus(3, 9, fmt="docx", root=tmp_path, log=lambda s: None)
    c2 = g.ensure_corpus(2, 9, fmt="docx", root=tmp_path, log=lambda s: None)
    assert sorted(p.name for p in c2.iterdir()) == ["plan_00000.docx", "plan_00000.truth.json", "plan_00001.docx", "plan_00001.truth.json"]
    assert (c3 / "plan_00002.docx").stat().st_nlink >= 2  # hard link into the pool, not a copy
    truth = g.load_truth(c3)
    assert list(truth) == ["plan_00000", "plan_00001", "plan_00002"]
    assert truth["plan_00001"] == g.make_plan(1, 9, DATA).truth
    mtime = (g.pool_dir(9, tmp_path) / "plan_00000.docx").stat().st_mtime_ns
    g.ensure_pool(3, 9, pdf=False, root=tmp_path, log=lambda s: None)  # cached: nothing rewritten
    assert (g.pool_dir(9, tmp_path) / "plan_00000.docx").stat().st_mtime_ns == mtime


def _write(path: Path, rows: list[dict]) -> None:
    pq.write_table(pa.Table.from_pylist(rows), path)


def test_publish_scale_store_has_the_clis_batches(tmp_path, monkeypatch):
    """The N=1000 store publish_scale copies is cut into the CLI's batches by default (publishing reads every
    part file for each chunk of documents), and a store of another batch size is a store of its own."""
    from benchmarks import publish_scale as ps

    monkeypatch.setattr(ps, "WORK_DIR", tmp_path)
    for b in (25, 50):
        (tmp_path / f"store-n1000-s7-b{b}" / "_state").mkdir(parents=True)
        (tmp_path / f"store-n1000-s7-b{b}" / "_state" / "manifest.json").write_text("{}")
    assert ps.base_store(1000, 7).name == "store-n1000-s7-b50"  # (found: nothing is ingested)
    assert ps.base_store(1000, 7, 25).name == "store-n1000-s7-b25"


def test_a_font_without_times_metrics_is_reported_before_rendering():
    """LibreOffice substitutes a font for the plans' Times New Roman; one with other metrics changes pages and
    layout (the reference corpus was rendered with Liberation Serif)."""
    assert g.font_warning("Liberation Serif") is None and g.font_warning("Times New Roman") is None
    assert g.font_warning(None) is None  # no fontconfig: nothing to say
    w = g.font_warning("DejaVu Serif")
    assert w is not None and "DejaVu Serif" in w and "fonts-liberation2" in w


def test_recall_counts_mentions_per_document(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    truth = {
        "citations": [{"symbol": "59-NQ/TW", "date_cited": "2025-01-24"}, {"symbol": "59-NQ/TW", "date_cited": None},
                      {"symbol": "1673/QĐ-UBND", "date_cited": "2023-07-20"}, {"symbol": "12-CT/TW", "date_cited": None}],
        "localities": [{"canonical": "Sekong"}, {"canonical": "Gifu"}],
        "targets": [{"value": 60.0}, {"value": 46.0}],
        "province": "Lào Cai", "issuer": "Tỉnh ủy Lào Cai", "signer": "Nguyễn Văn A", "year": 2025,
    }
    (corpus / "plan_00000.truth.json").write_text(json.dumps(truth), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    _write(out / "documents.parquet", [{"doc_id": "d0", "source_path": str(corpus / "plan_00000.pdf"), "is_current": True,
                                        "province": "Lào Cai", "issuer": "Tỉnh ủy", "signer": "NGUYỄN VĂN A", "year": 2025}])
    _write(out / "citations.parquet", [
        {"doc_id": "d0", "symbol": "59-NQ/TW", "date_cited": "2025-01-24"},
        {"doc_id": "d0", "symbol": "1673/QĐ-UBND", "date_cited": "2023-07-21"},  # wrong date
        {"doc_id": "d0", "symbol": "99-NQ/TW", "date_cited": None},  # not in truth
        {"doc_id": "d0", "symbol": None, "date_cited": None},  # named instrument: ignored
    ])
    _write(out / "localities.parquet", [{"doc_id": "d0", "canonical": "Sekong", "kind": "province"},
                                        {"doc_id": "d0", "canonical": "Laos", "kind": "country"}])
    _write(out / "targets.parquet", [{"doc_id": "d0", "value": 60.0}])
    _write(out / "instruments.parquet", [{"instrument_id": "x"}])
    rec = r.recall(corpus, out)
    assert rec["citation_mentions_truth"] == 4
    assert rec["citation_recall"] == pytest.approx(2 / 4)
    assert rec["citation_precision"] == pytest.approx(2 / 3)
    assert rec["instrument_recall"] == pytest.approx(2 / 3)
    assert rec["date_cited_agreement"] == pytest.approx(1 / 2)
    assert rec["locality_recall"] == pytest.approx(1 / 2)
    assert rec["target_value_recall"] == pytest.approx(1 / 2)
    assert rec["citations_rows"] == 4
    assert rec["metadata_agreement"] == pytest.approx(6 / 7)  # the issuer lacks its place; the signer's case is no matter


def test_summary_ratios_and_markdown():
    fl = {"pages": 1000, "chars": 2_000_000, "bytes": 5_000_000, "pdfium_s": 2.0, "plumber_pages": 100, "plumber_s": 20.0,
          "plumber_files": 10, "plumber_sampled": True, "plumber_s_extrapolated": 200.0}
    di = {"first": {"seconds": {"read": 50.0, "extract": 25.0, "link": 2.0, "write": 1.0}, "seconds_total": 40.0, "pages": 1000,
                    "chars": 2_000_000, "docs_ok": 80, "workers_rss_mb": [300.0, 310.0]},
          "rerun": {"seconds_total": 2.0}, "recall": {"citations_rows": 4000, "citation_recall": 0.95}, "rss_self_mb": 200.0}
    pf = {"seconds_total": 50.0, "pages": 1000, "processed": 80, "chars": 2_000_000, "rerun_seconds_total": 5.0}
    row = r.summarize(100, fl, di, pf)
    assert row["floor_pdfium_pages_s"] == 500.0
    assert row["prefect_pages_s"] == 20.0 and row["direct_pages_s"] == 25.0
    assert row["ratio_prefect_vs_pdfium"] == pytest.approx(0.04)
    assert row["ratio_rerun_prefect"] == pytest.approx(0.1) and row["ratio_rerun_direct"] == pytest.approx(0.05)
    assert row["read_pages_s"] == 20.0 and row["extract_docs_s"] == pytest.approx(3.2)
    assert row["link_ms_per_citation"] == pytest.approx(0.5)
    assert row["direct_rss_worker_max_mb"] == 310.0
    md = r.markdown([row], {"scaling": {"x": 1.0}}, "cmd", {"nproc": "2", "cpu": "cpu", "python": "3.11", "platform": "linux"})
    assert "| Prefect pages/s | 20.0 |" in md and "| citation mention recall (symbol) | 0.950 |" in md


def test_targets_record_whether_a_plan_cue_precedes_them():
    prov = {"name": "Hà Tĩnh", "kind": "tỉnh", "party_committee": "Tỉnh ủy", "era": "both"}
    partner = {"name_vi": "Sê Kông", "canonical": "Sekong", "country": "LA", "kind": "province"}
    ctx = g._Ctx(random.Random(1), DATA, prov, 2025, dt.date(2025, 2, 1), "Kế hoạch", [], [partner])
    text = ctx.fill("Phấn đấu trong năm {year} {target}.")
    assert text.startswith("Phấn đấu trong năm 2025 ")
    assert ctx.targets and all(t["cue"] for t in ctx.targets)
    n = len(ctx.targets)
    ctx.fill("Tổ chức Hội nghị xúc tiến đầu tư tại {country}; {target}.")
    late = ctx.targets[n:]
    assert late and all(t["cue"] is (" đạt " in t["text"]) for t in late)
    assert "Lào" in ctx.fill("{loc} thuộc {country}") and ctx.localities[-1]["canonical"] == "Sekong"


@pytest.mark.parametrize("own", [True, False])
def test_scaled_store_publishes_k_copies(tmp_path, own):
    """benchmarks.publish_scale: k copies of a store's parts publish k times the documents and citations; with
    ``own`` each copy cites instruments of its own, else the copies cite the same instruments."""
    from benchmarks import publish_scale as ps
    from pipeline import ingest as steps
    from pipeline.config import Limits
    from pipeline.store import Store

    src = tmp_path / "src"
    store = Store(str(src))
    m = store.load_manifest()
    cands = steps.discover([str(REPO / "corpus" / n) for n in ("quang-nam-2025-ke-hoach-doi-ngoai.txt",
                                                                "nghe-an-2025-chuong-trinh-doi-ngoai.txt")], Limits(isolate=False))
    res = steps.process_batch(steps.plan(cands, m).todo, Limits(isolate=False))
    steps.commit_batch(store, m, "b-00000", res, quarantine=False)
    base = steps.publish(store, m)
    assert base["documents"] == 2 and base["instruments"] > 10

    dst = tmp_path / "x3"
    assert ps.scaled_store(src, dst, 3, own) == 6
    s3 = Store(str(dst))
    got = steps.publish(s3, s3.load_manifest(), force=True)
    assert got["documents"] == 6 and got["citations"] == 3 * base["citations"]
    ids = pq.read_table(s3.table_path("documents"), columns=["doc_id"]).column("doc_id").to_pylist()
    assert len(set(ids)) == 6 and all(re.search(r"x[012]$", i) for i in ids)
    if own:
        assert got["instruments"] >= 2 * base["instruments"]
    else:
        assert got["instruments"] == base["instruments"]
