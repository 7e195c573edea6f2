"""Relations stated in the text between cited instruments.

``extract_relations(text, citations)`` reads, for every citation, its *subject
clause* — the text from the end of the citation to the next citation, cut at a
clause boundary (``;``, a sentence end, a hard line break) — and looks for a
relation cue that directly governs the next citation:

* implements: "về thực hiện", "triển khai (thực hiện)", "hành động thực hiện",
  "tiếp tục (đẩy mạnh) thực hiện", "cụ thể hóa", "quán triệt" …
  ("Kế hoạch số 7868/KH-UBND … về thực hiện Nghị quyết số 169/NQ-CP")
* amends: "sửa đổi, bổ sung", "điều chỉnh", "bãi bỏ (một số nội dung tại)"
* replaces: "thay thế"
* issued_with: "ban hành kèm theo" (source issued with the target), and
  "(về việc) ban hành Quy chế số X" (X issued with the source).
* passive forms ("được sửa đổi, bổ sung bởi", "được thay thế bởi") swap the roles.

A target list ("thực hiện Nghị quyết số 36-NQ/TW, Chỉ thị số 45-CT/TW và Kết luận
số 12-KL/TW") yields one relation per item; coordinated sources ("Kế hoạch số
120-KH/TU … và Kế hoạch số 716/KH-UBND … về triển khai Chỉ thị số 12-CT/TW") share
the relation of the last one.  A cue that belongs to an uncited instrument named in
between ("… và các Chương trình hành động của Chính phủ … triển khai thực hiện
Nghị quyết số 39-NQ/TW") is not attributed to the citation.

Pure: imports only pipeline.normalize and the record dataclasses.
"""
from __future__ import annotations

from typing import Optional

import regex

from extractors.records import Citation, Relation
from pipeline.normalize import fold_tones

__all__ = ["extract_relations"]

# Maximum characters between the end of a cue and the start of the target citation.
_MAX_GAP = 48
# Maximum characters of a subject clause that is scanned.
_MAX_CLAUSE = 700

# Capitalized instrument nouns (an uncited instrument named in running text).
_TYPE_NOUN = regex.compile(
    r"\b(?:Kế hoạch|Chương trình|Đề án|Nghị quyết|Nghị định|Quyết định|Chỉ thị|Kết luận|Quy chế|Quy định|"
    r"Chiến lược|Thông báo|Hướng dẫn|Công văn|Thông tư|Văn bản|Luật|KẾ HOẠCH|CHƯƠNG TRÌNH|NGHỊ QUYẾT|QUYẾT ĐỊNH)\b"
)


def _cue(pattern: str) -> regex.Pattern[str]:
    """Compile a cue; a space in ``pattern`` accepts 1-3 whitespace characters (OCR, line wraps)."""
    return regex.compile(pattern.replace(" ", r"\s{1,3}"))


# Cues, matched on the lower-cased, tone-folded clause (length-preserving).
_CUES: list[tuple[str, regex.Pattern[str], bool]] = [
    # (relation, pattern, passive)
    ("issued_with", _cue(r"ban hành kèm theo"), False),
    ("amends", _cue(r"(?:được|đã được|bị) (?:sửa đổi|bổ sung|điều chỉnh)(?:,? ?(?:và )?(?:sửa đổi|bổ sung|điều chỉnh|thay thế)){0,3} (?:bởi|bằng|tại|theo)"), True),
    ("replaces", _cue(r"(?:được|đã được|bị) thay thế (?:bởi|bằng|tại|theo)"), True),
    ("replaces", _cue(r"thay thế"), False),
    ("amends", _cue(r"sửa đổi|bổ sung|điều chỉnh|bãi bỏ|đính chính"), False),
    ("issued_by", _cue(r"ban hành"), False),
    ("implements", _cue(r"thực hiện|triển khai|cụ thể hóa|quán triệt|thi hành"), False),
]
# Only decisions issue numbered regulations/plans ("Quyết định số Y ... ban hành Quy chế số X").
_ISSUING_TYPES = {"QĐ"}
_ISSUED_TYPES = {"QC", "QĐi", "KH", "CTr", "ĐA", "HD"}

