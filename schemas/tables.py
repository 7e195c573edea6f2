"""The single source of truth for every output table (pyarrow schemas).

Each table is declared once as a list of ``Column``: name, pyarrow type and a
one-line description.  ``schema(name)`` builds the ``pyarrow.Schema`` (with the
descriptions attached as field metadata, so they travel inside the Parquet
files), ``describe()`` renders the Markdown reference used in the README.

Spans (``char_start``/``char_end``) always index ``documents.text``-equivalent
normalized text of the document, i.e. what ``plans`` extracted and normalized;
``text`` columns hold the exact substring.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    doc: str


S, I, F, B = pa.string(), pa.int64(), pa.float64(), pa.bool_()

TABLES: dict[str, tuple[str, list[Column]]] = {
    "documents": (
        "One row per ingested file version. Older versions of a modified file stay, with is_current = false.",
        [
            Column("doc_id", S, "First 16 hex digits of the SHA-256 of the file bytes; stable id of this file version."),
            Column("source_path", S, "Path of the file as given to `plans ingest` (relative paths kept relative)."),
            Column("sha256", S, "Full SHA-256 of the file bytes (identity for incremental runs)."),
            Column("format", S, "pdf | docx | txt."),
            Column("province", S, "Province of the issuing body, from the header or the title (Vietnamese name with diacritics)."),
            Column("doc_type", S, "Document type from the header: Kế hoạch, Chương trình, Quyết định, Báo cáo, ..."),
            Column("title", S, "Title (the line(s) after the document type)."),
            Column("number", S, "Document number from 'Số: 58/KH-UBND' ('58'); null when blank (draft)."),
            Column("symbol", S, "Symbol after the slash ('KH-UBND'), kept even when the number is blank."),
            Column("issue_date", S, "Issue date from the place-date line, ISO; partial ('2025') when day or month is blank."),
            Column("year", I, "Year of the plan: the issue date's year, else the one year the title names ('… năm 2025'); null otherwise."),
            Column("place", S, "Place of the place-date line ('Quảng Nam')."),
            Column("issuer", S, "Issuing body from the header ('Ủy ban nhân dân tỉnh Quảng Nam')."),
            Column("signer", S, "Name of the signer."),
            Column("signer_title", S, "Title of the signer ('Chủ tịch', 'Phó Chủ tịch')."),
            Column("signing_capacity", S, "Capacity lines joined ('TM. Ủy ban nhân dân, KT. Chủ tịch')."),
            Column("recipients", S, "'Nơi nhận' list, one recipient per line."),
            Column("n_pages", I, "Number of pages (PDF/DOCX; 1 for TXT)."),
            Column("n_chars", I, "Length of the normalized text (body and footnotes)."),
            Column("n_footnotes", I, "Number of footnotes."),
            Column("version", I, "1 for the first version of a source_path, +1 for each modification."),
            Column("is_current", B, "True for the latest version of the source_path; false once superseded."),
            Column("ingested_at", S, "UTC timestamp (ISO) of the run that ingested this version."),
            Column("warnings", S, "Reader warnings (e.g. pages that needed OCR), one per line."),
        ],
    ),
    "sections": (
        "Section tree of each current document (I., 1., a), -, +).",
        [
            Column("doc_id", S, "Document."),
            Column("section_id", S, "Dotted path of labels, e.g. 'II.1.a'."),
            Column("label", S, "Label as printed: 'II', '1', 'a', '-'."),
            Column("level", I, "1 roman, 2 arabic, 3 letter, 4 dash, 5 plus."),
            Column("title", S, "Heading text."),
            Column("parent", S, "section_id of the parent, null at level 1."),
            Column("char_start", I, "Start of the section's extent."),
            Column("char_end", I, "End of the section's extent."),
        ],
    ),
    "footnotes": (
        "Footnotes separated from the body, with the position of their marker.",
        [
            Column("doc_id", S, "Document."),
            Column("label", S, "Footnote number as printed."),
            Column("text", S, "Footnote text."),
            Column("anchor", I, "Offset in the body where the marker stood."),
            Column("section", S, "section_id at the anchor."),
            Column("char_start", I, "Span of the footnote text."),
            Column("char_end", I, "End of that span."),
        ],
    ),
    "pages": (
        "One row per page of PDF documents: how the text was obtained.",
        [
            Column("doc_id", S, "Document."),
            Column("page", I, "1-based page number."),
            Column("method", S, "text (text layer) | ocr | empty."),
            Column("confidence", F, "Mean Tesseract word confidence (0-100) for OCR pages, null otherwise."),
            Column("n_chars", I, "Characters obtained from the page."),
        ],
    ),
    "citations": (
        "One row per mention of an instrument.",
        [
            Column("doc_id", S, "Citing document."),
            Column("mention", I, "Index of the mention in the document (order of appearance)."),
            Column("symbol", S, "Normalized number and symbol ('59-NQ/TW', '1673/QĐ-UBND', '80/2020/NĐ-CP'); null for named instruments and unresolved short forms."),
            Column("instrument_type", S, "Type from the symbol's type code (Thông báo for TB), else from the cited word."),
            Column("cited_as", S, "Type word as written ('Công văn', 'Chương trình hành động')."),
            Column("type_mismatch", B, "True when the cited type word disagrees with the symbol's type code."),
            Column("number", S, "Number as written ('06')."),
            Column("type_code", S, "Type code of the symbol ('NQ', 'QĐ', 'CTr'); null for a công văn state symbol."),
            Column("issuer_code", S, "Issuer code ('TW', 'TU', 'UBND', 'CP', 'BNG')."),
            Column("year", I, "Year embedded in the symbol ('80/2020/NĐ-CP' → 2020), else null."),
            Column("system", S, "party | normative | administrative | law | named."),
            Column("kind", S, "full (number+symbol) | short ('Quy chế 272') | named (no number: CPTPP, Đại hội XIII ...)."),
            Column("name", S, "Name of a named instrument."),
            Column("date_cited", S, "Date as cited, ISO; null when not cited."),
            Column("issuer_named", S, "Issuing body as named in the text ('Bộ Chính trị')."),
            Column("subject", S, "Subject clause ('về ...')."),
            Column("text", S, "Surface text of the citation."),
            Column("char_start", I, "Span start in the document text."),
            Column("char_end", I, "Span end."),
            Column("section", S, "section_id the citation stands in (footnotes: the anchor's section)."),
            Column("in_footnote", B, "True when the mention is inside a footnote."),
            Column("extra", S, "JSON object of extractor details (issuer before the number, issuer locality, list sharing, law term...)."),
            Column("instrument_id", S, "Canonical instrument (see `instruments`), set by the linker."),
            Column("link_confidence", F, "Linker confidence 0-1."),
            Column("link_evidence", S, "What the linker used to resolve the mention."),
            Column("ambiguous", B, "True when the linker could not decide the instrument (e.g. undated Party symbol, no context)."),
        ],
    ),
    "localities": (
        "Foreign localities and countries named in the documents.",
        [
            Column("doc_id", S, "Document."),
            Column("name", S, "Surface form ('Sê Koong', 'Viêng Chăn')."),
            Column("canonical", S, "Canonical English name ('Sekong', 'Vientiane Capital'; country name for countries)."),
            Column("country", S, "ISO 3166-1 alpha-2 code."),
            Column("kind", S, "province | prefecture | city | region | border gate | capital | ... | country."),
            Column("char_start", I, "Span start."),
            Column("char_end", I, "Span end."),
            Column("section", S, "section_id."),
        ],
    ),
    "dates": (
        "Every date expression, normalized.",
        [
            Column("doc_id", S, "Document."),
            Column("text", S, "Surface text."),
            Column("value", S, "ISO value; partial kept partial ('2025', '--05-15'); periods 'start/end'."),
            Column("kind", S, "instrument_date | deadline | period | horizon | anniversary | event | other."),
            Column("char_start", I, "Span start."),
            Column("char_end", I, "Span end."),
            Column("section", S, "section_id."),
        ],
    ),
    "targets": (
        "Quantitative targets: counts, percentages, amounts.",
        [
            Column("doc_id", S, "Document."),
            Column("text", S, "Clause holding the target."),
            Column("value", F, "Numeric value."),
            Column("comparator", S, "'=', '>=' or '<='; a range ('từ 3 đến 5 đoàn ra') is two rows, its lower bound '>=' and its upper bound '<='."),
            Column("unit", S, "Object counted or unit ('đoàn ra', 'thỏa thuận quốc tế', '%', 'lần/năm'); a magnitude word "
                              "stays in it ('triệu USD', 'nghìn lượt khách quốc tế': value 69 means 69 000 visits)."),
            Column("category", S, "Report category of the unit (đoàn ra, đoàn vào, thỏa thuận quốc tế, hội nghị, hội thảo, ...)."),
            Column("period", S, "Period the target applies to ('2025', '2024-2027', 'per year')."),
            Column("appendix", S, "Appendix reference ('Phụ lục 1')."),
            Column("section", S, "section_id."),
            Column("char_start", I, "Span start."),
            Column("char_end", I, "Span end."),
        ],
    ),
    "instruments": (
        "Canonical instruments: one row per instrument across the corpus.",
        [
            Column("instrument_id", S, "Canonical id, e.g. 'vn-party:TW:XIII:NQ:59', 'vn-adm:UBND@Quảng Nam:2021:QĐ:1673'; '?' marks an undecided part."),
            Column("symbol", S, "Normalized symbol."),
            Column("instrument_type", S, "Type (from the symbol's type code)."),
            Column("number", S, "Number."),
            Column("issuer_code", S, "Issuer code."),
            Column("scope", S, "'national' or the province whose body issued it."),
            Column("year", I, "Year (from the symbol or the date)."),
            Column("date", S, "Date (majority of cited dates, or curated)."),
            Column("issuer", S, "Issuing body (majority of named issuers)."),
            Column("subject", S, "Subject (longest cited subject clause)."),
            Column("n_documents", I, "Number of citing documents."),
            Column("n_mentions", I, "Number of mentions."),
            Column("ambiguous", B, "True when the identity could not be decided."),
            Column("confidence", F, "Confidence of the identity 0-1."),
            Column("evidence", S, "Evidence used."),
        ],
    ),
    "relations": (
        "Relations stated in the text between instruments.",
        [
            Column("doc_id", S, "Document where the relation is stated."),
            Column("source_instrument_id", S, "Source instrument (e.g. the provincial plan)."),
            Column("relation", S, "implements | amends | replaces | issued_with."),
            Column("target_instrument_id", S, "Target instrument (e.g. the central resolution)."),
            Column("source_symbol", S, "Symbol of the source as cited."),
            Column("target_symbol", S, "Symbol of the target as cited."),
            Column("text", S, "Text stating the relation."),
        ],
    ),
    "relation_mentions": (
        "Relations as stated in each document, between mentions (input of the linker).",
        [
            Column("doc_id", S, "Document."),
            Column("source_mention", I, "citations.mention of the source."),
            Column("relation", S, "implements | amends | replaces | issued_with."),
            Column("target_mention", I, "citations.mention of the target."),
            Column("text", S, "Text stating the relation."),
            Column("char_start", I, "Span start."),
            Column("char_end", I, "Span end."),
        ],
    ),
    "conflicts": (
        "Disagreements between citations of one instrument.",
        [
            Column("instrument_id", S, "Instrument."),
            Column("symbol", S, "Its symbol."),
            Column("kind", S, "date | issuer | type."),
            Column("values", S, "JSON list of {value, doc_id, province, char_start, char_end, in_footnote}."),
            Column("majority", S, "Value supported by most citations (null on a tie)."),
            Column("evidence", S, "Human-readable summary."),
        ],
    ),
    "failures": (
        "Files that could not be ingested in the latest run that saw them.",
        [
            Column("source_path", S, "File."),
            Column("sha256", S, "SHA-256 of the file bytes (null if unreadable)."),
            Column("error_kind", S, "empty | corrupt | encrypted | no_text_layer | unsupported_format | too_large | encoding | timeout (over the time per file) | crashed (the reading worker died) | internal (a bug: please report)."),
            Column("message", S, "What went wrong, in plain words, naming the file."),
            Column("quarantine_path", S, "Where a copy of the file was put aside."),
            Column("failed_at", S, "UTC timestamp (ISO)."),
        ],
    ),
}

# Tables written per document (rebuilt from per-batch parts) vs corpus-level (recomputed by the linker).
DOC_TABLES = ("documents", "sections", "footnotes", "pages", "citations", "localities", "dates", "targets", "relation_mentions")
CORPUS_TABLES = ("instruments", "relations", "conflicts")


def columns(name: str) -> list[Column]:
    return TABLES[name][1]


def schema(name: str) -> pa.Schema:
    desc, cols = TABLES[name]
    return pa.schema(
        [pa.field(c.name, c.type, nullable=True, metadata={"description": c.doc}) for c in cols],
        metadata={"table": name, "description": desc},
    )


def empty_table(name: str) -> pa.Table:
    return schema(name).empty_table()


@lru_cache(maxsize=None)
def _shape(name: str) -> tuple[pa.Schema, tuple[str, ...], pa.Table]:
    """A table's schema, column names and empty table, built once (``schema()`` rebuilds every field with
    its metadata, which costs more than converting a typical per-file table; Arrow tables are immutable,
    so one empty table can be shared)."""
    sch = schema(name)
    names = tuple(c.name for c in columns(name))
    return sch, names, pa.Table.from_pydict({n: [] for n in names}, schema=sch)


def to_table(name: str, rows: list[dict]) -> pa.Table:
    """Build a table from row dicts: unknown keys are ignored, missing ones are null."""
    sch, names, empty = _shape(name)
    if not rows:
        return empty
    return pa.Table.from_pydict({n: [r.get(n) for r in rows] for n in names}, schema=sch)


def describe() -> str:
    """Markdown reference of every table, column by column."""
    out: list[str] = []
    for name, (desc, cols) in TABLES.items():
        out.append(f"### `{name}`\n\n{desc}\n\n| column | type | meaning |\n|---|---|---|")
        for c in cols:
            out.append(f"| `{c.name}` | {c.type} | {c.doc} |")
        out.append("")
    return "\n".join(out)
