"""Write a Vietnamese administrative document (thể thức per Nghị định 30/2020/NĐ-CP) as DOCX,
and render a DOCX to PDF with LibreOffice.

A plan is described in plain Python (no python-docx objects leak out):

* :class:`HeaderSpec` — the header block (issuing body, "Số:", national motto, place-date
  line), the document type ("KẾ HOẠCH") and the title lines;
* a sequence of :class:`Para` — body paragraphs whose ``text`` carries a tiny inline markup:
  ``**bold**``, ``*italic*``, ``[^1]`` (reference to footnote ``"1"``) and ``\\n`` (line break);
* ``footnotes`` — ``{label: text}`` (the label is the one used in ``[^label]``; Word numbers
  footnotes itself, in order of first reference);
* an optional :class:`SignatureSpec` — "Nơi nhận:" list and the signing block.

:func:`build_docx` writes a deterministic DOCX (fixed core-property dates, fixed zip entry
times) with real Word footnotes (``word/footnotes.xml``), Times New Roman everywhere, A4
paper, borderless two-column header and signature tables, and a PAGE field in the page header
of every page except the first.  :func:`render_pdf` converts it with ``soffice --headless``
and pins the PDF's creation date and file ID so that re-rendering is reproducible.
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

import regex
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

__all__ = [
    "DocStyle",
    "HeaderSpec",
    "Para",
    "SignatureSpec",
    "build_docx",
    "render_pdf",
    "pin_pdf_metadata",
    "pdf_fonts",
    "FIXED_DATE",
    "MOTTO",
]

FIXED_DATE = dt.datetime(2025, 1, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
MOTTO: tuple[str, str] = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")

FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class DocStyle:
    """Typography and page geometry (defaults follow ND 30/2020 Appendix I)."""

    font: str = "Times New Roman"
    body_pt: float = 14
    header_pt: float = 13  # issuing body, "Số:", motto, place-date
    footnote_pt: float = 12
    recipients_pt: float = 11
    recipients_heading_pt: float = 12
    page_number_pt: float = 13
    first_line_cm: float = 1.0
    space_before_pt: float = 6
    line_spacing: float = 1.1
    margin_top_cm: float = 2.0
    margin_bottom_cm: float = 2.0
    margin_left_cm: float = 3.0
    margin_right_cm: float = 2.0
    header_left_cm: float = 6.0  # width of the left column of header/signature tables
    signature_left_cm: float = 7.5
    language: str = "vi-VN"

    @property
    def text_width_cm(self) -> float:
        return 21.0 - self.margin_left_cm - self.margin_right_cm


@dataclass(frozen=True)
class HeaderSpec:
    """Header block and title of an administrative document.

    ``number`` and ``place_date`` are printed as given (keep the blanks of a draft, e.g.
    ``"Số:    /KH-UBND"``, ``"Quảng Nam, ngày    tháng    năm 2025"``).
    """

    issuer: tuple[str, ...]  # ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NAM")
    number: str  # "Số:    /KH-UBND"
    place_date: str  # "Quảng Nam, ngày    tháng    năm 2025"
    doc_type: str  # "KẾ HOẠCH"
    title: tuple[str, ...]  # ("Triển khai công tác đối ngoại tỉnh Quảng Nam năm 2025",)
    motto: tuple[str, ...] = MOTTO
    subject: Optional[str] = None  # công văn "V/v ..." line under the number


@dataclass(frozen=True)
class Para:
    """One body paragraph.

    ``kind``: ``"body"`` (justified, first-line indent), ``"heading"`` (bold, same indent),
    ``"center"`` (centered, no indent). ``level`` is informative (1 = I., 2 = 1., 3 = a),
    4 = -, 5 = +, 0 = none); ``bold``/``italic`` apply to the whole paragraph.
    """

    text: str
    kind: str = "body"
    level: int = 0
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class SignatureSpec:
    recipients: tuple[str, ...]  # ("- Bộ Ngoại giao;", ...)
    capacity: tuple[str, ...]  # ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    signer: str
    recipients_heading: str = "Nơi nhận:"
    notes: tuple[str, ...] = ()  # lines printed after the recipients, e.g. ("(b/c)",)
    signature_space_lines: int = 4


# --------------------------------------------------------------------------- inline markup

_INLINE = regex.compile(r"\*\*|\*|\[\^([0-9A-Za-z]{1,8})\]")


@dataclass(frozen=True)
class _Span:
    text: str = ""
    bold: bool = False
    italic: bool = False
    footnote: Optional[str] = None  # label when this span is a footnote reference


def parse_inline(text: str) -> list[_Span]:
    """Split inline markup into formatted spans (linear scan, no backtracking)."""
    spans: list[_Span] = []
    bold = italic = False
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            spans.append(_Span(text[pos : m.start()], bold, italic))
        tok = m.group(0)
        if tok == "**":
            bold = not bold
        elif tok == "*":
            italic = not italic
        else:
            spans.append(_Span("", bold, italic, footnote=m.group(1)))
        pos = m.end()
    if pos < len(text):
        spans.append(_Span(text[pos:], bold, italic))
    return spans


# --------------------------------------------------------------------------- low-level XML helpers


def _rfonts_xml(font: str) -> str:
    return (
        f'<w:rFonts {nsdecls("w")} w:ascii="{font}" w:hAnsi="{font}" '
        f'w:cs="{font}" w:eastAsia="{font}"/>'
    )


def _set_run_font(rpr, font: str) -> None:
    old = rpr.find(qn("w:rFonts"))
    new = parse_xml(_rfonts_xml(font))
    if old is not None:
        rpr.replace(old, new)
    else:
        rpr.insert(0, new)


def _setup_styles(doc, style: DocStyle) -> None:
    styles_el = doc.styles.element
    half = str(int(round(style.body_pt * 2)))
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_font(rpr, style.font)
    rpr.find(qn("w:sz")).set(qn("w:val"), half)
    rpr.find(qn("w:szCs")).set(qn("w:val"), half)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), style.language)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    sp = ppr.find(qn("w:spacing"))
    sp.set(qn("w:after"), "0")
    sp.set(qn("w:line"), "240")
    sp.set(qn("w:lineRule"), "auto")

    normal = doc.styles["Normal"].element
    nrpr = normal.get_or_add_rPr()
    _set_run_font(nrpr, style.font)
    for tag in ("w:sz", "w:szCs"):
        el = nrpr.find(qn(tag))
        if el is None:
            el = parse_xml(f'<{tag} {nsdecls("w")} w:val="{half}"/>')
            nrpr.append(el)
        else:
            el.set(qn("w:val"), half)

    fn_half = str(int(round(style.footnote_pt * 2)))
    pn_half = str(int(round(style.page_number_pt * 2)))
    extra = [
        f"""<w:style {nsdecls("w")} w:type="paragraph" w:styleId="FootnoteText">
  <w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:link w:val="FootnoteTextChar"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/></w:pPr>
  <w:rPr><w:sz w:val="{fn_half}"/><w:szCs w:val="{fn_half}"/></w:rPr>
