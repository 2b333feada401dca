"""User similarity over the content users engaged with, or the people they sought out.

`user_similarity` compares users by their decayed `ENGAGED_WITH` weights (weighted Jaccard = sum of minima
over sum of maxima, overlap = sum of minima over the smaller total, cosine over the weight vectors);
`social_similarity` does the same over `VISITED`/`VIBED`. Both write
`(:Users)-[:SIMILAR_TO {score, source, run_id, computed_at}]->(:Users)`, topK per user.

Hub content: `user_similarity` leaves out of its projection the content engaged by more than
`max_content_share` of the users who engaged with anything (at least `min_content_cap` engagers are always
allowed). Content nearly everyone engages with (the app's screens, a post everyone saw) says nothing about
who is like whom, as its inverse document frequency says, yet it gives almost every pair of users a score
above 0 and fills each user's topK with near-random neighbours. The cap is a setting
(`gds_similarity_max_content_share`; 1 turns it off).

Engine (`similarity_engine`, setting `gds_similarity_engine`): "sharing" (the default) computes the same scores
as `gds.nodeSimilarity` but compares only nodes that share an item (`algorithms.sharing`), linear in the
sharing pairs; "gds" projects and runs `gds.nodeSimilarity`, which compares all n^2/2 pairs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from graphdatascience.procedure_surface.api.estimation_result import EstimationResult
from pydantic import Field
from typing_extensions import Self

from algorithms.config import AlgorithmConfig, SimilarityEngine, SimilarityMetric
from algorithms.cypher_text import statement
from algorithms.params import JobParams
from algorithms.projection import NothingToProject, ProjectionSpec, projected
from algorithms.runs import JobSpec, RunContext
from algorithms.sharing_run import SharingInput, run_sharing
from algorithms.writeback import SCORE_PROPERTY, SIMILARITY_TYPE, write_similar_users

# GDS's own default cutoff: any similarity above zero; 0 would let topK fill with unrelated pairs.
GDS_MIN_SIMILARITY = 1.0e-42


class NodeSimilarityParams(JobParams):
    """`gds.nodeSimilarity` parameters, weighted by the decayed weight."""

    similarity_metric: SimilarityMetric | None = Field(
        default=None, description="JACCARD, OVERLAP or COSINE (default: setting gds_similarity_metric)."
    )
    top_k: int | None = Field(
        default=None, ge=1, description="Neighbours kept per node (default: a setting)."
    )
    similarity_cutoff: float = Field(default=GDS_MIN_SIMILARITY, ge=0, le=1, description="Lowest score kept.")
    degree_cutoff: int = Field(default=1, ge=1, description="Fewest neighbours a node needs to be compared.")
    concurrency: int | None = Field(default=None, ge=1, description="GDS threads (the gds engine only).")
    similarity_engine: SimilarityEngine | None = Field(
        default=None,
        description="sharing: compare only nodes that share an item (same scores, linear); gds: "
        "gds.nodeSimilarity over every pair (default: setting gds_similarity_engine).",
    )

    def default_top_k(self, config: AlgorithmConfig) -> int:
        return config.user_top_k

    def resolved(self, config: AlgorithmConfig, started_at: datetime) -> Self:
        base = super().resolved(config, started_at)
        out = base.model_copy(
            update={
                "similarity_metric": self.similarity_metric or config.similarity_metric,
                "top_k": self.top_k or self.default_top_k(config),
                "similarity_engine": self.similarity_engine or config.similarity_engine,
            }
        )
        if out.similarity_engine == "sharing" and out.similarity_cutoff <= 0:
            # With cutoff 0 GDS also keeps pairs that share nothing (score 0): only its engine visits them.
            raise ValueError("similarity_cutoff 0 needs similarity_engine 'gds' (the sharing engine needs > 0)")
        return out

    def gds_config(self) -> dict[str, Any]:
        """Keyword arguments for the client's `node_similarity` endpoints."""
        if self.similarity_metric is None or self.top_k is None:
            raise RuntimeError("parameters not resolved: call resolved() first")
        return {
            "top_k": self.top_k,
            "similarity_cutoff": self.similarity_cutoff,
            "degree_cutoff": self.degree_cutoff,
            "similarity_metric": self.similarity_metric,
            "relationship_weight_property": "weight",
            "concurrency": self.concurrency,
        }


