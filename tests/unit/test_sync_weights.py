"""Weights: the platform write-up's formula on hand-computed rows, the chosen tables, and env overrides."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sync.weights import (
    Weights,
    content_contribution,
    default_weights,
    media_contribution,
    vibe_contribution,
    visit_contribution,
)

WRITE_UP = {"view": 0.1, "like": 0.3, "comment": 0.5, "share": 0.7, "save": 0.6, "create": 1.0}


def write_up_row_score(interaction_type: str, duration_seconds: float | None, scroll: float | None) -> float:
    """The loop body of `_calculate_engagement_score` in the write-up (3.2.2), transcribed."""
    weight = WRITE_UP.get(interaction_type, 0.1)
    if duration_seconds:
        weight += min(duration_seconds / 60, 5) * 0.1
    if scroll:
        weight += scroll / 100 * 0.2
    return weight


def test_defaults_are_the_write_up() -> None:
    w = default_weights()
    assert w.content == WRITE_UP
    assert w.content_default == 0.1
    assert w.half_life_days == 14.0
    assert w.half_life_seconds == 14 * 86400.0


@pytest.mark.parametrize(
    ("interaction_type", "duration", "scroll", "expected"),
    [
        ("like", 90, 50.0, 0.3 + 0.15 + 0.1),  # 90 s = 1.5 min -> 0.15; 50 % -> 0.1
        ("view", 600, 100.0, 0.1 + 0.5 + 0.2),  # time bonus capped at 5 min
        ("create", None, None, 1.0),
        ("comment", 0, 0.0, 0.5),  # zero duration/scroll: no bonus
        ("share", 30, None, 0.7 + 0.05),
        ("save", None, 25.0, 0.6 + 0.05),
        ("boost", 30, None, 0.1 + 0.05),  # a type with no weight of its own: 0.1
        ("unlike", None, None, 0.1),
    ],
)
def test_content_contribution_by_hand(
    interaction_type: str, duration: int | None, scroll: float | None, expected: float
) -> None:
    assert math.isclose(content_contribution(interaction_type, duration, scroll), expected, rel_tol=1e-12)


@given(
    interaction_type=st.sampled_from([*WRITE_UP, "react", "update", "never_seen"]),
    duration=st.none() | st.integers(min_value=0, max_value=86400),
    scroll=st.none() | st.floats(min_value=0.0, max_value=100.0),
)
def test_content_contribution_equals_write_up(
    interaction_type: str, duration: int | None, scroll: float | None
) -> None:
    assert math.isclose(
        content_contribution(interaction_type, duration, scroll),
        write_up_row_score(interaction_type, duration, scroll),
        rel_tol=1e-12,
    )


def test_visit_weights() -> None:
    assert visit_contribution("profile_visit") == 0.3
    assert math.isclose(visit_contribution("profile_view", 120), 0.3 + 0.2)
    assert visit_contribution("profile_follow") == 0.8
    assert visit_contribution("profile_block") == 0.0
    assert visit_contribution("never_seen") == 0.1


def test_media_weights() -> None:
    assert media_contribution("view") == 0.1
    assert media_contribution("download") == 0.5
    assert math.isclose(media_contribution("play", 600), 0.2 + 0.5)
    assert media_contribution("never_seen") == 0.1
    w = default_weights()
    assert set(w.media) == {
        "click",
        "view",
        "download",
        "share",
        "zoom",
        "play",
        "pause",
        "seek",
        "fullscreen",
        "volume_change",
        "quality_change",
    }


@pytest.mark.parametrize(
    ("score", "category", "expected"),
    [
        (1.0, None, 0.52),
        (3.0, "post_reaction", 0.76),
        (5.0, None, 1.0),
        (None, None, 0.4),
        (9.0, None, 1.0),  # clamped (the mapping quarantines such rows before)
        (4.0, "post_reaction_delete", 0.0),
    ],
)
def test_vibe_weights(score: float | None, category: str | None, expected: float) -> None:
    assert math.isclose(vibe_contribution(score, category), expected, rel_tol=1e-12)


def test_env_overrides_merge_onto_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVITY_WEIGHT_CONTENT__LIKE", "0.4")
    monkeypatch.setenv("ACTIVITY_WEIGHT_MEDIA", '{"download": 0.9}')
    monkeypatch.setenv("ACTIVITY_WEIGHT_HALF_LIFE_DAYS", "7")
    monkeypatch.setenv("ACTIVITY_WEIGHT_VISIT__PROFILE_VISIT", "0.25")
    w = Weights()
    assert w.content_weight("like") == 0.4
    assert w.content_weight("share") == 0.7  # untouched default kept
    assert w.media_weight("download") == 0.9 and w.media_weight("zoom") == 0.2
    assert w.visit_weight("profile_visit") == 0.25
    assert w.half_life_seconds == 7 * 86400.0
    assert default_weights().content_weight("like") == 0.3  # the pure default ignores the environment
    assert math.isclose(content_contribution("like", None, None, w), 0.4)


def test_extra_types_can_get_weights() -> None:
    w = Weights(content={"React": 0.3})
    assert w.content_weight("react") == 0.3
    assert w.content_weight("like") == 0.3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": {"like": -0.1}},
        {"media": {"view": math.nan}},
        {"content_default": -1.0},
        {"half_life_days": 0.0},
        {"max_duration_seconds": math.inf},
    ],
)
def test_invalid_weights_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Weights(**kwargs)  # type: ignore[arg-type]
