"""pipeline.linker: canonical instruments, short forms, conflicts, relations, graph."""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any, Optional

import networkx as nx
import pytest

from extractors.records import Relation
from pipeline.linker import (
    CitationRow,
    canonical_issuer,
    export_graph,
    graph,
    is_national,
    link,
    parse_symbol,
    party_term,
    rows_from_columns,
    rows_from_tables,
)
from pipeline.normalize import normalize_text

SEEDS = Path("/work/shared/seeds")
GOLD = Path("/work/shared/gold/seeds.json")
HAVE_EXTRACTOR = (Path(__file__).resolve().parent.parent / "extractors" / "instruments.py").exists()

_WORD = {"NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "KL": "Kết luận", "KH": "Kế hoạch",
         "TB": "Thông báo", "QC": "Quy chế", "HD": "Hướng dẫn", "CTr": "Chương trình", "NĐ": "Nghị định"}


def row(doc: str, symbol: Optional[str], *, province: str = "Quảng Nam", date: Optional[str] = None,
        issuer: Optional[str] = None, subject: Optional[str] = None, cited_as: Optional[str] = None,
        kind: str = "full", number: Optional[str] = None, start: int = 0, doc_date: str = "2025-04-15",
        in_footnote: bool = False, mention: Optional[int] = None, **kw: Any) -> CitationRow:
    """A CitationRow as the citation extractor would produce it."""
    p = parse_symbol(symbol) if symbol else None
    if p:
        itype = _WORD.get(p["type_code"] or "", "Công văn" if p["type_code"] is None else None)
        if p["system"] == "law":
            itype = cited_as
        word = cited_as or itype
        return CitationRow(
            doc_id=doc, symbol=symbol, instrument_type=itype, number=p["number"], type_code=p["type_code"],
            issuer_code=p["issuer_code"], year=p["year"], system=p["system"], kind=kind,
            text=f"{word} số {symbol}", char_start=start, char_end=start + len(f"{word} số {symbol}"),
            cited_as=word, type_mismatch=bool(cited_as and itype and not cited_as.startswith(itype)
                                              and cited_as != "Văn bản"), date_cited=date,
            issuer_named=issuer, subject=subject, province=province, doc_date=doc_date, in_footnote=in_footnote,
            mention=mention, **kw)
    text = f"{cited_as} {number}"
    return CitationRow(doc_id=doc, symbol=None, instrument_type=cited_as, number=number, type_code=None,
                       issuer_code=None, year=None, system="unknown", kind=kind, text=text, char_start=start,
                       char_end=start + len(text), cited_as=cited_as, province=province, doc_date=doc_date,
                       mention=mention, **kw)


def ids_of(res) -> list[str]:
    return [l.instrument_id for l in res.citation_links]


# --- basic parsing ---------------------------------------------------------
def test_parse_symbol_and_scope_tables():
    assert parse_symbol("33- KL/TW")["number"] == "33"
    assert parse_symbol("45/2019/QH14")["na_term"] == 14
    assert parse_symbol("190/2025/NQ-QH15")["na_term"] == 15
    p = parse_symbol("1349/BNG-CNV")
    assert (p["type_code"], p["issuer_code"], p["unit"]) == (None, "BNG", "CNV")
    assert is_national("TW") and is_national("CP") and is_national("BNG-BNV") and is_national("QH15")
    assert not is_national("UBND") and not is_national("TU") and not is_national("BNG-UBND")
    assert canonical_issuer("Ban Bí thư Trung ương Đảng") == canonical_issuer("Ban Bí thư") == ("Ban Bí thư", None)
    assert canonical_issuer("Ban Thường vụ Tỉnh uỷ Quảng Nam") == ("Ban Thường vụ Tỉnh ủy", "Tỉnh ủy")


def test_party_terms():
    assert party_term("2004-03-26")[0] == "IX"
    assert party_term("2018-10-22")[0] == "XII"
    assert party_term("2019-02-28")[0] == "XII"
    assert party_term("2025-01-24")[0] == "XIII"
    assert party_term("2026-03-01")[0] == "XIV"
    t, conf, ev = party_term("2021-01-28")  # inside the XIII congress window
    assert t == "XII" and conf < 0.7 and "window" in ev
    assert party_term("2024-06-28", "provincial")[0] == "2020-2025"
    assert party_term(None) == (None, 0.0, "")


