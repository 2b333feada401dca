"""`activity-graph graph ...`: the Neo4j constraints and indexes, and what the graph holds."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from graph.schema import graph_counts, init_graph_schema

app = typer.Typer(no_args_is_help=True)
console = Console()


@app.command("init")
def init() -> None:
    """Create the constraints and indexes the layer relies on (idempotent)."""
    report = init_graph_schema()
    for line in report:
        console.print(line)


@app.command("counts")
def counts() -> None:
    """Nodes by label and relationships by type."""
    table = Table("kind", "name", "count")
    for kind, name, n in graph_counts():
        table.add_row(kind, name, f"{n:,}")
    console.print(table)
