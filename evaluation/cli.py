"""The evaluation's commands: `evaluate`, `convert ciao`, `export-generated` (see docs/evaluation.md).

`app` is a typer sub-app (register it as ``activity-graph eval``); `evaluate` is also usable on its own
(``app.command("evaluate")(evaluation.cli.evaluate)``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Offline evaluation of graph_feed_score against baselines.")
convert_app = typer.Typer(no_args_is_help=True, help="Convert a public dataset to the evaluation format.")
app.add_typer(convert_app, name="convert")

console = Console()


@app.command("evaluate")
def evaluate(
    data: Path = typer.Option(..., "--data", exists=True, file_okay=False, dir_okay=True,
                              help="Directory with interactions.csv (and social.csv)."),
    users: int = typer.Option(500, "--users", help="Test users to evaluate (a seeded sample; 0 = all)."),
    holdout: int = typer.Option(1, "--holdout", help="Latest items held out per test user."),
    out: Path = typer.Option(None, "--out", help="Where evaluation.json/.md go (default: --data)."),
    seed: int = typer.Option(42, "--seed"),
    wipe_graph: bool = typer.Option(False, "--wipe-graph",
                                    help="Delete everything in the settings' Neo4j database first."),
    graph: bool = typer.Option(True, "--graph/--no-graph", help="--no-graph: the baselines only."),
    als: bool = typer.Option(True, "--als/--no-als", help="Include the ALS baseline (needs `implicit`)."),
    max_full: int = typer.Option(5000, "--max-full", help="Rank the full catalogue up to this many items."),
    sample_items: int = typer.Option(1000, "--sample-items", help="Sampled protocol: items sampled."),
    half_life_days: float = typer.Option(None, "--half-life-days",
                                         help="Decay half-life for the sync, GDS jobs and feed (default: setting)."),
    window_days: float = typer.Option(None, "--candidate-window-days",
                                      help="graph_feed_candidates look-back (default: feed setting)."),
    keep_database: bool = typer.Option(False, "--keep-db", help="Keep the scratch Postgres database."),
    request_time: str = typer.Option("end", "--request-time",
                                     help="When the graph is asked: 'end' of the training data or each user's "
                                          "'cutoff' (see docs/evaluation.md)."),
) -> None:
    """Hold out each user's latest items, load the rest into the platform's tables, sync, run the GDS jobs,
    and compare graph_feed_score with popularity, static weights, item-kNN and ALS."""
    from evaluation.baselines import AlsParams
    from evaluation.graph_run import GraphNotEmpty
    from evaluation.harness import EvalOptions, run_evaluation
    from evaluation.report import print_result, write_result

    if request_time not in ("end", "cutoff"):
        raise typer.BadParameter("--request-time must be 'end' or 'cutoff'")
    options = EvalOptions(
        holdout=holdout, users=users, seed=seed, max_full=max_full, sample_items=sample_items,
        als=AlsParams() if als else None, graph=graph, wipe_graph=wipe_graph, keep_database=keep_database,
        half_life_days=half_life_days, candidate_window_days=window_days,
        request_time="cutoff" if request_time == "cutoff" else "end",
    )
    try:
        result = run_evaluation(data, options, progress=lambda msg: console.print(f"[dim]{msg}[/dim]"))
    except GraphNotEmpty as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    print_result(result, console)
    js, md = write_result(result, out or data)
    console.print(f"wrote {js} and {md}")


@convert_app.command("ciao")
def convert_ciao_cmd(
    out: Path = typer.Option(..., "--out", help="Directory to write interactions.csv and social.csv into."),
    source: Path = typer.Option(Path("/work/shared/datasets/ciao-dvd"), "--source", exists=True, file_okay=False,
                                help="The CiaoDVD directory (movie-ratings.txt, trusts.txt)."),
    like_threshold: int = typer.Option(4, "--like-threshold", help="Ratings at or above: like; below: view."),
    reviews_as_comments: bool = typer.Option(False, "--reviews-as-comments",
                                             help="Also a comment row per rating with a review."),
    trusts: bool = typer.Option(True, "--trusts/--no-trusts", help="Trust statements as connections."),
) -> None:
    """CiaoDVD ratings and trusts -> the evaluation format (mapping: docs/evaluation.md)."""
    from evaluation.ciao import convert_ciao

    r = convert_ciao(source, out, like_threshold=like_threshold, reviews_as_comments=reviews_as_comments,
                     trusts=trusts)
    console.print(f"wrote {r.interactions} interactions and {r.social} social rows to {out} "
                  f"({r.skipped} input lines skipped)")


@app.command("export-generated")
def export_generated_cmd(
    out: Path = typer.Option(..., "--out", help="Directory to write interactions.csv and social.csv into."),
    url: str = typer.Option(None, "--url", help="Postgres URL of generated activity (default: the admin URL)."),
    users: int = typer.Option(None, "--users", help="Generate this many users into a scratch database first."),
    days: int = typer.Option(14, "--days", help="With --users: days of activity."),
    seed: int = typer.Option(7, "--seed", help="With --users: generator seed."),
) -> None:
    """Export the generator's activity tables to the evaluation format; with --users, generate them first
    into a scratch database (dropped afterwards)."""
    from activity.db import admin_url
    from evaluation.generated import export_generated
    from evaluation.load import create_scratch_database, drop_scratch_database

    if users is None:
        r = export_generated(url or admin_url(), out)
    else:
        from activity.generator import generate
        from activity.schema import init_schema

        admin = url or admin_url()
        name, scratch = create_scratch_database(admin)
        try:
            import psycopg

            with psycopg.connect(scratch, autocommit=True) as conn:
                init_schema(conn)
            console.print(f"[dim]generating {users} users x {days} days (seed {seed}) into {name}[/dim]")
            generate(scratch, users, days, seed)
            r = export_generated(scratch, out)
        finally:
            drop_scratch_database(admin, name)
    console.print(f"wrote {r.interactions} interactions and {r.social} social rows to {out}")


if __name__ == "__main__":
    app()
