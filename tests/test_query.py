"""SQL over the Parquet tables (views, fold/unaccent/symkey UDFs, the shell) and the
citation-network queries (find_symbol, cites, chain, cocited) on synthetic tables
modelled on the two seed plans (tests/_report_data.py)."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _report_data import NA, QN, write_synthetic  # noqa: E402
from pipeline.query import (  # noqa: E402
    chain, cites, cocited, connect, find_symbol, fold, province_matches, repl, split_statements, sql, symkey,
)
from schemas import TABLES  # noqa: E402


@pytest.fixture(scope="module")
def outdir(tmp_path_factory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("out"))


def test_keys():
    assert fold("Quảng Nam") == "quang nam"
    assert fold("  ĐẮK   LẮK ") == "dak lak"
    assert symkey("59 - NQ/TW") == "59-nq/tw" == symkey("59-nq/tw")
    assert symkey("1673/QĐ-UBND") == symkey("1673/qd-ubnd")
    assert symkey("59-NQ/TVV") != symkey("59-NQ/TW")
    assert fold(None) is None and symkey(None) is None
    assert province_matches("Quảng Nam", ["quang nam"]) and province_matches("Tỉnh Nghệ An", ["NGHE AN"])
    assert not province_matches("Quảng Ngãi", ["quang nam"]) and not province_matches(None, ["quang nam"])


def test_every_table_is_a_view(outdir):
    con = connect(outdir)
    try:
        views = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert set(TABLES) <= views
        # sections.parquet was written empty, failures too: both queryable
        assert con.execute("SELECT count(*) FROM sections").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM documents WHERE is_current").fetchone() == (4,)
    finally:
        con.close()


def test_missing_table_is_an_empty_view(outdir, tmp_path):
    import shutil

    part = tmp_path / "partial"
    part.mkdir()
    shutil.copy(outdir / "documents.parquet", part / "documents.parquet")
    df = sql(part, "SELECT count(*) AS n FROM citations")
    assert df["n"].tolist() == [0]
    assert "instrument_id" in sql(part, "SELECT * FROM instruments").columns


def test_fold_udf(outdir):
    df = sql(outdir, "SELECT DISTINCT province FROM documents WHERE fold(province) = 'quang nam'")
    assert df["province"].tolist() == [QN]
    df = sql(outdir, "SELECT DISTINCT province FROM documents WHERE unaccent(province) LIKE '%nghe%'")
    assert df["province"].tolist() == [NA]
    df = sql(outdir, "SELECT symbol, n_documents FROM instruments WHERE symkey(symbol) = symkey(?)", ["59 - nq/tw"])
    assert df.to_dict("records") == [{"symbol": "59-NQ/TW", "n_documents": 2}]
    assert sql(outdir, "SELECT fold(NULL) AS x")["x"].isna().all()


def test_find_symbol(outdir):
    assert find_symbol(outdir, "59-nq/tw")["symbol"].tolist() == ["59-NQ/TW"]
    assert find_symbol(outdir, "  59 - NQ / TW ")["symbol"].tolist() == ["59-NQ/TW"]
    assert find_symbol(outdir, "80/2020/nd-cp")["symbol"].tolist() == ["80/2020/NĐ-CP"]
    local = find_symbol(outdir, "1673/QD-UBND")
    assert sorted(local["instrument_id"]) == [f"vn:{NA}:1673/QĐ-UBND", f"vn:{QN}:1673/QĐ-UBND"]
    assert find_symbol(outdir, "59-NQ/TVV").empty  # no fuzzy matching
    assert find_symbol(outdir, "59").empty
    assert find_symbol(outdir, "vn:national:169/NQ-CP")["symbol"].tolist() == ["169/NQ-CP"]


def test_cites(outdir):
    df = cites(outdir, "12-ct/tw")
    # 2 mentions × 2 formats × 2 provinces, current documents only
    assert len(df) == 8
    assert set(df["province"]) == {QN, NA}
    na = df[(df["province"] == NA) & (df["format"] == "txt")]
    assert na[["issuer_named", "in_footnote", "section"]].values.tolist() == [
        ["Ban Bí thư Trung ương Đảng", False, "II.1"], ["Bộ Chính trị", True, "I.2"]]
    assert (df["date_cited"] == "2022-01-05").all()
    assert set(df["snippet"]) == {"Chỉ thị số 12-CT/TW"}
    assert (df["char_end"] > df["char_start"]).all()
    assert "qnold000000000" not in set(df["doc_id"])
    only = cites(outdir, "12-CT/TW", provinces=["quang nam"])
    assert set(only["province"]) == {QN} and len(only) == 4


def test_cites_includes_linked_short_forms(outdir):
    df = cites(outdir, "272-QĐ/TW")
    assert sorted(df["kind"].unique()) == ["full", "short"]
    short = df[df["kind"] == "short"]
    assert short["symbol"].isna().all() and set(short["instrument_symbol"]) == {"272-QĐ/TW"}


def test_cites_date_conflict_visible(outdir):
    df = cites(outdir, "32-CT/TW")
    assert dict(zip(df["province"], df["date_cited"])) == {NA: "2019-02-28", QN: "2019-02-18"}


def test_chain_from_symbol(outdir):
    assert chain(outdir, "7868/KH-UBND") == [
        ["7868/KH-UBND", "169/NQ-CP", "12-KL/TW"],
        ["7868/KH-UBND", "169/NQ-CP", "36-NQ/TW"],
        ["7868/KH-UBND", "169/NQ-CP", "45-CT/TW"],
    ]
    assert chain(outdir, "21-ctr/tu") == [["21-CTr/TU", "32-CT/TW"]]
    assert chain(outdir, "59-NQ/TW") == [["59-NQ/TW"]]  # cites nothing further
    assert chain(outdir, "no-such/XX") == []
    ids = chain(outdir, "7868/KH-UBND", ids=True)
    assert ids[0][0] == f"vn:{QN}:7868/KH-UBND" and ids[0][1] == "vn:national:169/NQ-CP"


def test_chain_from_document(outdir):
    paths = chain(outdir, "natxt00000000000")
    assert ["682/KH-UBND", "169/NQ-CP", "36-NQ/TW"] in paths
    assert ["120-KH/TU", "12-CT/TW"] in paths and ["716/KH-UBND", "12-CT/TW"] in paths
    assert ["396/KH-UBND", "1334/QĐ-TTg"] in paths
    # 169/NQ-CP is implemented by 682/KH-UBND in this document: it is not a starting point
    assert not any(p[0] == "169/NQ-CP" for p in paths)
    assert all(p[0].endswith(("/TU", "-UBND")) for p in paths)
    assert len(paths) == 8


def test_chain_cycles_terminate(outdir, tmp_path):
    import pyarrow.parquet as pq

    from schemas import to_table

    d = write_synthetic(tmp_path / "cyc")
    rel = pq.read_table(d / "relations.parquet").to_pylist()
    rel.append(dict(doc_id="natxt00000000000", source_instrument_id="vn:national:36-NQ/TW", relation="implements",
                    target_instrument_id=f"vn:{NA}:682/KH-UBND", source_symbol="36-NQ/TW", target_symbol="682/KH-UBND"))
    pq.write_table(to_table("relations", rel), d / "relations.parquet")
    paths = chain(d, "682/KH-UBND")
    assert ["682/KH-UBND", "169/NQ-CP", "36-NQ/TW"] in paths
    assert all(len(p) == len(set(p)) for p in paths)


def test_cocited(outdir):
    df = cocited(outdir, "169/NQ-CP", top=5)
    assert list(df.columns) == ["instrument_id", "symbol", "n_documents", "n_provinces", "n_mentions"]
    assert df["symbol"].tolist() == ["12-CT/TW", "12-KL/TW", "36-NQ/TW", "45-CT/TW", "32-CT/TW"]
    assert df["n_documents"].tolist() == [4, 4, 4, 4, 4] and df["n_provinces"].tolist() == [2] * 5
    assert "169/NQ-CP" not in set(cocited(outdir, "169/NQ-CP", top=100)["symbol"])
    assert cocited(outdir, "no-such/XX").empty


def test_split_statements():
    lines = ["SELECT 1;  SELECT 'a;b';\n", ".tables\n", "SELECT count(*)\n", "FROM (SELECT 1\n", ") t\n",
             "SELECT 2 \\\n", "+ 3\n", "\n", "SELECT 'open\n", "quote'\n", "SELECT 4"]
    assert list(split_statements(lines)) == [
        "SELECT 1", "SELECT 'a;b'", ".tables", "SELECT count(*)", "FROM (SELECT 1\n) t", "SELECT 2 \n+ 3",
        "SELECT 'open\nquote'", "SELECT 4"]


def test_repl(outdir):
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=200, color_system=None)
    stdin = io.StringIO(
        ".tables\n"
        "SELECT symbol, n_documents FROM instruments WHERE fold(scope) = 'national' ORDER BY n_documents DESC, symbol LIMIT 2;\n"
        "SELECT nope FROM instruments\n"
        ".bogus\n"
        ".quit\n"
        "SELECT 'never run'\n")
    failures = repl(outdir, stdin=stdin, console=console)
    out = buf.getvalue()
    assert failures == 2
    assert "relation_mentions" in out and "conflicts" in out
    assert "12-CT/TW" in out and "12-KL/TW" in out and "2 rows" in out
    assert "error:" in out and "nope" in out
    assert "unknown command .bogus" in out
    assert "never run" not in out
