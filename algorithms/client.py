"""The `graphdatascience` client over the process's shared Neo4j driver."""

from __future__ import annotations

from graphdatascience import GraphDataScience

from graph.connection import get_driver
from graph.settings import Settings, get_settings


def gds_client(settings: Settings | None = None, *, show_progress: bool = False) -> GraphDataScience:
    """A client on the shared driver (closing it leaves the driver open); Bolt only (open GDS has no Arrow).

    `show_progress` is the client's own tqdm bars; the CLI shows its own progress instead.
    """
    s = settings or get_settings()
    return GraphDataScience(
        get_driver(s), database=s.neo4j_database, arrow=False, show_progress=show_progress
    )
