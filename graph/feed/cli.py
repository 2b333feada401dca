"""`activity-graph feed ...`: connection strength, a viewer's feed with each score's parts, graph candidates,
the content aggregates and the latency benchmark. Register with `app.add_typer(feed_app, name="feed")`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from graph.feed.weights import feed_weights
from graph.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Connection strength, feed scores, graph candidates, benchmark.")
console = Console()

NowOption = Annotated[
    str | None, typer.Option("--now", help="Reference time, ISO 8601 (default: now; naive means UTC).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

# the components shown in the feed table, in order, with their column headers
FEED_COLUMNS = {"base": "base", "engagement": "engage", "social": "social", "temporal": "tempo",
                "preference": "pref", "strength": "strength", "similar_users": "sim.users", "community": "commun",
                "content_similarity": "sim.content", "type_preference": "type", "popularity": "popular",
                "freshness": "fresh"}


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {value!r}", param_hint="--now") from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


@app.command("strength")
def strength_cmd(
    user: Annotated[str, typer.Argument(help="From this user (Users.user_id).")],
    other: Annotated[list[str], typer.Argument(help="To this user (or several).")],
    now: NowOption = None,
    as_json: JsonOption = False,
) -> None:
    """Connection strength from USER to OTHER: the total and every component, with the raw values."""
    from graph.feed.api import connection_strengths

    results = connection_strengths(user, other, now=parse_now(now), settings=get_settings())
    if as_json:
        console.print_json(json.dumps([{"user_id": r.user_id, "other_id": r.other_id, "total": r.total,
                                        "known": r.known, "components": r.components, "raw": r.raw}
                                       for r in results]))
        return
    weights = feed_weights().strength
    for r in results:
        t = Table("component", "value", "weight", "raw",
                  title=f"strength {r.user_id} -> {r.other_id}" + ("" if r.known else " (unknown user)"))
        raw_of = {"visits_out": "visit_out", "visits_in": "visit_in", "vibes_out": "vibe_out", "vibes_in": "vibe_in",
                  "engaged_out": "engaged_out", "engaged_in": "engaged_in", "mutual": "mutual", "similar": "similar",
                  "connection": "connected", "community": "shared_groups"}
        for name, value in r.components.items():
            raw = r.raw.get(raw_of.get(name, ""), None)
            t.add_row(name, f"{value:.4f}", f"{weights.get(name, 0.0):.2f}", "" if raw is None else f"{raw:.4g}")
        t.add_row("total", f"{r.total:.4f}", f"{sum(weights.values()):.2f}", "")
        console.print(t)


@app.command("feed")
def feed_cmd(
    user: Annotated[str, typer.Argument(help="The viewer (Users.user_id).")],
    limit: Annotated[int, typer.Option("--limit", help="Rows to show.")] = 20,
    pool: Annotated[int, typer.Option("--pool", help="Candidates: graph candidates plus the most engaged content, "
                                                     "this many in all.")] = 200,
    now: NowOption = None,
    diverse: Annotated[bool, typer.Option(help="Apply the diversity re-ranking.")] = True,
    as_json: JsonOption = False,
) -> None:
    """A viewer's top feed: graph candidates and popular content, scored in one call, with each score's parts."""
    from graph.feed.api import graph_feed_score, scored_candidates
    from graph.feed.bench import pools
    from graph.feed.diversity import diversify

    s = get_settings()
    w = feed_weights()
    at = parse_now(now)
    found = [ref for ref, _, _ in scored_candidates(user, pool // 2, now=at, settings=s, weights=w)]
    _, popular = pools(s, w, 1, pool)
    cands = list(dict.fromkeys(found + popular))[:pool]
    # a generous deadline: the first call may have to plan the query
    scores = graph_feed_score(user, cands, now=at, settings=s, weights=w, deadline_ms=60_000)
    ranked = sorted(scores, key=lambda x: -x.score)
    if diverse:
        ranked = diversify(ranked, lambda x: x.kind, default_share=w.diversity_default_share,
                           tolerance=w.diversity_tolerance)
    top = ranked[:limit]
    if as_json:
        console.print_json(json.dumps([{"content_type": x.content_type, "content_id": x.content_id, "score": x.score,
                                        "kind": x.kind, "components": x.components, "reason": x.reason}
                                       for x in top]))
        return
    graph_set = set(found)
    t = Table("#", "content", "kind", "from", "score", *FEED_COLUMNS.values(),
              title=f"feed of user {user}: top {len(top)} of {len(cands)} candidates")
    for n, x in enumerate(top, 1):
        t.add_row(str(n), f"{x.content_type}:{x.content_id[:8]}", x.kind or "", "graph" if
                  (x.content_type, x.content_id) in graph_set else "pool", f"{x.score:.3f}",
                  *(f"{x.components.get(c, 0.0):.2f}" for c in FEED_COLUMNS))
    Console(width=max(console.width, 180)).print(t)
    if top and top[0].reason:
        console.print(f"[yellow]neutral scores: {top[0].reason}[/yellow]")
    elif top:
        side = "its snapshot" if top[0].components.get("snapshot") == 1.0 else "the live query (no fresh snapshot)"
        console.print(f"the viewer's side (ties, similar users, content neighbours) came from {side}")


@app.command("candidates")
def candidates_cmd(
    user: Annotated[str, typer.Argument(help="The viewer (Users.user_id).")],
    limit: Annotated[int, typer.Option("--limit")] = 20,
    now: NowOption = None,
    as_json: JsonOption = False,
) -> None:
    """Graph candidates for a viewer: what similar users, communities and strong ties engaged with, and
    neighbours of what the viewer engaged with; with each source's share."""
    from graph.feed.api import scored_candidates

    rows = scored_candidates(user, limit, now=parse_now(now), settings=get_settings())
    if as_json:
        console.print_json(json.dumps([{"content_type": r[0][0], "content_id": r[0][1], "score": r[1],
                                        "sources": r[2]} for r in rows]))
        return
    t = Table("#", "content", "score", "similar_users", "ties", "community", "content",
              title=f"graph candidates for user {user}")
    for n, (ref, score, parts) in enumerate(rows, 1):
        t.add_row(str(n), f"{ref[0]}:{ref[1]}", f"{score:.3f}",
                  *(f"{parts.get(src, 0.0):.2f}" for src in ("similar_users", "ties", "community", "content")))
    console.print(t)


