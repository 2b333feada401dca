"""The request-path guard around the feed query: deadline, in-flight bound, breaker, rate-limited logging.
No services: the work is a plain function."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import neo4j.exceptions
import pytest

from graph.feed.runner import FeedRunner
from graph.feed.weights import FeedWeights

pytestmark = pytest.mark.graph_facing

W = FeedWeights(log_interval_seconds=0, breaker_seconds=30, max_in_flight=2)


@pytest.fixture()
def runner() -> Iterator[FeedRunner]:
    r = FeedRunner()
    yield r
    r.close()


def test_value_and_deadline(runner: FeedRunner) -> None:
    assert runner.run(lambda: 42, deadline_s=1.0, weights=W, what="t").value == 42
    release = threading.Event()
    out = runner.run(lambda: release.wait(5), deadline_s=0.05, weights=W, what="t")
    release.set()
    assert out.value is None and out.reason and "deadline of 50 ms" in out.reason
    assert out.seconds < 1.0


def test_outage_trips_the_breaker(runner: FeedRunner, caplog: pytest.LogCaptureFixture) -> None:
    def down() -> int:
        raise neo4j.exceptions.ServiceUnavailable("Couldn't connect to 127.0.0.1:1")

    with caplog.at_level(logging.WARNING, logger="graph.feed"):
        first = runner.run(down, deadline_s=1.0, weights=W, what="t")
        second = runner.run(lambda: 1, deadline_s=1.0, weights=W, what="t")
    assert first.reason and first.reason.startswith("database unavailable")
    assert second.value is None and second.reason and "not trying" in second.reason
    assert len([r for r in caplog.records if "neutral scores" in r.getMessage()]) == 2


def test_query_errors_and_bugs_become_reasons(runner: FeedRunner) -> None:
    def syntax() -> int:
        raise neo4j.exceptions.CypherSyntaxError("bad")

    def bug() -> int:
        raise ZeroDivisionError("oops")

    assert "query failed" in (runner.run(syntax, deadline_s=1.0, weights=W, what="t").reason or "")
    assert "ZeroDivisionError" in (runner.run(bug, deadline_s=1.0, weights=W, what="t").reason or "")
    assert runner.breaker_open() is None  # only connection failures trip it


def test_in_flight_bound(runner: FeedRunner) -> None:
    release = threading.Event()
    for _ in range(2):
        runner.run(lambda: release.wait(5), deadline_s=0.01, weights=W, what="t")
    busy = runner.run(lambda: 1, deadline_s=1.0, weights=W, what="t")
    assert busy.reason and "in flight" in busy.reason
    release.set()
    time.sleep(0.1)
    assert runner.run(lambda: 1, deadline_s=1.0, weights=W, what="t").value == 1


def test_warnings_are_rate_limited(runner: FeedRunner, caplog: pytest.LogCaptureFixture) -> None:
    quiet = FeedWeights(log_interval_seconds=60)

    def bug() -> int:
        raise ValueError("x")

    with caplog.at_level(logging.WARNING, logger="graph.feed"):
        for _ in range(5):
            runner.run(bug, deadline_s=1.0, weights=quiet, what="t")
    assert len(caplog.records) == 1
