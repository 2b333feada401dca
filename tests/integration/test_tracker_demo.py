"""The demo's activity path: the generator's days sent through the tracker's track_* calls."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from activity.generator import GenerationConfig, iter_days
from activity.generator.tables import TABLES
from activity_graph.tracked_activity import feed_through_tracker

pytestmark = pytest.mark.services


def test_generated_days_through_the_tracker_write_every_row(activity_db: str) -> None:
    users, days = 60, 2
    report = feed_through_tracker(activity_db, users, days, 7)
    expected = [0] * len(TABLES)
    for day in iter_days(GenerationConfig(users=users, days=days, seed=7)):
        for t, n in enumerate(day.counts):
            expected[t] += n
    with psycopg.connect(activity_db) as conn:
        got = [conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(spec.name))).fetchone()
               for spec in TABLES]
        bad = conn.execute("SELECT count(*) FROM activity_graph_planted_bad_row").fetchone()
        ordered = conn.execute(  # ids follow time, as on the platform: the calls were made in time order
            "SELECT count(*) FROM (SELECT timestamp < lag(timestamp) OVER (ORDER BY id) AS back "
            "FROM content_interaction) s WHERE back").fetchone()
    assert [int(r[0]) if r else 0 for r in got] == expected
    assert report.refused == 0 and report.stats.get("lost", 0) == 0 and report.stats.get("spilled", 0) == 0
    assert report.written == sum(expected) - expected[6]  # every tracked row; activity_aggregation is copied
    assert bad is not None and bad[0] == report.bad_rows > 0
    assert ordered == (0,)
