"""The workbook's "Model stats" sheet: the repeated-run and uncertainty numbers per model that
``costlens compare`` reports, computed here from a ``report``'s own task runs (all tasks, not a
matched bundle): bootstrap 95% intervals, expected cost to first success and pass@k / pass^k.

It is a view only: no cost is added or moved, so the Summary's conservation is untouched.
"""

from __future__ import annotations

import polars as pl

from .. import stats
from ..pipeline import Report
from .money import MICRO, round_columns

_ORDER = [c for s in stats.RATIOS for c in (s, f"{s}_ci_low", f"{s}_ci_high")]


def model_stats(
    report: Report, b: int = stats.B_DEFAULT, seed: int = stats.SEED_DEFAULT
) -> pl.DataFrame:
    """One row per model: rates and costs with their intervals, expected cost to first success,
    and ``pass_at_<k>`` / ``pass_hat_<k>`` for each k that some task has enough runs for."""
    base = report.models.select("run_model", "task_runs", *stats.RATIOS)
    if base.is_empty():
        return base
    out = stats.with_intervals(base, report.tasks, b=b, seed=seed)
    out = out.join(
        stats.expected_cost_to_first_success(report.attempts), on="run_model", how="left"
    )
    out = out.join(_pass_k_wide(report.tasks), on="run_model", how="left")
    money = ["cost_per_task", "cost_per_solved_task", "expected_cost_to_first_success"]
    rest = [c for c in out.columns if c not in ("run_model", "task_runs", *_ORDER)]
    # Per-task costs of cheap runs are fractions of a cent: shown to the micro-unit.
    return round_columns(out.select("run_model", "task_runs", *_ORDER, *rest), money, MICRO)


def _pass_k_wide(tr: pl.DataFrame) -> pl.DataFrame:
    long = stats.pass_k(tr)
    if long.is_empty():
        return pl.DataFrame(schema={"run_model": pl.String})
    long = long.with_columns(k=pl.col("k").cast(pl.String))
    wide = long.pivot(on="k", index="run_model", values=["pass_at_k", "pass_hat_k"])
    return wide.rename({c: c.replace("_k_", "_") for c in wide.columns})
