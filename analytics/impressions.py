"""Recording what the feed showed: `record_impressions` writes one row per item into the project's own table
`activity_graph_feed_impression` (created idempotently on first use), with the algorithm version, position and,
for a user in an experiment, the variant.

The platform also logs impressions itself (content_interaction `view` rows with metadata.source =
'feed_view'); `analytics.performance` reads both. Record an impression in one of the two places per feed, not
both, or it is counted twice in the per-version totals (each source is attributed separately).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from analytics import experiments as ab
from analytics.errors import InvalidImpression
from analytics.pg import Conn, check_user, connection, user_id_of
from analytics.sqlfiles import sql_text

_ready: set[str] = set()
_lock = threading.Lock()
_TEXT = re.compile(r"^\S(.*\S)?$")
MAX_FUTURE_SKEW = timedelta(minutes=5)


def ensure_table(conn: Conn) -> None:
    """Create `activity_graph_feed_impression` and its indexes where absent (once per process and database)."""
    key = f"{conn.info.host}:{conn.info.port}/{conn.info.dbname}"
    with _lock:
        if key in _ready:
            return
    with conn.transaction():
        conn.execute(sql_text("feed_impression_table"))
    with _lock:
        _ready.add(key)


def forget_tables() -> None:
    """Make the next `ensure_table` apply the DDL again (tests that drop databases)."""
    with _lock:
        _ready.clear()


@dataclass(frozen=True)
class ImpressionItem:
    """One item shown: its content type and id (as the platform logs them) and its position (1 = top)."""

    content_type: str
    content_id: str
    position: int | None = None


def _text(what: str, value: object, max_len: int) -> str:
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > max_len or not _TEXT.match(text):
        raise InvalidImpression(f"{what} must be 1-{max_len} characters of text, got {value!r}")
    return text


def _items(items: Sequence[ImpressionItem | tuple[str, str]], first_position: int) -> list[ImpressionItem]:
    out = []
    for i, item in enumerate(items):
        it = item if isinstance(item, ImpressionItem) else ImpressionItem(str(item[0]), str(item[1]))
        position = it.position if it.position is not None else first_position + i
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise InvalidImpression(f"position must be an integer >= 0, got {position!r}")
        out.append(ImpressionItem(_text("content_type", it.content_type, 32).lower(),
                                  _text("content_id", it.content_id, 100), position))
    return out


def record_impressions(
    user_id: int | str,
    items: Sequence[ImpressionItem | tuple[str, str]],
    *,
    algorithm_version: str | None = None,
    experiment: str | None = None,
    variant: str | None = None,
    content_source: str | None = None,
    shown_at: datetime | None = None,
    first_position: int = 1,
    conn: Conn | None = None,
    url: str | None = None,
    experiment_settings: ab.Experiments | None = None,
) -> int:
    """Record that the feed showed `items` ((content_type, content_id) pairs, top first, or `ImpressionItem`s) to
    `user_id` at `shown_at` (default now); returns the rows written, all in one statement.

    With `experiment`, `variant` defaults to the user's assigned variant (and must be one of the experiment's),
    `algorithm_version` to the variant's. Raises `InvalidImpression` (bad text, position, time, or no algorithm
    version), `UnknownUser`, or `UnknownExperiment` before writing anything.
    """
    uid = user_id_of(user_id)
    at = shown_at or datetime.now(timezone.utc)
    if at.tzinfo is None:
        raise InvalidImpression("shown_at must be timezone-aware")
    if at > datetime.now(timezone.utc) + MAX_FUTURE_SKEW:
        raise InvalidImpression(f"shown_at {at.isoformat()} is in the future")
    if experiment is not None:
        chosen = variant or ab.assign(experiment, uid, experiment_settings)
        ab.check_variant(experiment, chosen, experiment_settings)
        variant = chosen
        algorithm_version = algorithm_version or ab.algorithm_version(experiment, chosen, experiment_settings)
    elif variant is not None:
        raise InvalidImpression("a variant needs its experiment")
    version = _text("algorithm_version", algorithm_version, 64)
    source = None if content_source is None else _text("content_source", content_source, 32)
    rows = _items(items, first_position)
    if not rows:
        return 0
    with connection(conn, url) as c:
        ensure_table(c)
        with c.transaction():
            check_user(c, uid)
            cur = c.execute(
                """INSERT INTO activity_graph_feed_impression
                       (user_id, content_type, content_id, algorithm_version, position, experiment, variant,
                        content_source, shown_at)
                   SELECT %s, t, i, %s, p, %s, %s, %s, %s
                   FROM unnest(%s::text[], %s::text[], %s::integer[]) AS u(t, i, p)""",
                (uid, version, experiment, variant, source, at,
                 [r.content_type for r in rows], [r.content_id for r in rows], [r.position for r in rows]),
            )
            return cur.rowcount
