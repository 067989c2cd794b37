"""The verdict's statistics against values computed outside the code: Wilson bounds from the
closed formula worked by hand, scipy's own reference implementations, the sample-size formula
with its normal quantiles typed in, and simulations of the power and the false-separation rate.
"""

from __future__ import annotations

import random
import statistics

import polars as pl
import pytest

from costlens import stats
from costlens import verdict as v

Z95, Z80 = 1.959964, 0.841621  # standard normal quantiles 0.975 and 0.8, from a table


def test_wilson_24_of_24_by_hand():
    # p = 1: lower = (1 + z^2/2n - z * z/2n) / (1 + z^2/n) = 1 / (1 + z^2 / 24)
    low, high = stats.wilson(24, 24)
    assert low == pytest.approx(1 / (1 + Z95**2 / 24), abs=1e-6)  # 0.862024
    assert high == 1.0 and low < 0.87


def test_wilson_5_of_10_by_hand():
    # p = 0.5, n = 10: centre 0.5 (symmetric); half = z sqrt(0.025 + z^2/400) / (1 + z^2/10)
    half = Z95 * (0.025 + Z95**2 / 400) ** 0.5 / (1 + Z95**2 / 10)
    low, high = stats.wilson(5, 10)
    assert (low, high) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-6)  # 0.2366, 0.7634


def test_wilson_0_of_10_is_exactly_0_and_upper_by_hand():
    low, high = stats.wilson(0, 10)
    assert low == 0.0
    assert high == pytest.approx((Z95**2 / 10) / (1 + Z95**2 / 10), abs=1e-6)  # 0.2775


@pytest.mark.parametrize(("k", "n"), [(3, 17), (24, 24), (0, 5), (11, 40)])
def test_wilson_matches_scipy(k, n):
    from scipy.stats import binomtest

    ref = binomtest(k, n).proportion_ci(confidence_level=0.9, method="wilson")
    assert stats.wilson(k, n, 0.9) == pytest.approx((ref.low, ref.high), abs=1e-12)


def test_tasks_needed_formula_by_hand():
    # n = ((1.959964 + 0.841621) * 0.7 / 0.2)^2 = 96.17 -> 97
    assert stats.tasks_needed(0.7, 0.2) == 97
    assert stats.tasks_needed(0.7, -0.2) == 97
    assert stats.tasks_needed(0.7, 0.0) is None
    assert stats.tasks_needed(0.0, 0.2) is None


def test_paired_sd_of_a_rate_is_the_sd_of_the_per_task_differences():
    a = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
    b = [0, 0, 1, 0, 0, 1, 0, 1, 0, 0]
    ones = [1] * 10
    want = statistics.stdev([x - y for x, y in zip(a, b, strict=True)])
    assert stats.paired_sd(a, ones, b, ones) == pytest.approx(want)


def test_paired_interval_of_a_mean_difference_matches_scipy_and_the_normal_interval():
    rng = random.Random(3)
    d = [rng.gauss(0.3, 1.0) for _ in range(400)]
    zeros, ones = [0.0] * 400, [1.0] * 400
    low, high, method = stats.paired_interval(d, ones, zeros, ones, b=2000, seed=1)
    assert method == stats.PAIRED_METHOD
    # normal theory: mean +- 1.96 sd / sqrt(n); the bootstrap agrees to sampling error
    m, se = statistics.mean(d), statistics.stdev(d) / 400**0.5
    assert low == pytest.approx(m - Z95 * se, abs=0.02)
    assert high == pytest.approx(m + Z95 * se, abs=0.02)


def test_paired_interval_where_bca_is_undefined_falls_back_and_says_so():
    ones = [1.0] * 10
    low, high, method = stats.paired_interval(ones, ones, ones, ones, b=200)
    assert (low, high) == (0.0, 0.0)
    assert method == "paired percentile bootstrap over tasks"


def _simulate_rate_pairs(rng, n, pa, pb):
    a = [1.0 if rng.random() < pa else 0.0 for _ in range(n)]
    b = [1.0 if rng.random() < pb else 0.0 for _ in range(n)]
    return a, b


