"""Prove each service is real: Postgres answers SQL, Redis PING, Neo4j runs GDS."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import redis

from graph.connection import get_driver
from graph.cypher import query
from graph.settings import Settings, get_settings


@dataclass(frozen=True)
class Check:
    """One service's answer: ok, what it said, and how long it took."""

    service: str
    ok: bool
    detail: str
    seconds: float


def _timed(service: str, probe: Callable[[], str]) -> Check:
    start = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as exc:  # a health check reports every failure instead of raising
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return Check(service, ok, detail, time.perf_counter() - start)


def check_postgres(settings: Settings) -> str:
    with psycopg.connect(settings.database_url.get_secret_value(), connect_timeout=5) as conn:
        row = conn.execute("SELECT current_setting('server_version'), current_database()").fetchone()
    assert row is not None
    return f"PostgreSQL {row[0]}, database {row[1]}"


def check_redis(settings: Settings) -> str:
    client = redis.Redis.from_url(settings.celery_broker_url, socket_timeout=5)
    try:
        if not client.ping():
            raise RuntimeError("PING did not answer PONG")
        version = client.info("server").get("redis_version", "?")
    finally:
        client.close()
    return f"Redis {version} PONG"


def check_neo4j(settings: Settings) -> str:
    driver = get_driver(settings)
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition, gds.version() AS gds",
        database_=settings.neo4j_database,
    )
    comp = records[0]
    name = f"health_{uuid.uuid4().hex[:12]}"
    sim, _, _ = driver.execute_query(
        query("health/tiny_node_similarity"), graph_name=name, database_=settings.neo4j_database
    )
    pairs, top = sim[0]["pairs"], sim[0]["top"]
    if pairs == 0:
        raise RuntimeError("gds.nodeSimilarity returned no pairs on the tiny graph")
    return f"Neo4j {comp['v']} {comp['edition']}, GDS {comp['gds']}, nodeSimilarity: {pairs} pairs, top {top:.3f}"


def run_checks(settings: Settings | None = None) -> list[Check]:
    """All three checks, each independent of the others' failure."""
    s = settings or get_settings()
    return [
        _timed("postgres", lambda: check_postgres(s)),
        _timed("redis", lambda: check_redis(s)),
        _timed("neo4j", lambda: check_neo4j(s)),
    ]
