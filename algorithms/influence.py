"""Influence: PageRank or ArticleRank on the directed user interaction graph, written as `influence` on users.

Edges point at the user who receives the attention (visitor -> visited, vibe sender -> receiver; accepted
connections both ways), weighted by the decayed weight, so a user many others seek out ranks high.
Every user is a node, so every user's score is replaced by each run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import neo4j
from graphdatascience.procedure_surface.api.estimation_result import EstimationResult
from pydantic import Field
from typing_extensions import Self

from algorithms.config import AlgorithmConfig, InfluenceAlgorithm
from algorithms.cypher_text import statement
from algorithms.params import JobParams
from algorithms.projection import NothingToProject, ProjectionSpec, projected
from algorithms.runs import JobSpec, RunContext
from algorithms.writeback import node_write

INFLUENCE_PROPERTY = "influence"


class InfluenceParams(JobParams):
    """PageRank / ArticleRank settings."""

    algorithm: InfluenceAlgorithm | None = Field(
        default=None, description="pagerank or articlerank (default: setting)."
    )
    damping_factor: float = Field(default=0.85, ge=0, lt=1)
    max_iterations: int = Field(default=20, ge=1)
    tolerance: float = Field(default=1e-7, gt=0)
    connected_weight: float = Field(
        default=1.0, ge=0, description="Weight of an accepted connection, each way."
    )
    weighted: bool = Field(default=True, description="Use the decayed weights (else every edge counts 1).")
    top: int = Field(default=10, ge=0, description="How many top users the result lists.")
    concurrency: int | None = Field(default=None, ge=1)

    def resolved(self, config: AlgorithmConfig, started_at: datetime) -> Self:
        base = super().resolved(config, started_at)
        return base.model_copy(update={"algorithm": self.algorithm or config.influence_algorithm})


@dataclass(frozen=True)
class InfluenceResult:
    """Convergence, the score distribution and the most influential users."""

    algorithm: str
    ran_iterations: int
    did_converge: bool
    centrality_distribution: dict[str, float]
    nodes_written: int
    top_users: list[tuple[str, float]]


def run(ctx: RunContext, params: InfluenceParams) -> InfluenceResult:
    """Project the interaction graph, rank, publish `influence` with the result-set switch."""
    algo = ctx.gds.article_rank if params.algorithm == "articlerank" else ctx.gds.page_rank
    config: dict[str, Any] = {
        "damping_factor": params.damping_factor,
        "max_iterations": params.max_iterations,
        "tolerance": params.tolerance,
        "relationship_weight_property": "weight" if params.weighted else None,
        "concurrency": params.concurrency,
    }
    spec = ProjectionSpec(
        purpose="user_interactions",
        query="project_user_interactions",
        count_query="count_user_interactions",
        parameters={**params.decay_parameters(), "connected_weight": params.connected_weight},
    )

    def estimate(graph: dict[str, Any]) -> EstimationResult:
        return algo.estimate(graph, **config)

    try:
        with projected(
            ctx.gds,
            spec,
            name=ctx.graph_name("user_interactions"),
            estimators=[estimate],
            headroom=ctx.config.memory_headroom,
            settings=ctx.settings,
            progress=ctx.progress,
            job=ctx.job,
            on_estimate=ctx.record_estimate,
        ) as projection:
            ctx.record_projection(projection)
            ctx.step(str(params.algorithm))
            job_id = ctx.gds_job_id(str(params.algorithm))
            if projection.relationship_count == 0:
                config["relationship_weight_property"] = None  # no edge carries the property
            with ctx.watching(job_id):
                stats = algo.mutate(
                    projection.graph, mutate_property=INFLUENCE_PROPERTY, job_id=job_id, **config
                )
            ctx.publish([node_write("write_influence", projection.name, INFLUENCE_PROPERTY)])
    except NothingToProject:
        return InfluenceResult(str(params.algorithm), 0, True, {}, 0, [])
    return InfluenceResult(
        algorithm=str(params.algorithm),
        ran_iterations=int(stats.ran_iterations),
        did_converge=bool(stats.did_converge),
        centrality_distribution={k: float(v) for k, v in stats.centrality_distribution.items()},
        nodes_written=ctx.results_written,
        top_users=top_users(ctx, params.top) if params.top and ctx.switched else [],
    )


def top_users(ctx: RunContext, limit: int) -> list[tuple[str, float]]:
    """The `limit` users with the highest `influence`."""
    records, _, _ = ctx.driver.execute_query(
        statement("top_influence", ctx.settings),
        limit=limit,
        database_=ctx.database,
        routing_=neo4j.RoutingControl.READ,
    )
    return [(str(r["user_id"]), float(r["influence"])) for r in records]


INFLUENCE = JobSpec(
    name="influence",
    description="influence on users: PageRank or ArticleRank on who visits, vibes and connects with whom",
    params_type=InfluenceParams,
    run=run,
)
