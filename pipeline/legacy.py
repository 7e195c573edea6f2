"""Legacy 8-bit Vietnamese encodings: TCVN3 (ABC, ".VnTime" fonts) and VNI ("VNI-Times").

Documents typed before Unicode keep their bytes in a Latin-1 font slot and rely on
a special font to draw Vietnamese letters, so a reader sees mojibake such as
"Uû ban nh©n d©n" (TCVN3) or "UÛy ban nhaân daân" (VNI).  This module detects such
text (by font name, or by character statistics) and converts it to Unicode, exactly
and table-driven (tables in ``pipeline/data/legacy_*.json``).

Call order matters: convert **before** :func:`pipeline.normalize.normalize`, which
drops the soft hyphen (U+00AD = "ư" in TCVN3) and rewrites « » (= "ô", "ằ") and
Ð (= "é").

Public API::

    legacy_font(font_name) -> ("tcvn3" | "vni", upper: bool) | None
    detect_legacy(text, font_names=()) -> "tcvn3" | "vni" | None
    convert_legacy(text, encoding, upper=False) -> str
    encode_legacy(text, encoding, upper_font=False) -> str   # inverse, for samples/tests
    fix_legacy(text, font_names=()) -> (text, encoding | None)
    convert_runs(runs) / docx_legacy_runs(runs) -> list[str]  # per (text, font) run
"""
from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, Optional, Sequence

import regex

Encoding = Literal["tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("tcvn3", "vni")

_DATA = Path(__file__).parent / "data"
_TONES = "\u0300\u0301\u0303\u0309\u0323"

# Vietnamese letters outside Latin-1: their presence means the text is real Unicode.
_VIET_UNICODE = regex.compile(r"[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")
# Font-name decorations: PDF subset prefix "ABCDEF+", style suffixes.
_SUBSET = regex.compile(r"^[A-Z]{6}\+")
_STYLE = regex.compile(r"(?:[,\-_ ]?(?:bold|italic|oblique|regular|normal|ps|mt|bolditalic|boldit|it|bd|bi))+$", regex.I)


@lru_cache(maxsize=None)
def _table(encoding: str) -> dict:
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r} (expected one of {ENCODINGS})")
    with open(_DATA / f"legacy_{encoding}.json", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=None)
def _font_res(encoding: str) -> tuple[regex.Pattern, ...]:
    return tuple(regex.compile(p, regex.I) for p in _table(encoding)["font_patterns"])


@lru_cache(maxsize=None)
def _tcvn_markers() -> frozenset[str]:
    return frozenset(_table("tcvn3")["markers"])


@lru_cache(maxsize=None)
def _vni_distinctive() -> frozenset[str]:
    """VNI pairs that cannot occur in Unicode Vietnamese ("aù", "oä", "ôø", "eâ"...)."""
    # Only "oà", "oá", "oã" also occur in Unicode Vietnamese (old-style "hoà", "khoá", "hoãn").
    ambiguous = set(_table("vni").get("ambiguous_pairs", ()))
    return frozenset(k for k in _table("vni")["pairs"] if k.lower() not in ambiguous)


def _core_font_name(font_name: str) -> str:
    name = _SUBSET.sub("", font_name.strip())
    return name


def legacy_font(font_name: Optional[str]) -> Optional[tuple[Encoding, bool]]:
    """Classify a font name: ("tcvn3", upper) for .VnTime/.VnTimeH..., ("vni", False) for VNI-Times...

    ``upper`` is True for the TCVN3 capitals fonts (name ending in "H": .VnTimeH,
    .VnArialH, "ABCDEF+.VnTimeH,Bold"), whose glyphs draw every letter upper-case.
    """
    if not font_name:
        return None
    name = _core_font_name(font_name)
    for enc in ("vni", "tcvn3"):  # VNI first: "VNI-Times" also starts with "vn"
        if any(p.search(name) for p in _font_res(enc)):
            if enc == "vni":
                return "vni", False
            base = _STYLE.sub("", name)
            upper = bool(regex.search(_table("tcvn3")["upper_font_pattern"], base, flags=regex.I))
            return "tcvn3", upper
    return None


def _scores(text: str) -> tuple[int, int, int, int]:
    """(tcvn3 evidence, vni evidence, Unicode-Vietnamese letters, letters)."""
    markers = _tcvn_markers()
    n = len(text)
    tc = 0
    for i, ch in enumerate(text):
        if ch in markers:
            # embedded in a word: a letter (or another marker) on at least one side
            left = text[i - 1] if i > 0 else " "
            right = text[i + 1] if i + 1 < n else " "
            if left.isalpha() or right.isalpha() or left in markers or right in markers:
                tc += 1
    dist = _vni_distinctive()
    vn = sum(1 for i in range(n - 1) if text[i : i + 2] in dist)
    viet = len(_VIET_UNICODE.findall(text))
    letters = sum(1 for ch in text if ch.isalpha())
    return tc, vn, viet, letters


