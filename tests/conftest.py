"""Fixtures shared by the bad-input suites (test_bad_inputs.py, test_hostile.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

GOOD = Path(__file__).resolve().parents[1] / "corpus" / "quang-nam-2025-ke-hoach-doi-ngoai.txt"


@pytest.fixture
def inbox(tmp_path) -> Path:
    """An inbox folder holding one good plan (good.txt) beside which a bad file is dropped."""
    d = tmp_path / "inbox"
    d.mkdir()
    shutil.copy(GOOD, d / "good.txt")
    return d
