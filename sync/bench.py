"""The sync benchmark (a command, not a test): backfill throughput, the naive writer, follow-mode freshness.

``bench_sync(users, days, seed)`` generates activity into a scratch Postgres database, puts the platform's
Users/Community nodes in the graph, then measures in one run:

1. backfill, fast path (``bulk``: Postgres sums the plain rows per edge and user, ``sync.bulk_sql``; the
   rest goes through the Python mapping): every table synced from scratch in large batches, source rows/s
   end to end (Postgres read and aggregation, mapping, Neo4j write and commit), with the time split into
   read / map / write;
2. the same backfill through the Python path (every row read, mapped and aggregated in Python), on the
   same data and a wiped graph, for comparison;
3. the naive writer (``sync.naive``: one MERGE transaction per row) on a sample of the same rows, rows/s,
   and both backfills' speed-up over it;
4. follow mode: one thread inserts rows at a steady rate, one committed transaction each (as the
   platform does), while ``sync.runner.follow`` runs; a row is visible when the batch that applied it has
   committed in Neo4j (its table cursor covers its id). Latency = visible - committed, p50/p99.

It wipes the configured Neo4j database: point it at a scratch server (NEO4J_URI). Run:
``python -m sync.bench --users 2000 --days 14``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import SecretStr
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from activity.generator import generate
from activity.schema import init_schema
from activity_graph.platform_seed import seed_platform_nodes
from graph.connection import get_driver
from graph.schema import init_graph_schema
from graph.settings import Settings, get_settings
from sync.changes_log import install_change_capture
from sync.naive import drop_naive, naive_sample
from sync.pipeline import SYNC_TABLES, Partition, PassReport, load_cursor
from sync.runner import RunReport, follow, sync_until_caught_up

__all__ = ["SyncBenchReport", "backfill", "bench_sync", "follow_latency", "main"]

EDGE_TABLES = ("content_interaction", "social_interaction", "profile_activity", "media_interaction")


@dataclass
class SyncBenchReport:
    """One benchmark run's figures."""

    users: int
    days: int
    seed: int
    source_rows: int = 0
    generate_seconds: float = 0.0
    batch_size: int = 0
    partitions: int = 1
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)  # at the start (1, 5, 15 min)
    load_average_end: tuple[float, float, float] = (0.0, 0.0, 0.0)
    backfill_seconds: float = 0.0
    backfill_rows_per_s: float = 0.0
    backfill_read_s: float = 0.0
    backfill_map_s: float = 0.0
    backfill_write_s: float = 0.0
    batches: int = 0
    edge_writes: int = 0
    quarantined: int = 0
    bulk_rows: int = 0  # rows Postgres summed (the rest went through the Python mapping)
    python_seconds: float = 0.0
    python_rows_per_s: float = 0.0
    python_read_s: float = 0.0
    python_map_s: float = 0.0
    python_write_s: float = 0.0
    speedup_vs_python: float = 0.0
    python_speedup_vs_naive: float = 0.0
    naive_rows: int = 0
    naive_writes: int = 0
    naive_seconds: float = 0.0
    naive_rows_per_s: float = 0.0
    speedup_vs_naive: float = 0.0
    follow_rate_per_s: float = 0.0
    follow_rows: int = 0
    latency_p50_ms: float = 0.0
    latency_p99_ms: float = 0.0
    latency_max_ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        la, lb = self.load_average, self.load_average_end
        return [
            f"data: {self.users} users x {self.days} days (seed {self.seed}): {self.source_rows:,} source rows"
            f" (generated in {self.generate_seconds:.1f}s); load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}"
            f" at the start, {lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f} at the end ({os.cpu_count()} CPUs)",
            f"backfill, fast path: {self.source_rows:,} rows in {self.backfill_seconds:.1f}s ="
            f" {self.backfill_rows_per_s:,.0f} rows/s"
            f" ({self.bulk_rows:,} rows summed by Postgres, the rest mapped in Python; {self.batches} batches of"
            f" <= {self.batch_size:,}, {self.partitions} partition(s), {self.quarantined:,} quarantined,"
            f" {self.edge_writes:,} weighted-edge writes = {self.source_rows / max(1, self.edge_writes):.1f} rows"
            f" each); time in Postgres read+aggregation {self.backfill_read_s:.1f}s, Python mapping+aggregation"
            f" {self.backfill_map_s:.1f}s, Neo4j write+commit {self.backfill_write_s:.1f}s (read-ahead overlaps"
            " the write with the rest)",
            "  limits: batches prepared (read+aggregate+map) at"
            f" {self._rate(self.backfill_read_s + self.backfill_map_s)}"
            f" rows/s; Neo4j wrote at {self._rate(self.backfill_write_s)} rows/s"
            f" ({self.edge_writes / max(1e-9, self.backfill_write_s):,.0f} weighted-edge writes/s)",
            *([] if not self.python_seconds else [
                f"backfill, Python path: {self.python_seconds:.1f}s = {self.python_rows_per_s:,.0f} rows/s (read"
                f" {self.python_read_s:.1f}s, mapping+aggregation {self.python_map_s:.1f}s, Neo4j write+commit"
                f" {self.python_write_s:.1f}s); the fast path is {self.speedup_vs_python:.1f}x faster; batches"
                f" prepared at {self._rate(self.python_read_s + self.python_map_s)} rows/s"]),
            f"naive (one MERGE transaction per row): {self.naive_rows:,} rows ({self.naive_writes:,} writes) in "
            f"{self.naive_seconds:.1f}s = {self.naive_rows_per_s:,.0f} rows/s; the fast path is "
            f"{self.speedup_vs_naive:,.0f}x faster, the Python path {self.python_speedup_vs_naive:,.0f}x",
            f"follow: {self.follow_rows:,} rows at {self.follow_rate_per_s:g} rows/s, commit->visible "
            f"p50 {self.latency_p50_ms:.0f} ms, p99 {self.latency_p99_ms:.0f} ms, max {self.latency_max_ms:.0f} ms",
            *self.notes,
        ]

    def _rate(self, seconds: float) -> str:
        return f"{self.source_rows / seconds:,.0f}" if seconds > 0 else "-"

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _scratch(settings: Settings, name: str) -> Settings:
    admin = settings.database_url.get_secret_value()
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = admin.rsplit("/", 1)[0] + "/" + name
    return settings.model_copy(update={"database_url": SecretStr(url), "sync_database_url": SecretStr(url)})


