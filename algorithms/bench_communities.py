"""How well the `communities` job recovers the generator's planted communities (a command, not a test).

``recovery_on_generated(users, days, seed)``: the generator fills a scratch Postgres database (dropped after),
the platform's Users/Community nodes go into an emptied graph, the real sync loads every table, the
`communities` job runs (Louvain or Leiden, the setting unless given), and the written `community` is compared
with the generator's planted community of each user (`activity_graph_planted_community`): adjusted Rand index
and normalised mutual information (`algorithms.readers.community_recovery`).

It wipes the configured Neo4j database. Run:
``python -m algorithms.bench_communities --users 2000 --days 7 --yes``
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Annotated

import psycopg
import typer
from pydantic import SecretStr
from rich.console import Console

from activity.db import admin_url
from activity.generator import generate
from activity.generator.config import DEFAULT_END
from activity_graph.platform_seed import seed_platform_nodes
from algorithms.bench import _drop_database, _scratch_database, wipe_graph
from algorithms.communities import CommunityParams
from algorithms.config import CommunityAlgorithm
from algorithms.jobs import run_job
from algorithms.readers import Recovery, community_recovery
from graph.schema import init_graph_schema
from graph.settings import Settings, get_settings
from sync.runner import sync_until_caught_up

__all__ = ["RecoveryRun", "recovery_on_generated"]


@dataclass(frozen=True)
class RecoveryRun:
    """One measurement: the data, the job's timing and modularity, and the recovery scores."""

    users: int
    days: int
    seed: int
    algorithm: str
    rows_synced: int
    sync_seconds: float
    job_seconds: float
    modularity: float | None
    recovery: Recovery
    load_average: tuple[float, float, float]


def recovery_on_generated(
    users: int,
    days: int,
    seed: int,
    *,
    algorithm: CommunityAlgorithm | None = None,
    settings: Settings | None = None,
    console: Console | None = None,
) -> RecoveryRun:
    """Generate, sync, run `communities`, score against the planted communities (see the module doc)."""
    c = console or Console()
    base = settings or get_settings()
    admin = admin_url(base)
    load = os.getloadavg()
    name, url = _scratch_database(admin)
    s = base.model_copy(update={"database_url": SecretStr(url), "sync_database_url": SecretStr(url)})
    try:
        generate(url, users, days, seed)
        init_graph_schema(base)
        wipe_graph(s)
        seed_platform_nodes(users, seed, s)
        t0 = time.perf_counter()
        synced = sync_until_caught_up(settings=s)
        sync_seconds = time.perf_counter() - t0
        c.print(f"synced {synced.rows_read:,} rows in {sync_seconds:.0f} s")
        t0 = time.perf_counter()
        outcome = run_job("communities", CommunityParams(now=DEFAULT_END, algorithm=algorithm), settings=s)
        job_seconds = time.perf_counter() - t0
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT user_id::text, community FROM activity_graph_planted_community").fetchall()
        planted = {str(u): int(k) for u, k in rows}
        recovery = community_recovery(planted, settings=s)
        result = outcome.result
        modularity = getattr(result, "modularity", None)
        return RecoveryRun(
            users=users,
            days=days,
            seed=seed,
            algorithm=str(getattr(result, "algorithm", algorithm or "")),
            rows_synced=synced.rows_read,
            sync_seconds=sync_seconds,
            job_seconds=job_seconds,
            modularity=float(modularity) if modularity is not None else None,
            recovery=recovery,
            load_average=load,
        )
    finally:
        _drop_database(admin, name)


def main(
    users: Annotated[int, typer.Option("--users", min=4)] = 2000,
    days: Annotated[int, typer.Option("--days", min=1)] = 7,
    seed: Annotated[int, typer.Option("--seed")] = 7,
    algorithm: Annotated[str | None, typer.Option("--algorithm", help="louvain or leiden (default: setting).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this wipes the configured Neo4j.")] = False,
) -> None:
    """Community recovery (ARI, NMI) of the `communities` job on generated activity."""
    console = Console()
    if not yes:
        console.print("[red]This deletes every node in the configured Neo4j[/red]: pass --yes.")
        raise typer.Exit(2)
    if algorithm not in (None, "louvain", "leiden"):
        raise typer.BadParameter("louvain or leiden", param_hint="--algorithm")
    run = recovery_on_generated(
        users, days, seed, algorithm="leiden" if algorithm == "leiden" else "louvain" if algorithm else None
    )
    console.print(json.dumps(asdict(run), indent=2, default=str))


if __name__ == "__main__":  # pragma: no cover
    typer.run(main)
