"""The streamed linker (pipeline.linking.link_batches, used by publish) gives exactly what the in-memory
linker (pipeline.linker.link) gives, and it really works a bucket of groups at a time."""
from __future__ import annotations

import re

from dataclasses import replace
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractors.records import Relation
from pipeline import linking, publishing
from pipeline.linker import (
    GROUP_FIELDS,
    INSTRUMENT_FIELDS,
    CitationRow,
    citation_link,
    group_key,
    link_group,
    link_instrument,
    link_shorts,
    prepare,
)
from pipeline.store import FileEntry, Manifest, Store
from schemas import schema, to_table
from tests.test_linker import HAVE_EXTRACTOR, _seed_rows, row

DOC_DATE = "2025-04-15"
PROVINCE = {"qn": "Quảng Nam", "qn2": "Quảng Nam", "na": "Nghệ An", "hn": "Hà Nội", "old": "Hà Tĩnh",
            "a": "Quảng Nam", "b": "Quảng Nam", "c": "Quảng Nam", "d": "Quảng Nam", "rel": "Quảng Nam"}
DATES = {"old": "2016-03-01"}


def _tricky() -> tuple[list[CitationRow], dict[str, list[Relation]]]:
    """Hand-written rows: short forms resolved in the document, by their symbol and by the curated table;
    undated citations resolved by subject overlap, by the same document, by the document's date; conflicts
    of date, issuer and type; relations; a named instrument; an unresolved short form."""
    p = lambda d, *a, **k: row(d, *a, province=PROVINCE[d], doc_date=DATES.get(d, DOC_DATE), **k)  # noqa: E731
    rows = [
        p("a", "77-KL/TW", date="2023-05-05", subject="phát triển kinh tế cửa khẩu biên giới", start=0),
        p("b", "77-KL/TW", subject="phát triển kinh tế cửa khẩu biên giới đất liền", start=0),
        p("c", "77-KL/TW", start=0),
        p("d", "77-KL/TW", subject="xây dựng nông thôn mới kiểu mẫu", start=0),
        p("na", "39-NQ/TW", date="2023-07-18", start=10),
        p("na", "39-NQ/TW", start=500),
        p("old", "39-NQ/TW"),
        p("qn", "272-QĐ/TW", date="2015-01-21", subject="Quy chế quản lý thống nhất các hoạt động đối ngoại", start=20),
        p("qn", "33-KL/TW", date="2018-07-25", start=100),
        p("qn", None, kind="short", cited_as="Quy chế", number="272", start=200),
        p("na", None, kind="short", cited_as="Nghị quyết", number="39", start=600),
        p("na", None, kind="short", cited_as="Kết luận", number="33", start=700),  # curated table
        p("na", None, kind="short", cited_as="Quy định", number="99999", start=800),  # unresolved
        p("qn", "32-CT/TW", date="2019-02-18", issuer="Bộ Chính trị", in_footnote=True, start=300),
        p("na", "32-CT/TW", date="2019-02-28", issuer="Bộ Chính trị", start=900),
        p("hn", "32-CT/TW", date="2019-02-18", start=0),
        p("qn", "12-CT/TW", date="2022-01-05", issuer="Ban Bí thư", start=400),
        p("na", "12-CT/TW", date="2022-01-05", issuer="Bộ Chính trị", in_footnote=True, start=1000),
        p("na", "12-CT/TW", date="2022-01-05", issuer="Ban Bí thư Trung ương Đảng", start=1100),
        p("qn", "1069-TB/TU", date="2025-04-09", cited_as="Công văn", start=500),
        p("qn2", "1069-TB/TU", date="2025-04-09", start=0),
        p("rel", "7868/KH-UBND", date="2022-11-28", start=0),
        p("rel", "169/NQ-CP", date="2021-12-31", start=50),
        p("rel", "36-NQ/TW", subject="công tác người Việt Nam ở nước ngoài", start=100),
        p("rel", "169/NQ-CP", date="2021-12-31", start=150),
        CitationRow(doc_id="qn2", kind="named", system="named", name="Chiến lược phát triển kinh tế biển",
                    text="Chiến lược phát triển kinh tế biển", char_start=40, char_end=70, province="Quảng Nam",
                    doc_date=DOC_DATE),
    ]
    # mention = order in the document, as the extractor numbers them
    seen: dict[str, int] = {}
    out = []
    for r in rows:
        out.append(replace(r, mention=seen.get(r.doc_id, 0)))
        seen[r.doc_id] = seen.get(r.doc_id, 0) + 1
    rels = {"rel": [Relation(0, "implements", 1, "Kế hoạch ... Nghị quyết", 0, 10),
                    Relation(1, "implements", 2, "Nghị quyết ... Nghị quyết", 20, 40),
                    Relation(3, "implements", 2, "dup", 50, 60)],
            "qn": [Relation(9, "implements", 7, "short form → its antecedent's instrument", 0, 5)]}
    return out, rels


