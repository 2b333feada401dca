"""The analytics' errors: each names the bad input and what would be accepted, so the CLI can print it as is."""

from __future__ import annotations


class AnalyticsError(ValueError):
    """Bad input to an analytics job or report; nothing was written."""


class InvalidPeriod(AnalyticsError):
    """An unknown period type, dates out of range, in the future, or `from` after `to`."""


class UnknownUser(AnalyticsError):
    """A user id with no `auth_user` row."""


class UnknownExperiment(AnalyticsError):
    """An experiment (or a variant of one) that the A/B settings do not define."""


class InvalidImpression(AnalyticsError):
    """An impression that cannot be recorded (bad id, type, position or time)."""
