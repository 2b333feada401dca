"""Benchmark of the tracker: cost in the request, sustained rows/s into Postgres, and a Postgres outage.

    python -m tracker.bench                      # private Postgres 15 cluster in a temp dir, all three runs
    python -m tracker.bench --database-url URL   # an existing database (no outage run: it is never stopped)

Why a private cluster: the outage run stops and restarts Postgres mid-load (``pg_ctl stop -m immediate``,
a crash as far as the server is concerned), which must never hit a shared server. The cluster is created
with ``initdb`` (as the ``postgres`` OS user when run as root) on a free port, with durable settings
(``fsync``, ``synchronous_commit`` on), and removed at the end.

The three figures:

* **cost per call**: wall-clock and CPU time of each ``track_*`` call (a mix of the operations) made at a
  steady request-like rate while the flusher writes to Postgres in the background; p50/p99/p99.9.
* **sustained rows/s**: events produced as fast as one thread can, from the first call until the last row
  is committed (tracker end to end); and the flusher alone writing rows already buffered, with one
  connection and with ``--writers``, for the database's share.
* **outage**: events at a fixed rate for a while, Postgres killed a third of the way in and restarted at two
  thirds; then everything is drained. Each event carries a sequence number, so lost = sent - distinct
  sequence numbers in the table and duplicated = rows - distinct sequence numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from pydantic import SecretStr

from tracker.api import ActivityTracker
from tracker.bench_server import Variant, format_split, server_split
from tracker.settings import TrackerSettings

USERS = 10_000
POSTS = [f"{i:032x}" for i in range(1, 5001)]


# --- a private Postgres --------------------------------------------------------------------------------


def _pg_bin() -> Path:
    for version in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (version / "initdb").exists():
            return version
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("no PostgreSQL server binaries (initdb) found")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    """A throwaway cluster: initdb, start, stop (crash), start again, remove."""

    def __init__(self, root: Path | None = None) -> None:
        self.dir = Path(root or tempfile.mkdtemp(prefix="tracker-bench-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.bin = _pg_bin()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True)

    def init(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                "shared_buffers = 512MB\nmax_wal_size = 4GB\nfsync = on\nsynchronous_commit = on\n"
                "checkpoint_timeout = 15min\n"
            )
        if self._as_postgres:
            subprocess.run(["chown", "-R", "postgres:postgres", str(self.dir)], check=True)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def cpu_seconds(self) -> float | None:
        """CPU time of the whole cluster so far: the postmaster, its live processes, and those it reaped."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            own = _proc_cpu(pid, children=True)
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = [int(p) for p in f.read().split()]
        except (OSError, ValueError):
            return None
        return own + sum(_proc_cpu(k) for k in kids)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int, children: bool = False) -> float:
    """utime + stime (and the reaped children's, if asked) of a process, in seconds; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / _TICK


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres()
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.remove()


def prepare_database(admin_url: str, name: str) -> str:
    """A fresh database with the activity schema and USERS auth users; returns its URL."""
    from activity.schema import init_schema

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = f"{admin_url.rpartition('/')[0]}/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        init_schema(conn)
        conn.execute(
            "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) SELECT g, '', false, 'user' || g, '', '', '', false, true, now()"
            " FROM generate_series(1, %s) g",
            (USERS,),
        )
    return url


# --- workload -----------------------------------------------------------------------------------------


def event(tracker: ActivityTracker, i: int, run: str) -> str | None:
    """One call of a realistic mix: 80 % feed impressions/likes, then social, activity, vibes, media."""
    user = 1 + (i * 7919) % USERS
    k = i % 20
    meta = {"run": run, "seq": i}
    if k < 14:
        return tracker.track_content_interaction(
            user, "post", POSTS[i % len(POSTS)], "view" if k < 12 else "like",
            metadata={**meta, "source": "feed_view", "algorithm": "analytics_based",
                      "content_source": "analytics_feed"},
        )
    if k < 16:
        return tracker.track_social_interaction(user, 1 + (user % USERS), "profile_visit", "profile", str(user),
                                                metadata=meta)
    if k < 18:
        return tracker.track_activity(user, "page_view", "Visited /feed/", True, "10.1.2.3", "Mozilla/5.0",
                                      metadata=meta)
    if k < 19:
        return tracker.track_media_interaction(user, "image", POSTS[i % len(POSTS)], "view", metadata=meta)
    return tracker.track_vibe_activity(user, "vibe_send", "individual", POSTS[i % len(POSTS)], "Like", "post_reaction",
                                       str(1 + user % USERS), 4.0, metadata=meta)


def _percentiles(samples: list[int]) -> dict[str, float]:
    samples = sorted(samples)
    n = len(samples)

    def at(q: float) -> float:
        return round(samples[min(n - 1, int(q * n))] / 1000, 1)

    return {"p50_us": at(0.5), "p99_us": at(0.99), "p999_us": at(0.999), "max_us": round(samples[-1] / 1000, 1),
            "mean_us": round(sum(samples) / n / 1000, 1)}


TABLES_WITH_RUN = ("content_interaction", "social_interaction", "user_activity", "media_interaction", "vibe_activity")


def _count_run(url: str, run: str) -> tuple[int, int]:
    """(rows, distinct sequence numbers) written for a run, over the tables the workload writes."""
    union = " UNION ALL ".join(f"SELECT metadata->>'seq' AS seq FROM {t} WHERE metadata->>'run' = %(run)s"
                               for t in TABLES_WITH_RUN)
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*), count(DISTINCT seq) FROM ({union}) s", {"run": run}).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _tracker(url: str, spool: Path, *, start: bool = True, **kw: Any) -> ActivityTracker:
    settings = TrackerSettings(database_url=SecretStr(url), spool_dir=spool, connect_timeout_s=2, retry_initial_s=0.2,
                               retry_max_s=2.0, **kw)
    return ActivityTracker(settings, start=start)


def _paced(rate: float, seconds: float, call: Callable[[int], Any], stop: threading.Event | None = None) -> int:
    """Call ``call(i)`` ``rate`` times a second (in 1 ms ticks) for ``seconds``; returns how many calls."""
    start = time.perf_counter()
    i = 0
    while True:
        elapsed = time.perf_counter() - start
        if elapsed >= seconds or (stop is not None and stop.is_set()):
            return i
        due = int(elapsed * rate)
        while i < due:
            call(i)
            i += 1
        time.sleep(0.001)


# --- the three runs -------------------------------------------------------------------------------------


@dataclass
class LatencyResult:
    calls: int
    rate_per_s: float
    wall: dict[str, float]
    cpu: dict[str, float]
    # The same loop without the background flusher (buffer only), and timing an empty function: how much of
    # the tail is the tracker's flusher (GIL) and how much is the machine (preemption by other processes).
    wall_without_flusher: dict[str, float] = field(default_factory=dict)
    wall_empty_call: dict[str, float] = field(default_factory=dict)


def _timed(rate: float, calls: int, fn: Callable[[int], Any]) -> tuple[list[int], list[int]]:
    wall: list[int] = []
    cpu: list[int] = []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns

    def one(i: int) -> None:
        c0, w0 = cpu_clock(), clock()
        fn(i)
        w1, c1 = clock(), cpu_clock()
        wall.append(w1 - w0)
        cpu.append(c1 - c0)

    _paced(rate, calls / rate, one)
    return wall, cpu


def bench_latency(url: str, spool: Path, calls: int = 200_000, rate: float = 20_000.0) -> LatencyResult:
    """Per-call cost at a steady rate while the flusher writes the same rows to Postgres."""
    tracker = _tracker(url, spool)  # the default settings: one writer connection
    run = f"lat{time.time_ns()}"
    for i in range(2000):  # warm-up: caches, the first connection
        event(tracker, i, run + "w")
    tracker.drain(30)
    wall, cpu = _timed(rate, calls, lambda i: event(tracker, i, run))
    tracker.drain(120)
    tracker.close()

    quiet = _tracker(url, spool / "quiet", start=False, buffer_max_rows=10**8, flush_at_rows=10**8)
    quiet_wall, _ = _timed(rate, calls, lambda i: event(quiet, i, run + "q"))
    quiet.close()
    empty_wall, _ = _timed(rate, calls, lambda i: None)
    return LatencyResult(len(wall), rate, _percentiles(wall), _percentiles(cpu), _percentiles(quiet_wall),
                         _percentiles(empty_wall))


@dataclass
class ThroughputResult:
    events: int
    writers: int
    produce_s: float
    end_to_end_s: float
    rows_per_s: float
    calls_per_s_producer: float
    flush_rows_per_s: dict[str, float]
    # CPU per row over the end-to-end run: this process (calls + flusher) and the whole Postgres cluster.
    client_cpu_us_per_row: float = 0.0
    server_cpu_us_per_row: float | None = None
    loadavg_1m: float = 0.0


def _flush_capacity(url: str, spool: Path, rows: int, writers: int) -> float:
    """Rows/s of one flush cycle writing ``rows`` buffered rows with ``writers`` connections."""
    tracker = _tracker(url, spool, start=False, writers=writers, parallel_min_rows=1_000,
                       buffer_max_rows=10**8, flush_at_rows=10**8)
    run = f"cap{time.time_ns()}"
    for i in range(writers * 1_000):  # open the connections first
        event(tracker, i, run + "w")
    tracker.flush()
    for i in range(rows):
        event(tracker, i, run)
    t0 = time.perf_counter()
    tracker.flush()
    elapsed = time.perf_counter() - t0
    tracker.close()
    return round(rows / elapsed)


def bench_throughput(url: str, spool: Path, events: int = 500_000, writers: int = 4,
                     server_cpu: Callable[[], float | None] = lambda: None) -> ThroughputResult:
    """One thread producing as fast as it can; time until the last row is committed. Then the flusher's
    write capacity alone (rows already buffered), with one connection and with ``writers``."""
    tracker = _tracker(url, spool, writers=writers, flush_at_rows=10_000, buffer_max_rows=400_000)
    run = f"thr{time.time_ns()}"
    for i in range(2000):
        event(tracker, i, run + "w")
    tracker.drain(30)
    cpu0, server0 = time.process_time(), server_cpu()
    start = time.perf_counter()
    for i in range(events):
        event(tracker, i, run)
    produced = time.perf_counter() - start
    ok = tracker.drain(600)
    total = time.perf_counter() - start
    cpu1, server1 = time.process_time(), server_cpu()
    load = os.getloadavg()[0]
    tracker.close()
    rows, _ = _count_run(url, run)
    if not ok or rows != events:
        raise RuntimeError(f"throughput run incomplete: {rows} of {events} rows")
    n = min(events, 200_000)
    capacity = {"1": _flush_capacity(url, spool / "cap1", n, 1)}
    if writers > 1:
        capacity[str(writers)] = _flush_capacity(url, spool / "capn", n, writers)
    return ThroughputResult(
        events=events,
        writers=writers,
        produce_s=round(produced, 2),
        end_to_end_s=round(total, 2),
        rows_per_s=round(events / total),
        calls_per_s_producer=round(events / produced),
        flush_rows_per_s=capacity,
        client_cpu_us_per_row=round((cpu1 - cpu0) / events * 1e6, 1),
        server_cpu_us_per_row=(None if server0 is None or server1 is None
                               else round((server1 - server0) / events * 1e6, 1)),
        loadavg_1m=round(load, 2),
    )


@dataclass
class OutageResult:
    rate_per_s: float
    seconds: float
    sent: int
    rows_written: int
    lost: int
    duplicated: int
    down_s: float
    spooled: int
    replayed: int
    already_present: int
    drain_s: float
    stats: dict[str, int] = field(default_factory=dict)


def bench_outage(pg: PrivatePostgres, url: str, spool: Path, rate: float = 20_000.0, seconds: float = 30.0) -> (
    OutageResult
):
    """Events at ``rate`` for ``seconds``; Postgres is killed at 1/3 and restarted at 2/3."""
    tracker = _tracker(url, spool)
    run = f"out{time.time_ns()}"
    sent: list[int] = [0]

    def produce() -> None:
        def call(i: int) -> None:
            if event(tracker, i, run) is not None:
                sent[0] = i + 1

        _paced(rate, seconds, call)

    producer = threading.Thread(target=produce)
    producer.start()
    time.sleep(seconds / 3)
    t_down = time.perf_counter()
    pg.stop("immediate")  # a crash: in-flight transactions are lost or committed, the client cannot tell
    time.sleep(seconds / 3)
    pg.start()
    down = time.perf_counter() - t_down
    producer.join()
    t0 = time.perf_counter()
    ok = tracker.drain(300)
    drain = time.perf_counter() - t0
    tracker.close()
    rows, distinct = _count_run(url, run)
    if not ok:
        raise RuntimeError("outage run: the tracker did not drain")
    stats = tracker.stats.snapshot()
    return OutageResult(
        rate_per_s=rate,
        seconds=seconds,
        sent=sent[0],
        rows_written=rows,
        lost=sent[0] - distinct,
        duplicated=rows - distinct,
        down_s=round(down, 1),
        spooled=stats.get("spooled", 0) + stats.get("spilled", 0),
        replayed=stats.get("replayed", 0),
        already_present=stats.get("already_present", 0),
        drain_s=round(drain, 2),
        stats={k: v for k, v in stats.items() if not k.startswith("written:")},
    )


@dataclass
class BenchReport:
    database: str
    latency: LatencyResult | None = None
    throughput: ThroughputResult | None = None
    outage: OutageResult | None = None
    split: list[Variant] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=dict)


def run_benchmark(
    database_url: str | None = None,
    *,
    latency_calls: int = 200_000,
    latency_rate: float = 20_000.0,
    events: int = 500_000,
    writers: int = 4,
    outage: bool = True,
    outage_rate: float = 20_000.0,
    outage_seconds: float = 30.0,
    split_rows: int = 50_000,
    latency_only: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> BenchReport:
    """Run the benchmark; with no URL a private cluster is created (and the outage run is possible)."""
    machine = {"cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2), "python": sys.version.split()[0],
               "psycopg": psycopg.__version__}
    spool_root = Path(tempfile.mkdtemp(prefix="tracker-bench-spool-"))
    try:
        if database_url is not None:
            report = BenchReport(database="given", machine=machine)
            url = prepare_database(database_url, f"tracker_bench_{os.getpid()}")
            try:
                progress("latency")
                report.latency = bench_latency(url, spool_root / "lat", latency_calls, latency_rate)
                progress("throughput")
                report.throughput = bench_throughput(url, spool_root / "thr", events, writers)
            finally:
                with psycopg.connect(database_url, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS tracker_bench_{os.getpid()} WITH (FORCE)")
            return report
        with private_postgres() as pg:
            report = BenchReport(database=f"private PostgreSQL cluster on port {pg.port}", machine=machine)
            url = prepare_database(pg.url(), "tracker_bench")
            progress("latency")
            report.latency = bench_latency(url, spool_root / "lat", latency_calls, latency_rate)
            report.machine["loadavg_1m_end"] = round(os.getloadavg()[0], 2)
            if latency_only:
                return report
            progress("throughput")
            report.throughput = bench_throughput(url, spool_root / "thr", events, writers, pg.cpu_seconds)
            if split_rows:
                progress("server split")
                report.split = server_split(url, split_rows)
            if outage:
                progress("outage")
                report.outage = bench_outage(pg, url, spool_root / "out", outage_rate, outage_seconds)
            report.machine["loadavg_1m_end"] = round(os.getloadavg()[0], 2)
            return report
    finally:
        shutil.rmtree(spool_root, ignore_errors=True)


def format_report(report: BenchReport) -> str:
    lines = [f"tracker benchmark — {report.database}; machine {report.machine}"]
    if report.latency:
        lat = report.latency
        lines.append(f"cost per track_* call ({lat.calls} calls at {lat.rate_per_s:.0f}/s, flusher writing):")
        lines.append(f"  wall  p50 {lat.wall['p50_us']} µs  p99 {lat.wall['p99_us']} µs  p99.9 {lat.wall['p999_us']} µs"
                     f"  max {lat.wall['max_us']} µs")
        lines.append(f"  cpu   p50 {lat.cpu['p50_us']} µs  p99 {lat.cpu['p99_us']} µs  p99.9 {lat.cpu['p999_us']} µs")
        q, e = lat.wall_without_flusher, lat.wall_empty_call
        lines.append(f"  wall without the flusher running: p50 {q['p50_us']} µs  p99 {q['p99_us']} µs  "
                     f"p99.9 {q['p999_us']} µs; an empty call: p99 {e['p99_us']} µs  p99.9 {e['p999_us']} µs")
    if report.throughput:
        thr = report.throughput
        capacity = ", ".join(f"{k} connection(s) {v} rows/s" for k, v in thr.flush_rows_per_s.items())
        lines.append(f"sustained: {thr.events} events from one thread, {thr.writers} writer connections: "
                     f"{thr.end_to_end_s} s from first call to last commit = {thr.rows_per_s} rows/s "
                     f"(the producer alone: {thr.calls_per_s_producer} calls/s)")
        lines.append(f"flusher write capacity (rows already buffered, building them included): {capacity}")
        server = "n/a" if thr.server_cpu_us_per_row is None else f"{thr.server_cpu_us_per_row} µs"
        lines.append(f"CPU per row, end to end: this process (calls + flusher) {thr.client_cpu_us_per_row} µs, "
                     f"the Postgres cluster {server}; load average {thr.loadavg_1m}")
    if report.split:
        lines.append(format_split(report.split))
    if report.outage:
        out = report.outage
        lines.append(f"outage: {out.sent} events sent at {out.rate_per_s:.0f}/s over {out.seconds:.0f} s, "
                     f"Postgres down {out.down_s} s; rows written {out.rows_written}, lost {out.lost}, "
                     f"duplicated {out.duplicated} "
                     f"(spooled {out.spooled}, replayed {out.replayed}, skipped as already present "
                     f"{out.already_present}, drained in {out.drain_s} s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an existing server's admin URL (a scratch database is created)")
    parser.add_argument("--latency-calls", type=int, default=200_000)
    parser.add_argument("--latency-rate", type=float, default=20_000.0)
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--writers", type=int, default=4, help="writer connections in the throughput run")
    parser.add_argument("--no-outage", action="store_true")
    parser.add_argument("--latency-only", action="store_true", help="only the cost per call (quick, repeatable)")
    parser.add_argument("--outage-rate", type=float, default=20_000.0)
    parser.add_argument("--outage-seconds", type=float, default=30.0)
    parser.add_argument("--split-rows", type=int, default=50_000,
                        help="rows per variant of the server-side split (0: skip it)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = run_benchmark(
        args.database_url,
        latency_calls=args.latency_calls,
        latency_rate=args.latency_rate,
        events=args.events,
        writers=args.writers,
        outage=not args.no_outage,
        outage_rate=args.outage_rate,
        outage_seconds=args.outage_seconds,
        split_rows=args.split_rows,
        latency_only=args.latency_only,
        progress=lambda step: print(f"... {step}", file=sys.stderr, flush=True),
    )
    print(json.dumps(asdict(report), indent=2) if args.json else format_report(report))
    failed = report.outage is not None and (report.outage.lost or report.outage.duplicated)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
