"""`score_batch` (numpy, all candidates at once) gives what `Scorer.score` gives candidate by candidate."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from graph.feed import scoring
from graph.feed.batch_scoring import score_batch
from graph.feed.model import CandidateFeatures, TieFeatures, ViewerFeatures
from graph.feed.weights import FeedWeights

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=timezone.utc)


def _tie(rng: random.Random) -> TieFeatures:
    return TieFeatures(
        other_known=True, visit_out=rng.choice([0.0, rng.random() * 3, math.inf]), visit_in=rng.random(),
        vibe_out=rng.random(), vibe_in=rng.choice([0.0, rng.random()]), engaged_out=rng.random(),
        engaged_in=rng.choice([0.0, rng.random() * 5]),
        connected_states=rng.choice([(), ("connected",), ("requested",)]),
        platform_statuses=rng.choice([(), ("Accepted",), ("Received",)]), similar=rng.choice([0.0, rng.random(), 1.5]),
        mutual=rng.randrange(6), same_community=rng.random() < 0.5, shared_groups=rng.randrange(3),
        influence=rng.choice([None, rng.random() * 2, math.nan]), authored=rng.randrange(10))


def test_batch_scores_equal_the_per_candidate_scorer() -> None:
    rng = random.Random(11)
    for trial in range(40):
        w = FeedWeights.model_construct() if trial % 2 else FeedWeights(
            components={"base": rng.random(), "engagement": rng.random()},
            signals={"social.strength": rng.random(), "preference.type": 0.0, "base.influence": rng.random()},
            media_boost=rng.choice([0.0, 0.3]), creator_boost=rng.choice([0.0, 0.2]))
        viewer = scoring.viewer_profile(ViewerFeatures(
            known=trial % 5 != 0, kind_weights={"Image": rng.random(), "text": rng.random(), "image": 0.1},
            active_hours=tuple(float(rng.randrange(4)) for _ in range(24)) if trial % 3 else (),
            connections=rng.randrange(20), authored=rng.randrange(9)), w)
        ties = [_tie(rng) for _ in range(6)]  # shared between candidates, as one author's are
        cands = []
        for _ in range(60):
            n = rng.randrange(4)
            cands.append(CandidateFeatures(
                found=rng.random() < 0.9, kind=rng.choice([None, "image", "TEXT", "video", ""]),
                created_at=rng.choice([None, NOW - timedelta(hours=rng.random() * 100), NOW + timedelta(hours=1),
                                       NOW - timedelta(days=20000)]),
                engagers=n + rng.randrange(5), sample_n=n, sample_weight=rng.random() * n,
                sample_duration=rng.random() * 100 * n, sample_scroll_sum=rng.random() * 100 * n,
                sample_scroll_n=float(n), community_weight=rng.choice([0.0, rng.random(), math.nan]),
                similar_users_weight=rng.random(), content_similarity=rng.choice([rng.random(), 2.0, math.inf]),
                tie=rng.choice([None, *ties])))
        expected = [scoring.Scorer(viewer, NOW, w).score(c) for c in cands]
        got = score_batch(scoring.Scorer(viewer, NOW, w), cands, {"snapshot": 1.0})
        assert len(got) == len(expected)
        for (score, components), (e_score, e_components) in zip(got, expected, strict=True):
            assert list(components) == [*e_components, "snapshot"] and components["snapshot"] == 1.0
            for name, value in e_components.items():
                assert components[name] == pytest.approx(value, abs=1e-12, rel=0), name
            assert score == pytest.approx(e_score, abs=1e-12, rel=0)


def test_batch_of_nothing() -> None:
    w = FeedWeights.model_construct()
    assert score_batch(scoring.Scorer(scoring.viewer_profile(ViewerFeatures(), w), NOW, w), []) == []


def test_rows_gathered_as_columns_score_as_the_features_do() -> None:
    """The snapshot path's columns (`gather_rows`) give what `reader.snapshot_features` + `score_batch` give: the
    joins (snapshot ties, collaborative lists, community weights, platform communities), the decay from each
    row's time, and ages and hours from exact microseconds (also before 1970 and on an hour's edge)."""
    from graph.feed import reader
    from graph.feed.batch_scoring import gather_rows, score_columns

    rng = random.Random(3)
    hl_ms = 14 * 86400 * 1000.0
    now_ms = int(NOW.timestamp() * 1000)
    snapshot = reader.read_snapshot({
        "at_ms": now_ms - 3_600_000, "kinds": ["image", "text"], "kind_weights": [1.0, 3.0], "connections": 12,
        "tie_out": 2.0, "authored": 6, "similar_users": 3,
        "direct_users": ["a1", "a2"], "direct_values": [0.8, 0.4, 0.2, 0.0, 0.5, 0.1, 0.0, 0.3, 0.0, 0.0],
        "direct_states": ["connected,", ""], "engaged_out_users": ["a1"], "engaged_out_values": [0.6],
        "engaged_in_users": ["a3"], "engaged_in_values": [0.2], "mutual_users": ["a2"], "mutual_counts": [2],
        "platform_users": ["a3"], "platform_statuses": ["Accepted,"],
        "sim_refs": ["Post:1", "Post:2"], "sim_values": [0.9, 0.1], "near_refs": ["Post:2"], "near_values": [0.7],
    }, None, None)
    assert snapshot is not None
    snap = snapshot.at(now_ms, hl_ms)
    edges = [None, NOW - timedelta(hours=5), NOW + timedelta(minutes=1), datetime(1969, 7, 20, 20, 17, 40,
             tzinfo=timezone.utc), NOW.replace(hour=3, minute=0, second=0, microsecond=0) - timedelta(microseconds=1)]
    for trial in range(20):
        w = FeedWeights.model_construct()
        viewer = ViewerFeatures(known=trial % 4 != 0, community=rng.choice([None, 1, 2]),
                                active_hours=tuple(float(rng.randrange(4)) for _ in range(24)),
                                kind_weights=dict(snap.kind_weights), connections=snap.connections,
                                tie_weight_out=snap.tie_out, authored=6, from_snapshot=True)
        rows: dict[int, reader.ContentRow] = {}
        n = 40
        for j in range(n):
            if rng.random() < 0.15:
                continue  # not found
            created = rng.choice(edges)
            rows[j] = reader.ContentRow(
                author_id=rng.choice([None, "a1", "a2", "a3", "a4"]), created_at=created,
                kind=rng.choice([None, "image", "Text"]), engagers=rng.randrange(9), sample_n=rng.randrange(4),
                sample_weight=rng.random(), sample_duration=rng.random() * 50, sample_scroll_sum=rng.random() * 90,
                sample_scroll_n=float(rng.randrange(3)), community_weights={1: rng.random(), 2: rng.random()},
                at_ms=now_ms - rng.randrange(0, 10**9), ref=rng.choice(["Post:1", "Post:2", "Post:3"]),
                author_community=rng.choice([None, 1, 2]), author_influence=rng.choice([None, rng.random()]),
                authored=rng.randrange(8), author_groups=frozenset(rng.sample(["g1", "g2", "g3"], rng.randrange(3))),
                created_us=None if created is None else (created - reader.EPOCH) // reader.ONE_MICROSECOND)
        cands = [("post", f"{j:032x}") for j in range(n)]
        groups = frozenset({"g1", "g3"})
        features = reader.snapshot_features(rows, n, viewer, snap, groups, now_ms, hl_ms)
        features = [replace(f, kind=t) if f.kind is None and f.found else f
                    for (t, _), f in zip(cands, features, strict=True)]
        profile = scoring.viewer_profile(viewer, w)
        expected = score_batch(scoring.Scorer(profile, NOW, w), features)
        join = reader.SnapshotJoin(rows, snap, groups, now_ms, hl_ms)
        columns, kinds = gather_rows(scoring.Scorer(profile, NOW, w), join, cands, viewer.community)
        got = score_columns(scoring.Scorer(profile, NOW, w), columns)
        assert kinds == [f.kind if f.found else None for f in features]
        for (score, components), (e_score, e_components) in zip(got, expected, strict=True):
            assert components.keys() == e_components.keys()
            for name, value in e_components.items():
                assert components[name] == pytest.approx(value, abs=1e-12, rel=0), name
            assert score == pytest.approx(e_score, abs=1e-12, rel=0)
