"""The foundation against the real services: health, `db init` (ours and Django's tables), `graph init`."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

from activity.schema import ACTIVITY_TABLES, SchemaMismatch, check_schema, init_schema
from activity_graph.health import run_checks
from graph.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.services


def test_health_checks_every_service_for_real(base_settings: Settings) -> None:
    checks = {c.service: c for c in run_checks(base_settings)}
    assert all(c.ok for c in checks.values()), checks
    assert "GDS 2." in checks["neo4j"].detail and "nodeSimilarity" in checks["neo4j"].detail
    assert "PONG" in checks["redis"].detail


def test_health_fails_cleanly_on_a_dead_service(base_settings: Settings) -> None:
    broken = base_settings.model_copy(update={"celery_broker_url": "redis://127.0.0.1:1/0"})
    checks = {c.service: c for c in run_checks(broken)}
    assert not checks["redis"].ok and checks["postgres"].ok


def test_cli_health_exit_code() -> None:
    ok = subprocess.run([sys.executable, "-m", "activity_graph", "health"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}
    bad = subprocess.run([sys.executable, "-m", "activity_graph", "health"], capture_output=True, text=True, env=env)
    assert bad.returncode == 1


def test_db_init_creates_then_only_checks(scratch_db: str) -> None:
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        first = init_schema(conn)
        second = init_schema(conn)
        assert sorted(first.created) == sorted(ACTIVITY_TABLES) and not first.existing
        assert not second.created and sorted(second.existing) == sorted(ACTIVITY_TABLES)
        checks = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'c' AND conrelid::regclass::text = ANY(%s)",
            (list(ACTIVITY_TABLES),),
        ).fetchone()
        assert checks is not None and checks[0] > 0  # PositiveIntegerField's CHECK (>= 0) is there


def test_db_check_names_each_mismatch(scratch_db: str) -> None:
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        init_schema(conn)
        conn.execute("ALTER TABLE content_interaction DROP COLUMN scroll_depth_percentage")
        conn.execute("ALTER TABLE vibe_activity ALTER COLUMN vibe_score TYPE text")
        problems = {str(p) for p in check_schema(conn)}
        assert "content_interaction.scroll_depth_percentage: column is missing (expected double precision)" in problems
        assert "vibe_activity.vibe_score: type text is not compatible with double precision" in problems
        with pytest.raises(SchemaMismatch, match="2 schema mismatch"):
            init_schema(conn)


def test_tables_made_by_django_migrations_work_the_same(scratch_db: str) -> None:
    """Django 4.2 creates the tables from the platform-equivalent models; `db init` accepts them as they are."""
    env = {**os.environ, "PLATFORM_DATABASE_URL": scratch_db}
    proc = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=REPO_ROOT / "tests" / "django_platform", capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with psycopg.connect(scratch_db, autocommit=True) as conn:
        before = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname='public' ORDER BY 1").fetchall()
        report = init_schema(conn, extra_indexes=False)
        after = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname='public' ORDER BY 1").fetchall()
    assert sorted(report.existing) == sorted(ACTIVITY_TABLES) and not report.created
    platform = [i for i in after if not i[0].startswith("activity_graph_")]
    assert platform == [i for i in before]  # our DDL recognised every index Django made: nothing duplicated


def test_graph_init_is_idempotent(clean_graph: Settings) -> None:
    from graph.schema import init_graph_schema

    again = init_graph_schema(clean_graph)
    assert again and all(line.startswith("exists") for line in again)
