"""Turn a plain-text Vietnamese plan (as extracted from a PDF) into a DOCX description.

The text is a sequence of paragraphs separated by blank lines.  PDF extraction leaves
artefacts that a real Word original does not have, and this module undoes them generically:

* footnote bodies appear as a separate paragraph starting with a superscript number
  ("¹ Kế hoạch số …") wherever the page broke; they become real footnotes and the marker
  "¹" in the body becomes a ``[^1]`` reference;
* a paragraph cut by a page break (ends without final punctuation, the next paragraph is a
  continuation: starts lower-case or with a digit, or the cut paragraph is long and the next
  one has no list label) is joined back — also across a footnote body that sat between the
  halves;
* the draft's header lines ("Số: /CTr-UBND", "Nghệ An, ngày tháng năm 2025") are taken out of
  the body into the header; "CHƯƠNG TRÌNH Hoạt động …" on one line is split into the
  document type and the title;
* the closing "Nơi nhận:" list, notes such as "(b/c)", the signing capacity lines and the
  signer become a :class:`SignatureSpec`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import regex

from corpus.docx_writer import HeaderSpec, Para, SignatureSpec

# document type (as printed, upper case) -> symbol abbreviation (ND 30/2020 Appendix III)
DOC_TYPES: dict[str, str] = {
    "CHƯƠNG TRÌNH": "CTr",
    "KẾ HOẠCH": "KH",
    "QUYẾT ĐỊNH": "QĐ",
    "BÁO CÁO": "BC",
    "ĐỀ ÁN": "ĐA",
    "HƯỚNG DẪN": "HD",
    "THÔNG BÁO": "TB",
    "CHỈ THỊ": "CT",
    "NGHỊ QUYẾT": "NQ",
    "TỜ TRÌNH": "TTr",
    "PHƯƠNG ÁN": "PA",
    "QUY CHẾ": "QC",
    "QUY ĐỊNH": "QyĐ",
}

BLANK = "    "  # the blank left for the number / day / month in a draft

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = {c: str(i) for i, c in enumerate(SUPERSCRIPT_DIGITS)}

_FOOTNOTE_BODY = regex.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})[ \t\u00a0]+(\S.*)$", regex.S)
_SUP_MARK = regex.compile(r"(?<=[^\s⁰¹²³⁴⁵⁶⁷⁸⁹])([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})")
_LABEL = regex.compile(
    r"^(?:(?P<roman>[IVXLC]{1,7})[.\-]\s|(?P<arabic>\d{1,2})[.\-]\s|(?P<letter>[a-zđ])\)\s"
    r"|(?P<dash>[-–−•])\s|(?P<plus>\+)\s)"
)
_NUMBER_LINE = regex.compile(r"^Số\s{0,6}:?\s{0,6}(?P<num>\d{0,6})\s{0,6}/\s{0,3}(?P<sym>\S{1,40})$")
_PLACE_DATE = regex.compile(r"^(?P<place>[^\n,]{2,40}),\s{0,4}ngày\b(?P<rest>.{0,60})$")
_BLANK_DATE = regex.compile(r"ngày\s{0,12}tháng\s{0,12}năm")
_PROVINCE = regex.compile(r"\b(?P<kind>tỉnh|thành phố)\s+(?P<name>\p{Lu}\p{Ll}{0,12}(?:[ \-]\p{Lu}\p{Ll}{0,12}){0,3})")
_YEAR = regex.compile(r"\bnăm\s{1,3}(?P<y>(?:19|20)\d\d)\b")
_FINAL_PUNCT = regex.compile(r"[.;:!?…]\s{0,2}$")
_EMPHASIS = regex.compile(r"\*{1,2}")
_CAPACITY_START = regex.compile(r"^(?:TM|KT|TL|TUQ|Q|T/M|K/T)\.?\s", regex.I)


@dataclass(frozen=True)
class PlanSpec:
    header: HeaderSpec
    paragraphs: tuple[Para, ...]
    footnotes: dict[str, str]
    signature: Optional[SignatureSpec]


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines; inner single newlines kept; empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = regex.split(r"\n[ \t]{0,40}\n", text)
    return [p.strip() for p in parts if p.strip()]


def _plain(s: str) -> str:
    return _EMPHASIS.sub("", s).strip()


def label_level(par: str) -> int:
    """1 = I., 2 = 1., 3 = a), 4 = -, 5 = +, 0 = no label."""
    m = _LABEL.match(_plain(par))
    if not m:
        return 0
    for lvl, name in enumerate(("roman", "arabic", "letter", "dash", "plus"), start=1):
        if m.group(name):
            return lvl
    return 0


def ends_final(par: str) -> bool:
    s = _plain(par).rstrip("”\"'’)]» ")
    return bool(_FINAL_PUNCT.search(s)) or s.endswith("./.")


def is_heading(par: str) -> bool:
    """A labelled (or short unlabelled) line without final punctuation."""
    plain = _plain(par)
    if "\n" in plain or ends_final(plain):
        return False
    lvl = label_level(plain)
    if lvl == 1:
        return True
    if lvl:
        return len(plain) <= 160
    return len(plain) <= 60 and plain[:1].isupper()


def _continues(prev: str, nxt: str) -> bool:
    """Is ``nxt`` the rest of ``prev`` cut by a page break?"""
    if ends_final(prev) or label_level(nxt) or label_level(prev) == 1:
        return False
    first = _plain(nxt)[:1]
    if not first:
        return False
    if first.islower() or first.isdigit():
        return True
    # an upper-case continuation (a proper noun) only after a long, clearly cut paragraph
    return len(_plain(prev)) >= 200 and not is_heading(prev)


def extract_footnotes(paragraphs: list[str]) -> tuple[list[str], dict[str, str]]:
    """Remove footnote-body paragraphs; return remaining paragraphs and {label: text}."""
    body: list[str] = []
    notes: dict[str, str] = {}
    for par in paragraphs:
        m = _FOOTNOTE_BODY.match(par)
        if m:
            label = "".join(_SUP_TO_DIGIT[c] for c in m.group(1))
            if label not in notes:
                notes[label] = " ".join(m.group(2).split())
                continue
        body.append(par)
    return body, notes


def join_broken(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for par in paragraphs:
        if out and _continues(out[-1], par):
            out[-1] = out[-1].rstrip() + " " + par.lstrip()
        else:
            out.append(par)
    return out


def mark_footnote_refs(par: str, labels: set[str]) -> str:
    def repl(m: "regex.Match[str]") -> str:
        label = "".join(_SUP_TO_DIGIT[c] for c in m.group(1))
        return f"[^{label}]" if label in labels else m.group(0)

    return _SUP_MARK.sub(repl, par)


def _split_doc_type(par: str) -> Optional[tuple[str, str]]:
    plain = _plain(par)
    for t in sorted(DOC_TYPES, key=len, reverse=True):
        if plain == t:
            return t, ""
        if plain.startswith(t + " ") and not plain[len(t) + 1 :].isupper():
            return t, plain[len(t) + 1 :].strip()
    return None


def _header(pre: list[str], doc_type: str, title: str) -> HeaderSpec:
    number = place_date = None
    for par in pre:
        line = " ".join(_plain(par).split())
        m = _NUMBER_LINE.match(line)
        if m:
            number = f"Số:{' ' + m.group('num') if m.group('num') else BLANK}/{m.group('sym')}"
            continue
        m = _PLACE_DATE.match(line)
        if m:
            place_date = _BLANK_DATE.sub(f"ngày{BLANK}tháng{BLANK}năm", line)
    prov = _PROVINCE.search(title)
    kind = prov.group("kind") if prov else "tỉnh"
    name = prov.group("name") if prov else ""
    year_m = _YEAR.search(title) or (_YEAR.search(place_date) if place_date else None)
    year = year_m.group("y") if year_m else ""
    issuer = ("ỦY BAN NHÂN DÂN", f"{kind.upper()} {name.upper()}".strip())
    if number is None:
        number = f"Số:{BLANK}/{DOC_TYPES[doc_type]}-UBND"
    if place_date is None:
        place_date = f"{name}, ngày{BLANK}tháng{BLANK}năm {year}".strip()
    return HeaderSpec(issuer=issuer, number=number, place_date=place_date, doc_type=doc_type, title=(title,))


def _signature(tail: list[str]) -> Optional[SignatureSpec]:
    lines = [ln.strip() for par in tail for ln in par.split("\n") if ln.strip()]
    if not lines:
        return None
    heading = "Nơi nhận:"
    if _plain(lines[0]).lower().startswith("nơi nhận"):
        heading = _plain(lines[0])
        lines = lines[1:]
    recipients: list[str] = []
    notes: list[str] = []
    capacity: list[str] = []
    rest: list[str] = []
    for ln in lines:
        plain = _plain(ln)
        if capacity or rest:
            if plain.isupper() and not rest:
                capacity.append(plain)
            else:
                rest.append(plain)
        elif plain[:1] in "-–+•":
            recipients.append(plain)
        elif plain.startswith("("):
            notes.append(plain)
        elif plain.isupper() or _CAPACITY_START.match(plain):
            capacity.append(plain)
        else:
            rest.append(plain)
    signer = rest[-1] if rest else ""
    return SignatureSpec(
        recipients=tuple(recipients), capacity=tuple(capacity), signer=signer,
        recipients_heading=heading, notes=tuple(notes),
    )


def classify(par: str) -> Para:
    lvl = label_level(par)
    if is_heading(par):
        return Para(text=par, kind="heading", level=lvl)
    return Para(text=par, kind="body", level=lvl)


def parse_plan_text(text: str) -> PlanSpec:
    """Parse a plan's plain text into header, body paragraphs, footnotes and signature."""
    paras = split_paragraphs(text)
    type_idx = None
    doc_type = title = ""
    for i, par in enumerate(paras[:12]):
        found = _split_doc_type(par)
        if found:
            type_idx = i
            doc_type, title = found
            break
    if type_idx is None:
        raise ValueError("no document type line (KẾ HOẠCH, CHƯƠNG TRÌNH, ...) near the top")
    pre = paras[:type_idx]
    body_start = type_idx + 1
    if not title:
        title = " ".join(_plain(paras[body_start]).split())
        body_start += 1
    header = _header(pre, doc_type, title)

    end = len(paras)
    for i in range(body_start, len(paras)):
        if _plain(paras[i]).lower().startswith("nơi nhận"):
            end = i
            break
    else:  # no recipients list: trailing signing block, if any
        for i in range(body_start, len(paras)):
            if _CAPACITY_START.match(_plain(paras[i])) and _plain(paras[i]).split("\n")[0].isupper():
                end = i
                break
    body, notes = extract_footnotes(paras[body_start:end])
    body = join_broken(body)
    labels = set(notes)
    body = [mark_footnote_refs(p, labels) for p in body]
    signature = _signature(paras[end:])
    return PlanSpec(header=header, paragraphs=tuple(classify(p) for p in body), footnotes=notes,
                    signature=signature)
