"""The worked queries of the README ("Querying the tables"), run against their documented answers.

Two data sources:

* ``synthetic`` — tables modelled on the two seed plans (tests/_report_data.py): always runs.
* ``corpus`` — the two TXT seed plans of corpus/ ingested by the real pipeline into a temp
  folder (no Prefect: pipeline.ingest's steps).  Skipped only while the pipeline cannot be
  imported; once it runs, its answers must be the documented ones.

The answers are stated per province (COUNT(DISTINCT province)), so they hold whether a plan
was ingested in one format or three.  If README.md carries the queries (marked with
``<!-- query: NAME -->`` before a ```sql block), the test also checks they are the ones tested here.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _report_data import ingest_seeds, write_synthetic  # noqa: E402
from pipeline.query import sql  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

QUERIES = {
    "most_cited": """
SELECT i.symbol, count(DISTINCT d.province) AS provinces
FROM citations c
JOIN documents d USING (doc_id)
JOIN instruments i USING (instrument_id)
WHERE d.is_current AND i.symbol IS NOT NULL
GROUP BY i.instrument_id, i.symbol
ORDER BY provinces DESC, i.symbol
LIMIT 7;
""".strip(),
    "who_cites": """
SELECT DISTINCT d.province, c.date_cited, c.issuer_named
FROM citations c
JOIN documents d USING (doc_id)
WHERE d.is_current AND symkey(c.symbol) = symkey('32-ct/tw')
ORDER BY d.province;
""".strip(),
    "only_one_province": """
SELECT min(d.province) AS province, i.symbol
FROM citations c
JOIN documents d USING (doc_id)
JOIN instruments i USING (instrument_id)
WHERE d.is_current AND i.scope = 'national' AND i.symbol IS NOT NULL
GROUP BY i.instrument_id, i.symbol
HAVING count(DISTINCT d.province) = 1
ORDER BY province, i.symbol;
""".strip(),
    "shared_countries": """
SELECT l.country, string_agg(DISTINCT d.province, ', ' ORDER BY d.province) AS provinces
FROM localities l
JOIN documents d USING (doc_id)
WHERE d.is_current
GROUP BY l.country
HAVING count(DISTINCT d.province) >= 2
ORDER BY l.country;
""".strip(),
    "shared_localities": """
SELECT l.canonical, l.country, count(DISTINCT d.province) AS provinces
FROM localities l
JOIN documents d USING (doc_id)
WHERE d.is_current AND l.kind <> 'country'
GROUP BY l.canonical, l.country
HAVING count(DISTINCT d.province) >= 2;
""".strip(),
    "fold": """
SELECT DISTINCT province, doc_type, title
FROM documents
WHERE is_current AND fold(province) = 'quang nam';
""".strip(),
}

SHARED = ["12-CT/TW", "12-KL/TW", "169/NQ-CP", "32-CT/TW", "36-NQ/TW", "45-CT/TW"]
ONLY_QN = sorted(["06/2020/QĐ-TTg", "24-CT/TW", "25-CT/TW", "272-QĐ/TW", "33-KL/TW", "37/NQ-CP", "38-CT/TW",
                  "53-KL/TW", "59-NQ/TW"])
ONLY_NA = sorted(["01-ĐA/TW", "08-NQ/TW", "09/2023/QĐ-TTg", "1334/QĐ-TTg", "1349/BNG-CNV", "15-CT/TW", "39-NQ/TW",
                  "80/2020/NĐ-CP", "82/NQ-CP"])


@pytest.fixture(scope="module", params=["synthetic", "corpus"])
def outdir(request, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp(request.param)
    if request.param == "synthetic":
        return write_synthetic(d)
    return ingest_seeds(d)


def test_most_cited(outdir):
    df = sql(outdir, QUERIES["most_cited"])
    assert df["symbol"].tolist()[:6] == SHARED
    assert df["provinces"].tolist() == [2, 2, 2, 2, 2, 2, 1]


def test_who_cites_32_ct_tw(outdir):
    df = sql(outdir, QUERIES["who_cites"])
    assert df[["province", "date_cited"]].values.tolist() == [["Nghệ An", "2019-02-28"], ["Quảng Nam", "2019-02-18"]]
    assert set(df["issuer_named"]) == {"Bộ Chính trị"}


def test_only_one_province(outdir):
    df = sql(outdir, QUERIES["only_one_province"])
    assert df.loc[df["province"] == "Nghệ An", "symbol"].tolist() == ONLY_NA
    assert df.loc[df["province"] == "Quảng Nam", "symbol"].tolist() == ONLY_QN
    assert set(df["province"]) == {"Nghệ An", "Quảng Nam"}


def test_shared_partners(outdir):
    df = sql(outdir, QUERIES["shared_countries"])
    assert df["country"].tolist() == ["CN", "JP", "KR", "LA", "TH", "US"]
    assert set(df["provinces"]) == {"Nghệ An, Quảng Nam"}
    assert sql(outdir, QUERIES["shared_localities"]).empty  # both partner with Laos, but with different Lao provinces


def test_fold(outdir):
    df = sql(outdir, QUERIES["fold"])
    assert df[["province", "doc_type", "title"]].values.tolist() == [
        ["Quảng Nam", "Kế hoạch", "Triển khai công tác đối ngoại tỉnh Quảng Nam năm 2025"]]


def _readme_queries(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"<!-- query: (\w+) -->\s*```sql\n(.*?)```", text, re.S)}


def test_readme_carries_these_queries():
    readme = ROOT / "README.md"
    found = _readme_queries(readme.read_text(encoding="utf-8")) if readme.exists() else {}
    if not found:
        pytest.skip("README.md has no marked queries yet")
    for name, q in found.items():
        assert q == QUERIES[name], name
