"""pipeline.normalize: NFC, look-alikes, spaces, quotes/dashes, tone placement, keys, offsets."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from hypothesis import given, settings, strategies as st

from pipeline.normalize import fold_tones, match_key, normalize, normalize_text, strip_diacritics


def test_nfd_input_is_composed_and_offsets_point_to_cluster_start():
    src = unicodedata.normalize("NFD", "Nghệ An")
    out, offs = normalize(src)
    assert out == "Nghệ An"
    assert len(offs) == len(out)
    i = out.index("ệ")
    assert src[offs[i]] == "e"  # the base letter of the decomposed cluster
    assert offs == sorted(offs)


def test_cp1258_style_combining_tones():
    # Windows-1258 text decodes to base letters + combining tone marks
    src = "Vie\u0302\u0323t Nam ho\u0300a bi\u0300nh"
    assert normalize_text(src) == "Việt Nam hòa bình"


def test_lookalike_d_and_eth():
    assert normalize_text("\u00d0\u1ea0I H\u1ed8I \u0189\u1ea3ng \u00f0\u1ed1i ngo\u1ea1i") == "ĐẠI HỘI Đảng đối ngoại"


def test_spaces_zero_width_soft_hyphen_controls():
    assert normalize_text("Số:\u00a058/KH\u200b-UBND\u2009ngày\u202f05\u00ad/3\tnăm\x07") == "Số: 58/KH-UBND ngày 05/3 năm "


def test_quotes_dashes_ellipsis_slash():
    out, offs = normalize("“Kế hoạch” – ‘A’ — 2021\u20132025 \uff0f …")
    assert out == '"Kế hoạch" - \'A\' - 2021-2025 / ...'
    assert len(offs) == len(out) and offs[-1] == offs[-2] == offs[-3]


def test_newlines():
    assert normalize_text("a\r\nb\rc\u2028d") == "a\nb\nc\nd"


def test_fold_tones_old_to_new_placement():
    assert fold_tones("hoà bình, Thuỷ, khoẻ, Tỉnh uỷ, Khánh Hoà") == "hòa bình, Thủy, khỏe, Tỉnh ủy, Khánh Hòa"
    # closed syllables and "quý" are left alone
    assert fold_tones("hoàn thành, toán, quý, Quý") == "hoàn thành, toán, quý, Quý"
    assert fold_tones("HOÀ BÌNH") == "HÒA BÌNH"


def test_keys():
    assert strip_diacritics("Quảng Nam, Đà Nẵng") == "quang nam, da nang"
    assert match_key("Tỉnh Uỷ Khánh Hoà") == match_key("tỉnh ủy khánh hòa")
    assert match_key("\u00d0\u1ed3ng Nai") == match_key("Đồng Nai")


def test_zero_width_between_base_and_combining_mark():
    assert normalize_text("A\u200b\u0300") == "À"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aăâeêoôơuưyiđĐÐ \u00a0\u0300\u0301\u0303\u0309\u0323“”–\r\n\tAOUY")), max_size=40))
def test_properties_idempotent_offsets_monotone(s):
    out, offs = normalize(s)
    assert normalize_text(out) == out
    assert len(offs) == len(out)
    assert all(0 <= o < max(len(s), 1) for o in offs)
    assert offs == sorted(offs)
    f = fold_tones(out)
    assert len(f) == len(out) and fold_tones(f) == f


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_fast_path_equals_full_path(monkeypatch_text):
    import pipeline.normalize as nm

    fast = nm.normalize(monkeypatch_text)
    original = nm._needs_work
    nm._needs_work = lambda t: True
    try:
        full = nm.normalize(monkeypatch_text)
    finally:
        nm._needs_work = original
    assert fast == full


def _fold_tones_every_position(text: str) -> str:
    """The definition of fold_tones, position by position (fold_tones visits only the positions
    that can change): the oracle for the test below."""
    from pipeline.normalize import _PAIRS, _VOWELS, _split_tone, _with_tone

    chars = list(text)
    n = len(chars)
    for i in range(n - 1):
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
        if nxt.isalpha():
            continue
        prev = chars[i - 1].lower() if i > 0 else ""
        if base_a.lower() == "u" and prev == "q":
            continue
        if prev.isalpha() and _split_tone(prev)[0].lower() in _VOWELS:
            continue
        chars[i] = _with_tone(base_a, tone_b)
        chars[i + 1] = base_b
    return "".join(chars)


def test_fold_tones_visits_every_position_that_can_change():
    import random
    import unicodedata

    tones = "\u0300\u0301\u0303\u0309\u0323"
    alphabet = list("oauyeqiOAUYEQđĐ bn,.-") + [unicodedata.normalize("NFC", b + t) for b in "aeyouiAEYOUâăêô" for t in tones]
    alphabet += ["o\u0301", "a\u0300"]  # decomposed input too
    rng = random.Random(11)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert fold_tones(text) == _fold_tones_every_position(text), text
    seed = (Path(__file__).resolve().parents[1] / "corpus" / "quang-nam-2025-ke-hoach-doi-ngoai.txt").read_text(encoding="utf-8")
    assert fold_tones(seed) == _fold_tones_every_position(seed)
