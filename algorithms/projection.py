"""In-memory GDS graphs with a lifecycle: estimated against the server's heap, named per run, always dropped.

    with projected(gds, spec, name=..., estimators=[...]) as projection:
        gds.node_similarity.mutate(projection.graph, ...)

Projections are Cypher aggregations (`gds.graph.project(...)` over a MATCH, in
`cypher/algorithms/project_*.cypher`), so the decayed weight is computed while projecting and
parallel edges are summed. GDS cannot estimate a Cypher aggregation, so the estimate is made on a
*fictitious* graph of the same size (counted by the spec's `count_*` query) with the job's own
algorithm configuration: `gds.<algo>.<mode>.estimate({nodeCount, relationshipCount, ...}, config)`
covers the graph and the algorithm together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import neo4j
from graphdatascience import GraphDataScience
from graphdatascience.graph.graph_api import Graph
from graphdatascience.procedure_surface.api.estimation_result import EstimationResult

from algorithms.cypher_text import statement
from algorithms.progress import NoProgress, ProgressSink
from graph.connection import get_driver
from graph.settings import Settings, get_settings

log = logging.getLogger(__name__)

# An algorithm's estimate on a fictitious graph: takes the `graphNameOrConfiguration` map.
Estimator = Callable[[dict[str, Any]], EstimationResult]

# GDS refuses a run whose estimate exceeds free heap with this message (its own memory guard).
GDS_MEMORY_GUARD = "Procedure was blocked since"


class InsufficientMemory(RuntimeError):
    """The server's heap cannot hold the projection and the algorithm, by GDS's own estimate."""

    def __init__(self, what: str, estimate: MemoryEstimate | None, detail: str | None = None) -> None:
        self.what = what
        self.estimate = estimate
        parts = [f"{what}: not enough heap on the Neo4j server."]
        if estimate is not None:
            parts.append(
                f"GDS estimates {estimate.required_memory} ({_mib(estimate.bytes_max)} at most) for "
                f"{estimate.node_count:,} nodes and {estimate.relationship_count:,} relationships; "
                f"the server has {_mib(estimate.available_heap_bytes)} of heap free and a job may plan on "
                f"{estimate.headroom:.0%} of it ({_mib(estimate.budget_bytes)})."
            )
        if detail:
            parts.append(f"GDS: {detail}")
        parts.append(
            "Give Neo4j more heap (server.memory.heap.max_size / NEO4J_HEAP), drop other in-memory graphs "
            "(gds.graph.list), or lower topK / the projected data."
        )
        super().__init__(" ".join(parts))


class NothingToProject(LookupError):
    """The projection's query matches nothing (no engagements yet, say): the job's result is empty."""


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


@dataclass(frozen=True)
class MemoryEstimate:
    """GDS's estimate for a job's graph plus algorithm, next to the heap the server has free."""

    node_count: int
    relationship_count: int
    bytes_min: int
    bytes_max: int
    required_memory: str
    available_heap_bytes: int
    headroom: float

    @property
    def budget_bytes(self) -> int:
        return int(self.available_heap_bytes * self.headroom)

    @property
    def fits(self) -> bool:
        return self.bytes_max <= self.budget_bytes


@dataclass(frozen=True)
class ProjectionSpec:
    """What to project: a projection query, the query counting its size, and its shape for the estimate.

    `query` and `count_query` name files in `cypher/algorithms/`; `count_query` returns one row with
    `node_count` and `relationship_count`. Both get `parameters`; the projection also `$graph_name`.
    """

    purpose: str
    query: str
    count_query: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    relationship_properties: tuple[str, ...] = ("weight",)
    undirected: bool = False

    def fictitious(self, node_count: int, relationship_count: int) -> dict[str, Any]:
        """The `graphNameOrConfiguration` map GDS estimates on instead of a named graph."""
        rel: dict[str, Any] = {"type": "*", "orientation": "UNDIRECTED" if self.undirected else "NATURAL"}
        if self.relationship_properties:
            rel["properties"] = list(self.relationship_properties)
        return {
            "nodeProjection": "*",
            "relationshipProjection": {"R": rel},
            "nodeCount": max(node_count, 1),
            "relationshipCount": relationship_count,
        }


@dataclass(frozen=True)
class Projection:
    """A projected graph and what it took: the handle algorithms take, its size and the estimate."""

    graph: Graph
    name: str
    node_count: int
    relationship_count: int
    project_millis: int
    estimate: MemoryEstimate


def graph_name(job: str, purpose: str, run_id: str) -> str:
    """Unique per run, so concurrent runs and a crashed run's leftovers never collide."""
    return f"ag_{job}_{purpose}_{run_id}"


