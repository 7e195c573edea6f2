"""SQL over the Parquet tables, and citation-network queries for notebooks.

Everything reads the output folder of ``plans ingest`` (``OUTDIR/<table>.parquet``);
a table that is missing is seen as empty (with its schema), so queries work on a
partial output folder too.

SQL (DuckDB)::

    from pipeline.query import sql
    sql("outputs", "SELECT symbol, n_documents FROM instruments ORDER BY n_documents DESC LIMIT 5")

Every table is a view of the same name.  Two scalar functions help searching
Vietnamese text without diacritics:

* ``fold(text)`` (alias ``unaccent``): ``strip_diacritics`` — lower case, no tone
  marks, đ → d: ``WHERE fold(province) = 'quang nam'``.
* ``symkey(text)``: ``fold`` without spaces — the key used to match symbols:
  ``WHERE symkey(symbol) = symkey('59-nq/tw')``.

Network queries (pandas DataFrames / lists)::

    cites("outputs", "59-NQ/TW")        # who cites it, where, with which date/issuer
    chain("outputs", "7868/KH-UBND")    # [['7868/KH-UBND', '169/NQ-CP', '36-NQ/TW'], ...]
    cocited("outputs", "169/NQ-CP")     # instruments cited in the same documents
    find_symbol("outputs", "59-nq/tw")  # instruments whose symbol matches, diacritics/case/spaces ignored

Only current document versions count (``documents.is_current``); every other
table holds rows of current documents only.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, Iterable, Optional

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.normalize import strip_diacritics
from schemas import TABLES, empty_table

DEFAULT_RELATIONS = ("implements", "issued_with")


# ---------------------------------------------------------------------------
# keys
def fold(text: Optional[str]) -> Optional[str]:
    """Accent- and case-insensitive key: 'Quảng Nam' → 'quang nam' (None stays None)."""
    if text is None:
        return None
    return " ".join(strip_diacritics(str(text)).split())


def symkey(text: Optional[str]) -> Optional[str]:
    """Key of a symbol: folded with every space removed ('59 - NQ/TW' → '59-nq/tw')."""
    if text is None:
        return None
    return "".join(strip_diacritics(str(text)).split())


def province_matches(value: Optional[str], wanted: Iterable[str]) -> bool:
    """True when ``value`` equals one of ``wanted`` ignoring diacritics, case and spacing
    (a leading 'tỉnh'/'thành phố' in either is ignored)."""
    key = _province_key(value)
    return key is not None and any(key == _province_key(w) for w in wanted)


def _province_key(value: Optional[str]) -> Optional[str]:
    k = fold(value)
    if not k:
        return None
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp "):
        if k.startswith(prefix):
            k = k[len(prefix):]
    return k.strip()


# ---------------------------------------------------------------------------
# tables
def table_path(outdir: str | Path, name: str) -> Path:
    return Path(outdir) / f"{name}.parquet"


def read_table(outdir: str | Path, name: str) -> pa.Table:
    """One output table as Arrow (its empty schema when the file is absent)."""
    p = table_path(outdir, name)
    return pq.read_table(p) if p.exists() else empty_table(name)


def load(outdir: str | Path, name: str) -> pd.DataFrame:
    """One output table as a DataFrame (nulls as None/NaN)."""
    return read_table(outdir, name).to_pandas()


def current_documents(outdir: str | Path) -> pd.DataFrame:
    docs = load(outdir, "documents")
    if "is_current" in docs and len(docs):
        docs = docs[docs["is_current"].fillna(True).astype(bool)]
    return docs.reset_index(drop=True)


# ---------------------------------------------------------------------------
# SQL
def _udf_fold(x: Optional[str]) -> Optional[str]:
    return fold(x)


def _udf_symkey(x: Optional[str]) -> Optional[str]:
    return symkey(x)


def connect(outdir: str | Path, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per output table and the fold/unaccent/symkey functions."""
    con = duckdb.connect(database)
    for fname, fn in (("fold", _udf_fold), ("unaccent", _udf_fold), ("symkey", _udf_symkey)):
        con.create_function(fname, fn, [duckdb.sqltype("VARCHAR")], duckdb.sqltype("VARCHAR"),
                            null_handling="special", side_effects=False)
    for name in TABLES:
        p = table_path(outdir, name)
        if p.exists():
            path = str(p.resolve()).replace("'", "''")
            con.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{path}')")
        else:
            con.register(f"__empty_{name}", empty_table(name))
            con.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM \"__empty_{name}\"")
    return con


