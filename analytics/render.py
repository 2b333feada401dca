"""Rich renderings of the analytics' results, shared by the CLI and the demo."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from analytics.ab import ABReport
from analytics.performance import FeedPerformance, Rate
from analytics.profile import Profile
from analytics.quality import ContentQuality
from analytics.stats import ZTest

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def rate(r: Rate) -> str:
    return f"{pct(r.value)} [{pct(r.low)}, {pct(r.high)}]"


def _num(x: float | None, unit: str = "", digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}{unit}"


def _counts(d: dict[str, int], limit: int = 6) -> str:
    items = list(d.items())[:limit]
    more = len(d) - len(items)
    return ", ".join(f"{k} {v:,}" for k, v in items) + (f", +{more} more" if more > 0 else "") if d else "-"


def profile_panel(p: Profile) -> Panel:
    c, s, t, q = p.consumption, p.social, p.temporal, p.quality
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_row("content consumption", "")
    table.add_row("  interactions / impressions", f"{c.interactions:,} / {c.impressions:,}")
    table.add_row("  content types", ", ".join(f"{k} {pct(v)}" for k, v in list(c.content_type_shares.items())[:5])
                  or "-")
    table.add_row("  interaction types", _counts(c.interaction_types))
    table.add_row("  depth", f"time spent {_num(c.avg_time_spent, ' s')}, scroll depth {_num(c.avg_scroll_depth, '%')}")
    table.add_row("  consumption peak hours (UTC)", ", ".join(f"{h:02d}h" for h in c.consumption_peak_hours) or "-")
    table.add_row("  media", _counts(c.media_types))
    table.add_row("social behaviour", "")
    table.add_row("  profile visits", f"{s.profile_visits:,} to {s.profiles_visited:,} profiles; "
                                      f"{s.visits_received:,} received from {s.visitors:,} visitors")
    table.add_row("  connections", f"{s.connection_requests:,} requests, {s.connections_accepted:,} accepted "
                                   f"({s.connection_events:,} events)")
    table.add_row("  messages / vibes", f"{s.messages_sent:,} messages; vibes {s.vibes_sent:,} sent, "
                                        f"{s.vibes_received:,} received")
    table.add_row("  communities", f"{s.community_actions:,} actions, {s.communities_engaged:,} communities")
    table.add_row("temporal behaviour", "")
    table.add_row("  peak hours (UTC)", ", ".join(f"{h:02d}h" for h in t.peak_hours) or "-")
    table.add_row("  weekdays", " ".join(f"{d} {n}" for d, n in zip(WEEKDAYS, t.weekday_hist, strict=True)))
    table.add_row("  active days", f"{t.active_days} of {p.days} (consistency {t.activity_consistency:.2f}, "
                                   f"daily CV {_num(t.daily_cv, digits=2)})")
    table.add_row("  sessions", f"{t.session_count:,} ({t.session_source or 'none'}), median "
                                f"{_num(t.session_len_median, ' s', 0)}")
    table.add_row("quality indicators", "")
    table.add_row("  created", f"{q.creations:,} ({_counts(q.created)}), "
                               f"{q.creations_per_active_day:.2f} per active day")
    table.add_row("  engagement received", f"{q.engagement_received:,} from {q.engagers:,} users on {q.items_owned:,} "
                                           f"items (score {q.engagement_score_received:,.0f}, "
                                           f"{_num(q.engagement_per_item)} per item)")
    table.add_row("  reciprocity", f"{q.engagement_reciprocity:.2f} ({q.partners_both:,} mutual of "
                                   f"{q.partners_out:,} out / {q.partners_in:,} in)")
    table.add_row("  activity level", f"{t.actions:,} actions, {q.actions_per_active_day:.1f} per active day")
    title = f"behaviour profile: user {p.user_id}, {p.start_date.isoformat()}..{p.end_date.isoformat()} (UTC)"
    return Panel(table, title=title, expand=False)


def quality_table(items: Sequence[ContentQuality]) -> Table:
    t = Table("content id", "types", "interactions", "engagement score", "quality", "avg time (s)", "avg scroll",
              title="engagement quality (write-up 4.1)")
    for q in items:
        t.add_row(q.content_id[:12], ",".join(q.content_types), f"{q.interaction_count:,}",
                  f"{q.engagement_score:,.0f}", f"{q.engagement_quality:.2f}", _num(q.avg_time_spent),
                  _num(q.avg_scroll_depth, "%"))
    return t


def performance_table(rows: Sequence[FeedPerformance], title: str = "feed performance (write-up 6.3)") -> Table:
    t = Table("day", "origin", "algorithm", "source", "impressions", "users", "CTR [95% CI]",
              "engagement rate [95% CI]", title=title)
    for r in rows:
        t.add_row(r.day.isoformat() if r.day else "all", r.origin, r.algorithm_version, r.source,
                  f"{r.impressions:,}", f"{r.users:,}", rate(r.ctr), rate(r.engagement_rate))
    return t


def _versus(test: ZTest | None, alpha: float) -> list[str]:
    if test is None:
        return ["(control)", "", "", "", ""]
    lift = "-" if test.relative_lift is None else f"{100 * test.relative_lift:+.1f}%"
    verdict = "[green]yes[/green]" if test.p_value < alpha else "no"
    return [f"{100 * test.diff:+.2f} pt [{100 * test.diff_ci[0]:+.2f}, {100 * test.diff_ci[1]:+.2f}]", lift,
            f"{test.z:+.2f}", f"{test.p_value:.3g}", verdict]


def ab_panel(r: ABReport) -> Panel:
    level = f"{100 * r.confidence:.0f}%"
    rates = Table("variant", "weight", "users", "impressions", f"CTR [{level} CI]", f"engagement rate [{level} CI]")
    tests = Table("variant", "metric", f"difference [{level} CI]", "lift", "z", "p", "significant",
                  title=f"against the control (two-proportion z-test, alpha {r.alpha:.2g})")
    for v in r.variants:
        name = v.variant + (" *" if v.is_control else "")
        rates.add_row(name, pct(v.weight_share), f"{v.users:,}", f"{v.impressions:,}", rate(v.ctr),
                      rate(v.engagement_rate))
        if not v.is_control:
            tests.add_row(name, "CTR", *_versus(v.ctr_test, r.alpha))
            tests.add_row(name, "engagement", *_versus(v.engagement_test, r.alpha))
    span = (f"{r.start_date.isoformat()}..{r.end_date.isoformat()}" if r.start_date and r.end_date else "no data")
    lines: list[RenderableType] = [rates, tests, f"sample ratio (users vs weights): chi-square "
                                                 f"{r.sample_ratio.statistic:.2f}, df {r.sample_ratio.df}, "
                                                 f"p {r.sample_ratio.p_value:.3g}"]
    lines += [f"[yellow]note:[/yellow] {n}" for n in r.notes]
    return Panel(Group(*lines), title=f"A/B report: {r.experiment}, {span} (* = control)", expand=False)