# --- identity ----------------------------------------------------------------
def test_id_formats():
    res = link([
        row("a", "59-NQ/TW", date="2025-01-24", issuer="Bộ Chính trị"),
        row("a", "1069-TB/TU", date="2025-04-09"),
        row("a", "80/2020/NĐ-CP", date="2020-07-08"),
        row("a", "1673/QĐ-UBND", date="2021-06-21"),
        row("a", "1349/BNG-CNV", date="2024-03-15"),
        row("a", "45/2019/QH14", cited_as="Luật"),
        row("a", "20/2023/QĐ-UBND", date="2023-09-25"),
    ])
    assert ids_of(res) == [
        "vn-party:TW:XIII:NQ:59",
        "vn-party:TU@Quảng Nam:2020-2025:TB:1069",
        "vn-law:CP:2020:NĐ:80",
        "vn-adm:UBND@Quảng Nam:2021:QĐ:1673",
        "vn-adm:BNG:2024:CV:1349",
        "vn-law:QH:XIV:LUAT:45",
        "vn-law:UBND@Quảng Nam:2023:QĐ:20",
    ]
    ins = res.instrument("vn-party:TW:XIII:NQ:59")
    assert (ins.scope, ins.year, ins.date, ins.issuer, ins.instrument_type) == ("national", 2025, "2025-01-24", "Bộ Chính trị", "Nghị quyết")
    assert res.instrument("vn-adm:BNG:2024:CV:1349").scope == "national"
    assert res.instrument("vn-adm:UBND@Quảng Nam:2021:QĐ:1673").scope == "Quảng Nam"
    assert all(l.evidence and 0 < l.confidence <= 1 for l in res.citation_links)


def test_local_symbol_in_two_provinces_is_two_instruments():
    res = link([
        row("qn", "145-KH/TU", province="Quảng Nam", date="2022-05-06", issuer="Tỉnh ủy"),
        row("na", "145-KH/TU", province="Nghệ An", date="2022-05-06", issuer="Tỉnh ủy"),
    ])
    a, b = ids_of(res)
    assert a == "vn-party:TU@Quảng Nam:2020-2025:KH:145" and b == "vn-party:TU@Nghệ An:2020-2025:KH:145"
    assert len(res.instruments) == 2 and all(i.n_documents == 1 for i in res.instruments)
    # national symbol in two provinces: one instrument
    res = link([row("qn", "12-CT/TW", date="2022-01-05"), row("na", "12-CT/TW", province="Nghệ An", date="2022-01-05")])
    assert len(res.instruments) == 1 and res.instruments[0].n_documents == 2


def test_locality_named_in_issuer_overrides_document_province():
    # a post-merger Đà Nẵng plan citing an old Quảng Nam decision
    res = link([row("dn", "1673/QĐ-UBND", province="Đà Nẵng", date="2021-06-21", issuer="UBND tỉnh Quảng Nam"),
                row("qn", "1673/QĐ-UBND", province="Quảng Nam", date="2021-06-21", issuer="UBND tỉnh")])
    assert set(ids_of(res)) == {"vn-adm:UBND@Quảng Nam:2021:QĐ:1673"}


def test_state_numbers_restart_every_year():
    res = link([
        row("a", "1673/QĐ-UBND", date="2021-06-21", subject="chương trình vận động viện trợ phi chính phủ"),
        row("b", "1673/QĐ-UBND", date="2023-08-02", subject="kế hoạch tổ chức hội chợ thương mại"),
    ])
    assert ids_of(res) == ["vn-adm:UBND@Quảng Nam:2021:QĐ:1673", "vn-adm:UBND@Quảng Nam:2023:QĐ:1673"]


