"""Shared spaCy factory: a blank Vietnamese pipeline with a punctuation-aware tokenizer.

``spacy.blank("vi")`` with ``use_pyvi=False`` splits on spaces only, so "(Lào)." or
"Khăm," are single tokens and a PhraseMatcher never sees "Lào" or "Khăm".  The
tokenizer built here splits opening/closing punctuation off words, and splits
hyphens, slashes, commas, colons, semicolons and brackets inside words
("Đắc-Tà-ọc" → "Đắc", "-", "Tà", "-", "ọc").

Every lexeme's NORM is :func:`pipeline.normalize.match_key` (NFC, one tone-mark
placement, case-folded), so matching on ``attr="NORM"`` ignores case and the
old/new tone placement ("Thanh Hoá" == "THANH HÓA").  NORM is a lexeme
attribute: it is computed once per distinct word, not once per token.
"""
from __future__ import annotations

from typing import Any

import regex
import spacy
from spacy.attrs import NORM
from spacy.language import Language
from spacy.tokenizer import Tokenizer

from pipeline.normalize import match_key

_OPEN = r"\(\[\{\"'«“‘<"
_CLOSE = r"\)\]\}\"'»”’>"
_PREFIX = regex.compile(rf"^[{_OPEN}…\-–—•·*+]")
_SUFFIX = regex.compile(rf"(?:[{_CLOSE},;:!?…*]|\.+)$")
# hyphen / slash / comma / colon / semicolon / brackets inside a token
_INFIX = regex.compile(
    rf"(?<=[^\W_])[-–—](?=[^\W_])"  # word-word (also 1950-2025)
    rf"|[/,;:{_OPEN}{_CLOSE}]"
    rf"|(?<=[^\W\d_])\.(?=[^\W\d_]{{2}})"  # "tỉnh.Sê" (missing space), not "TP.HCM"-like abbreviations of 1 letter
)


def make_tokenizer(nlp: Language) -> Tokenizer:
    """A rule-based tokenizer splitting punctuation for Vietnamese space-separated syllables."""
    return Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=_PREFIX.search,
        suffix_search=_SUFFIX.search,
        infix_finditer=_INFIX.finditer,
    )


def blank_vi(**_: Any) -> Language:
    """A fresh blank Vietnamese pipeline (no pyvi) with our tokenizer and match_key norms."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.vocab.lex_attr_getters[NORM] = match_key
    for lex in nlp.vocab:  # lexemes created before the getter was installed
        lex.norm_ = match_key(lex.orth_)
    nlp.tokenizer = make_tokenizer(nlp)
    return nlp