def _corpus() -> tuple[list[CitationRow], dict[str, list[Any]]]:
    rows, rels = _tricky()
    if HAVE_EXTRACTOR:
        seed_rows, seed_rels = _seed_rows()
        rows += seed_rows
        for doc, rs in seed_rels.items():
            rels[doc] = list(rs)
    return rows, rels


def _store(tmp_path, rows: list[CitationRow], rels: dict[str, list[Any]]) -> tuple[Store, Manifest]:
    """A store whose batches hold the documents of ``rows`` (two per batch, in order of appearance); the
    rows of one document keep their order (a document's citations are not sorted by mention in its part)."""
    store = Store(tmp_path / "out")
    m = Manifest()
    docs = list(dict.fromkeys(r.doc_id for r in rows))
    cit_cols = set(schema("citations").names)
    for k, doc in enumerate(docs):
        batch = f"b{k // 2:03d}"
        m.files[f"sha{k}"] = FileEntry(f"sha{k}", doc, f"{doc}.txt", batch, 1, "2026-01-01T00:00:00Z", True)
    by_batch: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for k, doc in enumerate(docs):
        d = by_batch.setdefault(f"b{k // 2:03d}", {"citations": [], "documents": [], "relation_mentions": []})
        first = next(r for r in rows if r.doc_id == doc)
        d["documents"].append({"doc_id": doc, "source_path": f"{doc}.txt", "format": "txt",
                               "province": first.province, "issue_date": first.doc_date})
        mine = [r for r in rows if r.doc_id == doc]
        mine = mine[1:] + mine[:1] if len(mine) > 2 else mine  # part order != mention order
        d["citations"] += [{f: getattr(r, f) for f in cit_cols if hasattr(r, f)} | {"extra": "{}"} for r in mine]
        for rel in rels.get(doc, []):
            d["relation_mentions"].append({"doc_id": doc, "source_mention": rel.source, "target_mention": rel.target,
                                           "relation": rel.relation, "text": rel.text, "char_start": rel.char_start,
                                           "char_end": rel.char_end})
    for b, tables in by_batch.items():
        store.write_parts(b, tables)
    store.save_manifest(m)
    return store, m


def _expected(store: Store, m: Manifest) -> dict[str, pa.Table]:
    """The in-memory linker over the same input, in the same (part) order."""
    owned = {e.doc_id: e.batch for e in m.files.values()}
    cits = pa.concat_tables([store.read_parts("citations", [b]) for b in sorted(set(owned.values()))])
    docs = publishing.documents_table(store, m)
    rels = pa.concat_tables([store.read_parts("relation_mentions", [b]) for b in sorted(set(owned.values()))])
    res = linking.link_result(cits.to_batches(max_chunksize=3), docs, rels)
    out = res.tables()
    want = {n: publishing.sort_table(n, to_table(n, out[n])) for n in ("instruments", "relations", "conflicts")}
    links = sorted((r["doc_id"], r["mention"], r["instrument_id"], r["link_confidence"], r["link_evidence"], r["ambiguous"])
                   for r in out["citation_links"])
    return {**want, "links": links}


