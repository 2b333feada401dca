"""`activity-graph analytics ...` (aggregate, profile, patterns, quality, performance) and `activity-graph ab ...`
(report, assign, list): two typer apps, `app` and `ab_app`, registered by the main CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from analytics.errors import AnalyticsError, InvalidPeriod

app = typer.Typer(no_args_is_help=True, help="The write-up's analytics over the activity tables.")
ab_app = typer.Typer(no_args_is_help=True, help="A/B experiments on the feed: assignment and reports.")
console = Console()
DATE = ["%Y-%m-%d"]
T = TypeVar("T")


@contextmanager
def _errors() -> Iterator[None]:
    """Bad input (dates, users, experiments) as one red line and exit code 2, not a traceback."""
    try:
        yield
    except AnalyticsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _range(day: datetime | None, start: datetime | None, end: datetime | None) -> tuple[date, date]:
    """--date D, or --from F --to T (both), as a (first, last) pair."""
    if day is not None:
        if start is not None or end is not None:
            raise InvalidPeriod("give either --date or --from/--to, not both")
        return day.date(), day.date()
    if start is None or end is None:
        raise InvalidPeriod("give --date D, or both --from F and --to T (YYYY-MM-DD)")
    return start.date(), end.date()


def _run(fn: Callable[[], T]) -> T:
    with _errors():
        return fn()


@app.command("init")
def init_cmd(
    indexes: bool = typer.Option(True, "--indexes/--no-indexes", help="Also index the tables' event time."),
) -> None:
    """Create the feed impression table and the event-time indexes (idempotent)."""
    from analytics.schema import init_analytics

    for item in init_analytics(indexes=indexes):
        console.print(f"ok: {item}")


@app.command("aggregate")
def aggregate_cmd(
    day: datetime | None = typer.Option(None, "--date", formats=DATE, help="One day (UTC)."),
    start: datetime | None = typer.Option(None, "--from", formats=DATE, help="First day (UTC)."),
    end: datetime | None = typer.Option(None, "--to", formats=DATE, help="Last day (UTC), inclusive."),
    period: str = typer.Option("daily", "--period", help="daily, weekly (ISO weeks) or monthly."),
) -> None:
    """Fill activity_aggregation for the periods holding these days, replacing what they held (one transaction)."""
    from analytics.aggregate import aggregate
    from analytics.periods import period_type_of, periods_between, today_utc
    from analytics.settings import analytics_settings

    with _errors():
        first, last = _range(day, start, end)
        kind = period_type_of(period)
        total = len(periods_between(kind, first, last, today=today_utc(), min_date=analytics_settings().min_date))
        with Progress(TextColumn(f"aggregate {kind}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TextColumn("{task.fields[at]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                      console=console) as bar:
            task = bar.add_task("aggregate", total=total, at="")
            report = aggregate(kind, first, last, progress=lambda r, i, n: bar.update(
                task, completed=i, total=n, at=f"{r.period.date.isoformat()}: {r.written:,} users"))
    console.print(report.summary())


@app.command("profile")
def profile_cmd(
    user: str = typer.Argument(..., help="The platform's user id (auth_user.id)."),
    end: datetime | None = typer.Option(None, "--end", formats=DATE, help="Last day (UTC); default yesterday."),
    days: int | None = typer.Option(None, "--days", help="Days in the window (default 30)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a panel."),
) -> None:
    """A user's behaviour profile (write-up 4.2): consumption, social, temporal, quality indicators."""
    from analytics.profile import behaviour_profile
    from analytics.render import profile_panel

    profile = _run(lambda: behaviour_profile(user, end_date=_day(end), days=days))
    if as_json:
        typer.echo(profile.to_json())
    else:
        console.print(profile_panel(profile))


@app.command("patterns")
def patterns_cmd(
    end: datetime | None = typer.Option(None, "--end", formats=DATE, help="Last day (UTC); default yesterday."),
    days: int | None = typer.Option(None, "--days", help="Days in the window (default 30)."),
    user: str | None = typer.Option(None, "--user", help="Only this user (shown, not written)."),
    write: bool = typer.Option(True, "--write/--no-write", help="Write onto the Users nodes."),
    top: int = typer.Option(10, "--top", help="Users to show."),
) -> None:
    """Temporal patterns (write-up 3.2.4): peak hours, weekdays, sessions, consistency; onto the graph."""
    from analytics.patterns import temporal_patterns, window, write_patterns
    from analytics.pg import user_id_of
    from analytics.settings import analytics_settings

    with _errors():
        win = window(_day(end), days or analytics_settings().patterns_days)
        uid = user_id_of(user) if user is not None else None
        patterns = temporal_patterns(win, user_id=uid)
    t = Table("user", "peak hours (UTC)", "weekdays Mon..Sun", "active days", "consistency", "sessions",
              "median session (s)", title=f"temporal patterns {win.start_date.isoformat()}..{win.end_date.isoformat()}")
    for p in sorted(patterns, key=lambda x: -x.actions)[:top]:
        t.add_row(str(p.user_id), ", ".join(map(str, p.peak_hours)), " ".join(map(str, p.weekday_hist)),
                  str(p.active_days), f"{p.activity_consistency:.2f}", f"{p.session_count} {p.session_source or ''}",
                  "-" if p.session_len_median is None else f"{p.session_len_median:,.0f}")
    console.print(t)
    console.print(f"{len(patterns):,} users with activity in the window")
    if write and uid is None:
        console.print(write_patterns(patterns, win).summary())