def sql(outdir: str | Path, query: str, params: Optional[list[Any]] = None) -> pd.DataFrame:
    """Run one SQL query over the output tables and return a DataFrame."""
    con = connect(outdir)
    try:
        return con.execute(query, params or []).df()
    finally:
        con.close()


def split_statements(lines: Iterable[str]) -> Iterable[str]:
    """Group input lines into statements for the shell.

    A statement ends at ';' or at the end of a line, unless a quote or a
    parenthesis is still open or the line ends with '\\' (then it continues on
    the next line).  Dot-commands ('.tables', '.quit') are one line each.
    """
    buf: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if not buf and line.strip().startswith("."):
            yield line.strip()
            continue
        cont = line.rstrip().endswith("\\")
        buf.append(line.rstrip()[:-1] if cont else line)
        text = "\n".join(buf)
        semis, closed = _scan(text)
        if cont or not closed:
            continue
        for start, end in zip([-1, *semis], [*semis, len(text)]):
            stmt = text[start + 1:end].strip()
            if stmt:
                yield stmt
        buf = []
    if buf and "\n".join(buf).strip():
        yield "\n".join(buf).strip()


def _scan(text: str) -> tuple[list[int], bool]:
    """Positions of the ';' outside quotes, and whether every quote and parenthesis is closed."""
    depth, quote, semis = 0, None, []
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ";":
            semis.append(i)
    return semis, quote is None and depth <= 0


def render_frame(df: pd.DataFrame, title: Optional[str] = None, max_rows: int = 200):
    """A rich Table for a DataFrame (at most ``max_rows`` rows)."""
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in df.columns:
        t.add_column(str(c), overflow="fold")
    for row in df.head(max_rows).itertuples(index=False):
        t.add_row(*["" if _isnull(v) else str(v) for v in row])
    if len(df) > max_rows:
        t.caption = f"{len(df)} rows, first {max_rows} shown"
    else:
        t.caption = f"{len(df)} row{'s' if len(df) != 1 else ''}"
    return t


