"""Benchmark: throughput per stage, end to end (Prefect and direct), floors, memory, re-runs, recall.

One command (from the repository root)::

    .venv/bin/python -m benchmarks.run [--sizes 10,100,1000] [--workers 2] [--seed 7]

For every N it generates (or re-uses) the synthetic corpus of N plans (``benchmarks.generate``)
and runs, each case in a fresh Python process so that peak memory is per case:

* ``floor``   — raw pypdfium2 text dump of every PDF and naive pdfplumber ``extract_text``
  (on a sample of ``--plumber-sample`` files when N is larger; extrapolated, and said so);
* ``direct``  — the pipeline's functions without Prefect (``pipeline.ingest``), batches in a
  ``ProcessPoolExecutor`` of ``--workers`` processes, every stage timed (read, normalize,
  assemble, structure, extract, commit, link, write), then a no-change re-run on the same
  output folder, then recall of the extracted citations, localities and targets against the
  generator's ground truth;
* ``prefect`` — the real ``flows.ingest_with`` path (embedded Prefect, ``--runner`` with
  ``--workers``), run twice on the same output folder (the second run is the no-change re-run);
* ``prefect-1`` (only at ``--parallel-n``) — the same with ``--runner threads --workers 1``,
  for the speed-up of the parallel runner.

The floor is the faster of two passes; each end-to-end case is the fastest of ``--repeat`` (2) runs,
each in its own process: the machine's cores are shared, and a neighbour can only slow a run down.

Results: ``benchmarks/results.md``, ``benchmarks/results.csv``, ``benchmarks/results.json``
and the plot ``benchmarks/throughput.png``.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work"

STAGES = ("discover", "read", "normalize", "assemble", "structure", "extract", "rows", "commit", "link", "write")


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux: KiB


# --------------------------------------------------------------------------- floor


def _pdfium_dump(pdfs: list[Path]) -> tuple[float, int, int]:
    """One pass of the floor: (seconds, pages, characters) of a raw pypdfium2 text dump of ``pdfs``."""
    import pypdfium2 as pdfium

    t0 = time.perf_counter()
    pages = chars = 0
    for f in pdfs:
        doc = pdfium.PdfDocument(str(f))
        for page in doc:
            tp = page.get_textpage()
            chars += len(tp.get_text_range())
            tp.close()
            page.close()
            pages += 1
        doc.close()
    return time.perf_counter() - t0, pages, chars


FLOOR_PASSES = 2  # the floor is the best of these passes (a noisy neighbour can only slow a pass down)


def case_floor(corpus: Path, sample: int) -> dict[str, Any]:
    pdfs = sorted(corpus.glob("*.pdf"))
    nbytes = sum(f.stat().st_size for f in pdfs)
    passes = [_pdfium_dump(pdfs) for _ in range(FLOOR_PASSES)]
    pdfium_s, pages, chars = min(passes)

    import pdfplumber

    subset = pdfs if len(pdfs) <= sample else pdfs[:sample]
    t0 = time.perf_counter()
    sp = 0
    for f in subset:
        with pdfplumber.open(str(f)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                sp += 1
                page.close()
    plumber_s = time.perf_counter() - t0
    return {
        "files": len(pdfs), "pages": pages, "chars": chars, "bytes": nbytes,
        "pdfium_s": pdfium_s, "pdfium_passes_s": [p[0] for p in passes],
        "plumber_files": len(subset), "plumber_pages": sp, "plumber_s": plumber_s,
        "plumber_sampled": len(subset) < len(pdfs),
        "plumber_s_extrapolated": plumber_s * pages / sp if sp else None,
        "rss_self_mb": _maxrss_mb(),
    }


# --------------------------------------------------------------------------- direct path (no Prefect)

_TIMES: dict[str, float] = {}
_INSTALLED = False


def _timed(name: str, fn: Callable, into: dict[str, float] | None = None) -> Callable:
    """``fn`` adding its wall time to ``into[name]`` (default: the stage probes' ``_TIMES``)."""
    acc = _TIMES if into is None else into

    def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            acc[name] = acc.get(name, 0.0) + time.perf_counter() - t0

    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def _patch_everywhere(orig: Callable, wrapper: Callable) -> int:
    """Replace every module-level binding of ``orig`` in pipeline.* / extractors.* (``from x import f`` copies too)."""
    n = 0
    for name, mod in list(sys.modules.items()):
        if mod is None or not name.startswith(("pipeline", "extractors")):
            continue
        for attr, val in list(vars(mod).items()):
            if val is orig:
                setattr(mod, attr, wrapper)
                n += 1
    return n


def _install_probes() -> dict[str, int]:
    """Time the reader's sub-stages by wrapping functions (measurement only; no behaviour change)."""
    global _INSTALLED
    if _INSTALLED:
        return {}
    import pipeline.extract  # noqa: F401 - load everything first so every binding gets patched
    import pipeline.ingest  # noqa: F401
    import pipeline.normalize as normalize
    import pipeline.readers  # noqa: F401
    import pipeline.readers.common as common
    import pipeline.readers.pdf as pdf
    import pipeline.structure as structure

    found = {}
    # every normalization goes through normalize_offsets (normalize() delegates to it): time it once
    for key, orig in (("pdf_layout", pdf.read_pdf), ("normalize", normalize.normalize_offsets),
                      ("build_document", common.build_document), ("structure_all", structure.parse_structure)):
        found[key] = _patch_everywhere(orig, _timed(key, orig))
    _INSTALLED = True
    return found


def case_stages(corpus: Path, sample: int) -> dict[str, Any]:
    """Per-stage seconds: process_file on (a sample of) the files, sequentially, in this process, with probes."""
    from pipeline import ingest as steps
    from pipeline.config import Limits

    pdfs = sorted(corpus.glob("*.pdf"))
    subset = pdfs[:sample] if sample and len(pdfs) > sample else pdfs
    steps.process_file(str(subset[0]), Limits(isolate=False))  # warm-up (imports, spaCy, tables) outside the timings
    found = _install_probes()
    _TIMES.clear()
    sec: dict[str, float] = {}
    pages = chars = 0
    t0 = time.perf_counter()
    for f in subset:
        doc, _rows = steps.process_file(str(f), Limits(isolate=False), sec)
        pages += doc.n_pages
        chars += len(doc.text)
    wall = time.perf_counter() - t0
    structure_all = _TIMES.get("structure_all", 0.0)
    build = _TIMES.get("build_document", 0.0)
    out = {
        "read": _TIMES.get("pdf_layout", 0.0), "normalize": _TIMES.get("normalize", 0.0),
        "assemble": max(0.0, build - _TIMES.get("normalize", 0.0))
        + max(0.0, sec.get("read", 0.0) - _TIMES.get("pdf_layout", 0.0) - build - (structure_all - sec.get("structure", 0.0))),
        "structure": structure_all, "extract": sec.get("extract", 0.0),
        "rows": max(0.0, wall - sum(sec.values())),
    }
    return {"files": len(subset), "sampled": len(subset) < len(pdfs), "all_files": len(pdfs), "pages": pages, "chars": chars,
            "seconds": out, "wall_s_files": wall, "probes_bound": found, "rss_self_mb": _maxrss_mb()}


def _work(items: list, limits: Any, out: str, batch_id: str) -> tuple[Any, dict[str, float], int, float]:
    """Worker: process one batch and write its (uncommitted) parts, as the flow's batch task does; return
    (BatchResult without rows, {}, pid, peak RSS MB of this worker and of its forked readers)."""
    from pipeline import ingest as steps
    from pipeline.store import Store

    res = steps.write_batch_parts(Store(out), batch_id, steps.process_batch(items, limits))
    return res, {}, os.getpid(), max(_maxrss_mb(), _maxrss_mb(resource.RUSAGE_CHILDREN))


_KEPT_FOR_LIFE: Any = None


def _keep_workers_for_life() -> None:
    """Pool initializer: the worker keeps its forked reader from one batch to the next until it exits (the
    reader dies with it)."""
    global _KEPT_FOR_LIFE
    from pipeline.isolation import keep_workers

    _KEPT_FOR_LIFE = keep_workers()
    _KEPT_FOR_LIFE.__enter__()


def _direct_run(corpus: Path, out: Path, workers: int, batch_size: int) -> dict[str, Any]:
    from concurrent.futures import ProcessPoolExecutor

    from pipeline import ingest as steps
    from pipeline.config import load_settings
    from pipeline.store import Store

    settings = load_settings(out=str(out), batch_size=batch_size, workers=workers)
    limits = settings.limits()
    t_start = time.perf_counter()
    sec: dict[str, float] = {}
    store = Store(str(out))
    manifest = store.load_manifest()
    t0 = time.perf_counter()
    cands = steps.discover([str(corpus)], limits)
    pl = steps.plan(cands, manifest)
    sec["discover"] = time.perf_counter() - t0
    groups = steps.batches(pl.todo, batch_size, workers)
    n_pages = n_chars = n_bytes = n_ok = 0
    errors: list[str] = []
    workers_rss: dict[int, float] = {}
    probe: dict[str, float] = {}
    proc_sec: dict[str, float] = {}
    t_proc = time.perf_counter()
    if groups:  # as the CLI's thread runner does: load everything once, workers fork already warm
        from pipeline.isolation import warm_up

        t0 = time.perf_counter()
        warm_up()
        sec["warm_up"] = time.perf_counter() - t0
    from pipeline.isolation import keep_workers

    # as in the flow: each pool worker (or this process, sequentially) keeps its forked reader between batches
    ex = ProcessPoolExecutor(max_workers=workers, initializer=_keep_workers_for_life) if workers > 1 and groups else None
    with keep_workers():
        try:
            ids = [f"bench-{i:05d}" for i in range(len(groups))]
            outs = [str(out)] * len(groups)
            results = (ex.map(_work, groups, [limits] * len(groups), outs, ids) if ex
                       else (_work(g, limits, o, b) for g, o, b in zip(groups, outs, ids)))
            for i, (res, delta, pid, rss) in enumerate(results):
                workers_rss[pid] = max(workers_rss.get(pid, 0.0), rss)
                for k, v in delta.items():
                    probe[k] = probe.get(k, 0.0) + v
                for k, v in res.seconds.items():
                    proc_sec[k] = proc_sec.get(k, 0.0) + v
                t0 = time.perf_counter()
                steps.commit_batch(store, manifest, ids[i], res, quarantine=False)
                sec["commit"] = sec.get("commit", 0.0) + time.perf_counter() - t0
                n_pages, n_chars, n_bytes = n_pages + res.n_pages, n_chars + res.n_chars, n_bytes + res.n_bytes
                for o in res.outcomes:
                    if o.doc_id:
                        n_ok += 1
                    else:
                        errors.append(f"{o.error_kind}: {o.message}")
        finally:
            if ex:
                ex.shutdown()
    wall_proc = time.perf_counter() - t_proc

    # process_file's own timings (summed over files; measured inside the isolated readers)
    sec["read"] = proc_sec.get("read", 0.0)  # read incl. normalize (see the stages case for the split)
    sec["structure"] = proc_sec.get("structure", 0.0)
    sec["extract"] = proc_sec.get("extract", 0.0)

    # link + write, split by wrapping the linker and Store.publish
    link_err = None
    t0 = time.perf_counter()
    counts = None
    try:
        import pipeline.linking as linking

        link_s = {"link": 0.0, "write": 0.0}
        orig_link = linking.link_batches
        linking.link_batches = _timed("link", orig_link, link_s)
        store.publish = _timed("write", store.publish, link_s)  # type: ignore[method-assign]
        try:
            counts = steps.publish(store, manifest)
        finally:
            linking.link_batches = orig_link
        total_pub = time.perf_counter() - t0
        sec["link"] = link_s["link"]
        sec["write"] = total_pub - link_s["link"]  # assembling parts + sorting + writing Parquet
        sec["write_parquet_only"] = link_s["write"]
    except Exception as exc:  # noqa: BLE001 - report, do not crash the benchmark
        link_err = f"{type(exc).__name__}: {exc}"
        sec["link"] = sec["write"] = float("nan")
    total = time.perf_counter() - t_start
    return {
        "seconds": sec, "seconds_total": total, "seconds_process_wall": wall_proc,
        "pages": n_pages, "chars": n_chars, "bytes": n_bytes, "docs_ok": n_ok, "docs_todo": len(pl.todo),
        "unchanged": len(pl.unchanged), "errors": errors[:20], "n_errors": len(errors), "publish_error": link_err,
        "counts": counts, "workers_rss_mb": sorted(workers_rss.values()), "n_workers_seen": len(workers_rss),
    }


def _citation_counts(out: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from pipeline.store import Store

    store = Store(str(out))
    res: dict[str, Any] = {}
    for name in ("documents", "citations", "localities", "targets", "instruments"):
        p = store.table_path(name)
        res[name] = pq.read_table(p) if p.exists() else None
    return res


def recall(corpus: Path, out: Path) -> dict[str, Any]:
    """Compare the published tables with the generator's truth (multisets per document)."""
    from benchmarks.generate import load_truth

    truth = load_truth(corpus)
    t = _citation_counts(out)
    if t["documents"] is None or t["citations"] is None:
        return {"error": "tables not published"}
    doc_of = {r["doc_id"]: Path(r["source_path"]).stem for r in t["documents"].to_pylist() if r.get("is_current", True)}
    got_c: dict[str, Counter] = {}
    got_d: dict[str, dict[str, set]] = {}
    for r in t["citations"].select(["doc_id", "symbol", "date_cited"]).to_pylist():
        st = doc_of.get(r["doc_id"])
        if st and r["symbol"]:
            got_c.setdefault(st, Counter())[r["symbol"]] += 1
            got_d.setdefault(st, {}).setdefault(r["symbol"], set()).add(r["date_cited"])
    tp = fn = fp = 0
    inst_tp = inst_n = 0
    date_ok = date_n = 0
    for st, tr in truth.items():
        want = Counter(c["symbol"] for c in tr["citations"])
        have = got_c.get(st, Counter())
        m = sum(min(v, have[k]) for k, v in want.items())
        tp += m
        fn += sum(want.values()) - m
        fp += sum(have.values()) - m
        inst_n += len(want)
        inst_tp += sum(1 for k in want if have[k])
        for c in tr["citations"]:
            if c["date_cited"] and c["symbol"] in have:
                date_n += 1
                date_ok += c["date_cited"] in got_d.get(st, {}).get(c["symbol"], set())
    out_d: dict[str, Any] = {
        "citation_mentions_truth": tp + fn, "citation_recall": tp / (tp + fn) if tp + fn else None,
        "citation_precision": tp / (tp + fp) if tp + fp else None,
        "instrument_recall": inst_tp / inst_n if inst_n else None,
        "date_cited_agreement": date_ok / date_n if date_n else None,
    }
    if t["localities"] is not None:
        got_l: dict[str, Counter] = {}
        for r in t["localities"].select(["doc_id", "canonical", "kind"]).to_pylist():
            st = doc_of.get(r["doc_id"])
            if st and r["kind"] != "country":
                got_l.setdefault(st, Counter())[r["canonical"]] += 1
        ltp = ln = 0
        for st, tr in truth.items():
            want = Counter(x["canonical"] for x in tr["localities"])
            have = got_l.get(st, Counter())
            ltp += sum(min(v, have[k]) for k, v in want.items())
            ln += sum(want.values())
        out_d["locality_recall"] = ltp / ln if ln else None
    if t["targets"] is not None:
        got_t: dict[str, Counter] = {}
        for r in t["targets"].select(["doc_id", "value"]).to_pylist():
            st = doc_of.get(r["doc_id"])
            if st and r["value"] is not None:
                got_t.setdefault(st, Counter())[float(r["value"])] += 1
        for key, keep in (("target_value_recall", lambda x: True), ("target_value_recall_cued", lambda x: x.get("cue") is True)):
            ttp = tn = 0
            for st, tr in truth.items():
                want = Counter(float(x["value"]) for x in tr["targets"] if keep(x))
                have = got_t.get(st, Counter())
                ttp += sum(min(v, have[k]) for k, v in want.items())
                tn += sum(want.values())
            out_d[key] = ttp / tn if tn else None
    # the header and signature against the truth: every field of every document, compared as `plans eval` does
    from pipeline.evaluate import same_value

    fields = ("province", "doc_type", "issuer", "number", "year", "title", "signer")
    meta_ok = meta_n = 0
    for r in t["documents"].to_pylist():
        tr = truth.get(doc_of.get(r["doc_id"], ""))
        if tr is None:
            continue
        for f in fields:
            meta_n += 1
            meta_ok += same_value(r.get(f), tr.get(f))
    out_d["metadata_agreement"] = meta_ok / meta_n if meta_n else None
    n_cit = t["citations"].num_rows
    out_d["citations_rows"] = n_cit
    out_d["instruments_rows"] = t["instruments"].num_rows if t["instruments"] is not None else None
    return out_d


def case_direct(corpus: Path, workers: int, batch_size: int) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(prefix="bench_direct_", dir=WORK_DIR))
    try:
        first = _direct_run(corpus, out, workers, batch_size)
        second = _direct_run(corpus, out, workers, batch_size)
        rec = recall(corpus, out) if first["publish_error"] is None else {"error": first["publish_error"]}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"first": first, "rerun": {"seconds_total": second["seconds_total"], "docs_todo": second["docs_todo"],
                                      "seconds": second["seconds"]},
            "recall": rec, "rss_self_mb": _maxrss_mb(), "rss_children_mb": _maxrss_mb(resource.RUSAGE_CHILDREN)}


