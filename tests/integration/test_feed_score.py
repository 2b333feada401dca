"""`graph_feed_score` against the real Neo4j, on a small graph whose every component is worked out by hand.

Uses the suite's `clean_graph` fixture (wipes the database: run against a disposable instance).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import neo4j
import pytest
from pydantic import SecretStr

from graph import FeedScore, graph_feed_score
from graph.connection import get_driver
from graph.feed.aggregates import refresh_content_aggregates
from graph.feed.cache import clear_feed_caches
from graph.feed.runner import RUNNER
from graph.feed.viewers import refresh_viewer_snapshots
from graph.feed.weights import FeedWeights
from graph.settings import Settings

pytestmark = [pytest.mark.services, pytest.mark.graph_facing]

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
P1 = "a1" * 16  # image post by W, engaged by U1 and U2
P2 = "b2" * 16  # post by X, no engagement
P3 = "c3" * 16  # image the viewer engaged with (similar to P1)
P4 = "d4" * 16  # text the viewer engaged with
UNKNOWN = "ee" * 16
# a generous deadline: the first call plans the query (seconds on a cold server)
W = FeedWeights(deadline_ms=120_000, log_interval_seconds=0)


def sat(x: float, k: float) -> float:
    return x / (x + k) if x > 0 else 0.0


def cypher(settings: Settings, query: str, **params: Any) -> None:
    get_driver(settings).execute_query(query, params, database_=settings.neo4j_database)


@pytest.fixture()
def feed_graph(clean_graph: Settings) -> Iterator[Settings]:
    s = clean_graph
    hours = [0] * 24
    hours[12], hours[13] = 4, 2
    cypher(
        s,
        """
        CREATE (v:Users {user_id: '10', community: 3, active_hours: $hours}),
               (w:Users {user_id: '11', influence: 1.0}),
               (x:Users {user_id: '12'}),
               (u1:Users {user_id: '21'}), (u2:Users {user_id: '22', community: 3}),
               // P1: a platform post (HAS_POST, epoch-seconds created_at, post_type)
               (w)-[:HAS_POST]->(p1:Post {uid: $p1, post_type: 'image', created_at: $p1_created}),
               // P2: a post the sync created (CREATED, datetime created_at)
               (x)-[:CREATED {at: $p2_created}]->(p2:Post {uid: $p2, content_type: 'post', created_at: $p2_created}),
               (p3:Post {uid: $p3, post_type: 'image'}), (p4:Post {uid: $p4, post_type: 'text'}),
               (u1)-[:ENGAGED_WITH {weight: 0.8, count: 2, last_at: $now - duration({days: 14}),
                                    duration_seconds: 120, scroll_depth_sum: 150.0, scroll_depth_n: 2}]->(p1),
               (u2)-[:ENGAGED_WITH {weight: 0.2, count: 1, last_at: $now}]->(p1),
               (v)-[:ENGAGED_WITH {weight: 0.6, count: 1, last_at: $now}]->(p3),
               (v)-[:ENGAGED_WITH {weight: 0.2, count: 1, last_at: $now}]->(p4),
               (v)-[:VISITED {weight: 1.0, count: 3, last_at: $now}]->(w),
               (v)-[:SIMILAR_TO {score: 0.5, source: 'engagement', run_id: 'r1'}]->(u1),
               (v)-[:SIMILAR_TO {score: 0.9, source: 'engagement', run_id: 'r0-old'}]->(u2),
               (p1)-[:SIMILAR_TO {score: 0.3, run_id: 'c1'}]->(p3),
               (:GraphResultSet {name: 'user_similarity', run_id: 'r1'}),
               (:GraphResultSet {name: 'content_similarity', run_id: 'c1'})
        """,
        hours=hours,
        now=NOW,
        p1=P1, p2=P2, p3=P3, p4=P4,
        p1_created=(NOW - 2 * DAY).timestamp(),
        p2_created=NOW - timedelta(hours=26),
    )
    yield s
    RUNNER.close()


def expected_p1(personal: bool = True) -> tuple[float, dict[str, float]]:
    """P1's components and score, by hand (docs/feed.md formulas, default weights)."""
    # engagers: U1 0.8 decayed 14 days (one half-life) = 0.4; U2 0.2 now. Two engagers, both read.
    sample_weight = 0.4 + 0.2
    popularity = sat(sample_weight * 2 / 2, 5.0)
    influence = sat(1.0, 1.0)
    quality = sat(sample_weight / 2, 0.5)
    time_spent = sat(120 / 2, 60.0)
    scroll_depth = (150.0 / 2) / 100
    freshness = 2 ** (-48 / 48)
    c = {
        "popularity": popularity,
        "influence": influence,
        "quality": quality,
        "time_spent": time_spent,
        "scroll_depth": scroll_depth,
        "freshness": freshness,
        "base": 0.7 * popularity + 0.3 * influence,
        "engagement": 0.5 * quality + 0.25 * time_spent + 0.25 * scroll_depth,
    }
    if not personal:
        c["temporal"] = freshness  # active hours unknown: freshness only
        score = (0.4 * c["base"] + 0.25 * c["engagement"] + 0.1 * c["temporal"]) / 0.75
        return score, c
    visits_out = sat(1.0, 1.0)  # VISITED weight 1.0 now
    c["strength"] = 0.15 * visits_out / 1.0  # the strength weights sum to 1
    c["similar_users"] = sat(0.5 * 0.4, 0.5)  # U1 (score 0.5 in run r1) engaged 0.4; U2's edge is of an old run
    c["community"] = sat(0.2, 1.0)  # U2 shares the viewer's community 3
    c["social"] = 0.4 * c["strength"] + 0.3 * c["similar_users"] + 0.3 * c["community"]
    # active hours 12: 4, 13: 2 -> smoothed peak 6; P1 created at 12:00 UTC -> 6 / 6
    c["active_hours"] = 1.0
    c["temporal"] = 0.6 * freshness + 0.4 * 1.0
    # recent engagement: image 0.6, text 0.2 -> image is the favourite (1.0); P1 ~ P3 at 0.3 (run c1)
    c["type_preference"] = 1.0
    c["content_similarity"] = 0.3
    c["preference"] = 0.5 * 1.0 + 0.5 * 0.3
    # visual share 0.75 >= 0.5: the media term (0.2) joins, P1 is an image
    c["media"] = 1.0
    score = (0.4 * c["base"] + 0.25 * c["engagement"] + 0.15 * c["social"] + 0.1 * c["temporal"]
             + 0.1 * c["preference"] + 0.2 * c["media"]) / 1.2
    return score, c


