"""Shared checks for weight settings (sync and feed): merge env tables onto defaults, reject bad numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def merge_table(defaults: Mapping[str, float], value: Any) -> Any:
    """An env-given table overrides only the entries it names; keys are normalised to lower case."""
    if value is None:
        return dict(defaults)
    if isinstance(value, Mapping):
        return {**defaults, **{str(k).strip().lower(): v for k, v in value.items()}}
    return value


def check_table(name: str, table: Mapping[str, float], allowed: Mapping[str, float] | None = None) -> None:
    """Every entry finite and >= 0 (and, with `allowed`, a known key)."""
    for key, w in table.items():
        if allowed is not None and key not in allowed:
            raise ValueError(f"{name}: unknown entry {key!r} (known: {', '.join(sorted(allowed))})")
        if not math.isfinite(w) or w < 0.0:
            raise ValueError(f"{name}[{key!r}] must be finite and >= 0, got {w!r}")


def check_finite(values: Mapping[str, float], *, positive: bool) -> None:
    """Each named value finite and >= 0 (or > 0 with `positive`)."""
    for name, value in values.items():
        if not math.isfinite(value) or value < 0.0 or (positive and value == 0.0):
            raise ValueError(f"{name} must be finite and {'>' if positive else '>='} 0, got {value!r}")
