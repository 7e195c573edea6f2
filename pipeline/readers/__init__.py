"""Readers: PDF, DOCX and TXT → one :class:`pipeline.document.Document`.

Usage::

    from pipeline.readers import read_document, ReadLimits
    doc = read_document("corpus/plan.pdf")

The format is sniffed from the content (``%PDF``; a zip holding
``word/document.xml``; otherwise text), the extension only breaks ties and
flags mislabelled files.  Failures raise :class:`pipeline.errors.ReadError`.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.errors import ReadError
from pipeline.readers.common import RawDoc, ReadLimits, build_document

__all__ = ["read_document", "read_bytes", "sniff_format", "ReadLimits", "ReadError"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_format(data: bytes, path: str) -> str:
    """Return "pdf", "docx" or "txt", or raise ReadError for other / broken formats."""
    ext = Path(path).suffix.lower()
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile as e:
            raise ReadError("corrupt", f"looks like a zip/DOCX package but the archive is damaged ({e})", path)
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names or "ppt/presentation.xml" in names or "content.xml" in names:
            raise ReadError("unsupported_format", "is an office file other than a Word document (spreadsheet, presentation or ODF); only PDF, DOCX and TXT are read", path)
        raise ReadError("unsupported_format" if ext != ".docx" else "corrupt", "is a zip archive without word/document.xml, so not a readable DOCX", path)
    if data.startswith(_OLE):
        raise ReadError("unsupported_format", "is a legacy binary Office file (.doc/.xls); convert it to DOCX or PDF first", path)
    if data.startswith(b"{\\rtf"):
        raise ReadError("unsupported_format", "is an RTF file; convert it to DOCX, PDF or TXT first", path)
    if ext == ".pdf":
        raise ReadError("corrupt", "has a .pdf name but does not start with a PDF header (%PDF-); the file is damaged or not a PDF", path)
    if ext in (".docx", ".docm", ".dotx"):
        raise ReadError("corrupt", "has a .docx name but is not a zip package; the file is damaged or not a Word document", path)
    if ext in (".doc", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".rtf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".zip", ".html", ".htm", ".xml"):
        raise ReadError("unsupported_format", f"has an unsupported extension {ext}; only PDF, DOCX and TXT are read", path)
    for magic, what in ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"\x1f\x8b", "a gzip archive")):
        if data.startswith(magic):
            raise ReadError("unsupported_format", f"is {what}, not a PDF, DOCX or text document", path)
    return "txt"


def read_bytes(data: bytes, path: str, *, limits: ReadLimits | None = None) -> Document:
    """Read a document from its bytes (``path`` is used for messages, the extension and source_path)."""
    limits = limits or ReadLimits()
    if len(data) == 0:
        raise ReadError("empty", "is empty (0 bytes)", path)
    if len(data) > limits.max_file_bytes:
        raise ReadError("too_large", f"is {len(data) / 1e6:.1f} MB, over the {limits.max_file_bytes / 1e6:.0f} MB limit", path)
    fmt = sniff_format(data, path)
    raw: RawDoc
    if fmt == "pdf":
        from pipeline.readers.pdf import read_pdf

        raw = read_pdf(data, path, limits)
    elif fmt == "docx":
        from pipeline.readers.docx import read_docx

        raw = read_docx(data, path, limits)
    else:
        from pipeline.readers.txt import read_txt

        # a text file holds at least one character per 4 bytes: refuse before decoding what cannot fit
        if len(data) // 4 > limits.max_chars:
            raise ReadError("too_large", f"is {len(data) / 1e6:.1f} MB of text, over the {limits.max_chars} character limit", path)
        raw, _enc = read_txt(data, path, max_chars=limits.max_chars)
    doc = build_document(raw, path=path, fmt=fmt, data=data)
    if not doc.text.strip():
        kind = "no_text_layer" if fmt == "pdf" else "empty"
        raise ReadError(kind, "contains no extractable text", path)
    if len(doc.text) > limits.max_chars:
        raise ReadError("too_large", f"has {len(doc.text)} characters of text, over the {limits.max_chars} limit", path)
    from pipeline.structure import parse_structure

    try:
        parse_structure(doc)
    except Exception as e:  # structure is best-effort: never lose the text
        doc.warnings.append(f"structure parsing failed: {type(e).__name__}: {e}")
    return doc


def read_document(path: str | Path, *, limits: ReadLimits | None = None) -> Document:
    """Read a PDF, DOCX or TXT file into a normalized, structured Document."""
    p = Path(path)
    limits = limits or ReadLimits()
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise ReadError("corrupt", "does not exist", str(p))
    except OSError as e:
        raise ReadError("corrupt", f"cannot be opened ({e.strerror})", str(p))
    if p.is_dir():
        raise ReadError("unsupported_format", "is a directory, not a document", str(p))
    if size > limits.max_file_bytes:
        raise ReadError("too_large", f"is {size / 1e6:.1f} MB, over the {limits.max_file_bytes / 1e6:.0f} MB limit", str(p))
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReadError("corrupt", f"cannot be read ({e.strerror})", str(p))
    return read_bytes(data, str(p), limits=limits)
