"""Diversity re-ranking (write-up 4.4) as a pure function."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.feed.diversity import diversify

pytestmark = pytest.mark.graph_facing


def kinds(items: list[tuple[str, int]]) -> str:
    return "".join(k for k, _ in items)


def test_write_up_rule_defers_instead_of_dropping() -> None:
    ranked = [("i", n) for n in range(4)] + [("t", 4), ("v", 5)]
    out = diversify(ranked, lambda x: x[0], {"i": 0.5, "t": 0.3, "v": 0.2})
    # a second image would make images 100% (>= 0.5 x 1.5): they wait for the text, then two fit (1/2, 2/3),
    # the video, and the last image once it is 3/5
    assert kinds(out) == "itiivi"
    assert out == [("i", 0), ("t", 4), ("i", 1), ("i", 2), ("v", 5), ("i", 3)]


def test_unknown_shares_use_the_default() -> None:
    ranked = [("a", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5)]
    out = diversify(ranked, lambda x: x[0])
    # default share 0.2 x 1.5 = 0.3: after the first item every kind waits until its share is under 30%
    assert out == [("a", 1), ("b", 3), ("c", 5), ("a", 2), ("a", 4)]


def test_none_kind_and_empty() -> None:
    assert diversify([], lambda x: x) == []
    assert diversify([None, None], lambda x: x) == [None, None]


@given(st.lists(st.sampled_from("abc"), max_size=30), st.floats(0.05, 1.0))
def test_permutation_of_the_input(seq: list[str], share: float) -> None:
    items = list(enumerate(seq))
    out = diversify(items, lambda x: x[1], {"a": share})
    assert sorted(out) == items
    if items:
        assert out[0] == items[0]
