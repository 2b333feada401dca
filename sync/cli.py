"""`activity-graph sync ...`: backfill, once, follow, status."""

from __future__ import annotations

import signal
from types import FrameType

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from activity.db import reader_url
from graph.settings import get_settings
from sync.pipeline import SYNC_TABLES, WHOLE, Partition, PassReport
from sync.runner import RunReport, follow, status, sync_until_caught_up

app = typer.Typer(no_args_is_help=True)
console = Console()


def _partition(spec: str | None) -> Partition:
    if not spec:
        return WHOLE
    index, count = spec.split("/")
    return Partition(int(index), int(count))


def _tables(tables: list[str] | None) -> list[str]:
    chosen = tables or list(SYNC_TABLES)
    unknown = sorted(set(chosen) - set(SYNC_TABLES))
    if unknown:
        raise typer.BadParameter(f"unknown table(s) {unknown}; choose from {list(SYNC_TABLES)}")
    return chosen


def _summary(r: RunReport) -> None:
    console.print(
        f"{r.rows_read:,} rows read, {r.rows_applied:,} applied, {r.quarantined:,} quarantined, "
        f"{r.batches} batches, {r.conflicts} conflicts in {r.seconds:.1f}s ({r.rows_per_second:,.0f} rows/s)"
    )
    if r.reasons:
        console.print("quarantine reasons: " + ", ".join(f"{k} {v}" for k, v in r.reasons.most_common()))


def _pending(tables: list[str]) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    out: dict[str, int] = {}
    with psycopg.connect(reader_url(), autocommit=True) as pg:
        for t in tables:
            row = pg.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()
            out[t] = int(row[0]) if row else 0
    return out


@app.command("backfill")
def backfill(
    table: list[str] | None = typer.Option(None, "--table", "-t", help="Tables to sync (default: all)."),
    batch_size: int = typer.Option(0, help="Rows per batch (default: the backfill setting)."),
    partition: str | None = typer.Option(None, help="index/count: only users with user_id % count == index."),
    python_path: bool = typer.Option(False, "--python-path",
                                     help="Map every row in Python (no Postgres aggregation); same graph, slower."),
) -> None:
    """Bulk-load everything not yet synced, in large batches, with a progress bar.

    Postgres sums the rows it can prove plain per edge and user (docs/mapping.md, "Bulk backfill"); the
    others go through the Python mapping; match-only mode (`SYNC_CREATE_MISSING=false`) maps every row.
    """
    tables = _tables(table)
    size = batch_size or get_settings().sync_backfill_batch_size
    totals = _pending(tables)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task("backfill", total=sum(totals.values()), rate="")
        done = {"rows": 0}

        def tick(r: PassReport) -> None:
            done["rows"] += r.rows_read
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, advance=r.rows_read, description=f"backfill {r.table}",
                       rate=f"{done['rows'] / elapsed:,.0f} rows/s")

        report = sync_until_caught_up(tables, batch_size=size, partition=_partition(partition), progress=tick,
                                      bulk=not python_path)
    _summary(report)


@app.command("once")
def once(
    table: list[str] | None = typer.Option(None, "--table", "-t"),
    partition: str | None = typer.Option(None),
) -> None:
    """Catch every table up once, in follow-size batches, then exit."""
    _summary(sync_until_caught_up(_tables(table), partition=_partition(partition)))


@app.command("follow")
def follow_cmd(
    table: list[str] | None = typer.Option(None, "--table", "-t"),
    partition: str | None = typer.Option(None),
    poll: float = typer.Option(0.2, help="Seconds between polls when idle (NOTIFY wakes it earlier)."),
) -> None:
    """Keep the graph within a poll of Postgres until interrupted."""
    stopping = {"now": False}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    report = follow(_tables(table), poll_s=poll, partition=_partition(partition), stop=lambda: stopping["now"],
                    progress=lambda r: console.print(f"{r.cursor}: +{r.rows_applied} rows ({r.seconds*1000:.0f} ms)"))
    _summary(report)


@app.command("capture-changes")
def capture_changes() -> None:
    """Install the update/delete triggers and their log (admin role, idempotent); see sync/changes_log.py."""
    import psycopg

    from activity.db import admin_url, reader_role
    from sync.changes_log import install_change_capture

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        install_change_capture(conn, reader_role())
    console.print("change capture installed: updates and deletes of the activity tables now reach the graph")


@app.command("status")
def status_cmd() -> None:
    """Per table: cursor, lag in rows and seconds, gaps, quarantined rows; then unknown types seen."""
    rows, notes = status()
    t = Table("cursor", "last id", "max id", "lag rows", "lag s", "open gap ids", "applied", "quarantined")
    for r in rows:
        t.add_row(r.cursor, f"{r.last_id:,}", f"{r.max_id:,}", f"{r.lag_rows:,}",
                  "-" if r.lag_seconds is None else f"{r.lag_seconds:,.1f}", str(r.gaps), f"{r.rows_applied:,}",
                  f"{r.quarantined:,}")
    console.print(t)
    if notes:
        n = Table("kind", "table", "field", "value", "count")
        for note in notes:
            n.add_row(str(note["kind"]), str(note["table"]), str(note["field"]), str(note["value"]),
                      f"{note['count']:,}")
        console.print(n)
