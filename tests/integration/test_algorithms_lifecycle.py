"""Run lifecycle against the real server: one result set per job, atomic switch, failures cleaned up.

Uses the suite's `clean_graph` fixture (wipes the database: run against a disposable instance).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

import algorithms.projection
import algorithms.sharing_run
import algorithms.user_similarity
from algorithms import InsufficientMemory, current_run_ids, recent_runs, run_job
from algorithms.client import gds_client
from graph.connection import get_driver
from graph.settings import Settings

pytestmark = pytest.mark.services

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)


def cypher(settings: Settings, query: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = get_driver(settings).execute_query(query, params, database_=settings.neo4j_database)
    return [dict(r) for r in records]


def our_graphs(settings: Settings) -> list[str]:
    with gds_client(settings) as gds:
        return [g.graph_name for g in gds.graph.list() if g.graph_name.startswith("ag_")]


@pytest.fixture()
def graph(clean_graph: Settings) -> Iterator[Settings]:
    """Twelve users over six posts, enough for every similarity job to write something."""
    cypher(
        clean_graph,
        """
        UNWIND range(0, 11) AS i
        CREATE (u:Users {user_id: 'u' + i})
        WITH u, i
        UNWIND range(0, 2) AS k
        MERGE (c:Post {uid: 'p' + ((i + k) % 6)})
        CREATE (u)-[:ENGAGED_WITH {weight: 1.0 + k, last_at: $now}]->(c)
        """,
        now=NOW,
    )
    yield clean_graph
    assert not our_graphs(clean_graph), "projections not dropped"


def similar_to(settings: Settings, source: str) -> list[dict[str, Any]]:
    return cypher(
        settings,
        "MATCH ()-[s:SIMILAR_TO {source: $source}]->() RETURN s.run_id AS run_id, count(*) AS n",
        source=source,
    )


@pytest.mark.parametrize("job, source", [("user_similarity", "engagement"), ("embeddings", "embedding")])
def test_rerun_leaves_exactly_one_result_set(graph: Settings, job: str, source: str) -> None:
    params: dict[str, Any] = {"now": NOW}
    if job == "embeddings":
        params["cold_start_min_engagements"] = 4  # everyone has 3: everyone is cold
    first = run_job(job, params, settings=graph)
    after_first = similar_to(graph, source)
    second = run_job(job, params, settings=graph)
    after_second = similar_to(graph, source)
    assert first.outcome == second.outcome == "succeeded"
    assert [r["run_id"] for r in after_first] == [first.run_id]
    assert [r["run_id"] for r in after_second] == [second.run_id]  # the first run's edges are gone
    assert (
        after_first[0]["n"]
        == after_second[0]["n"]
        == second.results_written
        - (
            12 if job == "embeddings" else 0  # embeddings also counts the `embedding` properties written
        )
    )
    assert current_run_ids(graph)[job] == second.run_id
    runs = {r.run_id: r for r in recent_runs(10, settings=graph)}
    assert runs[first.run_id].outcome == runs[second.run_id].outcome == "succeeded"
    assert runs[second.run_id].current and not runs[first.run_id].current
    cleared = cypher(graph, "MATCH (r:GraphJobRun {run_id: $id}) RETURN r.results_cleared AS c", id=first.run_id)
    assert cleared == [{"c": True}]


def patch_write(monkeypatch: pytest.MonkeyPatch, engine: str, after: Any) -> None:
    """Wrap the engine's write-back: `after(ctx, written)` runs once its edges are in the database."""
    if engine == "gds":
        real_gds = algorithms.user_similarity.write_similar_users

        def gds_write(ctx: Any, graph_name: str, source: str) -> int:
            assert graph_name in our_graphs(ctx.settings)  # the projection exists while the job runs
            return int(after(ctx, real_gds(ctx, graph_name, source)))

        monkeypatch.setattr(algorithms.user_similarity, "write_similar_users", gds_write)
    else:
        real_sharing = algorithms.sharing_run.write_similar

        def sharing_write(ctx: Any, result: Any, keys: Any, source: Any) -> int:
            return int(after(ctx, real_sharing(ctx, result, keys, source)))

        monkeypatch.setattr(algorithms.sharing_run, "write_similar", sharing_write)