@pytest.fixture
def corpus(tmp_path):
    rows, rels = _corpus()
    return _store(tmp_path, rows, rels)


@pytest.mark.parametrize("per_bucket,in_memory_max,buffer", [(1, -1, 65_536), (5, -1, 65_536), (5, -1, 1),
                                                              (100_000, -1, 65_536), (5, 10**9, 65_536)])
def test_streamed_linker_publishes_what_the_in_memory_linker_links(corpus, monkeypatch, per_bucket, in_memory_max, buffer):
    """Streamed at several bucket sizes (in_memory_max -1; buffer 1: each bucket written as many files), and
    publish's in-memory path (10**9): the tables of the in-memory link()."""
    store, m = corpus
    monkeypatch.setattr(linking, "LINK_ROWS_PER_BUCKET", per_bucket)
    monkeypatch.setattr(linking, "LINK_BUCKET_BUFFER_ROWS", buffer)
    if buffer == 1:
        monkeypatch.setattr(linking, "ROWS_PER_FETCH", 3)  # rows routed to buckets 3 at a time, each time written
    monkeypatch.setattr(linking, "LINK_IN_MEMORY_MAX_CITATIONS", in_memory_max)
    monkeypatch.setattr(publishing, "DOCS_PER_CHUNK", 3)
    monkeypatch.setattr(publishing, "ROWS_PER_BATCH", 7)
    publishing.publish(store, m)
    want = _expected(store, m)
    for name in ("instruments", "relations", "conflicts"):
        got = pq.read_table(store.table_path(name))
        assert got.equals(want[name], check_metadata=True), name
    cits = pq.read_table(store.table_path("citations"))
    got_links = sorted((r["doc_id"], r["mention"], r["instrument_id"], r["link_confidence"], r["link_evidence"], r["ambiguous"])
                       for r in cits.to_pylist())
    assert got_links == want["links"]
    # the rows exercise what they are meant to
    evid = " | ".join(x[4] for x in got_links)
    for what in ("cited in this document", "subject overlap", "same symbol dated in this document",
                 "(curated table)", "unresolved short form"):
        assert what in evid, what
    assert {c["kind"] for c in pq.read_table(store.table_path("conflicts")).to_pylist()} == {"date", "issuer", "type"}
    assert pq.read_table(store.table_path("relations")).num_rows >= 3
    assert not (store.state / "link-spill").exists()  # the linker's spill goes with the publication