</w:style>""",
        f"""<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="FootnoteTextChar">
  <w:name w:val="Footnote Text Char"/><w:basedOn w:val="DefaultParagraphFont"/><w:link w:val="FootnoteText"/>
  <w:uiPriority w:val="99"/>
  <w:rPr><w:sz w:val="{fn_half}"/><w:szCs w:val="{fn_half}"/></w:rPr>
</w:style>""",
        f"""<w:style {nsdecls("w")} w:type="character" w:styleId="FootnoteReference">
  <w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
  <w:rPr><w:vertAlign w:val="superscript"/></w:rPr>
</w:style>""",
        f"""<w:style {nsdecls("w")} w:type="character" w:styleId="PageNumber">
  <w:name w:val="page number"/><w:basedOn w:val="DefaultParagraphFont"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
  <w:rPr><w:sz w:val="{pn_half}"/><w:szCs w:val="{pn_half}"/></w:rPr>
</w:style>""",
    ]
    for xml in extra:
        styles_el.append(parse_xml(xml))


def _setup_settings(doc) -> None:
    settings = doc.settings.element
    fpr = parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    )
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(fpr)
    else:
        settings.append(fpr)
    # the template carries a random-looking rsid list and a preview flag: drop them
    for tag in ("w:rsids", "w:savePreviewPicture"):
        el = settings.find(qn(tag))
        if el is not None:
            settings.remove(el)


def _footnotes_xml(notes: Sequence[tuple[int, str]], style: DocStyle) -> bytes:
    body = [
        f'<w:footnotes xmlns:w="{_W_NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:r><w:separator/></w:r></w:p></w:footnote>",
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>",
    ]
    for fid, text in notes:
        runs = []
        for span in parse_inline(text):
            if span.footnote is not None or not span.text:
                continue
            rpr = ("<w:b/>" if span.bold else "") + ("<w:i/>" if span.italic else "")
            rpr_xml = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
            runs.append(f'<w:r>{rpr_xml}<w:t xml:space="preserve">{_xml_escape(span.text)}</w:t></w:r>')
        body.append(
            f'<w:footnote w:id="{fid}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/>'
            f'<w:ind w:firstLine="{int(style.first_line_cm * 567)}"/></w:pPr>'
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r>' + "".join(runs) + "</w:p></w:footnote>"
        )
    body.append("</w:footnotes>")
    return ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + "".join(body)).encode("utf-8")


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _add_footnotes_part(doc, notes: Sequence[tuple[int, str]], style: DocStyle) -> None:
    part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, _footnotes_xml(notes, style), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)


def _no_borders(table: Table) -> None:
    tblPr = table._tbl.tblPr
    for old in tblPr.findall(qn("w:tblBorders")):
        tblPr.remove(old)
    sides = "".join(
        f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tblPr.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>{sides}</w:tblBorders>'))
    style_el = tblPr.find(qn("w:tblStyle"))
    if style_el is not None:
        tblPr.remove(style_el)
    for old in tblPr.findall(qn("w:tblLayout")):
        tblPr.remove(old)
    tblPr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    cell_mar = (
        f'<w:tblCellMar {nsdecls("w")}><w:left w:w="57" w:type="dxa"/>'
        '<w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
    )
    tblPr.append(parse_xml(cell_mar))
    _sort_children(tblPr, _TBLPR_ORDER)


def _two_col_table(doc, left_cm: float, total_cm: float, rows: int) -> Table:
    table = doc.add_table(rows=rows, cols=2)
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Cm(left_cm), Cm(total_cm - left_cm))
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(w.twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w
    _no_borders(table)
    return table


def _fmt(p: Paragraph, *, align=None, first_line_cm: float = 0.0, before: float = 0.0,
         after: float = 0.0, line: float = 1.0) -> None:
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.first_line_indent = Cm(first_line_cm) if first_line_cm else None
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing = line


def _add_text(p: Paragraph, text: str, *, size: Optional[float] = None, bold: bool = False,
              italic: bool = False, footnote_ids: Optional[Mapping[str, int]] = None) -> None:
    for span in parse_inline(text):
        if span.footnote is not None:
            fid = (footnote_ids or {}).get(span.footnote)
            if fid is None:
                raise KeyError(f"footnote [^{span.footnote}] has no text")
            r = p.add_run()
            rpr = r._r.get_or_add_rPr()
            rpr.append(parse_xml(f'<w:rStyle {nsdecls("w")} w:val="FootnoteReference"/>'))
            if size:
                r.font.size = Pt(size)
            r._r.append(parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="{fid}"/>'))
            continue
        if not span.text:
            continue
        r = p.add_run(span.text)
        r.bold = True if (bold or span.bold) else None
        r.italic = True if (italic or span.italic) else None
        if size:
            r.font.size = Pt(size)


def _rule(p: Paragraph, width_cm: float, col_cm: float) -> None:
    """Turn an empty paragraph into a short centered horizontal line of ``width_cm``."""
    side = max(0.0, (col_cm - width_cm) / 2)
    pf = p.paragraph_format
    pf.left_indent = Cm(side)
    pf.right_indent = Cm(side)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    ppr = p._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
        )
    )
    # tiny paragraph mark so the line sits right under the text above
    ppr.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:sz w:val="8"/><w:szCs w:val="8"/></w:rPr>'))
    _fix_ppr_order(ppr)


_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
]


_TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
    "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
    "tblLook", "tblCaption", "tblDescription",
]


def _sort_children(el, order: Sequence[str]) -> None:
    """Reorder children to the schema sequence (Word rejects out-of-order properties)."""
    rank = {qn("w:" + t): i for i, t in enumerate(order)}
    kids = list(el)
    kids.sort(key=lambda k: rank.get(k.tag, len(rank)))
    for k in kids:
        el.remove(k)
    for k in kids:
        el.append(k)


def _fix_ppr_order(ppr) -> None:
    _sort_children(ppr, _PPR_ORDER)


def _add_page_number_header(section, style: DocStyle) -> None:
    section.different_first_page_header_footer = True
    first = section.first_page_header  # explicit empty first-page header
    first.paragraphs[0].text = ""
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER)
    runs_xml = [
        '<w:r><w:rPr><w:rStyle w:val="PageNumber"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r><w:rPr><w:rStyle w:val="PageNumber"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        '<w:r><w:rPr><w:rStyle w:val="PageNumber"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>',
        '<w:r><w:rPr><w:rStyle w:val="PageNumber"/><w:noProof/></w:rPr><w:t>2</w:t></w:r>',
        '<w:r><w:rPr><w:rStyle w:val="PageNumber"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    for x in runs_xml:
        p._p.append(parse_xml(x.replace("<w:r>", f'<w:r {nsdecls("w")}>', 1)))


# --------------------------------------------------------------------------- document parts


def _write_header(doc, header: HeaderSpec, style: DocStyle) -> None:
    width = style.text_width_cm
    left_cm = style.header_left_cm
    right_cm = width - left_cm
    hp = style.header_pt
    table = _two_col_table(doc, left_cm, width, rows=2)
    (c_issuer, c_motto), (c_number, c_date) = (tuple(r.cells) for r in table.rows)

    p = c_issuer.paragraphs[0]
    for i, line in enumerate(header.issuer):
        if i:
            p = c_issuer.add_paragraph()
        _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER)
        _add_text(p, line, size=hp, bold=True)
    _rule(c_issuer.add_paragraph(), 2.2, left_cm)

    p = c_motto.paragraphs[0]
    for i, line in enumerate(header.motto):
        if i:
            p = c_motto.add_paragraph()
        _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER)
        _add_text(p, line, size=hp if i == 0 else hp + 1, bold=True)
    _rule(c_motto.add_paragraph(), 6.0, right_cm)

    p = c_number.paragraphs[0]
    _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    _add_text(p, header.number, size=hp)
    if header.subject:
        p = c_number.add_paragraph()
        _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER)
        _add_text(p, header.subject, size=12)

    p = c_date.paragraphs[0]
    _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    _add_text(p, header.place_date, size=hp + 1, italic=True)

    p = doc.add_paragraph()
    _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER, before=18)
    _add_text(p, header.doc_type, size=style.body_pt, bold=True)
    for line in header.title:
        p = doc.add_paragraph()
        _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER)
        _add_text(p, line, size=style.body_pt, bold=True)
    _rule(doc.add_paragraph(), 4.0, width)


def _write_body(doc, paragraphs: Sequence[Para], footnote_ids: Mapping[str, int], style: DocStyle) -> None:
    for i, para in enumerate(paragraphs):
        p = doc.add_paragraph()
        before = style.space_before_pt + (6 if i == 0 else 0)
        if para.kind == "center":
            _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER, before=before, line=style.line_spacing)
        else:
            _fmt(p, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_cm=style.first_line_cm,
                 before=before, line=style.line_spacing)
        if para.kind == "heading":
            p.paragraph_format.keep_with_next = True
        _add_text(p, para.text, bold=para.bold or para.kind == "heading", italic=para.italic,
                  footnote_ids=footnote_ids)


def _write_signature(doc, sig: SignatureSpec, style: DocStyle) -> None:
    width = style.text_width_cm
    spacer = doc.add_paragraph()
    _fmt(spacer)
    table = _two_col_table(doc, style.signature_left_cm, width, rows=1)
    c_left, c_right = table.rows[0].cells
    p = c_left.paragraphs[0]
    _fmt(p, before=6)
    _add_text(p, sig.recipients_heading, size=style.recipients_heading_pt, bold=True, italic=True)
    for line in (*sig.recipients, *sig.notes):
        p = c_left.add_paragraph()
        _fmt(p)
        _add_text(p, line, size=style.recipients_pt)
    p = c_right.paragraphs[0]
    for i, line in enumerate(sig.capacity):
        if i:
            p = c_right.add_paragraph()
        _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER, before=6 if i == 0 else 0)
        _add_text(p, line, size=style.body_pt, bold=True)
    for _ in range(sig.signature_space_lines):
        _fmt(c_right.add_paragraph())
    p = c_right.add_paragraph()
    _fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER)
    _add_text(p, sig.signer, size=style.body_pt, bold=True)


def _footnote_order(paragraphs: Sequence[Para], footnotes: Mapping[str, str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for para in paragraphs:
        for span in parse_inline(para.text):
            if span.footnote is not None and span.footnote not in ids:
                if span.footnote not in footnotes:
                    raise KeyError(f"footnote [^{span.footnote}] has no text")
                ids[span.footnote] = len(ids) + 1
    return ids


def _set_core(doc, header: HeaderSpec, created: dt.datetime, style: DocStyle) -> None:
    cp = doc.core_properties
    cp.author = ""
    cp.last_modified_by = ""
    cp.comments = ""
    cp.keywords = ""
    cp.subject = ""
    cp.category = ""
    cp.title = " ".join((header.doc_type, *header.title)).strip()
    cp.language = style.language
    cp.revision = 1
    naive = created.astimezone(dt.timezone.utc).replace(tzinfo=None)
    cp.created = naive
    cp.modified = naive
    cp.last_printed = naive


def _drop_thumbnail(doc) -> None:
    pkg = doc.part.package
    for rel_id, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rel_id]


def _normalize_zip(path: Path, when: dt.datetime) -> None:
    """Rewrite the zip with fixed entry times so identical input gives identical bytes."""
    stamp = when.astimezone(dt.timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(path) as zin:
        items = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    tmp = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    os.replace(tmp, path)


def build_docx(
    paragraphs: Sequence[Para],
    footnotes: Mapping[str, str],
    header: HeaderSpec,
    out_path: Path | str,
    signature: Optional[SignatureSpec] = None,
    *,
    style: DocStyle = DocStyle(),
    created: dt.datetime = FIXED_DATE,
) -> Path:
    """Write an administrative document as DOCX and return its path.

    ``paragraphs`` are the body paragraphs (between the title and the "Nơi nhận" block),
    ``footnotes`` maps the labels used in ``[^label]`` markers to the footnote texts (every
    referenced label must be present; unreferenced ones are ignored). Output is
    byte-for-byte deterministic for a given input and ``created`` date.
    """
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    _drop_thumbnail(doc)
    _setup_styles(doc, style)
    _setup_settings(doc)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(style.margin_top_cm)
    section.bottom_margin = Cm(style.margin_bottom_cm)
    section.left_margin = Cm(style.margin_left_cm)
    section.right_margin = Cm(style.margin_right_cm)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)
    _add_page_number_header(section, style)

    # python-docx's Document() starts with no paragraphs; the header table comes first
    fid = _footnote_order(paragraphs, footnotes)
    _write_header(doc, header, style)
    _write_body(doc, paragraphs, fid, style)
    if signature is not None:
        _write_signature(doc, signature, style)
    _add_footnotes_part(doc, [(i, footnotes[label]) for label, i in fid.items()], style)
    _set_core(doc, header, created, style)
    doc.save(str(out))
    _normalize_zip(out, created)
    return out


# --------------------------------------------------------------------------- PDF


def _pdf_date(when: dt.datetime) -> bytes:
    return when.astimezone(dt.timezone.utc).strftime("D:%Y%m%d%H%M%S").encode("ascii")


def pin_pdf_metadata(pdf: Path, when: dt.datetime = FIXED_DATE) -> None:
    """Replace the creation date and file ID in place with fixed same-length values.

    Lengths are preserved so the cross-reference offsets stay valid.
    """
    data = pdf.read_bytes()
    date = _pdf_date(when)

    def _date(m: "regex.Match[bytes]") -> bytes:
        n = len(m.group(2))
        return m.group(1) + (date + b"+00'00'").ljust(n, b" ")[:n] + b")"

    data = regex.sub(rb"(/(?:CreationDate|ModDate)\s{0,4}\()(D:[0-9+\-Z' ]{4,30})\)", _date, data)

    data = regex.sub(rb"(?<=/DocChecksum\s{0,4}/)[0-9A-Fa-f]{8,64}", lambda m: b"0" * len(m.group(0)), data)

    def _id(m: "regex.Match[bytes]") -> bytes:
        return regex.sub(rb"<[0-9A-Fa-f]{8,64}>", lambda h: b"<" + b"0" * (len(h.group(0)) - 2) + b">", m.group(0))

    data = regex.sub(rb"/ID\s{0,4}\[\s{0,4}<[0-9A-Fa-f]{8,64}>\s{0,4}<[0-9A-Fa-f]{8,64}>\s{0,4}\]", _id, data)
    data = regex.sub(
        rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)([^<]{4,40})(</xmp:)",
        lambda m: m.group(1) + (when.strftime("%Y-%m-%dT%H:%M:%S").encode() + b"Z").ljust(len(m.group(2)), b" ")[: len(m.group(2))] + m.group(3),
        data,
    )
    pdf.write_bytes(data)


def render_pdf(
    docx_path: Path | str,
    out_dir: Path | str,
    *,
    soffice: Optional[str] = None,
    timeout: float = 240.0,
    created: dt.datetime = FIXED_DATE,
) -> Path:
    """Convert ``docx_path`` to PDF in ``out_dir`` with LibreOffice headless; return the PDF path.

    Uses a throw-away LibreOffice profile (safe to run beside another soffice) and pins the
    PDF's dates and ID (:func:`pin_pdf_metadata`). Raises ``FileNotFoundError`` when soffice
    is not installed and ``RuntimeError`` when the conversion fails.
    """
    exe = soffice or shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise FileNotFoundError("LibreOffice (soffice) not found on PATH")
    src = Path(docx_path).resolve()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as prof:
        cmd = [
            exe,
            f"-env:UserInstallation=file://{prof}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out),
            str(src),
        ]
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(created.timestamp())), TZ="UTC")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    pdf = out / (src.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"soffice failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    pin_pdf_metadata(pdf, created)
    fallback = sorted(f for f in pdf_fonts(pdf) if not _EXPECTED_FONT.search(f))
    if fallback:
        warnings.warn(
            f"{pdf.name}: LibreOffice fell back to {', '.join(fallback)} for some glyphs; "
            "install a Times-compatible font with Vietnamese coverage (Debian: fonts-liberation2)",
            stacklevel=2,
        )
    return pdf


_EXPECTED_FONT = regex.compile(r"Times|Liberation ?Serif|Tinos|TeXGyreTermes|OpenSymbol", regex.I)
_BASEFONT = regex.compile(rb"/BaseFont\s{0,4}/(?:[A-Z]{6}\+)?([^\s/<>\[\]()]{1,80})")


def pdf_fonts(pdf: Path | str) -> set[str]:
    """Names of the fonts a PDF uses (subset prefixes removed)."""
    data = Path(pdf).read_bytes()
    return {m.group(1).decode("latin-1") for m in _BASEFONT.finditer(data)}
