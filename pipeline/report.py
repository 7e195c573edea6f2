"""Side-by-side comparison of provinces' plans: data assembly (pure, pandas) and rendering
(self-contained HTML with inline SVG charts, or XLSX).

``compare(outdir, provinces, out)`` writes ``out`` (``.html`` or ``.xlsx``) and returns it.

Which documents count (``docs=``):

* ``"all"`` (default) — every current document; a plan ingested as PDF, DOCX and TXT is
  one province's plan seen three times, and its values are merged per province
  (distinct values; a date read differently in two formats shows both).
* ``"latest"`` — per province, only the latest document (greatest issue_date, then
  ingested_at; on a tie DOCX before TXT before PDF, the formats whose text is most reliable).
* ``"pdf"`` / ``"docx"`` / ``"txt"`` — only documents of that format.

"Central" instruments are those with ``instruments.scope == 'national'``.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import pandas as pd

from pipeline.query import fold, load, province_matches
from pipeline.report_charts import bar_chart_svg

DOC_MODES = ("all", "latest", "pdf", "docx", "txt")
UNKNOWN_PROVINCE = "(không rõ tỉnh)"
CATEGORY_ORDER = ("đoàn ra", "đoàn vào", "thỏa thuận quốc tế", "hội nghị, hội thảo", "hội nghị", "hội thảo",
                  "địa phương", "vốn", "tỷ lệ", "tần suất", "khác")
KIND_VI = {"date": "ngày", "issuer": "cơ quan ban hành", "type": "loại văn bản"}
COUNTRIES_CSV = Path(__file__).resolve().parent.parent / "extractors" / "data" / "countries.csv"
_FORMAT_RANK = {"docx": 0, "txt": 1, "pdf": 2}
_CMP = {">=": "≥ ", "<=": "≤ ", "=": "", None: ""}


@dataclass
class ReportData:
    """Everything the renderers show; every frame is plain strings/numbers."""

    provinces: list[str]
    selection: str
    documents: pd.DataFrame
    matrix: pd.DataFrame  # central instruments × provinces (cells: cited dates, "✓" when cited undated)
    shared: list[str]  # central instruments every selected province cites
    only_one: pd.DataFrame  # central instruments cited by exactly one province
    local_counts: pd.DataFrame  # province, local instruments cited
    partners: pd.DataFrame  # foreign localities per province
    countries: pd.DataFrame  # country × provinces
    targets: pd.DataFrame  # category × provinces
    target_details: pd.DataFrame
    deadlines: pd.DataFrame
    conflicts: pd.DataFrame
    charts: dict[str, pd.DataFrame] = field(default_factory=dict)
    generated_at: str = ""


# ---------------------------------------------------------------------------
# helpers
def _s(v: Any) -> str:
    if v is None:
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def _num(v: float) -> str:
    return f"{int(v)}" if float(v).is_integer() else f"{v:g}"


def _join(values) -> str:
    seen: list[str] = []
    for v in values:
        v = _s(v)
        if v and v not in seen:
            seen.append(v)
    return " / ".join(seen)


def human_date(value: str) -> str:
    """'2025-03-30' → '30/03/2025'; '--05-15' → '15/05 hằng năm'; other forms kept."""
    v = _s(value)
    if len(v) == 10 and v[4] == "-" and v[7] == "-":
        return f"{v[8:10]}/{v[5:7]}/{v[0:4]}"
    if len(v) == 7 and v.startswith("--"):
        return f"{v[5:7]}/{v[2:4]} hằng năm"
    if len(v) == 7 and v[4] == "-":
        return f"{v[5:7]}/{v[0:4]}"
    return v


def _province_label(p: Any) -> str:
    return _s(p) or UNKNOWN_PROVINCE


def select_documents(docs: pd.DataFrame, provinces: Optional[list[str]] = None, mode: str = "all") -> pd.DataFrame:
    """Current documents of the chosen provinces (diacritics-insensitive names), per ``mode``."""
    if mode not in DOC_MODES:
        raise ValueError(f"docs must be one of {', '.join(DOC_MODES)} (got {mode!r})")
    d = docs.copy()
    if "is_current" in d and len(d):
        d = d[d["is_current"].fillna(True).astype(bool)]
    d["province"] = d["province"].map(_province_label)
    if provinces:
        d = d[d["province"].map(lambda p: province_matches(p, provinces))]
    if mode in ("pdf", "docx", "txt"):
        d = d[d["format"] == mode]
    elif mode == "latest" and len(d):
        d = d.assign(_rank=d["format"].map(lambda f: _FORMAT_RANK.get(_s(f), 9)),
                     _date=d["issue_date"].map(_s), _ing=d["ingested_at"].map(_s))
        d = d.sort_values(["province", "_date", "_ing", "_rank"], ascending=[True, False, False, True])
        d = d.groupby("province", sort=False).head(1).drop(columns=["_rank", "_date", "_ing"])
    return d.reset_index(drop=True)


def _province_order(docs: pd.DataFrame, provinces: Optional[list[str]]) -> list[str]:
    present = list(dict.fromkeys(docs["province"]))
    if provinces:
        ordered = [p for w in provinces for p in present if province_matches(p, [w])]
        return list(dict.fromkeys(ordered + present))
    return sorted(present, key=lambda p: fold(p) or "")


# ---------------------------------------------------------------------------
# assembly
def build_report(tables: dict[str, pd.DataFrame], provinces: Optional[list[str]] = None, docs: str = "all",
                 now: Optional[str] = None) -> ReportData:
    """Assemble the comparison from the output tables (DataFrames keyed by table name)."""
    sel = select_documents(tables["documents"], provinces, docs)
    provs = _province_order(sel, provinces)
    prov_of = dict(zip(sel["doc_id"], sel["province"]))
    ids = set(prov_of)

    def rows(name: str) -> pd.DataFrame:
        t = tables.get(name)
        if t is None or t.empty:
            return pd.DataFrame(columns=list(t.columns) if t is not None else ["doc_id", "province"])
        t = t[t["doc_id"].isin(ids)].copy()
        t["province"] = t["doc_id"].map(prov_of)
        return t

    cits, locs, dates, targets = rows("citations"), rows("localities"), rows("dates"), rows("targets")
    insts = tables["instruments"]
    conflicts = _conflicts(tables["conflicts"], ids, prov_of)
    matrix, shared, only_one, local_counts = _instrument_matrix(cits, insts, provs, conflicts)
    return ReportData(
        provinces=provs,
        selection=docs,
        documents=_documents(sel, cits),
        matrix=matrix,
        shared=shared,
        only_one=only_one,
        local_counts=local_counts,
        partners=_partners(locs),
        countries=_countries(locs, tables.get("localities"), provs),
        targets=_targets_pivot(targets, provs),
        target_details=_target_details(targets),
        deadlines=_deadlines(dates),
        conflicts=conflicts,
        charts={"issuers": _chart_issuers(cits, insts, provs), "partners": _chart_partners(locs, provs)},
        generated_at=now or _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _documents(sel: pd.DataFrame, cits: pd.DataFrame) -> pd.DataFrame:
    n = cits.groupby("doc_id").size() if len(cits) else pd.Series(dtype=int)
    out = []
    for r in sel.itertuples(index=False):
        num = _s(r.number)
        sym = _s(r.symbol)
        out.append({
            "Tỉnh": r.province, "Loại": _s(r.doc_type), "Số, ký hiệu": f"{num}/{sym}" if sym else num,
            "Trích yếu": _s(r.title), "Ngày": _s(r.issue_date), "Người ký": " ".join(x for x in (_s(r.signer_title), _s(r.signer)) if x),
            "Định dạng": _s(r.format), "Trích dẫn": int(n.get(r.doc_id, 0)), "doc_id": r.doc_id, "Tệp": _s(r.source_path),
        })
    return pd.DataFrame(out, columns=["Tỉnh", "Loại", "Số, ký hiệu", "Trích yếu", "Ngày", "Người ký", "Định dạng", "Trích dẫn", "doc_id", "Tệp"])


def _instrument_matrix(cits: pd.DataFrame, insts: pd.DataFrame, provs: list[str], conflicts: pd.DataFrame):
    info = insts.set_index("instrument_id") if len(insts) else pd.DataFrame()
    c = cits[cits["instrument_id"].notna()] if len(cits) else cits
    conflict_kinds: dict[str, str] = {}
    for r in conflicts.itertuples(index=False):
        conflict_kinds[r.instrument_id] = _join([conflict_kinds.get(r.instrument_id), KIND_VI.get(r.kind, r.kind)]).replace(" / ", ", ")
    national, local_counts = [], {p: set() for p in provs}
    for iid, grp in (c.groupby("instrument_id") if len(c) else []):
        meta = info.loc[iid] if iid in info.index else None
        scope = _s(meta["scope"]) if meta is not None else ""
        if scope != "national":
            for p in set(grp["province"]):
                local_counts.setdefault(p, set()).add(iid)
            continue
        symbol = _s(meta["symbol"]) or _label_from_citations(grp) or iid
        row: dict[str, Any] = {"Ký hiệu": symbol, "Loại": _s(meta["instrument_type"]), "Cơ quan ban hành": _s(meta["issuer"]),
                               "Ngày (chuẩn)": _s(meta["date"])}
        cited_by = 0
        for p in provs:
            g = grp[grp["province"] == p]
            if g.empty:
                row[p] = ""
                continue
            cited_by += 1
            dates = sorted({_s(x) for x in g["date_cited"] if _s(x)})
            row[p] = " / ".join(dates) if dates else "✓"
        row["Số tỉnh"] = cited_by
        row["Mâu thuẫn"] = conflict_kinds.get(iid, "")
        row["instrument_id"] = iid
        national.append(row)
    cols = ["Ký hiệu", "Loại", "Cơ quan ban hành", "Ngày (chuẩn)", *provs, "Số tỉnh", "Mâu thuẫn", "instrument_id"]
    m = pd.DataFrame(national, columns=cols)
    if len(m):
        m = m.assign(_k=m["Ký hiệu"].map(lambda s: fold(s) or "")).sort_values(["Số tỉnh", "_k"], ascending=[False, True]).drop(columns="_k")
        m = m[m["Số tỉnh"] > 0].reset_index(drop=True)
    shared = list(m.loc[m["Số tỉnh"] == len(provs), "Ký hiệu"]) if len(provs) > 1 and len(m) else []
    one = []
    for _, r in m[m["Số tỉnh"] == 1].iterrows():
        p = next(p for p in provs if r[p])
        one.append({"Tỉnh": p, "Ký hiệu": r["Ký hiệu"], "Loại": r["Loại"], "Cơ quan ban hành": r["Cơ quan ban hành"],
                    "Ngày trích dẫn": r[p] if r[p] != "✓" else ""})
    only_one = pd.DataFrame(one, columns=["Tỉnh", "Ký hiệu", "Loại", "Cơ quan ban hành", "Ngày trích dẫn"])
    if len(only_one):
        only_one = only_one.sort_values(["Tỉnh", "Ký hiệu"], key=lambda s: s.map(lambda x: fold(x) or "")).reset_index(drop=True)
    lc = pd.DataFrame([{"Tỉnh": p, "Văn bản địa phương được trích dẫn": len(local_counts.get(p, ()))} for p in provs],
                      columns=["Tỉnh", "Văn bản địa phương được trích dẫn"])
    return m, shared, only_one, lc


def _label_from_citations(grp: pd.DataFrame) -> str:
    """Symbol as cited, else the name of a named instrument (CPTPP, Nghị quyết Đại hội XIII ...), else its text."""
    for col in ("symbol", "name", "text"):
        if col in grp:
            vals = grp[col].map(_s)
            vals = vals[vals != ""]
            if len(vals):
                return str(vals.value_counts().index[0])
    return ""


def _partners(locs: pd.DataFrame) -> pd.DataFrame:
    cols = ["Tỉnh", "Quốc gia", "Địa phương đối tác", "Tên trong văn bản", "Loại"]
    if locs.empty:
        return pd.DataFrame(columns=cols)
    loc = locs[locs["kind"].map(_s) != "country"]
    out = []
    for (p, cc, canon), g in loc.groupby(["province", "country", "canonical"], dropna=False):
        out.append({"Tỉnh": p, "Quốc gia": _s(cc), "Địa phương đối tác": _s(canon), "Tên trong văn bản": _join(g["name"]),
                    "Loại": _join(g["kind"])})
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["Tỉnh", "Quốc gia", "Địa phương đối tác"], key=lambda s: s.map(lambda x: fold(x) or "")).reset_index(drop=True)


def country_names(all_locs: Optional[pd.DataFrame]) -> dict[str, str]:
    """ISO code → 'Lào (Laos)': extractors/data/countries.csv when it names the code, else the
    most common spelling in the country rows of the localities table."""
    names: dict[str, str] = {}
    if all_locs is not None and not all_locs.empty:
        c = all_locs[all_locs["kind"].map(_s) == "country"]
        for cc, g in c.groupby("country"):
            vi = g["name"].map(_s).value_counts().index[0]
            en = g["canonical"].map(_s).value_counts().index[0]
            names[_s(cc)] = f"{vi} ({en})" if en and fold(en) != fold(vi) else (vi or en)
    names.update(_country_csv())
    return names


def _country_csv() -> dict[str, str]:
    """Fallback names from extractors/data/countries.csv (name_vi, canonical, country) when present."""
    import csv

    out: dict[str, str] = {}
    try:
        with open(COUNTRIES_CSV, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                cc, vi, en = _s(row.get("country")), _s(row.get("name_vi")), _s(row.get("canonical"))
                if cc and cc not in out:
                    out[cc] = f"{vi} ({en})" if en and fold(en) != fold(vi) else (vi or en)
    except (OSError, csv.Error):
        pass
    return out


def _countries(locs: pd.DataFrame, all_locs: Optional[pd.DataFrame], provs: list[str]) -> pd.DataFrame:
    cols = ["Mã", "Quốc gia", *provs, "Số tỉnh"]
    if locs.empty:
        return pd.DataFrame(columns=cols)
    names = country_names(all_locs)
    out = []
    for cc, g in locs[locs["country"].notna()].groupby("country"):
        row: dict[str, Any] = {"Mã": cc, "Quốc gia": names.get(cc, cc)}
        n = 0
        for p in provs:
            gp = g[g["province"] == p]
            k = gp[gp["kind"].map(_s) != "country"]["canonical"].nunique()
            row[p] = (f"✓ ({k} địa phương)" if k else "✓") if len(gp) else ""
            n += bool(len(gp))
        row["Số tỉnh"] = n
        out.append(row)
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["Số tỉnh", "Mã"], ascending=[False, True]).reset_index(drop=True)


def _category(r) -> str:
    return _s(r.get("category")) or _s(r.get("unit")) or "(khác)"


def _target_cell(r) -> str:
    s = f"{_CMP.get(_s(r.get('comparator')) or None, '')}{_num(float(r['value']))} {_s(r.get('unit'))}".strip()
    period = _s(r.get("period"))
    return f"{s} ({period})" if period else s


def _cat_key(c: str) -> tuple[int, str]:
    k = fold(c) or ""
    for i, o in enumerate(CATEGORY_ORDER):
        if k == fold(o):
            return (i, k)
    return (len(CATEGORY_ORDER), k)


def _targets_pivot(targets: pd.DataFrame, provs: list[str]) -> pd.DataFrame:
    cols = ["Nhóm chỉ tiêu", *provs]
    if targets.empty:
        return pd.DataFrame(columns=cols)
    t = targets[targets["value"].notna()]
    cells: dict[str, dict[str, list[str]]] = {}
    for _, r in t.iterrows():
        cells.setdefault(_category(r), {}).setdefault(r["province"], []).append(_target_cell(r))
    out = [{"Nhóm chỉ tiêu": cat, **{p: _join(v.get(p, [])) for p in provs}} for cat, v in cells.items()]
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values("Nhóm chỉ tiêu", key=lambda s: s.map(_cat_key)).reset_index(drop=True)


def _target_details(targets: pd.DataFrame) -> pd.DataFrame:
    cols = ["Tỉnh", "Nhóm chỉ tiêu", "Giá trị", "So sánh", "Đơn vị", "Kỳ", "Phụ lục", "Mục", "Trích văn bản"]
    if targets.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for _, r in targets[targets["value"].notna()].iterrows():
        out.append({"Tỉnh": r["province"], "Nhóm chỉ tiêu": _category(r), "Giá trị": float(r["value"]),
                    "So sánh": _s(r.get("comparator")), "Đơn vị": _s(r.get("unit")), "Kỳ": _s(r.get("period")),
                    "Phụ lục": _s(r.get("appendix")), "Mục": _s(r.get("section")), "Trích văn bản": _s(r.get("text"))})
    df = pd.DataFrame(out, columns=cols).drop_duplicates(subset=["Tỉnh", "Nhóm chỉ tiêu", "Giá trị", "So sánh", "Đơn vị", "Kỳ"])
    return df.assign(_k=df["Nhóm chỉ tiêu"].map(_cat_key)).sort_values(["Tỉnh", "_k"]).drop(columns="_k").reset_index(drop=True)


def _deadlines(dates: pd.DataFrame) -> pd.DataFrame:
    cols = ["Tỉnh", "Thời hạn", "Giá trị", "Trích văn bản", "Mục"]
    if dates.empty:
        return pd.DataFrame(columns=cols)
    d = dates[dates["kind"].map(_s) == "deadline"]
    out = [{"Tỉnh": r["province"], "Thời hạn": human_date(r["value"]), "Giá trị": _s(r["value"]), "Trích văn bản": _s(r["text"]),
            "Mục": _s(r.get("section"))} for _, r in d.iterrows()]
    df = pd.DataFrame(out, columns=cols).drop_duplicates(subset=["Tỉnh", "Giá trị", "Trích văn bản"])
    return df.sort_values(["Tỉnh", "Giá trị"]).reset_index(drop=True)


def _conflicts(conf: pd.DataFrame, ids: set[str], prov_of: dict[str, str]) -> pd.DataFrame:
    """Conflicts touching the selected documents, one row each, values grouped by value."""
    cols = ["Ký hiệu", "Loại mâu thuẫn", "Các giá trị", "Đa số", "Giải thích", "instrument_id", "kind"]
    out = []
    for _, r in (conf.iterrows() if conf is not None and len(conf) else []):
        try:
            vals = json.loads(_s(r["values"]) or "[]")
        except json.JSONDecodeError:
            vals = []
        if not isinstance(vals, list):
            vals = []
        if not any(isinstance(v, dict) and v.get("doc_id") in ids for v in vals):
            continue
        by_value: dict[str, list[str]] = {}
        for v in vals:
            if not isinstance(v, dict):
                continue
            did = v.get("doc_id")
            if did is not None and did not in ids:
                continue
            where = prov_of.get(did) or _s(v.get("province")) or ("ký hiệu" if r["kind"] == "type" else "")
            if v.get("in_footnote"):
                where += " (chú thích)"
            lst = by_value.setdefault(_s(v.get("value")) or "(trống)", [])
            if where and where not in lst:
                lst.append(where)
        summary = "; ".join(f"{val} — {', '.join(w)}" if w else val for val, w in by_value.items())
        out.append({"Ký hiệu": _s(r["symbol"]), "Loại mâu thuẫn": KIND_VI.get(_s(r["kind"]), _s(r["kind"])),
                    "Các giá trị": summary, "Đa số": _s(r["majority"]), "Giải thích": _s(r["evidence"]),
                    "instrument_id": _s(r["instrument_id"]), "kind": _s(r["kind"])})
    return pd.DataFrame(out, columns=cols)


def _chart_issuers(cits: pd.DataFrame, insts: pd.DataFrame, provs: list[str]) -> pd.DataFrame:
    """Distinct cited instruments per issuing body (instruments.issuer, else its code) and province."""
    if cits.empty:
        return pd.DataFrame(columns=["label", *provs])
    meta = insts.set_index("instrument_id") if len(insts) else pd.DataFrame()
    c = cits[cits["instrument_id"].notna()][["instrument_id", "province"]].drop_duplicates()

    def issuer(iid: str) -> str:
        if iid in meta.index:
            m = meta.loc[iid]
            if _s(m["issuer"]):
                return _s(m["issuer"])
            if _s(m["issuer_code"]):
                return f"(mã {_s(m['issuer_code'])})"
            if not _s(m["symbol"]):
                return "(văn bản không số hiệu)"
        return "(không rõ)"

    c = c.assign(label=c["instrument_id"].map(issuer))
    return _pivot_counts(c, "label", provs)


def _chart_partners(locs: pd.DataFrame, provs: list[str]) -> pd.DataFrame:
    """Distinct foreign partner localities per country and province (countries named alone are not counted)."""
    if locs.empty:
        return pd.DataFrame(columns=["label", *provs])
    loc = locs[(locs["kind"].map(_s) != "country") & locs["country"].notna()][["province", "country", "canonical"]].drop_duplicates()
    loc = loc.assign(label=loc["country"])
    return _pivot_counts(loc, "label", provs)


def _pivot_counts(df: pd.DataFrame, label: str, provs: list[str]) -> pd.DataFrame:
    rows = []
    for lab, g in df.groupby(label):
        counts = g.groupby("province").size()
        rows.append({"label": lab, **{p: int(counts.get(p, 0)) for p in provs}})
    out = pd.DataFrame(rows, columns=["label", *provs])
    if len(out):
        out = out.assign(_t=out[provs].sum(axis=1)).sort_values(["_t", "label"], ascending=[False, True]).drop(columns="_t")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------
# entry point
def load_tables(outdir: str | Path) -> dict[str, pd.DataFrame]:
    names = ("documents", "citations", "instruments", "localities", "dates", "targets", "conflicts", "relations")
    return {n: load(outdir, n) for n in names}


def compare(outdir: str | Path, provinces: Optional[list[str]] = None, out: str | Path = "report.html",
            docs: str = "all") -> Path:
    """Write the comparison report of ``provinces`` (all when None/empty) to ``out``:
    ``.html`` (self-contained, printable) or ``.xlsx`` (one sheet per table)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise ValueError(f"{out}: the report must end in .html or .xlsx")
    outdir = Path(outdir)
    if not (outdir / "documents.parquet").exists():
        raise FileNotFoundError(f"{outdir}: no documents.parquet — run `plans ingest` first")
    data = build_report(load_tables(outdir), provinces or None, docs)
    if provinces and not data.provinces:
        raise ValueError(f"no current document of {', '.join(provinces)} in {outdir}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        write_xlsx(data, out)
    else:
        out.write_text(render_html(data), encoding="utf-8")
    return out




# ---------------------------------------------------------------------------
# rendering: HTML
TEMPLATES = Path(__file__).parent / "templates"


def _table_spec(df: pd.DataFrame, hide: tuple[str, ...] = ("instrument_id", "kind", "doc_id"),
                cell_class: Optional[Callable[[pd.Series, str], str]] = None,
                row_class: Optional[Callable[[pd.Series], str]] = None) -> dict[str, Any]:
    cols = [c for c in df.columns if c not in hide]
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            text = _num(v) if isinstance(v, float) else _s(v)
            cells.append({"text": text, "cls": cell_class(r, c) if cell_class else ""})
        rows.append({"cells": cells, "cls": row_class(r) if row_class else ""})
    return {"columns": cols, "rows": rows}


def _chart(df: pd.DataFrame, provs: list[str], title: str, labeler: Callable[[str], str] = str) -> str:
    if df.empty:
        return ""
    return bar_chart_svg([labeler(x) for x in df["label"]], {p: list(df[p]) for p in provs}, title)


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG; prints well)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    provs = data.provinces
    date_conflicts = set(data.conflicts.loc[data.conflicts["kind"] == "date", "instrument_id"]) if len(data.conflicts) else set()
    conflicted = set(data.conflicts["instrument_id"]) if len(data.conflicts) else set()

    def matrix_cell(r: pd.Series, c: str) -> str:
        if c in provs:
            if not r[c]:
                return "absent"
            return "cited conflict" if r["instrument_id"] in date_conflicts else "cited"
        return "conflict" if c == "Mâu thuẫn" and r[c] else ""

    names = {}
    if len(data.countries):
        names = dict(zip(data.countries["Mã"], data.countries["Quốc gia"]))
    ctx = {
        "data": data,
        "provinces": provs,
        "documents": _table_spec(data.documents, hide=("doc_id",)),
        "matrix": _table_spec(data.matrix, cell_class=matrix_cell,
                              row_class=lambda r: "has-conflict" if r["instrument_id"] in conflicted else ""),
        "only_one": _table_spec(data.only_one),
        "local_counts": _table_spec(data.local_counts),
        "countries": _table_spec(data.countries, cell_class=lambda r, c: ("cited" if r[c] else "absent") if c in provs else ""),
        "partners": _table_spec(data.partners),
        "targets": _table_spec(data.targets),
        "target_details": _table_spec(data.target_details),
        "deadlines": _table_spec(data.deadlines),
        "conflicts": _table_spec(data.conflicts, cell_class=lambda r, c: "conflict" if c == "Các giá trị" else ""),
        "chart_issuers": _chart(data.charts.get("issuers", pd.DataFrame()), provs,
                                "Văn bản được trích dẫn theo cơ quan ban hành (số văn bản khác nhau)"),
        "chart_partners": _chart(data.charts.get("partners", pd.DataFrame()), provs,
                                 "Địa phương đối tác theo quốc gia (số địa phương)", lambda cc: names.get(cc, cc)),
        "selection_text": {
            "all": "mọi văn bản hiện hành (một kế hoạch có nhiều định dạng PDF/DOCX/TXT được gộp theo tỉnh)",
            "latest": "văn bản mới nhất của mỗi tỉnh",
        }.get(data.selection, f"chỉ các văn bản định dạng {data.selection.upper()}"),
    }
    return env.get_template("report.html.j2").render(**ctx)


