"""Exact node similarity over the pairs that share an item: what `gds.nodeSimilarity` computes, without its n².

GDS 2.13's nodeSimilarity compares every pair of nodes, sharing or not, so it grows as n². Only pairs that
share an item (a content, a visited user) can score above 0, so this engine walks an inverted index instead:
for each source, every other member of each of its items, accumulating per candidate

    JACCARD  sum min(a_i, b_i) / sum max(a_i, b_i),  sum max = |a|_1 + |b|_1 - sum min
    OVERLAP  sum min(a_i, b_i) / min(|a|_1, |b|_1)
    COSINE   sum a_i * b_i / (|a|_2 * |b|_2)

The work is the number of (source, candidate, shared item) triples: linear in the users when items have a
bounded number of engagers (the hub cap). Like GDS, each source keeps its own top K (so a pair may appear in
one direction only), nodes with fewer than `degree_cutoff` items are neither sources nor candidates, and
scores below `similarity_cutoff` are dropped. Sources are processed in batches of about `batch_pairs`
triples, each batch fully vectorised (numpy), so memory stays bounded whatever the graph's size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["METRICS", "Postings", "SharingResult", "postings_from_flat", "postings_from_lists", "sharing_top_k"]

Metric = Literal["JACCARD", "OVERLAP", "COSINE"]
METRICS: tuple[Metric, ...] = ("JACCARD", "OVERLAP", "COSINE")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Postings:
    """Weights grouped per shared item: item j holds `members[indptr[j]:indptr[j + 1]]` with `weights`.

    Members are 0..n_members-1 (the nodes compared); each (item, member) at most once, weight > 0.
    """

    indptr: IntArray
    members: IntArray
    weights: FloatArray
    n_members: int

    @property
    def n_items(self) -> int:
        return len(self.indptr) - 1


def postings_from_flat(
    lengths: Sequence[int], members: Sequence[int], weights: Sequence[float], n_members: int
) -> Postings:
    """`Postings` from each item's number of entries and the entries, item after item; weights <= 0 left out."""
    length_arr = np.asarray(lengths, dtype=np.int64)
    member_arr = np.asarray(members, dtype=np.int64)
    weight_arr = np.asarray(weights, dtype=np.float64)
    if member_arr.size != weight_arr.size or int(length_arr.sum()) != member_arr.size:
        raise ValueError("lengths, members and weights do not agree")
    if member_arr.size and (member_arr.min() < 0 or member_arr.max() >= n_members):
        raise ValueError("a member index is outside 0..n_members-1")
    positive = weight_arr > 0
    if not positive.all():
        item_of = np.repeat(np.arange(length_arr.size, dtype=np.int64), length_arr)
        length_arr = np.bincount(item_of[positive], minlength=length_arr.size).astype(np.int64)
        member_arr, weight_arr = member_arr[positive], weight_arr[positive]
    indptr = np.zeros(length_arr.size + 1, dtype=np.int64)
    np.cumsum(length_arr, out=indptr[1:])
    return Postings(indptr, member_arr, weight_arr, n_members)


def postings_from_lists(items: Iterable[tuple[Sequence[int], Sequence[float]]], n_members: int) -> Postings:
    """`Postings` from one (members, weights) pair per item; entries with a weight <= 0 are left out."""
    lengths: list[int] = []
    members: list[int] = []
    weights: list[float] = []
    for m, w in items:
        if len(m) != len(w):
            raise ValueError("members and weights differ in length")
        lengths.append(len(m))
        members.extend(m)
        weights.extend(w)
    return postings_from_flat(lengths, members, weights, n_members)


@dataclass(frozen=True)
class SharingResult:
    """Each kept (source, target, score), grouped by source, best first; and what it took."""

    source: IntArray
    target: IntArray
    score: FloatArray
    nodes_compared: int  # members with at least degree_cutoff items
    pair_updates: int  # (source, candidate, shared item) triples visited

    def __len__(self) -> int:
        return int(self.source.size)


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenated `arange(s, s + l)` for each (s, l), without a Python loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


