"""Word's automatic numbering (``w:numPr``), rendered as the label Word prints before a paragraph.

A plan typed in Word often numbers its sections and lists automatically: the paragraph holds
"MỤC ĐÍCH, YÊU CẦU" and a reference to a numbering definition, and Word prints "I. MỤC ĐÍCH, YÊU CẦU".
Without the label the structure parser sees no "I.", "1.", "a)" or "-" and the document loses its
sections and its recipients' list. :class:`Numbering` reads ``word/numbering.xml`` and the paragraph
styles of ``word/styles.xml`` and gives, paragraph by paragraph in document order, the label Word would
print:

* a paragraph's ``w:numPr`` (``w:numId``, ``w:ilvl``), else its style's (following ``w:basedOn``);
  ``w:numId`` 0 switches numbering off;
* a ``w:num`` points to a ``w:abstractNum``; its levels give ``w:start``, ``w:numFmt`` (decimal,
  decimalZero, lowerLetter, upperLetter, lowerRoman, upperRoman, bullet, none) and ``w:lvlText``
  ("%1.", "%1.%2.", "%1)", "-", "•"); a ``w:lvlOverride/w:startOverride`` restarts the count;
* lists that share an abstract definition continue one count, as Word does; a level's count restarts
  after any shallower level of its list advances (``w:lvlRestart`` is honoured);
* bullets drawn from the Symbol/Wingdings private-use area become "•" ("-" and "–" stay as they are).

Pure functions of the two XML parts: no python-docx objects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
_MAX_LEVELS = 9


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: Optional[int] = None  # w:lvlRestart (1-based level whose advance restarts this one; 0: never)


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # ilvl -> startOverride
    used: bool = False


def _val(el: Optional[etree._Element], name: str) -> Optional[str]:
    if el is None:
        return None
    child = el.find(_W + name)
    return child.get(_W + "val") if child is not None else None


def _int(s: Optional[str], default: int) -> int:
    try:
        return int(s) if s is not None else default
    except ValueError:
        return default


def _roman(n: int) -> str:
    out = []
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                 (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letters(n: int) -> str:
    # Word: a..z, then aa..zz, aaa..
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """``n`` in one of Word's number formats (unknown formats: decimal)."""
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


def _bullet(text: str) -> str:
    """A bullet's lvlText as printed: private-use symbol-font glyphs (U+F0B7, U+F0A7, ...) are "•"."""
    return "".join("•" if 0xF000 <= ord(c) <= 0xF0FF else c for c in text).strip() or "•"


class Numbering:
    """The numbering definitions of one document, with the running counts of its lists."""

    def __init__(self, numbering: Optional[etree._Element], styles: Optional[etree._Element] = None) -> None:
        self.abstract: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, _Num] = {}
        self.counts: dict[str, list[Optional[int]]] = {}  # abstract id -> count per level (None: not started)
        self.style_num: dict[str, tuple[Optional[str], Optional[str]]] = {}  # styleId -> (numId, ilvl)
        self.style_base: dict[str, str] = {}
        if numbering is not None:
            for a in numbering.findall(_W + "abstractNum"):
                levels: dict[int, Level] = {}
                for lvl in a.findall(_W + "lvl"):
                    i = _int(lvl.get(_W + "ilvl"), 0)
                    restart = _val(lvl, "lvlRestart")
                    levels[i] = Level(start=_int(_val(lvl, "start"), 1), fmt=_val(lvl, "numFmt") or "decimal",
                                      text=_val(lvl, "lvlText") or "",
                                      restart=_int(restart, 0) if restart is not None else None)
                self.abstract[a.get(_W + "abstractNumId") or ""] = levels
            for num in numbering.findall(_W + "num"):
                entry = _Num(abstract=_val(num, "abstractNumId") or "")
                for o in num.findall(_W + "lvlOverride"):
                    so = _val(o, "startOverride")
                    if so is not None:
                        entry.starts[_int(o.get(_W + "ilvl"), 0)] = _int(so, 1)
                self.nums[num.get(_W + "numId") or ""] = entry
        if styles is not None:
            for st in styles.findall(_W + "style"):
                if st.get(_W + "type") != "paragraph":
                    continue
                sid = st.get(_W + "styleId") or ""
                based = _val(st, "basedOn")
                if based:
                    self.style_base[sid] = based
                ppr = st.find(_W + "pPr")
                npr = ppr.find(_W + "numPr") if ppr is not None else None
                if npr is not None:
                    self.style_num[sid] = (_val(npr, "numId"), _val(npr, "ilvl"))

    def __bool__(self) -> bool:
        return bool(self.nums)

    def _style_numbering(self, style: Optional[str]) -> tuple[Optional[str], Optional[str]]:
        seen: set[str] = set()
        num_id = ilvl = None
        while style and style not in seen:
            seen.add(style)
            n, i = self.style_num.get(style, (None, None))
            num_id = num_id if num_id is not None else n
            ilvl = ilvl if ilvl is not None else i
            if num_id is not None and ilvl is not None:
                break
            style = self.style_base.get(style)
        return num_id, ilvl

    def label(self, p: etree._Element) -> Optional[str]:
        """The label Word prints before paragraph ``p`` ("I.", "1.2.", "a)", "-", "•"), or None. Call it for
        every paragraph in document order: it advances the counts."""
        if not self.nums:
            return None
        ppr = p.find(_W + "pPr")
        npr = ppr.find(_W + "numPr") if ppr is not None else None
        num_id = _val(npr, "numId")
        ilvl_s = _val(npr, "ilvl")
        if num_id is None or ilvl_s is None:
            s_num, s_ilvl = self._style_numbering(_val(ppr, "pStyle"))
            num_id = num_id if num_id is not None else s_num
            ilvl_s = ilvl_s if ilvl_s is not None else s_ilvl
        if num_id is None or num_id == "0":
            return None
        num = self.nums.get(num_id)
        if num is None:
            return None
        levels = self.abstract.get(num.abstract)
        if not levels:
            return None
        ilvl = min(max(_int(ilvl_s, 0), 0), _MAX_LEVELS - 1)
        lvl = levels.get(ilvl, Level())
        counts = self.counts.setdefault(num.abstract, [None] * _MAX_LEVELS)
        if not num.used:
            num.used = True
            for i, start in num.starts.items():  # a restarted list: its levels begin again
                if 0 <= i < _MAX_LEVELS:
                    counts[i] = start - 1
        c = counts[ilvl]
        counts[ilvl] = c + 1 if c is not None else lvl.start
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            r = levels.get(deeper, Level()).restart
            if r is None or (r != 0 and r <= ilvl + 1):
                counts[deeper] = None
        if lvl.fmt == "bullet":
            return _bullet(lvl.text)
        text = lvl.text
        for i in range(_MAX_LEVELS, 0, -1):  # %10 does not exist; replace %9 before %1
            key = f"%{i}"
            if key in text:
                li = levels.get(i - 1, Level())
                n = counts[i - 1]
                text = text.replace(key, format_number(n if n is not None else li.start, li.fmt))
        return text.strip() or None


__all__ = ["Numbering", "Level", "format_number"]
