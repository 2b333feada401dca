"""GDS jobs against the real Neo4j + GDS server, on small graphs with answers worked out by hand.

Uses the suite's `clean_graph` fixture (wipes the database: run against a disposable instance).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from algorithms import run_job
from algorithms.client import gds_client
from algorithms.readers import community_recovery, similar_users
from graph.connection import get_driver
from graph.settings import Settings

pytestmark = pytest.mark.services

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)
HALF_LIFE_DAYS = 14.0
# The similarity jobs' engines: the default sharing-pairs one and gds.nodeSimilarity give the same scores.
ENGINES = ["sharing", "gds"]


def cypher(settings: Settings, query: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = get_driver(settings).execute_query(query, params, database_=settings.neo4j_database)
    return [dict(r) for r in records]


@pytest.fixture()
def graph(clean_graph: Settings) -> Iterator[Settings]:
    """An empty graph; afterwards, no in-memory graph of ours may be left behind."""
    yield clean_graph
    with gds_client(clean_graph) as gds:
        leftovers = [g.graph_name for g in gds.graph.list() if g.graph_name.startswith("ag_")]
    assert not leftovers, f"projections not dropped: {leftovers}"


def engage(settings: Settings, rows: list[tuple[str, str, float, float]]) -> None:
    """(user, content uid, weight, age in days at NOW): ENGAGED_WITH with `weight` as of `last_at`."""
    cypher(
        settings,
        """
        UNWIND $rows AS row
        MERGE (u:Users {user_id: row[0]})
        MERGE (c:Post {uid: row[1]}) ON CREATE SET c.content_type = 'post'
        CREATE (u)-[:ENGAGED_WITH {weight: row[2], count: 1, last_at: $now - duration({days: row[3]})}]->(c)
        """,
        rows=[list(r) for r in rows],
        now=NOW,
    )


def interact(settings: Settings, rel: str, pairs: list[tuple[str, str]], weight: float = 1.0) -> None:
    """`rel` (VISITED or VIBED) between users, last_at = NOW."""
    assert rel in {"VISITED", "VIBED"}
    cypher(
        settings,
        f"""
        UNWIND $pairs AS pair
        MERGE (a:Users {{user_id: pair[0]}})
        MERGE (b:Users {{user_id: pair[1]}})
        CREATE (a)-[:{rel} {{weight: $weight, count: 1, last_at: $now}}]->(b)
        """,
        pairs=[list(p) for p in pairs],
        weight=weight,
        now=NOW,
    )


# Users a..d and content p..s. Weights as of NOW (an engagement 14 days old counts half):
#   a: p 1, q 2, r 0.5 -> 0.25     b: p 2, q 1 -> 0.5     c: r 3, s 1     d: s 1
# Totals: a 3.25, b 2.5, c 4, d 1. |a| = sqrt(1 + 4 + 0.0625) = 2.25, |b| = sqrt(4.25), |c| = sqrt(10), |d| = 1.
ENGAGEMENTS = [
    ("a", "p", 1.0, 0),
    ("a", "q", 2.0, 0),
    ("a", "r", 0.5, 14),
    ("b", "p", 2.0, 0),
    ("b", "q", 1.0, 14),
    ("c", "r", 3.0, 0),
    ("c", "s", 1.0, 0),
    ("d", "s", 1.0, 0),
]
EXPECTED_USER_SCORES = {
    # weighted Jaccard: sum of minima / sum of maxima
    "JACCARD": {("a", "b"): 1.5 / 4.25, ("a", "c"): 0.25 / 7.0, ("c", "d"): 1.0 / 4.0},
    # overlap: sum of minima / the smaller total
    "OVERLAP": {("a", "b"): 1.5 / 2.5, ("a", "c"): 0.25 / 3.25, ("c", "d"): 1.0 / 1.0},
    # cosine: dot product / product of norms
    "COSINE": {
        ("a", "b"): (1 * 2 + 2 * 0.5) / (2.25 * 4.25**0.5),
        ("a", "c"): (0.25 * 3) / (2.25 * 10**0.5),
        ("c", "d"): 1.0 / 10**0.5,
    },
}


def similar_pairs(settings: Settings, source: str | None) -> dict[tuple[str, str], float]:
    rows = cypher(
        settings,
        """
        MATCH (x)-[s:SIMILAR_TO]->(y)
        WHERE ($source IS NULL AND s.source IS NULL) OR s.source = $source
        RETURN coalesce(x.user_id, x.uid) AS x, coalesce(y.user_id, y.uid) AS y, s.score AS score
        """,
        source=source,
    )
    return {(r["x"], r["y"]): r["score"] for r in rows}


@pytest.mark.parametrize("metric", ["JACCARD", "OVERLAP", "COSINE"])
@pytest.mark.parametrize("engine", ENGINES)
def test_user_similarity_matches_hand_computed_scores(graph: Settings, metric: str, engine: str) -> None:
    engage(graph, ENGAGEMENTS)
    outcome = run_job(
        "user_similarity",
        {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "similarity_engine": engine, "similarity_metric": metric},
        settings=graph,
    )
    assert outcome.outcome == "succeeded"
    expected = {**EXPECTED_USER_SCORES[metric]}
    expected.update({(y, x): s for (x, y), s in expected.items()})  # each user keeps its own topK
    got = similar_pairs(graph, "engagement")
    assert got.keys() == expected.keys()  # b and d share nothing, so no edge between them
    for pair, score in expected.items():
        assert got[pair] == pytest.approx(score, rel=1e-6), pair
    assert outcome.results_written == len(expected)
    top = similar_users("a", "engagement", settings=graph)
    assert [n.key for n in top] == sorted(["b", "c"], key=lambda u: -expected[("a", u)])


@pytest.mark.parametrize("engine", ENGINES)
def test_user_similarity_top_k_and_cutoffs(graph: Settings, engine: str) -> None:
    engage(graph, ENGAGEMENTS)
    run_job(
        "user_similarity",
        {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "similarity_engine": engine, "top_k": 1},
        settings=graph,
    )
    assert similar_pairs(graph, "engagement") == pytest.approx(
        {("a", "b"): 1.5 / 4.25, ("b", "a"): 1.5 / 4.25, ("c", "d"): 0.25, ("d", "c"): 0.25}
    )
    run_job(
        "user_similarity",
        {
            "now": NOW,
            "half_life_days": HALF_LIFE_DAYS,
            "similarity_engine": engine,
            "similarity_cutoff": 0.3,
            "degree_cutoff": 2,
        },
        settings=graph,
    )
    # d has one engagement (below degreeCutoff 2); a-c scores 0.036 (below the cutoff)
    assert set(similar_pairs(graph, "engagement")) == {("a", "b"), ("b", "a")}
    run_job(
        "user_similarity",
        {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "similarity_engine": engine, "similarity_cutoff": 0.25},
        settings=graph,
    )
    # c-d scores exactly 0.25: a score equal to the cutoff is kept (GDS's rule, and the sharing engine's)
    assert set(similar_pairs(graph, "engagement")) == {("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")}


@pytest.mark.parametrize("engine", ENGINES)
def test_user_similarity_leaves_hub_content_out(graph: Settings, engine: str) -> None:
    # h is engaged by all four users (weight 1, today). Cap = max(min_content_cap 3, ceil(0.5 * 4 users)) = 3
    # engagers, so h (4) is not projected and the scores are exactly those without it; with no cap, h counts:
    #   a: p 1, q 2, r 0.25, h 1    b: p 2, q 0.5, h 1    c: r 3, s 1, h 1    d: s 1, h 1
    #   a-b = (1 + 0.5 + 1) / (2 + 2 + 0.25 + 1) = 2.5 / 5.25, b-d = 1 / (2 + 0.5 + 1 + 1) = 1 / 4.5 (shared h only)
    engage(graph, ENGAGEMENTS + [(u, "h", 1.0, 0) for u in "abcd"])
    base = {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "similarity_engine": engine, "min_content_cap": 3}
    capped = run_job("user_similarity", {**base, "max_content_share": 0.5}, settings=graph)
    assert (capped.result.content_engager_cap, capped.result.engaged_users) == (3, 4)
    expected = {**EXPECTED_USER_SCORES["JACCARD"]}
    expected.update({(y, x): s for (x, y), s in expected.items()})
    got = similar_pairs(graph, "engagement")
    assert got.keys() == expected.keys()
    for pair, score in expected.items():
        assert got[pair] == pytest.approx(score, rel=1e-6), pair

    uncapped = run_job("user_similarity", {**base, "max_content_share": 1.0}, settings=graph)
    assert uncapped.result.content_engager_cap is None
    got = similar_pairs(graph, "engagement")
    assert got[("a", "b")] == pytest.approx(2.5 / 5.25, rel=1e-6)
    assert got[("b", "d")] == pytest.approx(1 / 4.5, rel=1e-6)  # shares only the hub


@pytest.mark.parametrize("engine", ENGINES)
def test_content_similarity_matches_hand_computed_scores(graph: Settings, engine: str) -> None:
    engage(graph, ENGAGEMENTS)
    outcome = run_job(
        "content_similarity",
        {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "similarity_engine": engine},
        settings=graph,
    )
    assert outcome.outcome == "succeeded"
    # Content seen from its users: p: a 1, b 2; q: a 2, b 0.5; r: a 0.25, c 3; s: c 1, d 1 (weighted Jaccard).
    expected = {
        ("p", "q"): (1 + 0.5) / (2 + 2),
        ("p", "r"): 0.25 / (1 + 2 + 3),
        ("q", "r"): 0.25 / (2 + 0.5 + 3),
        ("r", "s"): 1 / (0.25 + 3 + 1),
    }
    expected.update({(y, x): s for (x, y), s in expected.items()})
    got = similar_pairs(graph, None)
    assert got == pytest.approx(expected)
    props = cypher(graph, "MATCH ()-[s:SIMILAR_TO]->() RETURN DISTINCT keys(s) AS k")
    assert {tuple(sorted(r["k"])) for r in props} == {("computed_at", "run_id", "score")}


@pytest.mark.parametrize("engine", ENGINES)
def test_social_similarity_compares_whom_users_seek_out(graph: Settings, engine: str) -> None:
    # x and y both visit u1 and u2; z visits only u2 (all weight 1): Jaccard x-y 1, x-z 1/2.
    interact(graph, "VISITED", [("x", "u1"), ("x", "u2"), ("y", "u1"), ("y", "u2"), ("z", "u2")])
    run_job(
        "social_similarity", {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "similarity_engine": engine}, settings=graph
    )
    got = similar_pairs(graph, "social")
    assert got[("x", "y")] == pytest.approx(1.0)
    assert got[("x", "z")] == pytest.approx(0.5)
    assert ("u1", "u2") not in got  # users nobody-visiting are not compared


def two_cliques(settings: Settings) -> dict[str, str]:
    """Two groups of six: everyone visits everyone in the group, one weak vibe across, and each group
    engages with its own content. Returns user -> planted group."""
    groups = {"A": [f"a{i}" for i in range(6)], "B": [f"b{i}" for i in range(6)]}
    for members in groups.values():
        interact(settings, "VISITED", [(x, y) for x in members for y in members if x != y])
    interact(settings, "VIBED", [("a0", "b0")], weight=0.1)
    engage(settings, [(u, f"{g}-post-{k}", 1.0, 0) for g, members in groups.items() for u in members for k in range(3)])
    cypher(settings, "CREATE (:Users {user_id: 'loner'})")
    return {u: g for g, members in groups.items() for u in members}


@pytest.mark.parametrize("algorithm", ["louvain", "leiden"])
def test_two_planted_cliques_give_two_communities(graph: Settings, algorithm: str) -> None:
    planted = two_cliques(graph)
    params: dict[str, Any] = {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "algorithm": algorithm}
    if algorithm == "leiden":
        params["random_seed"] = 7
    outcome = run_job("communities", params, settings=graph)
    assert outcome.outcome == "succeeded"
    result = outcome.result
    assert result.algorithm == algorithm
    assert result.modularity > 0.4  # two equal halves joined by one weak edge: close to 0.5
    assert result.co_engagement_relationships > 0
    rows = cypher(graph, "MATCH (u:Users) RETURN u.user_id AS u, u.community AS c, u.community_levels AS levels")
    by_user = {r["u"]: r for r in rows}
    assert all(r["levels"][-1] == r["c"] for r in rows)
    assert {by_user[u]["c"] for u in planted if planted[u] == "A"} != {
        by_user[u]["c"] for u in planted if planted[u] == "B"
    }
    assert len({by_user[u]["c"] for u in planted}) == 2
    assert by_user["loner"]["c"] not in {by_user[u]["c"] for u in planted}  # a community of one
    recovery = community_recovery(planted, settings=graph)
    assert recovery.users == 12
    assert recovery.adjusted_rand_index == pytest.approx(1.0)
    assert recovery.normalized_mutual_info == pytest.approx(1.0)


@pytest.mark.parametrize("algorithm", ["pagerank", "articlerank"])
def test_star_centre_gets_top_influence(graph: Settings, algorithm: str) -> None:
    leaves = [f"leaf{i}" for i in range(8)]
    interact(graph, "VISITED", [(leaf, "centre") for leaf in leaves])
    interact(graph, "VIBED", [("leaf0", "leaf1"), ("leaf2", "leaf3")])
    cypher(graph, "CREATE (:Users {user_id: 'loner'})")
    outcome = run_job("influence", {"now": NOW, "algorithm": algorithm}, settings=graph)
    assert outcome.outcome == "succeeded"
    top = outcome.result.top_users
    assert top[0][0] == "centre"
    scores = {r["u"]: r["s"] for r in cypher(graph, "MATCH (u:Users) RETURN u.user_id AS u, u.influence AS s")}
    assert all(s is not None for s in scores.values())  # every user, isolated or not, is scored
    assert all(scores["centre"] > s for u, s in scores.items() if u != "centre")


def test_cold_users_get_embedding_neighbours(graph: Settings) -> None:
    planted = two_cliques(graph)
    # A newcomer with a single engagement, on group A's content.
    engage(graph, [("newbie", "A-post-0", 1.0, 0)])
    outcome = run_job(
        "embeddings",
        {"now": NOW, "half_life_days": HALF_LIFE_DAYS, "cold_start_min_engagements": 2, "top_k": 3},
        settings=graph,
    )
    assert outcome.outcome == "succeeded"
    result = outcome.result
    assert result.cold_users == 2  # newbie and loner (no engagements)
    sources = {
        r["u"]
        for r in cypher(graph, "MATCH (u)-[:SIMILAR_TO {source: 'embedding'}]->() RETURN DISTINCT u.user_id AS u")
    }
    assert sources == {"newbie"}  # the loner's embedding is all zeros: no neighbour passes the cutoff
    neighbours = similar_users("newbie", "embedding", settings=graph)
    assert neighbours and all(planted.get(n.key) == "A" for n in neighbours)
    dims = cypher(graph, "MATCH (u:Users) RETURN DISTINCT size(u.embedding) AS d")
    assert [r["d"] for r in dims] == [64]


def test_run_all_and_status(graph: Settings) -> None:
    from typer.testing import CliRunner

    from algorithms import recent_runs, run_all
    from algorithms.cli import app

    two_cliques(graph)
    outcomes = run_all({"now": NOW}, settings=graph)
    assert [o.outcome for o in outcomes] == ["succeeded"] * 6
    runs = recent_runs(10, settings=graph)
    assert {r.job for r in runs} == {o.job for o in outcomes}
    assert all(r.current and r.outcome == "succeeded" and r.finished_at is not None for r in runs)
    assert all(r.memory_estimate and r.node_count for r in runs)
    assert runs[0].parameters["now"].startswith("2025-01-15")
    result = CliRunner().invoke(app, ["status", "--limit", "6"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "communities" in result.output and "succeeded" in result.output
