"""Vietnamese text normalization.

Two levels:

* :func:`normalize` — what every reader applies to the text it extracts: NFC,
  look-alike letters (Ð U+00D0 → Đ U+0110), non-breaking / zero-width / odd
  spaces, typographic quotes and dashes, control characters.  It returns the
  normalized text and, for every output character, its offset in the input,
  so spans can always be mapped back to the original.
* :func:`fold_tones` — one consistent tone-mark placement ("new style":
  hòa, thủy, khỏe, tỉnh ủy) used for *matching* (dictionary look-ups,
  comparisons).  It is length-preserving, so spans found on the folded text
  are valid on the unfolded one.
* :func:`strip_diacritics` — accent-insensitive search key ("quang nam").

All functions are pure and idempotent.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- character maps -------------------------------------------------------
_LOOKALIKE = {
    "\u00d0": "\u0110",  # Ð (Icelandic eth) -> Đ
    "\u0189": "\u0110",  # Ɖ (African D) -> Đ
    "\u00f0": "\u0111",  # ð -> đ
    "\u0256": "\u0111",  # ɖ -> đ
}
_SPACES = {c: " " for c in "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\u000b\u000c"}
_DROP = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")  # zero-width, BOM, soft hyphen
_QUOTES = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2033": '"',
}
_DASHES = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
}
_OTHER = {"\uff0f": "/", "\u2044": "/", "\u2215": "/", "\u2026": "...", "\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n"}

_CHAR_MAP: dict[str, str] = {**_LOOKALIKE, **_SPACES, **_QUOTES, **_DASHES}
for _c in _DROP:
    _CHAR_MAP[_c] = ""
for _k, _v in _OTHER.items():
    if len(_k) == 1:
        _CHAR_MAP[_k] = _v


# Any character that normalize() would change (besides NFC): the map's keys, dropped ones, controls, CR,
# and combining marks (which may need composing even in NFC text after a dropped character).
_SPECIAL_RE = re.compile(
    "[" + re.escape("".join(sorted(set(_CHAR_MAP) | _DROP | {"\r"}))) + "\x00-\x09\x0b-\x1f\x7f-\x9f\u0300-\u036f]"
)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch != "\n"


def _needs_work(text: str) -> bool:
    """False when ``text`` is already normalized (the common case): NFC, nothing to map or drop."""
    if not unicodedata.is_normalized("NFC", text):
        return True
    return _SPECIAL_RE.search(text) is not None


def normalize(text: str) -> tuple[str, list[int]]:
    """Normalize ``text``; return (normalized, offsets) with offsets[i] = input offset of output char i.

    Length changes only where NFC composes a letter with its combining marks, where
    invisible characters are dropped, and where "…" becomes "..."; ``offsets`` maps every
    output character back to the input.
    """
    norm, offs = normalize_offsets(text)
    return norm, offs if isinstance(offs, list) else list(offs)


def normalize_offsets(text: str) -> tuple[str, list[int] | range]:
    """:func:`normalize`, but the offsets of already-normalized text (the common case) are returned as
    ``range(len(text))`` instead of a list: callers that shift or concatenate them avoid building
    (and then copying) one list element per character."""
    if not _needs_work(text):
        return text, range(len(text))
    # 1. drop invisible characters first, so that "A\u200b\u0300" still composes to "À"
    src: list[int] = []
    chars: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            chars.append("\n")
            src.append(i)
            i += 2 if i + 1 < n and text[i + 1] == "\n" else 1
            continue
        if ch not in _DROP:
            chars.append(ch)
            src.append(i)
        i += 1
    # 2. NFC per cluster (a base char and its combining marks), then the character map
    out: list[str] = []
    offs: list[int] = []
    i, n = 0, len(chars)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(chars[j]):
            j += 1
        cluster = "".join(chars[i:j])
        multi = False  # True when NFC changed the cluster: its chars then all map to the cluster's start
        if j - i > 1:
            composed = unicodedata.normalize("NFC", cluster)
            multi = composed != cluster
            cluster = composed
        for k, c in enumerate(cluster):
            rep = _CHAR_MAP.get(c)
            if rep is None:
                rep = " " if _is_control(c) else c
            o = src[i] if multi else src[i + k]
            for r in rep:
                out.append(r)
                offs.append(o)
        i = j
    return "".join(out), offs


def normalize_text(text: str) -> str:
    """:func:`normalize` without the offset map."""
    return normalize(text)[0]


# --- tone placement -------------------------------------------------------
# Old style puts the tone on the first vowel of "oa", "oe", "uy" when the syllable
# is open (hoà, thuỷ, khoẻ); the new (and our canonical) style puts it on the second
# (hòa, thủy, khỏe).  Only the open-syllable diphthongs differ.
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below


@lru_cache(maxsize=4096)
def _split_tone(ch: str) -> tuple[str, str]:
    d = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in d if c in _TONES)
    base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
    return base, tone


def _with_tone(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone) if tone else base


_PAIRS = {("o", "a"), ("o", "e"), ("u", "y")}
_VOWELS = set("aăâeêioôơuưy")
# the only characters that can carry a tone to move: a toned "a", "e" or "y" (second letter of a pair)
_TONED_SECOND = re.compile("[" + "".join(sorted({unicodedata.normalize("NFC", b + t) for b in "aeyAEY" for t in _TONES})) + "]")


def fold_tones(text: str) -> str:
    """One tone placement for open "oa/oe/uy" syllables: the traditional one used in
    official documents (hoà → hòa, thuỷ → thủy, khoẻ → khỏe, Tỉnh uỷ → Tỉnh ủy).

    Length-preserving and idempotent; case is kept.
    """
    # Only a position whose next character is a toned a/e/y can change (for any other, the loop below
    # would stop at its first test), and no change makes a new one: visit just those, left to right.
    hits = [m.start() - 1 for m in _TONED_SECOND.finditer(text)]
    if not hits:
        return text
    chars = list(text)
    n = len(chars)
    for i in hits:
        if i < 0:
            continue
        a, b = chars[i], chars[i + 1]
        if not b.isalpha() or not a.isalpha() or a in "đĐ":
            continue
        base_b, tone_b = _split_tone(b)
        if not tone_b:
            continue
        base_a, tone_a = _split_tone(a)
        if tone_a or (base_a.lower(), base_b.lower()) not in _PAIRS:
            continue
        nxt = chars[i + 2] if i + 2 < n else ""
        if nxt.isalpha():  # closed syllable (hoàn, toán): placement is not in question
            continue
        prev = chars[i - 1].lower() if i > 0 else ""
        if base_a.lower() == "u" and prev == "q":  # "quý": u belongs to the onset
            continue
        if prev.isalpha() and _split_tone(prev)[0].lower() in _VOWELS:
            continue
        chars[i] = _with_tone(base_a, tone_b)
        chars[i + 1] = base_b
    return "".join(chars)


def strip_diacritics(text: str) -> str:
    """Accent-free, lower-case search key: "Quảng Nam" → "quang nam", "59-NQ/TW" → "59-nq/tw"."""
    d = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in d if not unicodedata.combining(c)).lower()


def match_key(text: str) -> str:
    """Key for dictionary matching: normalized, tone-folded, case-folded."""
    return fold_tones(normalize_text(text)).casefold()