def test_tasks_needed_gives_the_stated_power_in_simulation():
    # Two models, independent per task, first-attempt success 0.7 vs 0.5: per-task difference
    # variance 0.7*0.3 + 0.5*0.5 = 0.46. The formula's n must detect 0.2 in ~80% of bundles.
    n = stats.tasks_needed(0.46**0.5, 0.2)
    assert n == 91  # ((1.959964 + 0.841621) * 0.678233 / 0.2)^2 = 90.2
    rng, hits, sims = random.Random(11), 0, 600
    for _ in range(sims):
        a, b = _simulate_rate_pairs(rng, n, 0.7, 0.5)
        d = [x - y for x, y in zip(a, b, strict=True)]
        z = statistics.mean(d) / (statistics.stdev(d) / n**0.5)
        hits += abs(z) > Z95
    assert hits / sims == pytest.approx(0.80, abs=0.05)


def test_paired_bootstrap_separates_same_distribution_models_rarely():
    # 95% intervals on models drawn from one distribution: about 5% of bundles separate.
    rng, separated, sims = random.Random(5), 0, 150
    ones = [1.0] * 40
    for i in range(sims):
        a, b = _simulate_rate_pairs(rng, 40, 0.6, 0.6)
        low, high, _ = stats.paired_interval(a, ones, b, ones, b=500, seed=i)
        separated += low > 0 or high < 0
    assert separated / sims < 0.12


def _tr(rows):
    return pl.DataFrame(
        rows,
        schema=["run_model", "task_id", "first_attempt_success", "solved", "all_in_cost"],
        orient="row",
    ).with_columns(pl.col("all_in_cost").cast(pl.Decimal(38, 12)))


def test_pairs_and_verdict_name_a_winner_only_when_separated():
    s = v.Settings(bootstrap=500)
    rows = [("A", f"T{i}", True, True, "1.00") for i in range(30)]
    rows += [("B", f"T{i}", i % 3 == 0, True, "1.00") for i in range(30)]
    tr = _tr(rows)
    ranked = pl.DataFrame({"run_model": ["A", "B"], "eligible": [True, True]})
    table = v.pairs(tr, ["A", "B"], "first_attempt_success_rate", s)
    row = table.row(0, named=True)
    assert row["difference"] == pytest.approx(1 - 10 / 30)
    assert row["separated"] and row["better"] == "A"
    got = v.verdict(ranked, table, "first_attempt_success_rate", s)
    assert (got["winner"], got["distinguishable"], got["tasks_needed"]) == ("A", True, None)


def test_verdict_without_separation_says_how_many_tasks():
    s = v.Settings(bootstrap=500)
    rows = [("A", f"T{i}", i % 2 == 0, True, "1") for i in range(20)]
    rows += [("B", f"T{i}", i % 5 < 2, True, "1") for i in range(20)]
    table = v.pairs(_tr(rows), ["A", "B"], "first_attempt_success_rate", s)
    ranked = pl.DataFrame({"run_model": ["A", "B"], "eligible": [True, True]})
    got = v.verdict(ranked, table, "first_attempt_success_rate", s)
    assert got["winner"] is None and not got["distinguishable"]
    r = table.row(0, named=True)
    # observed difference 10/20 - 8/20 = 0.1; needed from the observed paired sd
    assert r["difference"] == pytest.approx(0.1)
    want = ((Z95 + Z80) * r["sd_per_task"] / 0.1) ** 2
    assert got["tasks_needed"] == pytest.approx(want, abs=1)
    assert got["sentence"].startswith("not distinguishable on 20 tasks at 95% confidence")
    assert got["sentence"].endswith(
        f"about {got['tasks_needed']} would be needed to detect a difference of this size"
    )


def test_plan_relative_and_absolute():
    s = v.Settings()
    row = {"model_a": "A", "model_b": "B", "value_a": 2.0, "sd_per_task": 0.7}
    rel = v.plan([row], 0.1, relative=True, s=s)[0]
    assert rel["detect"] == pytest.approx(0.2)
    assert rel["tasks_needed"] == 97  # as in test_tasks_needed_formula_by_hand
    assert v.plan([row], 0.2, relative=False, s=s)[0]["tasks_needed"] == 97
