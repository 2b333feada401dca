"""Results from the in-memory graph into Neo4j: SIMILAR_TO under the run id; node properties at publish."""

from __future__ import annotations

from algorithms.runs import NodeWrite, RunContext

# The relationship type and property the similarity jobs mutate into the projection before writing back.
SIMILARITY_TYPE = "SIMILAR"
SCORE_PROPERTY = "score"


def write_similar_users(
    ctx: RunContext, graph_name: str, source: str, relationship_type: str = SIMILARITY_TYPE
) -> int:
    """`(:Users)-[:SIMILAR_TO {score, source, run_id, computed_at}]->(:Users)` from the projection."""
    ctx.step(f"write SIMILAR_TO ({source})")
    summary = ctx.run_auto_commit(
        "write_similar_users",
        {
            "graph_name": graph_name,
            "relationship_type": relationship_type,
            "source": source,
            "run_id": ctx.run_id,
            "computed_at": ctx.started_at,
            "batch_size": ctx.config.write_batch_size,
        },
    )
    written = int(summary.counters.relationships_created)
    ctx.results_written += written
    return written


def write_similar_content(ctx: RunContext, graph_name: str, relationship_type: str = SIMILARITY_TYPE) -> int:
    """`(content)-[:SIMILAR_TO {score, run_id, computed_at}]->(content)` from the projection, in batches."""
    ctx.step("write SIMILAR_TO (content)")
    summary = ctx.run_auto_commit(
        "write_similar_content",
        {
            "graph_name": graph_name,
            "relationship_type": relationship_type,
            "run_id": ctx.run_id,
            "computed_at": ctx.started_at,
            "batch_size": ctx.config.write_batch_size,
        },
    )
    written = int(summary.counters.relationships_created)
    ctx.results_written += written
    return written


def node_write(query: str, graph_name: str, graph_property: str) -> NodeWrite:
    """A `write_<what>` file fed from the projection's `graph_property`, for `RunContext.publish`."""
    return NodeWrite(query=query, parameters={"graph_name": graph_name, "property": graph_property})
