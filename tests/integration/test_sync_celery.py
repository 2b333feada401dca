"""The sync through real Celery workers and the Redis broker: two workers, two partitions, one graph."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from activity.generator import generate
from activity_graph.platform_seed import seed_platform_nodes
from graph.connection import get_driver
from graph.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.services


@pytest.fixture()
def workers(sync_env: Settings) -> Iterator[Settings]:
    url = sync_env.database_url.get_secret_value()
    env = {**os.environ, "DATABASE_URL": url, "SYNC_DATABASE_URL": url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "activity_graph.celery_app", "worker", "--pool", "solo",
             "-n", f"w{i}@%h", "--loglevel", "WARNING"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    try:
        yield sync_env
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def _graph_signature(settings: Settings) -> list[tuple[object, ...]]:
    recs, _, _ = get_driver(settings).execute_query(
        "MATCH (a)-[r]->(b) WHERE type(r) IN ['VISITED','ENGAGED_WITH','VIBED','IMPRESSED','CREATED','CONNECTED'] "
        "RETURN type(r) AS t, elementId(a) AS a, elementId(b) AS b, r.count AS c, round(r.weight, 9) AS w "
        "ORDER BY t, a, b")
    return [tuple(r.values()) for r in recs]


def test_two_celery_workers_over_two_partitions_match_one_pass(workers: Settings) -> None:
    from sync.runner import sync_until_caught_up
    from sync.tasks import catch_up

    url = workers.database_url.get_secret_value()
    generate(url, users=60, days=3, seed=3)
    seed_platform_nodes(60, 3, workers)
    results = [catch_up.delay(None, [i, 2]) for i in range(2)]
    deadline = time.time() + 240
    outcomes = [r.get(timeout=max(1.0, deadline - time.time())) for r in results]
    assert all("rows_read" in o for o in outcomes), outcomes
    assert sum(int(o["rows_applied"]) for o in outcomes) > 0
    via_workers = _graph_signature(workers)

    with get_driver(workers).session() as s:
        s.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 5000 ROWS").consume()
        s.run("MATCH (c:SyncCursor) DETACH DELETE c").consume()
        s.run("MATCH (n:SyncNote) DETACH DELETE n").consume()
    sync_until_caught_up(settings=workers)
    assert via_workers == _graph_signature(workers)