def test_party_numbers_restart_every_term_36_nq_tw():
    marine = "Chiến lược phát triển bền vững kinh tế biển Việt Nam đến năm 2030, tầm nhìn đến năm 2045"
    ovs = "công tác người Việt Nam ở nước ngoài"
    rows = [
        row("hp", "36-NQ/TW", province="Hải Phòng", date="2018-10-22", issuer="Ban Chấp hành Trung ương", subject=marine),
        row("qn", "36-NQ/TW", subject=ovs),
        row("na", "36-NQ/TW", province="Nghệ An", subject="công tác đối với người Việt Nam ở nước ngoài giai đoạn 2021 - 2026"),
        row("ag", "36-NQ/TW", province="An Giang"),  # no date, no subject: cannot decide
        row("kh", "36-NQ/TW", province="Khánh Hòa", subject="phát triển bền vững kinh tế biển"),
    ]
    res = link(rows)
    hp, qn, na, ag, kh = res.citation_links
    assert hp.instrument_id == "vn-party:TW:XII:NQ:36" and not hp.ambiguous
    assert qn.instrument_id == na.instrument_id == "vn-party:TW:IX:NQ:36"
    assert "subject overlap" in qn.evidence and not qn.ambiguous
    assert kh.instrument_id == "vn-party:TW:XII:NQ:36"
    assert ag.instrument_id == "vn-party:TW:?:NQ:36" and ag.ambiguous and ag.confidence < 0.5
    assert "IX" in ag.evidence and "XII" in ag.evidence
    ins = res.instrument("vn-party:TW:?:NQ:36")
    assert ins.ambiguous and ins.n_mentions == 1
    assert res.instrument("vn-party:TW:IX:NQ:36").n_documents == 2


def test_undated_resolution_without_curated_table():
    # 77-KL/TW is not in the curated table: only corpus evidence
    rows = [
        row("a", "77-KL/TW", date="2023-05-05", subject="phát triển kinh tế cửa khẩu biên giới"),
        row("b", "77-KL/TW", subject="phát triển kinh tế cửa khẩu biên giới đất liền"),
        row("c", "77-KL/TW"),
        row("d", "77-KL/TW", subject="xây dựng nông thôn mới kiểu mẫu"),
    ]
    a, b, c, d = link(rows).citation_links
    assert a.instrument_id == b.instrument_id == c.instrument_id == "vn-party:TW:XIII:KL:77"
    assert "subject overlap" in b.evidence
    assert "dated in doc a" in c.evidence and c.confidence <= 0.6
    assert d.instrument_id == "vn-party:TW:?:KL:77" and d.ambiguous


def test_same_document_date_propagates_and_doc_date_filters():
    rows = [
        row("na", "39-NQ/TW", province="Nghệ An", date="2023-07-18", start=10),
        row("na", "39-NQ/TW", province="Nghệ An", start=500),
        # a 2016 plan cannot cite the 2023 or 2019 resolution: only the 2015 one remains
        row("old", "39-NQ/TW", province="Hà Tĩnh", doc_date="2016-03-01"),
    ]
    a, b, c = link(rows).citation_links
    assert a.instrument_id == b.instrument_id == "vn-party:TW:XIII:NQ:39"
    assert "same symbol dated in this document" in b.evidence and b.confidence >= 0.9
    assert c.instrument_id == "vn-party:TW:XI:NQ:39"


def test_admin_without_date():
    rows = [
        row("a", "2027/HD-UBND", date="2022-04-06", subject="quản lý và bàn giao hộ chiếu công vụ"),
        row("b", "2027/HD-UBND", subject="quản lý và bàn giao hộ chiếu công vụ cho cán bộ"),
        row("c", "9999/KH-UBND"),
    ]
    a, b, c = link(rows).citation_links
    assert a.instrument_id == b.instrument_id == "vn-adm:UBND@Quảng Nam:2022:HD:2027"
    assert c.instrument_id == "vn-adm:UBND@Quảng Nam:?:KH:9999" and c.ambiguous


