"""`python -m activity_graph` runs the CLI."""

from activity_graph.cli import app

app()