# ---------------------------------------------------------------------------
# rendering: XLSX
def xlsx_sheets(data: ReportData) -> list[tuple[str, pd.DataFrame]]:
    """(sheet name, frame) in workbook order; sheet names ≤ 31 characters."""
    summary = pd.DataFrame(
        [("Tỉnh", ", ".join(data.provinces)), ("Văn bản", data.selection),
         ("Văn bản TW cả các tỉnh cùng trích dẫn", ", ".join(data.shared)),
         ("Số văn bản TW được trích dẫn", len(data.matrix)), ("Số mâu thuẫn", len(data.conflicts)),
         ("Lập lúc", data.generated_at)], columns=["Mục", "Giá trị"])
    charts_i = data.charts.get("issuers", pd.DataFrame()).rename(columns={"label": "Cơ quan ban hành"})
    charts_p = data.charts.get("partners", pd.DataFrame()).rename(columns={"label": "Quốc gia"})
    return [
        ("Tổng quan", summary),
        ("Văn bản", data.documents),
        ("Văn bản TW", data.matrix.drop(columns=["instrument_id"], errors="ignore")),
        ("Chỉ một tỉnh", data.only_one),
        ("Văn bản địa phương", data.local_counts),
        ("Quốc gia", data.countries),
        ("Địa phương đối tác", data.partners),
        ("Chỉ tiêu", data.targets),
        ("Chỉ tiêu chi tiết", data.target_details),
        ("Thời hạn", data.deadlines),
        ("Mâu thuẫn", data.conflicts.drop(columns=["kind"], errors="ignore")),
        ("Biểu đồ - cơ quan", charts_i),
        ("Biểu đồ - đối tác", charts_p),
    ]