def check(actual: FeedScore, expected: dict[str, float]) -> None:
    for name, value in expected.items():
        assert actual.components[name] == pytest.approx(value, abs=1e-9), name


def test_components_match_hand_computed_values(feed_graph: Settings) -> None:
    scores = graph_feed_score(10, [("post", P1)], now=NOW, settings=feed_graph, weights=W)
    score, components = expected_p1()
    assert scores[0].reason is None
    check(scores[0], components)
    assert scores[0].score == pytest.approx(score, abs=1e-9)
    assert 0.0 <= scores[0].score <= 1.0


def test_order_kept_unknown_candidate_zero_and_author_only_candidate(feed_graph: Settings) -> None:
    cands = [("post", P2), ("post", UNKNOWN), ("post", P1.upper()), ("page", "https://example.org/x")]
    scores = graph_feed_score("10", cands, now=NOW, settings=feed_graph, weights=W)
    assert [(s.content_type, s.content_id) for s in scores] == cands
    p2, unknown, p1, page = scores
    assert unknown.score == 0.0 and unknown.components["found"] == 0.0 and unknown.reason is None
    assert page.score == 0.0
    assert p1.score == pytest.approx(expected_p1()[0], abs=1e-9)  # uids match case-insensitively
    # P2: known only by its author (no engagement, no tie) and its time: 26 h old, created at 10:00 (no activity)
    assert p2.components["found"] == 1.0
    assert p2.components["engagement"] == 0.0 and p2.components["strength"] == 0.0
    assert p2.components["freshness"] == pytest.approx(2 ** (-26 / 48))
    assert p2.components["active_hours"] == 0.0
    # only temporal is non-zero; the viewer's media term (weight 0.2) is in force but P2 is no image
    expected = (0.1 * (0.6 * 2 ** (-26 / 48))) / 1.2
    assert p2.score == pytest.approx(expected, abs=1e-9)


