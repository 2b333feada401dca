"""The process's Neo4j driver: one pooled driver per settings, created lazily, closed at exit."""

from __future__ import annotations

import atexit
import threading

import neo4j

from graph.settings import Settings, get_settings

_lock = threading.Lock()
_drivers: dict[tuple[str, str], neo4j.Driver] = {}


def get_driver(settings: Settings | None = None) -> neo4j.Driver:
    """A shared driver (the driver pools connections and retries managed transactions itself)."""
    s = settings or get_settings()
    key = (s.neo4j_uri, s.neo4j_user)
    with _lock:
        driver = _drivers.get(key)
        if driver is None:
            driver = neo4j.GraphDatabase.driver(
                s.neo4j_uri,
                auth=(s.neo4j_user, s.neo4j_password.get_secret_value()),
                max_connection_pool_size=s.neo4j_pool_size,
                connection_acquisition_timeout=s.neo4j_acquire_timeout_s,
            )
            _drivers[key] = driver
        return driver


def close_drivers() -> None:
    """Close every driver this process opened (atexit, and tests that restart the server)."""
    with _lock:
        for driver in _drivers.values():
            driver.close()
        _drivers.clear()


atexit.register(close_drivers)
