"""What every job's parameters share: the reference time and half-life of the decay, resolved once per run."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from typing_extensions import Self

from algorithms.config import AlgorithmConfig


class JobParams(BaseModel):
    """Base of each job's parameters. `None` means "from the settings" until `resolved` fills it in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    now: datetime | None = Field(
        default=None,
        description="Reference time the decayed weights are taken at (default: the run's start).",
    )
    half_life_days: float | None = Field(
        default=None,
        gt=0,
        description="Decay half-life; must match the sync's (default: the sync's setting).",
    )

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("now must be timezone-aware")
        return value

    def resolved(self, config: AlgorithmConfig, started_at: datetime) -> Self:
        """A copy with every open value filled from `config` (subclasses fill their own too)."""
        return self.model_copy(
            update={
                "now": self.now or started_at.astimezone(timezone.utc),
                "half_life_days": self.half_life_days or config.half_life_days,
            }
        )

    @property
    def reference_time(self) -> datetime:
        if self.now is None:
            raise RuntimeError("parameters not resolved: call resolved() first")
        return self.now

    @property
    def half_life_seconds(self) -> float:
        if self.half_life_days is None:
            raise RuntimeError("parameters not resolved: call resolved() first")
        return self.half_life_days * 86400.0

    def decay_parameters(self) -> dict[str, Any]:
        """The `$now` and `$half_life_seconds` every projection query takes."""
        return {"now": self.reference_time, "half_life_seconds": self.half_life_seconds}