# --- short forms -------------------------------------------------------------
def test_short_forms():
    rows = [
        row("qn", "272-QĐ/TW", date="2015-01-21", subject="Quy chế quản lý thống nhất các hoạt động đối ngoại", start=0),
        row("qn", "33-KL/TW", date="2018-07-25", start=100),
        row("qn", None, kind="short", cited_as="Quy chế", number="272", start=200),
        row("na", "39-NQ/TW", province="Nghệ An", date="2023-07-18", start=0),
        row("na", None, province="Nghệ An", kind="short", cited_as="Nghị quyết", number="39", start=300),
        row("na", None, province="Nghệ An", kind="short", cited_as="Kết luận", number="33", start=400),  # curated
        row("na", None, province="Nghệ An", kind="short", cited_as="Quy chế", number="07", start=500),  # unresolvable
    ]
    res = link(rows)
    l = res.citation_links
    assert l[2].instrument_id == l[0].instrument_id == "vn-party:TW:XI:QĐ:272"
    assert "short form → 272-QĐ/TW" in l[2].evidence and not l[2].ambiguous
    assert l[4].instrument_id == "vn-party:TW:XIII:NQ:39"
    assert l[5].instrument_id == "vn-party:TW:XII:KL:33" and "curated table" in l[5].evidence
    assert l[6].ambiguous and l[6].instrument_id == "vn-short:na:QC:7"
    assert res.instrument("vn-party:TW:XI:QĐ:272").n_mentions == 2
    # no type conflict for a Quy chế named by the number of the Quyết định that issued it
    assert not [c for c in res.conflicts if c.kind == "type"]


def test_short_form_prefers_same_type():
    rows = [
        row("x", "07-QĐ/TU", date="2018-08-01", start=0),
        row("x", "07-QC/TU", date="2018-08-30", start=50),
        row("x", None, kind="short", cited_as="Quy chế", number="07", start=300),
    ]
    assert ids_of(link(rows))[2] == "vn-party:TU@Quảng Nam:2015-2020:QC:7"


# --- conflicts -----------------------------------------------------------------
def test_date_conflict_within_one_term_is_one_instrument():
    rows = [
        row("qn", "32-CT/TW", date="2019-02-18", issuer="Bộ Chính trị", in_footnote=True),
        row("na", "32-CT/TW", province="Nghệ An", date="2019-02-28", issuer="Bộ Chính trị"),
    ]
    res = link(rows)
    assert set(ids_of(res)) == {"vn-party:TW:XII:CT:32"}
    [c] = res.conflicts
    assert c.kind == "date" and c.symbol == "32-CT/TW" and c.instrument_id == "vn-party:TW:XII:CT:32"
    assert [(v["value"], v["doc_id"], v["province"], v["in_footnote"]) for v in c.values] == [
        ("2019-02-18", "qn", "Quảng Nam", True), ("2019-02-28", "na", "Nghệ An", False)]
    assert c.majority is None and "2019-02-18" in c.evidence  # tie; the curated date is named
    assert res.instrument("vn-party:TW:XII:CT:32").date == "2019-02-18"
    res = link(rows + [row("hn", "32-CT/TW", province="Hà Nội", date="2019-02-18")])
    assert res.conflicts[0].majority == "2019-02-18"


def test_issuer_conflict_uses_aliases():
    rows = [
        row("qn", "12-CT/TW", date="2022-01-05", issuer="Ban Bí thư"),
        row("na", "12-CT/TW", province="Nghệ An", date="2022-01-05", issuer="Bộ Chính trị", in_footnote=True, start=900),
        row("na", "12-CT/TW", province="Nghệ An", date="2022-01-05", issuer="Ban Bí thư Trung ương Đảng", start=100),
    ]
    res = link(rows)
    [c] = res.conflicts
    assert c.kind == "issuer" and c.majority == "Ban Bí thư"
    assert sorted((v["value"], v["as_written"], v["doc_id"], v["in_footnote"]) for v in c.values) == [
        ("Ban Bí thư", "Ban Bí thư", "qn", False),
        ("Ban Bí thư", "Ban Bí thư Trung ương Đảng", "na", False),
        ("Bộ Chính trị", "Bộ Chính trị", "na", True),
    ]
    # same body spelled two ways: no conflict; a Tỉnh ủy vs its Ban Thường vụ: no conflict
    assert link(rows[:1] + rows[2:]).conflicts == []
    assert link([row("a", "120-KH/TU", date="2022-08-15", issuer="Ban Thường vụ Tỉnh ủy"),
                 row("b", "120-KH/TU", date="2022-08-15", issuer="Tỉnh ủy Quảng Nam")]).conflicts == []


def test_type_conflict():
    res = link([row("qn", "1069-TB/TU", date="2025-04-09", cited_as="Công văn"),
                row("qn2", "1069-TB/TU", date="2025-04-09")])
    [c] = res.conflicts
    assert c.kind == "type" and c.majority == "Thông báo"
    assert sorted((v["value"], v["role"]) for v in c.values) == [("Công văn", "cited_as"), ("Thông báo", "symbol_type")]
    # generic "Văn bản" and "Chương trình hành động" for CTr are not conflicts
    res = link([row("x", "462/BNG-CNV", date="2024-01-02", cited_as="Văn bản"),
                row("x", "92-CTr/TU", date="2019-08-23", cited_as="Chương trình hành động")])
    assert res.conflicts == []