def test_streamed_linker_sorts_a_bucket_of_groups_at_a_time(corpus, monkeypatch):
    """Each query of the linker sees a bucket of the corpus, never all of it, and returns many groups."""
    store, m = corpus
    monkeypatch.setattr(linking, "LINK_ROWS_PER_BUCKET", 4)
    monkeypatch.setattr(linking, "LINK_IN_MEMORY_MAX_CITATIONS", 0)  # this corpus has more: streamed
    seen: list[list[int]] = []
    sources: list[str] = []
    orig = linking._groups

    def spy(*a, **k):
        sizes: list[int] = []
        seen.append(sizes)
        sources.append(a[1])
        for g in orig(*a, **k):
            sizes.append(len(g))
            yield g

    linked: list[linking.Linked] = []
    orig_link = linking.link_batches

    def keep(*a, **k):
        linked.append(orig_link(*a, **k))
        return linked[-1]

    monkeypatch.setattr(linking, "_groups", spy)
    monkeypatch.setattr(linking, "link_batches", keep)
    publishing.publish(store, m)
    n = pq.read_table(store.table_path("citations")).num_rows
    counts = linked[0].groups
    assert counts["buckets"] == -(-n // 4) > 1
    assert counts["keys"] > 1 and counts["instruments"] > 1 and counts["documents"] > 1
    # three steps, at most one query per bucket each, and each query reads the files of one bucket only
    # (reading the whole spill once per bucket made the streamed linker quadratic)
    assert len(seen) <= 3 * counts["buckets"]
    read = [re.findall(r"/(key|doc|results|linked-full|linked-short)/(\d{5})-\d{5}\.parquet", q) for q in sources]
    assert all(r and len({b for _, b in r}) == 1 for r in read), sources
    steps = [frozenset(d for d, _ in r) for r in read]
    assert set(steps) <= {frozenset({"key"}), frozenset({"doc", "results"}), frozenset({"doc"}), frozenset({"linked-full"}),
                          frozenset({"linked-short"}), frozenset({"linked-full", "linked-short"})}, set(steps)
    assert sum(1 for x in steps if x == {"key"}) > 1 and sum(1 for x in steps if "doc" in x) > 1
    # the instruments step reads the two linked spills only: no join (a hash join against the whole rows
    # spill made each query's memory grow with the corpus)
    assert all(" JOIN " not in q for q, x in zip(sources, steps) if x & {"linked-full", "linked-short"})
    assert max(sum(s) for s in seen) < n  # no query holds the whole corpus
    assert sum(1 for s in seen if len(s) > 1) > 0


def test_publish_links_in_memory_up_to_the_threshold_and_streams_beyond(corpus, monkeypatch):
    store, m = corpus
    used: list[str] = []
    for name in ("link_in_memory", "link_streamed"):
        orig = getattr(linking, name)
        monkeypatch.setattr(linking, name, lambda *a, _o=orig, _n=name, **k: (used.append(_n), _o(*a, **k))[1])
    with publishing.parts_db(store, m) as parts:
        total = parts.count("citations")
    assert total > 0
    monkeypatch.setattr(linking, "LINK_IN_MEMORY_MAX_CITATIONS", total)
    publishing.publish(store, m, force=True)
    monkeypatch.setattr(linking, "LINK_IN_MEMORY_MAX_CITATIONS", total - 1)
    publishing.publish(store, m, force=True)
    assert used == ["link_in_memory", "link_streamed"]


def _poisoned(r: CitationRow, keep: tuple[str, ...]) -> CitationRow:
    """``r`` with every field but ``keep`` unreadable (any use raises)."""
    return CitationRow(**{f: (getattr(r, f) if f in keep else _Poison(f)) for f in CitationRow.__dataclass_fields__
                          if f != "extra"})


class _Poison:
    def __init__(self, name: str):
        object.__setattr__(self, "name", name)

    def _fail(self, *a, **k):
        raise AssertionError(f"a streamed step read CitationRow.{object.__getattribute__(self, 'name')}, "
                             "which its field list does not load")

    __bool__ = __eq__ = __hash__ = __str__ = __len__ = __lt__ = __gt__ = __le__ = __ge__ = __iter__ = _fail
    __getitem__ = __contains__ = __add__ = __radd__ = __format__ = __int__ = __float__ = _fail

    def __getattr__(self, item):
        self._fail()


def test_step_field_lists_cover_what_each_step_reads():
    """link_batches loads only GROUP_FIELDS for link_group and INSTRUMENT_FIELDS for link_instrument /
    citation_link: a step reading any other field would silently see a default there."""
    rows, _ = _corpus()
    items = prepare(rows)
    groups: dict[Any, list] = {}
    for it in items:
        if it.ident is not None:
            groups.setdefault(group_key(it.ident), []).append(it)
    for key, members in groups.items():
        poisoned = [replace(it, row=_poisoned(it.row, GROUP_FIELDS)) for it in members]
        link_group(key, members)
        link_group(key, poisoned)
        assert [(p.iid, p.conf, p.evid, p.amb) for p in poisoned] == [(it.iid, it.conf, it.evid, it.amb) for it in members]
    by_doc: dict[str, list] = {}
    for it in items:
        by_doc.setdefault(it.row.doc_id, []).append(it)
    for doc_items in by_doc.values():
        link_shorts(doc_items)
    by_id: dict[str, list] = {}
    for it in items:
        by_id.setdefault(it.iid or "?", []).append(it)
    for iid, members in by_id.items():
        poisoned = [replace(it, row=_poisoned(it.row, INSTRUMENT_FIELDS)) for it in members]
        assert link_instrument(iid, poisoned) == link_instrument(iid, members)
        assert [citation_link(p) for p in poisoned] == [citation_link(it) for it in members]


def test_streamed_publish_in_a_folder_whose_path_has_glob_characters(tmp_path, monkeypatch):
    """DuckDB expands "[...]" and "?" in a path it is given to glob: the spills are read by file name."""
    rows, rels = _corpus()
    store, m = _store(tmp_path / "plans[2025]?", rows, rels)
    monkeypatch.setattr(linking, "LINK_ROWS_PER_BUCKET", 5)
    monkeypatch.setattr(linking, "LINK_IN_MEMORY_MAX_CITATIONS", -1)
    publishing.publish(store, m)
    want = _expected(store, m)
    for name in ("instruments", "relations", "conflicts"):
        assert pq.read_table(store.table_path(name)).equals(want[name], check_metadata=True), name


def test_streamed_linker_holds_no_instrument_objects(corpus, monkeypatch):
    """The streamed linker writes each instrument (and its conflicts) out as it is made: while it links the
    next instrument, at most the last one is alive (the loop's variable; held in a list, ~2 KB each, they
    made its memory grow with the corpus). The published tables are checked against the in-memory linker
    above."""
    import weakref

    store, m = corpus
    monkeypatch.setattr(linking, "LINK_ROWS_PER_BUCKET", 5)
    monkeypatch.setattr(linking, "LINK_IN_MEMORY_MAX_CITATIONS", -1)
    made: list[weakref.ref] = []
    alive_at_each: list[int] = []
    real = linking.link_instrument

    def spy(iid, members):
        alive_at_each.append(sum(r() is not None for r in made))
        ins, cons = real(iid, members)
        made.append(weakref.ref(ins))
        return ins, cons

    monkeypatch.setattr(linking, "link_instrument", spy)
    publishing.publish(store, m)
    assert len(made) == pq.read_table(store.table_path("instruments")).num_rows > 3
    assert max(alive_at_each) <= 1, alive_at_each


def test_ordered_file_sorts_by_the_published_keys_ties_in_file_order(tmp_path, monkeypatch):
    """Parts.ordered_file: a spilled table in its published order (SORT_KEYS, nulls last), rows with equal
    keys in the order they were written (as the stable sort of a table held in memory), streamed in
    ROWS_PER_BATCH-row batches of the table's schema."""
    rows = [{"instrument_id": i, "kind": k, "symbol": s, "values": "[]", "evidence": ""} for i, k, s in
            [("b", "date", "1"), ("a", "type", "2"), ("b", "date", "3"), ("a", "date", "4"), (None, "date", "5"),
             ("b", "date", "6"), ("a", "type", "7")]]
    path = tmp_path / "conflicts.parquet"
    pq.write_table(to_table("conflicts", rows), path)
    store, m = Store(tmp_path / "out"), Manifest()
    monkeypatch.setattr(publishing, "ROWS_PER_BATCH", 3)
    with publishing.parts_db(store, m) as parts:
        batches = list(parts.ordered_file(path, "conflicts"))
        empty_spill = linking._Spill(tmp_path / "empty.parquet", schema("conflicts"))
        empty_spill.close()  # a streamed link without conflicts still writes its (empty) spill
        empty = parts.ordered_file(empty_spill.path, "conflicts").read_all()
    assert all(b.schema.equals(schema("conflicts")) for b in batches) and max(b.num_rows for b in batches) <= 3
    got = pa.Table.from_batches(batches, schema=schema("conflicts"))
    assert got.column("symbol").to_pylist() == ["4", "2", "7", "1", "3", "6", "5"]
    assert got.equals(publishing.sort_table("conflicts", to_table("conflicts", rows)))
    assert empty.num_rows == 0 and empty.schema.equals(schema("conflicts"))
