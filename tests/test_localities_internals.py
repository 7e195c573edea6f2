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
