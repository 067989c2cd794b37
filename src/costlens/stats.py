"""Repeated-run and uncertainty statistics: pass@k / pass^k, expected cost to first success,
seeded bootstrap confidence intervals. Formulas in docs/metrics.md.

The bootstrap is vectorised: one polars ``sample`` draws every resample's task indices at once
(B x T rows), and a single group-by sums each resample; Python loops once per model only.
Interval bounds are estimates and are computed in float64 (money included), unlike the Decimal
point values they bracket.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil, comb, sqrt
from statistics import NormalDist

import polars as pl

from .metrics import TASK_RUN
from .results import B_DEFAULT, POWER_DEFAULT, SEED_DEFAULT
from .schema import MONEY


def pass_k(tr: pl.DataFrame, ks: tuple[int, ...] = (1, 2, 3, 5)) -> pl.DataFrame:
    """pass@k and pass^k per model over tasks with at least ``k`` task runs.

    A trial is one task run; it succeeds when the task was ``solved``. For a task with ``n``
    runs of which ``c`` solved: pass@k = 1 - C(n-c, k) / C(n, k) (Chen et al. 2021, the unbiased
    estimator of "at least one of k runs solves it") and pass^k = C(c, k) / C(n, k) (Yao et al.
    2024, unbiased for "all k runs solve it"). Both are averaged over the model's tasks.
    """
    per_task = tr.group_by("run_model", "task_id").agg(
        n=pl.len().cast(pl.Int64), c=pl.col("solved").sum().cast(pl.Int64)
    )
    combos = per_task.select("n", "c").unique()
    rows = [(n, c, k, *_estimators(n, c, k)) for n, c in combos.iter_rows() for k in ks if k <= n]
    est = pl.DataFrame(
        rows,
        schema=["n", "c", "k", "pass_at_k", "pass_hat_k"],
        orient="row",
        schema_overrides={"pass_at_k": pl.Float64, "pass_hat_k": pl.Float64},
    )
    return (
        per_task.join(est, on=["n", "c"], how="inner")
        .group_by("run_model", "k")
        .agg(
            tasks=pl.len().cast(pl.Int64),
            pass_at_k=pl.col("pass_at_k").mean(),
            pass_hat_k=pl.col("pass_hat_k").mean(),
        )
        .sort("run_model", "k")
    )


def _estimators(n: int, c: int, k: int) -> tuple[float, float]:
    total = comb(n, k)
    return float(1 - Fraction(comb(n - c, k), total)), float(Fraction(comb(c, k), total))


def expected_cost_to_first_success(att: pl.DataFrame) -> pl.DataFrame:
    """Per model: c1 + (1 - p1) * cr / pr, a geometric model of retrying until a pass.

    c1, p1: mean cost and pass rate of first attempts; cr, pr: the same over later attempts.
    Written with counts, (s1 + (n1 - k1) * sr / kr) / n1, so it stays exact in Decimal.
    Null when some first attempt failed and no later attempt ever passed (no finite estimate).
    """
    first = pl.col("attempt") == 1
    passed = pl.col("outcome") == "pass"
    agg = att.group_by("run_model").agg(
        n1=first.sum(),
        k1=(first & passed).sum(),
        s1=pl.col("cost").filter(first).sum().cast(MONEY),
        kr=(~first & passed).sum(),
        sr=pl.col("cost").filter(~first).sum().cast(MONEY),
    )
    retry = (pl.col("n1") - pl.col("k1")).cast(MONEY) * pl.col("sr") / pl.col("kr").cast(MONEY)
    exp = (
        pl.when(pl.col("k1") == pl.col("n1"))
        .then(pl.col("s1") / pl.col("n1").cast(MONEY))
        .when(pl.col("kr") > 0)
        .then((pl.col("s1") + retry) / pl.col("n1").cast(MONEY))
    )
    return agg.select("run_model", expected_cost_to_first_success=exp.cast(MONEY)).sort("run_model")


RATIOS = {
    "first_attempt_success_rate": ("first_attempt_success", "task_runs"),
    "solve_rate": ("solved", "task_runs"),
    "cost_per_task": ("cost", "task_runs"),
    "cost_per_solved_task": ("cost", "solved"),
}
"""Bootstrapped statistics as (numerator sum, denominator sum) over resampled tasks."""
COST_RATIOS = {k: v for k, v in RATIOS.items() if k.startswith("cost_")}


def per_task_sums(tr: pl.DataFrame, cost: str = "cost") -> pl.DataFrame:
    """One row per (model, task): sums over its task runs, the unit the bootstrap resamples.

    ``cost`` names the money column summed (model spend, or the all-in cost with review).
    Sorted by (model, task): a fixed row order is what lets the seed fix the resamples."""
    return (
        tr.group_by("run_model", "task_id")
        .agg(
            task_runs=pl.len().cast(pl.Float64),
            first_attempt_success=pl.col("first_attempt_success").sum().cast(pl.Float64),
            solved=pl.col("solved").sum().cast(pl.Float64),
            **{cost: pl.col(cost).sum().cast(pl.Float64)},
        )
        .sort("run_model", "task_id")
    )


def bootstrap(
    sums: pl.DataFrame,
    group: str,
    ratios: dict[str, tuple[str, str]],
    b: int = B_DEFAULT,
    seed: int = SEED_DEFAULT,
) -> pl.DataFrame:
    """Percentile 95% intervals of ratio statistics, resampling tasks with replacement.

    Args:
        sums: one row per (``group``, task) with the numerator / denominator columns.
        group: the column whose groups are resampled separately (a model, or a model pair).
        ratios: statistic name -> (numerator column, denominator column).
        b: resamples; seed: the random seed (same inputs and seed, same intervals).

    Returns:
        One row per (group, statistic): ``ci_low``, ``ci_high`` (null when undefined).
    """
    out = []
    groups = sums.group_by(group, maintain_order=True)
    for key, frame in sorted(groups, key=lambda g: str(g[0][0])):
        # A group with no name (an attempt whose model is unknown) keeps the column's type.
        name = pl.lit(key[0], dtype=sums.schema[group])
        out.append(_one_group(frame, ratios, b, seed).with_columns(name.alias(group)))
    if not out:
        return pl.DataFrame(schema={group: pl.String, "statistic": pl.String})
    return pl.concat(out).select(group, "statistic", "ci_low", "ci_high")


def _one_group(
    frame: pl.DataFrame, ratios: dict[str, tuple[str, str]], b: int, seed: int
) -> pl.DataFrame:
    t = frame.height
    idx = pl.Series("i", range(t)).sample(b * t, with_replacement=True, seed=seed)
    cols = sorted({c for pair in ratios.values() for c in pair})
    draws = frame.select(cols)[idx].with_columns(rep=pl.int_range(b * t) // t)
    sums = draws.group_by("rep").agg(pl.col(cols).sum())
    stats = sums.select(
        **{
            name: pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den))
            for name, (num, den) in ratios.items()
        }
    )
    return pl.DataFrame(
        {
            "statistic": list(ratios),
            "ci_low": [stats[n].quantile(0.025, "linear") for n in ratios],
            "ci_high": [stats[n].quantile(0.975, "linear") for n in ratios],
        },
        schema={"statistic": pl.String, "ci_low": pl.Float64, "ci_high": pl.Float64},
    )


def with_intervals(models: pl.DataFrame, tr: pl.DataFrame, **kw) -> pl.DataFrame:
    """``models`` plus ``<statistic>_ci_low`` / ``_ci_high`` columns: Wilson for the rates, the
    percentile bootstrap over tasks for the costs (``INTERVAL_METHODS``)."""
    ci = bootstrap(per_task_sums(tr), "run_model", COST_RATIOS, **kw)
    wide = ci.pivot(on="statistic", index="run_model", values=["ci_low", "ci_high"])
    wide = wide.rename({c: _ci_name(c) for c in wide.columns if c != "run_model"})
    wide = wide.with_columns(pl.col("run_model").cast(models.schema["run_model"]))
    rates = rate_intervals(tr).with_columns(pl.col("run_model").cast(models.schema["run_model"]))
    models = models.join(rates, on="run_model", how="left")
    return models.join(wide, on="run_model", how="left")


def _ci_name(col: str) -> str:
    """``ci_low_solve_rate`` (the pivot's name) -> ``solve_rate_ci_low``."""
    bound = "ci_low" if col.startswith("ci_low_") else "ci_high"
    return f"{col.removeprefix(bound + '_')}_{bound}"


STATS_ORDER = [c for s in RATIOS for c in (s, f"{s}_ci_low", f"{s}_ci_high")]


def model_stats(
    models: pl.DataFrame,
    tr: pl.DataFrame,
    att: pl.DataFrame,
    b: int = B_DEFAULT,
    seed: int = SEED_DEFAULT,
) -> pl.DataFrame:
    """One row per model: rates and costs with their intervals, expected cost to first success,
    and ``pass_at_<k>`` / ``pass_hat_<k>`` for each k that some task has enough runs for.

    A view over a report's own task runs (all tasks, not a matched bundle): no cost is added or
    moved, so the Summary's conservation is untouched. Money stays unrounded Decimal."""
    # A run log naming no model gives an all-null (untyped) model column: joined as text.
    text = pl.col("run_model").cast(pl.String)
    base = models.select(text, "task_runs", *RATIOS)
    if base.is_empty():
        return base
    tr, att = tr.with_columns(text), att.with_columns(text)
    out = with_intervals(base, tr, b=b, seed=seed)
    # A run log naming no model gives an all-null (untyped) model column: joined as text.
    for extra in (expected_cost_to_first_success(att), _pass_k_wide(tr)):
        out = out.join(
            extra.with_columns(pl.col("run_model").cast(pl.String)), on="run_model", how="left"
        )
    rest = [c for c in out.columns if c not in ("run_model", "task_runs", *STATS_ORDER)]
    return out.select("run_model", "task_runs", *STATS_ORDER, *rest)


def _pass_k_wide(tr: pl.DataFrame) -> pl.DataFrame:
    long = pass_k(tr)
    if long.is_empty():
        return pl.DataFrame(schema={"run_model": pl.String})
    long = long.with_columns(k=pl.col("k").cast(pl.String))
    wide = long.pivot(on="k", index="run_model", values=["pass_at_k", "pass_hat_k"])
    return wide.rename({c: c.replace("_k_", "_") for c in wide.columns})


# --- Intervals that behave at the edges, and the sample size to detect a difference -------------
# scipy (its BCa bootstrap) is imported inside paired_interval: only compare pays its import.

RATE_METHOD = "Wilson score"
COST_METHOD = "percentile bootstrap over tasks"
PAIRED_METHOD = "paired BCa bootstrap over tasks"
INTERVAL_METHODS = {
    "first_attempt_success_rate": f"{RATE_METHOD} over task runs",
    "solve_rate": f"{RATE_METHOD} over task runs",
    "cost_per_task": COST_METHOD,
    "cost_per_solved_task": COST_METHOD,
    "paired differences": PAIRED_METHOD,
}


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval of a rate ``k / n``; (None, None) for n = 0.

    (p + z^2 / 2n -+ z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n), z the two-sided normal
    quantile. Unlike a percentile bootstrap it is not degenerate at 0 / n or n / n: 24 of 24 gives
    [0.862, 1] at 95%. The closed form (checked against scipy's ``binomtest(...).proportion_ci``
    in the tests) keeps scipy's import out of ``costlens report``."""
    if n <= 0:
        return None, None
    z = _z(confidence)
    p, z2 = k / n, z * z
    centre = p + z2 / (2 * n)
    half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    low = 0.0 if k == 0 else (centre - half) / scale  # exact at the edges, not 1e-17
    return low, 1.0 if k == n else (centre + half) / scale


def _z(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95%."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def rate_intervals(tr: pl.DataFrame, confidence: float = 0.95) -> pl.DataFrame:
    """Per model, Wilson intervals of the first-attempt success rate and the solve rate over its
    task runs (one scipy call per model and rate)."""
    counts = tr.group_by("run_model").agg(
        n=pl.len(),
        first=pl.col("first_attempt_success").sum(),
        solved=pl.col("solved").sum(),
    )
    cols: dict[str, list] = {"run_model": counts["run_model"].to_list()}
    for rate, hits in (("first_attempt_success_rate", "first"), ("solve_rate", "solved")):
        bounds = [wilson(k, n, confidence) for k, n in zip(counts[hits], counts["n"], strict=True)]
        cols[f"{rate}_ci_low"] = [lo for lo, _ in bounds]
        cols[f"{rate}_ci_high"] = [hi for _, hi in bounds]
    schema = {c: pl.Float64 for c in cols} | {"run_model": pl.String}
    return pl.DataFrame(cols, schema=schema)


def ratio_difference(x_a, y_a, x_b, y_b) -> float | None:
    """sum(x_a) / sum(y_a) - sum(x_b) / sum(y_b) over the same tasks; None when undefined."""
    sa, sb = sum(y_a), sum(y_b)
    if sa <= 0 or sb <= 0:
        return None
    return sum(x_a) / sa - sum(x_b) / sb


def paired_interval(
    x_a: list[float],
    y_a: list[float],
    x_b: list[float],
    y_b: list[float],
    confidence: float = 0.95,
    b: int = B_DEFAULT,
    seed: int = SEED_DEFAULT,
) -> tuple[float | None, float | None, str]:
    """Interval of ``ratio_difference`` resampling tasks (the same tasks for both models).

    BCa (scipy.stats.bootstrap, ``paired=True``) first; where BCa is undefined (too few distinct
    values, or a resample whose denominator is 0) the percentile interval of the same resamples,
    ignoring undefined ones. Returns (low, high, method)."""
    import warnings

    import numpy as np
    from scipy.stats import bootstrap as sp_bootstrap  # type: ignore[import-untyped]

    data = tuple(np.asarray(v, dtype=float) for v in (x_a, y_a, x_b, y_b))
    if len(data[0]) < 2:
        return None, None, PAIRED_METHOD
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        res = sp_bootstrap(
            data,
            _ratio_diff,
            n_resamples=b,
            paired=True,
            vectorized=True,
            confidence_level=confidence,
            method="BCa",
            **{_rng_keyword(): np.random.default_rng(seed)},
        )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if np.isfinite(low) and np.isfinite(high):
        return low, high, PAIRED_METHOD
    dist = res.bootstrap_distribution
    dist = dist[np.isfinite(dist)]
    if dist.size == 0:
        return None, None, PAIRED_METHOD
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(dist, [tail, 100 - tail])
    return float(lo), float(hi), "paired percentile bootstrap over tasks"


def _ratio_diff(xa, ya, xb, yb, axis=-1):
    return xa.sum(axis) / ya.sum(axis) - xb.sum(axis) / yb.sum(axis)


def _rng_keyword() -> str:
    """scipy 1.15 renamed ``random_state`` to ``rng``; use whichever this scipy has."""
    import inspect

    from scipy.stats import bootstrap as sp_bootstrap  # type: ignore[import-untyped]

    return "rng" if "rng" in inspect.signature(sp_bootstrap).parameters else "random_state"


def paired_sd(x_a, y_a, x_b, y_b) -> float | None:
    """Standard deviation per task of the difference of two ratios, by the delta method.

    A ratio R = sum(x) / sum(y) over n tasks moves, per task, by its influence
    (x_i - R y_i) / mean(y); the paired difference's influence is d_i = infl_a,i - infl_b,i, and
    Var(R_a - R_b) ~ Var(d) / n. For a rate with one run per task (y_i = 1) d_i is the plain
    per-task difference minus its mean."""
    n = len(x_a)
    if n < 2 or sum(y_a) <= 0 or sum(y_b) <= 0:
        return None
    ra, rb = sum(x_a) / sum(y_a), sum(x_b) / sum(y_b)
    ma, mb = sum(y_a) / n, sum(y_b) / n
    d = [
        (xa - ra * ya) / ma - (xb - rb * yb) / mb
        for xa, ya, xb, yb in zip(x_a, y_a, x_b, y_b, strict=True)
    ]
    mean = sum(d) / n
    return (sum((v - mean) ** 2 for v in d) / (n - 1)) ** 0.5


def tasks_needed(
    sd: float | None, delta: float | None, confidence: float = 0.95, power: float = POWER_DEFAULT
) -> int | None:
    """Matched tasks for a two-sided paired test at ``confidence`` to detect ``delta`` with
    probability ``power``: n = ((z_(1 - alpha / 2) + z_power) * sd / delta)^2, rounded up.

    None when there is nothing to detect (delta 0 or unknown) or no spread to scale by."""
    if sd is None or delta is None or sd <= 0 or delta == 0:
        return None
    z = _z(confidence) + NormalDist().inv_cdf(power)
    return max(2, ceil((z * sd / abs(delta)) ** 2))


__all__ = [
    "TASK_RUN",
    "bootstrap",
    "expected_cost_to_first_success",
    "model_stats",
    "paired_interval",
    "paired_sd",
    "pass_k",
    "rate_intervals",
    "tasks_needed",
    "wilson",
    "with_intervals",
]
