"""Content similarity: nodeSimilarity's scores from the content side (content engaged with by the same users).

Either engine (`similarity_engine`, as in `algorithms.user_similarity`): the sharing engine walks each
content's users and their other content, GDS compares every pair of content.

Writes `(content)-[:SIMILAR_TO {score, run_id, computed_at}]->(content)`, topK per content. The feed's
item-to-item neighbours lose much of their value when each item keeps only a few, so topK defaults to
the `gds_content_top_k` setting (20), not GDS's 10; measure the right value with the evaluation harness.
"""

from __future__ import annotations

from algorithms.config import AlgorithmConfig
from algorithms.projection import ProjectionSpec
from algorithms.runs import JobSpec, RunContext
from algorithms.user_similarity import NodeSimilarityParams, SimilarityResult, run_node_similarity
from algorithms.writeback import write_similar_content


class ContentSimilarityParams(NodeSimilarityParams):
    """Item-item similarity; `degree_cutoff` is the fewest users a content needs to be compared."""

    def default_top_k(self, config: AlgorithmConfig) -> int:
        return config.content_top_k


def run(ctx: RunContext, params: ContentSimilarityParams) -> SimilarityResult:
    """Content engaged with by the same users, weighted by their decayed engagement."""
    spec = ProjectionSpec(
        purpose="content_user",
        query="project_content_user",
        count_query="count_user_content",
        parameters=params.decay_parameters(),
    )
    return run_node_similarity(
        ctx, params, spec, "content", write_similar_content, sharing_query="sharing_content_user"
    )


CONTENT_SIMILARITY = JobSpec(
    name="content_similarity",
    description="SIMILAR_TO between content engaged with by the same users (nodeSimilarity, topK each)",
    params_type=ContentSimilarityParams,
    run=run,
)
