"""Every weight and limit the sync applies, as settings, so tuning the graph's numbers needs no code change.

Environment: prefix ``ACTIVITY_WEIGHT_``; one entry of a table with ``__``
(``ACTIVITY_WEIGHT_CONTENT__LIKE=0.4``) or a whole table as JSON
(``ACTIVITY_WEIGHT_MEDIA='{"download": 0.6}'``). Table overrides are merged onto the defaults below, never
replace them. Scalars: ``ACTIVITY_WEIGHT_HALF_LIFE_DAYS=7``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.weight_tables import check_finite, check_table, merge_table
from sync.decay import DEFAULT_HALF_LIFE_DAYS

__all__ = [
    "DEFAULT_CONTENT_WEIGHTS",
    "DEFAULT_MEDIA_WEIGHTS",
    "DEFAULT_VISIT_WEIGHTS",
    "Weights",
    "content_contribution",
    "default_weights",
    "media_contribution",
    "scroll_bonus",
    "time_bonus",
    "vibe_contribution",
    "visit_contribution",
]

# The platform write-up, section 3.2.2 (`_calculate_engagement_score`); anything else takes `content_default`.
DEFAULT_CONTENT_WEIGHTS: Mapping[str, float] = {
    "view": 0.1,
    "like": 0.3,
    "comment": 0.5,
    "share": 0.7,
    "save": 0.6,
    "create": 1.0,
}

# Visits (VISITED), by `social_interaction.interaction_type` / `profile_activity.activity_type`. A deliberate
# visit to a person weighs like a like (0.3); signals of intent weigh more; negative acts weigh nothing but
# are still counted on the edge (`n_profile_block`, ...), so readers can see them.
DEFAULT_VISIT_WEIGHTS: Mapping[str, float] = {
    "profile_visit": 0.3,
    "profile_view": 0.3,
    "profile_follow": 0.8,
    "profile_message": 0.6,
    "profile_share": 0.7,
    "achievement_view": 0.2,
    "experience_view": 0.2,
    "posts_browse": 0.2,
    "stories_browse": 0.2,
    "profile_unfollow": 0.0,
    "profile_block": 0.0,
    "profile_unblock": 0.0,
    "profile_report": 0.0,
}

# Media (ENGAGED_WITH the media, or the post for `comment_media`), by `media_interaction.interaction_type`.
# Passive look = the write-up's view (0.1); acts that take effort or spread the media weigh like their
# content twins (share 0.7); player fiddling (pause, seek, volume, quality) is nearly no signal.
DEFAULT_MEDIA_WEIGHTS: Mapping[str, float] = {
    "view": 0.1,
    "click": 0.15,
    "zoom": 0.2,
    "play": 0.2,
    "fullscreen": 0.25,
    "download": 0.5,
    "share": 0.7,
    "pause": 0.05,
    "seek": 0.05,
    "volume_change": 0.05,
    "quality_change": 0.05,
}


class Weights(BaseSettings):
    """Weights, bonuses, decay and validation limits of the sync (env prefix ``ACTIVITY_WEIGHT_``)."""

    model_config = SettingsConfigDict(
        env_prefix="ACTIVITY_WEIGHT_",
        env_nested_delimiter="__",
        case_sensitive=False,
        extra="ignore",
        frozen=True,
    )

    # content_interaction: weight[type] + time bonus + scroll bonus (write-up 3.2.2)
    content: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_CONTENT_WEIGHTS))
    content_default: float = 0.1
    # time bonus = min(duration_seconds / 60, time_bonus_cap_minutes) * time_bonus_per_minute
    time_bonus_per_minute: float = 0.1
    time_bonus_cap_minutes: float = 5.0
    # scroll bonus = scroll_depth_percentage / 100 * scroll_bonus_full
    scroll_bonus_full: float = 0.2

    # social_interaction profile_visit and profile_activity: weight[type] + time bonus (profile_activity only)
    visit: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_VISIT_WEIGHTS))
    visit_default: float = 0.1

    # media_interaction: weight[type] + time bonus (watch/listen time)
    media: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_MEDIA_WEIGHTS))
    media_default: float = 0.1

    # vibe_activity vibe_send: vibe_base + vibe_score_scale * vibe_score (score in [0, vibe_score_max];
    # missing score counts 0). The platform's vibe intensity is 1.0-5.0: 1 -> 0.52, 3 -> 0.76, 5 -> 1.0.
    vibe_base: float = 0.4
    vibe_score_scale: float = 0.12
    vibe_score_max: float = 5.0
    # vibe_category values that retract a vibe rather than send one: counted, weight 0.
    vibe_zero_weight_categories: tuple[str, ...] = ("post_reaction_delete",)

    # decay
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS

    # validation limits: rows beyond them are quarantined
    max_duration_seconds: float = 86400.0  # content/profile/media duration and media position
    max_session_seconds: float = 7 * 86400.0  # session_activity length
    max_future_skew_seconds: float = 86400.0  # row timestamp later than its updated_at by more than this

    @field_validator("content", mode="before")
    @classmethod
    def _merge_content(cls, value: Any) -> Any:
        return merge_table(DEFAULT_CONTENT_WEIGHTS, value)

    @field_validator("visit", mode="before")
    @classmethod
    def _merge_visit(cls, value: Any) -> Any:
        return merge_table(DEFAULT_VISIT_WEIGHTS, value)

    @field_validator("media", mode="before")
    @classmethod
    def _merge_media(cls, value: Any) -> Any:
        return merge_table(DEFAULT_MEDIA_WEIGHTS, value)

    @model_validator(mode="after")
    def _check(self) -> Weights:
        check_table("content", self.content)
        check_table("visit", self.visit)
        check_table("media", self.media)
        scalars = {
            "content_default": self.content_default,
            "visit_default": self.visit_default,
            "media_default": self.media_default,
            "time_bonus_per_minute": self.time_bonus_per_minute,
            "time_bonus_cap_minutes": self.time_bonus_cap_minutes,
            "scroll_bonus_full": self.scroll_bonus_full,
            "vibe_base": self.vibe_base,
            "vibe_score_scale": self.vibe_score_scale,
        }
        check_finite(scalars, positive=False)
        positive = {
            "vibe_score_max": self.vibe_score_max,
            "half_life_days": self.half_life_days,
            "max_duration_seconds": self.max_duration_seconds,
            "max_session_seconds": self.max_session_seconds,
            "max_future_skew_seconds": self.max_future_skew_seconds,
        }
        check_finite(positive, positive=True)
        return self

    @property
    def half_life_seconds(self) -> float:
        """The decay half-life in seconds."""
        return self.half_life_days * 86400.0

    def content_weight(self, interaction_type: str) -> float:
        """The base weight of a content interaction type (``content_default`` when it has none)."""
        return self.content.get(interaction_type, self.content_default)

    def visit_weight(self, activity_type: str) -> float:
        """The base weight of a visit type (``visit_default`` when it has none)."""
        return self.visit.get(activity_type, self.visit_default)

    def media_weight(self, interaction_type: str) -> float:
        """The base weight of a media interaction type (``media_default`` when it has none)."""
        return self.media.get(interaction_type, self.media_default)


@lru_cache(maxsize=1)
def default_weights() -> Weights:
    """The code defaults, ignoring the environment (pure callers and tests)."""
    return Weights.model_construct()


def time_bonus(duration_seconds: float | None, weights: Weights | None = None) -> float:
    """min(duration/60, cap) * per_minute; 0 for no duration (write-up 3.2.2)."""
    w = weights or default_weights()
    if not duration_seconds:
        return 0.0
    return min(duration_seconds / 60.0, w.time_bonus_cap_minutes) * w.time_bonus_per_minute


def scroll_bonus(scroll_depth_percentage: float | None, weights: Weights | None = None) -> float:
    """depth/100 * full; 0 for no depth (write-up 3.2.2)."""
    w = weights or default_weights()
    if not scroll_depth_percentage:
        return 0.0
    return scroll_depth_percentage / 100.0 * w.scroll_bonus_full


def content_contribution(
    interaction_type: str,
    duration_seconds: float | None = None,
    scroll_depth: float | None = None,
    weights: Weights | None = None,
) -> float:
    """One content_interaction row: weight[type] + time bonus + scroll bonus (inputs already validated)."""
    w = weights or default_weights()
    return (
        w.content_weight(interaction_type) + time_bonus(duration_seconds, w) + scroll_bonus(scroll_depth, w)
    )


def visit_contribution(
    activity_type: str, duration_seconds: float | None = None, weights: Weights | None = None
) -> float:
    """One visit row: weight[type] + time bonus."""
    w = weights or default_weights()
    return w.visit_weight(activity_type) + time_bonus(duration_seconds, w)


def media_contribution(
    interaction_type: str, duration_seconds: float | None = None, weights: Weights | None = None
) -> float:
    """One media_interaction row: weight[type] + time bonus."""
    w = weights or default_weights()
    return w.media_weight(interaction_type) + time_bonus(duration_seconds, w)


def vibe_contribution(
    vibe_score: float | None, vibe_category: str | None = None, weights: Weights | None = None
) -> float:
    """One vibe_send row: base + scale * score; 0 for a retraction category."""
    w = weights or default_weights()
    if vibe_category is not None and vibe_category in w.vibe_zero_weight_categories:
        return 0.0
    score = 0.0 if vibe_score is None else min(max(vibe_score, 0.0), w.vibe_score_max)
    return w.vibe_base + w.vibe_score_scale * score
