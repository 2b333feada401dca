"""The sharing-pairs engine against the definitions, on hand-made and random weights (no services)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from algorithms.bench_naive import weighted_jaccard, weighted_jaccard_top_k
from algorithms.sharing import Postings, postings_from_lists, sharing_top_k


def as_postings(vectors: dict[int, dict[int, float]], n: int) -> Postings:
    items: dict[int, tuple[list[int], list[float]]] = {}
    for u, vec in vectors.items():
        for i, w in vec.items():
            items.setdefault(i, ([], []))
            items[i][0].append(u)
            items[i][1].append(w)
    return postings_from_lists(items.values(), n)


def rows(result: object) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float]]] = {}
    for s, t, v in zip(result.source, result.target, result.score, strict=True):  # type: ignore[attr-defined]
        out.setdefault(int(s), []).append((int(t), float(v)))
    return out


def overlap(a: dict[int, float], b: dict[int, float]) -> float:
    num = sum(min(w, b[i]) for i, w in a.items() if i in b)
    return num / min(sum(a.values()), sum(b.values()))


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    dot = sum(w * b[i] for i, w in a.items() if i in b)
    return dot / (math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values())))


# The integration tests' users a..d (0..3) over content p..s (0..3), weights as of NOW.
HAND = {0: {0: 1.0, 1: 2.0, 2: 0.25}, 1: {0: 2.0, 1: 0.5}, 2: {2: 3.0, 3: 1.0}, 3: {3: 1.0}}


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("JACCARD", {(0, 1): 1.5 / 4.25, (0, 2): 0.25 / 7.0, (2, 3): 1.0 / 4.0}),
        ("OVERLAP", {(0, 1): 1.5 / 2.5, (0, 2): 0.25 / 3.25, (2, 3): 1.0}),
        (
            "COSINE",
            {(0, 1): 3.0 / (2.25 * 4.25**0.5), (0, 2): 0.75 / (2.25 * 10**0.5), (2, 3): 1.0 / 10**0.5},
        ),
    ],
)
def test_hand_computed_scores_both_directions(metric: str, expected: dict[tuple[int, int], float]) -> None:
    result = sharing_top_k(as_postings(HAND, 4), metric=metric, top_k=10)
    got = {(int(s), int(t)): float(v) for s, t, v in zip(result.source, result.target, result.score, strict=True)}
    both = {**expected, **{(y, x): v for (x, y), v in expected.items()}}
    assert got.keys() == both.keys()  # 1 and 3 share nothing: never compared
    for pair, score in both.items():
        assert got[pair] == pytest.approx(score, rel=1e-12)
    assert result.nodes_compared == 4


def test_top_k_cutoffs_and_degree() -> None:
    r = rows(sharing_top_k(as_postings(HAND, 4), top_k=1))
    assert {u: [t for t, _ in row] for u, row in r.items()} == {0: [1], 1: [0], 2: [3], 3: [2]}
    res = sharing_top_k(as_postings(HAND, 4), similarity_cutoff=0.3, degree_cutoff=2)
    assert set(zip(res.source.tolist(), res.target.tolist(), strict=True)) == {(0, 1), (1, 0)}
    assert res.nodes_compared == 3  # 3 has one item
    at = sharing_top_k(as_postings(HAND, 4), similarity_cutoff=0.25)  # 2-3 scores exactly 0.25: kept
    assert (2, 3) in set(zip(at.source.tolist(), at.target.tolist(), strict=True))


def test_rejects_what_it_cannot_do() -> None:
    p = as_postings(HAND, 4)
    with pytest.raises(ValueError, match="metric"):
        sharing_top_k(p, metric="EUCLIDEAN")
    with pytest.raises(ValueError, match="similarity_cutoff > 0"):
        sharing_top_k(p, similarity_cutoff=0.0)
    with pytest.raises(ValueError, match="outside"):
        postings_from_lists([([0, 5], [1.0, 1.0])], 4)


def test_empty_and_non_positive_weights() -> None:
    assert len(sharing_top_k(postings_from_lists([], 0))) == 0
    p = postings_from_lists([([0, 1], [1.0, 0.0]), ([2], [1.0])], 3)
    assert len(sharing_top_k(p)) == 0  # 1's only weight is 0: it shares nothing


def random_vectors(seed: int, users: int = 300, items: int = 120) -> dict[int, dict[int, float]]:
    rng = random.Random(seed)
    out: dict[int, dict[int, float]] = {}
    for u in range(users):
        k = rng.choice([0, 1, 1, 2, 3, 5, 8, 20])
        out[u] = {rng.randrange(items) ** 2 % items: rng.choice([0.5, 1.0, rng.random() * 3]) for _ in range(k)}
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("batch_pairs", [1, 50, 4_000_000])
def test_random_graphs_match_the_plain_python_baseline(seed: int, batch_pairs: int) -> None:
    vectors = random_vectors(seed)
    for degree_cutoff, cutoff in [(1, 1e-42), (3, 1e-42), (1, 0.2)]:
        naive = weighted_jaccard_top_k(vectors, 5, similarity_cutoff=cutoff, degree_cutoff=degree_cutoff)
        got = rows(
            sharing_top_k(
                as_postings(vectors, 300),
                top_k=5,
                similarity_cutoff=cutoff,
                degree_cutoff=degree_cutoff,
                batch_pairs=batch_pairs,
            )
        )
        for u, row in naive.top_k.items():
            mine = got.get(u, [])
            assert [s for _, s in mine] == pytest.approx([s for _, s in row], rel=1e-12, abs=0), u
            for v, s in mine:
                assert s == pytest.approx(weighted_jaccard(vectors[u], vectors[v]), rel=1e-12)
        assert set(got) <= set(naive.top_k)


@pytest.mark.parametrize(("metric", "definition"), [("OVERLAP", overlap), ("COSINE", cosine)])
def test_random_graphs_overlap_and_cosine_against_the_definitions(metric: str, definition: object) -> None:
    vectors = random_vectors(4)
    result = sharing_top_k(as_postings(vectors, 300), metric=metric, top_k=300)
    got = {(int(s), int(t)): float(v) for s, t, v in zip(result.source, result.target, result.score, strict=True)}
    expected = {
        (u, v): definition(a, b)  # type: ignore[operator]
        for u, a in vectors.items()
        for v, b in vectors.items()
        if u != v and a.keys() & b.keys()
    }
    assert got.keys() == expected.keys()
    for pair, score in expected.items():
        assert got[pair] == pytest.approx(score, rel=1e-12)


def test_pair_updates_count_the_triples() -> None:
    # item 0: users 0, 1, 2; item 1: users 0, 1. Source 0 walks 3 + 2 postings, 1 too, 2 walks 3.
    p = postings_from_lists([([0, 1, 2], [1.0, 1.0, 1.0]), ([0, 1], [1.0, 2.0])], 3)
    assert sharing_top_k(p).pair_updates == 13
    assert np.all(np.diff(sharing_top_k(p, top_k=2).source) >= 0)


def test_worker_memory_estimate_and_refusal() -> None:
    from algorithms.projection import InsufficientMemory
    from algorithms.sharing_run import BATCH_PAIRS, InsufficientWorkerMemory, estimate_memory

    big = estimate_memory(100_000, 1_000_000, 0.9, 2**34)
    assert big.fits and big.bytes_min < big.bytes_max
    assert big.bytes_max - big.bytes_min == BATCH_PAIRS * 130  # one full batch of triples on top
    assert "(sharing engine, worker)" in big.required_memory
    small = estimate_memory(10, 20, 0.9, None)  # unknown free memory: recorded as 0 (check_memory skips it)
    assert small.available_heap_bytes == 0 and small.bytes_max - small.bytes_min == 20 * 64 * 130
    tight = estimate_memory(100_000, 1_000_000, 0.9, 100 * 2**20)
    assert not tight.fits
    error = InsufficientWorkerMemory("user_similarity (run)", tight)
    assert isinstance(error, InsufficientMemory)
    assert "worker" in str(error) and "100.0 MiB" in str(error) and "'gds'" in str(error)
