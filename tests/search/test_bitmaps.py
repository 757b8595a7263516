"""The two ways a view counts facet terms (bitmap intersections, gathered term lists) agree
with a plain count, also after changes are applied beside the term lists and past the point
where the lists are rebuilt."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from pyroaring import FrozenBitMap

from ckanext.govcat.search import bitmaps
from ckanext.govcat.search.bitmaps import View

TERMS = list(range(1, 12))
documents = st.dictionaries(st.integers(0, 400), st.frozensets(st.sampled_from(TERMS), max_size=5),
                            max_size=120)


def _view(docs: dict[int, frozenset[int]]) -> View:
    postings: dict[int, list[int]] = {}
    for ord_, terms in docs.items():
        for term in terms:
            postings.setdefault(term, []).append(ord_)
    return View.of({term: FrozenBitMap(ords) for term, ords in postings.items()})


def _expected(docs: dict[int, frozenset[int]], ords: list[int], asked: list[int]) -> Counter[int]:
    return Counter(t for o in ords for t in docs.get(o, ()) if t in asked)


@settings(max_examples=150, deadline=None)
@given(docs=documents, changes=st.lists(documents, max_size=4), data=st.data())
def test_counts_agree_whichever_way(docs, changes, data) -> None:
    limit = data.draw(st.sampled_from([3, bitmaps.CHANGED_LIMIT]), label="changed limit")
    original = bitmaps.CHANGED_LIMIT
    bitmaps.CHANGED_LIMIT = limit
    try:
        view = _view(docs)
        current = dict(docs)
        for change in changes:
            view = bitmaps._apply(view, [[o, sorted(t)] for o, t in change.items()])
            current.update(change)
    finally:
        bitmaps.CHANGED_LIMIT = original
    known = sorted(current)
    ords = data.draw(st.lists(st.sampled_from(known), unique=True) if known else st.just([]),
                     label="matched")
    asked = data.draw(st.lists(st.sampled_from(TERMS + [99]), unique=True), label="terms")
    expected = _expected(current, ords, asked)
    assert view.counts(ords, asked) == expected  # gathered: few matches
    gather = bitmaps.GATHER_LIMIT
    bitmaps.GATHER_LIMIT = -1
    try:
        assert view.counts(ords, asked) == expected  # on the bitmaps
    finally:
        bitmaps.GATHER_LIMIT = gather