# --- relations -----------------------------------------------------------------
def test_relations_are_mapped_to_instruments():
    rows = [
        row("qn", "7868/KH-UBND", date="2022-11-28", mention=0),
        row("qn", "169/NQ-CP", date="2021-12-31", mention=1),
        row("qn", "36-NQ/TW", subject="công tác người Việt Nam ở nước ngoài", mention=2),
        row("qn", "169/NQ-CP", date="2021-12-31", mention=3),
    ]
    rels = {"qn": [Relation(0, "implements", 1, "Kế hoạch ... Nghị quyết", 0, 10),
                   Relation(1, "implements", 2, "Nghị quyết ... Nghị quyết", 20, 40),
                   Relation(3, "implements", 2, "dup", 50, 60)]}
    res = link(rows, rels)
    assert [(r.source_instrument_id, r.relation, r.target_instrument_id, r.source_symbol, r.target_symbol)
            for r in res.relations] == [
        ("vn-adm:UBND@Quảng Nam:2022:KH:7868", "implements", "vn-adm:CP:2021:NQ:169", "7868/KH-UBND", "169/NQ-CP"),
        ("vn-adm:CP:2021:NQ:169", "implements", "vn-party:TW:IX:NQ:36", "169/NQ-CP", "36-NQ/TW"),
    ]
    # relation_mentions rows (dicts) work too
    res2 = link(rows, {"qn": [{"source_mention": 0, "relation": "implements", "target_mention": 1, "text": "t"}]})
    assert len(res2.relations) == 1 and res2.relations[0].target_instrument_id == "vn-adm:CP:2021:NQ:169"


def test_tables_and_rows_from_tables():
    cits = [{"doc_id": "d1", "mention": 0, "symbol": "59-NQ/TW", "number": "59", "type_code": "NQ",
             "issuer_code": "TW", "system": "party", "kind": "full", "text": "Nghị quyết số 59-NQ/TW",
             "char_start": 0, "char_end": 22, "date_cited": "2025-01-24", "in_footnote": None, "ambiguous": None}]
    docs = [{"doc_id": "d1", "province": "Quảng Nam", "issue_date": "2025-04-15"}]
    rows = rows_from_tables(cits, docs)
    assert rows[0].province == "Quảng Nam" and rows[0].doc_year == 2025 and rows[0].in_footnote is False
    t = link(rows).tables()
    assert t["instruments"][0]["instrument_id"] == "vn-party:TW:XIII:NQ:59"
    assert t["citation_links"][0] == {"doc_id": "d1", "mention": 0, "instrument_id": "vn-party:TW:XIII:NQ:59",
                                      "link_confidence": 0.95, "link_evidence": "date 2025-01-24 → term XIII; curated table",
                                      "ambiguous": False}
    from schemas import to_table

    to_table("instruments", t["instruments"])
    to_table("relations", t["relations"])
    to_table("conflicts", t["conflicts"])



