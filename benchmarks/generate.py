"""Deterministic generator of a synthetic corpus of Vietnamese provincial foreign-affairs plans.

Each plan is written as DOCX (``corpus.build.build_docx``: real Word footnotes, ND 30/2020
layout) and rendered to PDF by LibreOffice (many files per ``soffice`` call), with its ground
truth beside it (``plan_00042.truth.json``: every citation, partner locality, target and
deadline the generator inserted).

Usage::

    .venv/bin/python -m benchmarks.generate --n 100 [--seed 7] [--jobs 2] [--no-pdf]

Plan ``i`` depends only on ``(seed, i)``, so the corpus of size 10 is the first ten plans of the
corpus of size 1000.  Plans are generated once into a pool
(``benchmarks/work/pool-s{seed}/``) and re-used; the corpus of size N
(``benchmarks/work/corpus-n{N}-s{seed}/``) holds hard links to the first N PDFs and their
truth files (ingest reads only the PDFs; ``.json`` files are passed over by discovery).

Data (provinces, national instruments, names, phrase bank) live in ``benchmarks/data/``;
foreign localities come from ``extractors/data/gazetteer.csv`` when present, else from
``benchmarks/data/localities_fallback.csv``.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

GEN_VERSION = "1"  # bump when the plans' text changes (DOCX and PDF are regenerated)
TRUTH_VERSION = "2"  # bump when only the truth JSON changes (rewritten without re-rendering)
PLAN_CUES = ("phấn đấu", "dự kiến", "chỉ tiêu", "mục tiêu", "đạt")  # words that make a number a planned target
BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / "data"
WORK_DIR = BENCH_DIR / "work"
REPO_ROOT = BENCH_DIR.parent
GAZETTEER = REPO_ROOT / "extractors" / "data" / "gazetteer.csv"

CHARS_PER_PAGE = 2450  # body characters per rendered A4 page (Times 14 pt, 1.1 spacing), calibrated on renders
PARTNER_COUNTRIES = {"LA": 6, "KH": 4, "CN": 3, "JP": 3, "KR": 3, "TH": 2, "RU": 1, "US": 1, "FR": 1, "DE": 1, "CU": 1, "MN": 1}
LOCALITY_KINDS = {"province", "prefecture", "city", "state", "autonomous region", "region", "capital"}
KIND_WORD = {"province": "tỉnh", "prefecture": "tỉnh", "city": "thành phố", "state": "bang",
             "autonomous region": "khu tự trị", "region": "vùng", "capital": "thủ đô"}


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Data:
    provinces: list[dict[str, str]]
    national: list[dict[str, str]]
    names: dict[str, list[str]]
    countries: dict[str, str]
    localities: dict[str, list[dict[str, str]]]  # country -> rows
    phrases: dict[str, Any]


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_data(data_dir: Path = DATA_DIR, gazetteer: Path = GAZETTEER) -> Data:
    rows = _csv(gazetteer) if gazetteer.exists() else _csv(data_dir / "localities_fallback.csv")
    locs: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if r.get("kind") in LOCALITY_KINDS and r.get("country") in PARTNER_COUNTRIES and r.get("name_vi"):
            locs.setdefault(r["country"], []).append(r)
    countries = {r["code"]: r["name_vi"] for r in _csv(data_dir / "countries.csv")}
    return Data(
        provinces=_csv(data_dir / "provinces.csv"),
        national=_csv(data_dir / "instruments_national.csv"),
        names=json.loads((data_dir / "names.json").read_text(encoding="utf-8")),
        countries=countries,
        localities={c: v for c, v in locs.items() if c in countries},
        phrases=json.loads((data_dir / "phrases.json").read_text(encoding="utf-8")),
    )


# --------------------------------------------------------------------------- instruments


@dataclass
class Instrument:
    symbol: str  # normalized: "59-NQ/TW", "1673/QĐ-UBND", "20/2023/QĐ-UBND"
    type_word: str  # "Nghị quyết"
    date: dt.date
    issuer_named: str  # "Bộ Chính trị", "Ủy ban nhân dân tỉnh"
    subject: str | None
    scope: str  # "national" or the province name
    system: str  # party | normative | administrative | law
    cited_as: str | None = None  # a type word that disagrees with the symbol ("Công văn" for a TB)
    mentions: int = 0


def _iso(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _num(rng: random.Random, lo: int, hi: int, pad_small: bool = False) -> str:
    n = rng.randint(lo, hi)
    return f"{n:02d}" if pad_small and n < 10 and rng.random() < 0.7 else str(n)


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def national_instrument(rng: random.Random, data: Data, before: dt.date) -> Instrument:
    """A real instrument from the national list (when issued before ``before``), else a synthetic national one."""
    real = [r for r in data.national if _iso(r["date"]) < before]
    if real and rng.random() < 0.7:
        r = rng.choice(real)
        sym = r["symbol"]
        system = "party" if "-" in sym.split("/")[0] else ("law" if "/QH" in sym else ("normative" if sym.count("/") == 2 else "administrative"))
        return Instrument(sym, r["type_word"], _iso(r["date"]), r["issuer_named"], r["subject"], "national", system)
    d = _date_between(rng, before - dt.timedelta(days=900), before - dt.timedelta(days=10))
    kind = rng.random()
    if kind < 0.4:
        return Instrument(f"{_num(rng, 100, 2400)}/QĐ-TTg", "Quyết định", d, "Thủ tướng Chính phủ",
                          rng.choice(["phê duyệt Đề án hội nhập quốc tế", "phê duyệt Chương trình xúc tiến đầu tư quốc gia", "ban hành Kế hoạch thực hiện Chiến lược ngoại giao kinh tế"]),
                          "national", "administrative")
    if kind < 0.65:
        unit = rng.choice(["CNV", "LS", "TTBC", "NG", "UBNV", "THPĐ"])
        return Instrument(f"{_num(rng, 100, 5800)}/BNG-{unit}", "Công văn", d, "Bộ Ngoại giao", None, "national", "administrative")
    if kind < 0.85:
        return Instrument(f"{_num(rng, 20, 260)}/NQ-CP", "Nghị quyết", d, "Chính phủ",
                          rng.choice(["Chương trình hành động của Chính phủ về hội nhập quốc tế", "phiên họp Chính phủ thường kỳ", "các nhiệm vụ, giải pháp chủ yếu thực hiện Kế hoạch phát triển kinh tế - xã hội"]),
                          "national", "administrative")
    return Instrument(f"{_num(rng, 1, 40, True)}/{d.year}/TT-BNG", "Thông tư", d, "Bộ Ngoại giao",
                      "hướng dẫn quản lý hoạt động đối ngoại", "national", "normative")


def local_instrument(rng: random.Random, prov: dict[str, str], before: dt.date) -> Instrument:
    """An instrument of the plan's own province: Tỉnh ủy (TU), Đảng ủy (ĐU), UBND, HĐND, Sở Ngoại vụ."""
    d = _date_between(rng, before - dt.timedelta(days=1400), before - dt.timedelta(days=3))
    name, kind, committee = prov["name"], prov["kind"], prov["party_committee"]
    pick = rng.random()
    if pick < 0.35:
        code, word = rng.choice([("NQ", "Nghị quyết"), ("CT", "Chỉ thị"), ("KH", "Kế hoạch"), ("CTr", "Chương trình hành động"),
                                 ("KL", "Kết luận"), ("TB", "Thông báo"), ("QĐ", "Quyết định"), ("HD", "Hướng dẫn")])
        hi = 1500 if code == "TB" else 420
        inst = Instrument(f"{_num(rng, 1, hi, True)}-{code}/TU", word, d, rng.choice([f"Ban Thường vụ {committee}", committee]),
                          None, name, "party")
        if code == "TB" and rng.random() < 0.5:
            inst.cited_as = "Công văn"
        if code in ("NQ", "CT", "CTr", "KH") and rng.random() < 0.6:
            inst.subject = rng.choice(["tăng cường công tác đối ngoại", "hội nhập quốc tế giai đoạn 2021 - 2025",
                                       "nâng cao hiệu quả công tác thu hút đầu tư nước ngoài", "phát triển du lịch"])
        return inst
    if pick < 0.42:
        return Instrument(f"{_num(rng, 20, 400)}-CV/ĐU", "Công văn", d, f"Ban Thường vụ Đảng ủy Ủy ban nhân dân {kind}", None, name, "party")
    ubnd = rng.choice([f"Ủy ban nhân dân {kind}", f"UBND {kind}"])
    if pick < 0.62:
        return Instrument(f"{_num(rng, 10, 9000)}/KH-UBND", "Kế hoạch", d, ubnd,
                          rng.choice([None, "thực hiện công tác đối ngoại", "triển khai Chiến lược ngoại giao văn hóa"]), name, "administrative")
    if pick < 0.75:
        return Instrument(f"{_num(rng, 100, 4000)}/QĐ-UBND", "Quyết định", d, ubnd,
                          rng.choice([None, "ban hành Quy chế quản lý các đoàn ra, đoàn vào", "phê duyệt Đề án hợp tác quốc tế"]), name, "administrative")
    if pick < 0.82:
        return Instrument(f"{_num(rng, 1, 60, True)}/{d.year}/QĐ-UBND", "Quyết định", d, ubnd,
                          "ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại", name, "normative")
    if pick < 0.89:
        unit = rng.choice(["KT", "TH", "NC", "KGVX", "VX"])
        return Instrument(f"{_num(rng, 100, 7000)}/UBND-{unit}", "Công văn", d, ubnd, None, name, "administrative")
    hdnd = rng.choice([f"Hội đồng nhân dân {kind}", f"HĐND {kind}"])
    if pick < 0.95:
        return Instrument(f"{_num(rng, 1, 40, True)}/{d.year}/NQ-HĐND", "Nghị quyết", d, hdnd,
                          "quy định mức chi đón tiếp khách nước ngoài", name, "normative")
    return Instrument(f"{_num(rng, 10, 300)}/NQ-HĐND", "Nghị quyết", d, hdnd, None, name, "administrative")


