"""The locality pipeline's fast paths against the straightforward spaCy forms they replace."""
from __future__ import annotations

import random

from spacy.tokens import Span
from spacy.util import filter_spans

from extractors.localities import _filter_spans, get_nlp, load_data


def test_ruler_patterns_equal_one_doc_per_surface():
    # the ruler tokenizes the distinct words of the surface forms in one Doc; every surface form must get
    # the NORM key it gets when tokenized on its own
    nlp = get_nlp()
    ruler = nlp.get_pipe("foreign_locality_ruler")
    data = load_data()
    expected: dict[tuple[int, ...], list[int]] = {}
    for surface, idx in data.surfaces:
        key = tuple(t.norm for t in nlp.tokenizer(surface))
        if key:
            lst = expected.setdefault(key, [])
            if idx not in lst:
                lst.append(idx)
    assert list(ruler.groups) == list(expected)
    for key, idxs in expected.items():
        assert ruler.groups[key].entries == tuple(data.entries[i] for i in idxs)


def test_filter_spans_as_spacy():
    nlp = get_nlp()
    doc = nlp.make_doc(" ".join(["x"] * 60))
    rng = random.Random(5)
    for _ in range(300):
        pairs = set()
        for _ in range(rng.randint(0, 25)):
            s = rng.randrange(60)
            pairs.add((s, min(60, s + rng.randint(1, 6))))
        pairs = list(pairs)
        rng.shuffle(pairs)
        expected = [(sp.start, sp.end) for sp in filter_spans([Span(doc, s, e) for s, e in pairs])]
        assert _filter_spans(pairs) == expected


def test_collapse_blanks_are_regex_whitespace():
    # _collapse runs on the standard re engine with regex's \s written out: the same runs as regex's own
    # pattern on every blank regex knows and on the characters where the engines' \s differ (U+001C-U+001F,
    # which re alone takes for blanks; U+180E, U+200B, U+FEFF, which neither does)
    import regex

    from extractors.localities import _WS, _collapse

    reference = regex.compile(r"\s(?:\s+|(?<=[^\S ]))")
    chars = [chr(c) for c in range(0x3001) if regex.match(r"\s", chr(c))] + list("ab.\x00\x1c\x1d\x1e\x1f") + [
        "\u180e", "\u200b", "\ufeff"]
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 14)))
        assert [m.span() for m in _WS.finditer(text)] == [m.span() for m in reference.finditer(text)], repr(text)
    collapsed, bps, shifts = _collapse("a \x1c\n\n b\u3000\u3000c\x1fd")
    assert collapsed == "a \x1c b c\x1fd"
    assert (bps, shifts) == ([0, 4, 6], [0, 2, 3])  # two newlines and a space, then two U+3000: one space each