_RE_LIST_GAP = regex.compile(
    r"^\s{0,3}(?:,?\s{0,3}(?:ngày|ngay)\s{1,3}[\d/.\-\s]{6,14})?"
    r"(?:\s{0,3}của\s{1,3}[^;,\n]{1,70}?)?"
    r"\s{0,3}(?:,\s{0,3}(?:và\s{1,3})?|và\s{1,3}|cùng\s{1,3})(?:các\s{1,3})?$"
)
_RE_SOFT_BREAK_NEXT = regex.compile(r"\s{0,6}(?:\d{1,2}\s{0,2}[/.\-]\s{0,2}\d{1,2}|[a-zà-ỹđ])")


_RE_BREAK_CHAR = regex.compile(r"[;\n.!?]")


# precompiled (a string pattern costs a cache lookup in regex._compile on every call)
_RE_ABBREV_END = regex.compile(r"(?:TP|\b\p{Lu})$")
_RE_HARD_GAP = regex.compile(r"[;\n]")
_RE_SUBJECT_WORD = regex.compile(r"\b(?:về|v/v)\b")
_RE_ISSUING_END = regex.compile(r"ban hành\s{1,3}(?:kèm theo\s{1,3})?$")


def _key(s: str) -> str:
    k = fold_tones(s).lower()
    return k if len(k) == len(s) else s.lower()


def _boundary(text: str, start: int, stop: int) -> int:
    """First clause boundary in text[start:stop] (absolute offset), or ``stop``."""
    i = start
    while i < stop:
        # only ; . ! ? and line breaks can end a clause: jump to the next one
        nx = _RE_BREAK_CHAR.search(text, i, stop)
        if nx is None:
            return stop
        i = nx.start()
        ch = text[i]
        if ch == ";":
            return i
        if ch == "\n":
            # a line break inside "ngày\n\n04/01/2018" or a wrapped lowercase word is not a boundary
            if _RE_SOFT_BREAK_NEXT.match(text, i + 1, min(stop, i + 30)) is None:
                return i
        elif ch in ".!?" and i + 1 < stop and text[i + 1] in " \n":
            j = i + 1
            while j < stop and text[j] == " ":
                j += 1
            prev = text[max(start, i - 3):i]
            if j < stop and (text[j].isupper() or text[j] in "-+•") and not _RE_ABBREV_END.search(prev):
                return i
        i += 1
    return stop


def _gap_ok(gap: str) -> bool:
    """Text between a cue and the citation it governs: short filler only."""
    if len(gap) > _MAX_GAP or _RE_HARD_GAP.search(gap):
        return False
    k = _key(gap)
    # "về thực hiện Chương trình ... của X, Kế hoạch số ..." — a different object in between
    if _RE_SUBJECT_WORD.search(k):
        return False
    return True


def _blocked(clause_before_cue: str) -> bool:
    """An uncited instrument noun between the source and the cue takes the cue, unless the
    source issues it ("Nghị quyết số 169/NQ-CP ... ban hành Chương trình hành động ...")."""
    t = fold_tones(clause_before_cue)
    k = _key(clause_before_cue)
    for m in _TYPE_NOUN.finditer(t):
        before = k[max(0, m.start() - 20):m.start()]
        if _RE_ISSUING_END.search(before):
            continue
        return True
    return False


def _is_list_gap(gap: str) -> bool:
    if len(gap) > 110:
        return False
    k = _key(gap)
    if _RE_SUBJECT_WORD.search(k):
        return False
    for _, pat, _ in _CUES:
        if pat.search(k):
            return False
    return _RE_LIST_GAP.match(k) is not None


