"""`generate`, `demo` and `bench generate`: generated activity end to end."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import psycopg
import typer
from psycopg import sql
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from activity import db
from activity.generator import GenerationProgress, GenerationReport, generate
from activity.schema import init_schema
from activity_graph.platform_seed import seed_platform_nodes
from activity_graph.tracked_activity import TrackedReport, feed_through_tracker
from graph.schema import graph_counts, init_graph_schema
from graph.settings import get_settings

console = Console()


def _generate_with_bar(url: str, users: int, days: int, seed: int, end: datetime | None) -> GenerationReport:
    with Progress(TextColumn("generate"), BarColumn(), TextColumn("day {task.completed}/{task.total}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task("generate", total=days, rate="")

        def tick(p: GenerationProgress) -> None:
            bar.update(task, completed=p.day, rate=f"{p.rows:,} rows, {p.rows_per_second:,.0f} rows/s")

        return generate(url, users=users, days=days, seed=seed, end=end, progress=tick)


def generate_cmd(
    users: int = typer.Option(1000, "--users", help="Users to simulate."),
    days: int = typer.Option(14, "--days", help="Days of activity, ending at --end."),
    seed: int = typer.Option(7, "--seed"),
    end: datetime = typer.Option(None, "--end", help="Last instant of generated time (default: fixed date)."),
    seed_graph: bool = typer.Option(True, help="Also MERGE the platform's Users/Community nodes into Neo4j."),
) -> None:
    """Fill all eight activity tables with deterministic, realistic activity (COPY), plus ground truth."""
    s = get_settings()
    with db.connect(autocommit=True) as conn:
        init_schema(conn, reader_role=db.reader_role(s))
    report = _generate_with_bar(db.admin_url(s), users, days, seed, end)
    console.print(report.summary())
    if seed_graph:
        init_graph_schema(s)
        n = seed_platform_nodes(users, seed, s)
        console.print(f"graph: {n:,} platform Users/Community nodes merged")


def bench_generate(
    users: int = typer.Option(10000, "--users"),
    days: int = typer.Option(30, "--days"),
    seed: int = typer.Option(7, "--seed"),
) -> None:
    """Rows/s of the generator into a scratch database (dropped afterwards)."""
    admin = db.admin_url()
    name = f"ag_bench_{int(time.time())}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            init_schema(conn)
        report = _generate_with_bar(url, users, days, seed, None)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    t = Table("users", "days", "rows", "bad rows", "seconds", "rows/s")
    t.add_row(f"{users:,}", str(days), f"{report.total_rows:,}", f"{report.total_bad_rows:,}",
              f"{report.seconds:.2f}", f"{report.rows_per_second:,.0f}")
    console.print(t)
    for phase, secs in report.phases.items():
        console.print(f"  {phase}: {secs:.2f}s")


def _track_with_bar(url: str, users: int, days: int, seed: int, end: datetime | None) -> TrackedReport:
    with Progress(TextColumn("track"), BarColumn(), TextColumn("day {task.completed}/{task.total}"),
                  TextColumn("{task.fields[events]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task("track", total=days, events="")

        def tick(day: int, total: int, events: int) -> None:
            bar.update(task, completed=day, events=f"{events:,} track_* calls")

        return feed_through_tracker(url, users, days, seed, end=end, progress=tick)


def demo(
    users: int = typer.Option(2000, "--users"),
    days: int = typer.Option(14, "--days"),
    seed: int = typer.Option(7, "--seed"),
    direct: bool = typer.Option(
        False, "--direct", help="Write the generated activity straight into the tables (binary COPY, indexes "
        "rebuilt) instead of sending it through the tracker's track_* calls."
    ),
) -> None:
    """The main job on generated activity: schemas, activity through the tracker, sync, GDS jobs, a viewer's
    feed — event, table, graph, feed score in one command."""
    from sync.cli import backfill

    s = get_settings()
    console.rule("1. schemas")
    from sync.changes_log import install_change_capture

    with db.connect(autocommit=True) as conn:
        report = init_schema(conn, reader_role=db.reader_role(s))
        install_change_capture(conn, db.reader_role(s))
        already = conn.execute("SELECT count(*) FROM content_interaction").fetchone()
    console.print(f"postgres: created {len(report.created)} tables, {len(report.existing)} already there")
    for line in init_graph_schema(s):
        console.print(f"neo4j: {line}")
    console.rule("2. generated activity" + (" (direct COPY)" if direct else " through the tracker (track_* calls)"))
    if already and already[0]:
        console.print(f"activity tables already hold rows ({already[0]:,} content interactions): not generating again")
    else:
        # Activity ending today, so decayed weights and freshness read as a live platform's would.
        today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        if direct:
            gen = _generate_with_bar(db.admin_url(s), users, days, seed, today)
            console.print(gen.summary())
        else:
            tracked = _track_with_bar(db.admin_url(s), users, days, seed, today)
            console.print(tracked.summary())
    seed_platform_nodes(users, seed, s)
    console.rule("3. sync: Postgres rows -> Neo4j relationships")
    backfill(table=None, batch_size=0, partition=None)
    console.rule("4. Graph Data Science: similarity, embeddings, communities, influence")
    from algorithms.cli import run as run_algorithms

    try:
        run_algorithms("all", None, False)
    except typer.Exit:
        console.print("[red]a GDS job failed (see above); the demo goes on with the results it has[/red]")
    _community_recovery()
    console.rule("5. analytics: a behaviour profile and an A/B report")
    from analytics.demo import demo_report

    demo_report(console)
    console.rule("6. what is where")
    _where(s)
    console.rule("7. a viewer's feed: graph_feed_score with every component")
    from graph.feed.cli import aggregate_cmd, feed_cmd, snapshot_cmd, strength_cmd

    aggregate_cmd(None)
    snapshot_cmd(["1"], 7.0, None)  # the viewer's side, computed ahead (Celery beat does it for active viewers)
    feed_cmd("1", 15, 200, None, True, False)
    strength_cmd("1", ["2", "3"], None, False)


def _community_recovery() -> None:
    """How well the detected communities recover the generator's planted ones."""
    from algorithms.readers import community_recovery

    with db.connect(autocommit=True) as conn:
        rows = conn.execute("SELECT user_id::text, community::text FROM activity_graph_planted_community").fetchall()
    planted = {str(u): int(str(c)) for u, c in rows}
    if planted:
        console.print(f"community recovery vs planted: {community_recovery(planted)}")


def _where(s: object) -> None:
    with db.connect(autocommit=True) as conn:
        t = Table("postgres table", "rows")
        names = [str(r[0]) for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY 1"
        ).fetchall()]
        for name in names:
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()
            t.add_row(name, f"{int(row[0]) if row else 0:,}")  # type: ignore[call-overload]
    console.print(t)
    g = Table("neo4j", "name", "count")
    for kind, name, n in graph_counts():
        g.add_row(kind, name, f"{n:,}")
    console.print(g)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    app.command("generate")(generate_cmd)
    app.command("demo")(demo)
    bench.command("generate")(bench_generate)