# --------------------------------------------------------------------------- Prefect path


def case_prefect(corpus: Path, runner: str, workers: int, batch_size: int, rerun: bool = True) -> dict[str, Any]:
    """As `plans ingest` runs: the private API server is started before Prefect is imported, and the
    first run's seconds count from there (server start, imports, warm-up and the flow)."""
    from pipeline import heap
    from pipeline.config import load_settings, prefect_environment
    from pipeline.localserver import embedded_api

    prefect_environment()
    t_start = time.perf_counter()
    heap.hold()  # as `plans ingest` does (pipeline/heap.py)
    embedded_api()
    import flows

    t_imp = time.perf_counter() - t_start
    out = Path(tempfile.mkdtemp(prefix="bench_prefect_", dir=WORK_DIR))
    try:
        settings = load_settings(out=str(out), runner=runner, workers=workers, batch_size=batch_size, quarantine=False)
        s1 = flows.ingest_with(settings, [str(corpus)])
        first_s = time.perf_counter() - t_start
        res: dict[str, Any] = {
            "import_s": t_imp, "seconds_total": first_s, "seconds_in_flow": s1["seconds_total"], "seconds": s1["seconds"],
            "pages": s1["pages"], "chars": s1["chars"], "bytes": s1["bytes"], "processed": s1["processed"],
            "n_failures": len(s1["failures"]), "failures": [f"{f['error_kind']}: {f['message']}" for f in s1["failures"][:10]],
        }
        if rerun:
            t0 = time.perf_counter()
            s2 = flows.ingest_with(settings, [str(corpus)])
            res["rerun_seconds_total"] = time.perf_counter() - t0
            res["rerun_processed"] = s2["processed"]
            res["rerun_seconds"] = s2["seconds"]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    res["rss_self_mb"] = _maxrss_mb()
    res["rss_children_mb"] = _maxrss_mb(resource.RUSAGE_CHILDREN)
    return res