def write_xlsx(data: ReportData, path: str | Path) -> Path:
    """One sheet per table: bold frozen header row, autofilter, column widths from the content."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F5FA8")
    warn_fill = PatternFill("solid", fgColor="FCE4D6")
    for name, df in xlsx_sheets(data):
        ws = wb.create_sheet(name[:31])
        cols = list(df.columns)
        ws.append([str(c) for c in cols])
        for _, r in df.iterrows():
            ws.append([_xl(r[c]) for c in cols])
        for cell in ws[1]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.freeze_panes = "B2" if name == "Văn bản TW" else "A2"
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(ws.max_row, 1)}"
        for i, c in enumerate(cols, start=1):
            longest = max([len(str(c))] + [len(_s(v)) for v in df[c]]) if len(df) else len(str(c))
            ws.column_dimensions[get_column_letter(i)].width = max(8, min(60, longest + 2))
            if longest > 60:
                for cell in ws[get_column_letter(i)][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        if "Mâu thuẫn" in cols and name == "Văn bản TW":
            j = cols.index("Mâu thuẫn") + 1
            for row in ws.iter_rows(min_row=2):
                if row[j - 1].value:
                    for cell in row:
                        cell.fill = warn_fill
    path = Path(path)
    wb.save(path)
    return path


def _xl(v: Any) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return None if pd.isna(v) else (int(v) if float(v).is_integer() else float(v))
    return _s(v) or None


__all__ = ["ReportData", "DOC_MODES", "select_documents", "build_report", "load_tables", "compare", "human_date", "render_html", "write_xlsx", "xlsx_sheets",
           "country_names"]
