"""Periods of `activity_aggregation`: a daily period is a UTC day, a weekly one an ISO week (Monday to Sunday,
dated by its Monday), a monthly one a calendar month (dated by its 1st). Pure; validation lives here too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from analytics.errors import InvalidPeriod

PeriodType = Literal["daily", "weekly", "monthly"]
PERIOD_TYPES: tuple[PeriodType, ...] = ("daily", "weekly", "monthly")
_BY_NAME: dict[str, PeriodType] = {t: t for t in PERIOD_TYPES}


@dataclass(frozen=True)
class Period:
    """One period: its type, the date `activity_aggregation` files it under, and its UTC bounds [start, end)."""

    period_type: PeriodType
    date: date
    start: datetime
    end: datetime


def period_type_of(value: str) -> PeriodType:
    """A period type from user input (case-insensitive), or a clear error."""
    kind = _BY_NAME.get(value.strip().lower())
    if kind is None:
        raise InvalidPeriod(f"unknown period type {value!r}: choose from {', '.join(PERIOD_TYPES)}")
    return kind


def period_start(day: date, period_type: PeriodType) -> date:
    """The first day of the period holding `day`."""
    if period_type == "daily":
        return day
    if period_type == "weekly":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period_start(start: date, period_type: PeriodType) -> date:
    """The first day of the period after the one starting on `start`."""
    if period_type == "daily":
        return start + timedelta(days=1)
    if period_type == "weekly":
        return start + timedelta(days=7)
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def period_of(day: date, period_type: PeriodType) -> Period:
    start = period_start(day, period_type)
    return Period(period_type, start, utc_midnight(start), utc_midnight(next_period_start(start, period_type)))


def today_utc(now: datetime | None = None) -> date:
    at = now or datetime.now(timezone.utc)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).date()


def check_dates(start: date, end: date, *, today: date, min_date: date) -> None:
    """Refuse `start` after `end`, dates before `min_date`, and dates after `today` (UTC)."""
    if start > end:
        raise InvalidPeriod(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    if start < min_date:
        raise InvalidPeriod(
            f"{start.isoformat()} is out of range: the earliest date accepted is {min_date.isoformat()} "
            "(setting ACTIVITY_ANALYTICS_MIN_DATE)"
        )
    if end > today:
        raise InvalidPeriod(f"{end.isoformat()} is in the future (today is {today.isoformat()} UTC)")


def periods_between(
    period_type: PeriodType, start: date, end: date, *, today: date, min_date: date
) -> list[Period]:
    """Every period that holds a day of [start, end], in order, after checking the dates."""
    check_dates(start, end, today=today, min_date=min_date)
    out: list[Period] = []
    day = period_start(start, period_type)
    while day <= end:
        out.append(period_of(day, period_type))
        day = next_period_start(day, period_type)
    return out


def last_complete_periods(period_type: PeriodType, today: date, count: int = 1) -> list[Period]:
    """The `count` most recent periods that ended before `today` (oldest first): what the beat job re-aggregates."""
    current = period_start(today, period_type)
    out: list[Period] = []
    day = current
    for _ in range(count):
        day = period_start(day - timedelta(days=1), period_type)
        out.append(period_of(day, period_type))
    return list(reversed(out))