@app.command("quality")
def quality_cmd(
    end: datetime | None = typer.Option(None, "--end", formats=DATE,
                                        help="Window ends at the end of this day (UTC); default now."),
    days: float | None = typer.Option(None, "--days", help="Window in days (default 7)."),
    write: bool = typer.Option(True, "--write/--no-write", help="Write onto the content nodes."),
    top: int = typer.Option(10, "--top", help="Content items to show."),
) -> None:
    """Engagement quality per content item (write-up 4.1), onto the content nodes for graph_feed_score."""
    from analytics.periods import check_dates, today_utc, utc_midnight
    from analytics.quality import engagement_quality, write_quality
    from analytics.render import quality_table
    from analytics.settings import analytics_settings

    a = analytics_settings()
    window_days = days if days is not None else a.quality_window_days
    with _errors():
        if end is not None:
            check_dates(end.date(), end.date(), today=today_utc(), min_date=a.min_date)
        if not window_days > 0:
            raise InvalidPeriod(f"--days must be > 0, got {window_days}")
        at = utc_midnight(end.date() + timedelta(days=1)) if end is not None else None
        items = engagement_quality(now=at, window_days=window_days)
    console.print(quality_table(items[:top]))
    console.print(f"{len(items):,} content items with interactions in the window")
    if write:
        console.print(write_quality(items, window_days=window_days, at=at).summary())


@app.command("performance")
def performance_cmd(
    day: datetime | None = typer.Option(None, "--date", formats=DATE, help="One day (UTC)."),
    start: datetime | None = typer.Option(None, "--from", formats=DATE, help="First day (UTC)."),
    end: datetime | None = typer.Option(None, "--to", formats=DATE, help="Last day (UTC), inclusive."),
    by_day: bool = typer.Option(True, "--by-day/--total", help="One row per day, or totals over the range."),
) -> None:
    """Feed performance (write-up 6.3): CTR and engagement rate per algorithm version, source and day."""
    from analytics.performance import feed_performance
    from analytics.render import performance_table

    with _errors():
        first, last = _range(day, start, end)
        rows = feed_performance(first, last, by_day=by_day)
    console.print(performance_table(rows))


@ab_app.command("report")
def ab_report_cmd(
    experiment: str = typer.Argument(..., help="The experiment's name (setting ACTIVITY_AB_EXPERIMENTS)."),
    start: datetime | None = typer.Option(None, "--from", formats=DATE, help="First day (UTC)."),
    end: datetime | None = typer.Option(None, "--to", formats=DATE, help="Last day (UTC), inclusive."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Per variant: impressions, CTR, engagement rate, 95% intervals and a z-test against the control."""
    from analytics.ab import ab_report
    from analytics.render import ab_panel

    report = _run(lambda: ab_report(experiment, start_date=_day(start), end_date=_day(end)))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        console.print(ab_panel(report))


@ab_app.command("assign")
def ab_assign_cmd(
    experiment: str = typer.Argument(...),
    users: list[str] = typer.Argument(..., help="User ids."),
) -> None:
    """The variant each user gets (deterministic: a hash of the experiment and the user)."""
    from analytics.experiments import assign

    with _errors():
        for user in users:
            console.print(f"{user}\t{assign(experiment, user)}")


@ab_app.command("list")
def ab_list_cmd() -> None:
    """The configured experiments, their variants, weights and feed weight overrides."""
    from analytics.experiments import experiment_settings

    t = Table("experiment", "variant", "weight", "algorithm version", "feed weight overrides")
    for name, config in sorted(experiment_settings().experiments.items()):
        total = sum(v.weight for v in config.variants.values())
        for vname in config.variant_names():
            v = config.variants[vname]
            t.add_row(name, vname + (" (control)" if vname == config.control else ""), f"{v.weight / total:.0%}",
                      v.algorithm_version or f"{name}:{vname}", json.dumps(v.feed_weights) if v.feed_weights else "-")
    console.print(t)