def _date_text(rng: random.Random, d: dt.date) -> str:
    f = rng.random()
    if f < 0.55:
        return f"ngày {d.day:02d}/{d.month:02d}/{d.year}"
    if f < 0.8:
        return f"ngày {d.day}/{d.month}/{d.year}"
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _symbol_text(rng: random.Random, sym: str, system: str) -> str:
    """The symbol as typed, with the spacing noise seen in real plans (``33- KL/TW``)."""
    if system == "party" and rng.random() < 0.04:
        num, rest = sym.split("-", 1)
        return f"{num}- {rest}"
    return sym


@dataclass
class Mention:
    inst: Instrument
    text: str
    date_cited: str | None
    in_footnote: bool


def cite(rng: random.Random, inst: Instrument, *, first: bool, in_footnote: bool = False) -> Mention:
    """Render one mention of ``inst``: the first mention is usually full, later ones short."""
    word = inst.cited_as or inst.type_word
    sym = _symbol_text(rng, inst.symbol, inst.system)
    date_cited = None
    if first or rng.random() < 0.2:
        parts = [f"{word} số {sym}" if rng.random() < 0.9 else f"{word} {sym}"]
        if rng.random() < 0.85:
            parts.append(_date_text(rng, inst.date))
            date_cited = inst.date.isoformat()
        if rng.random() < 0.8:
            parts.append(f"của {inst.issuer_named}")
        if inst.subject and rng.random() < 0.7:
            parts.append(f"về {inst.subject}" if not inst.subject.startswith(("ban hành", "phê duyệt", "hướng dẫn", "thực hiện", "triển khai")) else inst.subject)
        text = " ".join(parts)
    else:
        text = f"{word} số {sym}" if rng.random() < 0.6 else f"{word} {sym}"
    inst.mentions += 1
    return Mention(inst, text, date_cited, in_footnote)


