"""The demo's activity through the tracker: the generator's simulated days, sent as the platform's calls.

Why: the graph is only as good as the events that reach the tables, and on the platform they reach them
through ``tracker`` (``ActivityService.track_*`` → buffer → flusher → COPY). The generator writes the tables
directly (binary COPY, ids in time order); here the same simulated days are decoded row by row, merged in
time order over all tables, and each row becomes the public ``track_*`` call the platform makes for it
(``track_content_interaction``, ``track_social_interaction``, ``track_app_session``, ...) with the row's
time as ``timestamp``. The tracker then normalizes, buffers and writes them, as in a web process.

``activity_aggregation`` is derived (the tracker does not maintain it, docs/tracker.md): its generated rows
are copied directly. The generator's planted bad rows pass through the tracker too; their ground truth
(``activity_graph_planted_bad_row``) is recorded with the ids the rows received.
"""

from __future__ import annotations

import heapq
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from pydantic import SecretStr

from activity.generator import GenerationConfig
from activity.generator import database as gen_db
from activity.generator.batch import finish
from activity.generator.pgbinary import HEADER, TRAILER, decode_rows
from activity.generator.population import Population
from activity.generator.simulate import Simulator
from activity.generator.tables import AG, CI, MI, PA, SA, SI, TABLES, UA, VA
from tracker.api import ActivityTracker
from tracker.settings import TrackerSettings

Row = tuple[Any, ...]
# Position of "timestamp" in every generated activity row (id, uid, created_at, updated_at, timestamp, ...).
_TS = 4


@dataclass
class TrackedReport:
    """What went through the tracker: calls, rows written, time, and the tracker's own counters."""

    users: int
    days: int
    events: int = 0
    refused: int = 0
    produce_s: float = 0.0
    total_s: float = 0.0
    call_us_mean: float = 0.0
    aggregation_rows: int = 0
    bad_rows: int = 0
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return self.stats.get("written", 0)

    @property
    def rows_per_s(self) -> float:
        return self.written / self.total_s if self.total_s > 0 else 0.0

    def summary(self) -> str:
        rules = {k: v for k, v in self.stats.items()
                 if k.split(":")[0] in ("truncated", "negative_number", "invalid_number", "invalid_ip",
                                        "metadata_coerced", "invalid_time", "nul_replaced", "invalid_unicode")}
        off_list = sum(v for k, v in self.stats.items() if k.startswith("off_list:"))
        top = ", ".join(f"{k} {v:,}" for k, v in Counter(rules).most_common(8))
        top += f"; values outside the platform's lists (written as given, counted): {off_list:,}"
        return "\n".join([
            f"tracker: {self.events:,} track_* calls for {self.users:,} users x {self.days} days "
            f"({self.refused:,} refused); {self.written:,} rows written "
            f"(session events merge into one row per session), spooled {self.stats.get('spooled', 0):,}, "
            f"spilled {self.stats.get('spilled', 0):,}, rejected {self.stats.get('rejected', 0):,}, "
            f"lost {self.stats.get('lost', 0):,}",
            f"tracker: {self.total_s:.1f} s from first call to last commit = {self.rows_per_s:,.0f} rows/s "
            f"(calls took {self.call_us_mean:.1f} µs on average; the producer alone {self.produce_s:.1f} s, "
            "decoding the generated rows included)",
            f"tracker rules applied: {top or 'none'}",
            f"activity_aggregation (derived, not tracked): {self.aggregation_rows:,} rows copied directly; "
            f"{self.bad_rows:,} planted bad rows recorded",
        ])


# --- one row, one platform call --------------------------------------------------------------------


def _call(tracker: ActivityTracker, table: int, r: Row) -> str | None:
    """The ``track_*`` call the platform makes for a row of ``table`` (decoded generator row ``r``)."""
    ip, ua, meta, ts = r[5], r[6], r[7], r[_TS]
    if table == CI:
        return tracker.track_content_interaction(r[13], r[8], r[9], r[10], r[11], r[12], ip, ua, meta, timestamp=ts)
    if table == SI:
        return tracker.track_social_interaction(r[12], r[11], r[8], r[9], r[10], ip, ua, meta, timestamp=ts)
    if table == UA:
        return tracker.track_activity(r[11], r[8], r[9], r[10], ip, ua, meta, timestamp=ts)
    if table == VA:
        return tracker.track_vibe_activity(r[21], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15], r[16],
                                           r[17], r[18], r[19], r[20], ip, ua, meta, timestamp=ts)
    if table == MI:
        return tracker.track_media_interaction(r[14], r[8], r[9], r[11], r[12], r[13], r[10], ip, ua, meta,
                                               timestamp=ts)
    if table == PA:
        return tracker.track_profile_activity(r[11], r[10], r[8], r[9], ip, ua, meta, timestamp=ts)
    if table == SA:
        session = {"session_id": r[8], "session_type": r[9], "start_time": r[10], "end_time": r[11],
                   "pages_visited": r[13], "actions_performed": r[14], "device_info": r[15], "location_data": r[16],
                   "referrer": r[17], "exit_page": r[18]}
        return tracker.track_app_session(r[19], session, ip_address=ip, user_agent=ua, metadata=meta, timestamp=ts)
    raise ValueError(f"table {TABLES[table].name} is not tracked")


