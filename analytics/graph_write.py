"""Writing analytics values onto existing graph nodes: UNWIND batches through the shared driver.

Values go onto nodes the sync or the platform made; nothing here creates a node. Each batch is one managed
transaction (retried by the driver on transient errors).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import neo4j

from graph.connection import get_driver
from graph.cypher import render
from graph.schema import ident
from graph.settings import Settings

Row = dict[str, Any]


def batches(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def user_parts(settings: Settings) -> dict[str, str]:
    """Render parts naming the platform's user label and key."""
    return {"user_label": ident(settings.user_label), "user_key": ident(settings.user_key)}


def content_parts(settings: Settings, label: str) -> dict[str, str]:
    return {"label": ident(label), "content_key": ident(settings.content_key)}


def run(settings: Settings, name: str, parts: dict[str, str], params: dict[str, Any],
        driver: neo4j.Driver | None = None) -> list[neo4j.Record]:
    """One named analytics query (`cypher/analytics/<name>.cypher`) in a managed write transaction."""
    db = driver or get_driver(settings)
    records, _, _ = db.execute_query(
        render(f"analytics/{name}", **parts), params, database_=settings.neo4j_database,
        routing_=neo4j.RoutingControl.WRITE,
    )
    return list(records)
