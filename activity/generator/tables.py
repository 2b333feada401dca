"""The columns the generator writes, per table, in COPY order, with their binary wire types.

Binary COPY is type-strict (an int4 sent into a bigint column is an error, not a cast), so the loader
compares these specs with the live table (`information_schema.columns`) before loading and names any
difference. The column lists follow the platform's Django models (see `docs/platform.md` and section
2.2 of the write-up); `id` is written by the generator so that ids are deterministic and follow time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: wire type -> the `information_schema.columns.data_type` values it can be loaded into.
COMPATIBLE: Final[dict[str, frozenset[str]]] = {
    "int4": frozenset({"integer"}),
    "int8": frozenset({"bigint"}),
    "float8": frozenset({"double precision"}),
    "bool": frozenset({"boolean"}),
    "text": frozenset({"character varying", "text"}),
    "timestamptz": frozenset({"timestamp with time zone"}),
    "date": frozenset({"date"}),
    "uuid": frozenset({"uuid"}),
    "jsonb": frozenset({"jsonb"}),
    "inet": frozenset({"inet"}),
}


@dataclass(frozen=True)
class TableSpec:
    """One target table: its name and the (column, wire type) pairs the generator sends, in order."""

    name: str
    columns: tuple[tuple[str, str], ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.columns)

    def copy_sql(self, target: str | None = None) -> str:
        """COPY into this table (or into `target`, a staging table of the same shape)."""
        cols = ", ".join(f'"{c}"' for c in self.column_names)
        return f'COPY "{target or self.name}" ({cols}) FROM STDIN (FORMAT BINARY)'


_BASE: Final = (
    ("id", "int8"),
    ("uid", "uuid"),
    ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"),
    ("timestamp", "timestamptz"),
    ("ip_address", "inet"),
    ("user_agent", "text"),
    ("metadata", "jsonb"),
)

USER_ACTIVITY: Final = TableSpec(
    "user_activity",
    (*_BASE, ("activity_type", "text"), ("description", "text"), ("success", "bool"), ("user_id", "int4")),
)
CONTENT_INTERACTION: Final = TableSpec(
    "content_interaction",
    (
        *_BASE,
        ("content_type", "text"),
        ("content_id", "text"),
        ("interaction_type", "text"),
        ("duration_seconds", "int4"),
        ("scroll_depth_percentage", "float8"),
        ("user_id", "int4"),
    ),
)
SOCIAL_INTERACTION: Final = TableSpec(
    "social_interaction",
    (
        *_BASE,
        ("interaction_type", "text"),
        ("context_type", "text"),
        ("context_id", "text"),
        ("target_user_id", "int4"),
        ("user_id", "int4"),
    ),
)
PROFILE_ACTIVITY: Final = TableSpec(
    "profile_activity",
    (
        *_BASE,
        ("activity_type", "text"),
        ("duration_seconds", "int4"),
        ("profile_owner_id", "int4"),
        ("visitor_id", "int4"),
    ),
)
MEDIA_INTERACTION: Final = TableSpec(
    "media_interaction",
    (
        *_BASE,
        ("media_type", "text"),
        ("media_id", "text"),
        ("media_url", "text"),
        ("interaction_type", "text"),
        ("duration_seconds", "int4"),
        ("position_seconds", "int4"),
        ("user_id", "int4"),
    ),
)
SESSION_ACTIVITY: Final = TableSpec(
    "session_activity",
    (
        *_BASE,
        ("session_id", "text"),
        ("session_type", "text"),
        ("start_time", "timestamptz"),
        ("end_time", "timestamptz"),
        ("duration_seconds", "int4"),
        ("pages_visited", "int4"),
        ("actions_performed", "int4"),
        ("device_info", "jsonb"),
        ("location_data", "jsonb"),
        ("referrer", "text"),
        ("exit_page", "text"),
        ("user_id", "int4"),
    ),
)
ACTIVITY_AGGREGATION: Final = TableSpec(
    "activity_aggregation",
    (
        ("id", "int8"),
        ("aggregation_type", "text"),
        ("date", "date"),
        ("activity_counts", "jsonb"),
        ("engagement_score", "float8"),
        ("created_at", "timestamptz"),
        ("updated_at", "timestamptz"),
        ("user_id", "int4"),
    ),
)
VIBE_ACTIVITY: Final = TableSpec(
    "vibe_activity",
    (
        *_BASE,
        ("activity_type", "text"),
        ("vibe_type", "text"),
        ("vibe_id", "text"),
        ("vibe_name", "text"),
        ("vibe_category", "text"),
        ("target_user_id", "text"),
        ("vibe_score", "float8"),
        ("iq_impact", "float8"),
        ("aq_impact", "float8"),
        ("sq_impact", "float8"),
        ("hq_impact", "float8"),
        ("success", "bool"),
        ("error_message", "text"),
        ("user_id", "int4"),
    ),
)

#: The eight activity tables, in a fixed order (index = table number used throughout the generator).
TABLES: Final = (
    USER_ACTIVITY,
    CONTENT_INTERACTION,
    SOCIAL_INTERACTION,
    PROFILE_ACTIVITY,
    MEDIA_INTERACTION,
    SESSION_ACTIVITY,
    ACTIVITY_AGGREGATION,
    VIBE_ACTIVITY,
)
TABLE_BY_NAME: Final = {t.name: t for t in TABLES}

UA, CI, SI, PA, MI, SA, AG, VA = range(8)
