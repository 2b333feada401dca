"""The statistics the A/B report needs, in plain Python (no scipy): normal CDF and quantiles, Wilson and Wald
intervals for a proportion, the two-proportion z-test, and the chi-square survival function (for the 2x2 test
and the sample-ratio check)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def normal_cdf(x: float) -> float:
    """P(Z <= x) for a standard normal Z."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def two_sided_p(z: float) -> float:
    """P(|Z| >= |z|)."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def normal_ppf(p: float) -> float:
    """The standard normal quantile: x with normal_cdf(x) = p (bisection to machine precision)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if normal_cdf(mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2.0


def z_for(confidence: float) -> float:
    """The two-sided critical value: 1.959964 for 0.95."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return normal_ppf(0.5 + confidence / 2.0)


def _check_counts(successes: int, n: int) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion; (0, 1) when there are no trials."""
    _check_counts(successes, n)
    if n == 0:
        return 0.0, 1.0
    z = z_for(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def wald_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The normal (Wald) interval p +- z sqrt(p(1-p)/n), clipped to [0, 1]; (0, 1) when there are no trials."""
    _check_counts(successes, n)
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    half = z_for(confidence) * math.sqrt(p * (1 - p) / n)
    return max(0.0, p - half), min(1.0, p + half)


@dataclass(frozen=True)
class ZTest:
    """Treatment (b) against control (a): difference b - a, its Wald interval, pooled z and two-sided p."""

    p_a: float
    p_b: float
    diff: float
    diff_ci: tuple[float, float]
    relative_lift: float | None
    z: float
    p_value: float

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value < alpha


def two_proportion_z_test(x_a: int, n_a: int, x_b: int, n_b: int, confidence: float = 0.95) -> ZTest:
    """The pooled two-proportion z-test of H0: p_a = p_b (two-sided).

    z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b)) with p = (x_a + x_b) / (n_a + n_b). With no trials on a
    side, or no variation at all (p = 0 or 1), z = 0 and p = 1: there is no evidence of a difference.
    """
    _check_counts(x_a, n_a)
    _check_counts(x_b, n_b)
    p_a = x_a / n_a if n_a else 0.0
    p_b = x_b / n_b if n_b else 0.0
    diff = p_b - p_a
    lift = diff / p_a if p_a > 0 else None
    if n_a == 0 or n_b == 0:
        return ZTest(p_a, p_b, diff, (-1.0, 1.0), lift, 0.0, 1.0)
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = diff / se if se > 0 else 0.0
    se_diff = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    half = z_for(confidence) * se_diff
    return ZTest(p_a, p_b, diff, (diff - half, diff + half), lift, z, two_sided_p(z) if se > 0 else 1.0)


# -- chi-square ---------------------------------------------------------------------------------------------------


def _gamma_p_series(a: float, x: float) -> float:
    """Regularized lower incomplete gamma P(a, x) by its series (x < a + 1)."""
    term = total = 1.0 / a
    ap = a
    for _ in range(10_000):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * 1e-16:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_q_fraction(a: float, x: float) -> float:
    """Regularized upper incomplete gamma Q(a, x) by Lentz's continued fraction (x >= a + 1)."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square with `df` degrees of freedom (Q(df/2, x/2))."""
    if df < 1:
        raise ValueError(f"df must be >= 1, got {df!r}")
    if x <= 0:
        return 1.0
    a, half = df / 2.0, x / 2.0
    if half < a + 1.0:
        return max(0.0, 1.0 - _gamma_p_series(a, half))
    return min(1.0, _gamma_q_fraction(a, half))


@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    df: int
    p_value: float


def chi_square_2x2(x_a: int, n_a: int, x_b: int, n_b: int) -> ChiSquare:
    """Pearson's chi-square test of independence on [[x_a, n_a - x_a], [x_b, n_b - x_b]] (no continuity
    correction: equals the pooled z-test, statistic = z^2)."""
    _check_counts(x_a, n_a)
    _check_counts(x_b, n_b)
    table = ((x_a, n_a - x_a), (x_b, n_b - x_b))
    total = n_a + n_b
    cols = (x_a + x_b, total - x_a - x_b)
    if total == 0 or 0 in cols or 0 in (n_a, n_b):
        return ChiSquare(0.0, 1, 1.0)
    stat = 0.0
    for row, n_row in zip(table, (n_a, n_b), strict=True):
        for observed, n_col in zip(row, cols, strict=True):
            expected = n_row * n_col / total
            stat += (observed - expected) ** 2 / expected
    return ChiSquare(stat, 1, chi2_sf(stat, 1))


def chi_square_goodness_of_fit(observed: Sequence[int], expected_shares: Sequence[float]) -> ChiSquare:
    """Observed counts against expected shares (the A/B sample-ratio check: users per variant vs weights)."""
    if len(observed) != len(expected_shares) or len(observed) < 2:
        raise ValueError("need the same number (>= 2) of observed counts and expected shares")
    total_share = sum(expected_shares)
    n = sum(observed)
    if n == 0 or total_share <= 0:
        return ChiSquare(0.0, len(observed) - 1, 1.0)
    stat = 0.0
    for o, share in zip(observed, expected_shares, strict=True):
        expected = n * share / total_share
        if expected > 0:
            stat += (o - expected) ** 2 / expected
    return ChiSquare(stat, len(observed) - 1, chi2_sf(stat, len(observed) - 1))
