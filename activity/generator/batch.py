"""A day's rows per table, and their finishing: sort by time, give ids, join into COPY payloads.

Why per day: the platform's ids grow with insertion time, and the sync's change capture reads by id,
so generated ids should follow timestamps too. Holding one simulated day at a time (about
rows_per_day x ~200 bytes) is enough to sort it, while the whole dataset streams.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Final

from .tables import TABLES

_ROW_START: Final = struct.Struct("!hiq")  # field count, then the id field (length 8, value)
_NCOLS: Final = tuple(len(t.columns) for t in TABLES)


@dataclass
class DayRows:
    """Rows of one simulated day: per table, parallel lists of timestamps and row bytes (no id yet)."""

    ts: list[list[int]] = field(default_factory=lambda: [[] for _ in TABLES])
    data: list[list[bytes]] = field(default_factory=lambda: [[] for _ in TABLES])
    #: deliberately bad rows: per table, {position in that table's lists: kind}
    bad: list[dict[int, str]] = field(default_factory=lambda: [{} for _ in TABLES])

    def add(self, table: int, ts_us: int, row: bytes) -> None:
        self.ts[table].append(ts_us)
        self.data[table].append(row)

    def add_bad(self, table: int, ts_us: int, row: bytes, kind: str) -> None:
        self.bad[table][len(self.ts[table])] = kind
        self.ts[table].append(ts_us)
        self.data[table].append(row)

    def count(self) -> int:
        return sum(len(t) for t in self.ts)


@dataclass
class FinishedDay:
    """COPY payloads (tuples only, no file header) and what to record about them."""

    payloads: list[bytes]
    counts: list[int]
    #: (table number, id, kind) of each deliberately bad row
    bad: list[tuple[int, int, str]]


def finish(day: DayRows, next_ids: list[int]) -> FinishedDay:
    """Sort each table's rows by timestamp (stable), assign ids from `next_ids` (advanced in place).

    Consumes `day` (its lists are emptied as each table is joined, to keep the peak memory low).
    """
    payloads: list[bytes] = []
    counts: list[int] = []
    bad: list[tuple[int, int, str]] = []
    pack = _ROW_START.pack
    for t in range(len(TABLES)):
        stamps, rows = day.ts[t], day.data[t]
        order = sorted(range(len(stamps)), key=stamps.__getitem__)
        base = next_ids[t]
        ncols = _NCOLS[t]
        parts: list[bytes] = []
        append = parts.append
        for pos, j in enumerate(order):
            append(pack(ncols, 8, base + pos))
            append(rows[j])
        marks = day.bad[t]
        if marks:
            for pos, j in enumerate(order):
                kind = marks.get(j)
                if kind is not None:
                    bad.append((t, base + pos, kind))
        next_ids[t] = base + len(order)
        payloads.append(b"".join(parts))
        counts.append(len(order))
        day.ts[t], day.data[t] = [], []  # release the table's rows as soon as they are joined
    return FinishedDay(payloads, counts, bad)
