"""The background flusher: moves buffered rows to Postgres, or to the spool while Postgres is away.

Why a thread in the web process: it keeps the write off the request path without a broker round trip per
event, and a whole batch costs one COPY. One cycle (every ``flush_interval_s``, or sooner when
``flush_at_rows`` rows wait):

1. take everything from the buffer, and build each event's row (:mod:`tracker.build`: the normalization
   rules and the JSON encoding run here, not in the request);
2. resolve ``Users.uid`` placeholders with one resolver call (unknown uids become dead letters; if the
   resolver is down the rows wait, and are spooled rather than held without bound);
3. write the batch with the fast path (binary COPY, one transaction for all tables: these uids were never
   sent before). If Postgres is
   unreachable or the commit is in doubt, the batch is appended to the spool (fsync-ed) and the flusher
   stops trying Postgres until the next probe (exponential backoff, ``retry_initial_s`` → ``retry_max_s``);
4. while Postgres is up, replay spooled segments (its own and those of dead processes) through the
   conflict-safe path, a bounded number of rows per cycle so fresh rows keep flowing.

:meth:`Flusher.cycle` can also be run inline (tests, shutdown, ``ActivityTracker.flush``); a lock keeps
cycles from overlapping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from tracker import rows as row_text
from tracker.buffer import Buffer, Lines, Pending, Stats
from tracker.build import BUILDERS, Event
from tracker.errors import WriterUnavailable
from tracker.normalize import Notes
from tracker.resolver import UidResolver
from tracker.rows import placeholder_uids, substitute_users
from tracker.settings import TrackerSettings
from tracker.spool import Rejected, Segment, Spool
from tracker.tables import TABLES
from tracker.writer import BatchWriter, WriteOutcome

log = logging.getLogger(__name__)

#: Fresh rows per table, normalized (:mod:`tracker.build`), for the binary COPY.
Fresh = dict[str, list[list[object]]]
B = TypeVar("B", Fresh, Lines, dict[str, Any])


def _merge(into: Lines, more: Lines) -> None:
    for table, lines in more.items():
        into.setdefault(table, []).extend(lines)


def _count(rows: dict[str, Any]) -> int:
    return sum(len(v) for v in rows.values())


def to_lines(fresh: Fresh) -> Lines:
    """Normalized rows as COPY text lines (for the spool, or a writer without ``write_rows``)."""
    notes = Notes()
    return {name: [row_text.line(TABLES[name], v, notes)[0] for v in batch] for name, batch in fresh.items()}


def split_batch(rows: B, parts: int, min_rows: int) -> list[B]:
    """At most ``parts`` batches of at least ``min_rows`` rows, each table's lines cut in contiguous slices."""
    k = max(1, min(parts, _count(rows) // max(min_rows, 1)))
    if k == 1:
        return [rows]
    groups: list[Any] = [{} for _ in range(k)]
    for table, lines in rows.items():
        step = -(-len(lines) // k)
        for i in range(k):
            piece = lines[i * step : (i + 1) * step]
            if piece:
                groups[i][table] = piece
    return [g for g in groups if g]


class Flusher:
    """Owns the writer; runs cycles on its own thread or inline."""

    def __init__(
        self,
        buffer: Buffer,
        stats: Stats,
        spool: Spool,
        writer_factory: Callable[[], BatchWriter],
        resolver: UidResolver | None,
        settings: TrackerSettings,
    ) -> None:
        self._buffer = buffer
        self._stats = stats
        self._spool = spool
        self._writer_factory = writer_factory
        self._writers: list[BatchWriter] = []  # slot i is used by one thread at a time
        self._pool: ThreadPoolExecutor | None = None
        self._resolver = resolver
        self._settings = settings
        self._cycle_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._up = True
        self._next_probe = 0.0
        self._backoff = settings.retry_initial_s
        self._held: Pending = []  # uid rows waiting for a resolver that failed
        self._stash: Lines = {}  # rows neither Postgres nor the spool took (disk full): retried next cycle
        self._replaying: Segment | None = None

    # --- thread -------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="activity-tracker-flusher", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._settings.flush_interval_s)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.cycle()
            except Exception:  # the flusher must outlive any bug in one cycle
                log.exception("activity tracker: flush cycle failed")
                self._stats.add("cycle_errors")

    def stop(self, timeout: float) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def after_fork(self) -> None:
        """In a forked child: no thread, fresh locks, and the parent's connection left alone."""
        self._thread = None
        self._cycle_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        if self._replaying is not None:
            self._replaying.release()  # the child's copy of the fd; the parent's keeps its flock
        self._held, self._stash, self._replaying = [], {}, None
        for writer in self._writers:
            abandon = getattr(writer, "abandon", None)
            if callable(abandon):
                abandon()
        self._writers = []
        self._pool = None  # the parent's pool threads do not exist in the child

    @property
    def up(self) -> bool:
        return self._up

    # --- one cycle ----------------------------------------------------------------------------------

    def cycle(self, *, final: bool = False, replay: bool = True) -> None:
        """One pass. ``final``: nothing may stay in memory (held rows are spooled) and the replay has no row
        budget; ``replay=False`` (shutdown) leaves the spool to the next process."""
        with self._cycle_lock:
            fresh, pending = self.build(self._buffer.drain())
            rows, self._stash = self._stash, {}
            pending = self._held + pending
            self._held = []
            if pending:
                self._held = self._resolve_into(rows, pending)
            if not self._up and time.monotonic() < self._next_probe:
                self._spool_rows(to_lines(fresh))
                self._spool_rows(rows)
            else:
                if fresh or rows:
                    self._deliver(fresh, rows)
                elif not self._up:
                    self._probe()
                if self._up and replay:
                    self._replay(final=final)
            # Rows whose Users.uid could not be resolved wait in memory, but not without bound, and not past
            # the process: spooled after the replay, so that this cycle does not pick them up again.
            if self._held and (final or len(self._held) > self._settings.buffer_max_rows):
                self._spool_pending(self._held)
                self._held = []

    def close_writer(self) -> None:
        with self._cycle_lock:
            if self._replaying is not None:
                self._replaying.release()
                self._replaying = None
            for writer in self._writers:
                writer.close()
            self._writers = []
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    # --- pieces -------------------------------------------------------------------------------------

    def build(self, events: list[Event]) -> tuple[Fresh, Pending]:
        """Each event's row: fresh rows per table, and text lines of rows naming a ``Users.uid`` (to resolve).

        An event whose building fails (a bug, or an object whose ``str()`` raises) is a dead letter.
        """
        fresh: Fresh = {}
        pending: Pending = []
        counters: list[str] = []
        failed: list[Rejected] = []
        builders = BUILDERS
        for code, uid, now, args, has_uid in events:
            try:
                table, values, notes = builders[code](uid, now, args)
                if has_uid:
                    pending.append((table.name, row_text.line(table, values, notes)[0]))
            except Exception as exc:
                name = getattr(builders[code], "__name__", "?") if 0 <= code < len(builders) else f"builder {code}"
                log.exception("activity tracker: cannot build the row of %s", name)
                failed.append(Rejected(name, repr((uid, now, args))[:4000].encode(),
                                       f"{type(exc).__name__}: {exc}"))
                continue
            if notes.counters:
                counters.extend(notes.counters)
            if not has_uid:
                name = table.name
                same = fresh.get(name)
                if same is None:
                    fresh[name] = [values]
                else:
                    same.append(values)
        if counters:
            self._stats.add_all(counters)
        if failed:
            self._stats.add("errors", len(failed))
            self._reject(failed)
        return fresh, pending

    def build_lines(self, events: list[Event]) -> tuple[Lines, Pending]:
        fresh, pending = self.build(events)
        return to_lines(fresh), pending

    def _get_writer(self, slot: int = 0) -> BatchWriter:
        while len(self._writers) <= slot:
            try:
                self._writers.append(self._writer_factory())
            except Exception as exc:  # e.g. no database URL configured: keep spooling, say why
                raise WriterUnavailable(str(exc)) from exc
        return self._writers[slot]

    def _resolve_into(self, rows: Lines, pending: Pending) -> Pending:
        """Resolve uid rows into ``rows``; unknown uids become dead letters. Returns the rows to retry later
        (all of them when the resolver itself failed)."""
        if self._resolver is None:
            self._reject([Rejected(t, line, "a Users.uid and no resolver configured") for t, line in pending])
            return []
        uids = sorted({uid for t, line in pending for uid in placeholder_uids(TABLES[t], line)})
        try:
            found = dict(self._resolver.resolve_many(uids))
        except Exception as exc:
            log.warning("activity tracker: cannot resolve %d Users.uid now (%s); rows wait", len(uids), exc)
            self._stats.add("resolver_errors")
            return pending
        rejected: list[Rejected] = []
        for table, line in pending:
            out, missing = substitute_users(TABLES[table], line, found)
            if out is None:
                rejected.append(Rejected(table, line, f"unknown Users.uid: {', '.join(missing)}"))
            else:
                rows.setdefault(table, []).append(out)
        self._reject(rejected)
        return []

    def _deliver(self, fresh: Fresh, lines: Lines) -> None:
        """Fresh rows by binary COPY (or as text lines if the writer has no ``write_rows``), then text lines."""
        try:
            first = self._get_writer()
        except WriterUnavailable as exc:  # e.g. no database URL configured: keep spooling, say why
            self._mark_down(exc)
            self._spool_rows(to_lines(fresh))
            self._spool_rows(lines)
            return
        if fresh and not callable(getattr(first, "write_rows", None)):
            _merge(lines, to_lines(fresh))
            fresh = {}
        if fresh and not self._send(fresh, rows=True):
            self._spool_rows(lines)
            return
        if lines:
            self._send(lines, rows=False)

    def _send(self, batch: dict[str, Any], *, rows: bool) -> bool:
        """Write one batch, split over ``writers`` connections when large; what fails is spooled. True if all
        of it was written."""
        groups = split_batch(batch, self._settings.writers, self._settings.parallel_min_rows)
        try:
            writers = [self._get_writer(i) for i in range(len(groups))]
        except WriterUnavailable as exc:
            self._mark_down(exc)
            self._spool_batch(batch, rows)
            return False

        def call(writer: BatchWriter, group: Any) -> WriteOutcome:
            if rows:
                return writer.write_rows(group)  # type: ignore[attr-defined, no-any-return]
            return writer.write(group, fresh=True)

        failed: list[tuple[Any, Exception]] = []
        if len(groups) == 1:
            try:
                self._account(call(writers[0], batch))
            except Exception as exc:  # WriterUnavailable, or a bug: either way the rows go to the spool
                failed.append((batch, exc))
        else:
            # Several connections, one transaction each: index maintenance is the server's bottleneck, and
            # separate backends spread it over the cores. Each group succeeds or is spooled on its own.
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._settings.writers, thread_name_prefix="activity-tracker-writer")
            futures = [self._pool.submit(call, w, g) for w, g in zip(writers, groups, strict=True)]
            for group, future in zip(groups, futures, strict=True):
                try:
                    self._account(future.result())
                except Exception as exc:
                    failed.append((group, exc))
        if not failed:
            self._mark_up()
            return True
        self._unavailable(failed[0][1])
        for group, _ in failed:
            self._spool_batch(group, rows)
        return False

    def _spool_batch(self, batch: Any, rows: bool) -> None:
        self._spool_rows(to_lines(batch) if rows else batch)

    def _probe(self) -> None:
        try:
            self._get_writer().ping()
        except WriterUnavailable as exc:
            self._mark_down(exc)
            return
        self._mark_up()

    def _replay(self, *, final: bool) -> None:
        self._spool.rotate()  # rows spilled while Postgres was up sit in the open segment
        batch = self._settings.replay_batch_rows
        budget = 1 << 62 if final else 3 * batch
        while budget > 0:
            segment = self._replaying or self._claim_next()
            if segment is None:
                return
            self._replaying = segment
            for rows, pending, end in segment.chunks(batch):
                self._drop_unknown_tables(rows)
                if pending:
                    self._held.extend(self._resolve_into(rows, pending))
                n = _count(rows)
                if n:
                    try:
                        outcome = self._get_writer().write(rows, fresh=False)
                    except WriterUnavailable as exc:
                        segment.release()
                        self._replaying = None
                        self._mark_down(exc)
                        return
                    self._account(outcome)
                    self._stats.add("replayed", n)
                segment.offset = end
                budget -= max(n, 1)
                if budget <= 0:
                    return
            segment.remove()
            self._replaying = None

    def _drop_unknown_tables(self, rows: Lines) -> None:
        """A spool line naming no table we write (a damaged file) is a dead letter, not a crash."""
        for table in [t for t in rows if t not in TABLES]:
            self._reject([Rejected(table, line, "spool line names an unknown table") for line in rows.pop(table)])

    def _claim_next(self) -> Segment | None:
        for path in self._spool.segments():
            segment = self._spool.claim(path)
            if segment is not None:
                return segment
        return None

    def _spool_rows(self, rows: Lines) -> None:
        if not rows:
            return
        try:
            n = self._spool.append(rows)
        except OSError as exc:
            held = _count(self._stash) + _count(rows)
            if held > 2 * self._settings.buffer_max_rows:
                log.error("activity tracker: spool unwritable (%s); %d rows LOST", exc, _count(rows))
                self._stats.add("lost", _count(rows))
            else:
                log.error("activity tracker: spool unwritable (%s); %d rows kept in memory", exc, held)
                _merge(self._stash, rows)
            return
        self._stats.add("spooled", n)

    def _spool_pending(self, pending: Pending) -> None:
        try:
            self._stats.add("spooled", self._spool.append({}, pending))
        except OSError as exc:
            log.error("activity tracker: spool unwritable (%s); %d rows LOST", exc, len(pending))
            self._stats.add("lost", len(pending))

    def _reject(self, rejected: list[Rejected]) -> None:
        if not rejected:
            return
        for r in rejected:
            log.warning("activity tracker: %s row refused: %s", r.table, r.error)
        self._stats.add_all([f"rejected:{r.table}" for r in rejected])
        self._stats.add("rejected", len(rejected))
        try:
            self._spool.reject(rejected)
        except OSError as exc:
            log.error("activity tracker: cannot write dead letters (%s); %d rows LOST", exc, len(rejected))
            self._stats.add("lost", len(rejected))

    def _account(self, outcome: WriteOutcome) -> None:
        for table, n in outcome.written.items():
            self._stats.add(f"written:{table}", n)
        self._stats.add("written", outcome.rows)
        if outcome.already_present:
            self._stats.add("already_present", outcome.already_present)
        self._reject(outcome.rejected)

    def _unavailable(self, exc: Exception) -> None:
        if not isinstance(exc, WriterUnavailable):
            log.error("activity tracker: unexpected error writing a batch; spooling it", exc_info=exc)
            self._stats.add("errors")
        self._mark_down(exc)

    def _mark_down(self, exc: BaseException) -> None:
        if self._up:
            log.warning("activity tracker: Postgres unavailable (%s); spooling to %s", exc, self._spool.directory)
            self._stats.add("outages")
            self._backoff = self._settings.retry_initial_s
        else:
            self._backoff = min(self._backoff * 2, self._settings.retry_max_s)
        self._up = False
        self._next_probe = time.monotonic() + self._backoff

    def _mark_up(self) -> None:
        if not self._up:
            log.warning("activity tracker: Postgres is back; replaying the spool")
            self._up = True
            self._spool.rotate()