# --------------------------------------------------------------------------- plan


@dataclass
class PlanDraft:
    header: Any
    paragraphs: list[Any]
    footnotes: dict[str, str]
    signature: Any
    truth: dict[str, Any]


@dataclass
class _Ctx:
    rng: random.Random
    data: Data
    prov: dict[str, str]
    year: int
    issue: dt.date
    doc_word: str
    pool: list[Instrument]
    partners: list[dict[str, str]]
    mentions: list[Mention] = field(default_factory=list)
    localities: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)
    _partner: dict[str, str] | None = None
    _bound: dict[str, str] | None = None

    @property
    def prov_full(self) -> str:
        return f"{self.prov['kind']} {self.prov['name']}"

    def cite(self) -> str:
        inst = self.rng.choice(self.pool)
        m = cite(self.rng, inst, first=inst.symbol not in self.cited)
        self.cited.add(inst.symbol)
        self.mentions.append(m)
        return m.text

    def loc(self) -> str:
        r = self._bound or self.rng.choice(self.partners)
        self._bound = None
        country = self.data.countries[r["country"]]
        kw = KIND_WORD.get(r["kind"], "tỉnh")
        self.localities.append({"name": r["name_vi"], "canonical": r.get("canonical") or r["name_vi"], "country": r["country"], "kind": r["kind"]})
        f = self.rng.random()
        if f < 0.5:
            return f"{kw} {r['name_vi']} ({country})"
        if f < 0.8:
            return f"{kw} {r['name_vi']}, {country}"
        return f"{kw} {r['name_vi']}"

    def country(self) -> str:
        return self.data.countries[(self._partner or self.rng.choice(self.partners))["country"]]

    def target(self, before: str = "") -> str:
        cue = any(c in before[-40:].lower() for c in PLAN_CUES)
        tpl, units = self.rng.choice(self.data.phrases["targets"])
        n1, n2 = self.rng.randint(2, 80), self.rng.randint(2, 60)
        if "%" in units[0][1]:
            n1 = self.rng.randint(3, 15)
        vals = {"{n1}": f"{n1:02d}" if n1 < 10 and self.rng.random() < 0.6 else str(n1), "{n2}": str(n2)}
        text = tpl
        for k, v in vals.items():
            text = text.replace(k, v)
        for slot, unit in units:
            self.targets.append({"value": float(vals[slot]), "unit": unit, "text": text,
                                 "cue": cue or any(c in text for c in PLAN_CUES)})
        return text

    def deadline(self) -> str:
        tpl = self.rng.choice(self.data.phrases["deadlines"])
        d, m = self.rng.randint(1, 28), self.rng.randint(self.issue.month, 12)
        text = tpl.format(d=d, m=m, y=self.year)
        value = f"--{m:02d}-{d:02d}" if "{y}" not in tpl else f"{self.year}-{m:02d}-{d:02d}"
        self.deadlines.append({"text": text, "value": value})
        return text

    def fill(self, tpl: str) -> str:
        """Fill the slots of a phrase-bank template left to right (each slot drawn afresh)."""
        out: list[str] = []
        i = 0
        self._partner = self._bound = self.rng.choice(self.partners)  # {country} and the first {loc} agree
        while i < len(tpl):
            j = tpl.find("{", i)
            if j < 0:
                out.append(tpl[i:])
                break
            k = tpl.find("}", j)
            out.append(tpl[i:j])
            name = tpl[j + 1 : k]
            out.append(self.target("".join(out)) if name == "target" else self._slot(name))
            i = k + 1
        return "".join(out)

    def _slot(self, name: str) -> str:
        if name == "cite":
            return self.cite()
        if name == "loc":
            return self.loc()
        if name == "country":
            return self.country()
        if name == "target":
            return self.target()
        if name == "deadline":
            return self.deadline()
        if name == "prov":
            return self.prov["name"]
        if name == "prov_full":
            return self.prov_full
        if name == "year":
            return str(self.year)
        if name == "doc_word":
            return self.doc_word
        if name == "dept":
            return self.rng.choice(self.data.phrases["depts"])
        if name == "committee":
            return f"{self.prov['party_committee']} {self.prov['name']}"
        raise KeyError(name)

    def footnote(self) -> str:
        """A footnote holding one or two citations; returns the reference markup."""
        label = str(len(self.footnotes) + 1)
        parts = []
        for _ in range(self.rng.choice([1, 1, 2])):
            inst = self.rng.choice(self.pool)
            m = cite(self.rng, inst, first=True, in_footnote=True)
            self.cited.add(inst.symbol)
            self.mentions.append(m)
            parts.append(m.text)
        self.footnotes[label] = "; ".join(parts) + "."
        return f"[^{label}]"


