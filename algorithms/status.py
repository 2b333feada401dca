"""Run history for `activity-graph algorithms status`: recent `:GraphJobRun`s and each job's current run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import neo4j

from algorithms.cypher_text import statement
from graph.connection import get_driver
from graph.settings import Settings, get_settings


def _run(settings: Settings, name: str, **parameters: Any) -> list[neo4j.Record]:
    records, _, _ = get_driver(settings).execute_query(
        statement(name, settings), parameters, database_=settings.neo4j_database, routing_=neo4j.RoutingControl.READ
    )
    return records


@dataclass(frozen=True)
class RunRecord:
    """A `GraphJobRun` as `status` lists it."""

    run_id: str
    job: str
    outcome: str
    current: bool
    started_at: datetime | None
    finished_at: datetime | None
    seconds: float | None
    node_count: int | None
    relationship_count: int | None
    results_written: int | None
    memory_estimate: str | None
    parameters: dict[str, Any]
    stats: object
    error: str | None

    @classmethod
    def from_node(cls, props: dict[str, Any], current: bool) -> RunRecord:
        def when(value: object) -> datetime | None:
            return value.to_native() if isinstance(value, neo4j.time.DateTime) else None

        return cls(
            run_id=str(props["run_id"]),
            job=str(props.get("job", "")),
            outcome=str(props.get("outcome", "")),
            current=current,
            started_at=when(props.get("started_at")),
            finished_at=when(props.get("finished_at")),
            seconds=props.get("seconds"),
            node_count=props.get("node_count"),
            relationship_count=props.get("relationship_count"),
            results_written=props.get("results_written"),
            memory_estimate=props.get("memory_estimate"),
            parameters=json.loads(props.get("parameters") or "{}"),
            stats=json.loads(props["stats"]) if props.get("stats") else None,
            error=props.get("error"),
        )


def recent_runs(limit: int = 20, settings: Settings | None = None) -> list[RunRecord]:
    """The latest `limit` runs, newest first."""
    s = settings or get_settings()
    records = _run(s, "recent_runs", limit=limit)
    return [RunRecord.from_node(dict(r["run"]), bool(r["current"])) for r in records]


def current_run_ids(settings: Settings | None = None) -> dict[str, str | None]:
    """Job -> the run its result set points at (what readers see)."""
    s = settings or get_settings()
    return {str(r["job"]): r["run_id"] for r in _run(s, "current_runs")}