def test_unknown_viewer_gets_the_non_personal_score(feed_graph: Settings) -> None:
    scores = graph_feed_score(999, [("post", P1), ("post", P2)], now=NOW, settings=feed_graph, weights=W)
    score, components = expected_p1(personal=False)
    assert scores[0].components["personal"] == 0.0
    check(scores[0], components)
    assert scores[0].score == pytest.approx(score, abs=1e-9)
    for name in ("strength", "similar_users", "community", "type_preference", "content_similarity"):
        assert scores[0].components[name] == 0.0
    assert scores[1].score == pytest.approx(0.1 * 2 ** (-26 / 48) / 0.75, abs=1e-9)


def test_aggregates_give_the_same_scores_until_the_engagers_change(feed_graph: Settings) -> None:
    later = NOW + 7 * DAY
    before = graph_feed_score(10, [("post", P1)], now=later, settings=feed_graph, weights=W)
    assert refresh_content_aggregates(now=NOW, settings=feed_graph, weights=W) == 4
    after = graph_feed_score(10, [("post", P1)], now=later, settings=feed_graph, weights=W)
    assert after[0].score == pytest.approx(before[0].score, abs=1e-9)
    check(after[0], before[0].components)
    # a stale aggregate is not used: a third engager makes the query sample again
    cypher(feed_graph, "MATCH (p:Post {uid: $p1}) CREATE (:Users {user_id: '23'})-[:ENGAGED_WITH "
                       "{weight: 0.6, count: 1, last_at: $now}]->(p)", p1=P1, now=NOW)
    third = graph_feed_score(10, [("post", P1)], now=NOW, settings=feed_graph, weights=W)
    assert third[0].components["quality"] == pytest.approx(sat(1.2 / 3, 0.5), abs=1e-9)


class CountingDriver:
    """Wraps a driver and counts the queries run through its sessions, keeping each one's parameters."""

    def __init__(self, driver: neo4j.Driver) -> None:
        self.driver = driver
        self.queries = 0
        self.params: list[dict[str, Any]] = []

    def session(self, **kwargs: Any) -> Any:
        outer = self
        inner = self.driver.session(**kwargs)

        class Session:
            def __enter__(self) -> Session:
                inner.__enter__()
                return self

            def __exit__(self, *exc: Any) -> None:
                inner.__exit__(*exc)

            def run(self, query: Any, params: dict[str, Any] | None = None, **kw: Any) -> Any:
                outer.queries += 1
                outer.params.append(dict(params or {}))
                return inner.run(query, params, **kw)

        return Session()


def test_one_round_trip_for_all_candidates(feed_graph: Settings) -> None:
    counting = CountingDriver(get_driver(feed_graph))
    cands = [("post", P1), ("post", P2), ("post", UNKNOWN)] + [("post", f"{n:032x}") for n in range(300)]
    scores = graph_feed_score(10, cands, now=NOW, settings=feed_graph, weights=W, driver=counting)  # type: ignore[arg-type]
    assert counting.queries == 1
    assert len(scores) == len(cands) and all(s.reason is None for s in scores)


SNAPSHOT_CANDIDATES = [("post", P1), ("post", P2), ("post", P3), ("post", P4), ("post", UNKNOWN),
                       ("page", "https://example.org/x")]


def test_viewer_snapshot_gives_the_live_scores(feed_graph: Settings) -> None:
    """A fresh snapshot stands in for the viewer's live side: the same scores and components, also minutes later
    (its weights decay on from the snapshot's time), in one round trip."""
    later = NOW + timedelta(minutes=10)
    live = {t: graph_feed_score(10, SNAPSHOT_CANDIDATES, now=t, settings=feed_graph, weights=W) for t in (NOW, later)}
    assert all(s.components["snapshot"] == 0.0 for s in live[NOW])
    report = refresh_viewer_snapshots(["10", "999"], now=NOW, settings=feed_graph, weights=W)
    assert report["written"] == 1  # an unknown user gets no snapshot
    counting = CountingDriver(get_driver(feed_graph))
    for t in (NOW, later):
        snap = graph_feed_score(10, SNAPSHOT_CANDIDATES, now=t, settings=feed_graph, weights=W,
                                driver=counting)  # type: ignore[arg-type]
        for a, b in zip(live[t], snap, strict=True):
            assert b.reason is None and b.components["snapshot"] == 1.0
            assert b.score == pytest.approx(a.score, abs=1e-12)
            check(b, {k: v for k, v in a.components.items() if k != "snapshot"})
    assert counting.queries == 2
    _score, components = expected_p1()
    check(graph_feed_score(10, [("post", P1)], now=NOW, settings=feed_graph, weights=W)[0], components)