@app.command("aggregate")
def aggregate_cmd(now: NowOption = None) -> None:
    """Refresh the content aggregates graph_feed_score reads instead of sampling engagers (run every few minutes)."""
    from graph.feed.aggregates import refresh_content_aggregates

    n = refresh_content_aggregates(now=parse_now(now), settings=get_settings())
    console.print(f"content aggregates refreshed on {n:,} nodes")


@app.command("snapshot")
def snapshot_cmd(
    viewers: Annotated[list[str] | None, typer.Argument(help="User keys (default: the recently active users).")] = None,
    active_days: Annotated[float, typer.Option("--active-days", help="Active in the last N days.")] = 7.0,
    now: NowOption = None,
) -> None:
    """Refresh the viewer snapshots graph_feed_score reads for the viewer's side (run every few minutes)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from graph.feed.viewers import refresh_viewer_snapshots

    with Progress(TextColumn("viewer snapshots"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task("snapshots", total=None)
        report = refresh_viewer_snapshots(viewers or None, active_days=active_days, now=parse_now(now),
                                          settings=get_settings(),
                                          progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"{report['written']:,} viewer snapshots in {report['seconds']:.1f} s "
                  f"({report['viewers_per_s']:.1f} viewers/s); {report['pruned']:,} stale ones pruned")


@app.command("bench-graph")
def bench_graph_cmd(
    users: Annotated[int, typer.Option("--users", help="Users in the graph (posts: 2 per user).")] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 11,
    now: NowOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this empties the database first.")] = False,
) -> None:
    """Write a feed-shaped graph of USERS users straight into Neo4j for `feed bench` (EMPTIES THE DATABASE)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    from graph.feed.bench_graph import build_bench_graph

    if not yes:
        raise typer.BadParameter("this empties the database: pass --yes", param_hint="--yes")
    at = parse_now(now) or datetime.now(timezone.utc)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def step(part: str, done: int, total: int) -> None:
            if part not in tasks:
                tasks[part] = bar.add_task(part, total=total)
            bar.update(tasks[part], completed=done, total=total)

        counts = build_bench_graph(users, now=at, seed=seed, settings=get_settings(), progress=step)
    console.print_json(json.dumps(counts))


