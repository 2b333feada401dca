"""Plain-Python user similarity, the benchmark's baseline for `gds.nodeSimilarity` (weighted Jaccard, top K).

The same computation as the `user_similarity` job on the same input: each user is a vector of decayed
engagement weights over content, and two users score

    weighted Jaccard(a, b) = sum_i min(a_i, b_i) / sum_i max(a_i, b_i)

Only users sharing an item can score above 0, so each user is compared with the users reached through an
inverted index (item -> the users who engaged with it, with their weights): for every item of `u` and every
other user `v` of that item, `sum min` is accumulated. The denominator needs no second pass:
`sum max = sum a + sum b - sum min`. Each user keeps its `top_k` best, as GDS does (per node, both
directions). Single process, no numpy: what a developer would write without a graph engine.

Each source user's row is independent of the others, so `budget_s` may stop the run early: users are then
taken in a seeded random order, and `NaiveRun.estimated_seconds` scales the time spent by the share done
(an unbiased estimate of the full run's time, used by the benchmark at sizes that would take too long).
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = [
    "NaiveRun",
    "inverted_index",
    "weighted_jaccard",
    "weighted_jaccard_top_k",
]

K = TypeVar("K", bound=Hashable)
I = TypeVar("I", bound=Hashable)  # noqa: E741 - item

# GDS's own default cutoff: any similarity above zero.
GDS_MIN_SIMILARITY = 1.0e-42


def weighted_jaccard(a: Mapping[I, float], b: Mapping[I, float]) -> float:
    """The definition, over the union of both vectors' items (missing = 0); 0 for two empty vectors."""
    items = a.keys() | b.keys()
    num = sum(min(a.get(i, 0.0), b.get(i, 0.0)) for i in items)
    den = sum(max(a.get(i, 0.0), b.get(i, 0.0)) for i in items)
    return num / den if den > 0 else 0.0


def inverted_index(vectors: Mapping[K, Mapping[I, float]]) -> dict[I, dict[K, float]]:
    """item -> {user: weight} for every positive weight."""
    index: dict[I, dict[K, float]] = {}
    for user, vector in vectors.items():
        for item, weight in vector.items():
            if weight > 0:
                index.setdefault(item, {})[user] = weight
    return index


@dataclass
class NaiveRun(Generic[K]):
    """What a run computed: each finished source user's top K, and how long it took."""

    top_k: dict[K, list[tuple[K, float]]] = field(default_factory=dict)
    sources_total: int = 0
    sources_done: int = 0
    pair_updates: int = 0  # (user, other user, shared item) triples visited
    index_seconds: float = 0.0
    compute_seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.sources_done == self.sources_total

    @property
    def seconds(self) -> float:
        """Time actually spent (index build + the users computed)."""
        return self.index_seconds + self.compute_seconds

    @property
    def estimated_seconds(self) -> float:
        """The full run's time: measured when complete, else the compute time scaled by the share done."""
        if self.complete or self.sources_done == 0:
            return self.seconds
        return self.index_seconds + self.compute_seconds * self.sources_total / self.sources_done

    @property
    def relationships(self) -> int:
        return sum(len(v) for v in self.top_k.values())


def weighted_jaccard_top_k(
    vectors: Mapping[K, Mapping[I, float]],
    top_k: int = 10,
    *,
    similarity_cutoff: float = GDS_MIN_SIMILARITY,
    degree_cutoff: int = 1,
    sources: Iterable[K] | None = None,
    budget_s: float | None = None,
    seed: int = 0,
) -> NaiveRun[K]:
    """Each source user's `top_k` most similar users (weighted Jaccard), best first.

    Users with fewer than `degree_cutoff` items are neither compared nor candidates (GDS's `degreeCutoff`);
    scores below `similarity_cutoff` are dropped. `sources`: the users to compute rows for (default all).
    `budget_s`: stop after about that many seconds of compute, taking the sources in a random order
    (`seed`) so that the share done is a fair sample; `None` computes every row, in the given order.
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    run: NaiveRun[K] = NaiveRun()
    t0 = time.perf_counter()
    kept = {u: v for u, v in vectors.items() if sum(1 for w in v.values() if w > 0) >= degree_cutoff}
    index = inverted_index(kept)
    totals = {u: sum(w for w in v.values() if w > 0) for u, v in kept.items()}
    run.index_seconds = time.perf_counter() - t0

    order = [u for u in (kept if sources is None else sources) if u in kept]
    if budget_s is not None:
        random.Random(seed).shuffle(order)
    run.sources_total = len(order)
    t1 = time.perf_counter()
    deadline = None if budget_s is None else t1 + budget_s
    for n, user in enumerate(order):
        if deadline is not None and n % 64 == 0 and n and time.perf_counter() > deadline:
            break
        acc: dict[K, float] = {}
        get = acc.get
        updates = 0
        for item, w in kept[user].items():
            if w <= 0:
                continue
            postings = index[item]
            updates += len(postings)
            for other, wo in postings.items():
                acc[other] = get(other, 0.0) + (w if w < wo else wo)
        acc.pop(user, None)
        run.pair_updates += updates
        total = totals[user]
        scored = ((s / (total + totals[v] - s), v) for v, s in acc.items())
        best = heapq.nlargest(top_k, (p for p in scored if p[0] >= similarity_cutoff), key=lambda p: p[0])
        run.top_k[user] = [(v, score) for score, v in best]
        run.sources_done = n + 1
    run.compute_seconds = time.perf_counter() - t1
    return run