def _same_instrument(a: Citation, b: Citation) -> bool:
    if a.symbol and b.symbol:
        return a.symbol == b.symbol
    return bool(a.number and a.number == b.number and (a.type_code == b.type_code or a.kind == "short" or b.kind == "short"))


def _find_cue(text: str, clause_start: int, clause_end: int, target_start: int) -> Optional[tuple[str, bool, int, int]]:
    """The last cue in the clause whose end is within _MAX_GAP of the target (absolute spans)."""
    lo = max(clause_start, clause_end - 200)
    k = _key(text[lo:clause_end])
    best: Optional[tuple[str, bool, int, int]] = None
    for rel, pat, passive in _CUES:
        for m in pat.finditer(k):
            s, e = lo + m.start(), lo + m.end()
            if not _gap_ok(text[e:target_start]):
                continue
            if best is None or e > best[3] or (e == best[3] and s < best[2]):
                best = (rel, passive, s, e)
    return best


def extract_relations(text: str, citations: list[Citation], include_named: bool = False) -> list[Relation]:
    """Relations between the given citations; source/target are indexes into ``citations``."""
    order = sorted(range(len(citations)), key=lambda i: (citations[i].char_start, citations[i].char_end))
    usable = [include_named or citations[i].kind != "named" for i in range(len(citations))]
    n = len(order)
    direct: dict[int, list[tuple[str, int, bool]]] = {}  # source idx -> [(relation, target idx, reversed)]
    targets: set[int] = set()
    clause_end: dict[int, int] = {}
    for pos, i in enumerate(order):
        c = citations[i]
        stop = citations[order[pos + 1]].char_start if pos + 1 < n else min(len(text), c.char_end + _MAX_CLAUSE)
        stop = min(stop, c.char_end + _MAX_CLAUSE)
        end = _boundary(text, c.char_end, max(c.char_end, stop))
        clause_end[i] = end
        if pos + 1 >= n or end < stop or not usable[i]:
            continue
        j = order[pos + 1]
        cue = _find_cue(text, c.char_end, end, citations[j].char_start)
        if cue is None:
            continue
        rel, passive, cs, ce = cue
        if _blocked(text[c.char_end:cs]):
            continue
        # the target list: j and the items coordinated with it
        tlist = [j]
        q = pos + 1
        while q + 1 < n:
            a, b = order[q], order[q + 1]
            if not _is_list_gap(text[citations[a].char_end:citations[b].char_start]):
                break
            tlist.append(b)
            q += 1
        for t in tlist:
            if not usable[t] or _same_instrument(c, citations[t]):
                continue
            if rel == "issued_by":
                # "Quyết định số Y ... ban hành Quy chế số X": X issued_with Y
                if c.type_code not in _ISSUING_TYPES or citations[t].type_code not in _ISSUED_TYPES:
                    continue
                direct.setdefault(i, []).append(("issued_with", t, True))
            else:
                direct.setdefault(i, []).append((rel, t, passive))
            targets.add(t)
    # coordinated sources share the relations of the next citation
    shared: dict[int, list[tuple[str, int, bool]]] = {}
    for pos in range(n - 2, -1, -1):
        i, j = order[pos], order[pos + 1]
        if i in targets or i in direct or not usable[i]:
            continue
        c = citations[i]
        if clause_end[i] < citations[j].char_start:
            continue
        if not _is_list_gap(text[c.char_end:citations[j].char_start]):
            continue
        rels = direct.get(j) or shared.get(j)
        if rels:
            shared[i] = [r for r in rels if not _same_instrument(c, citations[r[1]])]
    out: list[Relation] = []
    for i in sorted(set(direct) | set(shared), key=lambda x: citations[x].char_start):
        for rel, t, rev in direct.get(i, []) + shared.get(i, []):
            src, dst = (t, i) if rev else (i, t)
            s = min(citations[src].char_start, citations[dst].char_start)
            e = max(citations[src].char_end, citations[dst].char_end)
            out.append(Relation(source=src, relation=rel, target=dst, text=text[s:e], char_start=s, char_end=e))
    return out