@app.command("bench")
def bench_cmd(
    candidates: Annotated[int, typer.Option("--candidates")] = 500,
    viewers: Annotated[int, typer.Option("--viewers")] = 20,
    rounds: Annotated[int, typer.Option("--rounds", help="Batched calls.")] = 50,
    per_candidate_rounds: Annotated[int, typer.Option("--per-candidate-rounds")] = 2,
    concurrency: Annotated[int, typer.Option("--concurrency")] = 32,
    calls_per_caller: Annotated[int, typer.Option("--calls-per-caller")] = 10,
    refresh: Annotated[bool, typer.Option("--refresh/--no-refresh",
                                          help="Refresh aggregates and the viewers' snapshots first.")] = True,
    now: NowOption = None,
    as_json: JsonOption = False,
) -> None:
    """Latency of graph_feed_score on the loaded graph: batched vs one query per candidate, then concurrency."""
    from graph.feed.bench import run_benchmark

    report = run_benchmark(candidates=candidates, viewers=viewers, rounds=rounds,
                           per_candidate_rounds=per_candidate_rounds, concurrency=concurrency,
                           calls_per_caller=calls_per_caller, now=parse_now(now), refresh=refresh,
                           settings=get_settings(), progress=lambda m: console.print(f"[dim]{m}[/dim]"))
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
        return
    console.print(f"graph: {', '.join(f'{k} {v:,}' for k, v in report.graph.items())}; "
                  f"{report.viewers} viewers, {report.candidates} candidates per call")
    t = Table("measure", "calls", "p50 ms", "p99 ms", "mean ms", "max ms")
    for name, lat in (("batched (1 query), snapshots, caches warm", report.batched),
                      ("batched (1 query), snapshots, caches off", report.batched_uncached),
                      ("batched (1 query), live (snapshots off)", report.batched_live),
                      (f"per candidate ({report.candidates} queries)", report.per_candidate),
                      ("  one of those queries", report.per_candidate_query),
                      (f"{report.concurrency} concurrent callers", report.concurrent)):
        t.add_row(name, str(lat.n), f"{lat.p50:.1f}", f"{lat.p99:.1f}", f"{lat.mean:.1f}", f"{lat.max:.1f}")
    console.print(t)
    console.print(f"per-candidate / batched (p50): {report.ratio_p50:.1f}x caches warm, "
                  f"{report.ratio_uncached_p50:.1f}x caches off; live / snapshot, caches off (p50): "
                  f"{report.batched_live.p50 / report.batched_uncached.p50 if report.batched_uncached.p50 else 0:.1f}x")
    r = report.refresh
    if "cache_warm_up_s" in r:
        console.print(f"process caches warmed in {r['cache_warm_up_s']:.1f} s")
    if "aggregated_items" in r:
        console.print(f"refreshed: aggregates on {r['aggregated_items']:,.0f} items in {r['aggregates_s']:.1f} s; "
                      f"{r['snapshots']:,.0f} viewer snapshots in {r['snapshots_s']:.1f} s "
                      f"({r['snapshots_per_s']:.1f} viewers/s)")
    console.print(f"concurrent: {report.concurrent_errors} errors, {report.concurrent_neutral} neutral results, "
                  f"{report.concurrent_default_deadline_misses} calls over the default deadline "
                  f"({report.deadline_ms:.0f} ms)")
    for note in report.notes:
        console.print(f"note: {note}")
