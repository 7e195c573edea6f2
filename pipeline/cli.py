"""`plans` — read Vietnamese provincial plans into Parquet tables and a citation network.

Every command has --help with examples.  Exit status: 0 when the command
completed (per-file failures are reported, not fatal), 2 for usage errors,
1 when the run itself failed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from pipeline.config import Settings, load_settings, prefect_environment

app = typer.Typer(
    name="plans",
    help=(
        "Read Vietnamese provincial plans (PDF, DOCX, TXT) into Parquet tables: cited instruments, "
        "foreign partner localities, dates, quantitative targets; link the citations into one network.\n\n"
        "Typical day:\n\n"
        "  plans ingest corpus/ --out outputs/      # read new/changed files, link, write tables\n\n"
        "  plans eval --gold ../shared/gold/seeds.json outputs/   # precision/recall against a gold file\n\n"
        "  plans sql \"SELECT symbol, n_documents FROM instruments ORDER BY n_documents DESC LIMIT 10\"\n\n"
        "  plans cites 59-NQ/TW                     # who cites it\n\n"
        "  plans compare --out report.html          # side-by-side report (also .xlsx)\n\n"
        "  plans serve --inbox /data/inbox          # nightly ingestion at 02:00 Asia/Ho_Chi_Minh"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
err = Console(stderr=True)
out = Console()


def _fail(msg: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {msg}", highlight=False)
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: List[Path] = typer.Argument(..., help="Files or folders (searched recursively) of .pdf, .docx, .txt plans."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder for the Parquet tables [default: outputs/]."),
    batch_size: Optional[int] = typer.Option(None, help=f"Most files per Prefect task (keeps per-task overhead small); small runs get smaller batches so every worker has work [default: {Settings.batch_size}]."),
    runner: Optional[str] = typer.Option(None, help="Task runner: threads | processes | dask | sequential [default: threads]."),
    workers: Optional[int] = typer.Option(None, help="Parallel workers for the runner [default: 2]."),
    dask_address: Optional[str] = typer.Option(None, help="Existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --runner dask)."),
    config: Optional[Path] = typer.Option(None, help="Config file (TOML) [default: ./plans.toml if present]."),
    force: bool = typer.Option(False, help="Rebuild and rewrite the tables even if nothing changed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Ingest plans: read, extract, link, write Parquet tables (incremental: unchanged files are skipped).

    Example: plans ingest corpus/ --out outputs/

    Files are identified by content hash: running twice does nothing the second time; a modified file
    replaces its old rows (documents keeps the version history). After an upgrade of the extraction code
    (readers, extractors, their data files), files whose rows older code made are read again, once. A bad
    file is reported on stderr and in the `failures` table, copied to OUT/_quarantine/, and never stops
    the run.
    """
    if _OWN_PROCESS:  # (not when called in-process, e.g. by a test's CliRunner: that heap is not ours to freeze)
        from pipeline import heap

        heap.hold()  # no cyclic collection during start-up: flows.ingest_with settles the heap once warmed up
    try:
        settings = load_settings(config, out=str(out_dir) if out_dir else None, batch_size=batch_size, runner=runner,
                                 workers=workers, dask_address=dask_address)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc), 2)
    for p in paths:
        if not p.exists() and not p.is_symlink():
            _fail(f"{p}: no such file or directory", 2)
    prefect_environment()
    from pipeline.localserver import embedded_api

    embedded_api()  # unless PREFECT_API_URL is set: a private API server boots while Prefect is imported
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    import flows

    progress = Progress(TextColumn("reading plans"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, disable=quiet or not err.is_terminal,
                        # no stdout/stderr proxies: process and Dask runners pickle the run context, and a proxy holds locks
                        redirect_stdout=False, redirect_stderr=False)
    with progress:
        tid = progress.add_task("read", total=None)

        def on_batch(done: int, total: int) -> None:
            progress.update(tid, completed=done, total=total)

        try:
            summary = flows.ingest_with(settings, [str(p) for p in paths], on_batch=on_batch, force_publish=force)
        except Exception as exc:  # noqa: BLE001
            _fail(f"ingest failed: {type(exc).__name__}: {exc}", 1)
    for f in summary["failures"]:
        err.print(f"[yellow]failed[/yellow] {f['path']}: [bold]{f['error_kind']}[/bold] — {f['message']}", highlight=False)
    counts = summary["counts"]
    tables = ", ".join(f"{k} {v}" for k, v in counts.items()) if counts else "tables unchanged"
    out.print(
        f"{summary['files_seen']} files: {summary['processed']} processed"
        + (f" ({summary['stale']} of them again: newer extraction code)" if summary.get("stale") else "")
        + f", {summary['unchanged']} unchanged, "
        f"{len(summary['failures'])} failed ({summary['seconds_total']:.1f} s) → {settings.out}/  [{tables}]",
        highlight=False,
    )


@app.command("eval")
def eval_cmd(
    outdir: Path = typer.Argument(Path("outputs"), help="Output folder of `plans ingest`."),
    gold: Path = typer.Option(..., "--gold", help="Gold file in the format of shared/gold/seeds.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Precision, recall and F1 per extractor against a gold file, with the misses.

    Example: plans eval --gold ../shared/gold/seeds.json outputs/
    """
    from pipeline.evaluate import evaluate, render_report

    if not gold.exists():
        _fail(f"{gold}: gold file not found", 2)
    if not (outdir / "documents.parquet").exists():
        _fail(f"{outdir}: no documents.parquet — run `plans ingest` first", 2)
    report = evaluate(outdir, gold)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False, default=str))
    else:
        typer.echo(render_report(report))


@app.command()
def tables() -> None:
    """Describe every output table, column by column."""
    from schemas import describe

    out.print(describe(), highlight=False, markup=False)


@app.command()
def serve(
    inbox: Optional[Path] = typer.Option(None, help="Folder watched by the nightly run (or PLANS_INBOX)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: outputs/]."),
    cron: Optional[str] = typer.Option(None, help='Cron schedule [default: "0 2 * * *"].'),
    timezone: Optional[str] = typer.Option(None, help="Time zone of the schedule [default: Asia/Ho_Chi_Minh]."),
    name: str = typer.Option("nightly-ingest", help="Deployment name."),
    runner: Optional[str] = typer.Option(None, help="Task runner for each run: threads | processes | dask."),
    config: Optional[Path] = typer.Option(None, help="Config file (TOML)."),
) -> None:
    """Serve the nightly ingestion deployment: runs `ingest` over INBOX on a cron schedule.

    Example: plans serve --inbox /data/inbox --cron "0 2 * * *"

    Embedded mode (default): a private Prefect server is started on 127.0.0.1 for as long as this command
    runs (its scheduler fires the runs). Against a real server: run `prefect server start` elsewhere and
    export PREFECT_API_URL=http://127.0.0.1:4200/api first.
    """
    try:
        settings = load_settings(config, inbox=str(inbox) if inbox else None, out=str(out_dir) if out_dir else None,
                                 cron=cron, timezone=timezone, runner=runner)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc), 2)
    if not settings.inbox or not Path(settings.inbox).is_dir():
        _fail(f"--inbox must be an existing folder (got {settings.inbox!r})", 2)
    prefect_environment()
    import contextlib
    import os

    from pipeline.localserver import local_server, stop_children

    import signal

    def _terminate(signum, frame):  # SIGTERM (service managers) stops like Ctrl-C: the local server is stopped too
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    server = contextlib.nullcontext(os.environ.get("PREFECT_API_URL")) if os.environ.get("PREFECT_API_URL") else local_server()
    with server as api_url:
        os.environ["PREFECT_API_URL"] = api_url
        import flows

        out.print(f"serving '{name}': {settings.inbox} → {settings.out} on '{settings.cron}' ({settings.timezone}) "
                  f"via {api_url}; Ctrl-C to stop", highlight=False)
        try:
            flows.serve(settings, name=name)
        finally:
            if stop_children():
                out.print("stopped the run in progress; the next run resumes it", highlight=False)




def _tables_dir(tables_dir: Optional[Path], config: Optional[Path] = None) -> Path:
    """The output folder to read; usage error (exit 2) when it holds no documents.parquet."""
    if tables_dir is None:
        try:
            tables_dir = Path(load_settings(config).out)
        except (ValueError, FileNotFoundError) as exc:
            _fail(str(exc), 2)
    if not (tables_dir / "documents.parquet").exists():
        _fail(f"{tables_dir}: no documents.parquet — run `plans ingest` first (or pass --dir)", 2)
    return tables_dir


def _print_frame(df, fmt: str, title: Optional[str] = None) -> None:
    from pipeline.query import render_frame

    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        out.print(render_frame(df, title=title, max_rows=10_000))


_DIR_HELP = "Output folder of `plans ingest` holding the Parquet tables [default: outputs/]."
_FMT_HELP = "table (rich, default) | csv | json."


@app.command("sql")
def sql_cmd(
    query: Optional[str] = typer.Argument(None, help="SQL query (DuckDB dialect). Omit it to open the interactive shell."),
    tables_dir: Optional[Path] = typer.Option(None, "--dir", "-d", help=_DIR_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help=_FMT_HELP),
) -> None:
    """Run SQL over the tables: every table is a view (documents, citations, instruments, relations, ...).

    Example: plans sql "SELECT symbol, n_documents FROM instruments ORDER BY n_documents DESC LIMIT 10"

    Search without diacritics: fold(text) (alias unaccent) and symkey(text) (fold without spaces),
    e.g. WHERE fold(province) = 'quang nam' or WHERE symkey(symbol) = symkey('59-nq/tw').
    """
    import duckdb

    from pipeline.query import repl, sql

    d = _tables_dir(tables_dir)
    if fmt not in ("table", "csv", "json"):
        _fail(f"--format must be table, csv or json (got {fmt!r})", 2)
    if query is None:
        raise typer.Exit(1 if repl(d, console=out) else 0)
    try:
        df = sql(d, query)
    except duckdb.Error as exc:
        _fail(f"SQL error: {exc}", 2)
    _print_frame(df, fmt)


@app.command("shell")
def shell_cmd(tables_dir: Optional[Path] = typer.Option(None, "--dir", "-d", help=_DIR_HELP)) -> None:
    """Interactive SQL shell over the tables (.tables lists them, .schema NAME, .quit).

    Example: plans shell -d outputs/
    """
    from pipeline.query import repl

    raise typer.Exit(1 if repl(_tables_dir(tables_dir), console=out) else 0)


@app.command("cites")
def cites_cmd(
    symbol: str = typer.Argument(..., help="Instrument symbol; case, diacritics and spaces are ignored ('59-nq/tw')."),
    tables_dir: Optional[Path] = typer.Option(None, "--dir", "-d", help=_DIR_HELP),
    province: Optional[List[str]] = typer.Option(None, "--province", "-p", help="Only these provinces (repeatable; 'quang nam' works)."),
    fmt: str = typer.Option("table", "--format", "-f", help=_FMT_HELP),
) -> None:
    """Who cites an instrument: province, document, date and issuer as cited, section, span, text.

    Example: plans cites 59-NQ/TW
    """
    from pipeline.query import cites, find_symbol

    d = _tables_dir(tables_dir)
    df = cites(d, symbol, provinces=province or None)
    if df.empty and find_symbol(d, symbol).empty:
        _fail(f"no instrument {symbol!r} in {d} (symbols are matched ignoring case, diacritics and spaces)", 1)
    cols = ["province", "format", "doc_id", "date_cited", "issuer_named", "section", "in_footnote", "char_start", "char_end", "snippet"]
    _print_frame(df if fmt != "table" else df[[c for c in cols if c in df.columns]], fmt, title=f"Citations of {symbol}")


@app.command("chain")
def chain_cmd(
    start: str = typer.Argument(..., help="A symbol ('7868/KH-UBND') or a doc_id from the documents table."),
    tables_dir: Optional[Path] = typer.Option(None, "--dir", "-d", help=_DIR_HELP),
    relation: Optional[List[str]] = typer.Option(None, "--relation", "-r", help="Edges to follow [default: implements, issued_with]."),
) -> None:
    """Implementation chains from a local plan up to the central instruments it implements.

    Example: plans chain 7868/KH-UBND   →   7868/KH-UBND → 169/NQ-CP → 36-NQ/TW
    """
    from pipeline.query import DEFAULT_RELATIONS, chain

    paths = chain(_tables_dir(tables_dir), start, relations=relation or DEFAULT_RELATIONS)
    if not paths:
        _fail(f"{start!r}: no such instrument or document", 1)
    for p in paths:
        out.print(" → ".join(p), highlight=False)


@app.command("cocited")
def cocited_cmd(
    symbol: str = typer.Argument(..., help="Instrument symbol."),
    top: int = typer.Option(10, "--top", "-n", help="How many instruments to list."),
    tables_dir: Optional[Path] = typer.Option(None, "--dir", "-d", help=_DIR_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help=_FMT_HELP),
) -> None:
    """Instruments most often cited in the same documents as SYMBOL.

    Example: plans cocited 169/NQ-CP --top 5
    """
    from pipeline.query import cocited

    _print_frame(cocited(_tables_dir(tables_dir), symbol, top=top), fmt, title=f"Cited together with {symbol}")


@app.command("compare")
def compare_cmd(
    report: Path = typer.Option(Path("report.html"), "--out", "-o", help="Report file: .html (self-contained, printable) or .xlsx."),
    province: Optional[List[str]] = typer.Option(None, "--province", "--provinces", "-p", help="Provinces to compare (repeatable) [default: all]."),
    docs: str = typer.Option("all", "--docs", help="all (every current document, merged per province) | latest (one per province) | pdf | docx | txt."),
    tables_dir: Optional[Path] = typer.Option(None, "--dir", "-d", help=_DIR_HELP),
) -> None:
    """Side-by-side report of the provinces' plans: central instruments cited (with dates), instruments
    only one province cites, partner countries and localities, targets by category, deadlines, conflicts.

    Example: plans compare -p "Quảng Nam" -p "Nghệ An" --out report.html   (or --out report.xlsx)
    """
    from pipeline.report import compare

    d = _tables_dir(tables_dir)
    try:
        path = compare(d, province or None, report, docs=docs)
    except ValueError as exc:
        _fail(str(exc), 2)
    out.print(f"report written to {path}", highlight=False)


@app.command("graph")
def graph_cmd(
    fmt: str = typer.Option("graphml", "--format", "-f", help="graphml | gexf | csv (csv writes nodes.csv and edges.csv into --out)."),
    target: Path = typer.Option(..., "--out", "-o", help="Output file (graphml/gexf) or folder (csv)."),
    tables_dir: Optional[Path] = typer.Option(None, "--dir", "-d", help=_DIR_HELP),
) -> None:
    """Export the citation network: documents and instruments as nodes; cites, implements, amends,
    replaces and issued_with edges. Opens in Gephi, Cytoscape or networkx.

    Example: plans graph --format graphml --out network.graphml
    """
    import pyarrow.parquet as pq

    from pipeline.linker import export_graph
    from pipeline.linking import corpus_graph

    if fmt not in ("graphml", "gexf", "csv"):
        _fail(f"--format must be graphml, gexf or csv (got {fmt!r})", 2)
    d = _tables_dir(tables_dir)
    tables = {n: pq.read_table(d / f"{n}.parquet") for n in ("documents", "instruments", "citations", "relations")}
    G = corpus_graph(tables)
    paths = export_graph(G, fmt, target)
    out.print(f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges → {', '.join(map(str, paths))}", highlight=False)


_OWN_PROCESS = False  # the command runs as its own process (main()), which ends with the command


def main() -> None:
    global _OWN_PROCESS
    _OWN_PROCESS = True
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
