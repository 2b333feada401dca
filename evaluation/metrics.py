"""Ranking metrics (pure): NDCG@k, Recall@k, catalogue coverage, and the per-method mean.

Binary relevance: an item is relevant to a user when it is one of their held-out items.

* ``ndcg_at_k``: DCG@k / IDCG@k with DCG@k = sum over ranks r = 1..k of rel(r) / log2(r + 1), and IDCG@k the
  DCG of a perfect ranking (min(k, |relevant|) relevant items on top). 0 when nothing is relevant.
* ``recall_at_k``: |top k ∩ relevant| / |relevant| (the held-out count, not min(k, |relevant|)).
* ``coverage``: distinct items in all users' top k, divided by the size of the catalogue they were drawn from.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def dcg_at_k(ranked: Sequence[T], relevant: Collection[T], k: int) -> float:
    """Sum of 1 / log2(rank + 1) over the relevant items among the first `k` (rank from 1)."""
    _check_k(k)
    return sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(ranked[:k]) if item in relevant)


def ndcg_at_k(ranked: Sequence[T], relevant: Collection[T], k: int) -> float:
    """Normalised DCG@k in [0, 1] (binary gains); 0.0 when `relevant` is empty."""
    _check_k(k)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    if ideal == 0.0:
        return 0.0
    return dcg_at_k(ranked, relevant, k) / ideal


def recall_at_k(ranked: Sequence[T], relevant: Collection[T], k: int) -> float:
    """Share of the relevant items found in the first `k`; 0.0 when `relevant` is empty."""
    _check_k(k)
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def coverage(top_lists: Iterable[Sequence[T]], catalogue_size: int, k: int) -> float:
    """Distinct items over every list's first `k`, as a share of `catalogue_size` (0 for an empty catalogue)."""
    _check_k(k)
    if catalogue_size < 0:
        raise ValueError(f"catalogue_size must be >= 0, got {catalogue_size}")
    if catalogue_size == 0:
        return 0.0
    shown: set[T] = set()
    for ranked in top_lists:
        shown.update(ranked[:k])
    return len(shown) / catalogue_size


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


@dataclass(frozen=True)
class MetricRow:
    """One method's means over the evaluated users."""

    method: str
    ndcg_10: float
    recall_10: float
    recall_50: float
    coverage_10: float
    users: int

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "method": self.method,
            "ndcg@10": self.ndcg_10,
            "recall@10": self.recall_10,
            "recall@50": self.recall_50,
            "coverage@10": self.coverage_10,
            "users": self.users,
        }


def summarise(
    method: str,
    rankings: Sequence[tuple[Sequence[T], Collection[T]]],
    catalogue_size: int,
) -> MetricRow:
    """Mean NDCG@10, Recall@10, Recall@50 over (ranking, relevant) pairs, and coverage@10 of the rankings."""
    n = len(rankings)
    if n == 0:
        return MetricRow(method, 0.0, 0.0, 0.0, 0.0, 0)
    return MetricRow(
        method,
        sum(ndcg_at_k(r, rel, 10) for r, rel in rankings) / n,
        sum(recall_at_k(r, rel, 10) for r, rel in rankings) / n,
        sum(recall_at_k(r, rel, 50) for r, rel in rankings) / n,
        coverage((r for r, _ in rankings), catalogue_size, 10),
        n,
    )
