"""DOCX reader (python-docx package access + lxml walking of the body XML).

* Body paragraphs AND tables in document order (nested tables recursed; each
  non-empty cell is one ``table_cell`` block, its paragraphs joined by "\\n").
* Real footnotes from the footnotes part (separator footnotes skipped),
  anchored at their ``w:footnoteReference``; endnotes likewise.
* Page headers/footers and field codes (PAGE, TOC instructions) are ignored;
  deleted revisions are skipped, inserted ones kept.
* Safety: the zip's total uncompressed size is checked before anything is
  parsed, and XML parts declaring a DTD/entities are refused.
"""
from __future__ import annotations

import io
import zipfile
from typing import Iterator, Optional

from lxml import etree

from pipeline.errors import ReadError
from pipeline.legacy import convert_legacy, legacy_font
from pipeline.readers.common import RawBlock, RawDoc, RawFootnote, ReadLimits, classify, marker
from pipeline.readers.docx_numbering import W, Numbering

_W = "{%s}" % W
_P, _TBL, _TR, _TC, _R, _T = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "r", _W + "t"
_SKIP = {_W + "del", _W + "moveFrom", _W + "pPr", _W + "rPr", _W + "tblPr", _W + "tblGrid", _W + "trPr", _W + "tcPr", _W + "sectPr", _W + "proofErr", _W + "bookmarkStart", _W + "bookmarkEnd", _W + "commentRangeStart", _W + "commentRangeEnd", _W + "commentReference"}
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)


