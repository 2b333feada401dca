"""Decay: hand-computed values, and exactness under any arrival order against the closed form."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.decay import (
    DEFAULT_HALF_LIFE_SECONDS,
    DecayedSum,
    closed_form,
    combine,
    decay_factor,
    decayed,
)

T0 = datetime(2025, 9, 19, 12, 0, tzinfo=timezone.utc)
HL = DEFAULT_HALF_LIFE_SECONDS  # 14 days
DAY = 86400.0


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_default_half_life_is_14_days() -> None:
    assert HL == 14 * DAY
    assert DecayedSum().half_life_seconds == HL


def test_decay_factor_halves_per_half_life() -> None:
    assert decay_factor(0.0, HL) == 1.0
    assert decay_factor(HL, HL) == 0.5
    assert decay_factor(3 * HL, HL) == 0.125
    assert decay_factor(1e12, 1.0) == 0.0  # underflows to 0, never raises


@pytest.mark.parametrize(("dt", "hl"), [(-1.0, HL), (math.nan, HL), (math.inf, HL), (1.0, 0.0), (1.0, -HL)])
def test_decay_factor_rejects_backwards_and_nonsense(dt: float, hl: float) -> None:
    with pytest.raises(ValueError):
        decay_factor(dt, hl)


def test_decayed_by_hand() -> None:
    assert decayed(8.0, T0, T0 + timedelta(days=42), timedelta(days=14)) == 1.0
    assert decayed(8.0, T0, T0, HL) == 8.0
    with pytest.raises(ValueError):
        decayed(1.0, T0 + timedelta(seconds=1), T0, HL)
    with pytest.raises(ValueError):
        decayed(1.0, T0.replace(tzinfo=None), T0, HL)


def test_add_by_hand_in_and_out_of_order() -> None:
    later = T0 + timedelta(days=14)
    in_order = DecayedSum().add(1.0, T0, "like").add(1.0, later, "view")
    out_of_order = DecayedSum().add(1.0, later, "view").add(1.0, T0, "like")
    for s in (in_order, out_of_order):
        assert s.weight == 1.5  # 1 * 2^-1 + 1
        assert s.last_at == later and s.first_at == T0
        assert s.count == 2
        assert s.type_counts == {"like": 1, "view": 1}
    # the old row was decayed forward to last_at, never backwards
    assert out_of_order.weight_at(later + timedelta(days=14)) == 0.75


def test_cypher_twin_formula_literally() -> None:
    """new = old * 2^(-(max(last,ts)-last)/hl) + c * 2^(-(max(last,ts)-ts)/hl), in epoch seconds."""
    s = DecayedSum().add(2.0, T0, "like")
    for c, ts in [
        (0.5, T0 + timedelta(days=3)),
        (0.7, T0 - timedelta(days=9)),
        (1.0, T0 + timedelta(days=30)),
    ]:
        assert s.last_at is not None
        last, t = s.last_at.timestamp(), ts.timestamp()
        m = max(last, t)
        expected = s.weight * 2 ** (-(m - last) / HL) + c * 2 ** (-(m - t) / HL)
        s = s.add(c, ts, "x")
        assert close(s.weight, expected)
        assert s.last_at is not None and s.last_at.timestamp() == m


def test_weight_at_decays_forward_and_never_inflates() -> None:
    s = DecayedSum.of(4.0, T0, "share")
    assert s.weight_at(T0 - timedelta(days=5)) == 4.0
    assert s.weight_at(T0) == 4.0
    assert s.weight_at(T0 + timedelta(days=14)) == 2.0
    assert DecayedSum().weight_at(T0) == 0.0


def test_add_rejects_bad_input() -> None:
    for bad in (-0.1, math.nan, math.inf):
        with pytest.raises(ValueError):
            DecayedSum().add(bad, T0, "x")
    with pytest.raises(ValueError):
        DecayedSum().add(1.0, datetime(2025, 1, 1), "x")


def test_merge_requires_same_half_life() -> None:
    a = DecayedSum.of(1.0, T0, "x", half_life=timedelta(days=7))
    b = DecayedSum.of(1.0, T0, "x")
    with pytest.raises(ValueError):
        a.merge(b)
    assert a.merge(DecayedSum(half_life_seconds=7 * DAY)) == a
    assert DecayedSum(half_life_seconds=7 * DAY).merge(a) == a


def test_combine_is_the_merge_formula() -> None:
    w, t = combine(1.0, T0, 1.0, T0 + timedelta(days=14), HL)
    assert (w, t) == (1.5, T0 + timedelta(days=14))


def test_retract_undoes_add() -> None:
    rows = [(0.3, T0), (0.5, T0 + timedelta(days=2)), (1.0, T0 + timedelta(days=9))]
    full = DecayedSum()
    for c, t in rows:
        full = full.add(c, t, "like")
    less = full.retract(0.5, T0 + timedelta(days=2), "like")
    assert close(less.weight, closed_form([rows[0], rows[2]], rows[2][1], HL))
    assert less.count == 2 and less.type_counts == {"like": 2}
    with pytest.raises(ValueError):
        full.retract(0.1, T0 + timedelta(days=30), "like")
    with pytest.raises(ValueError):
        DecayedSum().retract(0.1, T0, "like")


# --- properties -------------------------------------------------------------------------------------------

contribution = st.floats(min_value=0.0, max_value=10.0, allow_nan=False, allow_infinity=False)
offset = st.floats(min_value=-400 * DAY, max_value=400 * DAY, allow_nan=False, allow_infinity=False)
kind = st.sampled_from(["view", "like", "comment", "share"])
row = st.tuples(contribution, offset, kind)
rows_st = st.lists(row, min_size=1, max_size=30)


def _fold(rows: list[tuple[float, float, str]], hl: float = HL) -> DecayedSum:
    s = DecayedSum(half_life_seconds=hl)
    for c, off, k in rows:
        s = s.add(c, T0 + timedelta(seconds=off), k)
    return s


def _reference(rows: list[tuple[float, float, str]], hl: float = HL) -> tuple[float, datetime]:
    """Independent closed form: sum c_i * 2^(-(T - t_i)/hl) with T = max t_i, computed from raw seconds."""
    t_max = max(off for _, off, _ in rows)
    total = math.fsum(c * 2.0 ** (-(t_max - off) / hl) for c, off, _ in rows)
    return total, T0 + timedelta(seconds=t_max)


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, data=st.data(), hl_days=st.sampled_from([1.0, 14.0, 90.0]))
def test_any_arrival_order_equals_closed_form(
    rows: list[tuple[float, float, str]], data: st.DataObject, hl_days: float
) -> None:
    hl = hl_days * DAY
    order = data.draw(st.permutations(rows))
    s = _fold(order, hl)
    expected, t_max = _reference(rows, hl)
    assert math.isclose(s.weight, expected, rel_tol=1e-9, abs_tol=1e-9)
    assert s.last_at == t_max
    assert s.first_at == min(T0 + timedelta(seconds=off) for _, off, _ in rows)
    assert s.count == len(rows)
    assert s.type_counts == {k: sum(1 for *_, k2 in rows if k2 == k) for _, _, k in rows}
    # a reader later on gets the same as decaying the closed form
    later = t_max + timedelta(days=10)
    assert math.isclose(s.weight_at(later), expected * 2.0 ** (-10 * DAY / hl), rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(rows=rows_st, data=st.data())
def test_partial_sums_merged_in_any_order_equal_closed_form(
    rows: list[tuple[float, float, str]], data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=4)))
    bounds = [0, *cuts, len(rows)]
    parts = [_fold(rows[a:b]) for a, b in itertools.pairwise(bounds)]
    merged = DecayedSum()
    for part in data.draw(st.permutations(parts)):
        merged = merged.merge(part)
    expected, t_max = _reference(rows)
    assert math.isclose(merged.weight, expected, rel_tol=1e-9, abs_tol=1e-9)
    assert merged.last_at == t_max and merged.count == len(rows)


@settings(max_examples=200, deadline=None)
@given(a=rows_st, b=rows_st, c=rows_st)
def test_merge_is_associative_and_commutative(
    a: list[tuple[float, float, str]], b: list[tuple[float, float, str]], c: list[tuple[float, float, str]]
) -> None:
    x, y, z = _fold(a), _fold(b), _fold(c)
    left, right = x.merge(y).merge(z), x.merge(y.merge(z))
    assert math.isclose(left.weight, right.weight, rel_tol=1e-9, abs_tol=1e-9)
    assert (left.count, left.first_at, left.last_at, left.types) == (
        right.count,
        right.first_at,
        right.last_at,
        right.types,
    )
    assert math.isclose(x.merge(y).weight, y.merge(x).weight, rel_tol=1e-9, abs_tol=1e-9)
    assert x.merge(DecayedSum()) == x