def test_rows_from_columns_are_the_rows_from_tables():
    """The column-wise builder the publisher uses makes exactly the rows of the row-dict one: document context
    (a document missing, a date without a year), booleans from null, columns absent, extra per row."""
    cits = [
        {"doc_id": "d1", "mention": 0, "symbol": "59-NQ/TW", "number": "59", "type_code": "NQ", "issuer_code": "TW",
         "year": None, "system": "party", "kind": "full", "text": "Nghị quyết số 59-NQ/TW", "char_start": 0,
         "char_end": 22, "date_cited": "2025-01-24", "in_footnote": None, "type_mismatch": True, "name": None},
        {"doc_id": "d2", "mention": 0, "symbol": None, "number": "272", "type_code": None, "issuer_code": None,
         "year": 2021, "system": "administrative", "kind": "short", "text": "Quy chế 272", "char_start": 5,
         "char_end": 16, "date_cited": None, "in_footnote": True, "type_mismatch": None, "name": "Quy chế"},
        {"doc_id": "gone", "mention": 3, "symbol": "20/2023/QĐ-UBND", "number": "20", "type_code": "QĐ",
         "issuer_code": "UBND", "year": 2023, "system": "normative", "kind": "full", "text": "x", "char_start": 1,
         "char_end": 2, "date_cited": None, "in_footnote": False, "type_mismatch": False, "name": None},
    ]
    docs = {"d1": {"doc_id": "d1", "province": "Quảng Nam", "issue_date": "2025-04-15"},
            "d2": {"doc_id": "d2", "province": "Nghệ An", "issue_date": "xx"}}
    columns = {k: [c[k] for c in cits] for k in cits[0]}
    assert rows_from_columns(columns, docs) == rows_from_tables(cits, docs)
    rows = rows_from_columns(columns, docs)
    assert rows[0].doc_year == 2025 and rows[1].doc_year is None and rows[2].province is None
    assert [r.in_footnote for r in rows] == [False, True, False] and rows[1].type_mismatch is False
    assert rows[0].extra is not rows[1].extra  # one dict per row, as the dataclass makes them
    del columns["in_footnote"], columns["name"]
    assert rows_from_columns(columns, docs) == rows_from_tables([{k: c[k] for k in columns} for c in cits], docs)


