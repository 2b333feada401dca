"""The integration shape against the real Neo4j: rows like the platform's `post_feed_query` returns (9 columns,
docs/platform.md 7.2) in, one real `graph_feed_score` call, a ranked feed out.

Uses the suite's `clean_graph` fixture (wipes the database: run against a disposable instance).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from graph.connection import get_driver
from graph.feed import graph_feed_score
from graph.feed.integration import graph_scores_for_rows, rank_rows
from graph.feed.runner import RUNNER
from graph.feed.weights import FeedWeights
from graph.settings import Settings

pytestmark = [pytest.mark.services, pytest.mark.graph_facing]

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
W = FeedWeights(deadline_ms=120_000)
FRIEND, STRANGER, GROUP = "f1" * 16, "f2" * 16, "f3" * 16


@pytest.fixture()
def platform_graph(clean_graph: Settings) -> Iterator[Settings]:
    """The platform's own nodes (HAS_POST, a community post) plus what the sync wrote."""
    get_driver(clean_graph).execute_query(
        """
        CREATE (v:Users {user_id: '1'}), (f:Users {user_id: '2'}), (s:Users {user_id: '3'}),
               (f)-[:HAS_POST]->(pf:Post {uid: $friend, post_type: 'image', created_at: $t, is_deleted: false}),
               (s)-[:HAS_POST]->(:Post {uid: $stranger, post_type: 'image', created_at: $t, is_deleted: false}),
               (g:Community {uid: 'g'})-[:HAS_POST]->(cp:CommunityPost {uid: $group, created_at: $t}),
               (cp)-[:HAS_CREATOR]->(s),
               (v)-[:VISITED {weight: 2.0, last_at: $now}]->(f),
               (v)-[:CONNECTED {state: 'connected'}]->(f),
               (v)-[:ENGAGED_WITH {weight: 1.0, last_at: $now}]->(:Post {uid: 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0',
                                                                       post_type: 'image'}),
               (s)-[:ENGAGED_WITH {weight: 0.5, last_at: $now}]->(pf)
        """,
        friend=FRIEND, stranger=STRANGER, group=GROUP, t=(NOW - timedelta(hours=2)).timestamp(), now=NOW,
        database_=clean_graph.neo4j_database,
    )
    yield clean_graph
    RUNNER.close()


def feed_row(uid: str, creator: str, connected: bool) -> list[Any]:
    created = (NOW - timedelta(hours=2)).timestamp()
    return [
        {"uid": uid, "post_type": "image", "created_at": created},
        {"uid": f"u{creator}", "user_id": creator},
        {"uid": f"p{creator}"},
        [],
        {"uid": "c", "connection_status": "Accepted", "timestamp": "t"} if connected else None,
        {"uid": None, "circle_type": None, "sub_relation": None} if connected else None,
        0,
        2.0,
        created,
    ]


def final_score(row: list[Any]) -> float:
    """The platform's final_score for these rows: all equal (same overall score, age and circle)."""
    return float(row[7]) + 0.25 + 0.2


def test_rows_in_ranked_feed_out(platform_graph: Settings) -> None:
    rows = [feed_row(STRANGER, "3", False), feed_row(GROUP, "3", False), feed_row(FRIEND, "2", True)]

    def scorer(user_id: int | str, candidates: list[tuple[str, str]], **kw: Any) -> Any:
        return graph_feed_score(user_id, candidates, settings=platform_graph, weights=W, **kw)

    scores = graph_scores_for_rows(1, rows, now=NOW, scorer=scorer)
    assert set(scores) == {STRANGER, GROUP, FRIEND}
    assert all(s.reason is None for s in scores.values())
    assert scores[GROUP].components["found"] == 1.0  # a community post logged as 'post' is found
    ranked = rank_rows(rows, final_score, scores, graph_weight=1.0)
    assert ranked[0][0]["uid"] == FRIEND  # the friend's post, engaged and from a strong tie, comes first
    assert scores[FRIEND].components["strength"] > 0.0 and scores[STRANGER].components["strength"] == 0.0
