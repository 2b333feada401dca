"""Viewer snapshots: the viewer's side of `graph_feed_score`, computed ahead of the request.

Live, a feed call spends most of its work on the viewer: the parts of every tie (visits, vibes, engagement
both ways, connections, mutual connections, similarity), what the similar users engaged with, and the
neighbours of recent engagements. That depends on the viewer, not on the candidates, so a job computes it for
active viewers every few minutes and stores it on one `(:FeedViewer {user_key})` node; a request then reads
the node and joins by key, and its own work is per candidate (lookups, aggregates, the author). A snapshot is
used while it is younger than `snapshot_max_age_s`, was made with the same limits and half-life, and against
the same GDS result sets; otherwise the live query runs, so a missing or stale snapshot costs speed, never
correctness beyond that age. Weights are stored decayed to the snapshot's time and decayed on to the request's
time when read (exact: every weight decays at the same rate).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from graph.cypher import query
from graph.feed import reader
from graph.feed.api import _now, half_life_seconds, snapshot_fingerprint, tie_params
from graph.feed.weights import FeedWeights, feed_weights
from graph.settings import Settings, get_settings

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


def active_viewers(*, since: datetime, settings: Settings | None = None, limit: int | None = None) -> list[str]:
    """User keys with an engagement, visit, vibe or feed impression at or after `since`, most active first."""
    from graph.connection import get_driver

    s = settings or get_settings()
    text = reader.active_viewers_query(reader.Labels.of(s))
    records, _, _ = get_driver(s).execute_query(
        text, {"since_ms": int(since.timestamp() * 1000), "limit": limit if limit is not None else 1 << 62},
        database_=s.neo4j_database, routing_="r")
    return [str(r["key"]) for r in records]


def refresh_viewer_snapshots(
    viewers: Sequence[str] | None = None,
    *,
    active_days: float = 7.0,
    max_viewers: int | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
    weights: FeedWeights | None = None,
    batch_size: int = 20,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the snapshots of `viewers` (user keys; default: the users active in the last `active_days`, most
    recently active first, at most `max_viewers`), and delete snapshots older than twice the max age. Returns
    counts and timings."""
    from graph.connection import get_driver

    s = settings or get_settings()
    w = weights or feed_weights()
    at = _now(now)
    keys = list(viewers) if viewers is not None else active_viewers(since=at - timedelta(days=active_days),
                                                                     settings=s, limit=max_viewers)
    labels = reader.Labels.of(s)
    hl_s = half_life_seconds(s)
    params: dict[str, Any] = {
        "result_sets": list(reader.RESULT_SETS),
        "max_similar": w.max_similar_users,
        "max_engaged": w.max_engaged,
        "max_fof": w.snapshot_max_fof,
        "max_items": w.snapshot_max_items,
        "params": snapshot_fingerprint(w, hl_s),
        "batch_size": 1,
        **tie_params(w),
        # the fragment's fan set would be read and dropped: engaged_in ranks the fans itself
        "max_fans": 0,
        "max_fans_kept": w.max_fans,
        **reader.time_params(at, hl_s),
    }
    text = reader.refresh_viewers_query(labels)
    driver = get_driver(s)
    t0 = time.perf_counter()
    written = failed = 0
    errors: list[str] = []
    with driver.session(database=s.neo4j_database, notifications_min_severity="OFF") as session:
        for start in range(0, len(keys), batch_size):
            chunk = keys[start:start + batch_size]
            record = session.run(text, {**params, "viewers": chunk}).single()
            if record:
                written += int(record["refreshed"])
                failed += int(record["failed"])
                errors += [str(e) for e in record["errors"] if e and str(e) not in errors]
            if progress is not None:
                progress(min(start + batch_size, len(keys)), len(keys))
        max_age_ms = int(w.snapshot_max_age_s * 1000)
        pruned = 0
        if max_age_ms > 0:
            record = session.run(query("feed/prune_viewers"),
                                 {"before_ms": params["now_ms"] - 2 * max_age_ms}).single()
            pruned = int(record["pruned"]) if record else 0
    seconds = time.perf_counter() - t0
    if failed:
        log.warning("viewer snapshots: %d of %d failed (scored live until a refresh succeeds): %s",
                    failed, len(keys), "; ".join(errors[:3]))
    return {"viewers": len(keys), "written": written, "failed": failed, "errors": errors[:3], "pruned": pruned,
            "seconds": seconds, "viewers_per_s": written / seconds if seconds > 0 else 0.0}
