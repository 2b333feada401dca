"""`activity-graph`: one CLI, a subcommand per job."""

from __future__ import annotations

import typer

from activity_graph.cli import db_commands, graph_commands, ops_commands
from sync.cli import app as sync_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(db_commands.app, name="db", help="The Postgres activity schema.")
app.add_typer(graph_commands.app, name="graph", help="The Neo4j schema and graph counts.")
app.add_typer(sync_app, name="sync", help="Mirror the activity tables into the graph.")
ops_commands.register(app)