# --------------------------------------------------------------------------- orchestration


def _first_seconds(r: dict[str, Any]) -> float:
    """Seconds of a case's first (not re-)run; inf for a failed case."""
    v = (r.get("first") or {}).get("seconds_total") if "first" in r else r.get("seconds_total")
    return v if isinstance(v, (int, float)) else float("inf")


def _best_of(case: str, corpus: Path, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    """The fastest of ``args.repeat`` runs of an end-to-end case (a noisy neighbour can only slow a run
    down); the first-run seconds of every run are kept in ``runs_s``."""
    runs = [_sub(case, corpus, args, **extra) for _ in range(max(1, args.repeat))]
    best = dict(min(runs, key=_first_seconds))
    best["runs_s"] = [_first_seconds(r) for r in runs]
    return best


def warm_cache(corpus: Path) -> None:
    """Read every file once, untimed, so that no case pays for the disk (this VM's kernel reclaims cold
    page-cache pages; the first case to touch an evicted corpus would otherwise read it from disk)."""
    for f in sorted(corpus.iterdir()):
        if f.is_file():
            f.read_bytes()


def _sub(case: str, corpus: Path, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    warm_cache(corpus)
    cmd = [sys.executable, "-m", "benchmarks.run", "--case", case, "--corpus", str(corpus),
           "--workers", str(extra.get("workers", args.workers)), "--runner", extra.get("runner", args.runner),
           "--batch-size", str(args.batch_size), "--plumber-sample", str(args.plumber_sample),
           "--stages-sample", str(args.stages_sample)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("{")), None)
    if proc.returncode != 0 or line is None:
        tail = (proc.stderr or proc.stdout)[-3000:]
        print(f"[{case}] failed (exit {proc.returncode}):\n{tail}", file=sys.stderr)
        return {"error": tail[-600:], "wall_s": wall}
    r = json.loads(line)
    r["wall_s"] = wall
    return r


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(), "free_h": mem,
            "platform": platform.platform()}


