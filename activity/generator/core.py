"""`generate`: the whole run — check, users, simulate day by day, COPY, commit, ground truth, report."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from typing import Any, Literal

import psycopg
from psycopg.conninfo import make_conninfo

from . import database
from .batch import FinishedDay, finish
from .config import DEFAULT_END, GenerationConfig
from .population import Population
from .report import GenerationProgress, GenerationReport
from .simulate import Simulator
from .sink import CopySink
from .tables import AG, TABLES

IndexMode = Literal["auto", "keep", "rebuild"]
ProgressCallback = Callable[[GenerationProgress], None]


def iter_days(config: GenerationConfig, first_ids: list[int] | None = None) -> Iterator[FinishedDay]:
    """The dataset as finished days (binary COPY tuples per table), without any database.

    `first_ids` are the first id per table (default 1 each). Same config and ids -> identical bytes.
    """
    ids = list(first_ids) if first_ids is not None else [1] * len(TABLES)
    sim = Simulator(config)
    for d in range(config.days):
        yield finish(sim.day(d), ids)


def _hooks(rebuild: database.IndexRebuild | None, merge_aggregations: bool) -> dict[str, Any]:
    """The sink's per-connection set-up and pre-commit steps: index rebuild, aggregation merge."""
    opens: list[Callable[[psycopg.Connection[Any]], None]] = []
    closes: list[Callable[[psycopg.Connection[Any]], None]] = []
    targets: dict[int, str] = {}
    if rebuild is not None:
        opens.append(rebuild.drop)
    if merge_aggregations:
        opens.append(database.stage_aggregations)
        closes.append(database.merge_aggregations)
        targets[AG] = database.AGGREGATION_STAGE
    if rebuild is not None:
        closes.append(rebuild.restore)

    def on_open(conn: psycopg.Connection[Any]) -> None:
        for fn in opens:
            fn(conn)

    def before_commit(conn: psycopg.Connection[Any]) -> None:
        for fn in closes:
            fn(conn)

    return {"on_open": on_open, "before_commit": before_commit, "targets": targets}


def _conninfo_of(conn: psycopg.Connection[Any]) -> str:
    """A conninfo string for more connections like `conn` (its dsn omits the password)."""
    password = conn.info.password
    return make_conninfo(conn.info.dsn, password=password) if password else conn.info.dsn


def generate(
    conn_or_url: psycopg.Connection[Any] | str,
    users: int,
    days: int,
    seed: int,
    *,
    end: datetime | None = None,
    progress: ProgressCallback | None = None,
    communities: int | None = None,
    in_community_share: float = 0.8,
    bad_row_share: float = 0.005,
    mean_actions_per_day: float = 12.0,
    index_mode: IndexMode = "auto",
    workers: int = 2,
) -> GenerationReport:
    """Fill the eight activity tables with deterministic, realistic activity, and write the ground truth.

    `conn_or_url`: a psycopg connection (used for the set-up and ground-truth statements, and committed)
    or a libpq URL. The rows depend only on (users, days, seed, end) and the optional model knobs;
    their ids continue after the tables' current largest id. `end` defaults to a fixed instant
    (`config.DEFAULT_END`) so reruns are identical; pass `datetime.now(timezone.utc)` for recent data.

    `index_mode`: "keep" loads with every index and constraint maintained row by row (safe next to
    other writers, but the platform's ~50 indexes and 10 foreign keys make it ~3x slower); "rebuild"
    drops indexes, keys and foreign keys inside the loading transaction and rebuilds/re-validates them
    before commit (see `database.IndexRebuild`; locks the eight tables for the run; one writer);
    "auto" (default) rebuilds when the eight tables are empty, else keeps.
    `workers`: parallel COPY connections in "keep" mode.
    """
    config = GenerationConfig(
        users=users,
        days=days,
        seed=seed,
        end=end or DEFAULT_END,
        communities=communities,
        in_community_share=in_community_share,
        bad_row_share=bad_row_share,
        mean_actions_per_day=mean_actions_per_day,
    )
    if index_mode not in ("auto", "keep", "rebuild"):
        raise ValueError("index_mode must be 'auto', 'keep' or 'rebuild'")
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    phases: dict[str, float] = {}
    with ExitStack() as stack:
        if isinstance(conn_or_url, str):
            conninfo = conn_or_url
            conn: psycopg.Connection[Any] = stack.enter_context(psycopg.connect(conn_or_url))
        else:
            conn = conn_or_url
            conninfo = _conninfo_of(conn)

        database.check_tables(conn)
        database.ensure_ground_truth_tables(conn)
        inserted = database.ensure_users(conn, config)
        first_ids = database.next_ids(conn)
        if index_mode == "auto":
            index_mode = "rebuild" if database.tables_empty(conn) else "keep"
        merge_aggregations = database.aggregation_needs_merge(conn)
        conn.commit()
        population = Population(config)
        phases["setup"] = time.perf_counter() - t0

        rebuild = database.IndexRebuild() if index_mode == "rebuild" else None
        n_workers = 1 if rebuild is not None else workers
        sink = CopySink(conninfo, workers=n_workers, **_hooks(rebuild, merge_aggregations))
        counts = [0] * len(TABLES)
        bad: list[tuple[int, int, str]] = []
        ids = list(first_ids)
        ok = False
        try:
            sim = Simulator(config, population)
            total = 0
            for d in range(config.days):
                day = finish(sim.day(d), ids)
                for t, payload in enumerate(day.payloads):
                    sink.write(t, payload)
                    counts[t] += day.counts[t]
                total += sum(day.counts)
                bad.extend(day.bad)
                if progress is not None:
                    progress(GenerationProgress(d + 1, config.days, total, time.perf_counter() - t0))
            sink.flush()
            phases["generate+copy"] = time.perf_counter() - t0 - phases["setup"]
            ok = True
        finally:
            t_commit = time.perf_counter()
            sink.close(commit=ok)
        phases["rebuild+commit" if rebuild is not None else "commit"] = time.perf_counter() - t_commit

        t_truth = time.perf_counter()
        database.sync_sequences(conn)
        database.write_planted(conn, config, population)
        database.write_bad_rows(conn, config.seed, bad)
        row_counts = {spec.name: counts[t] for t, spec in enumerate(TABLES)}
        seconds = time.perf_counter() - t0
        database.record_run(conn, config, row_counts, seconds, index_mode)
        conn.commit()
        phases["ground truth"] = time.perf_counter() - t_truth

    bad_counts = Counter(f"{TABLES[t].name}:{kind}" for t, _, kind in bad)
    return GenerationReport(
        users=config.users,
        days=config.days,
        seed=config.seed,
        end=config.end,
        communities=config.k,
        rows=row_counts,
        bad_rows=dict(sorted(bad_counts.items())),
        auth_users_inserted=inserted,
        seconds=time.perf_counter() - t0,
        index_mode=index_mode,
        workers=n_workers,
        phases=phases,
        python_cpu_seconds=time.process_time() - cpu0,
    )
