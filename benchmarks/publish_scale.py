"""Publishing at backfill scale: time and peak memory of `publish` (link + write) over 3 000 to 10 000 plans.

    .venv/bin/python -m benchmarks.publish_scale [--copies 3,5,10] [--variant own|shared]

Rendering and reading 10 000 PDFs would take hours here, so the large stores are made from the committed
parts of the N=1000 corpus (ingested once into ``benchmarks/work/store-n1000-s7-b50/`` with the pipeline's own
functions when missing): copy ``c`` of every part gets doc ids ``<id>x<c>`` and source paths ``<path>.<c>``.

* ``--variant own`` (default): copy ``c`` > 0 also prefixes every cited symbol and number with ``c``, so each
  copy cites instruments of its own (the number of distinct instruments grows with the corpus, as it does
  when plans of more provinces come in: most instruments a plan cites are its province's own);
* ``--variant shared``: the copies cite the same instruments, so every instrument is cited ``k`` times as
  often (the largest groups the linker holds grow with the corpus, as a national instrument's do).

Each publish runs in a fresh process (``publish(force=True)`` over the copied store); the peak is that
process's own high-water mark (VmHWM). Results: ``benchmarks/publish_scale-<variant>.md`` (Markdown table) and a line per store on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.generate import WORK_DIR, ensure_corpus

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent


def base_store(n: int, seed: int, batch_size: int | None = None) -> Path:
    """A store with the committed parts of the corpus of ``n`` plans (ingested once, then re-used), in
    batches of ``batch_size`` files (default: the CLI's), so it holds as many part files as `plans ingest`
    would write (publishing reads every part file for each chunk of documents)."""
    from pipeline.config import Settings

    batch_size = batch_size or Settings.batch_size
    out = WORK_DIR / f"store-n{n}-s{seed}-b{batch_size}"
    if (out / "_state" / "manifest.json").exists():
        return out
    from benchmarks.run import _direct_run

    corpus = ensure_corpus(n, seed)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    r = _direct_run(corpus, tmp, workers=2, batch_size=batch_size)
    if r.get("errors") or r.get("publish_error"):
        raise SystemExit(f"ingesting {corpus} failed: {r.get('errors', [])[:3]} {r.get('publish_error') or ''}")
    tmp.rename(out)
    return out


def _suffixed(col: pa.ChunkedArray, suffix: str) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(col, pa.scalar(suffix), "")


def scaled_store(src: Path, dst: Path, k: int, own: bool) -> int:
    """``k`` copies of ``src``'s current parts in a new store ``dst`` (see the module docstring); returns the
    number of documents."""
    shutil.rmtree(dst, ignore_errors=True)
    (dst / "_state" / "parts").mkdir(parents=True)
    manifest = json.loads((src / "_state" / "manifest.json").read_text(encoding="utf-8"))
    files = {}
    for c in range(k):
        for batch in sorted(p.name for p in (src / "_state" / "parts").iterdir()):
            out = dst / "_state" / "parts" / f"{batch}-x{c}"
            out.mkdir()
            for f in sorted((src / "_state" / "parts" / batch).glob("*.parquet")):
                t = pq.read_table(f)
                t = t.set_column(t.schema.get_field_index("doc_id"), "doc_id", _suffixed(t["doc_id"], f"x{c}"))
                if f.name == "documents.parquet":
                    i = t.schema.get_field_index("source_path")
                    t = t.set_column(i, "source_path", _suffixed(t["source_path"], f".{c}"))
                if own and c and f.name == "citations.parquet":
                    for name in ("symbol", "number"):
                        i = t.schema.get_field_index(name)
                        t = t.set_column(i, name, pc.binary_join_element_wise(pa.scalar(str(c)), t[name], ""))
                pq.write_table(t, out / f.name)
        for e in manifest["files"].values():
            e2 = dict(e, doc_id=e["doc_id"] + f"x{c}", source_path=e["source_path"] + f".{c}",
                      batch=e["batch"] + f"-x{c}", sha256=f"{e['sha256']}-{c}")
            files[e2["sha256"]] = e2
    manifest.update(files=files, published=None)
    (dst / "_state" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return sum(1 for e in files.values() if e.get("current", True))


def _peak_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ru_maxrss: Linux carries the parent's high-water mark into a
    child through exec, and the parent here has just copied the parts."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _publish_case(store: str) -> None:
    """In a fresh process: publish ``store`` and print one JSON line (seconds, peak RSS, rows)."""
    from pipeline import ingest as steps
    from pipeline.store import Store

    s = Store(store)
    m = s.load_manifest()
    t0 = time.perf_counter()
    counts = steps.publish(s, m, force=True) or {}
    wall = time.perf_counter() - t0
    print(json.dumps({"publish_s": wall, "peak_mb": _peak_mb(),
                      "citations": counts.get("citations", 0), "instruments": counts.get("instruments", 0)}))


def measure(store: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.publish_scale", "--case", str(store)], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    line = next((x for x in reversed(proc.stdout.splitlines()) if x.startswith("{")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"publishing {store} failed (exit {proc.returncode}):\n{(proc.stderr or proc.stdout)[-2000:]}")
    return json.loads(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", default="3,5,10", help="copies of the N=1000 store to publish, one store each")
    ap.add_argument("--variant", choices=("own", "shared"), default="own",
                    help="own: each copy cites its own instruments; shared: copies cite the same ones")
    ap.add_argument("--base-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch-size", type=int, default=None,
                    help="files per batch of the N=1000 store (its part files) [default: the CLI's]")
    ap.add_argument("--out", help="Markdown table [default: benchmarks/publish_scale-<variant>.md]")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        _publish_case(args.case)
        return 0
    base = base_store(args.base_n, args.seed, args.batch_size)
    rows = []
    for k in (int(x) for x in args.copies.split(",")):
        dst = WORK_DIR / f"scaled-{args.variant}-x{k}"
        n_docs = scaled_store(base, dst, k, args.variant == "own")
        r = measure(dst)
        shutil.rmtree(dst, ignore_errors=True)
        r.update(plans=n_docs)
        rows.append(r)
        print(f"{n_docs} plans: publish {r['publish_s']:.1f} s, peak {r['peak_mb']:.0f} MB, "
              f"{r['citations']} citations, {r['instruments']} instruments", flush=True)
    lines = [f"Command: `.venv/bin/python -m benchmarks.publish_scale --copies {args.copies} --variant {args.variant}`, "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}, "
             f"Python {platform.python_version()}.", "",
             "| plans | citations | instruments | publish s | ms per plan | peak RSS MB |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['plans']} | {r['citations']} | {r['instruments']} | {r['publish_s']:.1f} | "
              f"{1000 * r['publish_s'] / r['plans']:.1f} | {r['peak_mb']:.0f} |" for r in rows]
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        lines += ["", f"Peak growth: {(b['peak_mb'] - a['peak_mb']) / (b['plans'] - a['plans']) * 1000:.1f} MB per 1 000 plans "
                      f"from {a['plans']} to {b['plans']}."]
    Path(args.out or BENCH_DIR / f"publish_scale-{args.variant}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
