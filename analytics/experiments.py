"""A/B experiments on the feed: deterministic assignment and each variant's `graph_feed_score` weights.

Imported in the platform's feed request, so pure: pydantic and hashlib only, nothing touches a database.

Experiments are settings (environment ``ACTIVITY_AB_EXPERIMENTS``, JSON)::

    {"feed_social": {"control": "control",
                     "variants": {"control": {"weight": 1},
                                  "social":  {"weight": 1, "algorithm_version": "graph_feed_social",
                                              "feed_weights": {"components": {"social": 0.3}}}}}}

A variant's ``feed_weights`` override the feed's weights (``graph.feed.weights.FeedWeights``, itself settings
with prefix ``ACTIVITY_FEED_``): a table entry replaces that entry only, a scalar replaces the scalar. The
platform scores a viewer with their variant's weights::

    weights = variant_feed_weights("feed_social", user_id)
    scores = graph_feed_score(user_id, candidates, weights=weights)
    record_impressions(user_id, shown, algorithm_version=..., experiment="feed_social")

A user's variant is a hash of the experiment's salt, its name and the user id, mapped onto the variants'
cumulative weights (variants in name order): the same user always gets the same variant, in every process,
without storing anything. With two variants, changing the weights moves only the users between the old and the
new split (with more, the slices after the changed one shift too); changing the salt reshuffles everyone.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from analytics.errors import UnknownExperiment
from graph.feed.weights import FeedWeights, feed_weights

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def _check_name(kind: str, name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{kind} name {name!r}: 1-64 letters, digits, '_', '.', ':' or '-', starting alphanumeric")
    return name


def _feed_weight_fields() -> set[str]:
    return set(FeedWeights.model_fields)


class VariantConfig(BaseModel):
    """One variant: its share of users (relative weight) and its feed weight overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(default=1.0, gt=0)
    feed_weights: dict[str, Any] = Field(default_factory=dict)
    algorithm_version: str | None = None

    @field_validator("weight")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"weight must be finite, got {value!r}")
        return value

    @field_validator("feed_weights")
    @classmethod
    def _known_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - _feed_weight_fields())
        if unknown:
            raise ValueError(f"unknown feed weight setting(s) {unknown} (see graph/feed/weights.py)")
        return value


class ExperimentConfig(BaseModel):
    """An experiment: two or more variants, one of them the control."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    variants: dict[str, VariantConfig]
    control: str = "control"
    salt: str = ""
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> ExperimentConfig:
        if len(self.variants) < 2:
            raise ValueError(f"an experiment needs at least 2 variants, got {sorted(self.variants)}")
        for name in self.variants:
            _check_name("variant", name)
        if self.control not in self.variants:
            raise ValueError(f"control {self.control!r} is not one of the variants {sorted(self.variants)}")
        for name, variant in self.variants.items():
            try:
                merge_feed_weights(FeedWeights.model_construct(), variant.feed_weights)
            except ValueError as exc:
                raise ValueError(f"variant {name!r}: feed_weights rejected: {exc}") from exc
        return self

    def variant_names(self) -> list[str]:
        """The variants in assignment order (by name: independent of how the JSON was written)."""
        return sorted(self.variants)


class Experiments(BaseModel):
    """Every running experiment, by name. Built from the environment by `experiment_settings()`, or directly
    (``Experiments(experiments={...})``, tests and the demo: no environment involved)."""

    model_config = ConfigDict(frozen=True)

    experiments: dict[str, ExperimentConfig] = Field(default_factory=dict)

    @field_validator("experiments")
    @classmethod
    def _names(cls, value: dict[str, ExperimentConfig]) -> dict[str, ExperimentConfig]:
        for name in value:
            _check_name("experiment", name)
        return value

    def experiment(self, name: str) -> ExperimentConfig:
        """The experiment called `name`, or `UnknownExperiment` naming the configured ones."""
        config = self.experiments.get(name)
        if config is None:
            known = ", ".join(sorted(self.experiments)) or "none"
            raise UnknownExperiment(
                f"unknown experiment {name!r} (configured: {known}; set ACTIVITY_AB_EXPERIMENTS)"
            )
        return config


class ExperimentSettings(BaseSettings):
    """The environment's experiments: ``ACTIVITY_AB_EXPERIMENTS`` as JSON."""

    model_config = SettingsConfigDict(env_prefix="ACTIVITY_AB_", case_sensitive=False, extra="ignore", frozen=True)

    experiments: dict[str, ExperimentConfig] = Field(default_factory=dict)