def _wipe_graph(settings: Settings) -> None:
    with get_driver(settings).session(database=settings.neo4j_database) as session:
        # Relationships first, in bounded transactions (a user node can carry thousands).
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def _backfill_partition(settings: Settings, batch_size: int, index: int, count: int, read_ahead: bool,
                        bulk: bool) -> RunReport:
    return sync_until_caught_up(settings=settings, batch_size=batch_size, partition=Partition(index, count),
                                read_ahead=read_ahead, bulk=bulk)


def _with_progress(label: str, total: int, run: Callable[[Callable[[PassReport], None]], RunReport]) -> RunReport:
    """`run(progress)` under a progress bar (rows, rows/s, ETA) on stderr."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=total, rate="")

        def tick(r: PassReport) -> None:
            elapsed = bar.tasks[0].elapsed or 1e-9
            done = bar.tasks[0].completed + r.rows_read
            bar.update(task, advance=r.rows_read, description=f"{label} {r.table}",
                       rate=f"{done / elapsed:,.0f} rows/s")

        return run(tick)


def _fresh_graph(settings: Settings, users: int, seed: int) -> None:
    """An empty graph with the platform's nodes, and an empty quarantine: a backfill from scratch."""
    _wipe_graph(settings)
    with psycopg.connect(settings.database_url.get_secret_value(), autocommit=True) as c:
        c.execute("TRUNCATE activity_graph_quarantine")
    init_graph_schema(settings)
    seed_platform_nodes(users, seed, settings)