# Markup Word never writes; a part declaring a DTD or entities is refused (XXE, billion laughs), whatever
# its encoding (UTF-8, or UTF-16 in either byte order) and wherever it sits in the part.
_DTD_NEEDLES = tuple(n.encode(enc) for n in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_NEEDLE_OVERLAP = max(len(n) for n in _DTD_NEEDLES)
_MAX_PARTS = 10_000  # a real DOCX has tens of parts; a zip with more is not a Word document
_CHUNK = 1 << 20


def _check_package(data: bytes, path: str, limits: ReadLimits) -> None:
    """Refuse zip bombs and DTDs before python-docx or lxml sees the package.

    1. The sizes the central directory declares must add up to at most ``limits.max_uncompressed_bytes``.
    2. Declared sizes can lie, so every part is then inflated in 1 MB chunks (nothing kept) while the
       real total is counted against the same limit: inflation stops as soon as it is exceeded.
    3. XML parts are scanned, across chunk boundaries, for ``<!DOCTYPE`` / ``<!ENTITY``.
    """
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise ReadError("corrupt", f"is not a valid DOCX zip package ({e})", path)
    limit = limits.max_uncompressed_bytes
    with z:
        infos = z.infolist()
        if len(infos) > _MAX_PARTS:
            raise ReadError("too_large", f"is a zip of {len(infos)} parts, over the {_MAX_PARTS}-part limit (not a Word document)", path)
        declared = sum(i.file_size for i in infos)
        if declared > limit:
            raise ReadError(
                "too_large",
                f"would expand to {declared / 1e6:.0f} MB when unzipped, over the {limit / 1e6:.0f} MB limit (possible zip bomb)",
                path,
            )
        actual = 0
        for i in infos:
            if i.is_dir():
                continue
            scan = i.filename.lower().endswith((".xml", ".rels"))
            tail = b""
            try:
                with z.open(i) as f:
                    while chunk := f.read(_CHUNK):
                        actual += len(chunk)
                        if actual > limit:
                            raise ReadError(
                                "too_large",
                                f"inflates to over {limit / 1e6:.0f} MB although its directory declares {declared / 1e6:.1f} MB (zip bomb); refused",
                                path,
                            )
                        if scan:
                            window = tail + chunk
                            if any(n in window for n in _DTD_NEEDLES):
                                raise ReadError("corrupt", f"part {i.filename} declares a DTD/entities, which Word never writes; refused as unsafe", path)
                            tail = window[-_NEEDLE_OVERLAP:]
            except ReadError:
                raise
            except NotImplementedError as e:  # unknown compression method
                raise ReadError("corrupt", f"has a part {i.filename} in an unsupported zip compression ({e})", path)
            except RuntimeError as e:  # encrypted zip member
                raise ReadError("encrypted", f"has an encrypted part {i.filename}; it cannot be read", path) if "encrypted" in str(e) else ReadError("corrupt", f"has a damaged part {i.filename} ({e})", path)
            except (zipfile.BadZipFile, OSError, EOFError) as e:
                raise ReadError("corrupt", f"has a damaged part {i.filename} ({e})", path)
            except Exception as e:  # zlib.error and friends
                raise ReadError("corrupt", f"has a damaged part {i.filename} ({type(e).__name__}: {e})", path)


def _parse(blob: bytes, what: str, path: str) -> etree._Element:
    try:
        return etree.fromstring(blob, _SAFE_PARSER)
    except etree.XMLSyntaxError as e:
        raise ReadError("corrupt", f"has malformed XML in {what} ({e})", path)


def _legacy_run_font(r: etree._Element):
    """(encoding, upper) when the run's own font (w:rPr/w:rFonts) is a TCVN3/VNI font, else None."""
    rpr = r.find(_W + "rPr")
    fonts = rpr.find(_W + "rFonts") if rpr is not None else None
    if fonts is None:
        return None
    name = fonts.get(_W + "hAnsi") or fonts.get(_W + "ascii")
    return legacy_font(name) if name else None


class _Walker:
    """Extract text from WordprocessingML elements."""

    def __init__(self, numbering: Optional[Numbering] = None) -> None:
        self.numbering = numbering if numbering is not None else Numbering(None)
        self.in_field_instr = 0  # depth of complex fields currently in the instruction part
        self.field_stack: list[str] = []  # "instr" | "result"
        self.legacy_runs = 0  # runs converted from TCVN3/VNI fonts (".VnTime", "VNI-Times")

    def run_text(self, r: etree._Element, out: list[str]) -> None:
        start = len(out)
        self._run_text(r, out)
        legacy = _legacy_run_font(r)
        if legacy is not None and len(out) > start:
            seg = "".join(out[start:])
            del out[start:]
            out.append(convert_legacy(seg, legacy[0], upper=legacy[1]))
            self.legacy_runs += 1

    def _run_text(self, r: etree._Element, out: list[str]) -> None:
        for ch in r:
            tag = ch.tag
            if tag == _W + "fldChar":
                t = ch.get(_W + "fldCharType")
                if t == "begin":
                    self.field_stack.append("instr")
                elif t == "separate" and self.field_stack:
                    self.field_stack[-1] = "result"
                elif t == "end" and self.field_stack:
                    self.field_stack.pop()
                continue
            if self.field_stack and self.field_stack[-1] == "instr":
                continue
            if tag == _T:
                out.append(ch.text or "")
            elif tag == _W + "tab" or tag == _W + "ptab":
                out.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                if ch.get(_W + "type") not in ("page", "column"):
                    out.append("\n")
            elif tag == _W + "noBreakHyphen":
                out.append("-")
            elif tag == _W + "softHyphen":
                pass
            elif tag == _W + "sym":
                c = ch.get(_W + "char")
                if c:
                    try:
                        cp = int(c, 16)
                        if cp >= 0xF000:
                            cp -= 0xF000
                        if cp >= 0x20:
                            out.append(chr(cp))
                    except ValueError:
                        pass
            elif tag == _W + "footnoteReference" or tag == _W + "endnoteReference":
                fid = ch.get(_W + "id")
                if fid is not None:
                    prefix = "" if tag == _W + "footnoteReference" else "e"
                    out.append(marker(prefix + fid))
            elif tag == _W + "footnoteRef" or tag == _W + "endnoteRef":
                pass  # the number printed inside the footnote itself

    def para_text(self, p: etree._Element) -> str:
        """The paragraph's text, with the label Word's automatic numbering prints before it ("I.", "a)", "-")."""
        out: list[str] = []
        label = self.numbering.label(p)  # (called for every paragraph, in order: it advances the counts)
        self._inline(p, out)
        text = "".join(out)
        return f"{label} {text}" if label and text.strip() else text

    def _inline(self, el: etree._Element, out: list[str]) -> None:
        for ch in el:
            tag = ch.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            if tag == _R:
                self.run_text(ch, out)
            elif tag == _W + "fldSimple":
                instr = (ch.get(_W + "instr") or "").strip().upper()
                if instr.startswith(("PAGE", "NUMPAGES", "SECTIONPAGES")):
                    continue
                self._inline(ch, out)
            elif tag.endswith("}AlternateContent"):
                fb = [c for c in ch if isinstance(c.tag, str) and c.tag.endswith("}Fallback")]
                if fb:
                    self._inline(fb[0], out)
            elif tag in (_P, _TBL):
                continue  # text boxes etc. inside runs are handled by drawings: skipped
            else:  # hyperlink, ins, smartTag, sdt/sdtContent, customXml, moveTo ...
                self._inline(ch, out)


def _cell_paragraphs(tc: etree._Element, walker: _Walker) -> Iterator[str]:
    for ch in tc:
        if ch.tag == _P:
            yield walker.para_text(ch)
        elif ch.tag == _TBL:
            for row in _rows(ch, walker):
                for cell in row:
                    yield cell
        elif ch.tag == _W + "sdt":
            content = ch.find(_W + "sdtContent")
            if content is not None:
                yield from _cell_paragraphs(content, walker)


def _row_elements(tbl: etree._Element) -> Iterator[etree._Element]:
    for ch in tbl:
        if ch.tag == _TR:
            yield ch
        elif ch.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _row_elements(ch)


def _cell_elements(tr: etree._Element) -> Iterator[etree._Element]:
    for ch in tr:
        if ch.tag == _TC:
            yield ch
        elif ch.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _cell_elements(ch)


def _rows(tbl: etree._Element, walker: _Walker) -> Iterator[list[str]]:
    for tr in _row_elements(tbl):
        yield ["\n".join(t for t in _cell_paragraphs(tc, walker) if t.strip()) for tc in _cell_elements(tr)]


def _body_blocks(body: etree._Element, walker: _Walker) -> Iterator[RawBlock]:
    for ch in body:
        tag = ch.tag
        if tag == _P:
            text = walker.para_text(ch)
            if text.strip():
                yield RawBlock(kind=classify(text), text=text)
        elif tag == _TBL:
            for row in _rows(ch, walker):
                for cell in row:
                    if cell.strip():
                        yield RawBlock(kind="table_cell", text=cell)
        elif tag in (_W + "sdt",):
            content = ch.find(_W + "sdtContent")
            if content is not None:
                yield from _body_blocks(content, walker)
        elif tag in (_W + "customXml", _W + "ins", _W + "moveTo"):
            yield from _body_blocks(ch, walker)


def _notes(root: Optional[etree._Element], kind: str, walker: _Walker) -> list[RawFootnote]:
    out: list[RawFootnote] = []
    if root is None:
        return out
    prefix = "" if kind == "footnote" else "e"
    for fn in root:
        if fn.tag != _W + kind:
            continue
        if fn.get(_W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        fid = fn.get(_W + "id")
        if fid is None:
            continue
        paras = [walker.para_text(p) for p in fn.iter(_P)]
        text = " ".join(t.strip() for t in paras if t.strip())
        if text:
            out.append(RawFootnote(label=prefix + fid, text=text))
    return out


def _n_pages(z: zipfile.ZipFile, path: str) -> int:
    try:
        blob = z.read("docProps/app.xml")
    except KeyError:
        return 0
    try:
        root = _parse(blob, "docProps/app.xml", path)
    except ReadError:
        return 0
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.endswith("}Pages") and el.text and el.text.strip().isdigit():
            return int(el.text.strip())
    return 0


def read_docx(data: bytes, path: str, limits: ReadLimits) -> RawDoc:
    _check_package(data, path, limits)
    import docx  # python-docx: package/relationship resolution

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises a variety of errors on broken packages
        raise ReadError("corrupt", f"could not be opened as a Word document ({type(e).__name__}: {e})", path)
    part = d.part
    body = d.element.body
    # the package parts the text needs, by relationship type (numbering, styles, footnotes, endnotes)
    parts = {rel.reltype.rsplit("/", 1)[-1]: rel.target_part for rel in part.rels.values() if not rel.is_external}

    def root(kind: str) -> Optional[etree._Element]:
        return _parse(parts[kind].blob, f"the {kind} part", path) if kind in parts else None

    walker = _Walker(Numbering(root("numbering"), root("styles")))
    blocks = list(_body_blocks(body, walker))
    n_chars = sum(len(b.text) for b in blocks)
    if n_chars > limits.max_chars:  # refuse before normalization multiplies the memory
        raise ReadError("too_large", f"has {n_chars} characters of text, over the {limits.max_chars} character limit", path)
    notes = _notes(root("footnotes"), "footnote", walker) + _notes(root("endnotes"), "endnote", walker)
    # Renumber footnotes by order of first reference so labels read 1, 2, 3 as printed.
    order: list[str] = []
    import regex

    for b in blocks:
        for m in regex.finditer("\ue000([^\ue001]{0,12})\ue001", b.text):
            if m.group(1) not in order:
                order.append(m.group(1))
    fn_ids = [i for i in order if not i.startswith("e")]
    en_ids = [i for i in order if i.startswith("e")]
    relabel = {fid: str(k + 1) for k, fid in enumerate(fn_ids)}
    relabel.update({eid: f"e{k + 1}" for k, eid in enumerate(en_ids)})
    if relabel:
        for b in blocks:
            b.text = regex.sub("\ue000([^\ue001]{0,12})\ue001", lambda m: marker(relabel.get(m.group(1), m.group(1))), b.text)
        for n in notes:
            n.label = relabel.get(n.label, n.label)
        rank = {lab: k for k, lab in enumerate(relabel.values())}
        notes.sort(key=lambda n: rank.get(n.label, 10**6))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        n_pages = _n_pages(z, path)
    warnings = [f"{walker.legacy_runs} run(s) in TCVN3/VNI fonts converted to Unicode"] if walker.legacy_runs else []
    return RawDoc(blocks=blocks, footnotes=notes, n_pages=n_pages, warnings=warnings)
