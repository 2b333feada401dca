"""A/B assignment and variant weights: deterministic, weighted, overrides of graph/feed/weights.py, clear errors.

Graph-facing: the platform's feed request calls `variant_feed_weights` before `graph_feed_score`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from analytics import experiments as ab
from analytics.errors import UnknownExperiment
from graph.feed.weights import FeedWeights, feed_weights

pytestmark = pytest.mark.graph_facing

CONFIG = {
    "feed_social": {
        "control": "control",
        "variants": {
            "control": {"weight": 1},
            "social": {"weight": 3, "algorithm_version": "graph_social",
                       "feed_weights": {"components": {"social": 0.3}, "deadline_ms": 80}},
        },
    }
}


@pytest.fixture()
def env_experiments(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ACTIVITY_AB_EXPERIMENTS", json.dumps(CONFIG))
    ab.clear_caches()
    feed_weights.cache_clear()
    yield
    monkeypatch.undo()
    ab.clear_caches()
    feed_weights.cache_clear()


def test_assignment_is_deterministic_and_weighted(env_experiments: None) -> None:
    settings = ab.experiment_settings()
    assert list(settings.experiments) == ["feed_social"]
    first = [ab.assign("feed_social", u) for u in range(1, 20001)]
    assert first == [ab.assign("feed_social", str(u)) for u in range(1, 20001)]  # int or text id: same variant
    shares = Counter(first)
    assert shares["social"] / 20000 == pytest.approx(0.75, abs=0.015)  # weights 1:3
    # another experiment (or salt) shuffles independently of this one
    other = ab.Experiments.model_validate({"experiments": {"other": settings.experiments["feed_social"]}})
    agree = sum(a == ab.assign("other", u, other) for u, a in enumerate(first, start=1))
    assert 0.55 < agree / 20000 < 0.70  # independent draws agree 0.75² + 0.25² = 62.5% of the time
    assert ab.bucket("feed_social", 1) == ab.bucket("feed_social", " 1 ")


def test_variant_weights_override_the_feed_weights(env_experiments: None) -> None:
    base = feed_weights()
    control = ab.feed_weights_for("feed_social", "control")
    social = ab.feed_weights_for("feed_social", "social")
    assert isinstance(social, FeedWeights)
    assert control.model_dump() == base.model_dump()
    assert social.components["social"] == 0.3 and social.deadline_ms == 80
    # only the overridden entries change; the rest of the table and every other setting stay the base's
    assert {k: v for k, v in social.components.items() if k != "social"} == {
        k: v for k, v in base.components.items() if k != "social"}
    assert social.signals == base.signals and social.strength == base.strength
    user = next(u for u in range(1, 100) if ab.assign("feed_social", u) == "social")
    assert ab.variant_feed_weights("feed_social", user) is social  # cached per variant
    assert ab.algorithm_version("feed_social", "social") == "graph_social"
    assert ab.algorithm_version("feed_social", "control") == "feed_social:control"
    # an explicit base (e.g. the feed's own environment weights) is overridden the same way
    tuned = FeedWeights.model_validate({"max_candidates": 10})
    assert ab.feed_weights_for("feed_social", "social", base=tuned,
                               settings=ab.experiment_settings()).max_candidates == 10


def test_unknown_experiment_and_variant_are_clear_errors(env_experiments: None) -> None:
    with pytest.raises(UnknownExperiment, match=r"unknown experiment 'nope' \(configured: feed_social"):
        ab.assign("nope", 1)
    with pytest.raises(UnknownExperiment, match="no variant 'blue'"):
        ab.feed_weights_for("feed_social", "blue")
    with pytest.raises(UnknownExperiment, match="configured: none"):
        ab.assign("x", 1, ab.Experiments.model_validate({"experiments": {}}))


@pytest.mark.parametrize(("config", "message"), [
    ({"variants": {"control": {}}}, "at least 2 variants"),
    ({"variants": {"a": {}, "b": {}}}, "control 'control' is not one of"),
    ({"variants": {"control": {}, "b": {"weight": 0}}}, "greater than 0"),
    ({"variants": {"control": {}, "b": {"feed_weights": {"no_such": 1}}}}, "unknown feed weight setting"),
    ({"variants": {"control": {}, "b": {"feed_weights": {"components": {"social": -1}}}}}, "finite and >= 0"),
    ({"variants": {"control": {}, "b c": {}}}, "variant name"),
])
def test_bad_experiment_settings_are_refused(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ab.Experiments.model_validate({"experiments": {"e": config}})