def detect_legacy(text: str, font_names: Iterable[Optional[str]] = ()) -> Optional[Encoding]:
    """Detect TCVN3/VNI text by its fonts, else by character statistics; None for Unicode.

    Font names win unless the text itself is plainly Unicode Vietnamese (a Unicode
    text in a legacy-named font).  Statistics: TCVN3 shows codes like "¸ µ ¶ · ¹ ¨ ©
    ª « ¬ ®" inside words; VNI shows a vowel followed by a Latin-1 mark ("aø", "eá",
    "oä"); real Unicode Vietnamese shows letters such as "ạ ả ơ ư đ" that neither has.
    """
    tc, vn, viet, letters = _scores(text)
    votes: dict[str, int] = {}
    for f in font_names:
        cls = legacy_font(f)
        if cls:
            votes[cls[0]] = votes.get(cls[0], 0) + 1
    if votes:
        enc = max(votes, key=lambda k: votes[k])
        own = tc if enc == "tcvn3" else vn
        if viet == 0 or own > 2 * viet:
            return enc  # type: ignore[return-value]
    best: Encoding = "tcvn3" if tc >= vn else "vni"
    ev = max(tc, vn)
    if ev < 2 or ev <= 2 * viet or ev < 0.01 * letters:
        return None
    return best


def _upper_pairs(s: str, bases: str) -> str:
    """TCVN3 plain fonts write a capital toned vowel as capital base + lower toned code: "Aá" -> "Á"."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if i + 1 < n and ch in bases:
            nxt = s[i + 1]
            d = unicodedata.normalize("NFD", nxt)
            if any(t in d for t in _TONES):
                base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
                if base == ch.lower():
                    out.append(nxt.upper())
                    i += 2
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


def convert_legacy(text: str, encoding: str, upper: bool = False) -> str:
    """Convert TCVN3 or VNI text (as decoded Latin-1/cp1252 characters) to NFC Unicode.

    ``upper=True`` for runs in a TCVN3 capitals font (.VnTimeH): the result is upper-cased.
    Characters outside the table pass through unchanged.
    """
    tab = _table(encoding)
    if encoding == "tcvn3":
        m = tab["map"]
        out = "".join(m.get(ch, ch) for ch in text)
        bases = tab.get("upper_pair_bases", "")
        if bases:
            out = _upper_pairs(out, bases)
    else:
        pairs, single = tab["pairs"], tab["single"]
        buf: list[str] = []
        i, n = 0, len(text)
        while i < n:
            two = text[i : i + 2]
            if len(two) == 2 and two in pairs:
                buf.append(pairs[two])
                i += 2
                continue
            ch = text[i]
            buf.append(single.get(ch, ch))
            i += 1
        out = "".join(buf)
    if upper:
        out = out.upper()
    return unicodedata.normalize("NFC", out)


@lru_cache(maxsize=None)
def _inverse(encoding: str) -> dict[str, str]:
    tab = _table(encoding)
    if encoding == "tcvn3":
        return {v: k for k, v in tab["map"].items()}
    inv = {v: k for k, v in tab["single"].items()}
    inv.update({v: k for k, v in tab["pairs"].items()})
    return inv


def encode_legacy(text: str, encoding: str, upper_font: bool = False) -> str:
    """Unicode -> legacy characters (the inverse of :func:`convert_legacy`).

    For TCVN3, ``upper_font=True`` writes text for a capitals font (.VnTimeH): every
    letter is written with its lower-case code.  Without it, a capital toned vowel is
    written as capital base + lower-case toned code ("Á" -> "A¸").
    Used to build test samples; characters with no legacy form pass through.
    """
    inv = _inverse(encoding)
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3" and upper_font:
        text = text.lower()
    out: list[str] = []
    for ch in text:
        if ch in inv:
            out.append(inv[ch])
        elif encoding == "tcvn3" and ch.lower() in inv and ch.isupper():
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
            if base in _table("tcvn3").get("upper_pair_bases", ""):
                out.append(inv.get(base, base) + inv[ch.lower()])
            else:  # no capital form: the lower-case code (case is lost)
                out.append(inv[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def fix_legacy(text: str, font_names: Iterable[Optional[str]] = ()) -> tuple[str, Optional[Encoding]]:
    """Detect and convert in one call: returns (text, encoding or None).  Unicode text comes back unchanged."""
    fonts = list(font_names)
    enc = detect_legacy(text, fonts)
    if enc is None:
        return text, None
    upper = False
    if enc == "tcvn3" and fonts:
        classes = [legacy_font(f) for f in fonts]
        tc = [c for c in classes if c and c[0] == "tcvn3"]
        upper = bool(tc) and all(c[1] for c in tc)
    return convert_legacy(text, enc, upper=upper), enc


def convert_runs(runs: Iterable[tuple[str, Optional[str]]]) -> list[str]:
    """Convert each (text, font_name) run whose font is a TCVN3/VNI font; other runs unchanged.

    Returns the run texts in order (same length as ``runs``).  A run in a legacy-named
    font whose text is already Unicode Vietnamese is left as is.
    """
    out: list[str] = []
    for text, font in runs:
        cls = legacy_font(font)
        if cls is None or not text:
            out.append(text)
            continue
        enc, upper = cls
        if _VIET_UNICODE.search(text):
            out.append(text)
            continue
        out.append(convert_legacy(text, enc, upper=upper))
    return out


def docx_legacy_runs(runs: Sequence[tuple[str, Optional[str]]]) -> list[str]:
    """For the DOCX reader: ``[(run.text, effective font name), ...]`` of one paragraph -> converted run texts.

    Pass the run's effective font (``w:rFonts/@w:hAnsi`` or ``@w:ascii``, falling back to
    the paragraph/character style and document defaults when the run has none):
    Latin-1 characters are drawn with the hAnsi font.  Join the result with "".
    """
    return convert_runs(runs)