def _day_rows(payloads: list[bytes], bad: dict[tuple[int, int], str]) -> Iterator[tuple[int, Row, str | None]]:
    """(table, decoded row, bad kind) of one day over all tracked tables, in time order."""
    streams = [_stream(t, payloads[t]) for t in range(len(TABLES)) if t != AG and payloads[t]]
    for _, t, r in heapq.merge(*streams, key=lambda x: (x[0], x[1])):
        yield t, r, bad.get((t, r[0]))


def _stream(t: int, payload: bytes) -> Iterator[tuple[datetime, int, Row]]:
    for r in decode_rows(payload, TABLES[t].types):
        yield r[_TS], t, r  # type: ignore[misc]


# --- the run ---------------------------------------------------------------------------------------


def _copy_aggregations(conn: psycopg.Connection[Any], payload: bytes) -> None:
    if not payload:
        return
    merge = gen_db.aggregation_needs_merge(conn)
    if merge:
        gen_db.stage_aggregations(conn)
    target = gen_db.AGGREGATION_STAGE if merge else None
    with conn.cursor() as cur, cur.copy(TABLES[AG].copy_sql(target)) as cp:
        cp.write(HEADER)
        cp.write(payload)
        cp.write(TRAILER)
    if merge:
        gen_db.merge_aggregations(conn)


def _record_bad_rows(conn: psycopg.Connection[Any], seed: int, bad: list[tuple[int, str, str]]) -> int:
    """Planted bad rows by the ids the tracker's rows received (looked up by their uid)."""
    out: list[tuple[int, int, str]] = []
    by_table: dict[int, list[tuple[str, str]]] = {}
    for t, uid, kind in bad:
        by_table.setdefault(t, []).append((uid, kind))
    for t, items in by_table.items():
        query = sql.SQL("SELECT uid::text, id FROM {} WHERE uid = ANY(%s::uuid[])").format(
            sql.Identifier(TABLES[t].name))
        ids = dict(conn.execute(query, ([u for u, _ in items],)).fetchall())
        out.extend((t, int(ids[uid]), kind) for uid, kind in items if uid in ids)
    gen_db.write_bad_rows(conn, seed, out)
    return len(out)


def feed_through_tracker(
    url: str,
    users: int,
    days: int,
    seed: int,
    *,
    end: datetime | None = None,
    writers: int = 2,
    max_pending: int = 50_000,
    progress: Callable[[int, int, int], None] | None = None,
) -> TrackedReport:
    """Simulate ``days`` of activity and send every row through the tracker's public API; returns the figures.

    ``max_pending`` is the demo's back-pressure: the producer waits while that many events are buffered
    (a web request never waits; a bulk producer should, rather than spill the buffer to the spool).
    """
    kwargs: dict[str, Any] = {"end": end} if end is not None else {}
    config = GenerationConfig(users=users, days=days, seed=seed, **kwargs)
    report = TrackedReport(users=users, days=days)
    spool = Path(tempfile.mkdtemp(prefix="demo-tracker-spool-"))
    with psycopg.connect(url) as conn:
        gen_db.check_tables(conn)
        gen_db.ensure_ground_truth_tables(conn)
        gen_db.ensure_users(conn, config)
        ids = gen_db.next_ids(conn)
        conn.commit()
        population = Population(config)
        sim = Simulator(config, population)
        settings = TrackerSettings(database_url=SecretStr(url), spool_dir=spool, writers=writers,
                                   parallel_min_rows=2_000, flush_at_rows=10_000)
        tracker = ActivityTracker(settings)
        aggregations: list[bytes] = []
        bad: list[tuple[int, str, str]] = []
        clock = time.perf_counter
        calls_s = 0.0
        t0 = clock()
        try:
            for d in range(config.days):
                day = finish(sim.day(d), ids)
                aggregations.append(day.payloads[AG])
                kinds = {(t, row_id): kind for t, row_id, kind in day.bad}
                for t, r, kind in _day_rows(day.payloads, kinds):
                    c0 = clock()
                    uid = _call(tracker, t, r)
                    calls_s += clock() - c0
                    report.events += 1
                    if uid is None:
                        report.refused += 1
                    elif kind is not None:
                        bad.append((t, uid, kind))
                    if tracker.pending_rows >= max_pending:
                        while tracker.pending_rows >= max_pending // 2:
                            time.sleep(0.005)
                if progress is not None:
                    progress(d + 1, config.days, report.events)
            report.produce_s = clock() - t0
            if not tracker.drain(600):
                raise RuntimeError("the tracker did not drain within 10 minutes (is Postgres up?)")
            report.total_s = clock() - t0
        finally:
            tracker.close()
            report.stats = tracker.stats.snapshot()
        report.call_us_mean = calls_s / max(report.events, 1) * 1e6
        _copy_aggregations(conn, b"".join(aggregations))
        report.aggregation_rows = sum(1 for _ in decode_rows(b"".join(aggregations), TABLES[AG].types))
        report.bad_rows = _record_bad_rows(conn, config.seed, bad)
        gen_db.sync_sequences(conn)
        gen_db.write_planted(conn, config, population)
        counts = {k.split(":", 1)[1]: v for k, v in report.stats.items() if k.startswith("written:")}
        counts["activity_aggregation"] = report.aggregation_rows
        gen_db.record_run(conn, config, counts, report.total_s, "tracker")
        conn.commit()
    if tracker.spool.is_empty():
        shutil.rmtree(spool, ignore_errors=True)
    return report

