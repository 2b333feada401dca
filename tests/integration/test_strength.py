"""Connection strength against the real Neo4j, every component worked out by hand.

Uses the suite's `clean_graph` fixture (wipes the database: run against a disposable instance).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from graph import connection_strength
from graph.connection import get_driver
from graph.feed import connection_strengths
from graph.feed.runner import RUNNER
from graph.feed.weights import DEFAULT_STRENGTH_WEIGHTS, FeedWeights
from graph.settings import Settings

pytestmark = [pytest.mark.services, pytest.mark.graph_facing]

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
W = FeedWeights()


def sat(x: float, k: float) -> float:
    return x / (x + k) if x > 0 else 0.0


@pytest.fixture()
def ties(clean_graph: Settings) -> Iterator[Settings]:
    """A and B with one of everything; C a shared connection; D a pending platform request to A."""
    get_driver(clean_graph).execute_query(
        """
        CREATE (a:Users {user_id: '1', community: 7}), (b:Users {user_id: '2', community: 7}),
               (c:Users {user_id: '3'}), (d:Users {user_id: '4'}),
               (a)-[:VISITED {weight: 0.6, count: 2, last_at: $now - duration({days: 14})}]->(b),
               (b)-[:VISITED {weight: 0.3, count: 1, last_at: $now}]->(a),
               (a)-[:VIBED {weight: 1.0, count: 1, last_at: $now - duration({days: 28})}]->(b),
               (b)-[:CREATED {at: $now}]->(pb:Post {uid: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'}),
               (a)-[:ENGAGED_WITH {weight: 0.5, count: 1, last_at: $now}]->(pb),
               (a)-[:HAS_POST]->(pa:Post {uid: 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0'}),
               (b)-[:ENGAGED_WITH {weight: 1.0, count: 1, last_at: $now - duration({days: 14})}]->(pa),
               (a)-[:CONNECTED {state: 'connected'}]->(b),
               (a)-[:CONNECTED {state: 'connected'}]->(c),
               (k:Connection {connection_status: 'Accepted'}),
               (k)-[:HAS_SEND_CONNECTION]->(b), (k)-[:HAS_RECIEVED_CONNECTION]->(c),
               (q:ConnectionV2 {connection_status: 'Received'}),
               (q)-[:HAS_SEND_CONNECTION]->(d), (q)-[:HAS_RECIEVED_CONNECTION]->(a),
               (a)-[:SIMILAR_TO {score: 0.4, source: 'engagement', run_id: 'r1'}]->(b),
               (b)-[:SIMILAR_TO {score: 0.9, source: 'engagement', run_id: 'r0-old'}]->(a),
               (:GraphResultSet {name: 'user_similarity', run_id: 'r1'}),
               (g:Community {uid: 'g'}), (m1:Membership), (m2:Membership),
               (m1)-[:MEMBER]->(a), (m1)-[:MEMBEROF]->(g), (m2)-[:MEMBER]->(d), (m2)-[:MEMBEROF]->(g)
        """,
        now=NOW,
        database_=clean_graph.neo4j_database,
    )
    yield clean_graph
    RUNNER.close()


def test_every_component_by_hand(ties: Settings) -> None:
    s = connection_strength(1, 2, now=NOW, settings=ties, weights=W)
    expected = {
        "connection": 1.0,
        "visits_out": sat(0.3, 1.0),  # 0.6 a half-life ago
        "visits_in": sat(0.3, 1.0),
        "vibes_out": sat(0.25, 1.0),  # 1.0 two half-lives ago
        "vibes_in": 0.0,
        "engaged_out": sat(0.5, 1.0),  # A on B's post (CREATED)
        "engaged_in": sat(0.5, 1.0),  # B on A's post (the platform's HAS_POST), a half-life ago
        "mutual": sat(1.0, 5.0),  # C: A-C CONNECTED, B-C an Accepted platform Connection
        "similar": 0.4,  # run r1 is current; the 0.9 of an old run does not count
        "community": 1.0,  # same GDS community
    }
    assert s.known
    assert s.components == pytest.approx(expected, abs=1e-9)
    assert s.total == pytest.approx(sum(DEFAULT_STRENGTH_WEIGHTS[k] * v for k, v in expected.items()), abs=1e-9)
    assert s.raw["mutual"] == 1.0 and s.raw["visit_out"] == pytest.approx(0.3)


def test_direction_pending_request_groups_unknown_and_self(ties: Settings) -> None:
    to_a, a_to_d, unknown, me = connection_strengths("2", ["1", "4", "404", "2"], now=NOW, settings=ties, weights=W)
    # B -> A mirrors A -> B: visits and engagement swap sides
    assert to_a.components["visits_out"] == pytest.approx(sat(0.3, 1.0))
    assert to_a.components["vibes_in"] == pytest.approx(sat(0.25, 1.0))
    assert to_a.components["vibes_out"] == 0.0
    assert [x.other_id for x in (to_a, a_to_d, unknown, me)] == ["1", "4", "404", "2"]
    assert unknown.total == 0.0 and not unknown.known
    assert me.total == 0.0
    a_d = connection_strength("1", "4", now=NOW, settings=ties, weights=W)
    # a pending platform request (ConnectionV2 Received) and one shared platform community (Membership)
    assert a_d.components["connection"] == W.requested_value
    assert a_d.components["community"] == pytest.approx(sat(1.0, 1.0))
    assert a_d.total == pytest.approx(0.20 * W.requested_value + 0.05 * 0.5, abs=1e-9)


def test_weights_are_settings(ties: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVITY_FEED_STRENGTH__CONNECTION", "0")
    monkeypatch.setenv("ACTIVITY_FEED_STRENGTH", '{"similar": 1.0}')
    w = FeedWeights()
    assert w.strength["connection"] == 0.0 and w.strength["similar"] == 1.0 and w.strength["mutual"] == 0.10
    s = connection_strength(1, 2, now=NOW, settings=ties, weights=w)
    assert s.components["connection"] == 1.0  # the component is still reported
    total_w = sum(w.strength.values())
    assert s.total == pytest.approx(sum(w.strength[k] * v for k, v in s.components.items()) / total_w)


def test_strength_cli_prints_every_part(ties: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.feed.cli import app

    monkeypatch.setattr("graph.feed.cli.get_settings", lambda: ties)
    result = CliRunner().invoke(app, ["strength", "1", "2", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    for part in ("connection", "visits_out", "mutual", "similar", "total"):
        assert part in result.output