@pytest.mark.parametrize("engine", ["sharing", "gds"])
def test_failed_job_drops_projection_and_keeps_previous_results(
    graph: Settings, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    good = run_job("user_similarity", {"now": NOW, "similarity_engine": engine}, settings=graph)
    before = similar_to(graph, "engagement")

    def fail(ctx: Any, written: int) -> int:
        assert written  # the job's edges reach the database...
        raise RuntimeError("boom after writing")  # ...then it dies

    patch_write(monkeypatch, engine, fail)
    with pytest.raises(RuntimeError, match="boom"):
        run_job("user_similarity", {"now": NOW, "similarity_engine": engine}, settings=graph)
    assert our_graphs(graph) == []  # dropped in `finally`
    assert similar_to(graph, "engagement") == before  # the failed run's edges deleted, the good ones kept
    assert current_run_ids(graph)["user_similarity"] == good.run_id
    failed = recent_runs(1, settings=graph)[0]
    assert failed.outcome == "failed" and failed.error and "boom after writing" in failed.error
    assert failed.finished_at is not None and failed.node_count
    cleared = cypher(graph, "MATCH (r:GraphJobRun {run_id: $id}) RETURN r.results_cleared AS c", id=failed.run_id)
    assert cleared == [{"c": True}]


def test_insufficient_memory_refuses_before_projecting(graph: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(algorithms.projection, "available_heap_bytes", lambda gds: 100_000)
    with pytest.raises(InsufficientMemory) as error:
        run_job("communities", {"now": NOW}, settings=graph)
    text = str(error.value)
    assert "KiB" in text and "0.1 MiB" in text and "heap" in text
    run = recent_runs(1, settings=graph)[0]
    assert run.outcome == "failed" and run.error and run.error.startswith("InsufficientMemory")
    assert run.memory_estimate  # recorded even though the job never ran
    assert run.node_count == 0  # refused before projecting anything
    assert "communities" not in current_run_ids(graph) or current_run_ids(graph)["communities"] is None


def test_sharing_engine_refuses_when_the_worker_lacks_memory(graph: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    good = run_job("user_similarity", {"now": NOW}, settings=graph)
    monkeypatch.setattr(algorithms.sharing_run, "available_memory_bytes", lambda: 100_000)
    with pytest.raises(InsufficientMemory, match="worker"):
        run_job("user_similarity", {"now": NOW, "similarity_engine": "sharing"}, settings=graph)
    run = recent_runs(1, settings=graph)[0]
    assert run.outcome == "failed" and run.error and run.error.startswith("InsufficientWorkerMemory")
    assert run.memory_estimate and "sharing engine, worker" in run.memory_estimate
    assert run.node_count == 0  # refused before reading anything
    assert current_run_ids(graph)["user_similarity"] == good.run_id


def test_older_run_finishing_late_is_superseded(graph: Settings) -> None:
    first = run_job("content_similarity", {"now": NOW}, settings=graph)
    # Pretend a newer run has already published (run ids sort by start time).
    newer = "99991231T235959999999Z-content_similarity-ffffff"
    cypher(graph, "MATCH (p:GraphResultSet {name: 'content_similarity'}) SET p.run_id = $id", id=newer)
    late = run_job("content_similarity", {"now": NOW}, settings=graph)
    assert late.outcome == "superseded"
    left = cypher(graph, "MATCH ()-[s:SIMILAR_TO]->() RETURN DISTINCT s.run_id AS r")
    assert [r["r"] for r in left] == [first.run_id]  # the late run removed its own edges, touched nothing else
    assert current_run_ids(graph)["content_similarity"] == newer


@pytest.mark.parametrize("engine", ["sharing", "gds"])
def test_empty_input_publishes_an_empty_result(graph: Settings, engine: str) -> None:
    run_job("user_similarity", {"now": NOW, "similarity_engine": engine}, settings=graph)
    assert similar_to(graph, "engagement")
    cypher(graph, "MATCH ()-[r:ENGAGED_WITH]->() DELETE r")
    outcome = run_job("user_similarity", {"now": NOW, "similarity_engine": engine}, settings=graph)
    assert outcome.outcome == "succeeded" and outcome.results_written == 0
    assert similar_to(graph, "engagement") == []


@pytest.mark.parametrize("engine", ["sharing", "gds"])
def test_readers_never_see_a_running_job(graph: Settings, monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    from algorithms.readers import similar_users

    run_job("user_similarity", {"now": NOW, "similarity_engine": engine}, settings=graph)
    seen_before = similar_users("u0", "engagement", settings=graph)
    seen_during: list[Any] = []

    def look(ctx: Any, written: int) -> int:
        # Both runs' edges are in the database now; a reader still sees exactly the published run.
        seen_during.append(similar_users("u0", "engagement", settings=graph))
        return written

    patch_write(monkeypatch, engine, look)
    run_job("user_similarity", {"now": NOW, "similarity_metric": "COSINE", "similarity_engine": engine}, settings=graph)
    assert seen_during == [seen_before]
    assert similar_users("u0", "engagement", settings=graph) != seen_before  # cosine scores differ
