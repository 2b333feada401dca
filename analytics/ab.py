"""`ab_report`: an experiment's variants compared on the impressions recorded for it.

Per variant: users, impressions, clicks and engagements (attributed as in `analytics.performance`), CTR and
engagement rate with Wilson intervals, and against the control the difference with its interval, the relative
lift and a pooled two-proportion z-test (two-sided). Plus a sample-ratio check: users per variant against the
configured weights (chi-square); a small p-value there means the assignment or the logging is broken and the
comparison should not be trusted.

The z-test treats impressions as independent trials. They are not quite (one user sees many), so with few
users per variant the intervals are too narrow; read the user counts alongside.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from analytics import experiments as ab
from analytics.impressions import ensure_table
from analytics.performance import Rate, outcome_params
from analytics.periods import check_dates, today_utc, utc_midnight
from analytics.pg import Conn, connection, fetch_report
from analytics.settings import AnalyticsSettings, analytics_settings
from analytics.stats import ChiSquare, ZTest, chi_square_goodness_of_fit, two_proportion_z_test


@dataclass(frozen=True)
class VariantResult:
    variant: str
    is_control: bool
    configured: bool
    weight_share: float
    users: int
    impressions: int
    clicks: int
    engagements: int
    ctr: Rate
    engagement_rate: Rate
    ctr_test: ZTest | None
    engagement_test: ZTest | None


@dataclass(frozen=True)
class ABReport:
    experiment: str
    control: str
    start_date: date | None
    end_date: date | None
    confidence: float
    variants: list[VariantResult]
    sample_ratio: ChiSquare
    notes: list[str] = field(default_factory=list)

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence

    def variant(self, name: str) -> VariantResult:
        return next(v for v in self.variants if v.variant == name)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["start_date"] = self.start_date.isoformat() if self.start_date else None
        out["end_date"] = self.end_date.isoformat() if self.end_date else None
        return out


def _range(conn: Conn, experiment: str) -> tuple[date, date] | None:
    row = conn.execute(
        """SELECT (min(shown_at) AT TIME ZONE 'UTC')::date, (max(shown_at) AT TIME ZONE 'UTC')::date
           FROM activity_graph_feed_impression WHERE experiment = %s""",
        (experiment,),
    ).fetchone()
    if not row or row[0] is None:
        return None
    return row[0], row[1]


def ab_report(
    experiment: str,
    *,
    start_date: date | None = None,
    end_date: date | None = None,
    conn: Conn | None = None,
    url: str | None = None,
    now: datetime | None = None,
    analytics: AnalyticsSettings | None = None,
    experiments: ab.Experiments | None = None,
) -> ABReport:
    """The report of `experiment` over the UTC days [start_date, end_date] (default: every day it has impressions).

    `UnknownExperiment` if the experiment is not configured; `InvalidPeriod` for bad dates. An experiment with no
    impressions yet gets a report of zeros and a note.
    """
    config = (experiments if experiments is not None else ab.experiment_settings()).experiment(experiment)
    a = analytics or analytics_settings()
    notes: list[str] = []
    with connection(conn, url) as c:
        ensure_table(c)
        if start_date is None or end_date is None:
            seen = _range(c, experiment)
            start_date = start_date or (seen[0] if seen else None)
            end_date = end_date or (seen[1] if seen else None)
        rows: list[dict[str, Any]] = []
        if start_date is not None and end_date is not None:
            check_dates(start_date, end_date, today=today_utc(now), min_date=a.min_date)
            params = outcome_params(utc_midnight(start_date), utc_midnight(end_date + timedelta(days=1)), a,
                                    feed_view=False, recorded=True, experiment=experiment)
            rows = fetch_report(c, "ab_variants", params)
    if not rows:
        notes.append("no impressions recorded for this experiment in the range")
    return build_report(experiment, config, rows, start_date, end_date, a.confidence, notes)


def build_report(
    experiment: str,
    config: ab.ExperimentConfig,
    rows: list[dict[str, Any]],
    start_date: date | None,
    end_date: date | None,
    confidence: float,
    notes: list[str] | None = None,
) -> ABReport:
    """The report from per-variant counts (pure: the statistics only)."""
    notes = list(notes or [])
    counts = {str(r["variant"]): r for r in rows}
    names = config.variant_names() + sorted(set(counts) - set(config.variants))
    total_weight = sum(v.weight for v in config.variants.values())

    def n(name: str, key: str) -> int:
        r = counts.get(name)
        return int(r[key]) if r else 0

    control = config.control
    results = []
    for name in names:
        configured = name in config.variants
        if not configured:
            notes.append(f"variant {name!r} has impressions but is not configured any more")
        imps, clicks, engs = n(name, "impressions"), n(name, "clicks"), n(name, "engagements")
        is_control = name == control
        results.append(VariantResult(
            variant=name,
            is_control=is_control,
            configured=configured,
            weight_share=config.variants[name].weight / total_weight if configured else 0.0,
            users=n(name, "users"),
            impressions=imps,
            clicks=clicks,
            engagements=engs,
            ctr=Rate.of(clicks, imps, confidence),
            engagement_rate=Rate.of(engs, imps, confidence),
            ctr_test=None if is_control else two_proportion_z_test(
                n(control, "clicks"), n(control, "impressions"), clicks, imps, confidence),
            engagement_test=None if is_control else two_proportion_z_test(
                n(control, "engagements"), n(control, "impressions"), engs, imps, confidence),
        ))
    configured_names = config.variant_names()
    sample_ratio = chi_square_goodness_of_fit(
        [n(v, "users") for v in configured_names], [config.variants[v].weight for v in configured_names]
    )
    if sample_ratio.p_value < 0.001:
        notes.append(f"sample ratio mismatch (chi-square p = {sample_ratio.p_value:.2g}): users per variant do not "
                     "match the weights; check the assignment and the logging before reading the results")
    return ABReport(experiment, control, start_date, end_date, confidence, results, sample_ratio, notes)
