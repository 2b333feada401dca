"""Progress of a running job: named steps, and the GDS task's own progress polled while it runs."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import neo4j

from graph.cypher import query

_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")


class ProgressSink(Protocol):
    """Where a job reports progress (the CLI's rich bar; nothing in a worker)."""

    def step(self, job: str, description: str) -> None:
        """A new step of `job` begins (the previous one is done)."""

    def fraction(self, job: str, done: float) -> None:
        """Share (0..1) of the current step done, when the server reports it."""


class NoProgress:
    """Discards progress."""

    def step(self, job: str, description: str) -> None:
        return None

    def fraction(self, job: str, done: float) -> None:
        return None


def parse_percent(text: object) -> float | None:
    """`"42.5%"` -> 0.425; `"n/a"` and anything else -> None."""
    match = _PERCENT.search(str(text))
    if match is None:
        return None
    return max(0.0, min(1.0, float(match.group(1)) / 100.0))


@contextmanager
def watching_gds_task(
    driver: neo4j.Driver,
    database: str,
    job_id: str,
    on_fraction: ProgressSink,
    job: str,
    interval_s: float = 0.5,
) -> Iterator[None]:
    """Poll `gds.listProgress(job_id)` in a thread while the block runs a GDS procedure with that job id."""
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(interval_s):
            try:
                records, _, _ = driver.execute_query(
                    query("algorithms/list_progress"),
                    job_id=job_id,
                    database_=database,
                    routing_=neo4j.RoutingControl.READ,
                )
            except neo4j.exceptions.Neo4jError:
                continue  # the task has not started yet, or has just finished
            if records:
                done = parse_percent(records[0]["progress"])
                if done is not None:
                    on_fraction.fraction(job, done)

    thread = threading.Thread(target=poll, name=f"gds-progress-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
