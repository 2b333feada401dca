"""Behaviour profiles (write-up 4.2): content consumption, social behaviour, temporal behaviour and quality
indicators of one user over a window of whole UTC days, each section one query in Postgres."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from analytics.patterns import TemporalPattern, Window, temporal_patterns, window
from analytics.pg import Conn, check_user, connection, fetch_one, user_id_of
from analytics.settings import AnalyticsSettings, analytics_settings
from sync.weights import Weights


def _shares(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: v / total for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))} if total else {}


def _top_hours(hist: list[int], n: int = 3) -> list[int]:
    return [h for h, c in sorted(enumerate(hist), key=lambda hc: (-hc[1], hc[0])) if c > 0][:n]


@dataclass(frozen=True)
class ContentConsumption:
    """What the user consumes and how: types, depth, interaction kinds, timing, media."""

    interactions: int
    impressions: int
    content_types: dict[str, int]
    content_type_shares: dict[str, float]
    interaction_types: dict[str, int]
    interaction_type_shares: dict[str, float]
    avg_time_spent: float | None
    avg_scroll_depth: float | None
    consumption_hours: list[int]
    consumption_peak_hours: list[int]
    media_types: dict[str, int]

    @property
    def preferred_content_type(self) -> str | None:
        return next(iter(self.content_type_shares), None)


@dataclass(frozen=True)
class SocialBehaviour:
    profile_visits: int
    profiles_visited: int
    visits_received: int
    visitors: int
    connection_requests: int
    connections_accepted: int
    connection_events: int
    messages_sent: int
    vibes_sent: int
    vibes_received: int
    community_actions: int
    communities_engaged: int


@dataclass(frozen=True)
class TemporalBehaviour:
    peak_hours: list[int]
    hour_hist: list[int]
    weekday_hist: list[int]
    active_days: int
    actions: int
    activity_consistency: float
    daily_cv: float | None
    session_source: str | None
    session_count: int
    session_len_median: float | None


@dataclass(frozen=True)
class QualityIndicators:
    created: dict[str, int]
    creations: int
    creations_per_active_day: float
    items_owned: int
    engagement_received: int
    engagers: int
    engagement_score_received: float
    engagement_per_item: float | None
    partners_out: int
    partners_in: int
    partners_both: int
    engagement_reciprocity: float
    actions_per_active_day: float


@dataclass(frozen=True)
class Profile:
    """One user's behaviour profile over [start_date, end_date] (UTC days)."""

    user_id: int
    start_date: date
    end_date: date
    days: int
    consumption: ContentConsumption
    social: SocialBehaviour
    temporal: TemporalBehaviour
    quality: QualityIndicators

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["start_date"] = self.start_date.isoformat()
        out["end_date"] = self.end_date.isoformat()
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)


def _consumption(r: dict[str, Any]) -> ContentConsumption:
    types = {str(k): int(v) for k, v in r["by_content_type"].items()}
    kinds = {str(k): int(v) for k, v in r["by_interaction_type"].items()}
    hours = [int(n) for n in r["consumption_hours"]]
    return ContentConsumption(
        interactions=int(r["interactions"]),
        impressions=int(r["impressions"]),
        content_types=dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        content_type_shares=_shares(types),
        interaction_types=dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        interaction_type_shares=_shares(kinds),
        avg_time_spent=None if r["avg_time_spent"] is None else float(r["avg_time_spent"]),
        avg_scroll_depth=None if r["avg_scroll_depth"] is None else float(r["avg_scroll_depth"]),
        consumption_hours=hours,
        consumption_peak_hours=_top_hours(hours),
        media_types={str(k): int(v) for k, v in sorted(r["by_media_type"].items())},
    )


def _social(r: dict[str, Any]) -> SocialBehaviour:
    return SocialBehaviour(**{f: int(r[f]) for f in SocialBehaviour.__dataclass_fields__})


def _temporal(p: TemporalPattern | None) -> TemporalBehaviour:
    if p is None:
        return TemporalBehaviour([], [0] * 24, [0] * 7, 0, 0, 0.0, None, None, 0, None)
    return TemporalBehaviour(
        peak_hours=p.peak_hours, hour_hist=p.hour_hist, weekday_hist=p.weekday_hist, active_days=p.active_days,
        actions=p.actions, activity_consistency=p.activity_consistency, daily_cv=p.daily_cv,
        session_source=p.session_source, session_count=p.session_count, session_len_median=p.session_len_median,
    )


def _quality(r: dict[str, Any], temporal: TemporalBehaviour) -> QualityIndicators:
    created = {str(k): int(v) for k, v in sorted(r["created"].items())}
    creations = sum(created.values())
    owned = int(r["items_owned"])
    score = float(r["engagement_score_received"])
    p_out, p_in, both = int(r["partners_out"]), int(r["partners_in"]), int(r["partners_both"])
    union = p_out + p_in - both
    active = temporal.active_days
    return QualityIndicators(
        created=created,
        creations=creations,
        creations_per_active_day=creations / active if active else 0.0,
        items_owned=owned,
        engagement_received=int(r["engagement_received"]),
        engagers=int(r["engagers"]),
        engagement_score_received=score,
        engagement_per_item=score / owned if owned else None,
        partners_out=p_out,
        partners_in=p_in,
        partners_both=both,
        engagement_reciprocity=both / union if union else 0.0,
        actions_per_active_day=temporal.actions / active if active else 0.0,
    )


def profile_for_window(
    user_id: int, win: Window, conn: Conn, analytics: AnalyticsSettings, weights: Weights | None = None
) -> Profile:
    """The profile on an open connection, in one read-only snapshot (repeatable read)."""
    w = weights or Weights()
    a = analytics
    base = {"user_id": user_id, "start": win.start, "end": win.end}
    fresh = conn.autocommit  # a new transaction, not a savepoint in the caller's: it may set its isolation
    with conn.transaction():
        if fresh:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        check_user(conn, user_id)
        consumption = _consumption(
            fetch_one(conn, "profile_consumption", {**base, "max_duration": w.max_duration_seconds})
        )
        social = _social(fetch_one(conn, "profile_social", base))
        patterns = temporal_patterns(win, user_id=user_id, conn=conn, analytics=a)
        temporal = _temporal(patterns[0] if patterns else None)
        quality = _quality(
            fetch_one(conn, "profile_quality", {**base, "weights": json.dumps(dict(a.quality_weights)),
                                                "default_weight": a.quality_default_weight}),
            temporal,
        )
    return Profile(user_id, win.start_date, win.end_date, win.days, consumption, social, temporal, quality)


def behaviour_profile(
    user_id: int | str,
    *,
    end_date: date | None = None,
    days: int | None = None,
    conn: Conn | None = None,
    url: str | None = None,
    now: datetime | None = None,
    analytics: AnalyticsSettings | None = None,
) -> Profile:
    """The behaviour profile of `user_id` (the platform's Django user id) over the `days` UTC days ending with
    `end_date` (default: yesterday, 30 days). `UnknownUser` if there is no such user; a user with no activity in
    the window gets a profile of zeros. `InvalidPeriod` for a window in the future or out of range."""
    a = analytics or analytics_settings()
    uid = user_id_of(user_id)
    win = window(end_date, days or a.profile_days, now=now, analytics=a)
    with connection(conn, url) as c:
        return profile_for_window(uid, win, c, a)
