"""`activity-graph`: one CLI, a subcommand per job."""

from __future__ import annotations

import typer

from activity_graph.cli import db_commands, demo_commands, graph_commands, ops_commands
from algorithms.cli import app as algorithms_app
from analytics.cli import ab_app
from analytics.cli import app as analytics_app
from graph.feed.cli import app as feed_app
from graph.feed.cli import strength_cmd
from sync.cli import app as sync_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(db_commands.app, name="db", help="The Postgres activity schema.")
app.add_typer(graph_commands.app, name="graph", help="The Neo4j schema and graph counts.")
app.add_typer(sync_app, name="sync", help="Mirror the activity tables into the graph.")
bench = typer.Typer(no_args_is_help=True, help="Benchmarks (commands, not tests).")
app.add_typer(bench, name="bench")
app.add_typer(algorithms_app, name="algorithms", help="Graph Data Science jobs and their runs.")
app.add_typer(analytics_app, name="analytics", help="Aggregation, quality, patterns, profiles, feed metrics.")
app.add_typer(ab_app, name="ab", help="A/B experiments: assignment and reports.")
app.add_typer(feed_app, name="feed", help="Feed scores, connection strength, graph candidates, latency bench.")
app.command("strength", help="Strength of the tie from user A to user B, with every component.")(strength_cmd)
ops_commands.register(app)
demo_commands.register(app, bench)


def _register_optional() -> None:
    """Commands whose libraries come from extras (GDS workers, evaluation): listed only when installed."""
    try:
        from algorithms.bench import bench_similarity_cmd
        from evaluation.cli import app as evaluation_app
        from evaluation.cli import evaluate as evaluate_cmd
    except ImportError:  # pragma: no cover - the platform-pins install has neither extra
        return
    bench.command("similarity", help="User similarity: GDS vs the SQL self-join vs plain Python.")(bench_similarity_cmd)
    app.command("evaluate", help="Offline evaluation of graph_feed_score against baselines.")(evaluate_cmd)
    app.add_typer(evaluation_app, name="eval", help="Evaluation datasets: convert CiaoDVD, export generated data.")


_register_optional()
