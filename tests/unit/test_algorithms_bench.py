"""The similarity benchmark's pieces that need no services: the growth fit, and the plain-Python baseline."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone

import pytest

from algorithms.bench import BenchReport, PhaseTimer, SizeResult, fit_power_law, local_exponents
from algorithms.bench_naive import inverted_index, weighted_jaccard, weighted_jaccard_top_k

# ---------------------------------------------------------------- fit and extrapolation


def test_fit_recovers_an_exact_power_law() -> None:
    xs = [1000.0, 2000.0, 4000.0]
    ys = [0.5 * (x / 1000) ** 2 for x in xs]  # 0.5 s, 2 s, 8 s
    fit = fit_power_law(xs, ys)
    assert fit.exponent == pytest.approx(2.0)
    assert fit.coefficient == pytest.approx(0.5e-6)
    assert fit.r_squared == pytest.approx(1.0)
    # 100k users: 0.5 s * 100^2
    assert fit.predict(100_000) == pytest.approx(5000.0)


def test_fit_is_least_squares_on_the_logs() -> None:
    # log2 sizes 0, 1, 2 and log2 times 0, 1, 3: the slope of the least-squares line is 1.5,
    # its intercept -1/6 (both in log2 units: the exponent does not depend on the base).
    fit = fit_power_law([1.0, 2.0, 4.0], [1.0, 2.0, 8.0])
    assert fit.exponent == pytest.approx(1.5)
    assert math.log2(fit.coefficient) == pytest.approx(-1 / 6)
    # residuals in log2: 1/6, -1/3, 1/6; total sum of squares (0, 1, 3 around 4/3): 14/3
    assert fit.r_squared == pytest.approx(1 - (1 / 36 + 1 / 9 + 1 / 36) / (14 / 3))
    assert fit.predict(8.0) == pytest.approx(2 ** (-1 / 6 + 4.5))


def test_fit_needs_two_distinct_sizes() -> None:
    with pytest.raises(ValueError):
        fit_power_law([1000.0, 1000.0], [1.0, 1.1])
    with pytest.raises(ValueError):
        fit_power_law([1000.0], [1.0, 2.0])


def test_local_exponents() -> None:
    steps = local_exponents([4000.0, 1000.0, 2000.0], [16.0, 1.0, 4.0])
    assert [(a, b) for a, b, _ in steps] == [(1000.0, 2000.0), (2000.0, 4000.0)]
    assert [e for _, _, e in steps] == pytest.approx([2.0, 2.0])


def _report() -> BenchReport:
    report = BenchReport(
        sizes=[1000, 2000, 4000, 100_000],
        sql_sizes=[1000, 2000, 4000],
        days=3,
        seed=7,
        top_k=10,
        reference_time=datetime(2025, 11, 1, tzinfo=timezone.utc),
    )
    for n, sql_s, gds_s in ((1000, 1.0, 2.0), (2000, 4.0, 2.5), (4000, 16.0, 3.0)):
        report.results.append(
            SizeResult(
                users=n,
                sql_seconds=sql_s,
                gds_seconds=gds_s,
                sharing_seconds=gds_s / 2,
                python_read_seconds=0.1,
                python_compute_seconds=n / 1000,
            )
        )
    report.results.append(  # GDS not run at the top size
        SizeResult(
            users=100_000,
            sharing_seconds=100.0,
            python_read_seconds=1.0,
            python_compute_seconds=99.0,
            python_estimated=True,
            sharing_gds_users=0,
            agreement_users=100_000,
            agreement_matching=99_999,
        )
    )
    return report


def test_report_extrapolates_sql_to_the_sizes_it_did_not_run() -> None:
    report = _report()
    fit = report.sql_fit()
    assert fit is not None and fit.exponent == pytest.approx(2.0)
    top = report.top()
    assert top is not None and top.users == 100_000
    gds_top = report.top("gds")
    assert gds_top is not None and gds_top.users == 4000
    seconds, extrapolated = report.sql_seconds_at(top)
    assert extrapolated and seconds == pytest.approx(10_000.0)  # 1 s * 100^2
    assert report.sql_seconds_at(report.results[0]) == (1.0, False)
    row = dict(zip(BenchReport.HEADERS, report.rows()[-1], strict=True))
    assert row["SQL s"] == "~10,000" and row["Sharing vs SQL"] == "~100x" and row["Python s"] == "~100"
    assert row["GDS s"] == row["Sharing vs GDS"] == row["Sharing = GDS"] == "-"
    assert row["Python = Sharing"] == "99,999/100,000"
    first = dict(zip(BenchReport.HEADERS, report.rows()[0], strict=True))
    assert (first["GDS vs SQL"], first["Sharing vs SQL"], first["Sharing vs GDS"]) == ("0.5x", "1.0x", "2.0x")
    growth = report.growth()
    assert growth["Python"] is not None and growth["GDS"] is not None and growth["Sharing"] is not None
    lines = report.fit_lines()
    assert any("100,000 users" in line and "sharing engine" in line and "meets the 50x" in line for line in lines)
    assert any("4,000 users" in line and "GDS nodeSimilarity" in line for line in lines)
    assert report.markdown().count("\n") == 1 + len(report.results)


def test_phase_timer_splits_the_job_by_step() -> None:
    timer = PhaseTimer()
    timer.start = 0.0
    timer.marks = [
        ("count+estimate", 1.0),
        ("project", 2.0),
        ("nodeSimilarity", 5.0),
        ("write", 6.0),
        ("publish", 9.0),
        ("done", 9.5),
    ]
    assert timer.phases(10.0) == {
        "setup": 1.0,
        "count+estimate": 1.0,
        "project": 3.0,
        "nodeSimilarity": 1.0,
        "write": 3.0,
        "publish": 0.5,
    }
    timer2 = PhaseTimer()
    timer2.step("user_similarity", "project user_content (10 nodes, 20 rels)")
    timer2.step("user_similarity", "write SIMILAR_TO (engagement)")
    assert [name for name, _ in timer2.marks] == ["project", "write"]
    timer3 = PhaseTimer(label="Sharing")
    for step in (
        "estimate memory (user_content, worker)",
        "read weights (user_content)",
        "sharing similarity (10 nodes, 20 weights, JACCARD, top 10)",
        "write SIMILAR_TO (engagement)",
    ):
        timer3.step("user_similarity", step)
    assert [name for name, _ in timer3.marks] == ["count+estimate", "read", "sharing", "write"]


# ---------------------------------------------------------------- the plain-Python baseline

# Three users over items x, y, z (hand-computed below).
VECTORS: dict[str, dict[str, float]] = {
    "a": {"x": 1.0, "y": 2.0},
    "b": {"x": 2.0, "y": 1.0, "z": 1.0},
    "c": {"z": 3.0},
    "d": {"w": 1.0},  # shares nothing: no neighbours
}


def test_weighted_jaccard_by_hand() -> None:
    # a, b: min 1 + 1 + 0 = 2, max 2 + 2 + 1 = 5
    assert weighted_jaccard(VECTORS["a"], VECTORS["b"]) == pytest.approx(2 / 5)
    # b, c: min 0 + 0 + 1 = 1, max 2 + 1 + 3 = 6
    assert weighted_jaccard(VECTORS["b"], VECTORS["c"]) == pytest.approx(1 / 6)
    assert weighted_jaccard(VECTORS["a"], VECTORS["c"]) == 0.0
    assert weighted_jaccard({}, {}) == 0.0


def test_inverted_index() -> None:
    index = inverted_index(VECTORS)
    assert index["x"] == {"a": 1.0, "b": 2.0}
    assert index["z"] == {"b": 1.0, "c": 3.0}
    assert index["w"] == {"d": 1.0}


def test_top_k_by_hand() -> None:
    run = weighted_jaccard_top_k(VECTORS, top_k=10)
    assert run.complete and run.sources_total == 4
    assert {u: [(v, round(s, 12)) for v, s in row] for u, row in run.top_k.items()} == {
        "a": [("b", 0.4)],
        "b": [("a", 0.4), ("c", round(1 / 6, 12))],
        "c": [("b", round(1 / 6, 12))],
        "d": [],
    }
    assert run.relationships == 4
    # pair updates: a -> x(2) + y(2); b -> x(2) + y(2) + z(2); c -> z(2); d -> w(1)
    assert run.pair_updates == 4 + 6 + 2 + 1


def _rounded(row: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(v, round(s, 12)) for v, s in row]


def test_top_k_keeps_the_best_k_and_the_cutoffs() -> None:
    run = weighted_jaccard_top_k(VECTORS, top_k=1)
    assert _rounded(run.top_k["b"]) == [("a", 0.4)]
    run = weighted_jaccard_top_k(VECTORS, top_k=10, similarity_cutoff=0.2)
    assert run.top_k["c"] == [] and _rounded(run.top_k["b"]) == [("a", 0.4)]
    # degree cutoff 2: c and d (one item each) are neither compared nor candidates
    run = weighted_jaccard_top_k(VECTORS, top_k=10, degree_cutoff=2)
    assert set(run.top_k) == {"a", "b"} and _rounded(run.top_k["b"]) == [("a", 0.4)]
    with pytest.raises(ValueError):
        weighted_jaccard_top_k(VECTORS, top_k=0)


def test_top_k_matches_brute_force_on_random_vectors() -> None:
    rng = random.Random(3)
    vectors = {
        u: {f"i{rng.randrange(30)}": rng.choice([0.1, 0.25, 0.5, 1.0, 1.7]) for _ in range(rng.randrange(1, 8))}
        for u in range(60)
    }
    run = weighted_jaccard_top_k(vectors, top_k=5)
    for u, row in run.top_k.items():
        brute = sorted(
            (s for v in vectors if v != u and (s := weighted_jaccard(vectors[u], vectors[v])) > 0), reverse=True
        )[:5]
        assert [s for _, s in row] == pytest.approx(brute)


def test_budget_samples_users_and_estimates_the_rest() -> None:
    vectors = {u: {"x": 1.0, f"own{u}": 1.0} for u in range(500)}
    run = weighted_jaccard_top_k(vectors, top_k=3, budget_s=0.0, seed=1)
    assert not run.complete and run.sources_done == 64  # the budget is checked every 64 users
    assert run.estimated_seconds == pytest.approx(run.index_seconds + run.compute_seconds * 500 / 64)
    full = weighted_jaccard_top_k(vectors, top_k=3)
    assert full.complete and full.estimated_seconds == full.seconds
    # every user shares x with everyone: weighted Jaccard 1 / 3
    assert all(s == pytest.approx(1 / 3) for row in full.top_k.values() for _, s in row)


def test_phase_timer_shows_steps_and_gds_progress_every_tenth() -> None:
    import io

    from rich.console import Console

    out = io.StringIO()
    timer = PhaseTimer(Console(file=out, width=200))
    timer.step("user_similarity", "project user_content")
    timer.step("user_similarity", "nodeSimilarity")
    for done in (0.0, 0.01, 0.05, 0.1, 0.12, 0.5, 1.0):
        timer.fraction("user_similarity", done)
    timer.step("user_similarity", "done")
    lines = out.getvalue().splitlines()
    assert [line.split("]", 1)[1].strip() for line in lines] == [
        "project user_content",
        "nodeSimilarity",
        "0%",
        "10%",
        "50%",
        "100%",
    ]
    assert "nodeSimilarity" in timer.phases(timer.marks[-1][1])
