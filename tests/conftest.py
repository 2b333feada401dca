"""Fixtures for tests that talk to the real services `make services` started.

Each Postgres-facing test module gets a scratch database (created from the admin URL, dropped
after); Neo4j has one user database in Community edition, so graph tests wipe it first and the
suite runs serially.
"""

from __future__ import annotations

import importlib.util
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from graph.connection import close_drivers, get_driver
from graph.settings import Settings, get_settings

# The platform-pins virtualenv has no `graphdatascience` (a GDS-workers-only extra, needing a newer
# driver than the platform's): the GDS job tests are collected only where it is installed.
# Likewise the evaluation (the `eval` extra: implicit, numpy, scipy).
collect_ignore_glob = ([] if importlib.util.find_spec("graphdatascience") else ["*/test_algorithms_*.py"]) + (
    [] if importlib.util.find_spec("implicit") else ["*/test_evaluation_*.py"]
)


def _with_db(url: str, dbname: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return get_settings()


@pytest.fixture()
def scratch_db(base_settings: Settings) -> Iterator[str]:
    """A fresh, empty Postgres database; yields its admin URL."""
    admin = base_settings.database_url.get_secret_value()
    name = f"ag_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_db(admin, name)
    finally:
        # A test's background threads (tracker flusher, workers) may still be closing their connections.
        for attempt in range(10):
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                break
            except psycopg.Error:
                if attempt == 9:
                    raise
                time.sleep(0.5)


@pytest.fixture()
def activity_db(scratch_db: str) -> Iterator[str]:
    """A scratch database with the activity schema created by `db init`."""
    from activity.schema import init_schema

    with psycopg.connect(scratch_db, autocommit=True) as conn:
        init_schema(conn)
    yield scratch_db


@pytest.fixture()
def clean_graph(base_settings: Settings) -> Iterator[Settings]:
    """An empty Neo4j database with the layer's schema; yields the settings to use."""
    from graph.feed.cache import clear_feed_caches
    from graph.schema import init_graph_schema

    clear_feed_caches()  # rows cached from another test's graph must not stand for this one's
    driver = get_driver(base_settings)
    with driver.session(database=base_settings.neo4j_database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS").consume()
    init_graph_schema(base_settings)
    yield base_settings


@pytest.fixture()
def sync_env(activity_db: str, clean_graph: Settings) -> Settings:
    """Settings pointing the sync at a scratch activity database and an empty graph."""
    from pydantic import SecretStr

    return clean_graph.model_copy(update={"database_url": SecretStr(activity_db),
                                          "sync_database_url": SecretStr(activity_db)})


def rows(conn: psycopg.Connection[Any], query: str, *args: Any) -> list[tuple[Any, ...]]:
    return conn.execute(query, args).fetchall()


@pytest.fixture(scope="session", autouse=True)
def _close_drivers() -> Iterator[None]:
    yield
    close_drivers()
