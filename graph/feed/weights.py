"""Every weight, scale and limit of connection strength and the feed score, as settings.

Environment prefix ``ACTIVITY_FEED_``; one entry of a table with ``__`` (``ACTIVITY_FEED_COMPONENTS__SOCIAL=0.2``),
a whole table as JSON (``ACTIVITY_FEED_STRENGTH='{"connected": 0.3}'``), merged onto the defaults; scalars by
name (``ACTIVITY_FEED_DEADLINE_MS=40``). Pure: importing this module touches neither the network nor Neo4j.

Until these fields move into ``graph.settings.Settings`` (see docs/feed.md, "Settings"), this class is the
single place they live.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.weight_tables import check_finite, check_table, merge_table

# Connection strength A -> B: weight of each component (each component is in [0, 1]; the total is the
# weighted mean, so it stays in [0, 1] whatever the weights).
DEFAULT_STRENGTH_WEIGHTS: Mapping[str, float] = {
    "connection": 0.20,  # CONNECTED connected / the platform's Connection `Accepted` (pending: `requested_value`)
    "visits_out": 0.15,  # A visited B (decayed VISITED A -> B)
    "engaged_out": 0.15,  # A engaged with B's content (decayed ENGAGED_WITH on what B created)
    "vibes_out": 0.10,  # A vibed B (decayed VIBED A -> B; a vibe's weight grows with its score)
    "mutual": 0.10,  # connections A and B share
    "similar": 0.10,  # SIMILAR_TO between A and B (current GDS runs), best source
    "visits_in": 0.05,  # B visited A
    "vibes_in": 0.05,  # B vibed A
    "engaged_in": 0.05,  # B engaged with A's content
    "community": 0.05,  # same GDS community, or platform communities (Membership) both belong to
}

# Saturation constants: a raw value x becomes x / (x + k), so x = k gives 0.5.
DEFAULT_STRENGTH_SCALES: Mapping[str, float] = {
    "visits": 1.0,  # decayed visit weight (a profile visit is 0.3)
    "vibes": 1.0,  # decayed vibe weight (one vibe is 0.52 - 1.0)
    "engaged": 1.0,  # decayed engagement weight (a like 0.3, a comment 0.5, ...)
    "mutual": 5.0,  # shared connections
    "groups": 1.0,  # shared platform communities
}

# The write-up's EnhancedFeedService (section 6.2): base 0.4, engagement 0.25, social 0.15, temporal 0.1,
# preference 0.1. Each component is in [0, 1]; the score is the weighted mean of the components in force.
DEFAULT_COMPONENT_WEIGHTS: Mapping[str, float] = {
    "base": 0.40,
    "engagement": 0.25,
    "social": 0.15,
    "temporal": 0.10,
    "preference": 0.10,
}

# How each component is made of its signals (weighted means again).
DEFAULT_SIGNAL_WEIGHTS: Mapping[str, float] = {
    # base: what the content is worth to anyone
    "base.popularity": 0.7,
    "base.influence": 0.3,
    # engagement: quality of the engagement the content received (write-up 3.2.2: weight by type, time
    # spent, scroll depth; decayed)
    "engagement.quality": 0.5,
    "engagement.time_spent": 0.25,
    "engagement.scroll_depth": 0.25,
    # social (write-up 3.2.3: connection strength 0.4, social proof 0.3 + 0.3): the tie to the author, and
    # engagement by the viewer's similar users and community (the collaborative signals)
    "social.strength": 0.4,
    "social.similar_users": 0.3,
    "social.community": 0.3,
    # temporal (3.2.4): freshness, and whether the content appeared in the viewer's active hours
    "temporal.freshness": 0.6,
    "temporal.active_hours": 0.4,
    # preference (3.2.2): the learned content-type preference, and similarity to content the viewer engaged with
    "preference.type": 0.5,
    "preference.content": 0.5,
}

DEFAULT_SIGNAL_SCALES: Mapping[str, float] = {
    "popularity": 5.0,  # decayed engagement weight on the content (estimated over all engagers)
    "influence": 1.0,  # the author's `influence` (PageRank: 0.15 for an isolated user)
    "quality": 0.5,  # mean decayed engagement weight per engager
    "time_spent": 60.0,  # mean seconds per engager
    "similar_users": 0.5,  # sum over similar users of similarity x decayed engagement weight
    "community": 1.0,  # decayed engagement weight from engagers in the viewer's community (sampled)
}

# Content types (post_type or content_type) that count as visual media.
DEFAULT_VISUAL_KINDS: tuple[str, ...] = ("image", "video", "gif", "photo", "reel", "thumbnail", "media")


class FeedWeights(BaseSettings):
    """Connection strength and `graph_feed_score`: weights, scales, adjustments, limits (``ACTIVITY_FEED_``)."""

    model_config = SettingsConfigDict(
        env_prefix="ACTIVITY_FEED_",
        env_nested_delimiter="__",
        case_sensitive=False,
        extra="ignore",
        frozen=True,
    )

    # -- connection strength
    strength: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_STRENGTH_WEIGHTS))
    strength_scales: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_STRENGTH_SCALES))
    # value of the connection component for a pending request (CONNECTED requested / Connection Received)
    requested_value: float = 0.3

    # -- feed score
    components: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_COMPONENT_WEIGHTS))
    signals: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SIGNAL_WEIGHTS))
    scales: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SIGNAL_SCALES))
    freshness_half_life_hours: float = 48.0

    # Personalised adjustments (write-up 4.4). A highly social viewer: social weight + social_boost.
    social_boost: float = 0.1
    social_min_connections: int = 10
    social_min_tie_weight: float = 3.0  # or this much decayed VISITED + VIBED weight given out
    # A visual-content lover (this share of recent engagement weight on visual kinds): media term weight.
    media_boost: float = 0.2
    visual_min_share: float = 0.5
    visual_kinds: tuple[str, ...] = DEFAULT_VISUAL_KINDS
    # An active creator (at least creator_min_items authored): creator term weight, the term being 1 for
    # content whose author is an active creator too.
    creator_boost: float = 0.15
    creator_min_items: int = 5

    # -- bounds of the one query (each keeps the work per call bounded on any graph)
    max_similar_users: int = 10  # viewer's SIMILAR_TO users considered (best score first)
    max_ties: int = 100  # feed: the viewer's strongest direct ties read per author (others: 0 for those parts)
    max_engaged: int = 200  # viewer's most recent engagements (preference, content similarity)
    max_tie_engagements: int = 200  # viewer's most recent engagements a tie's engaged_out is read from
    max_fans: int = 5000  # users who engaged with the viewer's content considered for engaged_in
    sample_edges: int = 30  # engagers read per candidate (quality, community); popularity scales by degree
    max_candidates: int = 1000  # more candidates than this: the rest score neutral

    # -- viewer snapshots (graph/feed/viewers.py): the viewer's side computed ahead of the request
    snapshot_max_age_s: float = 900.0  # older snapshots are ignored (the live query runs); 0 turns them off
    snapshot_max_items: int = 2000  # per viewer: content the similar users engaged with / near recent engagements
    snapshot_max_fof: int = 2000  # per viewer: connections' connections kept for `mutual`

    # -- per-process caches (graph/feed/cache.py)
    content_cache_ttl_s: float = 60.0  # a candidate's viewer-independent features are reused this long; 0: off
    content_cache_max_items: int = 10_000  # candidates held (LRU; ~2.7 KB each, measured)
    snapshot_cache_max_viewers: int = 64  # viewer snapshots held (LRU, exact; ~0.4 MB for an active viewer)

    # -- request path
    deadline_ms: float = 50.0
    neutral_score: float = 0.5
    max_in_flight: int = 64  # concurrent feed queries per process; beyond it, neutral scores at once
    breaker_seconds: float = 5.0  # after a connection failure, neutral scores without trying for this long
    log_interval_seconds: float = 10.0  # one warning per reason per interval (the rest are counted)
    connection_timeout_s: float = 2.0  # TCP connect timeout of the feed's own driver

    # -- graph candidates
    candidate_window_days: float = 14.0
    candidate_types: tuple[str, ...] = ("post", "community_post")
    candidate_sources: dict[str, float] = Field(
        default_factory=lambda: {"similar_users": 1.0, "ties": 1.0, "community": 0.5, "content": 1.0}
    )
    candidate_max_ties: int = 20
    candidate_per_source: int = 200

    # -- diversity re-ranking (write-up 4.4, "content diversity optimization")
    diversity_default_share: float = 0.2
    diversity_tolerance: float = 1.5

    @field_validator("strength", mode="before")
    @classmethod
    def _merge_strength(cls, value: Any) -> Any:
        return merge_table(DEFAULT_STRENGTH_WEIGHTS, value)

    @field_validator("strength_scales", mode="before")
    @classmethod
    def _merge_strength_scales(cls, value: Any) -> Any:
        return merge_table(DEFAULT_STRENGTH_SCALES, value)

    @field_validator("components", mode="before")
    @classmethod
    def _merge_components(cls, value: Any) -> Any:
        return merge_table(DEFAULT_COMPONENT_WEIGHTS, value)

    @field_validator("signals", mode="before")
    @classmethod
    def _merge_signals(cls, value: Any) -> Any:
        return merge_table(DEFAULT_SIGNAL_WEIGHTS, value)

    @field_validator("scales", mode="before")
    @classmethod
    def _merge_scales(cls, value: Any) -> Any:
        return merge_table(DEFAULT_SIGNAL_SCALES, value)

    @model_validator(mode="after")
    def _check(self) -> FeedWeights:
        check_table("strength", self.strength, DEFAULT_STRENGTH_WEIGHTS)
        check_table("strength_scales", self.strength_scales, DEFAULT_STRENGTH_SCALES)
        check_table("components", self.components, DEFAULT_COMPONENT_WEIGHTS)
        check_table("signals", self.signals, DEFAULT_SIGNAL_WEIGHTS)
        check_table("scales", self.scales, DEFAULT_SIGNAL_SCALES)
        if sum(self.strength.values()) <= 0 or sum(self.components.values()) <= 0:
            raise ValueError("strength and component weights must not all be 0")
        for name, table in (("strength_scales", self.strength_scales), ("scales", self.scales)):
            for key, k in table.items():
                if k <= 0:
                    raise ValueError(f"{name}[{key!r}] must be > 0, got {k!r}")
        non_negative = {
            "requested_value": self.requested_value,
            "social_boost": self.social_boost,
            "media_boost": self.media_boost,
            "creator_boost": self.creator_boost,
            "social_min_tie_weight": self.social_min_tie_weight,
            "breaker_seconds": self.breaker_seconds,
            "log_interval_seconds": self.log_interval_seconds,
            "snapshot_max_age_s": self.snapshot_max_age_s,
            "content_cache_ttl_s": self.content_cache_ttl_s,
        }
        check_finite(non_negative, positive=False)
        positive = {
            "freshness_half_life_hours": self.freshness_half_life_hours,
            "deadline_ms": self.deadline_ms,
            "connection_timeout_s": self.connection_timeout_s,
            "candidate_window_days": self.candidate_window_days,
            "diversity_tolerance": self.diversity_tolerance,
        }
        check_finite(positive, positive=True)
        for name, share in (("requested_value", self.requested_value), ("neutral_score", self.neutral_score),
                            ("visual_min_share", self.visual_min_share),
                            ("diversity_default_share", self.diversity_default_share)):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {share!r}")
        counts = {
            "max_similar_users": self.max_similar_users,
            "max_ties": self.max_ties,
            "max_engaged": self.max_engaged,
            "max_tie_engagements": self.max_tie_engagements,
            "max_fans": self.max_fans,
            "sample_edges": self.sample_edges,
            "max_candidates": self.max_candidates,
            "max_in_flight": self.max_in_flight,
            "candidate_max_ties": self.candidate_max_ties,
            "candidate_per_source": self.candidate_per_source,
            "snapshot_max_items": self.snapshot_max_items,
            "snapshot_max_fof": self.snapshot_max_fof,
        }
        for name, n in counts.items():
            if n < 1:
                raise ValueError(f"{name} must be >= 1, got {n!r}")
        for name, n in (("content_cache_max_items", self.content_cache_max_items),
                        ("snapshot_cache_max_viewers", self.snapshot_cache_max_viewers)):
            if n < 0:
                raise ValueError(f"{name} must be >= 0 (0: off), got {n!r}")
        return self

    def signal(self, name: str) -> float:
        """The weight of one signal inside its component (``"social.strength"``)."""
        return self.signals[name]


@lru_cache(maxsize=1)
def feed_weights() -> FeedWeights:
    """The process-wide feed settings (from the environment); tests call ``feed_weights.cache_clear()``."""
    return FeedWeights()


@lru_cache(maxsize=1)
def default_feed_weights() -> FeedWeights:
    """The code defaults, ignoring the environment (pure callers and tests)."""
    return FeedWeights.model_construct()
