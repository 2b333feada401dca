"""The feed's pure parts: saturation, freshness, the viewer profile and its adjustments, strength arithmetic,
settings, reading records. No services."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.feed import reader, scoring
from graph.feed.model import CandidateFeatures, TieFeatures, ViewerFeatures
from graph.feed.weights import DEFAULT_STRENGTH_WEIGHTS, FeedWeights, default_feed_weights
from graph.settings import Settings

pytestmark = pytest.mark.graph_facing

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=timezone.utc)
W = default_feed_weights()


def test_sat_and_freshness() -> None:
    assert scoring.sat(1.0, 1.0) == 0.5
    assert scoring.sat(0.0, 1.0) == 0.0 and scoring.sat(-3.0, 1.0) == 0.0
    assert scoring.sat(math.nan, 1.0) == 0.0 and scoring.sat(math.inf, 1.0) == 1.0
    assert scoring.freshness(NOW - timedelta(hours=48), NOW, 48.0) == 0.5
    assert scoring.freshness(NOW + timedelta(hours=1), NOW, 48.0) == 1.0
    assert scoring.freshness(None, NOW, 48.0) == 0.0


def test_viewer_profile_adjustments() -> None:
    hours = [0.0] * 24
    hours[20] = 5.0
    viewer = ViewerFeatures(known=True, active_hours=tuple(hours), kind_weights={"video": 3.0, "text": 1.0},
                            connections=12, authored=7)
    p = scoring.viewer_profile(viewer, W)
    assert p.highly_social and p.visual_lover and p.creator
    assert p.visual_share == 0.75 and p.kind_max == 0.75
    assert p.hour_fit[20] == 1.0 and p.hour_fit[19] == 1.0 and p.hour_fit[18] == 0.0
    weights = scoring.component_weights(p, W)
    assert weights["social"] == pytest.approx(0.15 + W.social_boost)
    assert weights["media"] == W.media_boost and weights["creator"] == W.creator_boost
    quiet = scoring.viewer_profile(ViewerFeatures(known=True, kind_weights={"text": 1.0}), W)
    assert not (quiet.highly_social or quiet.visual_lover or quiet.creator)
    assert scoring.component_weights(quiet, W) == dict(W.components)
    assert set(scoring.component_weights(scoring.viewer_profile(ViewerFeatures(), W), W)) == {
        "base", "engagement", "temporal"}


def test_strength_arithmetic_and_pending_states() -> None:
    tie = TieFeatures(other_known=True, visit_out=1.0, platform_statuses=("Received",), mutual=5, shared_groups=1)
    total, comps = scoring.strength_components(tie, W)
    assert comps["connection"] == W.requested_value
    assert comps["visits_out"] == 0.5 and comps["mutual"] == 0.5 and comps["community"] == 0.5
    expected = (0.2 * W.requested_value + 0.15 * 0.5 + 0.1 * 0.5 + 0.05 * 0.5) / sum(DEFAULT_STRENGTH_WEIGHTS.values())
    assert total == pytest.approx(expected)
    accepted = TieFeatures(connected_states=("requested",), platform_statuses=("Accepted",))
    assert scoring.connection_value(accepted, W) == 1.0
    assert scoring.strength_components(None, W)[0] == 0.0


@given(
    st.floats(0, 1e6), st.integers(0, 10_000), st.integers(1, 50), st.floats(0, 1e6), st.floats(0, 1e4),
    st.floats(-5, 5), st.floats(0, 1e3), st.booleans(), st.booleans(),
)
def test_scores_stay_in_unit_interval(
    weight: float, engagers: int, n: int, duration: float, scroll: float, sim: float, tie_w: float,
    known: bool, found: bool,
) -> None:
    viewer = scoring.viewer_profile(
        ViewerFeatures(known=known, kind_weights={"image": 1.0}, connections=20, authored=9), W)
    cand = CandidateFeatures(
        found=found, kind="image", created_at=NOW - timedelta(hours=3), engagers=engagers, sample_n=n,
        sample_weight=weight, sample_duration=duration, sample_scroll_sum=scroll, sample_scroll_n=1.0,
        community_weight=tie_w, similar_users_weight=tie_w, content_similarity=sim,
        tie=TieFeatures(visit_out=tie_w, vibe_in=tie_w, similar=sim, influence=tie_w, authored=9),
    )
    score, components = scoring.score_candidate(viewer, cand, NOW, W)
    assert 0.0 <= score <= 1.0
    assert all(0.0 <= v <= 1.0 for v in components.values())


def test_weights_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVITY_FEED_COMPONENTS__SOCIAL", "0.3")
    monkeypatch.setenv("ACTIVITY_FEED_DEADLINE_MS", "25")
    w = FeedWeights()
    assert w.components["social"] == 0.3 and w.components["base"] == 0.4 and w.deadline_ms == 25
    monkeypatch.setenv("ACTIVITY_FEED_COMPONENTS__NOPE", "1")
    with pytest.raises(ValueError, match="unknown entry"):
        FeedWeights()


def _records(params: dict[str, object], name: str) -> list[list[str]]:
    text = str(params[name])
    assert len(text) >= reader.PACKED_MIN_LENGTH  # one plan-cache size bucket whatever the records
    fields = [r.split(str(params["fs"])) for r in text.split(str(params["rs"]))]
    return [f for f in fields if len(f) == 4]


def test_candidate_params_and_lookup_text() -> None:
    labels = reader.Labels.of(Settings())
    cands = [("post", "AB" * 16), ("story", "cd" * 16), ("page", "https://x/y"), ("community_post", "ef" * 16)]
    params = reader.candidate_params(cands, labels)
    post, story, community_post = (str(labels.distinct_labels.index(x)) for x in ("Post", "Story", "CommunityPost"))
    # a post may be a CommunityPost: it is looked up under both labels, the first with priority 0
    assert _records(params, "spacked") == [["0", post, "ab" * 16, "0"], ["0", community_post, "ab" * 16, "1"],
                                           ["1", story, "cd" * 16, "0"], ["2", "generic", "page", "https://x/y"],
                                           ["3", community_post, "ef" * 16, "0"]]
    assert _records(params, "cpacked") == []
    assert all(v == [] for k, v in params.items() if isinstance(v, list))  # every list empty: bucket 0
    # cached candidates go to $cpacked, which only the live branch reads; an id holding a separator to the lists
    odd = ("page", "a\x1eb")
    split = reader.candidate_params([*cands, odd], labels, [False, True, True, False, True])
    assert [r[0] for r in _records(split, "spacked")] == ["0", "0", "3"]
    assert _records(split, "cpacked") == [["1", story, "cd" * 16, "0"], ["2", "generic", "page", "https://x/y"]]
    assert split["cgeneric"] == [[4, "page", "a\x1eb"]] and split["sgeneric"] == []
    text = reader.score_query(labels)
    assert "{{" not in text
    # per prefix: the packed string and the lists, each with a branch per label and a generic one; the live branch
    # reads both prefixes, the snapshot branch $s only; the two branches are one UNION ALL apart
    assert text.count("UNWIND $sgeneric AS f") == 2 and text.count("UNWIND $cgeneric AS f") == 1
    n = 2 * (len(labels.distinct_labels) + 1)
    assert text.count("UNION ALL") == (2 * n - 1) + (n - 1) + 1


def test_reading_times_and_records() -> None:
    assert reader.to_datetime(0.0) == datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert reader.to_datetime("2025-01-01T00:00:00Z") == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert reader.to_datetime(datetime(2025, 1, 1)) == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert reader.to_datetime("soon") is None and reader.to_datetime(math.nan) is None
    viewer, feats = reader.read_scores_record(None, 2)
    assert not viewer.known and len(feats) == 2 and not feats[0].found
    record = {
        "viewer": {"known": True, "hours": [1] * 24, "kinds": [["image", 0.5]], "connections": 2},
        "rows": [[1, 0, 1.7e9, "image", 4, 2, 0.6, 30, 100.0, 2, 0.2, 0.5, 0.1, 0.3]],
        "ties": [[0, "7", [0.1, 0, 0, 0, 0, 0, ["connected"], [], 0.2, 1, True, 0, 0.9, 3]]],
    }
    viewer, feats = reader.read_scores_record(record, 2)
    assert viewer.known and viewer.kind_weights == {"image": 0.5}
    assert not feats[0].found and feats[1].found
    f = feats[1]
    assert f.sample_weight == pytest.approx(0.3) and f.community_weight == pytest.approx(0.1)
    assert f.author_id == "7" and f.tie is not None and f.tie.influence == 0.9 and f.tie.same_community


def test_reading_a_snapshot_record() -> None:
    """The snapshot branch: the viewer's parts come from the snapshot, decayed from its time to now; the author's
    live parts (community, groups, influence, content count) from the row; content keys join the lists."""
    hl_ms = 14 * 86400 * 1000.0
    at_ms = 1_000_000_000_000
    now_ms = at_ms + int(hl_ms)  # one half-life later: decayed parts halve
    snapshot = {
        "at_ms": at_ms, "kinds": ["image", "text"], "kind_weights": [1.0, 3.0], "connections": 4, "tie_out": 2.0,
        "authored": 6, "similar_users": 3,
        "direct_users": ["7", "8"], "direct_values": [0.8, 0.4, 0.2, 0.0, 0.5,   0.0, 0.0, 0.0, 0.0, 0.0],
        "direct_states": ["connected,", ""],
        "engaged_out_users": ["7"], "engaged_out_values": [0.6], "engaged_in_users": [], "engaged_in_values": [],
        "mutual_users": ["7", "8"], "mutual_counts": [2, 1],
        "platform_users": ["7"], "platform_statuses": ["Accepted,"],
        "sim_refs": ["Post:aa"], "sim_values": [0.9], "near_refs": ["Post:aa", "Post:bb"], "near_values": [0.7, 0.3],
    }
    record = {
        "from_snapshot": True,
        "viewer": {"known": True, "community": 5, "hours": [1] * 24, "snapshot": snapshot, "groups": ["g1", "g2"]},
        "rows": [
            # aggregates as of one half-life before now: their weights halve too
            [0, "7", "1.7E9", "image", 4, 4, 0.6, 30, 100.0, 2, [5, 6, 5], [0.1, 0.3, 0.1], at_ms, "Post:aa", 5, 0.9,
             3, ["g2", "g3"]],
            [1, "9", "2025-01-01T00:00:00Z", None, 0, 0, 0.0, 0, 0.0, 0, [], [], now_ms, "Post:bb", None, None, 0,
             []],
        ],
        "ties": [],
    }
    viewer, feats = reader.read_scores_record(record, 3, now_ms=now_ms, hl_ms=hl_ms)
    assert viewer.known and viewer.community == 5 and viewer.connections == 4 and viewer.authored == 6
    assert viewer.kind_weights == {"image": pytest.approx(0.5), "text": pytest.approx(1.5)}
    assert viewer.tie_weight_out == pytest.approx(1.0) and viewer.similar_users == 3
    a, b, missing = feats
    assert not missing.found
    assert a.created_at == datetime.fromtimestamp(1.7e9, tz=timezone.utc)
    assert a.similar_users_weight == pytest.approx(0.45) and a.content_similarity == pytest.approx(0.7)
    assert a.sample_weight == pytest.approx(0.3)  # decayed from the row's own time (column 12)
    assert a.community_weight == pytest.approx(0.1)  # community 5's weights, summed, halved
    t = a.tie
    assert t is not None and t.visit_out == pytest.approx(0.4) and t.visit_in == pytest.approx(0.2)
    assert t.engaged_out == pytest.approx(0.3) and t.similar == 0.5 and t.mutual == 2
    assert t.connected_states == ("connected",) and t.platform_statuses == ("Accepted",)
    assert t.same_community and t.shared_groups == 1 and t.influence == 0.9 and t.authored == 3
    # an author the snapshot does not hold: the live parts only
    assert b.tie is not None and b.tie.visit_out == 0.0 and b.tie.mutual == 0 and not b.tie.same_community
    assert b.similar_users_weight == 0.0 and b.content_similarity == pytest.approx(0.3)
    assert b.created_at == datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_importing_the_feed_stays_light() -> None:
    """The platform imports `graph` inside Django: no CLI, GDS client, Postgres or Celery at import time."""
    import subprocess
    import sys

    code = (
        "import sys, neo4j, pydantic_settings; before = set(sys.modules); "
        "from graph import graph_feed_score, graph_feed_candidates, FeedScore, connection_strength; "
        "heavy = [m for m in ('typer', 'rich', 'algorithms', 'graphdatascience', 'pandas', 'psycopg', 'celery', "
        "'neomodel') if m in sys.modules and m not in before]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_candidate_sources_are_normalised_and_weighted() -> None:
    from graph.feed.api import combine_sources

    rows = [
        ("similar_users", ("post", "a"), 4.0), ("similar_users", ("post", "b"), 2.0),
        ("ties", ("post", "b"), 0.5), ("community", ("community_post", "c"), 3.0),
        ("content", None, 9.0), ("content", ("post", "d"), 0.0),
    ]
    out = combine_sources(rows, {"similar_users": 1.0, "ties": 1.0, "community": 0.5, "content": 1.0}, 10)
    assert [(ref, score) for ref, score, _ in out] == [
        (("post", "b"), 1.5), (("post", "a"), 1.0), (("community_post", "c"), 0.5)]
    assert out[0][2] == {"similar_users": 0.5, "ties": 1.0}
    assert len(combine_sources(rows, {"similar_users": 1.0}, 1)) == 1


def _reference_score(viewer: scoring.ViewerProfile, cand: CandidateFeatures, now: datetime,
                     w: FeedWeights) -> tuple[float, dict[str, float]]:
    """docs/feed.md's formulas with plain dicts and `weighted_mean`: what `Scorer` must equal."""
    k = w.scales
    n = cand.sample_n
    tie = cand.tie
    fresh = scoring.freshness(cand.created_at, now, w.freshness_half_life_hours)
    hour = viewer.hour_fit[cand.created_at.astimezone(timezone.utc).hour] \
        if viewer.hour_fit and cand.created_at is not None else 0.0
    kind = (cand.kind or "").lower()
    shares = {key.lower(): s for key, s in reversed(list(viewer.kind_shares.items()))}
    type_pref = shares.get(kind, 0.0) / viewer.kind_max if viewer.kind_max > 0 and cand.kind is not None else 0.0
    sig = {
        "popularity": scoring.sat(cand.sample_weight * max(cand.engagers, n) / n, k["popularity"]) if n else 0.0,
        "influence": scoring.sat(tie.influence or 0.0 if tie else 0.0, k["influence"]),
        "quality": scoring.sat(cand.sample_weight / n, k["quality"]) if n else 0.0,
        "time_spent": scoring.sat(cand.sample_duration / n, k["time_spent"]) if n else 0.0,
        "scroll_depth": scoring.clamp01(cand.sample_scroll_sum / cand.sample_scroll_n / 100)
        if cand.sample_scroll_n else 0.0,
        "strength": scoring.strength_components(tie, w)[0],
        "similar_users": scoring.sat(cand.similar_users_weight, k["similar_users"]),
        "community": scoring.sat(cand.community_weight, k["community"]),
        "freshness": fresh, "active_hours": hour, "type_preference": type_pref,
        "content_similarity": scoring.clamp01(cand.content_similarity),
    }
    if not viewer.personal:
        for name in ("strength", "similar_users", "community", "active_hours", "type_preference",
                     "content_similarity"):
            sig[name] = 0.0

    def sub(name: str) -> dict[str, float]:
        out = {key[len(name) + 1:]: v for key, v in w.signals.items() if key.startswith(name + ".")}
        if name == "temporal" and not viewer.personal:
            out.pop("active_hours", None)
        return out

    comp = {
        "base": scoring.weighted_mean({"popularity": sig["popularity"], "influence": sig["influence"]}, sub("base")),
        "engagement": scoring.weighted_mean(sig, sub("engagement")),
        "social": scoring.weighted_mean(sig, sub("social")),
        "temporal": scoring.weighted_mean({"freshness": fresh, "active_hours": hour}, sub("temporal")),
        "preference": scoring.weighted_mean({"type": type_pref, "content": sig["content_similarity"]},
                                            sub("preference")),
        "media": 1.0 if kind in {v.lower() for v in w.visual_kinds} else 0.0,
        "creator": 1.0 if tie is not None and tie.authored >= w.creator_min_items else 0.0,
    }
    in_force = scoring.component_weights(viewer, w)
    total = scoring.weighted_mean(comp, in_force) if cand.found or tie is not None else 0.0
    out = {c: comp[c] for c in ("base", "engagement", "social", "temporal", "preference")}
    out.update({c: comp[c] for c in ("media", "creator") if c in in_force})
    return total, {**out, **sig, "personal": float(viewer.personal), "found": float(cand.found)}


