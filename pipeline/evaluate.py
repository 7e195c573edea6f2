"""Score the output tables against a gold file in the format of shared/gold/seeds.json.

Gold documents are matched to ingested documents by province (every format of
a plan — PDF, DOCX, TXT — is scored on its own).  Corpus-level items
(cross-document links, conflicts, relations) are scored once per format group.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.normalize import match_key


def prf(pred: set, gold: set) -> dict[str, Any]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else (1.0 if not gold else 0.0)
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp,
            "missed": sorted(map(str, gold - pred)), "spurious": sorted(map(str, pred - gold))}


def _rows(outdir: Path, name: str) -> list[dict[str, Any]]:
    p = outdir / f"{name}.parquet"
    return pq.read_table(p).to_pylist() if p.exists() else []


def same_value(a: Any, b: Any) -> bool:
    """Equal as `match_key`s (case, tone placement and blanks aside); None equals only None."""
    if a is None or b is None:
        return a is b
    return match_key(str(a)) == match_key(str(b))


def evaluate(outdir: str | Path, gold_path: str | Path) -> dict[str, Any]:
    outdir = Path(outdir)
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    docs = [d for d in _rows(outdir, "documents") if d.get("is_current", True)]
    cits = _rows(outdir, "citations")
    insts = {r["instrument_id"]: r for r in _rows(outdir, "instruments")}
    locs = _rows(outdir, "localities")
    dates = _rows(outdir, "dates")
    targets = _rows(outdir, "targets")
    by_doc: dict[str, dict[str, list]] = {}
    for name, rows in (("citations", cits), ("localities", locs), ("dates", dates), ("targets", targets)):
        for r in rows:
            by_doc.setdefault(r["doc_id"], {}).setdefault(name, []).append(r)

    def symbol_of(c: dict[str, Any]) -> str | None:
        if c.get("symbol"):
            return c["symbol"]
        inst = insts.get(c.get("instrument_id") or "")
        return inst.get("symbol") if inst else None

    report: dict[str, Any] = {"documents": [], "corpus": {}}
    formats: set[str] = set()
    for g in gold["documents"]:
        matches = [d for d in docs if same_value(d.get("province"), g["province"])]
        if not matches:
            report["documents"].append({"gold": g["seed"], "province": g["province"], "error": "no ingested document of this province"})
            continue
        for d in matches:
            formats.add(d["format"])
            mine = by_doc.get(d["doc_id"], {})
            dc = [c for c in mine.get("citations", []) if c.get("kind") != "named"]
            pred_syms = {c["symbol"] for c in dc if c.get("kind") == "full" and c.get("symbol")}
            gold_syms = {i["symbol"] for i in g["instruments"]}
            inst = prf(pred_syms, gold_syms)
            # dates as cited
            date_ok, date_total, date_miss = 0, 0, []
            for gi in g["instruments"]:
                if not gi.get("date_cited"):
                    continue
                date_total += 1
                got = {c.get("date_cited") for c in dc if c.get("symbol") == gi["symbol"]}
                if gi["date_cited"] in got:
                    date_ok += 1
                else:
                    date_miss.append(f"{gi['symbol']}: gold {gi['date_cited']}, got {sorted(x for x in got if x) or 'none'}")
            # mentions (full + resolved short forms)
            mcount = Counter(s for s in (symbol_of(c) for c in dc) if s)
            mention_miss = [f"{gi['symbol']}: gold {gi['mentions']}, got {mcount.get(gi['symbol'], 0)}"
                            for gi in g["instruments"] if mcount.get(gi["symbol"], 0) != gi["mentions"]]
            # issuer as named
            iss_ok, iss_total, iss_miss = 0, 0, []
            for gi in g["instruments"]:
                if not gi.get("issuer_named"):
                    continue
                iss_total += 1
                got = {c.get("issuer_named") for c in dc if c.get("symbol") == gi["symbol"]}
                if any(same_value(x, gi["issuer_named"]) for x in got if x):
                    iss_ok += 1
                else:
                    iss_miss.append(f"{gi['symbol']}: gold {gi['issuer_named']!r}, got {sorted(x for x in got if x)}")
            loc_pred = {(r["canonical"], r["country"]) for r in mine.get("localities", []) if r["kind"] != "country"}
            loc_gold = {(x["canonical"], x["country"]) for x in g["localities"]}
            cty_pred = {r["country"] for r in mine.get("localities", []) if r["kind"] == "country"}
            tg_pred = {(float(t["value"]), t["unit"]) for t in mine.get("targets", [])}
            tg_gold = {(float(t["value"]), t["unit"]) for t in g["targets"]}
            dl_pred = {r["value"] for r in mine.get("dates", []) if r["kind"] == "deadline"}
            dl_gold = {x["date"] for x in g["deadlines"]}
            meta = {k: {"gold": g.get(k), "got": d.get(k), "ok": same_value(d.get(k), g.get(k))}
                    for k in ("province", "doc_type", "title", "number", "year", "issuer", "signer", "signer_title",
                              "signing_capacity") if k in g}
            report["documents"].append({
                "gold": g["seed"], "province": g["province"], "doc_id": d["doc_id"], "format": d["format"],
                "source_path": d["source_path"],
                "instruments": inst,
                "dates_cited": {"accuracy": round(date_ok / date_total, 4) if date_total else 1.0, "n": date_total, "missed": date_miss},
                "mentions": {"exact": len(g["instruments"]) - len(mention_miss), "n": len(g["instruments"]), "missed": mention_miss},
                "issuer_named": {"accuracy": round(iss_ok / iss_total, 4) if iss_total else 1.0, "n": iss_total, "missed": iss_miss},
                "localities": prf(loc_pred, loc_gold),
                "countries": prf(cty_pred, set(g["countries"])),
                "targets": prf(tg_pred, tg_gold),
                "deadlines": {**prf(dl_pred, dl_gold), "found": sorted(dl_gold & dl_pred)},
                "metadata": meta,
            })

    # corpus level: per format, compare provinces' citation sets, conflicts, relations
    rels = _rows(outdir, "relations")
    confs = _rows(outdir, "conflicts")
    doc_fmt = {d["doc_id"]: d for d in docs}
    for fmt in sorted(formats):
        prov_syms: dict[str, set[str]] = {}
        for c in cits:
            d = doc_fmt.get(c["doc_id"])
            if d is None or d["format"] != fmt:
                continue
            s = symbol_of(c)
            if s:
                prov_syms.setdefault(d["province"], set()).add(s)
        provs = [g["province"] for g in gold["documents"]]
        shared = set.intersection(*(prov_syms.get(p, set()) for p in provs)) if provs else set()
        rel_pred = set()
        for r in rels:
            d = doc_fmt.get(r["doc_id"])
            if d is None or d["format"] != fmt:
                continue
            rel_pred.add((d["province"], r.get("source_symbol") or (insts.get(r["source_instrument_id"]) or {}).get("symbol"),
                          r["relation"], r.get("target_symbol") or (insts.get(r["target_instrument_id"]) or {}).get("symbol")))
        rel_gold = {(x["document"], x["source"], x["relation"], x["target"]) for x in gold["relations"]}
        report["corpus"][fmt] = {
            "cross_document_links": prf(shared, set(gold["cross_document_links"])),
            "relations": prf(rel_pred, rel_gold),
        }
    conf_pred = {((insts.get(c["instrument_id"]) or {}).get("symbol") or c.get("symbol"), c["kind"]) for c in confs}
    conf_gold = {(c["symbol"], c["kind"]) for c in gold["conflicts"]}
    report["corpus"]["conflicts"] = prf(conf_pred, conf_gold)
    return report


def render_report(report: dict[str, Any]) -> str:
    lines = []
    hdr = f"{'document':<56} {'extractor':<14} {'P':>6} {'R':>6} {'F1':>6}"
    lines.append(hdr)
    lines.append("-" * len(hdr))
    misses: list[str] = []
    for d in report["documents"]:
        if "error" in d:
            lines.append(f"{d['gold']:<56} {d['error']}")
            continue
        name = f"{d['province']} ({Path(d['source_path']).name})"
        for k in ("instruments", "localities", "countries", "targets", "deadlines"):
            m = d[k]
            lines.append(f"{name:<56} {k:<14} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f}")
            for x in m["missed"]:
                misses.append(f"{name}: {k} missed {x}")
            for x in m["spurious"]:
                misses.append(f"{name}: {k} spurious {x}")
        for k in ("dates_cited", "issuer_named"):
            lines.append(f"{name:<56} {k:<14} accuracy {d[k]['accuracy']:.3f} of {d[k]['n']}")
            misses += [f"{name}: {k} {x}" for x in d[k]["missed"]]
        lines.append(f"{name:<56} {'mentions':<14} exact {d['mentions']['exact']}/{d['mentions']['n']}")
        misses += [f"{name}: mentions {x}" for x in d["mentions"]["missed"]]
        bad = [k for k, v in d["metadata"].items() if not v["ok"]]
        lines.append(f"{name:<56} {'metadata':<14} {'all equal' if not bad else 'differs: ' + ', '.join(bad)}")
        misses += [f"{name}: metadata {k} gold {d['metadata'][k]['gold']!r} got {d['metadata'][k]['got']!r}" for k in bad]
    for fmt, c in report["corpus"].items():
        if fmt == "conflicts":
            continue
        for k, m in c.items():
            lines.append(f"{'corpus (' + fmt + ')':<56} {k:<14} {m['precision']:>6.3f} {m['recall']:>6.3f} {m['f1']:>6.3f}")
            misses += [f"corpus ({fmt}): {k} missed {x}" for x in m["missed"]]
            misses += [f"corpus ({fmt}): {k} spurious {x}" for x in m["spurious"]]
    c = report["corpus"].get("conflicts")
    if c:
        lines.append(f"{'corpus':<56} {'conflicts':<14} {c['precision']:>6.3f} {c['recall']:>6.3f} {c['f1']:>6.3f}")
        misses += [f"corpus: conflicts missed {x}" for x in c["missed"]]
        misses += [f"corpus: conflicts spurious {x}" for x in c["spurious"]]
    lines.append("")
    lines.append("misses:" if misses else "misses: none")
    lines += ["  " + m for m in misses]
    return "\n".join(lines)
