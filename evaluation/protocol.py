"""Which items each method ranks for each user, and how ties are broken.

* ``full``: every catalogue item the user has no training row on. Used when the catalogue has at most
  `max_full` items.
* ``sampled``: one fixed uniform sample of `sample_items` catalogue items (drawn once, seeded, the same for
  every user and method), plus the user's held-out items, less the user's training items. The standard
  "sampled metrics" protocol; it keeps the graph's cost per user bounded on large catalogues. Its numbers are
  higher than full-catalogue ones and can reorder close methods (Krichene and Rendle, "On Sampled Metrics for
  Item Recommendation", KDD 2020): compare methods only within one protocol.

Restricting the candidates to, say, popular items plus the held-out ones would leak the answer (a held-out
item would stand out as the only unpopular candidate); the uniform sample does not depend on the user.

Ties (equal scores, frequent for popularity and for anything the graph does not know) are broken by one fixed
random order of the catalogue, so a held-out item gains nothing from its position in the candidate list.
Coverage is measured against the items that were candidates for anyone: the catalogue under ``full``, the
sample plus the held-out items under ``sampled``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from evaluation.baselines import FloatArray, IntArray, Scorer, TrainingMatrix
from evaluation.metrics import MetricRow, summarise

Mode = Literal["full", "sampled"]


@dataclass(frozen=True)
class CandidateProtocol:
    mode: Mode
    sample_items: int
    seed: int

    def describe(self, catalogue_size: int) -> str:
        if self.mode == "full":
            return f"full catalogue: each user's unseen items among all {catalogue_size} items"
        return (f"sampled: a fixed uniform sample of {self.sample_items} of the {catalogue_size} items plus the "
                "user's held-out items, less the user's training items")


def choose_protocol(catalogue_size: int, *, max_full: int = 5000, sample_items: int = 1000,
                    seed: int = 42) -> CandidateProtocol:
    """``full`` up to `max_full` items (or when the sample would be the whole catalogue), else ``sampled``."""
    if catalogue_size <= max_full or sample_items >= catalogue_size:
        return CandidateProtocol("full", 0, seed)
    return CandidateProtocol("sampled", sample_items, seed)


def tiebreak_order(catalogue_size: int, seed: int) -> FloatArray:
    """A fixed random position per catalogue item: the secondary sort key of every ranking."""
    rng = np.random.default_rng(seed)
    return np.asarray(rng.permutation(catalogue_size), dtype=np.float64)


def rank(items: IntArray, scores: FloatArray, tiebreak: FloatArray) -> IntArray:
    """`items` by descending score, ties by `tiebreak`; NaN scores last."""
    s = np.where(np.isfinite(scores), scores, -np.inf)
    order = np.lexsort((tiebreak[items], -s))
    return np.asarray(items[order], dtype=np.int64)


def candidate_sets(
    protocol: CandidateProtocol,
    matrix: TrainingMatrix,
    users: Sequence[int],
    relevant: Mapping[int, IntArray],
) -> tuple[dict[int, IntArray], int]:
    """Each user's candidate items, and the size of the pool they are drawn from (coverage's denominator)."""
    n = len(matrix.items)
    out: dict[int, IntArray] = {}
    if protocol.mode == "full":
        everything = np.arange(n, dtype=np.int64)
        for u in users:
            out[u] = np.setdiff1d(everything, matrix.seen(u), assume_unique=True)
        return out, n
    rng = np.random.default_rng(protocol.seed + 1)
    sample = np.sort(rng.choice(n, size=protocol.sample_items, replace=False)).astype(np.int64)
    pool = set(sample.tolist())
    for u in users:
        cands = np.union1d(sample, relevant[u])
        out[u] = np.setdiff1d(cands, matrix.seen(u), assume_unique=True).astype(np.int64)
        pool.update(relevant[u].tolist())
    return out, len(pool)


def evaluate_scorer(
    scorer: Scorer,
    users: Sequence[int],
    candidates: Mapping[int, IntArray],
    relevant: Mapping[int, IntArray],
    tiebreak: FloatArray,
    pool_size: int,
    *,
    keep: int = 50,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[MetricRow, dict[int, IntArray]]:
    """Rank each user's candidates with `scorer`; the metric row and each user's first `keep` items.
    `progress(done, total)` is called after each user."""
    tops: dict[int, IntArray] = {}
    pairs: list[tuple[list[int], set[int]]] = []
    for n, u in enumerate(users, start=1):
        cands = candidates[u]
        ranked = rank(cands, scorer.score(u, cands), tiebreak)[:keep]
        tops[u] = ranked
        pairs.append((ranked.tolist(), set(relevant[u].tolist())))
        if progress is not None:
            progress(n, len(users))
    return summarise(scorer.name, pairs, pool_size), tops


class Retriever(Protocol):
    """An ordered list of at most `limit` catalogue items for the user (graph candidates)."""

    name: str

    def retrieve(self, user: int, limit: int) -> IntArray: ...


def evaluate_lists(
    name: str,
    lists: Mapping[int, IntArray],
    relevant: Mapping[int, IntArray],
    pool_size: int,
) -> MetricRow:
    """Metrics of ready-made ranked lists (a user with no list counts as a miss)."""
    pairs = [(lists[u].tolist(), set(relevant[u].tolist())) for u in relevant]
    return summarise(name, pairs, pool_size)
