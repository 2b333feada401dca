"""Aggregation periods: UTC days, ISO weeks dated by their Monday, months by their 1st; input checks."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from analytics.errors import InvalidPeriod
from analytics.periods import (
    last_complete_periods,
    period_of,
    period_start,
    period_type_of,
    periods_between,
    today_utc,
)

TODAY = date(2025, 3, 20)
MIN = date(2000, 1, 1)


def test_period_starts_and_bounds() -> None:
    wednesday = date(2025, 3, 12)
    assert period_start(wednesday, "daily") == wednesday
    assert period_start(wednesday, "weekly") == date(2025, 3, 10)
    assert period_start(wednesday, "monthly") == date(2025, 3, 1)
    december = period_of(date(2024, 12, 31), "monthly")
    assert december.start == datetime(2024, 12, 1, tzinfo=timezone.utc)
    assert december.end == datetime(2025, 1, 1, tzinfo=timezone.utc)
    week = period_of(date(2025, 3, 16), "weekly")  # a Sunday: the week that started on Monday 03-10
    assert (week.date, week.end) == (date(2025, 3, 10), datetime(2025, 3, 17, tzinfo=timezone.utc))


def test_periods_between() -> None:
    days = periods_between("daily", date(2025, 2, 27), date(2025, 3, 2), today=TODAY, min_date=MIN)
    assert [p.date for p in days] == [date(2025, 2, 27), date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 2)]
    weeks = periods_between("weekly", date(2025, 3, 5), date(2025, 3, 10), today=TODAY, min_date=MIN)
    assert [p.date for p in weeks] == [date(2025, 3, 3), date(2025, 3, 10)]
    months = periods_between("monthly", date(2024, 12, 15), date(2025, 1, 2), today=TODAY, min_date=MIN)
    assert [p.date for p in months] == [date(2024, 12, 1), date(2025, 1, 1)]
    assert len(periods_between("daily", TODAY, TODAY, today=TODAY, min_date=MIN)) == 1  # today is allowed


@pytest.mark.parametrize(("start", "end", "message"), [
    (date(2025, 3, 2), date(2025, 3, 1), "after"),
    (date(2025, 3, 1), date(2025, 3, 21), "in the future"),
    (date(1999, 12, 31), date(2025, 3, 1), "out of range"),
])
def test_bad_dates(start: date, end: date, message: str) -> None:
    with pytest.raises(InvalidPeriod, match=message):
        periods_between("daily", start, end, today=TODAY, min_date=MIN)


def test_period_type_of() -> None:
    assert period_type_of(" Weekly ") == "weekly"
    with pytest.raises(InvalidPeriod, match="daily, weekly, monthly"):
        period_type_of("hourly")


def test_last_complete_periods() -> None:
    assert [p.date for p in last_complete_periods("daily", TODAY, 2)] == [date(2025, 3, 18), date(2025, 3, 19)]
    assert [p.date for p in last_complete_periods("weekly", TODAY)] == [date(2025, 3, 10)]
    assert [p.date for p in last_complete_periods("monthly", date(2025, 1, 1))] == [date(2024, 12, 1)]
    assert today_utc(datetime(2025, 3, 20, 23, 30, tzinfo=timezone.utc)) == TODAY
