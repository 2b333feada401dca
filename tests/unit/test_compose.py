"""docker-compose.yml stays wired to the same settings the local scripts use, with no secrets in it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from graph.settings import REPO_ROOT, Settings

COMPOSE = REPO_ROOT / "docker-compose.yml"


def _compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


def test_services_present() -> None:
    assert {"neo4j", "postgres", "redis", "sync-worker", "beat"} <= set(_compose()["services"])


def test_ports_match_local_defaults_on_loopback() -> None:
    services = _compose()["services"]
    defaults = Settings.model_construct()
    neo4j_port = defaults.neo4j_uri.rsplit(":", 1)[1]
    pg_port = re.search(r":(\d+)/", defaults.database_url.get_secret_value())
    redis_port = re.search(r":(\d+)/", defaults.celery_broker_url)
    assert pg_port and redis_port
    assert f"127.0.0.1:{neo4j_port}:7687" in services["neo4j"]["ports"]
    assert f"127.0.0.1:{pg_port.group(1)}:5432" in services["postgres"]["ports"]
    assert f"127.0.0.1:{redis_port.group(1)}:6379" in services["redis"]["ports"]


def test_workers_get_every_connection_setting() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    for name in ("sync-worker", "beat"):
        env = _compose()["services"][name]["environment"]
        for var in ("NEO4J_URI", "NEO4J_USER", "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            assert var in env and var in fields, (name, var)
        assert _compose()["services"][name]["env_file"] == ".env"


def test_no_secret_literals() -> None:
    text = COMPOSE.read_text()
    for line in text.splitlines():
        if re.search(r"PASSWORD", line) and "${" not in line:
            raise AssertionError(f"hard-coded secret in docker-compose.yml: {line.strip()}")
    assert Path(REPO_ROOT / ".env").exists() is False or ".env" in (REPO_ROOT / ".gitignore").read_text()
