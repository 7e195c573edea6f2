"""Generators of hostile files, built at test time (nothing big is committed).

Each function returns bytes; sizes are parameters so tests stay quick.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOOD_DOCX = REPO / "corpus" / "nghe-an-2025-chuong-trinh-doi-ngoai.docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def pdf_bytes(objs: list[bytes]) -> bytes:
    """A minimal PDF (catalog first) with a correct xref table."""
    out = [b"%PDF-1.7\n"]
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(sum(len(x) for x in out))
        out.append(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    x = sum(len(x) for x in out)
    out.append(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode() + b"".join(f"{o:010d} 00000 n \n".encode() for o in offs))
    out.append(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n".encode())
    return b"".join(out)


def deflated_spaces(n_mib: int) -> bytes:
    """zlib data inflating to ``n_mib`` MiB of spaces (~1 KB compressed per MiB)."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    return b"".join(comp.compress(chunk) for _ in range(n_mib)) + comp.flush()


def pdf_bomb(n_mib: int, hide: str = "padding") -> bytes:
    """A one-page PDF whose content stream inflates to ``n_mib`` MiB.

    hide="padding": /Filter /FlateDecode followed by 600 spaces, so the filter name is far from ``stream``;
    hide="indirect": the filter is an indirect object (``/Filter 5 0 R``); hide="none": plain dictionary.
    """
    stream = deflated_spaces(n_mib)
    extra: list[bytes] = []
    if hide == "padding":
        d = f"<< /Length {len(stream)} /Filter /FlateDecode".encode() + b" " * 600 + b">>\nstream\n"
    elif hide == "indirect":
        d = f"<< /Length {len(stream)} /Filter 5 0 R >>\nstream\n".encode()
        extra = [b"/FlateDecode"]
    else:
        d = f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        d + stream + b"\nendstream",
    ] + extra
    return pdf_bytes(objs)


def pdf_with_streams(sizes_mib: list[int]) -> bytes:
    """A PDF holding one Flate stream per size (e.g. the images of a scan), none drawn."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    for n in sizes_mib:
        s = deflated_spaces(n)
        objs.append(f"<< /Length {len(s)} /Filter /FlateDecode >>\nstream\n".encode() + s + b"\nendstream")
    return pdf_bytes(objs)


def docx_with_document_xml(xml: bytes) -> bytes:
    """The bundled Nghệ An DOCX with word/document.xml replaced."""
    buf = io.BytesIO()
    with zipfile.ZipFile(GOOD_DOCX) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, xml if item.filename == "word/document.xml" else src.read(item.filename))
    return buf.getvalue()


def dtd_document_xml(encoding: str = "utf-8", pad_mib: int = 0) -> bytes:
    """document.xml with an XXE and a billion-laughs DTD, in ``encoding`` (utf-8, utf-16, utf-16-be),
    optionally after ``pad_mib`` MiB of comment so that the DOCTYPE is far from the start."""
    ents = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    pad = "<!--" + "x" * (pad_mib << 20) + "-->" if pad_mib else ""
    xml = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>{pad}'
        f'<!DOCTYPE d [<!ENTITY l0 "lol">{ents}<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Kế hoạch &l9; &xxe;</w:t></w:r></w:p></w:body></w:document>'
    )
    if encoding == "utf-16-be":
        return b"\xfe\xff" + xml.encode("utf-16-be")
    return xml.encode(encoding)


def docx_lying_sizes(real_mib: int, declared: int = 1000) -> bytes:
    """A DOCX with a part that inflates to ``real_mib`` MiB while both zip headers declare ``declared`` bytes."""
    name = "word/media/image1.bin"
    buf = io.BytesIO()
    with zipfile.ZipFile(GOOD_DOCX) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, src.read(item.filename))
        with z.open(name, "w") as fh:
            for _ in range(real_mib):
                fh.write(b"\0" * (1 << 20))
    data = bytearray(buf.getvalue())
    enc = name.encode()
    # (signature, offset of the uncompressed size, of the name length, of the name) in a local file
    # header and in a central directory entry
    for sig, size_at, len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            n = struct.unpack_from("<H", data, pos + len_at)[0]
            if bytes(data[pos + name_at : pos + name_at + n]) == enc:
                struct.pack_into("<I", data, pos + size_at, declared)
            pos += 4
    return bytes(data)


def punctuation_runs(n: int) -> str:
    """A plan paragraph, then long runs of the punctuation a tokenizer strips one character at a time."""
    runs = ["-", "(", ")", '"', "+", "[", "-("]
    body = "\n\n".join(r * (n // len(r)) for r in runs)
    return (
        "KẾ HOẠCH\n\nTriển khai Nghị quyết số 59-NQ/TW ngày 24/01/2025 của Bộ Chính trị; "
        "hợp tác với tỉnh Xiêng Khouảng (Lào).\n\n" + body + "\n\nTăng cường hợp tác với Lào.\n"
    )