def test_stale_or_mismatched_snapshots_are_not_used(feed_graph: Settings) -> None:
    refresh_viewer_snapshots(["10"], now=NOW, settings=feed_graph, weights=W)

    def used(now: datetime, weights: FeedWeights = W) -> bool:
        s = graph_feed_score(10, [("post", P1)], now=now, settings=feed_graph, weights=weights)[0]
        assert s.reason is None
        return s.components["snapshot"] == 1.0

    assert used(NOW)
    assert not used(NOW + timedelta(seconds=W.snapshot_max_age_s + 1))  # too old
    assert not used(NOW - timedelta(seconds=1))  # made after the scoring time
    assert not used(NOW, W.model_copy(update={"max_similar_users": 3}))  # other limits
    assert not used(NOW, W.model_copy(update={"snapshot_max_age_s": 0.0}))  # snapshots off
    # a new GDS run replaces the result set the snapshot was made against
    cypher(feed_graph, "MATCH (p:GraphResultSet {name: 'user_similarity'}) SET p.run_id = 'r2'")
    assert not used(NOW)
    # the next refresh prunes snapshots older than twice the max age
    report = refresh_viewer_snapshots([], now=NOW + timedelta(seconds=2 * W.snapshot_max_age_s + 1),
                                      settings=feed_graph, weights=W)
    assert report["pruned"] == 1


def test_outage_gives_neutral_scores_and_no_exception(clean_graph: Settings, caplog: pytest.LogCaptureFixture) -> None:
    down = clean_graph.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:1", "neo4j_password": SecretStr("x")})
    try:
        with caplog.at_level(logging.WARNING, logger="graph.feed"):
            scores = graph_feed_score(10, [("post", P1), ("post", P2)], now=NOW, settings=down, weights=W)
            assert [s.score for s in scores] == [W.neutral_score] * 2
            assert all(s.reason and "unavailable" in s.reason for s in scores)
            assert [s.content_id for s in scores] == [P1, P2]
            again = graph_feed_score(10, [("post", P1)], now=NOW, settings=down, weights=W)
            assert again[0].reason and "not trying" in again[0].reason  # the breaker answers at once
        assert any("neutral scores" in r.getMessage() for r in caplog.records)
    finally:
        RUNNER.close()


def test_deadline_gives_neutral_scores_and_logs_why(feed_graph: Settings, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="graph.feed"):
        scores = graph_feed_score(10, [("post", P1)], now=NOW, settings=feed_graph, weights=W, deadline_ms=0.01)
    assert scores[0].score == W.neutral_score and scores[0].neutral
    assert scores[0].reason is not None and "deadline" in scores[0].reason
    assert any("deadline" in r.getMessage() for r in caplog.records)


def test_scores_stay_in_unit_interval_under_extreme_weights(feed_graph: Settings) -> None:
    heavy = FeedWeights(deadline_ms=120_000, components={"social": 50.0}, social_boost=10.0, media_boost=0.0)
    scores = graph_feed_score(10, [("post", P1), ("post", P2)], now=NOW, settings=feed_graph, weights=heavy)
    assert all(0.0 <= s.score <= 1.0 and not math.isnan(s.score) for s in scores)