def available_heap_bytes(gds: GraphDataScience) -> int:
    """What GDS itself compares estimates with: `gds.debug.sysInfo` `availableHeapInBytes`."""
    info = gds.debug.sys_info()
    if info.available_heap_in_bytes is None:
        raise RuntimeError("gds.debug.sysInfo did not report availableHeapInBytes")
    return int(info.available_heap_in_bytes)


def count_projection(spec: ProjectionSpec, settings: Settings | None = None) -> tuple[int, int]:
    """(nodes, relationships) the projection will hold, by the spec's count query."""
    s = settings or get_settings()
    records, _, _ = get_driver(s).execute_query(
        statement(spec.count_query, s),
        dict(spec.parameters),
        database_=s.neo4j_database,
        routing_=neo4j.RoutingControl.READ,
    )
    return int(records[0]["node_count"]), int(records[0]["relationship_count"])


def estimate_projection(
    gds: GraphDataScience,
    spec: ProjectionSpec,
    estimators: Sequence[Estimator],
    *,
    headroom: float,
    settings: Settings | None = None,
) -> MemoryEstimate:
    """GDS's estimate for the graph and the heaviest of the job's algorithms, on a graph of the spec's size.

    Each estimator covers graph + one algorithm; a job that runs several in turn needs the largest.
    Without estimators, the projection alone (`gds.graph.project.estimate`).
    """
    s = settings or get_settings()
    nodes, rels = count_projection(spec, s)
    config = spec.fictitious(nodes, rels)
    results: list[EstimationResult] = [estimate(dict(config)) for estimate in estimators]
    if not results:
        results.append(_estimate_graph_only(gds, config))
    worst = max(results, key=lambda r: r.bytes_max)
    return MemoryEstimate(
        node_count=nodes,
        relationship_count=rels,
        bytes_min=int(worst.bytes_min),
        bytes_max=int(worst.bytes_max),
        required_memory=worst.required_memory,
        available_heap_bytes=available_heap_bytes(gds),
        headroom=headroom,
    )


def _estimate_graph_only(gds: GraphDataScience, config: Mapping[str, Any]) -> EstimationResult:
    # The client's `gds.graph.project.estimate` takes no nodeCount/relationshipCount: call it in Cypher.
    frame = gds.run_cypher(
        statement("estimate_projection"),
        {
            "node_projection": config["nodeProjection"],
            "relationship_projection": config["relationshipProjection"],
            "node_count": config["nodeCount"],
            "relationship_count": config["relationshipCount"],
        },
        mode="READ",
    )
    return EstimationResult(**frame.iloc[0].to_dict())


def drop_graph(gds: GraphDataScience, name: str) -> None:
    """Drop `name` if it exists; a failure to drop is logged, never raised over the job's own error."""
    try:
        gds.graph.drop(name, fail_if_missing=False)
    except Exception:  # the job's outcome matters more than a failed clean-up
        log.exception("could not drop in-memory graph %s", name)


@contextmanager
def projected(
    gds: GraphDataScience,
    spec: ProjectionSpec,
    *,
    name: str,
    estimators: Sequence[Estimator] = (),
    headroom: float = 0.9,
    settings: Settings | None = None,
    progress: ProgressSink | None = None,
    job: str = "",
    on_estimate: Callable[[MemoryEstimate], None] | None = None,
) -> Iterator[Projection]:
    """Estimate, refuse (`InsufficientMemory`) if the heap cannot hold it, project, yield, drop in `finally`.

    Raises `NothingToProject` (before projecting) when the counted graph is empty: GDS's Cypher
    aggregation over no rows returns null, not an empty graph.
    """
    s = settings or get_settings()
    sink = progress or NoProgress()
    sink.step(job, f"estimate memory ({spec.purpose})")
    estimate = estimate_projection(gds, spec, estimators, headroom=headroom, settings=s)
    if on_estimate is not None:
        on_estimate(estimate)
    if not estimate.fits:
        raise InsufficientMemory(f"{job or spec.purpose} ({name})", estimate)
    if estimate.node_count == 0:
        raise NothingToProject(f"{spec.purpose}: nothing to project")
    sink.step(
        job, f"project {spec.purpose} ({estimate.node_count:,} nodes, {estimate.relationship_count:,} rels)"
    )
    try:
        graph, result = gds.graph.project.cypher(
            statement(spec.query, s), graph_name=name, **dict(spec.parameters)
        )
        yield Projection(
            graph=graph,
            name=name,
            node_count=int(result.node_count),
            relationship_count=int(result.relationship_count),
            project_millis=int(result.project_millis),
            estimate=estimate,
        )
    finally:
        drop_graph(gds, name)
