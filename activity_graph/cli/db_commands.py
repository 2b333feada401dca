"""`activity-graph db ...`: create or check the Postgres activity schema."""

from __future__ import annotations

import typer
from rich.console import Console

from activity import db
from activity.schema import SchemaMismatch, check_schema, init_schema

app = typer.Typer(no_args_is_help=True)
console = Console()


@app.command("init")
def init(
    extra_indexes: bool = typer.Option(True, help="Also create the indexes the sync and analytics use."),
    capture_changes: bool = typer.Option(
        True, help="Install the triggers that log updates and deletes for the sync (sync/changes_log.py)."),
) -> None:
    """Create the eight activity tables where absent; check the columns of those that exist."""
    from sync.changes_log import install_change_capture

    with db.connect() as conn:
        try:
            report = init_schema(conn, extra_indexes=extra_indexes, reader_role=db.reader_role())
        except SchemaMismatch as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        if capture_changes:
            install_change_capture(conn, db.reader_role())
            console.print("change capture: update/delete triggers installed")
    console.print(f"created: {', '.join(report.created) or 'nothing'}")
    console.print(f"already there (checked): {', '.join(report.existing) or 'nothing'}")


@app.command("check")
def check() -> None:
    """Check, without changing anything, that every column the layer reads is there and readable."""
    with db.connect() as conn:
        problems = check_schema(conn)
    for p in problems:
        console.print(f"[red]{p}[/red]")
    if problems:
        raise typer.Exit(1)
    console.print("schema ok")