def test_snapshot_ties_equal_live_ties(clean_graph: Settings) -> None:
    """Every tie part the snapshot job aggregates (visits and vibes both ways, engagement both ways, CONNECTED and
    platform Connection states, mutual connections, similarity) gives the live strength to each author."""
    cypher(
        clean_graph,
        """
        CREATE (v:Users {user_id: '1', community: 1}), (a:Users {user_id: '2', community: 1}),
               (b:Users {user_id: '3', community: 2}), (c:Users {user_id: '4'}), (d:Users {user_id: '5'}),
               (v)-[:CONNECTED {state: 'connected'}]->(a), (a)-[:CONNECTED {state: 'connected'}]->(b),
               (d)-[:CONNECTED {state: 'requested'}]->(v), (c)-[:CONNECTED {state: 'connected'}]->(b),
               (v)<-[:HAS_SEND_CONNECTION]-(:Connection {connection_status: 'Accepted'})
                  -[:HAS_RECIEVED_CONNECTION]->(c),
               (v)-[:VISITED {weight: 1.5, last_at: $now - duration({days: 3})}]->(a),
               (a)-[:VISITED {weight: 0.4, last_at: $now}]->(v),
               (b)-[:VIBED {weight: 0.8, last_at: $now - duration({days: 1})}]->(v),
               (v)-[:SIMILAR_TO {score: 0.7, run_id: 'r1'}]->(c),
               (a)-[:CREATED]->(pa:Post {uid: $pa, created_at: $now}),
               (b)-[:CREATED]->(pb:Post {uid: $pb, created_at: $now}),
               (c)-[:CREATED]->(pc:Post {uid: $pc, created_at: $now}),
               (d)-[:CREATED]->(pd:Post {uid: $pd, created_at: $now}),
               (v)-[:CREATED]->(pv:Post {uid: $pv, created_at: $now}),
               (v)-[:ENGAGED_WITH {weight: 0.5, last_at: $now - duration({days: 2})}]->(pa),
               (b)-[:ENGAGED_WITH {weight: 0.9, last_at: $now}]->(pv),
               (c)-[:ENGAGED_WITH {weight: 0.3, last_at: $now}]->(pv),
               (:GraphResultSet {name: 'user_similarity', run_id: 'r1'})
        """,
        now=NOW, pa="1a" * 16, pb="2b" * 16, pc="3c" * 16, pd="4d" * 16, pv="5e" * 16,
    )
    cands = [("post", x * 16) for x in ("1a", "2b", "3c", "4d", "5e")]
    at = NOW + timedelta(minutes=5)
    live = graph_feed_score(1, cands, now=at, settings=clean_graph, weights=W)
    assert refresh_viewer_snapshots(["1"], now=NOW, settings=clean_graph, weights=W)["written"] == 1
    snap = graph_feed_score(1, cands, now=at, settings=clean_graph, weights=W)
    assert [s.components["snapshot"] for s in snap] == [1.0] * 5
    assert all(s.components["strength"] > 0 for s in live[:4])  # every author has some tie
    for a, b in zip(live, snap, strict=True):
        assert b.score == pytest.approx(a.score, abs=1e-12)
        check(b, {k: v for k, v in a.components.items() if k != "snapshot"})
    RUNNER.close()


RecordingDriver = CountingDriver


def _looked_up(params: dict[str, Any]) -> int:
    """Candidates the snapshot branch was asked to look up (indices in `$spacked` and the `$s..` lists; a post is
    there twice: Post and CommunityPost)."""
    lists = [v for k, v in params.items() if k == "sgeneric" or (k.startswith("s") and k[1:].isdigit())]
    records = [r.split(params["fs"]) for r in params["spacked"].split(params["rs"])]
    return len({entry[0] for entries in lists for entry in entries} | {int(r[0]) for r in records if len(r) == 4})


