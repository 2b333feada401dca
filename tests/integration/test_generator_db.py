"""The generator against the real Postgres: counts, foreign keys, ground truth, bad rows, schema intact.

Each test works in its own scratch database (created and dropped by the fixtures in conftest.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from activity.generator import GenerationProgress, generate, user_uid
from activity.generator.tables import TABLES

pytestmark = pytest.mark.services

USER_COLUMNS = {
    "user_activity": ("user_id",),
    "content_interaction": ("user_id",),
    "social_interaction": ("user_id", "target_user_id"),
    "profile_activity": ("visitor_id", "profile_owner_id"),
    "media_interaction": ("user_id",),
    "session_activity": ("user_id",),
    "activity_aggregation": ("user_id",),
    "vibe_activity": ("user_id",),
}


def count(conn: psycopg.Connection[Any], table: str, where: str = "TRUE") -> int:
    row = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE " + where).format(sql.Identifier(table))).fetchone()
    assert row is not None
    return int(row[0])


def schema_snapshot(conn: psycopg.Connection[Any]) -> set[tuple[str, str]]:
    """Every index and constraint definition on the eight tables."""
    names = [t.name for t in TABLES]
    indexes = conn.execute(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s)", (names,)
    ).fetchall()
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(SELECT to_regclass(n) FROM unnest(%s::text[]) AS n)",
        (names,),
    ).fetchall()
    return {(str(a), str(b)) for a, b in indexes + constraints}


def table_digest(conn: psycopg.Connection[Any], table: str) -> str:
    row = conn.execute(
        sql.SQL("SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {} AS t").format(sql.Identifier(table))
    ).fetchone()
    assert row is not None
    return str(row[0])


@pytest.fixture()
def second_activity_db(activity_db: str) -> Iterator[str]:
    """Another scratch database with the activity schema (`scratch_db` is one per test)."""
    from activity.schema import init_schema

    base, _, first = activity_db.rpartition("/")
    name = f"{first}_b"
    with psycopg.connect(activity_db, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            init_schema(conn)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(activity_db, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_generate_fills_the_tables_with_valid_rows_and_ground_truth(activity_db: str) -> None:
    users, days, seed = 300, 4, 7
    with psycopg.connect(activity_db) as conn:
        before = schema_snapshot(conn)
    progress: list[GenerationProgress] = []
    report = generate(activity_db, users, days, seed, progress=progress.append)

    assert report.index_mode == "rebuild"  # empty tables: the bulk path
    assert [p.day for p in progress] == list(range(1, days + 1))
    assert progress[-1].rows == report.total_rows
    assert report.rows_per_second > 0 and report.total_rows > 20_000
    with psycopg.connect(activity_db) as conn:
        # the schema is exactly as before: every index, key, foreign key and check is back
        assert schema_snapshot(conn) == before
        for table, n in report.rows.items():
            assert n > 0, table
            assert count(conn, table) == n, table
        assert count(conn, "auth_user", f"id BETWEEN 1 AND {users}") == users
        # foreign keys hold (they are enforced; this also proves the rows reference generated users)
        for table, columns in USER_COLUMNS.items():
            for column in columns:
                orphans = count(conn, table, f"{column} IS NOT NULL AND {column} NOT IN (SELECT id FROM auth_user)")
                assert orphans == 0, (table, column)
        # ids follow the sequence: a plain insert after the run gets a fresh id
        row = conn.execute(
            "INSERT INTO user_activity (uid, created_at, updated_at, timestamp, metadata, activity_type, success, "
            "user_id) VALUES (gen_random_uuid(), now(), now(), now(), '{}', 'login', true, 1) RETURNING id"
        ).fetchone()
        assert row is not None and row[0] > report.rows["user_activity"]
        conn.rollback()

        # ground truth: every user's planted community, with the uid the sync resolves vibe targets by
        planted = conn.execute(
            "SELECT user_id, community, seed, user_uid FROM activity_graph_planted_community ORDER BY user_id"
        ).fetchall()
        assert [r[0] for r in planted] == list(range(1, users + 1))
        assert {r[1] for r in planted} == set(range(report.communities))
        assert all(r[2] == seed and r[3] == user_uid(r[0], seed) for r in planted)
        assert count(conn, "activity_graph_planted_group") >= report.communities
        runs = conn.execute("SELECT users, days, seed, row_counts FROM activity_graph_generation_run").fetchall()
        assert runs == [(users, days, seed, report.rows)]

        # bad rows: about half a percent, each pointing at a real row that shows its defect
        bad_total = count(conn, "activity_graph_planted_bad_row")
        assert bad_total == report.total_bad_rows
        assert math.isclose(bad_total / report.total_rows, 0.005, abs_tol=0.0015)
        missing = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE s.target_user_id IS NULL AND s.interaction_type = "
            "'profile_visit') FROM activity_graph_planted_bad_row b JOIN social_interaction s ON s.id = b.source_id "
            "WHERE b.source_table = 'social_interaction' AND b.kind = 'missing_target'"
        ).fetchone()
        assert missing is not None and missing[0] > 0 and missing[0] == missing[1]
        nan = conn.execute(
            "SELECT count(*) FROM activity_graph_planted_bad_row b JOIN content_interaction c ON c.id = b.source_id "
            "WHERE b.source_table = 'content_interaction' AND b.kind = 'nan_number' "
            "AND c.scroll_depth_percentage = 'NaN'::float8"
        ).fetchone()
        assert nan is not None and nan[0] > 0
        odd = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE jsonb_typeof(c.metadata) <> 'object') "
            "FROM activity_graph_planted_bad_row b JOIN content_interaction c ON c.id = b.source_id "
            "WHERE b.source_table = 'content_interaction' AND b.kind = 'odd_metadata'"
        ).fetchone()
        assert odd is not None and odd[0] > 0 and odd[0] == odd[1]
        # the rest is clean where the graph looks: feed impressions marked, profile visits with targets
        assert count(conn, "content_interaction", "metadata->>'source' = 'feed_view'") > 0
        unmarked_null_targets = conn.execute(
            "SELECT count(*) FROM social_interaction s WHERE s.interaction_type = 'profile_visit' "
            "AND s.target_user_id IS NULL AND NOT EXISTS (SELECT 1 FROM activity_graph_planted_bad_row b "
            "WHERE b.source_table = 'social_interaction' AND b.source_id = s.id)"
        ).fetchone()
        assert unmarked_null_targets == (0,)

    # a second run into the now non-empty tables keeps every index live and appends after the last id
    more = generate(activity_db, 50, 2, seed + 1, communities=3)
    assert more.index_mode == "keep"
    with psycopg.connect(activity_db) as conn:
        assert schema_snapshot(conn) == before
        for table, n in report.rows.items():
            if table == "activity_aggregation":
                # same users, same dates: merged as the platform's update_or_create does, not duplicated
                assert n <= count(conn, table) <= n + more.rows[table]
            else:
                assert count(conn, table) == n + more.rows[table], table
        assert count(conn, "activity_graph_planted_community", f"seed = {seed + 1}") == 50
        assert count(conn, "activity_graph_generation_run") == 2


def test_same_seed_gives_the_same_tables(activity_db: str, second_activity_db: str) -> None:
    first = generate(activity_db, 120, 3, 99, index_mode="rebuild")
    with psycopg.connect(second_activity_db) as conn:  # a connection works as well as a URL
        second = generate(conn, 120, 3, 99, index_mode="keep", workers=2)
    assert first.rows == second.rows
    with psycopg.connect(activity_db) as a, psycopg.connect(second_activity_db) as b:
        for spec in TABLES:
            assert table_digest(a, spec.name) == table_digest(b, spec.name), spec.name
        for table in ("activity_graph_planted_community", "activity_graph_planted_bad_row"):
            query = sql.SQL("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM (SELECT {} FROM {}) t")
            cols = sql.SQL("user_id, community, seed, user_uid") if "community" in table else sql.SQL("*")
            assert (
                a.execute(query.format(cols, sql.Identifier(table))).fetchone()
                == b.execute(query.format(cols, sql.Identifier(table))).fetchone()
            ), table


def test_a_table_that_does_not_match_is_named_before_anything_is_written(activity_db: str) -> None:
    from activity.generator.database import SchemaError

    with psycopg.connect(activity_db, autocommit=True) as conn:
        conn.execute("ALTER TABLE vibe_activity DROP COLUMN iq_impact")
        conn.execute("ALTER TABLE media_interaction ALTER COLUMN position_seconds TYPE bigint")
    with pytest.raises(SchemaError) as err:
        generate(activity_db, 20, 1, 1)
    message = str(err.value)
    assert "vibe_activity.iq_impact: column is missing" in message
    assert "media_interaction.position_seconds: type bigint" in message
    with psycopg.connect(activity_db) as conn:
        assert count(conn, "auth_user") == 0
        assert all(count(conn, spec.name) == 0 for spec in TABLES)
