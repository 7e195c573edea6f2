"""Plain-text reader: UTF-8 (± BOM), UTF-16 (BOM or NUL-pattern), Windows-1258.

Paragraphs are separated by blank lines; hard-wrapped prose lines are re-joined.
A paragraph starting with a superscript number ("¹ ...") or "[1] ..." is a
footnote: it moves to the footnotes, its marker in the body becomes the
anchor, and the body paragraph it interrupted is re-joined.  Markdown
emphasis (``**``, ``*``) and heading hashes are stripped.
"""
from __future__ import annotations

from typing import Optional

import regex

from pipeline.errors import ReadError
from pipeline.legacy import fix_legacy
from pipeline.readers.common import (
    ENDS_SENTENCE_RE,
    Line,
    RawBlock,
    RawDoc,
    RawFootnote,
    classify,
    join_lines,
    marker,
    rebuild_paragraphs,
)

_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(_SUP, "0123456789")
_FN_PARA_RE = regex.compile(r"^(?:([" + _SUP + r"]{1,3})|\[(\d{1,3})\])\s{0,3}(?=\S)")
_SUP_MARK_RE = regex.compile(r"(?<=[^\s\d" + _SUP + r"])([" + _SUP + r"]{1,3})(?![" + _SUP + r"])")
_BRACKET_MARK_RE = regex.compile(r"\[(\d{1,3})\]")
_UNIT_BEFORE_RE = regex.compile(r"(?:\b(?:k|c|d|m)?m|ha)$")
_BOLD_RE = regex.compile(r"\*\*|__")
_EM_RE = regex.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,400}?)(?<=[^\s*])\*(?![\w*])")
_MD_HEAD_RE = regex.compile(r"^#{1,6}\s{1,3}", regex.MULTILINE)


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Decode bytes of a text file; return (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise ReadError("encoding", f"starts with a UTF-8 byte-order mark but is not valid UTF-8 ({e.reason} at byte {e.start})", path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise ReadError("encoding", f"starts with a UTF-16 byte-order mark but is not valid UTF-16 ({e.reason})", path)
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:
        even = head[0::2].count(b"\x00")
        odd = head[1::2].count(b"\x00")
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            raise ReadError("unsupported_format", "contains binary data (NUL bytes) and is not UTF-16 text", path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in head:
        raise ReadError("unsupported_format", "contains binary data (NUL bytes); not a text document", path)
    # 8-bit text: pre-Unicode Vietnamese (TCVN3/ABC, VNI) is read through cp1252 and converted exactly;
    # otherwise it is Windows-1258.
    try:
        fixed, legacy = fix_legacy(data.decode("cp1252"))
        if legacy is not None:
            return fixed, legacy
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258"), "cp1258"
    except UnicodeDecodeError as e:
        raise ReadError(
            "encoding",
            f"is neither UTF-8, UTF-16 nor Windows-1258 text (undecodable byte 0x{data[e.start]:02x} at offset {e.start})",
            path,
        )


def strip_markdown(text: str) -> str:
    text = _BOLD_RE.sub("", text)
    text = _EM_RE.sub(r"\1", text)
    return _MD_HEAD_RE.sub("", text)


def _paragraph_text(chunk: str) -> str:
    """Re-join the hard-wrapped lines of one blank-line-separated chunk."""
    lines = [ln.rstrip() for ln in chunk.split("\n") if ln.strip()]
    if len(lines) <= 1:
        return lines[0].strip() if lines else ""
    longest = max(len(ln) for ln in lines)
    if longest <= 60:
        return "\n".join(ln.strip() for ln in lines)  # header / signature style block
    objs = [Line(text=ln.strip(), x0=float(len(ln) - len(ln.lstrip())), x1=float(len(ln)), size=1.0) for ln in lines]
    paras = rebuild_paragraphs(objs, left=0.0, right=float(longest), em=2.0, use_vertical=False)
    return "\n\n".join(join_lines(p) for p in paras)


def _mark_body(text: str, labels: set[str]) -> str:
    def sup(m: regex.Match) -> str:
        lab = m.group(1).translate(_SUP_TO_DIGIT)
        if lab not in labels:
            return m.group(0)
        before = text[max(0, m.start() - 3) : m.start()]
        if _UNIT_BEFORE_RE.search(before):
            return m.group(0)
        return marker(lab)

    text = _SUP_MARK_RE.sub(sup, text)
    return _BRACKET_MARK_RE.sub(lambda m: marker(m.group(1)) if m.group(1) in labels else m.group(0), text)


def read_txt_text(text: str) -> RawDoc:
    """Parse decoded text into a RawDoc."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_markdown(text)
    chunks = regex.split(r"\n[ \t\u00a0]*\n", text)
    paras: list[str] = []
    for ch in chunks:
        p = _paragraph_text(ch)
        if p:
            paras.extend(x for x in p.split("\n\n") if x.strip())
    body: list[str] = []
    notes: list[RawFootnote] = []
    join_next = False
    for p in paras:
        m = _FN_PARA_RE.match(p)
        if m:
            label = (m.group(1) or "").translate(_SUP_TO_DIGIT) or m.group(2)
            notes.append(RawFootnote(label=label, text=p[m.end() :].replace("\n", " ")))
            join_next = bool(body) and ENDS_SENTENCE_RE.search(body[-1]) is None
            continue
        if join_next and body and p[:1].islower():
            body[-1] = body[-1].rstrip() + " " + p.lstrip()
        else:
            body.append(p)
        join_next = False
    labels = {n.label for n in notes}
    blocks: list[RawBlock] = []
    for p in body:
        blocks.append(RawBlock(kind=classify(p), text=_mark_body(p, labels) if labels else p, page=None))
    return RawDoc(blocks=blocks, footnotes=notes, n_pages=0)


def read_txt(data: bytes, path: str, max_chars: Optional[int] = None) -> tuple[RawDoc, Optional[str]]:
    text, enc = decode_text(data, path)
    if max_chars is not None and len(text) > max_chars:
        raise ReadError("too_large", f"has {len(text)} characters of text, over the {max_chars} character limit", path)
    if not text.strip():
        raise ReadError("empty", "contains no text (only whitespace)", path)
    raw = read_txt_text(text)
    if enc not in ("utf-8", "utf-8-sig"):
        raw.warnings.append(f"decoded as {enc}")
    return raw, enc
