"""`graph_feed_candidates` against the real Neo4j: every source, the exclusions, the order.

Uses the suite's `clean_graph` fixture (wipes the database: run against a disposable instance).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from graph import graph_feed_candidates
from graph.connection import get_driver
from graph.feed import scored_candidates
from graph.feed.runner import RUNNER
from graph.feed.weights import FeedWeights
from graph.settings import Settings

pytestmark = [pytest.mark.services, pytest.mark.graph_facing]

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
W = FeedWeights()


def uid(n: int) -> str:
    return f"{n:032x}"


@pytest.fixture()
def sources(clean_graph: Settings) -> Iterator[Settings]:
    get_driver(clean_graph).execute_query(
        """
        CREATE (v:Users {user_id: '1', community: 5}), (s:Users {user_id: '2'}), (t:Users {user_id: '3'}),
               (f:Users {user_id: '4', community: 5}), (o:Users {user_id: '5'}),
               (v)-[:SIMILAR_TO {score: 0.8, run_id: 'r1'}]->(s),
               (v)-[:SIMILAR_TO {score: 0.9, run_id: 'old'}]->(o),
               (:GraphResultSet {name: 'user_similarity', run_id: 'r1'}),
               (:GraphResultSet {name: 'content_similarity', run_id: 'c1'}),
               // similar user S: P10 recently, P11 a month ago (outside the 14-day window), P12 the viewer's own
               (s)-[:ENGAGED_WITH {weight: 1.0, last_at: $now - duration({days: 1})}]->(p10:Post {uid: $u10}),
               (s)-[:ENGAGED_WITH {weight: 1.0, last_at: $now - duration({days: 30})}]->(p11:Post {uid: $u11}),
               (v)-[:CREATED {at: $now}]->(p12:Post {uid: $u12}),
               (s)-[:ENGAGED_WITH {weight: 1.0, last_at: $now}]->(p12),
               // a user similar in an old run only: never a source
               (o)-[:ENGAGED_WITH {weight: 5.0, last_at: $now}]->(p19:Post {uid: $u19}),
               // strong tie T (visited): what T created recently (platform HAS_POST, epoch seconds)
               (v)-[:VISITED {weight: 1.0, last_at: $now}]->(t),
               (t)-[:HAS_POST]->(p13:Post {uid: $u13, created_at: $recent_s}),
               (t)-[:HAS_POST]->(p18:Post {uid: $u18, created_at: $recent_s, is_deleted: true}),
               // the viewer already engaged with P14 (also engaged by S): excluded
               (v)-[:ENGAGED_WITH {weight: 0.5, last_at: $now}]->(p14:Post {uid: $u14}),
               (s)-[:ENGAGED_WITH {weight: 1.0, last_at: $now}]->(p14),
               // content neighbour of P14: P15; a Story neighbour is not a feed type
               (p14)-[:SIMILAR_TO {score: 0.6, run_id: 'c1'}]->(p15:Post {uid: $u15}),
               (p14)-[:SIMILAR_TO {score: 0.9, run_id: 'c1'}]->(:Story {uid: $u20}),
               // community: a platform community the viewer belongs to, with a community post
               (m:Membership)-[:MEMBER]->(v), (m)-[:MEMBEROF]->(g:Community {uid: 'g1'}),
               (g)-[:HAS_POST]->(:CommunityPost {uid: $u16, created_at: $recent_s}),
               // and a co-engager of P14 in the viewer's GDS community, with what it engaged with
               (f)-[:ENGAGED_WITH {weight: 0.4, last_at: $now}]->(p14),
               (f)-[:ENGAGED_WITH {weight: 0.4, last_at: $now}]->(:Post {uid: $u17})
        """,
        now=NOW,
        recent_s=(NOW - timedelta(days=2)).timestamp(),
        **{f"u{n}": uid(n) for n in range(10, 21)},
        database_=clean_graph.neo4j_database,
    )
    yield clean_graph
    RUNNER.close()


def test_every_source_and_the_exclusions(sources: Settings) -> None:
    got = graph_feed_candidates(1, 50, now=NOW, settings=sources, weights=W)
    ids = {cid for _, cid in got}
    assert ids == {uid(10), uid(13), uid(15), uid(16), uid(17)}
    assert ("community_post", uid(16)) in got
    assert all(t in {"post", "community_post"} for t, _ in got)
    scored = {ref[1]: parts for ref, _, parts in scored_candidates("1", 50, now=NOW, settings=sources, weights=W)}
    assert set(scored[uid(10)]) == {"similar_users"}
    assert set(scored[uid(13)]) == {"ties"}
    assert set(scored[uid(15)]) == {"content"}
    assert set(scored[uid(16)]) == {"community"} and set(scored[uid(17)]) == {"community"}


def test_order_limit_and_unknown_viewer(sources: Settings) -> None:
    scored = scored_candidates("1", 50, now=NOW, settings=sources, weights=W)
    values = [score for _, score, _ in scored]
    assert values == sorted(values, reverse=True)
    # each source's best is 1.0 times its weight: community is weighted 0.5 by default
    assert scored[0][1] == pytest.approx(1.0)
    assert graph_feed_candidates(1, 2, now=NOW, settings=sources, weights=W) == [ref for ref, _, _ in scored[:2]]
    assert graph_feed_candidates(404, 10, now=NOW, settings=sources, weights=W) == []
    assert graph_feed_candidates(1, 0, now=NOW, settings=sources, weights=W) == []
