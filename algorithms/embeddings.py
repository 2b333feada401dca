"""Embeddings and cold start: FastRP over the user graph, then KNN to give sparse users `SIMILAR_TO`.

FastRP runs on the undirected graph of users, their social ties and the content they engaged with (decayed
weights), so a user with one or two engagements or a few visits still lands near the people who engage like
them. KNN (cosine on the embeddings) then finds neighbours only for `ColdUser`s - users with fewer than
`cold_start_min_engagements` engagements, whom engagement similarity cannot serve - and writes
`SIMILAR_TO {source: 'embedding'}`. Every user's `embedding` is written at publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import neo4j
from graphdatascience.procedure_surface.api.estimation_result import EstimationResult
from pydantic import Field
from typing_extensions import Self

from algorithms.config import AlgorithmConfig
from algorithms.cypher_text import statement
from algorithms.params import JobParams
from algorithms.projection import NothingToProject, ProjectionSpec, projected
from algorithms.runs import JobSpec, RunContext
from algorithms.writeback import SCORE_PROPERTY, SIMILARITY_TYPE, node_write, write_similar_users

EMBEDDING_PROPERTY = "embedding"
COLD_LABEL = "ColdUser"


class EmbeddingParams(JobParams):
    """FastRP and KNN settings."""

    embedding_dimension: int = Field(default=64, ge=2)
    iteration_weights: tuple[float, ...] = Field(default=(0.0, 1.0, 1.0), min_length=1)
    normalization_strength: float = 0.0
    random_seed: int | None = Field(
        default=42, description="FastRP and KNN seed (KNN then runs single-threaded)."
    )
    cold_start_min_engagements: int | None = Field(
        default=None, ge=0, description="Users with fewer engagements get KNN neighbours (default: setting)."
    )
    top_k: int | None = Field(
        default=None, ge=1, description="KNN neighbours per cold user (default: setting)."
    )
    similarity_cutoff: float = Field(default=0.05, ge=0, le=1, description="Lowest cosine similarity kept.")
    connected_weight: float = Field(default=1.0, ge=0)
    write_embeddings: bool = Field(default=True, description="Also write `embedding` on every user.")
    concurrency: int | None = Field(default=None, ge=1)

    def resolved(self, config: AlgorithmConfig, started_at: datetime) -> Self:
        base = super().resolved(config, started_at)
        return base.model_copy(
            update={
                "cold_start_min_engagements": (
                    config.cold_start_min_engagements
                    if self.cold_start_min_engagements is None
                    else self.cold_start_min_engagements
                ),
                "top_k": self.top_k or config.user_top_k,
            }
        )


@dataclass(frozen=True)
class EmbeddingResult:
    """What was embedded and how many cold users got neighbours."""

    embedding_dimension: int
    nodes_embedded: int
    cold_users: int
    relationships_written: int
    embeddings_written: int
    knn_ran_iterations: int
    knn_did_converge: bool


def run(ctx: RunContext, params: EmbeddingParams) -> EmbeddingResult:
    """FastRP into the projection, KNN from cold users, write back, publish embeddings with the switch."""
    spec = ProjectionSpec(
        purpose="user_graph",
        query="project_user_graph",
        count_query="count_user_graph",
        parameters={
            **params.decay_parameters(),
            "connected_weight": params.connected_weight,
            "include_engagement": True,
            "cold_start_min_engagements": params.cold_start_min_engagements,
        },
        undirected=True,
    )
    fastrp_config: dict[str, Any] = {
        "embedding_dimension": params.embedding_dimension,
        "iteration_weights": list(params.iteration_weights),
        "normalization_strength": params.normalization_strength,
        "random_seed": params.random_seed,
        "concurrency": params.concurrency,
    }
    knn_config: dict[str, Any] = {
        "top_k": params.top_k,
        "similarity_cutoff": params.similarity_cutoff,
        "random_seed": params.random_seed,
        # GDS's KNN is deterministic only single-threaded, and refuses a seed otherwise.
        "concurrency": 1 if params.random_seed is not None else params.concurrency,
    }

    def estimate_fastrp(graph: dict[str, Any]) -> EstimationResult:
        return ctx.gds.fast_rp.estimate(graph, relationship_weight_property="weight", **fastrp_config)

    def estimate_knn(graph: dict[str, Any]) -> EstimationResult:
        # The fictitious graph needs the embedding as a node property; its default value sets the dimension.
        zeros = [0.0] * params.embedding_dimension
        with_embedding = {**graph, "nodeProperties": {EMBEDDING_PROPERTY: {"defaultValue": zeros}}}
        return ctx.gds.knn.estimate(with_embedding, node_properties=EMBEDDING_PROPERTY, **knn_config)

    try:
        with projected(
            ctx.gds,
            spec,
            name=ctx.graph_name("user_graph"),
            estimators=[estimate_fastrp, estimate_knn],
            headroom=ctx.config.memory_headroom,
            settings=ctx.settings,
            progress=ctx.progress,
            job=ctx.job,
            on_estimate=ctx.record_estimate,
        ) as projection:
            ctx.record_projection(projection)
            graph = projection.graph
            ctx.step("FastRP")
            job_id = ctx.gds_job_id("fastRP")
            with ctx.watching(job_id):
                embedded = ctx.gds.fast_rp.mutate(
                    graph,
                    mutate_property=EMBEDDING_PROPERTY,
                    relationship_weight_property="weight" if projection.relationship_count else None,
                    job_id=job_id,
                    **fastrp_config,
                )
            cold = _cold_users(ctx, projection.name) if COLD_LABEL in graph.node_labels() else 0
            written, iterations, converged = 0, 0, True
            if cold:
                ctx.step(f"KNN for {cold:,} cold users")
                job_id = ctx.gds_job_id("knn")
                with ctx.watching(job_id):
                    knn = ctx.gds.knn.filtered.mutate(
                        graph,
                        mutate_relationship_type=SIMILARITY_TYPE,
                        mutate_property=SCORE_PROPERTY,
                        node_properties=EMBEDDING_PROPERTY,
                        source_node_filter=COLD_LABEL,
                        target_node_filter="User",
                        # The filter labels must be in the node filter, or GDS reports them missing.
                        node_labels=["User", COLD_LABEL],
                        job_id=job_id,
                        **knn_config,
                    )
                iterations, converged = int(knn.ran_iterations), bool(knn.did_converge)
                if knn.relationships_written:
                    written = write_similar_users(ctx, projection.name, "embedding")
            writes = (
                [node_write("write_embeddings", projection.name, EMBEDDING_PROPERTY)]
                if params.write_embeddings
                else []
            )
            ctx.publish(writes)
            embeddings_written = ctx.results_written - written
    except NothingToProject:
        return EmbeddingResult(params.embedding_dimension, 0, 0, 0, 0, 0, True)
    return EmbeddingResult(
        embedding_dimension=params.embedding_dimension,
        nodes_embedded=int(embedded.node_properties_written),
        cold_users=cold,
        relationships_written=written,
        embeddings_written=embeddings_written,
        knn_ran_iterations=iterations,
        knn_did_converge=converged,
    )


def _cold_users(ctx: RunContext, graph_name: str) -> int:
    records, _, _ = ctx.driver.execute_query(
        statement("count_graph_label", ctx.settings),
        graph_name=graph_name,
        property=EMBEDDING_PROPERTY,
        label=COLD_LABEL,
        database_=ctx.database,
        routing_=neo4j.RoutingControl.READ,
    )
    return int(records[0]["nodes"])


EMBEDDINGS = JobSpec(
    name="embeddings",
    description="embedding (FastRP) on users; SIMILAR_TO {source: 'embedding'} for sparse users (KNN)",
    params_type=EmbeddingParams,
    run=run,
)