@pytest.fixture()
def two_viewer_graph(clean_graph: Settings) -> Iterator[Settings]:
    """Two viewers in different GDS and platform communities; posts with content aggregates (per-community
    weights) and without (sampled), by authors in either community and platform group."""
    cypher(
        clean_graph,
        """
        CREATE (v1:Users {user_id: '1', community: 1}), (v2:Users {user_id: '2', community: 2}),
               (a:Users {user_id: '3', community: 1, influence: 0.4}), (b:Users {user_id: '4', community: 2}),
               (e1:Users {user_id: '5', community: 1}), (e2:Users {user_id: '6', community: 2}),
               (e3:Users {user_id: '7'}),
               (g1:Community {uid: 'g1'}), (g2:Community {uid: 'g2'}),
               (v1)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g1), (v2)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g2),
               (a)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g1), (b)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g2),
               (b)<-[:MEMBER]-(:Membership)-[:MEMBEROF]->(g1),
               (a)-[:CREATED]->(pa:Post {uid: $pa, post_type: 'image', created_at: $now - duration({hours: 5})}),
               (b)-[:CREATED]->(pb:Post {uid: $pb, post_type: 'text', created_at: $now - duration({hours: 30})}),
               (a)-[:CREATED]->(pc:Post {uid: $pc, post_type: 'text', created_at: $now - duration({days: 3})}),
               (e1)-[:ENGAGED_WITH {weight: 0.8, last_at: $now - duration({days: 2}), duration_seconds: 40,
                                    scroll_depth_sum: 90.0, scroll_depth_n: 1}]->(pa),
               (e2)-[:ENGAGED_WITH {weight: 0.5, last_at: $now - duration({hours: 3})}]->(pa),
               (e3)-[:ENGAGED_WITH {weight: 0.3, last_at: $now}]->(pa),
               (e2)-[:ENGAGED_WITH {weight: 0.9, last_at: $now - duration({days: 1})}]->(pb),
               (e1)-[:ENGAGED_WITH {weight: 0.4, last_at: $now}]->(pb),
               (v1)-[:ENGAGED_WITH {weight: 0.6, last_at: $now - duration({days: 1})}]->(pc),
               (v2)-[:ENGAGED_WITH {weight: 0.7, last_at: $now - duration({days: 1})}]->(pa),
               (v1)-[:VISITED {weight: 1.2, last_at: $now - duration({days: 2})}]->(b),
               (v2)-[:VIBED {weight: 0.5, last_at: $now}]->(a),
               (v1)-[:SIMILAR_TO {score: 0.6, run_id: 'r1'}]->(e2),
               (v2)-[:SIMILAR_TO {score: 0.8, run_id: 'r1'}]->(e1),
               (pc)-[:SIMILAR_TO {score: 0.4, run_id: 'c1'}]->(pa),
               (:GraphResultSet {name: 'user_similarity', run_id: 'r1'}),
               (:GraphResultSet {name: 'content_similarity', run_id: 'c1'})
        """,
        now=NOW, pa=PA, pb=PB, pc=PC,
    )
    yield clean_graph
    RUNNER.close()


PA, PB, PC = "aa" * 16, "bb" * 16, "cc" * 16
TWO_VIEWER_CANDIDATES = [("post", PA), ("post", PB), ("post", PC), ("post", UNKNOWN)]