def _rate(x: float | None, s: float | None) -> float | None:
    return x / s if x is not None and s and s == s and s > 0 else None


def summarize(n: int, fl: dict, di: dict, pf: dict, sg: dict | None = None) -> dict[str, Any]:
    """One results row per N (flat, for CSV)."""
    row: dict[str, Any] = {"N": n}
    pages = fl.get("pages")
    chars = fl.get("chars")
    row.update(pages=pages, mb_text=(chars or 0) * 1.0 / 1e6 if chars else None, pdf_mb=(fl.get("bytes") or 0) / 1e6)
    row["floor_pdfium_pages_s"] = _rate(pages, fl.get("pdfium_s"))
    row["floor_pdfplumber_pages_s"] = _rate(fl.get("plumber_pages"), fl.get("plumber_s"))
    row["pdfplumber_sampled_files"] = fl.get("plumber_files") if fl.get("plumber_sampled") else None
    row["floor_pdfplumber_s_extrapolated"] = fl.get("plumber_s_extrapolated")
    f = di.get("first") or {}
    sec = f.get("seconds") or {}
    docs = f.get("docs_ok")
    mbt = (f.get("chars") or 0) / 1e6
    sg = sg or {}
    ssec = sg.get("seconds") or {}
    for st in STAGES:
        # reader/extractor sub-stages from the sequential "stages" case (a sample at large N: seconds scaled
        # to all files); discover/commit/link/write from the direct end-to-end run
        if st in ssec and sg.get("files"):
            s = ssec[st]
            scale = (f.get("docs_ok") or sg["files"]) / sg["files"]
            row[f"{st}_s"] = s * scale
            row[f"{st}_pages_s"] = _rate(sg.get("pages"), s)
            row[f"{st}_docs_s"] = _rate(sg.get("files"), s)
            row[f"{st}_mb_s"] = _rate((sg.get("chars") or 0) / 1e6, s)
            continue
        s = sec.get(st)
        row[f"{st}_s"] = s
        row[f"{st}_pages_s"] = _rate(f.get("pages"), s) if st not in ("discover",) else _rate(pages, s)
        row[f"{st}_docs_s"] = _rate(docs, s)
        row[f"{st}_mb_s"] = _rate(mbt, s)
    row["stages_files"] = sg.get("files")
    for st in ("read", "structure", "extract"):
        row[f"direct_{st}_cpu_s"] = sec.get(st)
    row["direct_total_s"] = f.get("seconds_total")
    row["direct_pages_s"] = _rate(f.get("pages"), f.get("seconds_total"))
    row["direct_docs_s"] = _rate(docs, f.get("seconds_total"))
    row["direct_mb_s"] = _rate(mbt, f.get("seconds_total"))
    row["direct_errors"] = f.get("n_errors")
    row["direct_rerun_s"] = (di.get("rerun") or {}).get("seconds_total")
    row["direct_rss_parent_mb"] = di.get("rss_self_mb")
    row["direct_rss_worker_max_mb"] = max(f.get("workers_rss_mb") or [0]) or None
    row["prefect_total_s"] = pf.get("seconds_total")
    row["prefect_in_flow_s"] = pf.get("seconds_in_flow")
    row["prefect_overhead_s"] = (pf["seconds_total"] - pf["seconds_in_flow"]) if pf.get("seconds_total") and pf.get("seconds_in_flow") else None
    row["prefect_in_flow_pages_s"] = _rate(pf.get("pages"), pf.get("seconds_in_flow"))
    row["prefect_pages_s"] = _rate(pf.get("pages"), pf.get("seconds_total"))
    row["prefect_docs_s"] = _rate(pf.get("processed"), pf.get("seconds_total"))
    row["prefect_mb_s"] = _rate((pf.get("chars") or 0) / 1e6, pf.get("seconds_total"))
    row["prefect_rerun_s"] = pf.get("rerun_seconds_total")
    row["prefect_failures"] = pf.get("n_failures")
    row["prefect_rss_parent_mb"] = pf.get("rss_self_mb")
    row["prefect_rss_children_max_mb"] = pf.get("rss_children_mb")
    row["ratio_prefect_vs_pdfium"] = (row["prefect_pages_s"] / row["floor_pdfium_pages_s"]) if row["prefect_pages_s"] and row["floor_pdfium_pages_s"] else None
    row["ratio_direct_vs_pdfium"] = (row["direct_pages_s"] / row["floor_pdfium_pages_s"]) if row["direct_pages_s"] and row["floor_pdfium_pages_s"] else None
    row["ratio_rerun_prefect"] = (row["prefect_rerun_s"] / row["prefect_total_s"]) if row["prefect_rerun_s"] and row["prefect_total_s"] else None
    row["ratio_rerun_direct"] = (row["direct_rerun_s"] / row["direct_total_s"]) if row["direct_rerun_s"] and row["direct_total_s"] else None
    rec = di.get("recall") or {}
    n_cit = rec.get("citations_rows")
    row["citations"] = n_cit
    row["instruments"] = rec.get("instruments_rows")
    row["link_ms_per_citation"] = (sec["link"] * 1000 / n_cit) if n_cit and sec.get("link") == sec.get("link") and sec.get("link") is not None else None
    for k in ("citation_recall", "citation_precision", "instrument_recall", "date_cited_agreement", "locality_recall", "target_value_recall", "target_value_recall_cued", "metadata_agreement"):
        row[k] = rec.get(k)
    return row


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "–"
    if isinstance(v, float):
        if abs(v) >= 100:
            return f"{v:,.0f}"
        if abs(v) >= 1:
            return f"{v:.{nd}f}"
        return f"{v:.3f}"
    return str(v)


