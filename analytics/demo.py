"""What `make demo` shows of the analytics, on the generated activity: the jobs (aggregation, engagement quality,
temporal patterns), a sample behaviour profile, feed performance and an A/B report.

The A/B report runs on generated impressions: the generator's `feed_view` rows, each user assigned to a variant
of a demo experiment by the real assignment. The generator's users do not behave differently by variant, so this
is an A/A test in effect: the report should find no significant difference (and a p-value below 0.05 about one
time in twenty).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from analytics import experiments as ab
from analytics.ab import ABReport, ab_report
from analytics.aggregate import aggregate
from analytics.impressions import ensure_table
from analytics.patterns import refresh_patterns
from analytics.performance import feed_performance
from analytics.periods import utc_midnight
from analytics.pg import Conn, connection
from analytics.profile import Profile, behaviour_profile
from analytics.quality import engagement_quality, write_quality
from analytics.render import ab_panel, performance_table, profile_panel, quality_table
from analytics.schema import init_analytics
from analytics.settings import analytics_settings
from analytics.sqlfiles import sql_text

DEMO_EXPERIMENT = "demo_feed_weights"


def demo_experiments() -> ab.Experiments:
    """The demo's experiment: the feed's weights (control) against more weight on social signals."""
    return ab.Experiments.model_validate({"experiments": {
        DEMO_EXPERIMENT: ab.ExperimentConfig(
            description="graph_feed_score: default weights vs social component 0.3",
            variants={
                "control": ab.VariantConfig(weight=1.0, algorithm_version="graph_feed_default"),
                "social": ab.VariantConfig(weight=1.0, algorithm_version="graph_feed_social",
                                           feed_weights={"components": {"social": 0.3}}),
            },
        )
    }})


def data_days(conn: Conn, now: datetime | None = None) -> tuple[date, date] | None:
    """The first and last UTC day of (plausibly timed) activity: the generator's window."""
    at = now or datetime.now(timezone.utc)
    row = conn.execute(
        """SELECT (min("timestamp") AT TIME ZONE 'UTC')::date, (max("timestamp") AT TIME ZONE 'UTC')::date
           FROM content_interaction WHERE "timestamp" >= %s AND "timestamp" <= %s""",
        (utc_midnight(analytics_settings().min_date), at),
    ).fetchone()
    if not row or row[0] is None:
        return None
    return row[0], row[1]


def import_feed_views(
    experiment: str,
    start_date: date,
    end_date: date,
    *,
    experiments: ab.Experiments | None = None,
    conn: Conn | None = None,
    url: str | None = None,
) -> int:
    """Record the platform's feed_view impressions of [start_date, end_date] as `experiment`'s, every user in their
    assigned variant, replacing what the experiment held (one transaction). Returns the rows recorded."""
    settings = experiments if experiments is not None else ab.experiment_settings()
    config = settings.experiment(experiment)
    start, end = utc_midnight(start_date), utc_midnight(end_date + timedelta(days=1))
    with connection(conn, url) as c:
        ensure_table(c)
        with c.transaction():
            users = [int(r[0]) for r in c.execute(
                """SELECT DISTINCT user_id FROM content_interaction
                   WHERE lower(btrim(interaction_type)) = 'view'
                     AND coalesce(metadata ->> 'source' = 'feed_view', false)
                     AND "timestamp" >= %s AND "timestamp" < %s""", (start, end)).fetchall()]
            variants = [ab.choose(config, ab.bucket(experiment, u, config.salt)) for u in users]
            versions = [ab.algorithm_version(experiment, v, settings) for v in variants]
            c.execute("DELETE FROM activity_graph_feed_impression WHERE experiment = %s", (experiment,))
            cur = c.execute(sql_text("import_feed_views"), {
                "start": start, "end": end, "experiment": experiment, "user_ids": users, "variants": variants,
                "versions": versions,
            })
            return cur.rowcount


def most_active_user(conn: Conn, start_date: date, end_date: date) -> int | None:
    row = conn.execute(
        """SELECT user_id FROM content_interaction WHERE "timestamp" >= %s AND "timestamp" < %s
           GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1""",
        (utc_midnight(start_date), utc_midnight(end_date + timedelta(days=1))),
    ).fetchone()
    return int(row[0]) if row else None


def _window(console: Console, url: str | None) -> tuple[date, date] | None:
    with connection(url=url) as c:
        days = data_days(c)
    if days is None:
        console.print("[yellow]no activity in the tables: nothing to analyse[/yellow]")
    return days


def demo_jobs(console: Console | None = None, *, url: str | None = None, write_graph: bool = True) -> None:
    """Aggregate the generated days, score engagement quality and temporal patterns (written onto the graph)."""
    out = console or Console()
    days = _window(out, url)
    if days is None:
        return
    first, last = days
    out.print("analytics init: " + ", ".join(init_analytics(url=url)))
    with Progress(TextColumn("aggregate daily"), BarColumn(), TextColumn("{task.completed}/{task.total} days"),
                  TimeElapsedColumn(), console=out) as bar:
        task = bar.add_task("aggregate", total=(last - first).days + 1)
        report = aggregate("daily", first, last, url=url, progress=lambda r, i, n: bar.update(task, completed=i))
    out.print(report.summary())
    out.print(aggregate("weekly", first, last, url=url).summary())
    now = utc_midnight(last + timedelta(days=1))
    items = engagement_quality(now=now, url=url)
    out.print(quality_table(items[:5]))
    if write_graph:
        out.print(write_quality(items, window_days=analytics_settings().quality_window_days, at=now).summary())
        out.print(refresh_patterns(end_date=last, days=(last - first).days + 1, url=url).summary())


def demo_profile(console: Console | None = None, *, url: str | None = None) -> Profile | None:
    """The behaviour profile of the most active generated user over the generated days."""
    out = console or Console()
    days = _window(out, url)
    if days is None:
        return None
    first, last = days
    with connection(url=url) as c:
        user = most_active_user(c, first, last)
    if user is None:
        return None
    profile = behaviour_profile(user, end_date=last, days=(last - first).days + 1, url=url)
    out.print(profile_panel(profile))
    return profile


def demo_ab_report(console: Console | None = None, *, url: str | None = None) -> ABReport | None:
    """Feed performance per source, then the demo experiment's A/B report on the generated impressions."""
    out = console or Console()
    days = _window(out, url)
    if days is None:
        return None
    first, last = days
    rows = feed_performance(first, last, by_day=False, recorded=False, url=url)
    out.print(performance_table(rows, title=f"feed performance {first.isoformat()}..{last.isoformat()} (write-up 6.3)"))
    experiments = demo_experiments()
    n = import_feed_views(DEMO_EXPERIMENT, first, last, experiments=experiments, url=url)
    out.print(f"{n:,} generated impressions recorded as experiment {DEMO_EXPERIMENT!r} "
              "(users assigned by hash; the generated users ignore the variant: an A/A test in effect)")
    report = ab_report(DEMO_EXPERIMENT, url=url, experiments=experiments)
    out.print(ab_panel(report))
    return report


def demo_report(console: Console | None = None, *, url: str | None = None, write_graph: bool = True) -> None:
    """Everything above, in order: what `make demo` calls."""
    out = console or Console()
    out.rule("analytics: aggregation, engagement quality, temporal patterns")
    demo_jobs(out, url=url, write_graph=write_graph)
    out.rule("analytics: a behaviour profile")
    demo_profile(out, url=url)
    out.rule("analytics: feed performance and an A/B report")
    demo_ab_report(out, url=url)