class UserSimilarityParams(NodeSimilarityParams):
    """User-user similarity (either source)."""


class EngagementSimilarityParams(UserSimilarityParams):
    """User similarity from co-engagement, with hub content left out (see the module doc)."""

    max_content_share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Content engaged by more than this share of the engaged users is left out (1: none is; "
        "default: setting gds_similarity_max_content_share).",
    )
    min_content_cap: int = Field(
        default=100,
        ge=1,
        description="Content with at most this many engagers is always kept, whatever the share (small graphs).",
    )

    def resolved(self, config: AlgorithmConfig, started_at: datetime) -> Self:
        base = super().resolved(config, started_at)
        return base.model_copy(update={"max_content_share": self.max_content_share or config.max_content_share})

    def engager_cap(self, engaged_users: int) -> int | None:
        """Most engagers a content may have to be projected, given how many users engaged; None: no cap."""
        if self.max_content_share is None:
            raise RuntimeError("parameters not resolved: call resolved() first")
        if self.max_content_share >= 1:
            return None
        return max(self.min_content_cap, math.ceil(self.max_content_share * engaged_users))


@dataclass(frozen=True)
class SimilarityResult:
    """What a similarity run computed and wrote."""

    source: str
    similarity_metric: str
    top_k: int
    nodes_compared: int
    relationships_written: int
    similarity_distribution: dict[str, float]
    # user_similarity only: the most engagers a projected content could have (None: no cap), and of how many
    # engaged users that was worked out
    content_engager_cap: int | None = None
    engaged_users: int | None = None
    engine: str = "gds"
    pair_updates: int | None = None  # sharing engine: (node, candidate, shared item) triples visited


def estimate_node_similarity(
    ctx: RunContext, graph: dict[str, Any], config: dict[str, Any]
) -> EstimationResult:
    """nodeSimilarity's estimate on a fictitious graph.

    The client's abstract `NodeSimilarityEndpoints.estimate` is typed to take a `Graph` only, although its
    Bolt implementation (and every other algorithm's estimate) also takes the fictitious-graph map.
    """
    endpoint: Any = ctx.gds.node_similarity
    return cast(EstimationResult, endpoint.estimate(graph, **config))


def run_node_similarity(
    ctx: RunContext,
    params: NodeSimilarityParams,
    spec: ProjectionSpec,
    source: str,
    write: Callable[[RunContext, str], int],
    *,
    sharing_query: str,
    content_engager_cap: int | None = None,
    engaged_users: int | None = None,
) -> SimilarityResult:
    """nodeSimilarity's scores by the run's engine: "gds" projects `spec`, mutates nodeSimilarity into the
    projection and writes back with `write(ctx, graph_name)`; "sharing" reads `sharing_query` (the same
    aggregation per shared item) with the spec's parameters and writes the edges itself."""
    if params.similarity_engine == "sharing":
        return _run_sharing(
            ctx,
            params,
            SharingInput(spec.purpose, query=sharing_query, count_query=spec.count_query, parameters=spec.parameters),
            source,
            content_engager_cap=content_engager_cap,
            engaged_users=engaged_users,
        )
    config = params.gds_config()

    def estimate(graph: dict[str, Any]) -> EstimationResult:
        return estimate_node_similarity(ctx, graph, config)

    empty = SimilarityResult(
        source,
        str(config["similarity_metric"]),
        int(config["top_k"]),
        0,
        0,
        {},
        content_engager_cap=content_engager_cap,
        engaged_users=engaged_users,
    )
    try:
        with projected(
            ctx.gds,
            spec,
            name=ctx.graph_name(spec.purpose),
            estimators=[estimate],
            headroom=ctx.config.memory_headroom,
            settings=ctx.settings,
            progress=ctx.progress,
            job=ctx.job,
            on_estimate=ctx.record_estimate,
        ) as projection:
            ctx.record_projection(projection)
            ctx.step("nodeSimilarity")
            job_id = ctx.gds_job_id("nodeSimilarity")
            with ctx.watching(job_id):
                stats = ctx.gds.node_similarity.mutate(
                    projection.graph,
                    mutate_relationship_type=SIMILARITY_TYPE,
                    mutate_property=SCORE_PROPERTY,
                    job_id=job_id,
                    **config,
                )
            written = write(ctx, projection.name)
    except NothingToProject:
        return empty
    return SimilarityResult(
        source=source,
        similarity_metric=empty.similarity_metric,
        top_k=empty.top_k,
        nodes_compared=int(stats.nodes_compared),
        relationships_written=written,
        # With no pair above the cutoff GDS still reports a histogram, of uninitialised values: drop it.
        similarity_distribution=_distribution(stats.similarity_distribution) if stats.relationships_written else {},
        content_engager_cap=content_engager_cap,
        engaged_users=engaged_users,
    )


