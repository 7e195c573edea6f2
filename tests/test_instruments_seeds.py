"""Acceptance of the instrument-citation extractor on the two seed plans against the gold."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from extractors.instruments import extract_citations
from extractors.records import Citation
from pipeline.normalize import normalize_text

SHARED = Path("/work/shared")
GOLD = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
DOCS = GOLD["documents"]

# Gold issuer_named values that disagree with the extractor's documented rules
# (see the report): a body named before the number ("của X tại Công văn số ...") is used
# when no "của ..." follows (gold uses it for 1349/BNG-CNV but not for 1069-TB/TU and
# 165-CV/ĐU, written the same way), and a list's trailing "của Bộ Chính trị" is shared by
# all members (gold gives it to 12-KL/TW only).
KNOWN_ISSUER_DIFFS = {
    ("000_94e1e49f62f025ed.txt", "1069-TB/TU"): "Ban Thường vụ Tỉnh ủy",
    ("000_94e1e49f62f025ed.txt", "165-CV/ĐU"): "Ban Thường vụ Đảng ủy Ủy ban nhân dân tỉnh",
    ("000_94e1e49f62f025ed.txt", "36-NQ/TW"): "Bộ Chính trị",
    ("000_94e1e49f62f025ed.txt", "45-CT/TW"): "Bộ Chính trị",
    ("001_0cbf89ddfb58e074.txt", "36-NQ/TW"): "Bộ Chính trị",
    ("001_0cbf89ddfb58e074.txt", "45-CT/TW"): "Bộ Chính trị",
}


def _text(seed: str) -> str:
    raw = (SHARED / "seeds" / seed).read_text(encoding="utf-8")
    return normalize_text(raw).replace("**", "").replace("*", "")


def _resolve(cits: list[Citation]) -> dict[str, list[Citation]]:
    """Mentions per symbol: full citations plus short forms resolved within the document."""
    by_sym: dict[str, list[Citation]] = defaultdict(list)
    fulls = [c for c in cits if c.kind == "full"]
    for c in fulls:
        by_sym[c.symbol].append(c)  # type: ignore[index]
    for c in cits:
        if c.kind != "short":
            continue
        cands = {f.symbol for f in fulls if f.number and f.number.lstrip("0") == (c.number or "").lstrip("0")}
        if len(cands) > 1:
            cands = {f.symbol for f in fulls if f.symbol in cands and f.instrument_type == c.instrument_type}
        assert len(cands) == 1, f"unresolved short form {c.text!r}: {cands}"
        by_sym[cands.pop()].append(c)  # type: ignore[arg-type]
    return by_sym


@pytest.fixture(scope="module", params=range(len(DOCS)), ids=[d["seed"] for d in DOCS])
def doc(request):
    d = DOCS[request.param]
    text = _text(d["seed"])
    cits = extract_citations(text)
    return d, text, cits


def test_spans_are_exact(doc):
    _, text, cits = doc
    assert cits, "no citations"
    assert [c.char_start for c in cits] == sorted(c.char_start for c in cits)
    for c in cits:
        assert text[c.char_start : c.char_end] == c.text


def test_symbol_set_exact(doc):
    d, _, cits = doc
    got = {c.symbol for c in cits if c.kind == "full"}
    gold = {i["symbol"] for i in d["instruments"]}
    tp = len(got & gold)
    print(f"\n{d['seed']}: gold {len(gold)} got {len(got)} tp {tp} precision {tp / len(got):.3f} recall {tp / len(gold):.3f}")
    assert got - gold == set(), "false positives"
    assert gold - got == set(), "missed"


def test_mentions_dates_types(doc):
    d, _, cits = doc
    by_sym = _resolve(cits)
    rows = []
    for g in d["instruments"]:
        ms = by_sym[g["symbol"]]
        dates = {c.date_cited for c in ms if c.date_cited}
        rows.append((g["symbol"], g["mentions"], len(ms), g["date_cited"], sorted(dates)))
        assert len(ms) == g["mentions"], g["symbol"]
        if g["date_cited"]:
            assert dates == {g["date_cited"]}, g["symbol"]
        else:
            assert dates == set(), g["symbol"]
        for c in ms:
            if c.kind == "full":
                assert c.instrument_type == g["type"], g["symbol"]
        if "cited_as" in g:
            assert {c.cited_as for c in ms} == {g["cited_as"]}
    print()
    for r in rows:
        print("  %-18s mentions gold %d got %d  date gold %s got %s" % r)


def test_type_mismatch_flag(doc):
    d, _, cits = doc
    mism = {c.symbol for c in cits if c.type_mismatch}
    expected = {g["symbol"] for g in d["instruments"] if g.get("cited_as") and g["cited_as"] != g["type"]
                and g["cited_as"] != "Chương trình hành động"}
    assert mism == expected
    for c in cits:
        if c.symbol == "1069-TB/TU":
            assert (c.cited_as, c.instrument_type, c.type_mismatch) == ("Công văn", "Thông báo", True)


def test_issuer_named(doc):
    d, _, cits = doc
    by_sym = _resolve(cits)
    diffs = {}
    for g in d["instruments"]:
        named = {c.issuer_named for c in by_sym[g["symbol"]] if c.kind == "full"}
        ok = (g["issuer_named"] in named) if g["issuer_named"] else (named == {None})
        if not ok:
            diffs[(d["seed"], g["symbol"])] = sorted(n for n in named if n)
    expected = {k: [v] for k, v in KNOWN_ISSUER_DIFFS.items() if k[0] == d["seed"]}
    print("\n  issuer diffs vs gold (documented):", diffs)
    assert diffs == expected


def test_header_and_non_citations_not_extracted():
    text = _text("001_0cbf89ddfb58e074.txt")
    cits = extract_citations(text)
    surfaces = " | ".join(c.text for c in cits)
    for bad in ("CTr-UBND", "Cụm thi đua", "đường 8", "đường 12"):
        assert bad not in surfaces
