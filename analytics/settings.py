"""The analytics' tunables, as settings (environment prefix ``ACTIVITY_ANALYTICS_``).

Tables merge onto their defaults (``ACTIVITY_ANALYTICS_QUALITY_WEIGHTS='{"share": 8}'``); scalars by name
(``ACTIVITY_ANALYTICS_ATTRIBUTION_WINDOW_HOURS=12``). The weights of the daily engagement score are the sync's
(``sync.weights.Weights``, prefix ``ACTIVITY_WEIGHT_``), so the graph and the aggregates agree. The A/B experiments
have their own settings (``analytics.experiments.ExperimentSettings``: ``ACTIVITY_AB_EXPERIMENTS``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The write-up's content scoring query (section 4.1): view 1, like 3, comment 5, share 7, save 6, anything
# else 1. Two deliberate changes: undoing or rejecting content (unlike, unsave, unreact, unpin, hide, report)
# is not engagement (0), and neither is the author's own `create` (0): the score is what the audience did.
DEFAULT_QUALITY_WEIGHTS: Mapping[str, float] = {
    "view": 1.0,
    "like": 3.0,
    "comment": 5.0,
    "share": 7.0,
    "save": 6.0,
    "create": 0.0,
    "unlike": 0.0,
    "unsave": 0.0,
    "unreact": 0.0,
    "unpin": 0.0,
    "hide": 0.0,
    "report": 0.0,
}

# After a feed impression, an interaction of one of these types with the same content is an engagement (the
# write-up's 6.3: "type != 'view'"), any other non-negative one a click.
DEFAULT_ENGAGEMENT_TYPES: tuple[str, ...] = ("like", "comment", "share", "save", "react", "reaction", "rate", "pin")
# Interactions that are not a click on what was shown (undoing, hiding, reporting).
DEFAULT_NEGATIVE_TYPES: tuple[str, ...] = ("unlike", "unsave", "unreact", "unpin", "hide", "report")


class AnalyticsSettings(BaseSettings):
    """Windows, weights and limits of the analytics jobs and reports (``ACTIVITY_ANALYTICS_``)."""

    model_config = SettingsConfigDict(
        env_prefix="ACTIVITY_ANALYTICS_",
        env_nested_delimiter="__",
        case_sensitive=False,
        extra="ignore",
        frozen=True,
    )

    # Dates before this are refused (the platform's activity tables start in September 2025).
    min_date: date = date(2000, 1, 1)

    # Engagement quality (write-up 4.1): window, weights; content types scored (default: every platform
    # content type with a node label, graph.settings.Settings.content_labels).
    quality_window_days: float = 7.0
    quality_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_QUALITY_WEIGHTS))
    quality_default_weight: float = 1.0
    quality_content_types: tuple[str, ...] = ()

    # Temporal patterns (write-up 3.2.4): window in whole UTC days, and the inactivity gap that ends an
    # inferred session (used for users without session_activity rows, i.e. every user while the platform's
    # session tracking stays unmounted).
    patterns_days: int = 30
    session_gap_minutes: float = 30.0

    # Behaviour profiles (write-up 4.2): default window in days.
    profile_days: int = 30

    # Feed performance (write-up 6.3): an interaction counts for the latest impression of the same content
    # to the same user within this window before it.
    attribution_window_hours: float = 24.0
    engagement_types: tuple[str, ...] = DEFAULT_ENGAGEMENT_TYPES
    negative_types: tuple[str, ...] = DEFAULT_NEGATIVE_TYPES

    # A/B reports
    confidence: float = 0.95

    # Jobs: how many days the daily beat job re-aggregates (late rows land in yesterday or the day before),
    # and rows per Neo4j UNWIND batch.
    aggregate_lookback_days: int = 2
    graph_batch_size: int = 5000

    @field_validator("quality_weights", mode="before")
    @classmethod
    def _merge_quality(cls, value: Any) -> Any:
        if value is None:
            return dict(DEFAULT_QUALITY_WEIGHTS)
        if isinstance(value, Mapping):
            return {**DEFAULT_QUALITY_WEIGHTS, **{str(k).strip().lower(): v for k, v in value.items()}}
        return value

    @model_validator(mode="after")
    def _check(self) -> AnalyticsSettings:
        for key, w in {**self.quality_weights, "(default)": self.quality_default_weight}.items():
            if not math.isfinite(w) or w < 0:
                raise ValueError(f"quality weight {key!r} must be finite and >= 0, got {w!r}")
        positive = {
            "quality_window_days": self.quality_window_days,
            "session_gap_minutes": self.session_gap_minutes,
            "attribution_window_hours": self.attribution_window_hours,
        }
        for name, value in positive.items():
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be finite and > 0, got {value!r}")
        for name, n in {"patterns_days": self.patterns_days, "profile_days": self.profile_days,
                        "aggregate_lookback_days": self.aggregate_lookback_days,
                        "graph_batch_size": self.graph_batch_size}.items():
            if n < 1:
                raise ValueError(f"{name} must be >= 1, got {n!r}")
        if not 0.5 <= self.confidence < 1.0:
            raise ValueError(f"confidence must be in [0.5, 1), got {self.confidence!r}")
        return self


@lru_cache(maxsize=1)
def analytics_settings() -> AnalyticsSettings:
    """The process-wide analytics settings (from the environment); tests call ``cache_clear()``."""
    return AnalyticsSettings()
