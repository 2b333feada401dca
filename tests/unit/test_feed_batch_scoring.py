"""`score_batch` (numpy, all candidates at once) gives what `Scorer.score` gives candidate by candidate."""

from __future__ import annotations

import math
import random
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
