"""Baselines on a tiny matrix (hand-computed), ranking with ties, candidate sets, the whole harness offline."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from evaluation.baselines import Als, AlsParams, ItemKNN, Popularity, StaticWeights, TrainingMatrix, top_k_rows
from evaluation.dataset import Dataset, Interaction
from evaluation.harness import EvalOptions, run_evaluation, sample_users
from evaluation.protocol import CandidateProtocol, candidate_sets, choose_protocol, rank, tiebreak_order

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
A, B, C, D = 0, 1, 2, 3


def _matrix() -> TrainingMatrix:
    rows = [("u0", "a", "like"), ("u0", "b", "view"), ("u1", "a", "view"), ("u1", "c", "comment"),
            ("u2", "a", "share"), ("u2", "b", "like"), ("u2", "b", "view")]
    train = [Interaction(u, i, k, T0) for u, i, k in rows]
    return TrainingMatrix.build(train, ["u0", "u1", "u2"], ["a", "b", "c", "d"])


ALL = np.arange(4, dtype=np.int64)


def test_popularity_counts_distinct_users() -> None:
    assert Popularity(_matrix()).score(0, ALL).tolist() == [3.0, 2.0, 1.0, 0.0]


def test_static_weights_sum_the_write_up_weights() -> None:
    # a: like 0.3 + view 0.1 + share 0.7; b: view 0.1 + like 0.3 + view 0.1; c: comment 0.5
    assert StaticWeights(_matrix()).score(1, ALL) == pytest.approx([1.1, 0.5, 0.5, 0.0])


def test_item_knn_cosine() -> None:
    knn = ItemKNN(_matrix())
    ab, ac = 2 / (math.sqrt(3) * math.sqrt(2)), 1 / math.sqrt(3)  # columns a=(1,1,1), b=(1,0,1), c=(0,1,0)
    # u0 has a, b: score(c) = sim(a,c) + sim(b,c) = ac + 0; score(a) = sim(b,a) (a's self-similarity is 0)
    assert knn.score(0, ALL) == pytest.approx([ab, ab, ac, 0.0])
    # u1 has a, c: score(b) = sim(a,b) + sim(c,b) = ab
    assert knn.score(1, np.asarray([B, D], dtype=np.int64)) == pytest.approx([ab, 0.0])


def test_item_knn_keeps_top_neighbours() -> None:
    knn = ItemKNN(_matrix(), neighbours=1)  # a -> b, b -> a, c -> a
    ab, ac = 2 / (math.sqrt(3) * math.sqrt(2)), 1 / math.sqrt(3)
    assert knn.score(0, ALL) == pytest.approx([ab, ab, 0.0, 0.0])
    assert knn.score(1, ALL) == pytest.approx([ac, ab, 0.0, 0.0])


def test_top_k_rows_ties_prefer_lower_column() -> None:
    from scipy import sparse

    m = sparse.csr_matrix(np.asarray([[0.0, 2.0, 2.0, 1.0], [5.0, 0.0, 0.0, 0.0]]))
    kept = top_k_rows(m, 1).toarray()
    assert kept.tolist() == [[0.0, 2.0, 0.0, 0.0], [5.0, 0.0, 0.0, 0.0]]


def test_als_is_deterministic_and_scores_every_item() -> None:
    pytest.importorskip("implicit")
    params = AlsParams(factors=4, iterations=5)
    one = Als(_matrix(), params, num_threads=1).score(1, ALL)
    two = Als(_matrix(), params, num_threads=1).score(1, ALL)
    assert one.shape == (4,) and np.all(np.isfinite(one))
    assert one == pytest.approx(two)


def test_rank_breaks_ties_by_the_fixed_order_and_puts_nan_last() -> None:
    items = np.asarray([0, 1, 2, 3], dtype=np.int64)
    scores = np.asarray([1.0, 2.0, 2.0, np.nan])
    tiebreak = np.asarray([3.0, 2.0, 1.0, 0.0])
    assert rank(items, scores, tiebreak).tolist() == [2, 1, 0, 3]
    order = tiebreak_order(10, 1)
    assert sorted(order.tolist()) == list(range(10)) and order.tolist() == tiebreak_order(10, 1).tolist()


def test_candidate_sets_full_and_sampled() -> None:
    m = _matrix()
    relevant = {0: np.asarray([C], dtype=np.int64), 1: np.asarray([B], dtype=np.int64)}
    full, pool = candidate_sets(CandidateProtocol("full", 0, 1), m, [0, 1], relevant)
    assert pool == 4 and full[0].tolist() == [C, D] and full[1].tolist() == [B, D]
    sampled, pool = candidate_sets(CandidateProtocol("sampled", 1, 1), m, [0, 1], relevant)
    for u in (0, 1):
        assert int(relevant[u][0]) in sampled[u].tolist()  # the held-out item is always a candidate
        assert not set(sampled[u].tolist()) & set(m.seen(u).tolist())
        assert len(sampled[u]) <= 2
    assert 2 <= pool <= 3


def test_choose_protocol() -> None:
    assert choose_protocol(100, max_full=100).mode == "full"
    assert choose_protocol(101, max_full=100, sample_items=1000).mode == "full"  # sample >= catalogue
    p = choose_protocol(5000, max_full=100, sample_items=1000)
    assert (p.mode, p.sample_items) == ("sampled", 1000)


def test_sample_users() -> None:
    users = [str(i) for i in range(10)]
    assert sample_users(users, 0, 1) == users
    picked = sample_users(users, 4, 1)
    assert len(picked) == 4 and picked == sample_users(users, 4, 1) and picked == sorted(picked, key=int)


def _planted() -> Dataset:
    """Two groups of users, each engaging with its own items; the last item of each user is held out."""
    rows: list[Interaction] = []
    t = T0
    for group, items in (("g", ["g1", "g2", "g3", "g4"]), ("h", ["h1", "h2", "h3", "h4"])):
        for n in range(6):
            for k, item in enumerate(items[: 2 + n % 3]):
                t += timedelta(minutes=1)
                rows.append(Interaction(f"{group}{n}", item, "like" if k % 2 else "view", t))
    return Dataset(tuple(rows), name="planted")


def test_harness_without_the_graph() -> None:
    result = run_evaluation(_planted(), EvalOptions(users=0, graph=False, als=AlsParams(factors=2, iterations=3)))
    assert [r.method for r in result.catalogue_rows] == ["popularity", "static_weights", "item_knn", "als"]
    assert result.stats["test_users"] == 12 and result.stats["evaluated_users"] == 12
    assert "full catalogue" in result.protocol
    knn = result.catalogue_rows[2]
    assert knn.recall_50 == 1.0  # 8 items: every unseen item is in the top 50
    assert knn.ndcg_10 > result.catalogue_rows[0].ndcg_10  # the groups are what item-kNN sees, popularity not
    assert result.notes and "skipped" in result.notes[0]
    assert result.as_dict()["catalogue"][0]["method"] == "popularity"
