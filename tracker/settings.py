"""Tracker settings: environment variables ``ACTIVITY_TRACKER_*``, or Django's ``ACTIVITY_TRACKER`` dict.

Why separate from ``graph.settings``: the tracker runs inside the platform's web and worker processes,
which know nothing of this layer's Neo4j/GDS settings; it needs only a Postgres URL and a spool folder.
The URL falls back to ``DATABASE_URL``, the variable the platform's own settings read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class TrackerSettings(BaseSettings):
    """Every knob of the tracker; defaults suit a web process on one machine."""

    model_config = SettingsConfigDict(env_prefix="ACTIVITY_TRACKER_", extra="ignore", case_sensitive=False)

    enabled: bool = True
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ACTIVITY_TRACKER_DATABASE_URL", "DATABASE_URL", "database_url")
    )
    # Must survive the process (and ideally a reboot): point it at a persistent volume in production.
    spool_dir: Path = Path(tempfile.gettempdir()) / "activity-tracker-spool"
    # Bounded buffer: at this many rows in memory the call that finds it full moves them to the spool.
    buffer_max_rows: int = Field(default=100_000, ge=1)
    # The flusher wakes when this many rows wait, or every flush_interval_s, whichever comes first.
    flush_at_rows: int = Field(default=5_000, ge=1)
    flush_interval_s: float = Field(default=0.2, gt=0)
    # Connections writing in parallel (one transaction each) when a batch holds at least
    # writers * parallel_min_rows rows. Index upkeep is the server's bottleneck; several backends spread it.
    # Each writer is one Postgres connection per process: keep 1 in a large web fleet, raise it for a
    # dedicated ingest process.
    writers: int = Field(default=1, ge=1, le=32)
    parallel_min_rows: int = Field(default=2_000, ge=1)
    # Rows per transaction when replaying the spool.
    replay_batch_rows: int = Field(default=20_000, ge=1)
    spool_segment_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    connect_timeout_s: int = Field(default=3, ge=1)
    statement_timeout_s: float = Field(default=60.0, gt=0)
    retry_initial_s: float = Field(default=0.5, gt=0)
    retry_max_s: float = Field(default=30.0, gt=0)
    shutdown_timeout_s: float = Field(default=10.0, ge=0)
    # True: refused events raise TrackingError (tests, development); False: logged and counted.
    strict: bool = False
    # "thread": the in-process flusher writes to Postgres; "celery": it hands batches to tracker.write_batch.
    sink: Literal["thread", "celery"] = "thread"
    celery_queue: str | None = None
    # Distinct off-list values counted per column before the rest are counted as "<other>".
    max_off_list_values: int = Field(default=200, ge=1)

    def conninfo(self) -> str:
        if self.database_url is None:
            raise RuntimeError(
                "activity tracker: no database URL (set ACTIVITY_TRACKER_DATABASE_URL or DATABASE_URL, "
                "or ACTIVITY_TRACKER['DATABASE_URL'] in Django settings)"
            )
        return self.database_url.get_secret_value()