def markdown(rows: list[dict[str, Any]], extra: dict[str, Any], cmd: str, mach: dict[str, str]) -> str:
    Ns = [r["N"] for r in rows]
    head = "| metric | " + " | ".join(f"N={n}" for n in Ns) + " |\n|---|" + "---|" * len(Ns) + "\n"

    def line(label: str, key: str, nd: int = 1) -> str:
        return f"| {label} | " + " | ".join(_fmt(r.get(key), nd) for r in rows) + " |\n"

    md = [f"# Benchmark results\n\nCommand: `{cmd}`  \nMachine: {mach['nproc']} cores ({mach['cpu']}), Python {mach['python']}, "
          f"{mach['platform']}; run at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
          "Cores shared with other jobs: absolute numbers are noisy, ratios from one run are what counts.\n"]
    md.append("\n## Corpus\n\n" + head + line("PDF pages", "pages") + line("text MB (UTF-8 chars/1e6)", "mb_text", 2)
              + line("PDF MB", "pdf_mb", 1) + line("citations extracted", "citations") + line("instruments after linking", "instruments"))
    md.append("\n## End to end (wall clock)\n\n" + head
              + line("Prefect `ingest_with` s", "prefect_total_s") + line("Prefect pages/s", "prefect_pages_s")
              + line("  of which inside the flow body s", "prefect_in_flow_s") + line("  of which Prefect start-up/teardown s", "prefect_overhead_s")
              + line("Prefect pages/s inside the flow body", "prefect_in_flow_pages_s")
              + line("Prefect docs/s", "prefect_docs_s", 2) + line("Prefect text MB/s", "prefect_mb_s", 3)
              + line("direct (no Prefect) s", "direct_total_s") + line("direct pages/s", "direct_pages_s")
              + line("direct docs/s", "direct_docs_s", 2) + line("direct text MB/s", "direct_mb_s", 3)
              + line("no-change re-run, Prefect s", "prefect_rerun_s", 2) + line("no-change re-run, direct s", "direct_rerun_s", 2)
              + line("re-run ÷ first run (Prefect)", "ratio_rerun_prefect", 3) + line("re-run ÷ first run (direct)", "ratio_rerun_direct", 3)
              + line("failed files (Prefect / direct)", "prefect_failures") )
    md.append("\n## Floors (same files, one process)\n\n" + head
              + line("pypdfium2 text dump pages/s", "floor_pdfium_pages_s") + line("pdfplumber extract_text pages/s", "floor_pdfplumber_pages_s")
              + line("pdfplumber: files sampled (else all)", "pdfplumber_sampled_files")
              + line("pdfplumber s for all pages (extrapolated when sampled)", "floor_pdfplumber_s_extrapolated")
              + line("Prefect end-to-end pages/s ÷ pypdfium2 pages/s", "ratio_prefect_vs_pdfium", 4)
              + line("direct end-to-end pages/s ÷ pypdfium2 pages/s", "ratio_direct_vs_pdfium", 4))
    md.append("\n## Stages\n\nread … rows: `process_file` run sequentially in one process without isolation, with probes, on all files "
              "or the first `--stages-sample` files (seconds then scaled to all files); discover, commit, link, write: the direct "
              "end-to-end run. Rates are pages (docs, text MB) per second spent in that stage.\n\n"
              + head + line("files in the stage breakdown", "stages_files") + "".join(line(f"{st} s", f"{st}_s", 2) for st in STAGES)
              + line("direct run, process_file read CPU s (isolated workers, summed)", "direct_read_cpu_s", 2)
              + line("direct run, process_file extract CPU s", "direct_extract_cpu_s", 2)
              + "".join(line(f"{st} pages/s", f"{st}_pages_s") for st in STAGES if st not in ("discover",))
              + "".join(line(f"{st} docs/s", f"{st}_docs_s") for st in STAGES)
              + "".join(line(f"{st} text MB/s", f"{st}_mb_s", 2) for st in STAGES)
              + line("link ms per citation", "link_ms_per_citation", 3))
    md.append("\n## Memory (peak RSS, MB)\n\n" + head
              + line("Prefect: flow process", "prefect_rss_parent_mb", 0) + line("Prefect: largest child process (workers, embedded server)", "prefect_rss_children_max_mb", 0)
              + line("direct: parent (commit, link, write)", "direct_rss_parent_mb", 0) + line("direct: largest worker", "direct_rss_worker_max_mb", 0))
    md.append("\n## Extraction against the generator's truth\n\n" + head
              + line("citation mention recall (symbol)", "citation_recall", 3) + line("citation precision (symbol)", "citation_precision", 3)
              + line("instrument recall (distinct symbols per doc)", "instrument_recall", 3)
              + line("cited date agreement", "date_cited_agreement", 3) + line("partner locality recall (canonical)", "locality_recall", 3)
              + line("target value recall (all inserted counts)", "target_value_recall", 3)
              + line("target value recall (counts with a plan cue: phấn đấu, dự kiến...)", "target_value_recall_cued", 3)
              + line("document metadata agreement (province, type, issuer, number, year, title, signer)", "metadata_agreement", 3))
    if extra.get("scaling"):
        md.append("\n## Ratios\n\n" + "\n".join(f"* {k}: {_fmt(v, 3)}" for k, v in extra["scaling"].items()) + "\n")
    if extra.get("parallel"):
        p = extra["parallel"]
        md.append(f"\n## Parallelism (N={p['N']}; the 1-worker run right after the parallel one)\n\n"
                  "| path | 1 worker | s (wall) | s (flow body) | pages/s (flow body) | parallel | s (wall) | s (flow body) | pages/s (flow body) | speed-up (flow body) |\n"
                  "|---|---|---|---|---|---|---|---|---|---|\n")
        for path, l1, a_wall, a_body, a_rate, l2, b_wall, b_body, b_rate in p["rows"]:
            sp = (a_body / b_body) if a_body and b_body else None
            md.append(f"| {path} | {l1} | {_fmt(a_wall)} | {_fmt(a_body)} | {_fmt(a_rate)} | {l2} | {_fmt(b_wall)} | {_fmt(b_body)} | {_fmt(b_rate)} | **{_fmt(sp, 2)}×** |\n")
    if extra.get("notes"):
        md.append("\n## Notes\n\n" + "\n".join(f"* {n}" for n in extra["notes"]) + "\n")
    return "".join(md)


