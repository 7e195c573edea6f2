"""Synthetic output tables for the report/query tests, modelled on the two seed plans.

Hand-written rows (no dependency on /work/shared): Quảng Nam's 2025 Kế hoạch and
Nghệ An's 2025 Chương trình, each "ingested" in two formats (txt and pdf), plus a
superseded older version of the Quảng Nam txt that must never show up.  The rows
follow ``schemas/tables.py`` exactly and are written with ``schemas.to_table``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from schemas import TABLES, to_table

QN, NA = "Quảng Nam", "Nghệ An"

# symbol, type, date_cited, issuer_named, scope ("national" or None = the citing province), mentions
_QN_INSTR: list[tuple[str, str, str | None, str | None, str | None, int]] = [
    ("1069-TB/TU", "Thông báo", "2025-04-09", None, None, 1),
    ("165-CV/ĐU", "Công văn", "2025-04-10", None, None, 1),
    ("272-QĐ/TW", "Quyết định", "2015-01-21", "Bộ Chính trị", "national", 2),
    ("33-KL/TW", "Kết luận", "2018-07-25", "Bộ Chính trị", "national", 1),
    ("38-CT/TW", "Chỉ thị", "2014-07-21", "Bộ Chính trị", "national", 1),
    ("59-NQ/TW", "Nghị quyết", "2025-01-24", "Bộ Chính trị", "national", 2),
    ("27-QC/TU", "Quy chế", "2024-06-28", "Ban Thường vụ Tỉnh ủy", None, 2),
    ("258-KH/TU", "Kế hoạch", "2019-07-25", "Tỉnh ủy", None, 1),
    ("25-CT/TW", "Chỉ thị", "2018-08-08", "Ban Bí thư", "national", 1),
    ("21-CTr/TU", "Chương trình", "2019-12-06", "Tỉnh ủy", None, 1),
    ("32-CT/TW", "Chỉ thị", "2019-02-18", "Bộ Chính trị", "national", 1),
    ("145-KH/TU", "Kế hoạch", "2022-05-06", "Tỉnh ủy", None, 2),
    ("12-CT/TW", "Chỉ thị", "2022-01-05", "Ban Bí thư", "national", 2),
    ("1673/QĐ-UBND", "Quyết định", "2021-06-21", "UBND tỉnh", None, 2),
    ("7868/KH-UBND", "Kế hoạch", "2022-11-28", "UBND tỉnh", None, 2),
    ("169/NQ-CP", "Nghị quyết", "2021-12-31", "Chính phủ", "national", 2),
    ("36-NQ/TW", "Nghị quyết", None, None, "national", 2),
    ("45-CT/TW", "Chỉ thị", None, None, "national", 2),
    ("12-KL/TW", "Kết luận", None, "Bộ Chính trị", "national", 2),
    ("24-CT/TW", "Chỉ thị", "2023-07-13", "Bộ Chính trị", "national", 1),
    ("37/NQ-CP", "Nghị quyết", "2023-12-07", "Chính phủ", "national", 1),
    ("53-KL/TW", "Kết luận", "2023-04-28", "Bộ Chính trị", "national", 1),
    ("06/2020/QĐ-TTg", "Quyết định", "2020-02-21", "Thủ tướng Chính phủ", "national", 1),
]
_NA_INSTR: list[tuple[str, str, str | None, str | None, str | None, int]] = [
    ("1060-QĐ/TU", "Quyết định", "2017-03-31", "Ban Thường vụ Tỉnh ủy", None, 1),
    ("1349/BNG-CNV", "Công văn", "2024-03-15", "Bộ Ngoại giao", "national", 1),
    ("39-NQ/TW", "Nghị quyết", "2023-07-18", "Bộ Chính trị", "national", 3),
    ("01-ĐA/TW", "Đề án", "2022-03-03", "Ban Bí thư", "national", 1),
    ("92-CTr/TU", "Chương trình", "2019-08-23", "Tỉnh ủy", None, 1),
    ("32-CT/TW", "Chỉ thị", "2019-02-28", "Bộ Chính trị", "national", 1),
    ("134-KH/TU", "Kế hoạch", "2022-11-02", "Tỉnh ủy", None, 1),
    ("15-CT/TW", "Chỉ thị", "2022-08-10", "Ban Bí thư Trung ương Đảng", "national", 1),
    ("682/KH-UBND", "Kế hoạch", "2022-10-06", "UBND tỉnh", None, 2),
    ("169/NQ-CP", "Nghị quyết", "2021-12-31", "Chính phủ", "national", 2),
    ("36-NQ/TW", "Nghị quyết", None, None, "national", 2),
    ("45-CT/TW", "Chỉ thị", None, None, "national", 2),
    ("12-KL/TW", "Kết luận", None, "Bộ Chính trị", "national", 2),
    ("120-KH/TU", "Kế hoạch", "2022-08-15", "Ban Thường vụ Tỉnh ủy", None, 2),
    ("716/KH-UBND", "Kế hoạch", "2022-10-14", "UBND tỉnh", None, 2),
    ("12-CT/TW", "Chỉ thị", "2022-01-05", "Ban Bí thư Trung ương Đảng", "national", 2),
    ("80/2020/NĐ-CP", "Nghị định", "2020-07-08", "Chính phủ", "national", 1),
    ("08-NQ/TW", "Nghị quyết", None, "Bộ Chính trị", "national", 1),
    ("82/NQ-CP", "Nghị quyết", "2023-05-18", "Chính phủ", "national", 1),
    ("09/2023/QĐ-TTg", "Quyết định", "2023-04-12", "Thủ tướng Chính phủ", "national", 1),
    ("1334/QĐ-TTg", "Quyết định", "2023-11-10", "Thủ tướng Chính phủ", "national", 1),
    ("396/KH-UBND", "Kế hoạch", "2024-05-28", "UBND tỉnh", None, 1),
    # same number and symbol as Quảng Nam's 1673/QĐ-UBND but a different (local) instrument
    ("1673/QĐ-UBND", "Quyết định", "2020-05-12", "UBND tỉnh", None, 1),
]
_RELATIONS = {
    QN: [("258-KH/TU", "implements", "25-CT/TW"), ("21-CTr/TU", "implements", "32-CT/TW"),
         ("145-KH/TU", "implements", "12-CT/TW"), ("7868/KH-UBND", "implements", "169/NQ-CP"),
         ("169/NQ-CP", "implements", "36-NQ/TW"), ("169/NQ-CP", "implements", "45-CT/TW"),
         ("169/NQ-CP", "implements", "12-KL/TW"), ("33-KL/TW", "implements", "272-QĐ/TW"),
         ("37/NQ-CP", "implements", "53-KL/TW")],
    NA: [("92-CTr/TU", "implements", "32-CT/TW"), ("134-KH/TU", "implements", "15-CT/TW"),
         ("682/KH-UBND", "implements", "169/NQ-CP"), ("169/NQ-CP", "implements", "36-NQ/TW"),
         ("169/NQ-CP", "implements", "45-CT/TW"), ("169/NQ-CP", "implements", "12-KL/TW"),
         ("120-KH/TU", "implements", "12-CT/TW"), ("716/KH-UBND", "implements", "12-CT/TW"),
         ("396/KH-UBND", "implements", "1334/QĐ-TTg")],
}
_LOCALITIES = {
    QN: [("Sê Koong", "Sekong", "LA", "province"), ("Nagasaki", "Nagasaki", "JP", "prefecture"),
         ("Saitama", "Saitama", "JP", "prefecture"), ("Cam Túc", "Gansu", "CN", "province"),
         ("Đông Bắc Thái Lan", "Northeast Thailand (Isan)", "TH", "region"),
         ("Nam Lào", "Southern Laos", "LA", "region"), ("Đắc Tà Oọc", "Dak Ta Ok border gate", "LA", "border gate")],
    NA: [("Xiêng Khoảng", "Xiangkhouang", "LA", "province"), ("Hủa Phăn", "Houaphanh", "LA", "province"),
         ("Hua Phăn", "Houaphanh", "LA", "province"), ("Viêng Chăn", "Vientiane Capital", "LA", "capital"),
         ("Gifu", "Gifu", "JP", "prefecture"), ("Gyeonggi", "Gyeonggi", "KR", "province"),
         ("Ulianốp", "Ulyanovsk Oblast", "RU", "province"), ("Quảng Tây", "Guangxi Zhuang Autonomous Region", "CN", "autonomous region"),
         ("Santiago", "Santiago", "CL", "city")],
}
_COUNTRY_NAMES = {
    "LA": ("Lào", "Laos"), "JP": ("Nhật Bản", "Japan"), "KR": ("Hàn Quốc", "South Korea"), "CN": ("Trung Quốc", "China"),
    "TH": ("Thái Lan", "Thailand"), "US": ("Hoa Kỳ", "United States"), "IN": ("Ấn Độ", "India"), "RU": ("Nga", "Russia"),
    "CL": ("Chi Lê", "Chile"), "DE": ("Đức", "Germany"), "MM": ("Myanmar", "Myanmar"), "FR": ("Pháp", "France"),
}
_COUNTRIES = {QN: ["JP", "KR", "CN", "IN", "US", "LA", "MM", "TH"], NA: ["LA", "JP", "KR", "RU", "CN", "TH", "DE", "US", "FR", "CL"]}
_TARGETS = {
    QN: [("kết nối thành công ít nhất 10 địa phương của Quảng Nam với các địa phương có nhu cầu tuyển dụng lao động thời vụ của Hàn Quốc",
          10.0, ">=", "địa phương", "địa phương", "2024-2027", None),
         ("không quá 02 lần/năm", 2.0, "<=", "lần/năm", "tần suất", "per year", None)],
    NA: [("Dự kiến thỏa thuận quốc tế được ký kết: 05 thỏa thuận quốc tế", 5.0, "=", "thỏa thuận quốc tế", "thỏa thuận quốc tế", "2025", "Phụ lục 4"),
         ("60 đoàn ra", 60.0, "=", "đoàn ra", "đoàn ra", "2025", "Phụ lục 1"),
         ("46 đoàn vào", 46.0, "=", "đoàn vào", "đoàn vào", "2025", "Phụ lục 2"),
         ("Dự kiến tổ chức 07 hội nghị, hội thảo quốc tế", 7.0, "=", "hội nghị, hội thảo quốc tế", "hội nghị, hội thảo", "2025", "Phụ lục 3")],
}
_DEADLINES = {
    QN: [("trước ngày 15/5", "--05-15"), ("trước ngày 15/10", "--10-15")],
    NA: [("trước ngày 30/3/2025", "2025-03-30")],
}
_DOCS = {
    QN: dict(doc_type="Kế hoạch", title="Triển khai công tác đối ngoại tỉnh Quảng Nam năm 2025", symbol="KH-UBND",
             issue_date="2025", issuer="Ủy ban nhân dân tỉnh Quảng Nam", signer="Lê Văn Dũng", signer_title="Chủ tịch",
             stem="quang-nam-2025-ke-hoach-doi-ngoai"),
    NA: dict(doc_type="Chương trình", title="Hoạt động đối ngoại tỉnh Nghệ An năm 2025", symbol="CTr-UBND",
             issue_date="2025", issuer="Ủy ban nhân dân tỉnh Nghệ An", signer="Bùi Đình Long", signer_title="Phó Chủ tịch",
             stem="nghe-an-2025-chuong-trinh-doi-ngoai"),
}
SYN_FORMATS = ("txt", "pdf")


_TYPE_CODES = {"NQ", "QĐ", "KH", "NĐ", "CT", "HD", "CTr", "TB", "KL"}


def _issuer_code(symbol: str) -> str:
    head = symbol.split("/")[0]
    if "-" in head:  # Party: 59-NQ/TW
        return symbol.rsplit("/", 1)[-1]
    parts = symbol.rsplit("/", 1)[-1].split("-")
    return parts[1] if parts[0] in _TYPE_CODES and len(parts) > 1 else parts[0]


def instrument_id(symbol: str, province: str, scope: str | None) -> str:
    return f"vn:national:{symbol}" if scope == "national" else f"vn:{province}:{symbol}"


def doc_id(province: str, fmt: str) -> str:
    return ("qn" if province == QN else "na") + f"{fmt}".ljust(14, "0")


def build_rows(formats: tuple[str, ...] = SYN_FORMATS) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    insts: dict[str, dict[str, Any]] = {}
    by_inst_cits: dict[str, list[dict[str, Any]]] = {}
    for province, spec in ((QN, _QN_INSTR), (NA, _NA_INSTR)):
        d = _DOCS[province]
        for fmt in formats:
            did = doc_id(province, fmt)
            rows["documents"].append(dict(
                doc_id=did, source_path=f"corpus/{d['stem']}.{fmt}", sha256=did * 4, format=fmt, province=province,
                doc_type=d["doc_type"], title=d["title"], number=None, symbol=d["symbol"], issue_date=d["issue_date"],
                place=province, issuer=d["issuer"], signer=d["signer"], signer_title=d["signer_title"],
                n_pages=1 if fmt == "txt" else 9, n_chars=40000, n_footnotes=3, version=1, is_current=True,
                ingested_at="2025-06-01T02:00:00Z"))
            pos, mention = 100, 0
            for symbol, typ, date, issuer, scope, n in spec:
                iid = instrument_id(symbol, province, scope)
                for k in range(n):
                    in_fn = province == NA and symbol == "12-CT/TW" and k == 1
                    named = "Bộ Chính trị" if in_fn else issuer
                    text = f"{typ} số {symbol}"
                    c = dict(doc_id=did, mention=mention, symbol=symbol, instrument_type=typ,
                             cited_as="Công văn" if symbol == "1069-TB/TU" else typ,
                             type_mismatch=symbol == "1069-TB/TU", number=symbol.split("/")[0].split("-")[0],
                             issuer_code=_issuer_code(symbol), system="party" if "-" in symbol.split("/")[0] else "administrative",
                             kind="full", date_cited=date, issuer_named=named, text=text, char_start=pos,
                             char_end=pos + len(text), section="II.1" if not in_fn else "I.2", in_footnote=in_fn,
                             instrument_id=iid, link_confidence=0.95, ambiguous=False)
                    rows["citations"].append(c)
                    by_inst_cits.setdefault(iid, []).append({**c, "province": province})
                    mention += 1
                    pos += 300
                inst = insts.setdefault(iid, dict(instrument_id=iid, symbol=symbol, instrument_type=typ,
                                                  number=symbol.split("/")[0].split("-")[0], scope=scope or province,
                                                  date=date, issuer=issuer, ambiguous=False, confidence=0.95))
                inst["issuer_code"] = _issuer_code(symbol)
            # the short form "Quy chế 272" (linked, no symbol) in Quảng Nam
            if province == QN:
                rows["citations"].append(dict(doc_id=did, mention=mention, symbol=None, instrument_type="Quy chế",
                                              cited_as="Quy chế", number="272", system="party", kind="short",
                                              text="Quy chế 272", char_start=pos, char_end=pos + 11, section="III",
                                              in_footnote=False, instrument_id=instrument_id("272-QĐ/TW", QN, "national")))
            for k, (src, rel, tgt) in enumerate(_RELATIONS[province]):
                sp = dict((s, sc) for s, _t, _d, _i, sc, _n in spec)
                rows["relations"].append(dict(
                    doc_id=did, source_instrument_id=instrument_id(src, province, sp[src]), relation=rel,
                    target_instrument_id=instrument_id(tgt, province, sp[tgt]), source_symbol=src, target_symbol=tgt,
                    text=f"{src} về triển khai thực hiện {tgt}"))
            pos = 20000
            for name, canon, cc, kind in _LOCALITIES[province]:
                rows["localities"].append(dict(doc_id=did, name=name, canonical=canon, country=cc, kind=kind,
                                               char_start=pos, char_end=pos + len(name), section="II.3"))
                pos += 100
            for cc in _COUNTRIES[province]:
                vi, en = _COUNTRY_NAMES[cc]
                rows["localities"].append(dict(doc_id=did, name=vi, canonical=en, country=cc, kind="country",
                                               char_start=pos, char_end=pos + len(vi), section="II.3"))
                pos += 100
            for text, value, comp, unit, cat, period, app in _TARGETS[province]:
                rows["targets"].append(dict(doc_id=did, text=text, value=value, comparator=comp, unit=unit, category=cat,
                                            period=period, appendix=app, section="II.4", char_start=pos, char_end=pos + len(text)))
                pos += 200
            for text, value in _DEADLINES[province]:
                rows["dates"].append(dict(doc_id=did, text=text, value=value, kind="deadline", char_start=pos,
                                          char_end=pos + len(text), section="III.2"))
                pos += 200
            rows["dates"].append(dict(doc_id=did, text="năm 2025", value="2025", kind="period", char_start=pos,
                                      char_end=pos + 8, section="I"))
    # a superseded version of the Quảng Nam txt: must be ignored everywhere
    old = dict(rows["documents"][0])
    old.update(doc_id="qnold000000000", sha256="old" * 20, version=1, is_current=False, title="(bản cũ) Kế hoạch đối ngoại")
    rows["documents"][0]["version"] = 2
    rows["documents"].insert(0, old)
    for iid, cits in by_inst_cits.items():
        inst = insts[iid]
        inst["n_documents"] = len({c["doc_id"] for c in cits})
        inst["n_mentions"] = len(cits)
    rows["instruments"] = sorted(insts.values(), key=lambda r: r["instrument_id"])

    def values(iid: str, field: str) -> str:
        return json.dumps([{"value": c[field], "doc_id": c["doc_id"], "province": c["province"], "char_start": c["char_start"],
                            "char_end": c["char_end"], "in_footnote": c["in_footnote"]} for c in by_inst_cits[iid]],
                          ensure_ascii=False)

    rows["conflicts"] = [
        dict(instrument_id="vn:national:32-CT/TW", symbol="32-CT/TW", kind="date", values=values("vn:national:32-CT/TW", "date_cited"),
             majority=None, evidence="cited as 2019-02-18 (Quảng Nam) and 2019-02-28 (Nghệ An)"),
        dict(instrument_id="vn:national:12-CT/TW", symbol="12-CT/TW", kind="issuer", values=values("vn:national:12-CT/TW", "issuer_named"),
             majority="Ban Bí thư Trung ương Đảng", evidence="issuer named Ban Bí thư / Ban Bí thư Trung ương Đảng / Bộ Chính trị"),
        dict(instrument_id=f"vn:{QN}:1069-TB/TU", symbol="1069-TB/TU", kind="type",
             values=json.dumps([{"value": "Công văn", "doc_id": c["doc_id"], "province": QN, "char_start": c["char_start"],
                                 "char_end": c["char_end"], "in_footnote": False}
                                for c in by_inst_cits[f"vn:{QN}:1069-TB/TU"]] +
                               [{"value": "Thông báo", "doc_id": None, "province": None, "char_start": None, "char_end": None,
                                 "in_footnote": None}], ensure_ascii=False),
             majority="Thông báo", evidence="cited as Công văn, symbol type code TB = Thông báo"),
    ]
    return rows


def write_synthetic(outdir: Path, formats: tuple[str, ...] = SYN_FORMATS) -> Path:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, rs in build_rows(formats).items():
        pq.write_table(to_table(name, rs), outdir / f"{name}.parquet")
    return outdir


ROOT = Path(__file__).resolve().parent.parent
SEEDS = (ROOT / "corpus" / "quang-nam-2025-ke-hoach-doi-ngoai.txt", ROOT / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.txt")


def ingest_seeds(out: Path, paths: tuple[Path, ...] = SEEDS) -> Path:
    """Ingest the TXT seed plans with the real pipeline (pipeline.ingest steps, no Prefect) into ``out``.

    Skips the calling test only while the pipeline cannot be imported; a file that fails fails the test."""
    import pytest

    try:
        import pipeline.linking  # noqa: F401  (the corpus linker; absent while the pipeline is being assembled)
        from pipeline import ingest as steps
        from pipeline.config import Limits
        from pipeline.store import Store
    except ImportError as exc:
        pytest.skip(f"pipeline not importable yet: {exc}")
    store = Store(out)
    manifest = store.load_manifest()
    result = steps.process_batch(steps.discover([str(p) for p in paths], Limits()), Limits())
    failures = [o.message for o in result.outcomes if not o.doc_id]
    assert not failures, failures
    steps.commit_batch(store, manifest, "seeds", result, quarantine=False)
    steps.publish(store, manifest, force=True)
    return Path(out)
