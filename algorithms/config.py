"""The GDS jobs' tunables, read from `graph.settings.Settings` with defaults until the fields exist there."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, cast

from graph.settings import Settings, get_settings

CommunityAlgorithm = Literal["louvain", "leiden"]
InfluenceAlgorithm = Literal["pagerank", "articlerank"]
SimilarityMetric = Literal["JACCARD", "OVERLAP", "COSINE"]
# "sharing": only nodes sharing an item are compared (algorithms/sharing.py); "gds": gds.nodeSimilarity.
SimilarityEngine = Literal["sharing", "gds"]

DEFAULT_HALF_LIFE_DAYS = 14.0

# Field names asked of `graph.settings.Settings`; until they exist there, `getattr` falls back to these.
SETTING_DEFAULTS: dict[str, object] = {
    "gds_community_algorithm": "louvain",
    "gds_influence_algorithm": "pagerank",
    "gds_similarity_metric": "JACCARD",
    "gds_user_top_k": 10,
    "gds_content_top_k": 20,
    "gds_cold_start_min_engagements": 3,
    # user_similarity leaves out content engaged by more than this share of the engaged users (1: none).
    "gds_similarity_max_content_share": 0.05,
    # The similarity jobs' engine: the sharing-pairs one (same scores as GDS, without its n^2), or GDS's.
    "gds_similarity_engine": "sharing",
    # Share of the server's available heap one job may plan to use (estimate vs heap).
    "gds_memory_headroom": 0.9,
    # Rows per transaction when results are written back or old results deleted.
    "gds_write_batch_size": 10_000,
}


@dataclass(frozen=True)
class AlgorithmConfig:
    """Defaults every job falls back to when its parameters leave a value open."""

    half_life_days: float
    community_algorithm: CommunityAlgorithm
    influence_algorithm: InfluenceAlgorithm
    similarity_metric: SimilarityMetric
    similarity_engine: SimilarityEngine
    user_top_k: int
    content_top_k: int
    cold_start_min_engagements: int
    max_content_share: float
    memory_headroom: float
    write_batch_size: int

    @property
    def half_life_seconds(self) -> float:
        return self.half_life_days * 86400.0


def _setting(settings: Settings, name: str) -> object:
    return getattr(settings, name, SETTING_DEFAULTS[name])


def _choice(value: object, allowed: tuple[str, ...], name: str) -> str:
    text = str(value)
    if text not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {text!r}")
    return text


def sync_half_life_days(settings: Settings) -> float:
    """The half-life the sync decayed `weight` with: readers must decay with the same one.

    `Settings.half_life_days` when the field exists, else the sync's own weight settings
    (`ACTIVITY_WEIGHT_HALF_LIFE_DAYS`), else 14 days.
    """
    value = getattr(settings, "half_life_days", None)
    if value is None:
        try:
            from sync.weights import Weights

            value = Weights().half_life_days  # the environment's value, as the sync used it
        except (ImportError, AttributeError):
            value = DEFAULT_HALF_LIFE_DAYS
    days = float(cast(float, value))
    if not math.isfinite(days) or days <= 0:
        raise ValueError(f"half-life must be a positive number of days, got {value!r}")
    return days


def algorithm_config(settings: Settings | None = None) -> AlgorithmConfig:
    """The tunables in force (settings first, defaults otherwise), validated."""
    s = settings or get_settings()
    headroom = float(cast(float, _setting(s, "gds_memory_headroom")))
    if not 0 < headroom <= 1:
        raise ValueError(f"gds_memory_headroom must be in (0, 1], got {headroom}")
    share = float(cast(float, _setting(s, "gds_similarity_max_content_share")))
    if not 0 < share <= 1:
        raise ValueError(f"gds_similarity_max_content_share must be in (0, 1], got {share}")
    return AlgorithmConfig(
        half_life_days=sync_half_life_days(s),
        community_algorithm=cast(
            CommunityAlgorithm,
            _choice(_setting(s, "gds_community_algorithm"), ("louvain", "leiden"), "gds_community_algorithm"),
        ),
        influence_algorithm=cast(
            InfluenceAlgorithm,
            _choice(
                _setting(s, "gds_influence_algorithm"), ("pagerank", "articlerank"), "gds_influence_algorithm"
            ),
        ),
        similarity_metric=cast(
            SimilarityMetric,
            _choice(
                str(_setting(s, "gds_similarity_metric")).upper(),
                ("JACCARD", "OVERLAP", "COSINE"),
                "gds_similarity_metric",
            ),
        ),
        similarity_engine=cast(
            SimilarityEngine,
            _choice(
                str(_setting(s, "gds_similarity_engine")).lower(), ("sharing", "gds"), "gds_similarity_engine"
            ),
        ),
        user_top_k=int(cast(int, _setting(s, "gds_user_top_k"))),
        content_top_k=int(cast(int, _setting(s, "gds_content_top_k"))),
        cold_start_min_engagements=int(cast(int, _setting(s, "gds_cold_start_min_engagements"))),
        max_content_share=share,
        memory_headroom=headroom,
        write_batch_size=int(cast(int, _setting(s, "gds_write_batch_size"))),
    )