def plot(rows: list[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot (pip install matplotlib)", file=sys.stderr)
        return False
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=110)
    ax.set_prop_cycle(color=[plt.get_cmap("tab20")(i) for i in range(0, 20, 2)] + [plt.get_cmap("tab20")(i) for i in range(1, 20, 2)])
    Ns = [r["N"] for r in rows]
    series = [(f"{st} (per stage-second)", f"{st}_pages_s", "--") for st in ("read", "normalize", "assemble", "structure", "extract", "link", "write")]
    series += [("end to end, Prefect", "prefect_pages_s", "-"), ("end to end, direct", "direct_pages_s", "-"),
               ("floor: pypdfium2 dump", "floor_pdfium_pages_s", ":"), ("floor: pdfplumber", "floor_pdfplumber_pages_s", ":")]
    for label, key, ls in series:
        ys = [r.get(key) for r in rows]
        pts = [(n, y) for n, y in zip(Ns, ys) if y]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], ls, marker="o", label=label, linewidth=2 if ls == "-" else 1.2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N (plans)")
    ax.set_ylabel("pages per second")
    ax.set_title("Throughput against corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    from pipeline.config import Settings  # (light: no Prefect, no pipeline code)

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runner", default="threads", help="Prefect runner for the main runs (threads|processes|sequential|dask); threads is the CLI's default")
    ap.add_argument("--batch-size", type=int, default=Settings.batch_size,
                    help=f"largest batch (default {Settings.batch_size}, the CLI's); small corpora get smaller batches so every worker has work")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--plumber-sample", type=int, default=10, help="files for pdfplumber when N is larger")
    ap.add_argument("--stages-sample", type=int, default=150, help="files for the per-stage breakdown when N is larger")
    ap.add_argument("--parallel-n", type=int, default=100, help="N for the threads×1 vs runner×workers comparison (0: skip)")
    ap.add_argument("--paths", default="prefect,direct", help="end-to-end paths to run")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each end-to-end case (each in a fresh process); the fastest is kept, as for the floor")
    ap.add_argument("--out", default=str(BENCH_DIR), help="folder for results.md/csv/json and throughput.png")
    ap.add_argument("--rerender", action="store_true", help="rebuild results.md/csv/png from results.json (no measuring)")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)

    if args.case:  # a single case in this (fresh) process: print one JSON line
        corpus = Path(args.corpus)
        if args.case == "floor":
            r = case_floor(corpus, args.plumber_sample)
        elif args.case == "stages":
            r = case_stages(corpus, args.stages_sample)
        elif args.case == "direct":
            r = case_direct(corpus, args.workers, args.batch_size)
        elif args.case == "prefect":
            r = case_prefect(corpus, args.runner, args.workers, args.batch_size)
        elif args.case == "prefect-1":
            r = case_prefect(corpus, "threads", 1, args.batch_size, rerun=False)
        else:
            raise SystemExit(f"unknown case {args.case}")
        print(json.dumps(r, default=str))
        return 0

    from benchmarks.generate import ensure_corpus

    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    paths = {p.strip() for p in args.paths.split(",")}
    cmd = "  ".join([".venv/bin/python -m benchmarks.run"] + (argv if argv is not None else sys.argv[1:]))
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    raw: dict[str, Any] = {"machine": machine(), "command": cmd, "runs": {}}
    rows = []
    t_all = time.perf_counter()
    if args.rerender:
        raw = json.loads((Path(args.out) / "results.json").read_text(encoding="utf-8"))
        cmd = raw["command"]
        sizes = [int(k) for k in raw["runs"] if k.isdigit()]
        for n in sizes:
            v = raw["runs"][str(n)]
            rows.append(summarize(n, v["floor"], v.get("direct") or {}, v.get("prefect") or {}, v.get("stages")))
        wall_note = next((x for x in (raw.get("extra") or {}).get("notes", []) if x.startswith("Whole benchmark")), None)
    for n in ([] if args.rerender else sizes):
        t0 = time.perf_counter()
        corpus = ensure_corpus(n, args.seed, log=log)
        log(f"N={n}: corpus ready in {time.perf_counter() - t0:.1f} s ({corpus})")
        fl = _sub("floor", corpus, args)
        log(f"N={n}: floor done ({fl.get('wall_s', 0):.1f} s)")
        sg = _sub("stages", corpus, args)
        log(f"N={n}: stages done ({sg.get('wall_s', 0):.1f} s)")
        pf = _best_of("prefect", corpus, args) if "prefect" in paths else {}
        log(f"N={n}: prefect done ({pf.get('wall_s', 0):.1f} s)")
        di = _best_of("direct", corpus, args) if "direct" in paths else {}
        log(f"N={n}: direct done ({di.get('wall_s', 0):.1f} s)")
        raw["runs"][str(n)] = {"floor": fl, "stages": sg, "prefect": pf, "direct": di}
        if n == args.parallel_n:  # the 1-worker runs right after the parallel ones, under the same load
            if "prefect" in paths:
                raw["runs"][f"{n}-prefect-threads1"] = _best_of("prefect-1", corpus, args)
                log(f"N={n}: prefect threads×1 done ({raw['runs'][f'{n}-prefect-threads1'].get('wall_s', 0):.1f} s)")
            if "direct" in paths:
                raw["runs"][f"{n}-direct-1"] = _best_of("direct", corpus, args, workers=1)
                log(f"N={n}: direct ×1 done ({raw['runs'][f'{n}-direct-1'].get('wall_s', 0):.1f} s)")
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "results.partial.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
        rows.append(summarize(n, fl, di, pf, sg))
    extra: dict[str, Any] = {"notes": [], "scaling": {}}
    by_n = {r["N"]: r for r in rows}
    for a, b in ((100, 1000), (10, 100)):
        if a in by_n and b in by_n:
            for key in ("prefect_pages_s", "direct_pages_s"):
                if by_n[a].get(key) and by_n[b].get(key):
                    extra["scaling"][f"{key.split('_')[0]} pages/s at N={b} ÷ N={a}"] = by_n[b][key] / by_n[a][key]
            if by_n[a].get("link_ms_per_citation") and by_n[b].get("link_ms_per_citation"):
                extra["scaling"][f"link time per citation at N={b} ÷ N={a} (1.0 = linear; >1 = super-linear)"] = (
                    by_n[b]["link_ms_per_citation"] / by_n[a]["link_ms_per_citation"])
    if args.parallel_n and args.parallel_n in by_n:
        n = args.parallel_n
        p: dict[str, Any] = {"N": n, "runner": args.runner, "workers": args.workers, "rows": []}
        one = raw["runs"].get(f"{n}-prefect-threads1") or {}
        par = raw["runs"][str(n)].get("prefect") or {}
        if one and par:
            p["rows"].append(("Prefect", "threads ×1", one.get("seconds_total"), one.get("seconds_in_flow"), _rate(one.get("pages"), one.get("seconds_in_flow")),
                              f"{args.runner} ×{args.workers}", par.get("seconds_total"), par.get("seconds_in_flow"), _rate(par.get("pages"), par.get("seconds_in_flow"))))
        d1 = (raw["runs"].get(f"{n}-direct-1") or {}).get("first") or {}
        d2 = (raw["runs"][str(n)].get("direct") or {}).get("first") or {}
        if d1 and d2:
            p["rows"].append(("direct", "sequential ×1", d1.get("seconds_total"), d1.get("seconds_total"), _rate(d1.get("pages"), d1.get("seconds_total")),
                              f"process pool ×{args.workers}", d2.get("seconds_total"), d2.get("seconds_total"), _rate(d2.get("pages"), d2.get("seconds_total"))))
        extra["parallel"] = p
    extra["notes"] += [
        "read = PDF layout extraction (pipeline/readers/pdf.py read_pdf: pypdfium2 chars → lines → blocks); normalize = "
        "pipeline.normalize.normalize_offsets calls made by the reader; assemble = the rest of building the Document; structure = "
        "pipeline.structure.parse_structure (header, sections; the reader calls it once per file); extract = pipeline.extract."
        "extract_document; rows = the rest of process_file (table rows). Measured by wrapping those functions in the "
        "sequential 'stages' case; the end-to-end runs (isolated forked readers) report process_file's read (structure included) and extract.",
        "link = pipeline.linking.link_batches over the whole corpus (reading the citations' linker columns from the parts included).",
        f"Prefect and direct main runs: {args.runner if 'prefect' in paths else ''} × {args.workers} workers, batch size {args.batch_size}; "
        "Prefect time counts from before Prefect is imported, as `plans ingest` runs: the private API server's start "
        "(pipeline.localserver.embedded_api, booting while flows and Prefect are imported), the imports, the warm-up and the flow; "
        "'start-up/teardown' is that time minus the flow body.",
        "Peak RSS from getrusage(ru_maxrss): 'flow process'/'parent' is RUSAGE_SELF of the case's process; 'largest child' is "
        "RUSAGE_CHILDREN (the largest terminated descendant); 'largest worker' is each worker's own RUSAGE_SELF reported back.",
        f"Floor: the pypdfium2 dump is the faster of {FLOOR_PASSES} passes over all files; each end-to-end case (Prefect, direct, "
        f"and the 1-worker runs) is the fastest of {args.repeat} runs, each in a fresh process (every run's seconds in results.json, "
        "`runs_s`): this VM's cores are shared, and a neighbour can only slow a run down. Before "
        "every case each corpus file is read once, untimed, so that no case reads the disk (this VM reclaims cold page cache).",
        "write = streaming each per-document table from the parts through DuckDB, sorted 1 000 documents at a time, into "
        "Parquet, plus the corpus tables; publish minus the linker (the tables that do not need the links are written by a "
        "second thread while the linker runs, so only what is left after it counts here).",
        "Per-stage seconds include each worker's one-off warm-up (imports, spaCy pipeline, gazetteers) in its first file: "
        "at N=10 that warm-up is a large share, which is why per-stage rates rise with N.",
    ]
    for n in sizes:
        fl = raw["runs"][str(n)]["floor"]
        if fl.get("plumber_sampled"):
            extra["notes"].append(f"N={n}: pdfplumber ran on the first {fl['plumber_files']} files ({fl['plumber_pages']} pages); "
                                  f"its total for all {fl['pages']} pages is extrapolated linearly: {fl['plumber_s_extrapolated']:.0f} s.")
        for path in ("prefect", "direct"):
            r = raw["runs"][str(n)].get(path) or {}
            if r.get("error"):
                extra["notes"].append(f"N={n}: {path} path failed: {r['error'][-300:]}")
        d = (raw["runs"][str(n)].get("direct") or {}).get("first") or {}
        if d.get("n_errors"):
            extra["notes"].append(f"N={n}: {d['n_errors']} files failed in the direct path, e.g. {d['errors'][:2]}")
        if d.get("publish_error"):
            extra["notes"].append(f"N={n}: publish (link+write) failed in the direct path: {d['publish_error']}")
    extra["notes"].append(wall_note if args.rerender and wall_note else f"Whole benchmark wall time: {time.perf_counter() - t_all:.0f} s.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.partial.json").unlink(missing_ok=True)
    raw["rows"] = rows
    raw["extra"] = extra
    (out / "results.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(out / "results.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    md = markdown(rows, extra, cmd, raw["machine"])
    (out / "results.md").write_text(md, encoding="utf-8")
    plot(rows, out / "throughput.png")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
