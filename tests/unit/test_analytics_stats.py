"""The A/B statistics (no scipy): against values worked out by hand and against the standard library."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from analytics.stats import (
    chi2_sf,
    chi_square_2x2,
    chi_square_goodness_of_fit,
    normal_cdf,
    normal_ppf,
    two_proportion_z_test,
    two_sided_p,
    wald_interval,
    wilson_interval,
    z_for,
)


def test_normal_cdf_and_quantiles() -> None:
    nd = NormalDist()
    for x in (-6.0, -1.96, -0.5, 0.0, 0.3, 1.0, 2.5758, 8.0):
        assert normal_cdf(x) == pytest.approx(nd.cdf(x), abs=1e-15)
    assert z_for(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert z_for(0.99) == pytest.approx(2.5758293035489, abs=1e-12)
    for p in (1e-9, 0.025, 0.5, 0.9, 0.999):
        assert normal_ppf(p) == pytest.approx(nd.inv_cdf(p), abs=1e-9)
    assert two_sided_p(1.959963984540054) == pytest.approx(0.05, abs=1e-12)
    with pytest.raises(ValueError):
        normal_ppf(1.0)


def test_wilson_interval_by_hand() -> None:
    # 20 of 200: p = 0.1, z² = 3.841459; centre = (0.1 + z²/400) / (1 + z²/200) = 0.10960365 / 1.01920729
    # = 0.107538; half = z sqrt(0.09/200 + z²/160000) / (1 + z²/200) = 1.959964 * 0.0217717 / 1.01920729
    # = 0.041868: [0.065670, 0.149406]
    lo, hi = wilson_interval(20, 200)
    assert (lo, hi) == pytest.approx((0.065670, 0.149406), abs=2e-6)
    z = z_for(0.95)
    centre = (0.1 + z * z / 400) / (1 + z * z / 200)
    half = z * math.sqrt(0.09 / 200 + z * z / 160000) / (1 + z * z / 200)
    assert (lo, hi) == pytest.approx((centre - half, centre + half), abs=1e-12)
    # edge cases: stays inside [0, 1], no trials = no information
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wald_interval(20, 200) == pytest.approx((0.1 - z * math.sqrt(0.09 / 200), 0.1 + z * math.sqrt(0.09 / 200)))
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_two_proportion_z_test_by_hand() -> None:
    # 20/200 vs 36/200: pooled 0.14, se = sqrt(0.14 * 0.86 * 0.01) = 0.0346987, z = 0.08 / se = 2.305562,
    # p = 0.021135 (two-sided); difference CI: 0.08 +- 1.96 sqrt(0.1 * 0.9 / 200 + 0.18 * 0.82 / 200)
    t = two_proportion_z_test(20, 200, 36, 200)
    assert t.z == pytest.approx(2.305562, abs=1e-6)
    assert t.p_value == pytest.approx(0.021135, abs=1e-6)
    assert t.diff == pytest.approx(0.08) and t.relative_lift == pytest.approx(0.8)
    half = z_for(0.95) * math.sqrt(0.1 * 0.9 / 200 + 0.18 * 0.82 / 200)
    assert t.diff_ci == pytest.approx((0.08 - half, 0.08 + half))
    assert t.significant() and not t.significant(alpha=0.01)
    # symmetric; no difference; no variation; no trials
    assert two_proportion_z_test(36, 200, 20, 200).z == pytest.approx(-t.z)
    assert two_proportion_z_test(10, 100, 10, 100).p_value == pytest.approx(1.0)
    none = two_proportion_z_test(0, 100, 0, 50)
    assert (none.z, none.p_value, none.relative_lift) == (0.0, 1.0, None)
    assert two_proportion_z_test(0, 0, 5, 10).p_value == 1.0


def test_chi_square() -> None:
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, abs=1e-12)
    assert chi2_sf(6.634896601021214, 1) == pytest.approx(0.01, abs=1e-12)
    for x in (0.1, 1.0, 5.991464547107979, 30.0):  # df 2: exactly exp(-x/2)
        assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)
    assert chi2_sf(11.070497693516351, 5) == pytest.approx(0.05, abs=1e-10)
    assert chi2_sf(0.0, 3) == 1.0
    # the 2x2 test is the z-test squared
    t = two_proportion_z_test(20, 200, 36, 200)
    c = chi_square_2x2(20, 200, 36, 200)
    assert c.statistic == pytest.approx(t.z**2) and c.p_value == pytest.approx(t.p_value, rel=1e-9)
    # goodness of fit: 520 vs 480 against 1:1 -> (20² + 20²) / 500 = 1.6
    g = chi_square_goodness_of_fit([520, 480], [1.0, 1.0])
    assert (g.statistic, g.df) == (pytest.approx(1.6), 1)
    assert g.p_value == pytest.approx(chi2_sf(1.6, 1))
    assert chi_square_goodness_of_fit([0, 0], [1.0, 1.0]).p_value == 1.0
