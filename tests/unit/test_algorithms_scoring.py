"""ARI and NMI, the community-recovery scores, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from algorithms.scoring import adjusted_rand_index, normalized_mutual_info


def test_identical_partitions_score_one_whatever_the_names() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    found = [7, 7, 7, 3, 3, 9]
    assert adjusted_rand_index(truth, found) == pytest.approx(1.0)
    assert normalized_mutual_info(truth, found) == pytest.approx(1.0)


def test_ari_hand_computed() -> None:
    # truth {0,1}{2}{3}, found {0,1}{2,3}: pairs agreeing = C(2,2) = 1 (index); rows: 1, cols: 1 + 1 = 2;
    # expected = 1 * 2 / C(4,2) = 1/3; max = (1 + 2) / 2 = 1.5; ARI = (1 - 1/3) / (1.5 - 1/3) = 4/7.
    assert adjusted_rand_index([0, 0, 1, 2], [0, 0, 1, 1]) == pytest.approx(4 / 7)


def test_ari_of_independent_split_is_negative_or_zero() -> None:
    # truth {0,1}{2,3}, found {0,2}{1,3}: index 0, rows 2, cols 2, expected 2*2/6 = 2/3, max 2.
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx((0 - 2 / 3) / (2 - 2 / 3))


def test_nmi_hand_computed() -> None:
    # truth {0,1}{2,3} (H = ln 2), found {0,1}{2}{3} (H = 1.5 ln 2); MI = ln 2 (found refines truth).
    # NMI = ln2 / ((ln2 + 1.5 ln2) / 2) = 0.8
    assert normalized_mutual_info([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.8)


def test_nmi_of_independent_partitions_is_zero() -> None:
    assert normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0, abs=1e-12)


def test_trivial_partitions() -> None:
    assert adjusted_rand_index([1, 1, 1], [2, 2, 2]) == 1.0
    assert normalized_mutual_info([1, 1, 1], [2, 2, 2]) == 1.0
    assert adjusted_rand_index([], []) == 1.0
    assert not math.isnan(normalized_mutual_info([0, 0, 1], [0, 0, 0]))


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        adjusted_rand_index([0, 1], [0])
    with pytest.raises(ValueError):
        normalized_mutual_info([0], [0, 1])