def backfill(settings: Settings, batch_size: int, partitions: int = 1, *, read_ahead: bool = True,
             bulk: bool = True, progress_total: int = 0) -> RunReport:
    """Every table from scratch; with partitions > 1, one worker process per partition (as Celery would).

    `bulk`: the fast path (Postgres sums the plain rows). `progress_total` > 0: a progress bar (one process).
    """
    if partitions <= 1:
        def run(progress: Callable[[PassReport], None] | None) -> RunReport:
            return sync_until_caught_up(settings=settings, batch_size=batch_size, read_ahead=read_ahead, bulk=bulk,
                                        progress=progress)

        if progress_total:
            return _with_progress("fast backfill" if bulk else "python backfill", progress_total, run)
        return run(None)
    started = time.perf_counter()
    with ProcessPoolExecutor(partitions, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_backfill_partition, settings, batch_size, i, partitions, read_ahead, bulk)
                   for i in range(partitions)]
        reports = [f.result() for f in futures]
    total = RunReport()
    for r in reports:
        for k in ("rows_applied", "quarantined", "batches", "conflicts", "read_seconds", "prepare_seconds",
                  "write_seconds", "edges", "bulk_rows"):
            setattr(total, k, getattr(total, k) + getattr(r, k))
        total.rows_read = max(total.rows_read, r.rows_read)  # each partition reads every row
    total.seconds = time.perf_counter() - started
    return total


def follow_latency(settings: Settings, rate: float, seconds: float, *, users: int, poll_s: float = 0.2,
                   warmup_s: float = 1.0) -> list[float]:
    """Commit->visible latencies (seconds) of rows inserted at `rate` rows/s while `follow` runs."""
    table = "content_interaction"
    committed: dict[int, float] = {}
    visible: dict[int, float] = {}
    lock = threading.Lock()
    stop_follow = threading.Event()
    driver = get_driver(settings)

    def on_batch(r: PassReport) -> None:
        if r.table != table or r.conflict:
            return
        now = time.perf_counter()
        with driver.session(database=settings.neo4j_database) as session:
            cur = load_cursor(session, r.cursor)
        with lock:
            for i in [i for i in committed if i not in visible]:
                if i <= cur.last_id and not any(i in g for g in cur.gaps):
                    visible[i] = now

    follower = threading.Thread(target=follow, kwargs={
        "settings": settings, "poll_s": poll_s, "stop": stop_follow.is_set, "progress": on_batch})
    follower.start()
    try:
        posts = [uuid.UUID(int=i + 1).hex for i in range(200)]
        with psycopg.connect(settings.database_url.get_secret_value(), autocommit=True) as c:
            t0 = time.perf_counter()
            n = 0
            while time.perf_counter() - t0 < seconds:
                due = t0 + n / rate
                time.sleep(max(0.0, due - time.perf_counter()))
                at = datetime.now(timezone.utc)
                row = c.execute(
                    "INSERT INTO content_interaction (uid, created_at, updated_at, timestamp, metadata, content_type,"
                    " content_id, interaction_type, user_id) VALUES (gen_random_uuid(), %s, %s, %s, %s, 'post', %s,"
                    " 'like', %s) RETURNING id", (at, at, at, Jsonb({}), posts[n % len(posts)], 1 + n % users),
                ).fetchone()
                assert row is not None
                with lock:
                    committed[int(row[0])] = time.perf_counter()  # autocommit: committed on return
                n += 1
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            with lock:
                if len(visible) == len(committed):
                    break
            time.sleep(0.05)
    finally:
        stop_follow.set()
        follower.join()
    start = min(committed.values(), default=0.0) + warmup_s
    return [visible[i] - t for i, t in committed.items() if i in visible and t >= start] + \
        [float("inf") for i, t in committed.items() if i not in visible and t >= start]


