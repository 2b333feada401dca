"""The evaluation's metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from evaluation.metrics import coverage, dcg_at_k, ndcg_at_k, recall_at_k, summarise


def test_dcg_hand_computed() -> None:
    # relevant at ranks 1 and 3: 1/log2(2) + 1/log2(4) = 1 + 0.5
    assert dcg_at_k(["a", "x", "b", "y"], {"a", "b"}, 10) == pytest.approx(1.5)
    # cut at 2: only rank 1 counts
    assert dcg_at_k(["a", "x", "b", "y"], {"a", "b"}, 2) == pytest.approx(1.0)


def test_ndcg_hand_computed() -> None:
    # one relevant item at rank 3: (1/log2 4) / (1/log2 2) = 0.5
    assert ndcg_at_k(["x", "y", "a"], {"a"}, 10) == pytest.approx(0.5)
    # relevant at ranks 2 and 3; ideal: ranks 1 and 2
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at_k(["x", "a", "b"], {"a", "b"}, 10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["x", "a", "b"], {"a", "b"}, 10) == pytest.approx(0.6934264036172708)  # (0.6309 + 0.5) / 1.6309
    # perfect, and nothing found
    assert ndcg_at_k(["a", "b", "x"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], {"a"}, 10) == 0.0


def test_ndcg_ideal_is_capped_by_k() -> None:
    # 3 relevant items, k = 2: IDCG counts 2 of them; a at rank 1 -> 1 / (1 + 1/log2 3)
    assert ndcg_at_k(["a", "x", "b", "c"], {"a", "b", "c"}, 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_recall_hand_computed() -> None:
    ranked = [str(i) for i in range(60)]
    assert recall_at_k(ranked, {"3", "15", "55"}, 10) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, {"3", "15", "55"}, 50) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, {"3", "15", "55"}, 60) == pytest.approx(1.0)
    # the denominator is the number of relevant items, even when it exceeds k
    assert recall_at_k(["a", "b"], {"a", "b", "c", "d"}, 1) == pytest.approx(0.25)
    assert recall_at_k(["a"], set(), 10) == 0.0


def test_coverage_hand_computed() -> None:
    lists = [["a", "b", "c"], ["a", "d", "e"], ["b", "a", "f"]]
    assert coverage(lists, 10, 2) == pytest.approx(3 / 10)  # {a, b} | {a, d} | {b, a} = {a, b, d}
    assert coverage(lists, 10, 3) == pytest.approx(6 / 10)
    assert coverage([], 10, 3) == 0.0
    assert coverage(lists, 0, 3) == 0.0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a"}, 0)
    with pytest.raises(ValueError):
        coverage([["a"]], -1, 1)


def test_summarise_means() -> None:
    ranked_1 = ["a"] + [f"x{i}" for i in range(59)]  # hit at rank 1
    ranked_2 = [f"y{i}" for i in range(20)] + ["b"] + [f"z{i}" for i in range(39)]  # hit at rank 21
    row = summarise("m", [(ranked_1, {"a"}), (ranked_2, {"b"})], 100)
    assert row.method == "m" and row.users == 2
    assert row.ndcg_10 == pytest.approx(0.5)  # (1 + 0) / 2
    assert row.recall_10 == pytest.approx(0.5)
    assert row.recall_50 == pytest.approx(1.0)
    assert row.coverage_10 == pytest.approx(20 / 100)  # a + x0..x8, y0..y9
    assert summarise("empty", [], 10).users == 0