@lru_cache(maxsize=1)
def experiment_settings() -> Experiments:
    """The process-wide experiments (from the environment); tests call `clear_caches()`."""
    return Experiments(experiments=ExperimentSettings().experiments)


def bucket(experiment: str, user_id: int | str, salt: str = "") -> float:
    """The user's uniform position in [0, 1) for this experiment: sha256(salt|experiment|user) / 2^64."""
    digest = hashlib.sha256(f"{salt}|{experiment}|{str(user_id).strip()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def choose(config: ExperimentConfig, position: float) -> str:
    """The variant whose slice of the cumulative weights holds `position`."""
    names = config.variant_names()
    total = sum(config.variants[n].weight for n in names)
    edge = 0.0
    for name in names:
        edge += config.variants[name].weight / total
        if position < edge:
            return name
    return names[-1]


def assign(experiment: str, user_id: int | str, settings: Experiments | None = None) -> str:
    """The user's variant in `experiment` (deterministic); `UnknownExperiment` if it is not configured."""
    config = (settings if settings is not None else experiment_settings()).experiment(experiment)
    return choose(config, bucket(experiment, user_id, config.salt))


def check_variant(experiment: str, variant: str, settings: Experiments | None = None) -> ExperimentConfig:
    """The experiment, after checking `variant` is one of its variants."""
    config = (settings if settings is not None else experiment_settings()).experiment(experiment)
    if variant not in config.variants:
        raise UnknownExperiment(
            f"experiment {experiment!r} has no variant {variant!r} (variants: {', '.join(config.variant_names())})"
        )
    return config


def merge_feed_weights(base: FeedWeights, overrides: Mapping[str, Any]) -> FeedWeights:
    """`base` with `overrides` applied (tables entry by entry, scalars replaced), validated as FeedWeights."""
    if not overrides:
        return base
    data = {name: getattr(base, name) for name in FeedWeights.model_fields}
    for name, value in overrides.items():
        current = data.get(name)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            data[name] = {**current, **{str(k).strip().lower(): v for k, v in value.items()}}
        else:
            data[name] = value
    return FeedWeights.model_validate(data)


def feed_weights_for(
    experiment: str,
    variant: str,
    *,
    base: FeedWeights | None = None,
    settings: Experiments | None = None,
) -> FeedWeights:
    """The feed weights of one variant of `experiment`: the process's feed weights plus its overrides."""
    if base is None and settings is None:
        return _cached_variant_weights(experiment, variant)
    config = check_variant(experiment, variant, settings)
    return merge_feed_weights(base or feed_weights(), config.variants[variant].feed_weights)


@lru_cache(maxsize=256)
def _cached_variant_weights(experiment: str, variant: str) -> FeedWeights:
    config = check_variant(experiment, variant)
    return merge_feed_weights(feed_weights(), config.variants[variant].feed_weights)


def variant_feed_weights(
    experiment: str,
    user_id: int | str,
    *,
    base: FeedWeights | None = None,
    settings: Experiments | None = None,
) -> FeedWeights:
    """The weights `graph_feed_score(user_id, ..., weights=...)` should use for this user in `experiment`."""
    return feed_weights_for(experiment, assign(experiment, user_id, settings), base=base, settings=settings)


def clear_caches() -> None:
    """Forget the experiments and variant weights read so far (tests, or after changing the environment)."""
    experiment_settings.cache_clear()
    _cached_variant_weights.cache_clear()


def algorithm_version(experiment: str, variant: str, settings: Experiments | None = None) -> str:
    """The variant's algorithm version (its setting, else ``<experiment>:<variant>``)."""
    config = check_variant(experiment, variant, settings)
    return config.variants[variant].algorithm_version or f"{experiment}:{variant}"
