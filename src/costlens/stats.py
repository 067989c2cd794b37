"""Repeated-run and uncertainty statistics: pass@k / pass^k, expected cost to first success,
seeded bootstrap confidence intervals. Formulas in docs/metrics.md.

The bootstrap is vectorised: one polars ``sample`` draws every resample's task indices at once
(B x T rows), and a single group-by sums each resample; Python loops once per model only.
Interval bounds are estimates and are computed in float64 (money included), unlike the Decimal
point values they bracket.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

import polars as pl

from .metrics import TASK_RUN
from .results import B_DEFAULT, SEED_DEFAULT
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


def per_task_sums(tr: pl.DataFrame) -> pl.DataFrame:
    """One row per (model, task): sums over its task runs, the unit the bootstrap resamples.

    Sorted by (model, task): a fixed row order is what lets the seed fix the resamples."""
    return (
        tr.group_by("run_model", "task_id")
        .agg(
            task_runs=pl.len().cast(pl.Float64),
            first_attempt_success=pl.col("first_attempt_success").sum().cast(pl.Float64),
            solved=pl.col("solved").sum().cast(pl.Float64),
            cost=pl.col("cost").sum().cast(pl.Float64),
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
        out.append(_one_group(frame, ratios, b, seed).with_columns(pl.lit(key[0]).alias(group)))
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
    """``models`` plus ``<statistic>_ci_low`` / ``_ci_high`` columns for each bootstrapped ratio."""
    ci = bootstrap(per_task_sums(tr), "run_model", RATIOS, **kw)
    wide = ci.pivot(on="statistic", index="run_model", values=["ci_low", "ci_high"])
    wide = wide.rename({c: _ci_name(c) for c in wide.columns if c != "run_model"})
    wide = wide.with_columns(pl.col("run_model").cast(models.schema["run_model"]))
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


__all__ = [
    "TASK_RUN",
    "bootstrap",
    "expected_cost_to_first_success",
    "model_stats",
    "pass_k",
    "with_intervals",
]
