"""Running one feed query inside a web request: a deadline, a bound on queries in flight, a circuit breaker
after connection failures, and never an exception for the caller.

The query runs on a worker thread of a small pool; the caller waits at most until its deadline and then gets
`Outcome(None, reason)`. The server is told the same deadline as a transaction timeout, so a query the caller
gave up on stops there too. Works with the neo4j driver 5.19+ and 6.x.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import neo4j
import neo4j.exceptions

from graph.feed.weights import FeedWeights
from graph.settings import Settings

log = logging.getLogger("graph.feed")

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The query's result, or why there is none (`value` None, `reason` set)."""

    value: T | None
    reason: str | None = None
    seconds: float = 0.0


class _RateLimitedLog:
    """One warning per reason per interval; the others are counted and reported with the next one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def warn(self, key: str, message: str, interval: float) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return
            self._last[key] = now
            suppressed = self._suppressed.pop(key, 0)
        more = f" ({suppressed} more like it since the last report)" if suppressed else ""
        log.warning("%s%s", message, more)

    def reset(self) -> None:
        with self._lock:
            self._last.clear()
            self._suppressed.clear()


class FeedRunner:
    """The process's feed executor: worker pool, in-flight bound, breaker, and the feed's own driver."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_size = 0
        self._slots: threading.BoundedSemaphore | None = None
        self._drivers: dict[tuple[str, str, str, float, int], neo4j.Driver] = {}
        self._breaker_until = 0.0
        self._breaker_reason = ""
        self.logs = _RateLimitedLog()

    # -- resources

    def _executor(self, size: int) -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
        with self._lock:
            if self._pool is None or self._slots is None or self._pool_size != size:
                if self._pool is not None:
                    self._pool.shutdown(wait=False)
                self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="graph-feed")
                self._slots = threading.BoundedSemaphore(size)
                self._pool_size = size
            return self._pool, self._slots

    def driver(self, settings: Settings, weights: FeedWeights) -> neo4j.Driver:
        """The feed's own driver: a short connect timeout, so an unreachable server fails fast."""
        key = (settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password.get_secret_value(),
               weights.connection_timeout_s, weights.max_in_flight)
        with self._lock:
            driver = self._drivers.get(key)
            if driver is None:
                driver = neo4j.GraphDatabase.driver(
                    settings.neo4j_uri,
                    auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
                    max_connection_pool_size=max(weights.max_in_flight, 1),
                    connection_timeout=weights.connection_timeout_s,
                    connection_acquisition_timeout=max(weights.connection_timeout_s, 1.0),
                    max_transaction_retry_time=0.0,
                )
                self._drivers[key] = driver
            return driver

    def close(self) -> None:
        """Close the drivers and the pool (tests, process exit)."""
        with self._lock:
            drivers = list(self._drivers.values())
            self._drivers.clear()
            pool, self._pool, self._slots, self._pool_size = self._pool, None, None, 0
            self._breaker_until = 0.0
        for d in drivers:
            try:
                d.close()
            except Exception:  # closing a driver whose server is gone must not raise
                log.debug("closing a feed driver failed", exc_info=True)
        if pool is not None:
            pool.shutdown(wait=False)
        self.logs.reset()

    # -- breaker

    def breaker_open(self) -> str | None:
        with self._lock:
            if time.monotonic() < self._breaker_until:
                return self._breaker_reason
            return None

    def _trip(self, reason: str, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            self._breaker_until = time.monotonic() + seconds
            self._breaker_reason = reason

    # -- running

    def run(
        self,
        work: Callable[[], T],
        *,
        deadline_s: float,
        weights: FeedWeights,
        what: str,
    ) -> Outcome[T]:
        """`work()` on a worker thread, waited for at most `deadline_s`; every failure becomes a reason."""
        t0 = time.perf_counter()
        tripped = self.breaker_open()
        if tripped is not None:
            return self._fail(what, "breaker", f"database unavailable, not trying for a while ({tripped})",
                              weights, t0)
        pool, slots = self._executor(weights.max_in_flight)
        if not slots.acquire(blocking=False):
            return self._fail(what, "busy", f"{weights.max_in_flight} feed queries already in flight", weights, t0)

        def job() -> T:
            try:
                if time.perf_counter() - t0 >= deadline_s:
                    raise FutureTimeout()
                return work()
            finally:
                slots.release()

        try:
            future: Future[T] = pool.submit(job)
        except RuntimeError as exc:  # pool shut down under us
            slots.release()
            return self._fail(what, "pool", f"worker pool unavailable: {exc}", weights, t0)
        try:
            value = future.result(timeout=max(0.0, deadline_s - (time.perf_counter() - t0)))
        except FutureTimeout:
            future.cancel()
            return self._fail(what, "deadline", f"deadline of {deadline_s * 1000:.0f} ms passed", weights, t0)
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as exc:
            reason = f"database unavailable: {type(exc).__name__}: {_short(exc)}"
            self._trip(reason, weights.breaker_seconds)
            return self._fail(what, "unavailable", reason, weights, t0)
        except neo4j.exceptions.Neo4jError as exc:
            code = getattr(exc, "code", None) or type(exc).__name__
            if "TransactionTimedOut" in str(code) or "Timeout" in str(code):
                return self._fail(what, "deadline", f"deadline of {deadline_s * 1000:.0f} ms passed (server "
                                  f"stopped the query: {code})", weights, t0)
            return self._fail(what, "error", f"query failed: {code}: {_short(exc)}", weights, t0)
        except Exception as exc:  # the caller is a web request: nothing may escape
            return self._fail(what, "error", f"{type(exc).__name__}: {_short(exc)}", weights, t0)
        return Outcome(value, None, time.perf_counter() - t0)

    def _fail(self, what: str, key: str, reason: str, weights: FeedWeights, t0: float) -> Outcome[Any]:
        self.logs.warn(f"{what}:{key}", f"{what}: neutral scores, {reason}", weights.log_interval_seconds)
        return Outcome(None, reason, time.perf_counter() - t0)


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


RUNNER = FeedRunner()


def run_read(
    driver: neo4j.Driver, database: str, text: str, parameters: Mapping[str, Any], timeout_s: float | None
) -> list[neo4j.Record]:
    """One auto-commit read (no retries: the deadline is the retry budget), notifications off."""
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS,
                        notifications_min_severity="OFF") as session:
        result = session.run(neo4j.Query(text, timeout=timeout_s), dict(parameters))
        return list(result)
