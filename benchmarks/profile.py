"""Profile one ingest of the synthetic corpus with pyinstrument (single process, no Prefect).

    .venv/bin/python -m benchmarks.profile [--n 100] [--seed 7]

Runs discover → process_batch (in this process with ``Limits(isolate=False)``, so the profiler sees it) → commit → publish
(link + write) on the corpus of N plans, and writes the call tree to
``benchmarks/profile_n{N}.txt`` (text, kept) and ``benchmarks/work/profile_n{N}.html``.
Needs ``pyinstrument`` (not a project dependency: ``.venv/bin/pip install pyinstrument``).
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.generate import WORK_DIR, ensure_corpus

BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch-size", type=int, default=10)
    args = ap.parse_args(argv)
    import pyinstrument

    from pipeline import ingest as steps
    from pipeline.config import Limits
    from pipeline.store import Store

    corpus = ensure_corpus(args.n, args.seed)
    out = Path(tempfile.mkdtemp(prefix="bench_profile_", dir=WORK_DIR))
    steps.process_file(str(sorted(corpus.glob("*.pdf"))[0]))  # warm-up: imports, spaCy, tables
    prof = pyinstrument.Profiler(interval=0.001)
    t0 = time.perf_counter()
    prof.start()
    try:
        store = Store(str(out))
        manifest = store.load_manifest()
        limits = Limits(isolate=False)  # in-process, so the profiler sees the reading (no forked worker)
        pl = steps.plan(steps.discover([str(corpus)], limits), manifest)
        for i, group in enumerate(steps.batches(pl.todo, args.batch_size)):
            res = steps.process_batch(group, limits)
            steps.commit_batch(store, manifest, f"prof-{i:05d}", res, quarantine=False)
        steps.publish(store, manifest)
    finally:
        prof.stop()
        shutil.rmtree(out, ignore_errors=True)
    wall = time.perf_counter() - t0
    text = prof.output_text(unicode=True, color=False, show_all=False)
    head = f"# pyinstrument, N={args.n}, single process, wall {wall:.1f} s\n"
    (BENCH_DIR / f"profile_n{args.n}.txt").write_text(head + text, encoding="utf-8")
    (WORK_DIR / f"profile_n{args.n}.html").write_text(prof.output_html(), encoding="utf-8")
    print(head + text[:6000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