# --- graph -----------------------------------------------------------------------
def test_graph_and_export(tmp_path):
    rows = [row("qn", "7868/KH-UBND", date="2022-11-28", mention=0),
            row("qn", "169/NQ-CP", date="2021-12-31", mention=1),
            row("na", "169/NQ-CP", province="Nghệ An", date="2021-12-31", mention=0)]
    res = link(rows, {"qn": [Relation(0, "implements", 1, "về thực hiện", 0, 10)]})
    docs = [{"doc_id": "qn", "province": "Quảng Nam", "doc_type": "Kế hoạch", "title": "Đối ngoại 2025", "issue_date": None},
            {"doc_id": "na", "province": "Nghệ An", "doc_type": "Chương trình", "title": "Đối ngoại 2025"}]
    G = graph(res, docs)
    assert isinstance(G, nx.MultiDiGraph)
    assert G.nodes["doc:qn"]["kind"] == "document" and G.nodes["doc:qn"]["province"] == "Quảng Nam"
    assert G.nodes["vn-adm:CP:2021:NQ:169"]["kind"] == "instrument"
    kinds = sorted(d["kind"] for _, _, d in G.edges(data=True))
    assert kinds == ["cites", "cites", "cites", "implements"]
    assert G.has_edge("vn-adm:UBND@Quảng Nam:2022:KH:7868", "vn-adm:CP:2021:NQ:169")
    gm = tmp_path / "g.graphml"
    export_graph(G, "graphml", gm)
    H = nx.read_graphml(gm)
    assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()
    gx = tmp_path / "g.gexf"
    export_graph(G, "gexf", gx)
    assert nx.read_gexf(gx).number_of_nodes() == G.number_of_nodes()
    paths = export_graph(G, "csv", tmp_path / "csv")
    with open(paths[0], encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    with open(paths[1], encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    assert len(nodes) == 4 and len(edges) == 4
    assert {e["kind"] for e in edges} == {"cites", "implements"}
    with pytest.raises(ValueError):
        export_graph(G, "dot", tmp_path / "x")


# --- scale -------------------------------------------------------------------------
def test_50k_synthetic_citations():
    rnd = random.Random(7)
    provinces = ["Quảng Nam", "Nghệ An", "Lào Cai", "Cà Mau", "Huế"]
    rows = []
    for k in range(50_000):
        doc = f"d{k // 25}"
        prov = provinces[(k // 25) % len(provinces)]
        n = rnd.randint(1, 3000)
        form = k % 4
        if form == 0:
            sym, date = f"{n}/KH-UBND", (f"20{rnd.randint(15, 24)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}" if k % 3 else None)
        elif form == 1:
            sym, date = f"{n % 120}-NQ/TW", (f"20{rnd.randint(5, 24):02d}-05-05" if k % 5 else None)
        elif form == 2:
            sym, date = f"{n}-KH/TU", f"20{rnd.randint(16, 24)}-03-03"
        else:
            sym, date = f"{n % 400}/2020/NĐ-CP", None
        rows.append(row(doc, sym, province=prov, date=date, subject=rnd.choice(
            [None, "công tác người Việt Nam ở nước ngoài", "kinh tế biển", "hội nhập quốc tế"]), start=k))
    res = link(rows)
    assert len(res.citation_links) == 50_000
    assert sum(i.n_mentions for i in res.instruments) == 50_000


# --- seeds with the real citation extractor ---------------------------------------
def _seed_rows():
    from extractors.instruments import extract_citations
    from extractors.relations import extract_relations

    rows, rels = [], {}
    for name, prov in (("000_94e1e49f62f025ed.txt", "Quảng Nam"), ("001_0cbf89ddfb58e074.txt", "Nghệ An")):
        text = normalize_text((SEEDS / name).read_text(encoding="utf-8")).replace("*", "")
        cits = extract_citations(text)
        rels[prov] = extract_relations(text, cits)
        for i, c in enumerate(cits):
            line = text.rfind("\n", 0, c.char_start) + 1
            rows.append(CitationRow.from_citation(c, prov, province=prov, doc_date="2025-04-15", mention=i,
                                                  in_footnote=text[line] in "¹²³⁴⁵⁶⁷⁸⁹"))
    return rows, rels


@pytest.fixture(scope="module")
def seed_result():
    if not HAVE_EXTRACTOR:
        pytest.skip("extractors/instruments.py not written yet")
    rows, rels = _seed_rows()
    return link(rows, rels)


def test_seed_cross_document_links(seed_result):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    shared = {i.symbol for i in seed_result.instruments if i.n_documents == 2}
    assert shared == set(gold["cross_document_links"])
    assert all(not i.ambiguous for i in seed_result.instruments if i.n_documents == 2)


def test_seed_conflicts(seed_result):
    got = {(c.symbol, c.kind): c for c in seed_result.conflicts}
    assert set(got) == {("32-CT/TW", "date"), ("12-CT/TW", "issuer"), ("1069-TB/TU", "type")}
    d = got[("32-CT/TW", "date")]
    assert {(v["province"], v["value"]) for v in d.values} == {("Quảng Nam", "2019-02-18"), ("Nghệ An", "2019-02-28")}
    i = got[("12-CT/TW", "issuer")]
    assert ("Nghệ An", True, "Bộ Chính trị") in {(v["province"], v["in_footnote"], v["value"]) for v in i.values}
    assert {v["value"] for v in i.values if v["province"] == "Quảng Nam"} == {"Ban Bí thư"}
    assert i.majority == "Ban Bí thư"
    t = got[("1069-TB/TU", "type")]
    assert {(v["role"], v["value"]) for v in t.values} == {("cited_as", "Công văn"), ("symbol_type", "Thông báo")}


def test_seed_relations(seed_result):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    want = {(g["document"], g["source"], g["relation"], g["target"]) for g in gold["relations"]}
    sym = {i.instrument_id: i.symbol for i in seed_result.instruments}
    got = {(r.doc_id, sym[r.source_instrument_id], r.relation, sym[r.target_instrument_id]) for r in seed_result.relations}
    tp = len(want & got)
    assert tp / len(want) >= 0.9, sorted(want - got)
    assert tp / len(got) >= 0.9, sorted(got - want)


def test_province_spelling_variants_are_one_scope():
    res = link([row("a", "58/KH-UBND", province="Khánh Hoà", date="2024-03-11"),
                row("b", "58/KH-UBND", province="tỉnh Khánh Hòa", date="2024-03-11")])
    assert set(ids_of(res)) == {"vn-adm:UBND@Khánh Hòa:2024:KH:58"}


def test_document_node_knows_its_own_instrument():
    res = link([row("na", "145-KH/TU", province="Quảng Nam", date="2022-05-06")])
    docs = [{"doc_id": "kh145", "province": "Quảng Nam", "number": "145", "symbol": "KH/TU", "issue_date": "2022-05-06"},
            {"doc_id": "na", "province": "Nghệ An", "number": None, "symbol": "/CTr-UBND", "issue_date": "2025"}]
    G = graph(res, docs)
    assert G.nodes["doc:kh145"]["instrument_id"] == "vn-party:TU@Quảng Nam:2020-2025:KH:145"
    assert "instrument_id" not in G.nodes["doc:na"]