def test_cached_rows_and_held_snapshots_give_the_live_scores(two_viewer_graph: Settings) -> None:
    """Content rows cached by one viewer's call stand for the same candidates in another viewer's call (nothing
    in them depends on the viewer: community weights, shared platform communities, same community are joined in
    Python), and a held snapshot stands for the one the server would send: the scores and every component equal
    the live ones, aggregated and sampled candidates alike, also minutes later; still one query per call."""
    s = two_viewer_graph
    assert refresh_content_aggregates(now=NOW, settings=s, weights=W) >= 1
    cypher(s, "MATCH (p:Post {uid: $pb}) REMOVE p.feed_agg_at", pb=PB)  # PB is scored from a sample
    at = NOW + timedelta(minutes=3)
    live_w = W.model_copy(update={"snapshot_max_age_s": 0.0})
    live = {v: graph_feed_score(v, TWO_VIEWER_CANDIDATES, now=at, settings=s, weights=live_w) for v in (1, 2)}
    assert refresh_viewer_snapshots(["1", "2"], now=NOW, settings=s, weights=W)["written"] == 2
    clear_feed_caches()
    rec = RecordingDriver(get_driver(s))
    calls = [(1, at), (2, at), (2, at), (1, at + timedelta(minutes=2))]
    for viewer, t in calls:
        expected = live[viewer] if t == at else graph_feed_score(viewer, TWO_VIEWER_CANDIDATES, now=t, settings=s,
                                                                   weights=live_w)
        got = graph_feed_score(viewer, TWO_VIEWER_CANDIDATES, now=t, settings=s, weights=W,
                               driver=rec)  # type: ignore[arg-type]
        for a, b in zip(expected, got, strict=True):
            assert b.reason is None and b.components["snapshot"] == 1.0
            assert b.score == pytest.approx(a.score, abs=1e-12)
            check(b, {k: v for k, v in a.components.items() if k != "snapshot"})
    assert rec.queries == len(calls)
    # the first call looked up all four; later calls only the one absent from the graph (never cached)
    assert [_looked_up(p) for p in rec.params] == [4, 1, 1, 1]
    # a snapshot is sent once per viewer and process: later calls hold it
    assert [p["have_at_ms"] for p in rec.params] == [-1, -1, int(NOW.timestamp() * 1000),
                                                    int(NOW.timestamp() * 1000)]
    assert live[1][0].components["community"] != live[2][0].components["community"]  # the join matters
    # once the snapshot is stale the live branch scores every candidate, the cached ones from their packed keys
    stale = NOW + timedelta(seconds=W.snapshot_max_age_s + 60)
    cands = [*TWO_VIEWER_CANDIDATES, ("page", "https://example.org/x")]
    expected = graph_feed_score(1, cands, now=stale, settings=s, weights=live_w)
    got = graph_feed_score(1, cands, now=stale, settings=s, weights=W, driver=rec)  # type: ignore[arg-type]
    assert rec.params[-1]["cpacked"].count(rec.params[-1]["rs"]) >= 6  # PA, PB, PC, each as two records
    for a, b in zip(expected, got, strict=True):
        assert b.components["snapshot"] == 0.0 and b.components["found"] == a.components["found"]
        assert b.score == pytest.approx(a.score, abs=1e-12)
        check(b, {k: v for k, v in a.components.items() if k != "snapshot"})
    assert [x.components["found"] for x in got] == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_cached_rows_are_reused_for_their_time_to_live_and_no_longer(two_viewer_graph: Settings) -> None:
    """The staleness rule: a change to a cached candidate reaches the score once its row expires
    (`content_cache_ttl_s`), or at once with the cache off."""
    s = two_viewer_graph
    refresh_viewer_snapshots(["1"], now=NOW, settings=s, weights=W)
    short = W.model_copy(update={"content_cache_ttl_s": 0.5})
    before = graph_feed_score(1, [("post", PC)], now=NOW, settings=s, weights=short)[0]
    cypher(s, "MATCH (p:Post {uid: $pc}) CREATE (:Users {user_id: '99'})-[:ENGAGED_WITH "
              "{weight: 0.9, last_at: $now, duration_seconds: 300}]->(p)", pc=PC, now=NOW)
    cached = graph_feed_score(1, [("post", PC)], now=NOW, settings=s, weights=short)[0]
    off = graph_feed_score(1, [("post", PC)], now=NOW, settings=s,
                           weights=W.model_copy(update={"content_cache_ttl_s": 0.0}))[0]
    assert cached.components == before.components  # within the time to live: the cached row
    assert off.components["time_spent"] > before.components["time_spent"]  # the new engagement
    time.sleep(0.6)
    expired = graph_feed_score(1, [("post", PC)], now=NOW, settings=s, weights=short)[0]
    assert expired.components == off.components


def test_a_new_snapshot_replaces_a_held_one(two_viewer_graph: Settings) -> None:
    """Held snapshots are exact: when the job writes a newer one, the next call gets it (and holds it)."""
    s = two_viewer_graph
    refresh_viewer_snapshots(["1"], now=NOW, settings=s, weights=W)
    at = NOW + timedelta(minutes=5)
    first = graph_feed_score(1, [("post", PB)], now=at, settings=s, weights=W)[0]
    cypher(s, "MATCH (v:Users {user_id: '1'}), (b:Users {user_id: '4'}) "
              "CREATE (v)-[:VIBED {weight: 2.0, last_at: $now}]->(b)", now=NOW)
    held = graph_feed_score(1, [("post", PB)], now=at, settings=s, weights=W)[0]
    assert held.components == first.components  # the snapshot is the viewer's side until the next refresh
    refresh_viewer_snapshots(["1"], now=NOW + timedelta(minutes=1), settings=s, weights=W)
    rec = RecordingDriver(get_driver(s))
    new = graph_feed_score(1, [("post", PB)], now=at, settings=s, weights=W, driver=rec)[0]  # type: ignore[arg-type]
    assert rec.params[0]["have_at_ms"] == int(NOW.timestamp() * 1000)  # it held the old one
    assert new.components["snapshot"] == 1.0 and new.components["strength"] > first.components["strength"]
    live = graph_feed_score(1, [("post", PB)], now=at, settings=s,
                            weights=W.model_copy(update={"snapshot_max_age_s": 0.0}))[0]
    assert new.score == pytest.approx(live.score, abs=1e-12)