def _isnull(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def repl(outdir: str | Path, stdin: Optional[IO[str]] = None, console=None) -> int:
    """Interactive SQL shell over the output tables.

    One statement per line (or several separated by ';'; open quotes/parentheses or a
    trailing '\\' continue on the next line).  '.tables' lists the views, '.schema NAME'
    shows a table's columns, '.help', '.quit'.  Returns the number of failed statements.
    """
    from rich.console import Console

    console = console or Console()
    stdin = stdin or sys.stdin
    interactive = hasattr(stdin, "isatty") and stdin.isatty()
    con = connect(outdir)
    failures = 0

    def lines() -> Iterable[str]:
        while True:
            if interactive:
                console.print("plans> ", end="")
            line = stdin.readline()
            if not line:
                return
            yield line

    if interactive:
        console.print(f"SQL over {outdir} — .tables lists the views, .help for help, .quit to leave")
    try:
        for stmt in split_statements(lines()):
            cmd = stmt.split()
            if stmt.startswith("."):
                if cmd[0] in (".quit", ".exit", ".q"):
                    break
                if cmd[0] == ".tables":
                    rows = [(n, TABLES[n][0]) for n in TABLES]
                    console.print(render_frame(pd.DataFrame(rows, columns=["view", "description"]), max_rows=100))
                elif cmd[0] == ".schema" and len(cmd) > 1 and cmd[1] in TABLES:
                    cols = [(c.name, str(c.type), c.doc) for c in TABLES[cmd[1]][1]]
                    console.print(render_frame(pd.DataFrame(cols, columns=["column", "type", "meaning"]), max_rows=100))
                elif cmd[0] == ".help":
                    console.print(repl.__doc__ or "", markup=False, highlight=False)
                else:
                    console.print(f"unknown command {cmd[0]} (try .help)", markup=False)
                    failures += 1
                continue
            try:
                cur = con.execute(stmt)
                if cur.description is None:
                    console.print("ok")
                else:
                    console.print(render_frame(cur.df()))
            except duckdb.Error as exc:
                failures += 1
                console.print(f"error: {exc}", markup=False, highlight=False)
    finally:
        con.close()
    return failures


# ---------------------------------------------------------------------------
# network queries
def find_symbol(outdir: str | Path, text: str) -> pd.DataFrame:
    """Instruments whose symbol matches ``text`` ignoring diacritics, case and spaces
    ('59-nq/tw' finds 59-NQ/TW, '1673/QD-UBND' finds 1673/QĐ-UBND).  An instrument_id
    matches too.  No fuzzy matching: '59-NQ/TVV' finds nothing."""
    insts = load(outdir, "instruments")
    key = symkey(text)
    if not key or insts.empty:
        return insts.iloc[0:0]
    keys = insts["symbol"].map(symkey)
    hit = (keys == key) | (insts["instrument_id"] == text.strip())
    return insts[hit].sort_values(["n_documents", "instrument_id"], ascending=[False, True]).reset_index(drop=True)


def _doc_info(outdir: str | Path) -> pd.DataFrame:
    docs = current_documents(outdir)
    cols = ["doc_id", "province", "format", "doc_type", "title", "number", "symbol", "source_path"]
    docs = docs[[c for c in cols if c in docs.columns]].rename(columns={"symbol": "doc_symbol", "number": "doc_number"})
    return docs


def _citations_of(outdir: str | Path, text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    insts = find_symbol(outdir, text)
    cits = load(outdir, "citations")
    key = symkey(text)
    ids = set(insts["instrument_id"])
    mask = cits["instrument_id"].isin(ids) | (cits["symbol"].map(symkey) == key)
    return cits[mask], insts


def cites(outdir: str | Path, symbol: str, provinces: Optional[list[str]] = None) -> pd.DataFrame:
    """Who cites ``symbol``: one row per mention in a current document, with province, format,
    cited date, issuer as named, section, span, footnote flag and the citation's text
    (``snippet``: the citation with its subject clause).  Short forms linked to the
    instrument ('Quy chế 272') are included.  ``provinces`` filters (diacritics-insensitive)."""
    cits, insts = _citations_of(outdir, symbol)
    docs = _doc_info(outdir)
    df = cits.merge(docs, on="doc_id", how="inner")
    if provinces:
        df = df[df["province"].map(lambda p: province_matches(p, provinces))]
    canon = dict(zip(insts["instrument_id"], insts["symbol"]))
    df = df.assign(
        instrument_symbol=df["instrument_id"].map(canon).fillna(df["symbol"]),
        snippet=[_snippet(t, s) for t, s in zip(df["text"], df["subject"])],
    )
    cols = ["instrument_symbol", "instrument_id", "province", "doc_id", "format", "doc_type", "title", "mention", "symbol",
            "kind", "cited_as", "date_cited", "issuer_named", "section", "in_footnote", "char_start", "char_end",
            "snippet", "source_path"]
    df = df[[c for c in cols if c in df.columns]]
    return df.sort_values(["province", "format", "doc_id", "mention"]).reset_index(drop=True)


def _snippet(text: Any, subject: Any) -> str:
    t = "" if _isnull(text) else str(text)
    s = "" if _isnull(subject) else str(subject)
    if s and fold(s) not in (fold(t) or ""):
        return f"{t} về {s}" if t else s
    return t


def _graph(outdir: str | Path, relations: Iterable[str]) -> dict[str, list[str]]:
    rel = load(outdir, "relations")
    rel = rel[rel["relation"].isin(list(relations))]
    edges: dict[str, set[str]] = {}
    for s, t in zip(rel["source_instrument_id"], rel["target_instrument_id"]):
        if _isnull(s) or _isnull(t) or s == t:
            continue
        edges.setdefault(s, set()).add(t)
    return {k: sorted(v) for k, v in edges.items()}


def _paths_from(start: str, edges: dict[str, list[str]], max_depth: int = 12) -> list[list[str]]:
    """Every maximal path from ``start`` (cycles cut, depth bounded)."""
    out: list[list[str]] = []
    stack: list[list[str]] = [[start]]
    while stack:
        path = stack.pop()
        nxt = [t for t in edges.get(path[-1], []) if t not in path]
        if not nxt or len(path) > max_depth:
            out.append(path)
            continue
        for t in reversed(nxt):
            stack.append(path + [t])
    return out


def chain(outdir: str | Path, doc_id_or_symbol: str, relations: Iterable[str] = DEFAULT_RELATIONS,
          ids: bool = False) -> list[list[str]]:
    """Paths from a local instrument (or every instrument a document cites) up to the
    instruments it implements, transitively, following ``relations`` edges of the
    ``relations`` table across the whole corpus.

    ``chain(out, "7868/KH-UBND")`` → ``[['7868/KH-UBND', '169/NQ-CP', '12-KL/TW'],
    ['7868/KH-UBND', '169/NQ-CP', '36-NQ/TW'], ['7868/KH-UBND', '169/NQ-CP', '45-CT/TW']]``.

    Given a doc_id, the paths start at the instruments that document cites which are the
    source of a relation and not the target of one stated in that same document (the
    document's own starting points); the document itself is not part of the paths.
    Symbols are returned (instrument_id when ``ids=True`` or the symbol is unknown);
    a symbol matching nothing returns [].
    """
    edges = _graph(outdir, relations)
    insts = load(outdir, "instruments")
    label = dict(zip(insts["instrument_id"], insts["symbol"]))
    docs = current_documents(outdir)
    starts: list[str]
    if doc_id_or_symbol in set(docs["doc_id"]):
        cits = load(outdir, "citations")
        cited = set(cits.loc[cits["doc_id"] == doc_id_or_symbol, "instrument_id"].dropna())
        rel = load(outdir, "relations")
        rel = rel[(rel["doc_id"] == doc_id_or_symbol) & rel["relation"].isin(list(relations))]
        targets_here = set(rel["target_instrument_id"].dropna())
        starts = sorted(i for i in cited | set(rel["source_instrument_id"].dropna()) if i in edges and i not in targets_here)
    else:
        starts = sorted(find_symbol(outdir, doc_id_or_symbol)["instrument_id"])
    paths: list[list[str]] = []
    for s in starts:
        paths.extend(_paths_from(s, edges))
    if not ids:
        paths = [[label.get(i) or i for i in p] for p in paths]
    uniq: list[list[str]] = []
    for p in paths:
        if p not in uniq:
            uniq.append(p)
    return sorted(uniq)


def cocited(outdir: str | Path, symbol: str, top: int = 10) -> pd.DataFrame:
    """Instruments most often cited in the same current documents as ``symbol``.

    Columns: instrument_id, symbol, n_documents (documents citing both), n_provinces
    (provinces with such a document — one plan ingested as PDF, DOCX and TXT counts once
    here), n_mentions (mentions in those documents).  Sorted by n_provinces, n_documents,
    n_mentions (descending), then symbol."""
    cits, insts = _citations_of(outdir, symbol)
    own = set(insts["instrument_id"])
    docs = _doc_info(outdir)
    doc_ids = set(cits["doc_id"]) & set(docs["doc_id"])
    allc = load(outdir, "citations")
    allc = allc[allc["doc_id"].isin(doc_ids) & allc["instrument_id"].notna() & ~allc["instrument_id"].isin(own)]
    allc = allc.merge(docs[["doc_id", "province"]], on="doc_id", how="left")
    cols = ["instrument_id", "symbol", "n_documents", "n_provinces", "n_mentions"]
    if allc.empty:
        return pd.DataFrame(columns=cols)
    g = allc.groupby("instrument_id").agg(n_documents=("doc_id", "nunique"), n_provinces=("province", "nunique"),
                                          n_mentions=("doc_id", "size")).reset_index()
    label = dict(zip(load(outdir, "instruments")["instrument_id"], load(outdir, "instruments")["symbol"]))
    g["symbol"] = g["instrument_id"].map(label)
    g = g.sort_values(["n_provinces", "n_documents", "n_mentions", "symbol"], ascending=[False, False, False, True])
    return g[cols].head(top).reset_index(drop=True)


__all__ = ["fold", "symkey", "province_matches", "read_table", "load", "current_documents", "connect", "sql", "repl",
           "split_statements", "render_frame", "find_symbol", "cites", "chain", "cocited"]
