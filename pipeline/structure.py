"""Document structure: header metadata, section tree, signature, recipients, appendices.

``parse_structure(doc)`` fills ``doc.header``, ``doc.sections``,
``doc.signature``, ``doc.recipients`` and ``doc.appendices`` in place, and
re-labels header/signature/recipient blocks.  It works on the normalized text
and blocks, whatever the reader: the header may be a two-column table (DOCX,
PDF columns), plain lines, or missing (then issuer and province come from the
signature, the title and the preamble).
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

from dataclasses import dataclass
from typing import Optional

import regex

from pipeline.document import Document, Header, Section, Signature
from pipeline.normalize import match_key, fold_tones

# Document type words as printed on the type line (upper case), longest first.
DOC_TYPES = [
    "Chương trình hành động", "Chương trình", "Kế hoạch", "Quyết định", "Báo cáo", "Tờ trình",
    "Thông báo", "Nghị quyết", "Chỉ thị", "Đề án", "Dự án", "Phương án", "Hướng dẫn", "Quy chế",
    "Quy định", "Kết luận", "Công điện", "Biên bản", "Thông cáo", "Thông tư liên tịch", "Thông tư",
    "Nghị định", "Luật", "Pháp lệnh", "Công văn", "Giấy mời", "Bản ghi nhớ",
]
_TYPE_RE = regex.compile(
    r"^(" + "|".join(regex.escape(t.upper()) for t in sorted(DOC_TYPES, key=len, reverse=True)) + r")(?=\s|$|:)"
)
_MOTTO_RE = regex.compile(r"^(?:CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM|ĐẢNG CỘNG SẢN VIỆT NAM|Độc lập\s*-\s*Tự do\s*-\s*Hạnh phúc)", regex.IGNORECASE)
_RULE_RE = regex.compile(r"^[\s\-_*=~.•]{0,40}$")
_NUMBER_RE = regex.compile(
    r"^Số\s{0,3}:?\s{0,6}(?P<num>\d{1,6}[a-zA-Z]?)?\s{0,6}(?P<sep>[/\-])\s{0,3}(?P<sym>[\p{Lu}Đ][\p{L}\d&]{0,12}(?:\s{0,2}[\-/]\s{0,2}[\p{L}\d&]{1,12}){0,4})"
)
_DATE_LINE_RE = regex.compile(
    r"^(?:(?P<place>[^\n,]{2,40}?)\s{0,3},\s{0,3})?ngày\s{0,12}(?P<d>\d{1,2})?\s{0,12}tháng\s{0,12}(?P<m>\d{1,2})?\s{0,12}năm\s{0,6}(?P<y>\d{4})",
    regex.IGNORECASE,
)
_ADMIN_UNIT = r"(?:(?:[tT]ỉnh|TỈNH|[tT]hành|THÀNH)\s(?:ủy|uỷ|ỦY|UỶ)|tỉnh|thành phố|TỈNH|THÀNH PHỐ|Tỉnh|Thành phố)"  # "Tỉnh ủy X" too
_PLACE_NAME = r"(\p{Lu}[\p{Ll}\p{M}]{0,10}(?:\s{1,2}(?:-\s{1,2})?\p{Lu}[\p{Ll}\p{M}]{0,10}){0,4})"
_PROVINCE_RE = regex.compile(_ADMIN_UNIT + r"\s{1,2}" + _PLACE_NAME)
_ISSUER_START_RE = regex.compile(
    r"^(?:ỦY BAN|UỶ BAN|UBND|HỘI ĐỒNG|HĐND|TỈNH ỦY|TỈNH UỶ|THÀNH ỦY|THÀNH UỶ|BAN |SỞ |BỘ |CỤC |VĂN PHÒNG|ĐẢNG|CHÍNH PHỦ|THỦ TƯỚNG|QUỐC HỘI|BCH|BAN CHẤP HÀNH|ĐOÀN|MẶT TRẬN|HUYỆN|XÃ |PHƯỜNG|THỊ XÃ|TRƯỜNG|CÔNG AN|BỘ CHỈ HUY)"
)
_ADMIN_LINE_RE = regex.compile(r"^(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG)\s")
# A Party committee: "TỈNH ỦY", "THÀNH ỦY ĐÀ NẴNG", "BAN THƯỜNG VỤ TỈNH ỦY", "ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH".
_COMMITTEE_LINE_RE = regex.compile(r"^(?:BAN THƯỜNG VỤ\s+|BAN CHẤP HÀNH\s+)?(?:TỈNH|THÀNH|HUYỆN|QUẬN|THỊ|ĐẢNG)\s+(?:ỦY|UỶ)\b")
# The Đảng bộ above a Party committee, naming its place: "ĐẢNG BỘ TỈNH QUẢNG NINH".
_PARENT_PLACE_RE = regex.compile(
    r"^ĐẢNG BỘ\s+(?P<unit>TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ)\s+(?P<place>\p{Lu}.*)$"
)
# A body line that already names its place, or that ends with its unit word ("… ỦY BAN NHÂN DÂN TỈNH").
_HAS_PLACE_RE = regex.compile(
    r"(?:\b(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG)\s+(?!ỦY|UỶ)\p{Lu})|(?:(?:TỈNH|THÀNH|HUYỆN|QUẬN|THỊ|ĐẢNG)\s+(?:ỦY|UỶ)\s+(?!ỦY|UỶ|BAN|KHỐI)\p{Lu})"
)
_ENDS_WITH_UNIT_RE = regex.compile(r"\b(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ)$")
_CAPACITY_RE = regex.compile(r"^(?:TM|KT|Q|TL|TUQ|T/M|K/T|T\.M|K\.T)\s{0,2}[.:]?\s{0,3}(?=\p{Lu})")
_BODY_CUE_RE = regex.compile(r"^(?:Căn cứ|Thực hiện|Để |Theo |Xét |Trên cơ sở|Triển khai|Nhằm|Năm 20\d\d,|Thời gian qua)")
_BULLETS = ("-", "+", "•")  # a list item of the recipients
_RECIPIENTS_RE = regex.compile(r"^Nơi\s{0,2}nhận\s{0,2}:?", regex.IGNORECASE)
_SECTION_LABELS = [
    (1, regex.compile(r"^(?P<label>(?=[IVXLC])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\s{0,2}[.\-–]\s{0,3}(?=\S)")),
    (2, regex.compile(r"^(?P<label>\d{1,2})\s{0,2}[.)]\s{0,3}(?=\S)(?!\d)")),
    (3, regex.compile(r"^(?P<label>[a-zđ])\s{0,2}\)\s{0,3}(?=\S)")),
    (4, regex.compile(r"^(?P<label>[\-–])\s{1,3}(?=\S)")),
    (5, regex.compile(r"^(?P<label>\+)\s{1,3}(?=\S)")),
]
# The ASCII characters a _SECTION_LABELS pattern can start with (I V X L C; digits; a-z; "-"; "+").  A line
# opening with any other ASCII character matches none of them; non-ASCII ones (đ, "–", other digits) are tried.
_SECTION_ASCII_STARTS = frozenset("IVXLC0123456789abcdefghijklmnopqrstuvwxyz-+")
# The one pattern an ASCII first character can start (the sets above are disjoint), so a block opening with
# one tries a single pattern; a non-ASCII one tries them all, in order.
_SECTION_BY_ASCII_START = {
    c: [(level, rx)]
    for level, rx in _SECTION_LABELS
    for c in {1: "IVXLC", 2: "0123456789", 3: "abcdefghijklmnopqrstuvwxyz", 4: "-", 5: "+"}[level]
}
_APPENDIX_HEAD_RE = regex.compile(r"^(?:PHỤ LỤC|Phụ lục)\s{1,3}(?:SỐ\s{1,2}|số\s{1,2})?(?P<label>[0-9]{1,3}|[IVXLC]{1,6}|[A-Z])\b")
_APPENDIX_REF_RE = regex.compile(r"\b(?:các\s{1,2})?Phụ lục\s{1,3}(?P<labels>(?:[0-9]{1,3}|[IVXLC]{1,6})(?:\s{0,2}(?:,|và|-)\s{0,2}(?:[0-9]{1,3}|[IVXLC]{1,6})){0,10})\b")
_KEEP_UPPER = {"UBND", "HĐND", "MTTQ", "ASEAN", "ODA", "NGO", "FDI", "TP", "TW", "CHDCND", "CHND", "XHCN", "VN", "BCH", "ĐBQH", "QH"}
_PROPER = ("Việt Nam", "Lào", "Campuchia", "Trung Quốc", "Hàn Quốc", "Nhật Bản", "Thái Lan", "Liên bang Nga", "Hoa Kỳ",
           "Đảng", "Nhà nước", "Chính phủ", "Quốc hội", "Bộ Chính trị", "Ban Bí thư", "Trung ương", "Mặt trận Tổ quốc")
_PROPER_RE = regex.compile(r"(?<!\w)(" + "|".join(regex.escape(p) for p in _PROPER) + r")(?!\w)", regex.IGNORECASE)
_PROPER_MAP = {p.casefold(): p for p in _PROPER}
_POSITION_RE = regex.compile(r"CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG|BÍ THƯ|THỦ TƯỚNG|CHÁNH|PHÓ|ỦY VIÊN|UỶ VIÊN|TỔNG|VIỆN|CỤC|THƯ KÝ|QUYỀN|ĐẠI DIỆN|THAY MẶT")
_CAP_AFTER = {"sở", "bộ", "ban", "cục", "vụ", "phó", "tổng", "văn", "mặt"}
# patterns used inside functions, compiled once (regex.search(str, ...) looks its pattern up on every call)
_SENTENCE_END_RE = regex.compile(r"[.:;](?=\s|$)")
_SPACES_RE = regex.compile(r"\s+")
_SECTION_START_RE = regex.compile(r"^(?:[IVXLC]{1,6}|\d{1,2})\.\s")
_PAREN_LINE_RE = regex.compile(r"^\([^)]{1,20}\)$")
_TRAILING_PUNCT_RE = regex.compile(r"[\s;.,]+$")
_SIGNED_RE = regex.compile(r"(?i)\b(?:đã ký|ký|signed|sign)\b|^\[|^\(")
_CAPACITY_PARTS_RE = regex.compile(r"^(TM|KT|Q|TL|TUQ|T/M|K/T|T\.M|K\.T)\s{0,2}[.:]?\s{0,3}(.*)$")
_LABEL_LIST_SEP_RE = regex.compile(r"\s{0,2}(?:,|và|-)\s{0,2}")
_TM_BODY_RE = regex.compile(r"^TM\. (.+?)(?:,|$)")
_COUNCIL_RE = regex.compile(r"(?i)^(?:ủy ban nhân dân|hội đồng nhân dân)$")


@dataclass
class _Line:
    text: str
    start: int
    block: int


def _lines(doc: Document, upto: int) -> list[_Line]:
    out: list[_Line] = []
    for bi, b in enumerate(doc.blocks):
        if b.char_start >= upto or b.kind == "footnote":
            break
        pos = b.char_start
        for part in doc.text[b.char_start : b.char_end].split("\n"):
            stripped = part.strip()
            if stripped:
                out.append(_Line(stripped, pos + (len(part) - len(part.lstrip())), bi))
            pos += len(part) + 1
    return out


def _is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if c.isupper()) >= 0.8 * len(letters)


def title_case_name(s: str) -> str:
    """'LÊ VĂN DŨNG' -> 'Lê Văn Dũng'; 'QUẢNG NAM' -> 'Quảng Nam'."""
    return " ".join(w[:1].upper() + w[1:].lower() if w.isalpha() or "-" not in w else w for w in s.split())


_UNIT_WORDS = {"tỉnh", "thành", "huyện", "quận", "thị", "xã", "phường"}  # an administrative unit opens ("tỉnh X")
_COMMITTEE_HEADS = {"tỉnh", "thành", "huyện", "quận", "thị", "đảng"}  # "Tỉnh ủy", "Thành ủy", "Đảng ủy" + "ủy"
_BODY_HEADS = {"ủy", "uỷ", "sở", "ban", "bộ", "cục", "hội", "văn", "cơ", "khối", "đoàn"}  # a body's name opens


def org_case(s: str) -> str:
    """Vietnamese name-of-body case: 'ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM' -> 'Ủy ban nhân dân tỉnh Quảng Nam',
    'SỞ NGOẠI VỤ TỈNH ĐỒNG NAI' -> 'Sở Ngoại vụ tỉnh Đồng Nai', 'PHÓ CHỦ TỊCH' -> 'Phó Chủ tịch',
    'BAN THƯỜNG VỤ TỈNH ỦY' -> 'Ban Thường vụ Tỉnh ủy', 'TỈNH ỦY QUẢNG NINH' -> 'Tỉnh ủy Quảng Ninh',
    'ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH' -> 'Đảng ủy Ủy ban nhân dân tỉnh', 'ĐẢNG BỘ TỈNH X' -> 'Đảng bộ tỉnh X'."""
    words = s.split()
    lws = [w.lower() for w in words]
    out: list[str] = []
    place = False
    for i, (w, lw) in enumerate(zip(words, lws)):
        nxt = lws[i + 1] if i + 1 < len(words) else ""
        if w in _KEEP_UPPER or any(ch.isdigit() for ch in w) or "/" in w:
            out.append(w)
            continue
        committee = lw in _COMMITTEE_HEADS and nxt in ("ủy", "uỷ")
        after_committee = lw in ("ủy", "uỷ") and i > 0 and lws[i - 1] in _COMMITTEE_HEADS
        if place:
            out.append(lw[:1].upper() + lw[1:])
        elif committee and lw != "đảng":
            out.append(lw[:1].upper() + lw[1:])  # "Tỉnh ủy", "Thành ủy", "Huyện ủy"
        elif i == 0:
            out.append(lw[:1].upper() + lw[1:])
        elif after_committee:
            out.append(lw)
        elif lw in _UNIT_WORDS:
            out.append(lw)  # "tỉnh Đồng Nai", "Sở Ngoại vụ tỉnh", "thành phố"
        elif i >= 2 and lws[i - 1] in ("ủy", "uỷ") and lws[i - 2] in _COMMITTEE_HEADS and lw in _BODY_HEADS:
            out.append(lw[:1].upper() + lw[1:])  # "Đảng ủy Ủy ban nhân dân", "Đảng ủy Khối"
        elif out and out[-1].lower() in _CAP_AFTER and not (out[-1].lower() == "ban" and lw in ("nhân", "chỉ", "chấp")):
            out.append(lw[:1].upper() + lw[1:])
        else:
            out.append(lw)
        if lw in ("tỉnh", "phố", "huyện", "quận", "xã", "phường") and nxt and nxt not in ("ủy", "uỷ"):
            place = True
        elif after_committee and nxt and nxt not in _BODY_HEADS:
            place = True  # "Tỉnh ủy Quảng Ninh"
    res = " ".join(out)
    res = _PROPER_RE.sub(lambda m: m.group(1)[:1] + _PROPER_MAP[m.group(1).casefold()][1:] if i_first(m) else _PROPER_MAP[m.group(1).casefold()], res)
    return fold_tones(res)


def i_first(m: "regex.Match") -> bool:
    return m.start() == 0


def sentence_case(s: str) -> str:
    """Upper-case title -> sentence case, keeping symbols/abbreviations and place names capitalized."""
    if not _is_upper(s):
        return s
    return org_case(s)


@functools.lru_cache(maxsize=1)
def _vietnamese_provinces() -> frozenset[str]:
    """match_keys of Vietnamese provinces and centrally-run cities (current, pre-2025 and former names)."""
    path = Path(__file__).resolve().parents[1] / "extractors" / "data" / "domestic.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return frozenset(
            match_key(r["name"]) for r in csv.DictReader(fh) if r["kind"] in {"province", "city", "former province"}
        )


def _province_from(text: str) -> Optional[str]:
    """The first "tỉnh X" / "thành phố X" naming a Vietnamese province (a foreign "tỉnh Sê Kông" is skipped)."""
    known = _vietnamese_provinces()
    for m in _PROVINCE_RE.finditer(text):
        name = m.group(1)
        if _is_upper(name) and len(name) > 3:
            name = title_case_name(name)
        if name.split()[0].lower() in ("ủy", "uỷ"):
            continue
        words = name.split()
        # the place name may run on ("tỉnh Quảng Nam năm 2025"): take the longest known prefix
        for k in range(min(len(words), 4), 0, -1):
            cand = " ".join(words[:k])
            if match_key(cand) in known:
                return fold_tones(cand)
    return None


def _iso(y: str, m: Optional[str], d: Optional[str]) -> str:
    if m and d:
        return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
    if m:
        return f"{int(y):04d}-{int(m):02d}"
    return f"{int(y):04d}"


def _first_sentence(s: str, limit: int = 200) -> str:
    s = s.strip()
    m = _SENTENCE_END_RE.search(s[: limit + 1])
    if m and m.start() > 0:
        return s[: m.start()].strip()
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", 0, limit)
    return s[: cut if cut > 0 else limit].rstrip(" ,")


# ---------------------------------------------------------------------------- header
# Where the header's right column starts when OCR or a text export put both columns on one line:
# "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỈNH QUẢNG NAM Độc lập - Tự do - Hạnh phúc",
# "Số: 45/KH-UBND Lào Cai, ngày 20 tháng 02 năm 2025".
_RIGHT_COLUMN_RE = regex.compile(
    r"(?<=\S)\s+(?=CỘNG H[ÒO]A XÃ HỘI CHỦ NGHĨA VIỆT NAM|ĐẢNG CỘNG SẢN VIỆT NAM|Độc lập\s{0,2}-\s{0,2}Tự do)"
)
_NUMBER_THEN_DATE_RE = regex.compile(r"^Số\b.{1,40}?\S(\s+)\p{Lu}[^\n,]{1,40},\s{0,3}ngày\b")


def _split_columns(lines: list[_Line]) -> list[_Line]:
    """Header lines with a spliced right column cut in two (each part keeps its offset and block)."""
    out: list[_Line] = []
    for ln in lines:
        cuts = [m.end() for m in _RIGHT_COLUMN_RE.finditer(ln.text)]
        m = _NUMBER_THEN_DATE_RE.match(ln.text)
        if m is not None:
            cuts.append(m.end(1))
        if not cuts:
            out.append(ln)
            continue
        prev = 0
        for c in [*cuts, len(ln.text)]:
            seg = ln.text[prev:c]
            if seg.strip():
                out.append(_Line(seg.strip(), ln.start + prev + len(seg) - len(seg.lstrip()), ln.block))
            prev = c
    return out


def _issuer_and_parent(lines: list[str]) -> tuple[str, list[str]]:
    """The issuing body and the lines above it, from the upper-case lines of the header's left column.

    * "ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG NAM" → one body over two lines;
    * "ĐẢNG BỘ TỈNH QUẢNG NINH" / "TỈNH ỦY" → "TỈNH ỦY QUẢNG NINH" (a Party committee takes the place of the
      Đảng bộ above it; "ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH" likewise takes "AN GIANG");
    * "UBND TỈNH ĐỒNG NAI" / "SỞ NGOẠI VỤ" → "SỞ NGOẠI VỤ", as the header names it (the UBND is its parent body).
    """
    if len(lines) >= 2 and len(lines[-1].split()) <= 2 and not any(
            r.match(lines[-1]) for r in (_ISSUER_START_RE, _ADMIN_LINE_RE, _COMMITTEE_LINE_RE)):
        lines = [*lines[:-2], f"{lines[-2]} {lines[-1]}"]  # a wrapped name: "THÀNH PHỐ HỒ CHÍ" / "MINH"
    last = lines[-1]
    if _COMMITTEE_LINE_RE.match(last):
        issuer, parent = last, lines[:-1]
    elif len(lines) >= 2 and _ADMIN_LINE_RE.match(last):
        issuer, parent = lines[-2] + " " + last, lines[:-2]
    else:
        issuer, parent = last, lines[:-1]
    if parent and not _HAS_PLACE_RE.search(issuer):
        # the Đảng bộ line may wrap ("ĐẢNG BỘ TỈNH THÁI" / "NGUYÊN"): read it from its first line on
        k = max((i for i, ln in enumerate(parent) if ln.startswith("ĐẢNG BỘ")), default=len(parent) - 1)
        m = _PARENT_PLACE_RE.match(" ".join(parent[k:]))
        if m is not None:
            if _ENDS_WITH_UNIT_RE.search(issuer) or _COMMITTEE_LINE_RE.match(issuer):
                issuer = f"{issuer} {m.group('place')}"  # "TỈNH ỦY" + "QUẢNG NINH"
    return issuer, parent


def _parse_header(doc: Document, lines: list[_Line]) -> tuple[Header, int, set[int]]:
    """Return (header, body start offset, header block indices)."""
    h = Header()
    header_blocks: set[int] = set()
    type_idx = None
    for i, ln in enumerate(lines[:40]):
        if _TYPE_RE.match(ln.text) and (len(ln.text) < 40 or _is_upper(ln.text.split(" ", 3)[0])):
            if _DATE_LINE_RE.match(ln.text) or _NUMBER_RE.match(ln.text):
                continue
            type_idx = i
            break
    scan_to = type_idx if type_idx is not None else min(len(lines), 12)
    num_idx = None
    issuer_lines: list[str] = []
    for i, ln in enumerate(_split_columns(lines[:scan_to])):
        t = ln.text
        m = _NUMBER_RE.match(t)
        if m and num_idx is None:
            num_idx = i
            h.number = m.group("num") or None
            h.symbol = _SPACES_RE.sub("", m.group("sym"))
            header_blocks.add(ln.block)
            continue
        m = _DATE_LINE_RE.match(t)
        if m and h.issue_date is None:
            h.issue_date = _iso(m.group("y"), m.group("m"), m.group("d"))
            if m.group("place"):
                h.place = fold_tones(m.group("place").strip())
            header_blocks.add(ln.block)
            continue
        if _MOTTO_RE.match(t) or _RULE_RE.match(t):
            header_blocks.add(ln.block)
            continue
        if _is_upper(t) and num_idx is None and len(t) < 80:
            issuer_lines.append(t)
            header_blocks.add(ln.block)
    if issuer_lines:
        issuer, parent = _issuer_and_parent(issuer_lines)
        h.issuer = org_case(issuer)
        if parent:
            h.parent_body = " ".join(parent)
    body_start = 0
    if type_idx is not None:
        tl = lines[type_idx]
        m = _TYPE_RE.match(tl.text)
        assert m is not None
        h.doc_type = m.group(1)[:1] + m.group(1)[1:].lower()
        rest = tl.text[m.end() :].strip(" :")
        header_blocks.add(tl.block)
        title_parts: list[str] = []
        nxt = type_idx + 1
        if rest:
            title_parts.append(rest)
        else:
            # title = following line(s) of the next block(s), until body cues
            while nxt < len(lines):
                ln = lines[nxt]
                t = ln.text
                if (title_parts and _BODY_CUE_RE.match(t)) or _SECTION_LABELS[0][1].match(t) or len(t) > 300 or t.startswith("("):
                    break
                if title_parts and ln.block != lines[nxt - 1].block and not (t[:1].islower() or _is_upper(t) and _is_upper(title_parts[-1])):
                    break
                title_parts.append(t)
                header_blocks.add(ln.block)
                nxt += 1
                if len(" ".join(title_parts)) > 250:
                    break
        title = " ".join(title_parts).strip()
        if title:
            h.title = sentence_case(title) if _is_upper(title) else title
        body_start = lines[nxt].start if nxt < len(lines) else doc.body_end
        if rest and nxt < len(lines):
            body_start = lines[nxt].start
    h.province = None
    return h, body_start, header_blocks


# ---------------------------------------------------------------------------- signature
def _parse_tail(doc: Document, lines: list[_Line], body_start: int) -> tuple[Signature, list[str], int, set[int], set[int]]:
    """Signature + recipients from the end of the body. Returns (signature, recipients, tail start, sig blocks, rec blocks)."""
    sig = Signature()
    recipients: list[str] = []
    sig_blocks: set[int] = set()
    rec_blocks: set[int] = set()
    tail_start = doc.body_end
    n = len(lines)
    # tail region: after the last long paragraph
    k = n
    while k > 0 and lines[k - 1].start >= body_start:
        t = lines[k - 1].text
        if len(t) > 160 or t.endswith("./.") or _SECTION_START_RE.match(t):
            break
        k -= 1
    tail = lines[k:]
    rec_idx: set[int] = set()  # lines of the recipients' list (the signature column may be read between them)
    # recipients
    rec_i = next((i for i, ln in enumerate(tail) if _RECIPIENTS_RE.match(ln.text)), None)
    cap_i = next((i for i, ln in enumerate(tail) if _CAPACITY_RE.match(ln.text)), None)
    if rec_i is not None:
        rec_blocks.add(tail[rec_i].block)
        first = _RECIPIENTS_RE.sub("", tail[rec_i].text).strip()
        items: list[str] = [first] if first else []
        j = rec_i + 1
        while j < len(tail):
            t = tail[j].text
            if _CAPACITY_RE.match(t) or (cap_i is not None and j >= cap_i and tail[j].block == tail[cap_i].block):
                if j + 1 < len(tail) and tail[j + 1].text.startswith(_BULLETS) and tail[j + 1].block != tail[j].block:
                    j += 1  # the signature column read between "Nơi nhận:" and its list ("T/M BAN THƯỜNG VỤ")
                    continue
                break
            if t.startswith(_BULLETS):
                items.append(t.lstrip("-+• ").strip())
                rec_blocks.add(tail[j].block)
                rec_idx.add(j)
            elif _PAREN_LINE_RE.match(t):
                if items:
                    items[-1] = items[-1].rstrip(" ;.,") + " " + t
                rec_blocks.add(tail[j].block)
            elif items and tail[j].block == tail[j - 1].block and tail[j].block in rec_blocks and len(t) <= 40:
                items[-1] = items[-1] + " " + t
            elif items and tail[j].block == tail[j - 1].block and tail[j].block in rec_blocks and not _is_upper(t):
                items[-1] = items[-1] + " " + t
            else:
                if _is_upper(t) or (j + 1 < len(tail) and _CAPACITY_RE.match(tail[j + 1].text)):
                    break
                items.append(t)
                rec_blocks.add(tail[j].block)
            j += 1
        # the list's last items read after the signature column's lines ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
        # then "- Lưu: VT, NC."): still recipients, never the signer
        for jj in range(j, len(tail)):
            if jj not in rec_idx and tail[jj].text.startswith(_BULLETS) and items:
                items.append(tail[jj].text.lstrip("-+• ").strip())
                rec_idx.add(jj)
        recipients = [_TRAILING_PUNCT_RE.sub("", x).strip() for x in items if x.strip(" ;.,")]
        tail_start = min(tail_start, tail[rec_i].start)
    if cap_i is not None:
        caps: list[str] = []
        j = cap_i
        while j < len(tail) and _CAPACITY_RE.match(tail[j].text):
            caps.append(tail[j].text)
            sig_blocks.add(tail[j].block)
            j += 1
        title = None
        name = None
        while j < len(tail) and j in rec_idx:
            j += 1  # the recipients' list read after the capacity: title and name come after it
        while j < len(tail):
            t = tail[j].text
            if _is_upper(t) and not _RECIPIENTS_RE.match(t) and not t.startswith("-"):
                if not _POSITION_RE.search(t) and 2 <= len(t.split()) <= 5 and (title is not None or len(caps) > 0) and tail[j].block != tail[cap_i].block:
                    name = title_case_name(t)  # "NGUYỄN VĂN THỌ" below the title
                    sig_blocks.add(tail[j].block)
                    j = len(tail)
                    break
                title = t
                sig_blocks.add(tail[j].block)
                j += 1
                continue
            break
        while j < len(tail):
            t = tail[j].text
            if j in rec_idx or (tail[j].block in rec_blocks and tail[j].block not in sig_blocks):
                j += 1
                continue
            if _SIGNED_RE.search(t) or _RULE_RE.match(t):
                j += 1
                continue
            words = t.split()
            if name is None and 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words if w.isalpha()):
                name = title_case_name(t) if _is_upper(t) else t
                sig_blocks.add(tail[j].block)
            break
        cap_parts = []
        for c in caps:
            m = _CAPACITY_PARTS_RE.match(c)
            if m:
                pref = m.group(1).replace("/", "").replace(".", "")
                cap_parts.append(f"{pref}. {org_case(m.group(2))}")
        # "KT. CHỦ TỊCH" with no separate title line: the capacity's last part is the title
        if title is None and cap_parts:
            title = caps[-1]
        sig.capacity = ", ".join(cap_parts) or None
        sig.title = org_case(title) if title else None
        sig.signer = name
        tail_start = min(tail_start, tail[cap_i].start)
    elif tail:
        # signature without capacity prefix: UPPER title line followed by a name
        for i in range(len(tail) - 1, 0, -1):
            t = tail[i].text
            words = t.split()
            if 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words) and not _POSITION_RE.search(t) and _is_upper(tail[i - 1].text) and _POSITION_RE.search(tail[i - 1].text) and tail[i - 1].block not in rec_blocks:
                sig.signer = title_case_name(t) if _is_upper(t) else t
                sig.title = org_case(tail[i - 1].text)
                sig_blocks.update({tail[i].block, tail[i - 1].block})
                tail_start = min(tail_start, tail[i - 1].start)
                break
    return sig, recipients, tail_start, sig_blocks, rec_blocks


# ---------------------------------------------------------------------------- sections
def _parse_sections(doc: Document, body_start: int, body_stop: int) -> list[Section]:
    sections: list[Section] = []
    stack: list[Section] = []
    counters: dict[tuple[Optional[str], str], int] = {}
    for b in doc.blocks:
        if b.kind == "footnote" or b.char_start < body_start or b.char_start >= body_stop:
            continue
        c0 = doc.text[b.char_start] if b.char_end > b.char_start else ""  # ("\n": an empty first line)
        if not c0 or (c0.isascii() and c0 not in _SECTION_ASCII_STARTS):
            continue  # no label can match: tested on the first character, before copying the first line
        nl = doc.text.find("\n", b.char_start, b.char_end)  # the block's first line (the block may be long)
        first = doc.text[b.char_start : nl if nl >= 0 else b.char_end]
        for level, rx in _SECTION_BY_ASCII_START.get(first[0], _SECTION_LABELS):
            m = rx.match(first)
            if not m:
                continue
            label = m.group("label")
            if level == 4:
                label = "-"
            while stack and stack[-1].level >= level:
                stack.pop()
            parent = stack[-1] if stack else None
            if level >= 4:
                key = (parent.id if parent else None, label)
                counters[key] = counters.get(key, 0) + 1
                own = f"{label}{counters[key]}"
            else:
                own = label
            sid = f"{parent.id}.{own}" if parent else own
            title_src = first[m.end() :].strip()
            title = title_src if (b.kind == "heading" and len(title_src) <= 200 and level <= 3 and "\n" not in title_src) else _first_sentence(title_src)
            sec = Section(id=sid, label=label, level=level, title=title, char_start=b.char_start, char_end=body_stop, parent=parent.id if parent else None)
            sections.append(sec)
            stack.append(sec)
            break
    # extent: until the next section of the same or a higher level
    open_: list[Section] = []
    for sec in sections:
        while open_ and open_[-1].level >= sec.level:
            open_.pop().char_end = sec.char_start
        open_.append(sec)
    return sections


# ---------------------------------------------------------------------------- appendices
def _appendices(doc: Document, body_start: int) -> list[str]:
    found: list[str] = []
    body = doc.text[: doc.body_end]
    for b in doc.blocks:
        if b.kind == "footnote":
            continue
        # the pattern opens with one of these two words: test for them before copying the block's text
        if not doc.text.startswith(("PHỤ LỤC", "Phụ lục"), b.char_start, b.char_end):
            continue
        m = _APPENDIX_HEAD_RE.match(doc.text[b.char_start : b.char_end])
        if m:
            name = f"Phụ lục {m.group('label')}"
            if name not in found:
                found.append(name)
    for m in _APPENDIX_REF_RE.finditer(body):
        for lab in _LABEL_LIST_SEP_RE.split(m.group("labels")):
            lab = lab.strip()
            if lab:
                name = f"Phụ lục {lab}"
                if name not in found:
                    found.append(name)
    return found


_TITLE_YEAR_RE = regex.compile(r"\b(?:năm|NĂM)\s{1,3}((?:19|20)\d\d)\b")


def _plan_year(header: Header) -> Optional[int]:
    """The issue date's year; without one (a draft's blank date, a text with no header), the year the title
    names ("Kế hoạch … năm 2025"), when it names one."""
    d = header.issue_date
    if d and d[:4].isdigit():
        return int(d[:4])
    years = {m.group(1) for m in _TITLE_YEAR_RE.finditer(header.title or "")}
    return int(years.pop()) if len(years) == 1 else None


# ---------------------------------------------------------------------------- entry point
def parse_structure(doc: Document) -> None:
    """Fill doc.header, doc.sections, doc.signature, doc.recipients, doc.appendices in place."""
    lines = _lines(doc, doc.body_end)
    if not lines:
        return
    header, body_start, header_blocks = _parse_header(doc, lines)
    signature, recipients, tail_start, sig_blocks, rec_blocks = _parse_tail(doc, lines, body_start)
    # province: issuer → its parent body ("UBND TỈNH X" above "SỞ NGOẠI VỤ") → title → preamble → place
    prov = (_province_from(header.issuer or "") or _province_from(org_case(header.parent_body or ""))
            or _province_from(header.title or ""))
    if prov is None:
        pre = doc.text[body_start : min(doc.body_end, body_start + 3000)]
        prov = _province_from(pre)
    if prov is None and header.place:
        prov = header.place
    header.province = prov
    header.year = _plan_year(header)
    if header.issuer is None and signature.capacity:
        m = _TM_BODY_RE.match(signature.capacity)
        if m:
            body = m.group(1)
            if _COUNCIL_RE.match(body) and prov:
                unit = "thành phố" if regex.search(r"thành phố\s{1,2}" + regex.escape(prov), doc.text[: doc.body_end]) else "tỉnh"
                header.issuer = f"{body} {unit} {prov}"
            else:
                header.issuer = body
    doc.header = header
    doc.signature = signature
    doc.recipients = recipients
    doc.sections = _parse_sections(doc, body_start, tail_start)
    doc.appendices = _appendices(doc, body_start)
    for i, b in enumerate(doc.blocks):
        if i in header_blocks and b.char_start < body_start:
            b.kind = "header"
        elif i in rec_blocks and i not in sig_blocks:
            b.kind = "recipients"
        elif i in sig_blocks and i not in rec_blocks:
            b.kind = "signature"
