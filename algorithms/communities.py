"""Communities: Louvain or Leiden on the user-user graph, `community` and `community_levels` on users.

The graph: social ties (visits and vibes, decayed; accepted connections) summed into one undirected edge per
pair, plus co-engagement: `gds.nodeSimilarity` between users over the content they engaged with, mutated
into the projection as `CO_ENGAGED` (topK per user, so the graph stays sparse) and made undirected. Every user
is a node, so every user gets a community (an isolated user is a community of one). Modularity is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphdatascience.procedure_surface.api.estimation_result import EstimationResult
from pydantic import Field
from typing_extensions import Self

from algorithms.config import AlgorithmConfig, CommunityAlgorithm
from algorithms.params import JobParams
from algorithms.projection import NothingToProject, ProjectionSpec, projected
from algorithms.runs import JobSpec, RunContext
from algorithms.user_similarity import estimate_node_similarity
from algorithms.writeback import node_write

COMMUNITY_PROPERTY = "community"
CO_ENGAGED = "CO_ENGAGED"
CO_ENGAGED_UNDIRECTED = "CO_ENGAGED_U"
SOCIAL = "SOCIAL"


class CommunityParams(JobParams):
    """Louvain / Leiden on social ties plus co-engagement."""

    algorithm: CommunityAlgorithm | None = Field(
        default=None, description="louvain or leiden (default: setting)."
    )
    include_co_engagement: bool = Field(default=True, description="Add user-user co-engagement edges.")
    co_engagement_top_k: int = Field(default=10, ge=1, description="Co-engagement neighbours kept per user.")
    connected_weight: float = Field(default=1.0, ge=0, description="Weight of an accepted connection.")
    max_levels: int = Field(default=10, ge=1)
    max_iterations: int = Field(default=10, ge=1, description="Louvain iterations per level.")
    tolerance: float = Field(default=1e-4, gt=0)
    gamma: float = Field(default=1.0, gt=0, description="Leiden resolution.")
    theta: float = Field(default=0.01, gt=0, description="Leiden randomness.")
    random_seed: int | None = Field(default=None, description="Leiden seed (Louvain takes none).")
    concurrency: int | None = Field(default=None, ge=1)

    def resolved(self, config: AlgorithmConfig, started_at: datetime) -> Self:
        base = super().resolved(config, started_at)
        return base.model_copy(update={"algorithm": self.algorithm or config.community_algorithm})


@dataclass(frozen=True)
class CommunityResult:
    """Modularity and the shape of what was found."""

    algorithm: str
    modularity: float
    modularities: list[float]
    ran_levels: int
    community_count: int
    community_distribution: dict[str, float]
    co_engagement_relationships: int
    nodes_written: int


def _spec(params: CommunityParams) -> ProjectionSpec:
    return ProjectionSpec(
        purpose="user_graph",
        query="project_user_graph",
        count_query="count_user_graph",
        parameters={
            **params.decay_parameters(),
            "connected_weight": params.connected_weight,
            "include_engagement": params.include_co_engagement,
            "cold_start_min_engagements": 0,
        },
        undirected=True,
    )


def _community_config(params: CommunityParams) -> dict[str, Any]:
    common: dict[str, Any] = {
        "include_intermediate_communities": True,
        "max_levels": params.max_levels,
        "tolerance": params.tolerance,
        "concurrency": params.concurrency,
    }
    if params.algorithm == "leiden":
        return {**common, "gamma": params.gamma, "theta": params.theta, "random_seed": params.random_seed}
    return {**common, "max_iterations": params.max_iterations}


def run(ctx: RunContext, params: CommunityParams) -> CommunityResult:
    """Project, add co-engagement, detect communities, publish them with the result-set switch."""
    algo = ctx.gds.leiden if params.algorithm == "leiden" else ctx.gds.louvain
    algo_config = _community_config(params)
    similarity_config: dict[str, Any] = {
        "top_k": params.co_engagement_top_k,
        "relationship_weight_property": "weight",
        "concurrency": params.concurrency,
    }

    def estimate_similarity(graph: dict[str, Any]) -> EstimationResult:
        return estimate_node_similarity(ctx, graph, similarity_config)

    def estimate_communities(graph: dict[str, Any]) -> EstimationResult:
        return algo.estimate(graph, relationship_weight_property="weight", **algo_config)

    estimators = (
        [estimate_communities, estimate_similarity]
        if params.include_co_engagement
        else [estimate_communities]
    )
    try:
        with projected(
            ctx.gds,
            _spec(params),
            name=ctx.graph_name("user_graph"),
            estimators=estimators,
            headroom=ctx.config.memory_headroom,
            settings=ctx.settings,
            progress=ctx.progress,
            job=ctx.job,
            on_estimate=ctx.record_estimate,
        ) as projection:
            ctx.record_projection(projection)
            graph = projection.graph
            present = set(graph.relationship_types())
            types = [SOCIAL] if SOCIAL in present else []
            co_engaged = 0
            if params.include_co_engagement and "ENGAGED_WITH" in present:
                ctx.step("co-engagement (nodeSimilarity)")
                job_id = ctx.gds_job_id("coEngagement")
                with ctx.watching(job_id):
                    sim = ctx.gds.node_similarity.filtered.mutate(
                        graph,
                        mutate_relationship_type=CO_ENGAGED,
                        mutate_property="weight",
                        source_node_filter="User",
                        target_node_filter="User",
                        relationship_types=["ENGAGED_WITH"],
                        job_id=job_id,
                        **similarity_config,
                    )
                co_engaged = int(sim.relationships_written)
                if co_engaged:
                    # nodeSimilarity writes a->b and b->a for mutual neighbours: one undirected edge, the max.
                    ctx.gds.graph.relationships.to_undirected(
                        graph, CO_ENGAGED, CO_ENGAGED_UNDIRECTED, aggregation="MAX"
                    )
                    types.append(CO_ENGAGED_UNDIRECTED)
            ctx.step(f"{params.algorithm}")
            job_id = ctx.gds_job_id(str(params.algorithm))
            with ctx.watching(job_id):
                stats = algo.mutate(
                    graph,
                    mutate_property=COMMUNITY_PROPERTY,
                    node_labels=["User"],
                    relationship_types=types or ["*"],
                    relationship_weight_property="weight" if types else None,
                    job_id=job_id,
                    **algo_config,
                )
            ctx.publish([node_write("write_communities", projection.name, COMMUNITY_PROPERTY)])
    except NothingToProject:
        return CommunityResult(str(params.algorithm), 0.0, [], 0, 0, {}, 0, 0)
    return CommunityResult(
        algorithm=str(params.algorithm),
        modularity=float(stats.modularity),
        modularities=[float(m) for m in stats.modularities],
        ran_levels=int(stats.ran_levels),
        community_count=int(stats.community_count),
        community_distribution={k: float(v) for k, v in stats.community_distribution.items()},
        co_engagement_relationships=co_engaged,
        nodes_written=ctx.results_written,
    )


COMMUNITIES = JobSpec(
    name="communities",
    description="community / community_levels on users: Louvain or Leiden on social ties + co-engagement",
    params_type=CommunityParams,
    run=run,
)