def _run_sharing(
    ctx: RunContext,
    params: NodeSimilarityParams,
    spec: SharingInput,
    source: str,
    *,
    content_engager_cap: int | None,
    engaged_users: int | None,
) -> SimilarityResult:
    if params.similarity_metric is None or params.top_k is None:
        raise RuntimeError("parameters not resolved: call resolved() first")
    outcome = run_sharing(
        ctx,
        spec,
        metric=params.similarity_metric,
        top_k=params.top_k,
        similarity_cutoff=params.similarity_cutoff,
        degree_cutoff=params.degree_cutoff,
        source=None if source == "content" else source,
    )
    return SimilarityResult(
        source=source,
        similarity_metric=params.similarity_metric,
        top_k=params.top_k,
        nodes_compared=outcome.nodes_compared,
        relationships_written=outcome.relationships_written,
        similarity_distribution=outcome.similarity_distribution,
        content_engager_cap=content_engager_cap,
        engaged_users=engaged_users,
        engine="sharing",
        pair_updates=outcome.pair_updates,
    )


def _distribution(raw: dict[str, object]) -> dict[str, float]:
    """GDS's similarity histogram; when scores span too wide a range it sends an error text instead."""
    out: dict[str, float] = {}
    for key, value in raw.items():
        try:
            out[key] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return out


def count_engaged_users(ctx: RunContext) -> int:
    """Users with at least one ENGAGED_WITH: what the hub cap's share is a share of."""
    records, _, _ = ctx.driver.execute_query(
        statement("count_engaged_users", ctx.settings), database_=ctx.database
    )
    return int(records[0]["users"]) if records else 0


def run_engagement(ctx: RunContext, params: EngagementSimilarityParams) -> SimilarityResult:
    """Users who engaged with the same content, weighted by decayed engagement; hub content left out."""
    engaged = count_engaged_users(ctx)
    cap = params.engager_cap(engaged)
    spec = ProjectionSpec(
        purpose="user_content",
        query="project_user_content",
        count_query="count_user_content",
        parameters={**params.decay_parameters(), "max_engagers": cap},
    )
    return run_node_similarity(
        ctx,
        params,
        spec,
        "engagement",
        lambda c, name: write_similar_users(c, name, "engagement"),
        sharing_query="sharing_user_content",
        content_engager_cap=cap,
        engaged_users=engaged,
    )


def run_social(ctx: RunContext, params: UserSimilarityParams) -> SimilarityResult:
    """Users who visited or vibed the same people, weighted by the decayed visits and vibes."""
    spec = ProjectionSpec(
        purpose="user_targets",
        query="project_user_targets",
        count_query="count_user_targets",
        parameters=params.decay_parameters(),
    )
    return run_node_similarity(
        ctx,
        params,
        spec,
        "social",
        lambda c, name: write_similar_users(c, name, "social"),
        sharing_query="sharing_user_targets",
    )


USER_SIMILARITY = JobSpec(
    name="user_similarity",
    description="SIMILAR_TO {source: 'engagement'} between users, from co-engagement (nodeSimilarity's scores)",
    params_type=EngagementSimilarityParams,
    run=run_engagement,
)
SOCIAL_SIMILARITY = JobSpec(
    name="social_similarity",
    description="SIMILAR_TO {source: 'social'} between users who visit and vibe the same people",
    params_type=UserSimilarityParams,
    run=run_social,
)
