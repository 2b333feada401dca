"""The local append-only spool: where batches wait while Postgres is unreachable, and where refused rows end.

Why files and this format: a batch that could not be written (or whose commit is in doubt) must survive
the process, so it is appended to a segment file and ``fsync``-ed before the flusher moves on. A segment is
a sequence of lines ``<table>\\t<COPY text row>\\n`` (``?<table>`` for a row whose user is still a
``Users.uid``): the same text the writer streams with COPY, so replay needs no conversion, and COPY's text
format escapes tabs and newlines, so one row is always one line. A torn last line (a crash mid-write) is
ignored: it was never acknowledged.

Segments are named ``<time_ns>-<host>-<pid>.spool``. The process appending to a segment holds an exclusive
``flock`` on it; a replayer takes the same lock without waiting, so several processes sharing the folder
never replay a segment at once, and a dead process's segments are picked up by any live one. A segment is
deleted only after all its rows are committed; if the replayer dies before, the next replay re-sends
them and ``ON CONFLICT (uid) DO NOTHING`` skips what is already there.

Rows Postgres refuses for their data (an unknown user id violating the foreign key, say) are not retried
forever: they go, with the error, to ``rejected/<YYYYMMDD>.jsonl`` (dead letters, counted as ``rejected``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracker.buffer import Lines, Pending

log = logging.getLogger(__name__)

SUFFIX = ".spool"


@dataclass(frozen=True)
class Rejected:
    """One row Postgres refused for its data, with the reason."""

    table: str
    line: bytes
    error: str


def encode_records(rows: Mapping[str, Sequence[bytes]], pending: Sequence[tuple[str, bytes]]) -> bytes:
    parts: list[bytes] = []
    for table, lines in rows.items():
        prefix = table.encode() + b"\t"
        parts.extend(prefix + line for line in lines)
    parts.extend(b"?" + table.encode() + b"\t" + line for table, line in pending)
    return b"".join(parts)


def decode_records(data: bytes) -> tuple[Lines, Pending, int, bool]:
    """Rows, pending rows, row count and whether a torn last line was dropped."""
    rows: Lines = {}
    pending: Pending = []
    torn = bool(data) and not data.endswith(b"\n")
    lines = data.split(b"\n")
    lines.pop()  # the text after the last newline: empty, or a torn line
    n = 0
    for raw in lines:
        if not raw:
            continue
        table, sep, rest = raw.partition(b"\t")
        if not sep:
            log.warning("activity tracker: skipping a malformed spool line (%d bytes)", len(raw))
            continue
        line = rest + b"\n"
        if table.startswith(b"?"):
            pending.append((table[1:].decode(), line))
        else:
            rows.setdefault(table.decode(), []).append(line)
        n += 1
    return rows, pending, n, torn


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Segment:
    """A spool file claimed for replay (its flock held until :meth:`release` or :meth:`remove`)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self.offset = 0

    def chunks(self, max_rows: int) -> Iterator[tuple[Lines, Pending, int]]:
        """The segment's rows in chunks of at most ``max_rows``, from :attr:`offset` on."""
        base = self.offset  # the caller moves `offset` forward as chunks commit
        size = os.fstat(self._fd).st_size
        data = os.pread(self._fd, size - base, base) if size > base else b""
        end = data.rfind(b"\n") + 1
        if end < len(data):
            log.warning("activity tracker: %s ends with a torn line (%d bytes), ignored", self.path, len(data) - end)
        pos = 0
        while pos < end:
            stop = pos
            for _ in range(max_rows):
                nl = data.find(b"\n", stop, end)
                if nl < 0:
                    break
                stop = nl + 1
            rows, pending, _n, _ = decode_records(data[pos:stop])
            yield rows, pending, base + stop
            pos = stop

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.release()

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing drops the flock
            self._fd = -1


class Spool:
    """Append batches durably; list, claim and delete segments; keep dead letters."""

    def __init__(self, directory: Path, segment_bytes: int = 64 * 1024 * 1024) -> None:
        self.directory = Path(directory)
        self.rejected_dir = self.directory / "rejected"
        self.segment_bytes = segment_bytes
        self._lock = threading.Lock()
        self._fd = -1
        self._path: Path | None = None
        self._size = 0
        self._host = socket.gethostname().replace("-", "_") or "host"

    # --- appending ----------------------------------------------------------------------------------

    def append(self, rows: Mapping[str, Sequence[bytes]], pending: Sequence[tuple[str, bytes]] = ()) -> int:
        """Write the rows to the current segment and fsync; returns the number of rows written."""
        data = encode_records(rows, pending)
        if not data:
            return 0
        with self._lock:
            if self._fd < 0 or self._size >= self.segment_bytes:
                self._open_segment()
            _write_all(self._fd, data)
            os.fsync(self._fd)
            self._size += len(data)
        return data.count(b"\n")

    def _open_segment(self) -> None:
        self._close_segment()
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{self._host}-{os.getpid()}{SUFFIX}"
        path = self.directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        _fsync_dir(self.directory)
        self._fd, self._path, self._size = fd, path, 0

    def _close_segment(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd, self._path, self._size = -1, None, 0

    def rotate(self) -> None:
        """Close the segment being appended to, so that it can be replayed."""
        with self._lock:
            self._close_segment()

    def forget_after_fork(self) -> None:
        """In a forked child: drop the parent's segment (its fd and flock belong to the parent)."""
        self._lock = threading.Lock()
        if self._fd >= 0:
            os.close(self._fd)  # the flock lives on the parent's open file description
        self._fd, self._path, self._size = -1, None, 0

    # --- replaying ----------------------------------------------------------------------------------

    def segments(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        with self._lock:
            current = self._path
        return sorted(p for p in self.directory.glob(f"*{SUFFIX}") if p != current)

    def claim(self, path: Path) -> Segment | None:
        """The segment, locked for replay, or None if another process holds it (or it is gone)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        if os.fstat(fd).st_nlink == 0:  # replayed and unlinked by another process meanwhile
            os.close(fd)
            return None
        return Segment(path, fd)

    def spooled_bytes(self) -> int:
        total = 0
        for p in self.directory.glob(f"*{SUFFIX}") if self.directory.is_dir() else []:
            with contextlib.suppress(FileNotFoundError):
                total += p.stat().st_size
        return total

    def is_empty(self) -> bool:
        with self._lock:
            if self._size > 0:
                return False
        return self.spooled_bytes() == 0

    # --- dead letters -------------------------------------------------------------------------------

    def reject(self, rejected: Sequence[Rejected]) -> None:
        if not rejected:
            return
        now = dt.datetime.now(dt.timezone.utc)
        out = []
        for r in rejected:
            record = {"at": now.isoformat(), "table": r.table, "row": r.line.decode("utf-8", "replace"),
                      "error": r.error}
            out.append(json.dumps(record, ensure_ascii=False) + "\n")
        self.rejected_dir.mkdir(parents=True, exist_ok=True)
        path = self.rejected_dir / f"{now:%Y%m%d}.jsonl"
        with self._lock:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                _write_all(fd, "".join(out).encode())
                os.fsync(fd)
            finally:
                os.close(fd)

    def rejected_rows(self) -> list[dict[str, str]]:
        """Every dead letter on disk (for tests and operators)."""
        out: list[dict[str, str]] = []
        if self.rejected_dir.is_dir():
            for p in sorted(self.rejected_dir.glob("*.jsonl")):
                out.extend(json.loads(line) for line in p.read_text().splitlines() if line)
        return out