def _percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def bench_sync(
    users: int,
    days: int,
    seed: int,
    *,
    batch_size: int | None = None,
    partitions: int = 1,
    naive_per_table: int = 500,
    follow_rate: float = 50.0,
    follow_seconds: float = 15.0,
    settings: Settings | None = None,
    keep_database: bool = False,
    read_ahead: bool = True,
    python_path: bool = True,
    progress: bool = True,
) -> SyncBenchReport:
    """Generate, backfill, time the naive writer, measure follow freshness; see the module docstring."""
    base = settings or get_settings()
    name = f"ag_syncbench_{uuid.uuid4().hex[:8]}"
    s = _scratch(base, name)
    size = batch_size or s.sync_backfill_batch_size
    out = SyncBenchReport(users, days, seed, batch_size=size, partitions=partitions, load_average=os.getloadavg())
    try:
        with psycopg.connect(s.database_url.get_secret_value(), autocommit=True) as c:
            init_schema(c)
        started = time.perf_counter()
        generated = generate(s.database_url.get_secret_value(), users, days, seed)
        out.generate_seconds = time.perf_counter() - started
        out.source_rows = sum(n for t, n in generated.rows.items() if t in SYNC_TABLES)
        with psycopg.connect(s.database_url.get_secret_value(), autocommit=True) as c:
            install_change_capture(c)  # the production set-up: NOTIFY wakes follow, updates are captured
        total = out.source_rows if progress else 0
        if python_path:  # first, so that the graph the follow phase extends is the fast path's
            _fresh_graph(s, users, seed)
            p = backfill(s, size, partitions, read_ahead=read_ahead, bulk=False, progress_total=total)
            out.python_seconds = p.seconds
            out.python_rows_per_s = out.source_rows / p.seconds if p.seconds else 0.0
            out.python_read_s, out.python_write_s = p.read_seconds, p.write_seconds
            out.python_map_s = p.prepare_seconds - p.read_seconds
            if p.rows_read != out.source_rows:
                out.notes.append(f"warning: the Python backfill read {p.rows_read:,} rows of {out.source_rows:,}")

        _fresh_graph(s, users, seed)
        r = backfill(s, size, partitions, read_ahead=read_ahead, bulk=True, progress_total=total)
        out.backfill_seconds = r.seconds
        out.backfill_rows_per_s = out.source_rows / r.seconds if r.seconds else 0.0
        out.backfill_read_s, out.backfill_write_s = r.read_seconds, r.write_seconds
        out.backfill_map_s = r.prepare_seconds - r.read_seconds
        out.batches, out.quarantined, out.edge_writes = r.batches, r.quarantined, r.edges
        out.bulk_rows = r.bulk_rows
        if r.rows_read != out.source_rows:
            out.notes.append(f"warning: backfill read {r.rows_read:,} rows of {out.source_rows:,}")
        if out.python_rows_per_s:
            out.speedup_vs_python = out.backfill_rows_per_s / out.python_rows_per_s

        naive = naive_sample(EDGE_TABLES, naive_per_table, settings=s)
        drop_naive(s)
        out.naive_rows, out.naive_writes, out.naive_seconds = naive.rows, naive.writes, naive.seconds
        out.naive_rows_per_s = naive.rows_per_second
        out.speedup_vs_naive = out.backfill_rows_per_s / naive.rows_per_second if naive.rows_per_second else 0.0
        if naive.rows_per_second:
            out.python_speedup_vs_naive = out.python_rows_per_s / naive.rows_per_second

        lat = follow_latency(s, follow_rate, follow_seconds, users=users)
        out.follow_rate_per_s, out.follow_rows = follow_rate, len(lat)
        finite = [x for x in lat if x != float("inf")]
        if len(finite) < len(lat):
            out.notes.append(f"warning: {len(lat) - len(finite)} rows never became visible")
        out.latency_p50_ms = 1000 * _percentile(lat, 0.50)
        out.latency_p99_ms = 1000 * _percentile(lat, 0.99)
        out.latency_max_ms = 1000 * max(lat, default=float("nan"))
        if statistics.fmean(finite or [0.0]) > 1.0:
            out.notes.append("follow could not keep up with the insert rate")
        out.load_average_end = os.getloadavg()
    finally:
        if not keep_database:
            with psycopg.connect(base.database_url.get_secret_value(), autocommit=True) as c:
                c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--users", type=int, default=2000)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=0)
    p.add_argument("--partitions", type=int, default=1)
    p.add_argument("--naive-per-table", type=int, default=500)
    p.add_argument("--follow-rate", type=float, default=50.0)
    p.add_argument("--follow-seconds", type=float, default=15.0)
    p.add_argument("--no-read-ahead", action="store_true", help="backfill one batch at a time")
    p.add_argument("--no-python-path", action="store_true", help="skip the Python-path backfill")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    a = p.parse_args(argv)
    report = bench_sync(a.users, a.days, a.seed, batch_size=a.batch_size or None, partitions=a.partitions,
                        naive_per_table=a.naive_per_table, follow_rate=a.follow_rate,
                        follow_seconds=a.follow_seconds, read_ahead=not a.no_read_ahead,
                        python_path=not a.no_python_path, progress=not a.no_progress)
    print(report)
    print(asdict(report))


if __name__ == "__main__":
    main()

