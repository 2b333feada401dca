"""The cursor never skips a late-committing id and never re-applies one: pure checks of `advance`."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.cursor import Gap, Snapshot, SyncCursor, advance

SNAP = Snapshot(xmin=100, xmax=110)


def test_contiguous_batch_moves_last_id_without_gaps() -> None:
    c = advance(SyncCursor("t"), [1, 2, 3], [], SNAP, now=0.0)
    assert (c.last_id, c.gaps, c.version, c.rows_applied) == (3, (), 1, 3)


def test_missing_ids_become_gaps_and_fill_later() -> None:
    c = advance(SyncCursor("t"), [1, 2, 5, 9], [], SNAP, now=0.0)
    assert c.last_id == 9
    assert [(g.lo, g.hi) for g in c.gaps] == [(3, 4), (6, 8)]
    c = advance(c, [], [4, 7], SNAP, now=0.1)
    assert [(g.lo, g.hi) for g in c.gaps] == [(3, 3), (6, 6), (8, 8)]
    assert c.rows_applied == 6


def test_gap_expires_only_after_grace_and_horizon() -> None:
    c = advance(SyncCursor("t"), [1, 3], [], Snapshot(100, 105), now=0.0, grace_s=1.0)
    # Within the grace period nothing is decided.
    c = advance(c, [], [], Snapshot(200, 210), now=0.5, grace_s=1.0)
    assert c.gaps[0].horizon is None
    # After it, the horizon is the xmax of that later snapshot...
    c = advance(c, [], [], Snapshot(200, 210), now=1.5, grace_s=1.0)
    assert c.gaps[0].horizon == 210
    # ...and the gap stays while any transaction below the horizon may still be running.
    c = advance(c, [], [], Snapshot(209, 215), now=2.0, grace_s=1.0)
    assert len(c.gaps) == 1
    c = advance(c, [], [], Snapshot(210, 215), now=2.5, grace_s=1.0)
    assert c.gaps == () and c.expired_ids == 1


def test_props_round_trip() -> None:
    c = SyncCursor("t", 9, (Gap(3, 4, 1.5, None), Gap(6, 6, 2.0, 77)), 4, 10, 1, 123.0)
    assert SyncCursor.from_props("t", c.to_props()) == c


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=300), st.integers(0, 2**32), st.integers(1, 40))
def test_every_committed_id_applied_exactly_once(n: int, seed: int, limit: int) -> None:
    """Ids commit in a scrambled order while batches of `limit` are read: each is applied once."""
    rnd = random.Random(seed)
    order = list(range(1, n + 1))
    rnd.shuffle(order)
    visible: set[int] = set()
    applied: list[int] = []
    cursor = SyncCursor("t")
    i = 0
    now = 0.0
    while len(applied) < n:
        for _ in range(rnd.randint(0, 5)):  # some transactions commit
            if i < n:
                visible.add(order[i])
                i += 1
        new = sorted(x for x in visible if x > cursor.last_id)[:limit]
        in_gaps = sorted(x for x in visible if any(x in g for g in cursor.gaps))
        applied += new + in_gaps
        # Every id not yet visible belongs to a transaction still running: xmin stays below the horizons.
        snap = Snapshot(xmin=1 if i < n else 10**9, xmax=10**6)
        now += 0.3
        cursor = advance(cursor, new, in_gaps, snap, now, grace_s=1.0)
    assert sorted(applied) == list(range(1, n + 1))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 200), max_size=60), st.lists(st.integers(1, 200), max_size=10),
       st.integers(0, 50), st.floats(0.0, 10.0))
def test_an_id_span_moves_the_cursor_as_its_ids_do(ids: list[int], gap_ids: list[int], last: int, now: float) -> None:
    """The bulk path summarizes the ids it read (`IdSpan`): the cursor must come out the same."""
    from sync.cursor import IdSpan

    start = advance(SyncCursor("t", last_id=last), [last + 7, last + 9], [], SNAP, now=0.0)
    fresh = sorted({i + start.last_id for i in ids})
    span = IdSpan.of(start.last_id, fresh)
    assert span.count == len(fresh)
    a = advance(start, fresh, gap_ids, SNAP, now, grace_s=1.0, newest_row_at=5.0)
    b = advance(start, span, gap_ids, SNAP, now, grace_s=1.0, newest_row_at=5.0)
    assert a == b
