"""The sharing engine against gds.nodeSimilarity on random graphs: the same top-K scores for every node.

Ties may be ordered (and cut at K) differently by the two engines, so each node's sorted score list is
compared to 1e-9, and its neighbour set only above its K-th score (where no tie can decide membership).
Uses the suite's `clean_graph` fixture (wipes the database: run against a disposable instance).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from algorithms import run_job
from graph.connection import get_driver
from graph.settings import Settings

pytestmark = pytest.mark.services

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)
TOLERANCE = 1e-9


def cypher(settings: Settings, query: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = get_driver(settings).execute_query(query, params, database_=settings.neo4j_database)
    return [dict(r) for r in records]


def random_graph(settings: Settings, seed: int, users: int = 300, contents: int = 120) -> None:
    """Users engaging with content of skewed popularity (a few hubs), random weights and ages, some parallel
    edges (summed by the aggregation), some weights 0 or without last_at; and random visits and vibes."""
    rng = random.Random(seed)
    engagements = []
    for u in range(users):
        for _ in range(rng.choice([0, 1, 2, 3, 5, 8, 13, 25])):
            c = min(int(rng.paretovariate(0.8)) - 1, contents - 1)  # content 0, 1, 2 are hubs
            weight = rng.choice([0.0, 0.5, 1.0, 2.0, rng.random() * 4])
            age = rng.choice([None, 0.0, rng.random() * 60])
            engagements.append([f"u{u}", f"c{c}", weight, age])
    interactions = [
        [
            rng.choice(["VISITED", "VIBED"]),
            f"u{u}",
            f"u{rng.randrange(users // 3)}",
            rng.random() * 3,
            rng.random() * 30,
        ]
        for u in range(users)
        for _ in range(rng.choice([0, 1, 2, 4, 6]))
    ]
    cypher(
        settings,
        """
        UNWIND $rows AS row
        MERGE (u:Users {user_id: row[0]})
        MERGE (c:Post {uid: row[1]}) ON CREATE SET c.content_type = 'post'
        CREATE (u)-[r:ENGAGED_WITH {weight: row[2], count: 1}]->(c)
        SET r.last_at = CASE WHEN row[3] IS NULL THEN null
                        ELSE $now - duration({seconds: toInteger(row[3] * 86400)}) END
        """,
        rows=engagements,
        now=NOW,
    )
    for rel in ("VISITED", "VIBED"):
        cypher(
            settings,
            f"""
            UNWIND $rows AS row
            MERGE (a:Users {{user_id: row[1]}})
            MERGE (b:Users {{user_id: row[2]}})
            CREATE (a)-[:{rel} {{weight: row[3], count: 1,
                                 last_at: $now - duration({{seconds: toInteger(row[4] * 86400)}})}}]->(b)
            """,
            rows=[r for r in interactions if r[0] == rel],
            now=NOW,
        )


def written(settings: Settings, run_id: str) -> dict[str, list[tuple[str, float]]]:
    """Each node's SIMILAR_TO of one run, best first."""
    rows = cypher(
        settings,
        """
        MATCH (a)-[s:SIMILAR_TO {run_id: $run_id}]->(b)
        RETURN coalesce(a.user_id, a.uid) AS a, coalesce(b.user_id, b.uid) AS b, s.score AS score
        """,
        run_id=run_id,
    )
    out: dict[str, list[tuple[str, float]]] = {}
    for r in rows:
        out.setdefault(r["a"], []).append((r["b"], r["score"]))
    for row in out.values():
        row.sort(key=lambda p: -p[1])
    return out


def assert_same_top_k(sharing: dict[str, list[tuple[str, float]]], gds: dict[str, list[tuple[str, float]]]) -> None:
    assert sharing.keys() == gds.keys()
    for node, mine in sharing.items():
        theirs = gds[node]
        assert [s for _, s in mine] == pytest.approx([s for _, s in theirs], rel=TOLERANCE, abs=TOLERANCE), node
        last = theirs[-1][1]
        above = {v for v, s in mine if s > last + TOLERANCE}
        assert above == {v for v, s in theirs if s > last + TOLERANCE}, node


def both_engines(settings: Settings, job: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    runs = {}
    for engine in ("gds", "sharing"):
        outcome = run_job(job, {"now": NOW, **params, "similarity_engine": engine}, settings=settings)
        assert outcome.outcome == "succeeded"
        runs[engine] = (outcome, written(settings, outcome.run_id))
    (g, g_rows), (s, s_rows) = runs["gds"], runs["sharing"]
    assert s.results_written == g.results_written == sum(len(r) for r in g_rows.values())
    assert s.result.nodes_compared == g.result.nodes_compared
    assert s.result.engine == "sharing" and g.result.engine == "gds"
    return s_rows, g_rows


@pytest.fixture()
def graph(clean_graph: Settings) -> Iterator[Settings]:
    random_graph(clean_graph, seed=11)
    yield clean_graph


@pytest.mark.parametrize(
    "params",
    [
        {"max_content_share": 0.1, "min_content_cap": 10},  # hub cap on: content 0..2 left out
        {"max_content_share": 1.0},  # no cap
        {"max_content_share": 0.1, "min_content_cap": 10, "degree_cutoff": 3, "top_k": 5},
        {"max_content_share": 1.0, "similarity_cutoff": 0.2, "top_k": 3},
        {"max_content_share": 0.1, "min_content_cap": 10, "similarity_metric": "OVERLAP"},
        {"max_content_share": 1.0, "similarity_metric": "COSINE", "degree_cutoff": 2},
    ],
)
def test_user_similarity_engines_agree(graph: Settings, params: dict[str, Any]) -> None:
    sharing, gds = both_engines(graph, "user_similarity", params)
    assert sum(len(r) for r in gds.values()) > 100  # a graph with something to compare
    assert_same_top_k(sharing, gds)


def test_hub_cap_changes_the_result_the_same_way(graph: Settings) -> None:
    capped = both_engines(graph, "user_similarity", {"max_content_share": 0.1, "min_content_cap": 10})
    uncapped = both_engines(graph, "user_similarity", {"max_content_share": 1.0})
    assert capped[0] != uncapped[0]  # the hubs matter on this graph


@pytest.mark.parametrize("params", [{}, {"degree_cutoff": 4, "top_k": 5, "similarity_metric": "COSINE"}])
def test_content_similarity_engines_agree(graph: Settings, params: dict[str, Any]) -> None:
    sharing, gds = both_engines(graph, "content_similarity", params)
    assert gds
    assert_same_top_k(sharing, gds)


@pytest.mark.parametrize("params", [{}, {"similarity_cutoff": 0.1, "degree_cutoff": 2, "top_k": 4}])
def test_social_similarity_engines_agree(graph: Settings, params: dict[str, Any]) -> None:
    sharing, gds = both_engines(graph, "social_similarity", params)
    assert gds
    assert_same_top_k(sharing, gds)


def test_similarity_cutoff_zero_needs_gds(graph: Settings) -> None:
    with pytest.raises(ValueError, match="similarity_cutoff 0 needs similarity_engine 'gds'"):
        run_job("user_similarity", {"now": NOW, "similarity_cutoff": 0.0}, settings=graph)
