"""Top-level commands: health, settings, generate, demo."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from activity_graph.health import run_checks
from graph.settings import get_settings

console = Console()


def health() -> None:
    """Prove each service is real; exit non-zero if any fails."""
    checks = run_checks()
    table = Table("service", "ok", "answer", "ms")
    for c in checks:
        table.add_row(c.service, "[green]yes[/green]" if c.ok else "[red]NO[/red]", c.detail, f"{c.seconds*1000:.0f}")
    console.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


def settings() -> None:
    """The settings in force (secrets masked)."""
    for name, value in get_settings().safe_dict().items():
        console.print(f"{name} = {value}")


def register(app: typer.Typer) -> None:
    app.command("health")(health)
    app.command("settings")(settings)
