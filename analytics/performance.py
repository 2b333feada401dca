"""Feed performance (write-up 6.3): impressions joined with the interactions that followed them, as click-through
and engagement rates per algorithm version, source and day.

Impressions come from the platform's own log (`feed_view` rows of content_interaction) and from
`record_impressions` (`activity_graph_feed_impression`). An interaction of the same user with the same content
within `attribution_window_hours` after an impression is credited to the latest such impression (per origin):
the impression was clicked; if the interaction is one of `engagement_types` (like, comment, share, save, ...),
it was also engaged with. Everything is counted in Postgres (analytics/sql/feed_outcomes.sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from analytics.impressions import ensure_table
from analytics.periods import check_dates, today_utc, utc_midnight
from analytics.pg import Conn, connection, fetch_report
from analytics.settings import AnalyticsSettings, analytics_settings
from analytics.stats import wilson_interval


@dataclass(frozen=True)
class Rate:
    """successes / trials with its Wilson interval."""

    successes: int
    trials: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.successes / self.trials if self.trials else 0.0

    @classmethod
    def of(cls, successes: int, trials: int, confidence: float) -> Rate:
        low, high = wilson_interval(successes, trials, confidence)
        return cls(successes, trials, low, high)


@dataclass(frozen=True)
class FeedPerformance:
    origin: str
    day: date | None
    algorithm_version: str
    source: str
    impressions: int
    clicks: int
    engagements: int
    users: int
    ctr: Rate
    engagement_rate: Rate


def outcome_params(
    start: datetime,
    end: datetime,
    a: AnalyticsSettings,
    *,
    feed_view: bool = True,
    recorded: bool = True,
    experiment: str | None = None,
) -> dict[str, Any]:
    """The parameters of analytics/sql/feed_outcomes.sql."""
    return {
        "start": start,
        "end": end,
        "window": timedelta(hours=a.attribution_window_hours),
        "feed_view": feed_view,
        "recorded": recorded,
        "experiment": experiment,
        "engagement_types": [t.lower() for t in a.engagement_types],
        "negative_types": [t.lower() for t in a.negative_types],
    }


def feed_performance(
    start_date: date,
    end_date: date | None = None,
    *,
    by_day: bool = True,
    feed_view: bool = True,
    recorded: bool = True,
    conn: Conn | None = None,
    url: str | None = None,
    now: datetime | None = None,
    analytics: AnalyticsSettings | None = None,
) -> list[FeedPerformance]:
    """CTR and engagement rate of impressions shown on the UTC days [start_date, end_date] (default: one day), per
    origin, day (unless `by_day` is false: `day` None), algorithm version and source. `feed_view` / `recorded`
    choose the origins. `InvalidPeriod` for dates in the future, out of range or reversed."""
    a = analytics or analytics_settings()
    last = end_date or start_date
    check_dates(start_date, last, today=today_utc(now), min_date=a.min_date)
    params = outcome_params(utc_midnight(start_date), utc_midnight(last + timedelta(days=1)), a,
                            feed_view=feed_view, recorded=recorded)
    params["by_day"] = by_day
    with connection(conn, url) as c:
        ensure_table(c)
        rows = fetch_report(c, "feed_performance", params)
    return [
        FeedPerformance(
            origin=str(r["origin"]), day=r["day"], algorithm_version=str(r["algorithm_version"]),
            source=str(r["source"]), impressions=int(r["impressions"]), clicks=int(r["clicks"]),
            engagements=int(r["engagements"]), users=int(r["users"]),
            ctr=Rate.of(int(r["clicks"]), int(r["impressions"]), a.confidence),
            engagement_rate=Rate.of(int(r["engagements"]), int(r["impressions"]), a.confidence),
        )
        for r in rows
    ]