def test_scorer_equals_the_plain_weighted_means() -> None:
    """The per-call `Scorer` (positions, cached strengths) gives what the formulas give, for random viewers,
    candidates and weights."""
    import random

    rng = random.Random(5)
    for trial in range(40):
        w = FeedWeights.model_construct() if trial % 2 else FeedWeights(
            components={"base": rng.random(), "engagement": rng.random()},
            signals={"social.strength": rng.random(), "preference.type": 0.0, "base.influence": rng.random()})
        viewer = scoring.viewer_profile(ViewerFeatures(
            known=trial % 5 != 0, kind_weights={"Image": rng.random(), "text": rng.random(), "image": 0.1},
            active_hours=tuple(float(rng.randrange(4)) for _ in range(24)), connections=rng.randrange(20),
            authored=rng.randrange(9)), w)
        scorer = scoring.Scorer(viewer, NOW, w)
        for _ in range(25):
            tie = None if rng.random() < 0.2 else TieFeatures(
                other_known=True, visit_out=rng.random() * 3, vibe_in=rng.random(), engaged_out=rng.random(),
                connected_states=rng.choice([(), ("connected",), ("requested",)]), mutual=rng.randrange(6),
                same_community=rng.random() < 0.5, influence=rng.choice([None, rng.random() * 2]),
                authored=rng.randrange(10))
            n = rng.randrange(4)
            cand = CandidateFeatures(
                found=rng.random() < 0.9, kind=rng.choice([None, "image", "TEXT", "video"]),
                created_at=rng.choice([None, NOW - timedelta(hours=rng.random() * 100), NOW + timedelta(hours=1)]),
                engagers=n + rng.randrange(5), sample_n=n, sample_weight=rng.random() * n,
                sample_duration=rng.random() * 100 * n, sample_scroll_sum=rng.random() * 100 * n,
                sample_scroll_n=float(n), community_weight=rng.random(), similar_users_weight=rng.random(),
                content_similarity=rng.random(), tie=tie)
            expected_score, expected = _reference_score(viewer, cand, NOW, w)
            score, components = scorer.score(cand)
            assert components.keys() == expected.keys()
            for name, value in expected.items():
                assert components[name] == pytest.approx(value, abs=1e-12), name
            assert score == pytest.approx(expected_score, abs=1e-12)
