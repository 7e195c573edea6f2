"""Legacy Vietnamese encodings read through the real readers (TXT bytes, DOCX runs in .VnTime fonts)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.normalize import normalize_text
from pipeline.readers import read_document

FIX = Path(__file__).resolve().parent / "fixtures" / "legacy"


def _words(text: str) -> list[str]:
    return normalize_text(text).split()


@pytest.mark.parametrize(
    "name, expected, enc",
    [
        ("sample.tcvn3.txt", "sample.tcvn3.expected.txt", "tcvn3"),
        ("sample.vni.txt", "sample.expected.txt", "vni"),
    ],
)
def test_legacy_txt_reads_back_exactly(name, expected, enc):
    doc = read_document(FIX / name)
    assert f"decoded as {enc}" in doc.warnings
    assert _words(doc.text) == _words((FIX / expected).read_text(encoding="utf-8"))


def test_docx_with_vntime_runs_reads_correctly():
    doc = read_document(FIX / "sample.vntime.docx")
    assert any("TCVN3/VNI" in w for w in doc.warnings)
    assert _words(doc.text) == _words((FIX / "sample.expected.txt").read_text(encoding="utf-8"))
    assert "Nghị quyết số 59-NQ/TW" in doc.text


def _cp1258(text: str) -> bytes:
    """Encode like a Windows-1258 editor: precomposed where the code page has the letter, else base + combining tone."""
    import unicodedata

    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out.append(base.encode("cp1258") + tones.encode("cp1258"))
    return b"".join(out)


def test_windows_1258_text_is_not_taken_for_legacy(tmp_path):
    text = "Kế hoạch số 58/KH-UBND ngày 15 tháng 4 năm 2025 của Ủy ban nhân dân tỉnh Hà Tĩnh về hợp tác với tỉnh Khăm Muộn."
    p = tmp_path / "cp1258.txt"
    p.write_bytes(_cp1258(text))
    doc = read_document(p)
    assert "decoded as cp1258" in doc.warnings
    assert normalize_text(text) in doc.text