def sharing_top_k(
    postings: Postings,
    *,
    metric: str = "JACCARD",
    top_k: int = 10,
    similarity_cutoff: float = 1.0e-42,
    degree_cutoff: int = 1,
    batch_pairs: int = 4_000_000,
    on_progress: Callable[[float], None] | None = None,
) -> SharingResult:
    """Every member's `top_k` most similar members among those sharing an item with it (see the module doc).

    `on_progress` gets the share of the triples done after each batch.
    """
    if metric not in METRICS:
        raise ValueError(f"similarity metric must be one of {', '.join(METRICS)}, got {metric!r}")
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    if not similarity_cutoff > 0:
        # GDS with cutoff 0 keeps pairs that share nothing (score 0); this engine never visits them.
        raise ValueError("the sharing engine needs similarity_cutoff > 0 (pairs sharing nothing score 0)")
    n = postings.n_members
    item_of = np.repeat(np.arange(postings.n_items, dtype=np.int64), np.diff(postings.indptr))
    members, weights = postings.members, postings.weights
    degree = np.bincount(members, minlength=n)
    compared = degree >= degree_cutoff
    if degree_cutoff > 1:
        keep = compared[members]
        members, weights, item_of = members[keep], weights[keep], item_of[keep]
    # Inverted index (item -> members), and each member's own items (member -> items).
    plen = np.bincount(item_of, minlength=postings.n_items).astype(np.int64)
    pstart = np.cumsum(plen) - plen
    by_item = np.argsort(item_of, kind="stable")
    i_members, i_weights = members[by_item], weights[by_item]
    by_member = np.argsort(members, kind="stable")
    m_items, m_weights = item_of[by_member], weights[by_member]
    m_len = np.bincount(members, minlength=n).astype(np.int64)
    m_start = np.cumsum(m_len) - m_len
    if metric == "COSINE":
        norm = np.sqrt(np.bincount(members, weights=weights * weights, minlength=n))
    else:
        norm = np.bincount(members, weights=weights, minlength=n)

    # Work per source: the postings it walks; cut the sources into batches of about batch_pairs triples.
    cost = np.bincount(members, weights=plen[item_of].astype(np.float64), minlength=n).astype(np.int64)
    cum = np.cumsum(cost)
    out_s: list[IntArray] = []
    out_t: list[IntArray] = []
    out_v: list[FloatArray] = []
    updates = 0
    lo = 0
    while lo < n:
        base = int(cum[lo - 1]) if lo else 0
        hi = int(np.searchsorted(cum, base + max(batch_pairs, 1), side="right"))
        hi = max(hi, lo + 1)
        s, t, v = _batch(
            lo, min(hi, n), m_start, m_len, m_items, m_weights, pstart, plen, i_members, i_weights, metric == "COSINE"
        )
        updates += int(cum[min(hi, n) - 1]) - base
        lo = hi
        if on_progress is not None and cum[-1] > 0:
            on_progress(updates / float(cum[-1]))
        if s.size == 0:
            continue
        score = _score(metric, v, norm[s], norm[t])
        ok = score >= similarity_cutoff
        s, t, score = s[ok], t[ok], score[ok]
        order = np.lexsort((-score, s))
        s, t, score = s[order], t[order], score[order]
        first = np.r_[True, s[1:] != s[:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(s.size), 0))
        best = (np.arange(s.size) - group_start) < top_k
        out_s.append(s[best])
        out_t.append(t[best])
        out_v.append(score[best])
    if not out_s:
        empty = np.zeros(0, dtype=np.int64)
        return SharingResult(empty, empty, np.zeros(0), int(compared.sum()), updates)
    return SharingResult(
        np.concatenate(out_s), np.concatenate(out_t), np.concatenate(out_v), int(compared.sum()), updates
    )


def _batch(
    lo: int,
    hi: int,
    m_start: IntArray,
    m_len: IntArray,
    m_items: IntArray,
    m_weights: FloatArray,
    pstart: IntArray,
    plen: IntArray,
    i_members: IntArray,
    i_weights: FloatArray,
    product: bool,
) -> tuple[IntArray, IntArray, FloatArray]:
    """(source, candidate, accumulated value) for sources lo..hi-1: the sum of minima, or of products."""
    entries = _ranges(m_start[lo:hi], m_len[lo:hi])
    src = np.repeat(np.arange(lo, hi, dtype=np.int64), m_len[lo:hi])
    items = m_items[entries]
    w = m_weights[entries]
    lengths = plen[items]
    pos = _ranges(pstart[items], lengths)
    rep = np.repeat(np.arange(items.size, dtype=np.int64), lengths)
    cand = i_members[pos]
    s = src[rep]
    other = cand != s
    s, cand, pos, rep = s[other], cand[other], pos[other], rep[other]
    val = w[rep] * i_weights[pos] if product else np.minimum(w[rep], i_weights[pos])
    n = int(m_len.size)
    keys, inverse = np.unique((s - lo) * n + cand, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=val, minlength=keys.size).astype(np.float64, copy=False)
    return (keys // n + lo).astype(np.int64, copy=False), (keys % n).astype(np.int64, copy=False), sums


def _score(metric: str, acc: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    if metric == "JACCARD":
        return acc / (a + b - acc)
    if metric == "OVERLAP":
        return acc / np.minimum(a, b)
    return acc / (a * b)