def _provinces_for(data: Data, issue: dt.date) -> list[dict[str, str]]:
    era = "34" if issue >= dt.date(2025, 7, 1) else "63"
    return [p for p in data.provinces if p["era"] in (era, "both")]


def _person(rng: random.Random, data: Data) -> str:
    n = data.names
    return f"{rng.choice(n['family'])} {rng.choice(n['middle'])} {rng.choice(n['given'])}"


def make_plan(index: int, seed: int, data: Data) -> PlanDraft:
    """Plan ``index`` of the corpus ``seed``: a pure function of (seed, index, data)."""
    from corpus.build import HeaderSpec, Para, SignatureSpec

    rng = random.Random(f"plans-bench:{seed}:{index}")
    year = rng.choices([2021, 2022, 2023, 2024, 2025, 2026], weights=[1, 1, 2, 3, 4, 2])[0]
    issue = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 140)) if year < 2026 else dt.date(2025, 12, 1) + dt.timedelta(days=rng.randint(0, 80))
    year = issue.year if issue.month > 1 or year < 2026 else year
    prov = rng.choice(_provinces_for(data, issue))
    party = rng.random() < 0.2
    doc_word, code, dtype = rng.choice([("Kế hoạch", "KH", "KẾ HOẠCH"), ("Kế hoạch", "KH", "KẾ HOẠCH"), ("Chương trình", "CTr", "CHƯƠNG TRÌNH")])
    target_pages = rng.randint(8, 20)
    draft = rng.random() < 0.3

    countries = rng.sample(list(data.localities), k=min(len(data.localities), rng.randint(1, 3)))
    countries = sorted(set(countries) | {rng.choices(list(PARTNER_COUNTRIES), weights=list(PARTNER_COUNTRIES.values()))[0]} & set(data.localities))
    partners = [rng.choice(data.localities[c]) for c in countries for _ in range(rng.randint(1, 2))]
    n_inst = max(6, int(target_pages * rng.uniform(0.9, 1.8)))
    pool = [national_instrument(rng, data, issue) if rng.random() < 0.55 else local_instrument(rng, prov, issue) for _ in range(n_inst)]
    uniq: dict[str, Instrument] = {}
    for inst in pool:
        uniq.setdefault(inst.symbol, inst)
    ctx = _Ctx(rng, data, prov, year, issue, doc_word, list(uniq.values()), partners)
    P = data.phrases
    paras: list[Any] = []
    budget = target_pages * CHARS_PER_PAGE
    used = 0

    def add(text: str, kind: str = "body", level: int = 0) -> None:
        nonlocal used
        paras.append(Para(text, kind=kind, level=level))
        used += len(text) + 40

    # preamble
    for _ in range(rng.randint(1, 3)):
        add(ctx.fill(rng.choice(P["preamble"])))
    add(ctx.fill("Thực hiện chủ trương của Trung ương về công tác đối ngoại" + ctx.footnote() + ";"))
    add(ctx.fill(rng.choice(P["preamble_close_party" if party else "preamble_close"])))
    roman = iter(["I", "II", "III", "IV", "V", "VI"])
    add(f"{next(roman)}. MỤC ĐÍCH, YÊU CẦU", "heading", 1)
    add("1. Mục đích", "heading", 2)
    for t in rng.sample(P["purpose"], k=rng.randint(2, 4)):
        add(ctx.fill(t))
    add("2. Yêu cầu", "heading", 2)
    for t in rng.sample(P["requirement"], k=rng.randint(2, 4)):
        add(ctx.fill(t))
    add(f"{next(roman)}. {rng.choice(['NHIỆM VỤ, GIẢI PHÁP', 'NHIỆM VỤ TRỌNG TÂM', 'NỘI DUNG THỰC HIỆN'])}", "heading", 1)
    titles = rng.sample(P["task_titles"], k=len(P["task_titles"]))
    k = 0
    reserve = 2600
    while used < budget - reserve:
        k += 1
        add(f"{k}. {titles[(k - 1) % len(titles)]}", "heading", 2)
        for _ in range(rng.randint(1, 3)):
            body = " ".join(ctx.fill(rng.choice(P["task_body"])) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.12:
                body += ctx.footnote()
            add(body)
        if rng.random() < 0.5:
            for letter in "abc"[: rng.randint(1, 3)]:
                add(f"{letter}) {ctx.fill(rng.choice(P['task_body']))}", "body", 3)
                for _ in range(rng.randint(0, 3)):
                    add(f"- {ctx.fill(rng.choice(P['task_dash']))}", "body", 4)
        elif rng.random() < 0.5:
            for _ in range(rng.randint(2, 4)):
                add(f"- {ctx.fill(rng.choice(P['task_dash']))}", "body", 4)
    add(f"{next(roman)}. KINH PHÍ THỰC HIỆN", "heading", 1)
    for t in rng.sample(P["funding"], k=rng.randint(1, 3)):
        add(ctx.fill(t))
    add(f"{next(roman)}. TỔ CHỨC THỰC HIỆN", "heading", 1)
    for i, dept in enumerate(rng.sample(P["depts"], k=rng.randint(3, 6)), 1):
        add(f"{i}. {dept}", "heading", 2)
        add(ctx.fill(rng.choice(P["dept_duty"])))
    add(ctx.fill(rng.choice(P["closing_party" if party else "closing"])))

    # header and signature
    number_n = rng.randint(5, 9000) if not party else rng.randint(5, 400)
    if party:
        committee = prov["party_committee"]
        header = HeaderSpec(
            issuer=(f"ĐẢNG BỘ {prov['kind'].upper()} {prov['name'].upper()}", committee.upper(), "*"),
            number=f"Số {'   ' if draft else number_n}-{code}/TU",
            place_date=f"{prov['name']}, ngày {'   ' if draft else issue.day} tháng {'   ' if draft else issue.month} năm {year}",
            doc_type=dtype, title=(f"Thực hiện công tác đối ngoại năm {year}",), motto=("ĐẢNG CỘNG SẢN VIỆT NAM",))
        capacity = ("T/M BAN THƯỜNG VỤ", rng.choice(["BÍ THƯ", "PHÓ BÍ THƯ"]))
        issuer = f"{committee} {prov['name']}"
        symbol = f"{code}/TU"
    else:
        title = rng.choice([f"Triển khai công tác đối ngoại {ctx.prov_full} năm {year}",
                            f"Hoạt động đối ngoại năm {year}",
                            f"Thực hiện công tác đối ngoại và hội nhập quốc tế năm {year}"])
        header = HeaderSpec(
            issuer=("ỦY BAN NHÂN DÂN", f"{prov['kind'].upper()} {prov['name'].upper()}"),
            number=f"Số: {'   ' if draft else number_n}/{code}-UBND",
            place_date=f"{prov['name']}, ngày {'   ' if draft else issue.day} tháng {'   ' if draft else issue.month} năm {year}",
            doc_type=dtype, title=(title,))
        capacity = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH") if rng.random() < 0.5 else ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
        issuer = f"Ủy ban nhân dân {ctx.prov_full}"
        symbol = f"{code}-UBND"
    signer = _person(rng, data)
    sig = SignatureSpec(
        recipients=("- Bộ Ngoại giao (b/c);", f"- TT {prov['party_committee']}, TT HĐND {prov['kind']} (b/c);",
                    "- Các sở, ban, ngành;", "- Lưu: VT, NC."),
        capacity=capacity, signer=signer)

    by_symbol: dict[str, dict[str, Any]] = {}
    for m in ctx.mentions:
        e = by_symbol.setdefault(m.inst.symbol, {
            "symbol": m.inst.symbol, "type": m.inst.type_word, "cited_as": m.inst.cited_as, "date": m.inst.date.isoformat(),
            "issuer_named": m.inst.issuer_named, "scope": m.inst.scope, "system": m.inst.system, "mentions": 0})
        e["mentions"] += 1
    truth = {
        "generator": GEN_VERSION, "truth_version": TRUTH_VERSION, "seed": seed, "index": index, "province": prov["name"], "province_kind": prov["kind"],
        "doc_type": doc_word, "party": party, "issuer": issuer, "symbol": symbol,
        "number": None if draft else str(number_n), "year": year, "issue_date": None if draft else issue.isoformat(),
        "title": " ".join(header.title), "signer": signer, "target_pages": target_pages,
        "citations": [{"symbol": m.inst.symbol, "type": m.inst.type_word, "cited_as": m.inst.cited_as, "date_cited": m.date_cited,
                       "issuer_named": m.inst.issuer_named, "scope": m.inst.scope, "system": m.inst.system,
                       "in_footnote": m.in_footnote, "text": m.text} for m in ctx.mentions],
        "instruments": sorted(by_symbol.values(), key=lambda e: e["symbol"]),
        "localities": ctx.localities, "targets": ctx.targets, "deadlines": ctx.deadlines,
    }
    return PlanDraft(header, paras, ctx.footnotes, sig, truth)


# --------------------------------------------------------------------------- files


def pool_dir(seed: int, root: Path = WORK_DIR) -> Path:
    return root / f"pool-s{seed}"


def corpus_dir(n: int, seed: int, root: Path = WORK_DIR) -> Path:
    return root / f"corpus-n{n}-s{seed}"


def stem(index: int) -> str:
    return f"plan_{index:05d}"


def _truth_state(path: Path) -> str:
    """"ok", "stale" (same text, older truth format: rewrite the JSON only) or "missing" (regenerate)."""
    try:
        t = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "missing"
    if t.get("generator") != GEN_VERSION:
        return "missing"
    return "ok" if t.get("truth_version") == TRUTH_VERSION else "stale"


def write_truth(index: int, seed: int, data: Data, out: Path) -> None:
    p = make_plan(index, seed, data)
    tmp = out / f".{stem(index)}.truth.json.tmp"
    tmp.write_text(json.dumps(p.truth, ensure_ascii=False, indent=1), encoding="utf-8")
    dst = out / f"{stem(index)}.truth.json"
    # rewrite in place (same inode) so that the hard links in every corpus-n* folder see it
    dst.write_bytes(tmp.read_bytes()) if dst.exists() else tmp.rename(dst)
    tmp.unlink(missing_ok=True)


def write_docx(index: int, seed: int, data: Data, out: Path) -> Path:
    from corpus.build import build_docx

    p = make_plan(index, seed, data)
    docx = out / f"{stem(index)}.docx"
    build_docx(p.paragraphs, p.footnotes, p.header, docx, p.signature)
    (out / f"{stem(index)}.truth.json").write_text(json.dumps(p.truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return docx


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise FileNotFoundError("LibreOffice (soffice) not found on PATH")
    return exe


# fonts with Times New Roman's metrics: with any other, LibreOffice lays the plans out differently (session 9 on
# DejaVu Serif: 16 350 pages instead of ~14 000 at N=1000, the header's lines wrapped)
_TIMES_METRICS = ("times new roman", "liberation serif", "tinos", "nimbus roman", "times")


def font_warning(matched: str | None) -> str | None:
    """A warning when the font that replaces Times New Roman (``fc-match``'s answer) has other metrics."""
    if matched is None:  # no fontconfig to ask
        return None
    if matched.strip().lower().startswith(_TIMES_METRICS):
        return None
    return (f"warning: LibreOffice will render Times New Roman with {matched.strip() or 'an unknown font'}: pages and "
            "layout will differ from the reference corpus (Debian: apt-get install fonts-liberation2)")


def _times_font() -> str | None:
    exe = shutil.which("fc-match")
    if not exe:
        return None
    try:
        return subprocess.run([exe, "-f", "%{family}", "Times New Roman"], capture_output=True, text=True,
                              timeout=30).stdout.split(",")[0]
    except (OSError, subprocess.SubprocessError):
        return None


def render_many(docx_files: Sequence[Path], out_dir: Path, *, jobs: int = 2, chunk: int = 100,
                log=print) -> list[Path]:
    """Convert many DOCX to PDF with few ``soffice`` calls (``chunk`` files each, ``jobs`` at a time)."""
    from corpus.docx_writer import FIXED_DATE, pin_pdf_metadata

    exe = _soffice()
    if docx_files and (warning := font_warning(_times_font())):
        log(warning)
    groups = [list(docx_files[i : i + chunk]) for i in range(0, len(docx_files), chunk)]
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(FIXED_DATE.timestamp())), TZ="UTC")
    running: list[tuple[subprocess.Popen, tempfile.TemporaryDirectory, list[Path], float]] = []
    done: list[Path] = []

    def reap(block: bool) -> None:
        for item in list(running):
            proc, prof, group, t0 = item
            if block:
                proc.wait()
            elif proc.poll() is None:
                continue
            prof.cleanup()
            running.remove(item)
            for d in group:
                pdf = out_dir / (d.stem + ".pdf")
                if not pdf.exists():
                    raise RuntimeError(f"soffice did not produce {pdf} (exit {proc.returncode})")
                pin_pdf_metadata(pdf, FIXED_DATE)
                done.append(pdf)
            log(f"  rendered {len(group)} PDF in {time.perf_counter() - t0:.0f} s ({len(done)}/{len(docx_files)})")
            if block:
                return

    for group in groups:
        while len(running) >= max(1, jobs):
            reap(block=False)
            if len(running) >= max(1, jobs):
                time.sleep(0.5)
        prof = tempfile.TemporaryDirectory(prefix="lo_profile_")
        cmd = [exe, f"-env:UserInstallation=file://{prof.name}", "--headless", "--norestore",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir), *map(str, group)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        running.append((proc, prof, group, time.perf_counter()))
    while running:
        reap(block=True)
    return done


def ensure_pool(n: int, seed: int = 7, *, pdf: bool = True, jobs: int = 2, root: Path = WORK_DIR, log=print) -> Path:
    """Make sure plans 0..n-1 of ``seed`` exist in the pool (DOCX, truth and PDF); generate only what is missing."""
    pool = pool_dir(seed, root)
    pool.mkdir(parents=True, exist_ok=True)
    data = load_data()
    t0 = time.perf_counter()
    state = {i: _truth_state(pool / f"{stem(i)}.truth.json") for i in range(n)}
    todo_docx = [i for i in range(n) if state[i] == "missing" or not (pool / f"{stem(i)}.docx").exists()]
    stale = [i for i in range(n) if state[i] == "stale" and i not in set(todo_docx)]
    for i in stale:
        write_truth(i, seed, data, pool)
    if stale:
        log(f"rewrote {len(stale)} truth files (truth format {TRUTH_VERSION})")
    for j, i in enumerate(todo_docx):
        write_docx(i, seed, data, pool)
        (pool / f"{stem(i)}.pdf").unlink(missing_ok=True)  # a regenerated DOCX needs a new PDF
        if (j + 1) % 100 == 0:
            log(f"  wrote {j + 1}/{len(todo_docx)} DOCX")
    if todo_docx:
        log(f"wrote {len(todo_docx)} DOCX in {time.perf_counter() - t0:.1f} s")
    if pdf:
        missing = [pool / f"{stem(i)}.docx" for i in range(n) if not (pool / f"{stem(i)}.pdf").exists()]
        if missing:
            t1 = time.perf_counter()
            render_many(missing, pool, jobs=jobs, log=log)
            log(f"rendered {len(missing)} PDF in {time.perf_counter() - t1:.1f} s")
    return pool


def ensure_corpus(n: int, seed: int = 7, *, fmt: str = "pdf", jobs: int = 2, root: Path = WORK_DIR, log=print) -> Path:
    """The corpus of the first ``n`` plans (hard links to the pool): ``{fmt}`` files and their truth JSON."""
    pool = ensure_pool(n, seed, pdf=(fmt == "pdf"), jobs=jobs, root=root, log=log)
    out = corpus_dir(n, seed, root) if fmt == "pdf" else root / f"corpus-n{n}-s{seed}-{fmt}"
    out.mkdir(parents=True, exist_ok=True)
    want = {f"{stem(i)}.{ext}" for i in range(n) for ext in (fmt, "truth.json")}
    for f in out.iterdir():
        if f.name not in want:
            f.unlink()
    for name in sorted(want):
        dst = out / name
        src = pool / name
        if dst.exists() and os.path.samefile(src, dst):
            continue
        dst.unlink(missing_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    return out


def load_truth(corpus: Path) -> dict[str, dict[str, Any]]:
    """Ground truth by plan stem ("plan_00042")."""
    return {p.name[: -len(".truth.json")]: json.loads(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.truth.json"))}


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10, help="number of plans")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2, help="soffice processes at a time")
    ap.add_argument("--no-pdf", action="store_true", help="DOCX and truth only")
    args = ap.parse_args(list(argv) if argv is not None else None)
    t0 = time.perf_counter()
    out = ensure_corpus(args.n, args.seed, fmt="docx" if args.no_pdf else "pdf", jobs=args.jobs, log=lambda s: print(s, file=sys.stderr))
    print(f"{out} ({args.n} plans, {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
