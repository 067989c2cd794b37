"""Ranking of models under a stated policy, and the Pareto frontier.

Input is a per-model table as ``metrics.models`` makes it (``run_model``, cost per solved task,
first-attempt success rate); output is the same table ordered, with ``rank``, ``eligible``,
``reason`` and ``pareto``. ``compare`` ranks its baseline and every price scenario with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from .compare import Policy


def cost_col(policy: Policy) -> str:
    return "cost_per_solved_task_with_review" if policy.review_rate else "cost_per_solved_task"


def rank(models: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Order models under the policy; say for each why it sits where it does."""
    cost, fas = pl.col(cost_col(policy)), pl.col("first_attempt_success_rate")
    cost_txt = cost.round(2).cast(pl.Decimal(38, 2)).cast(pl.String)
    fas_txt = pl.format("{}%", (fas * 100).round(1))
    if policy.kind == "correctness_first":
        ok = cost.is_not_null() & (
            cost <= policy.cost_ceiling if policy.cost_ceiling is not None else pl.lit(True)
        )
        keys, desc = [~ok, fas, cost], [False, True, False]
        why_out = pl.format("cost per solved task {} is above the ceiling", cost_txt)
    else:
        floor = policy.success_floor
        ok = cost.is_not_null() & (fas >= floor if floor is not None else pl.lit(True))
        keys, desc = [~ok, cost, fas], [False, False, True]
        why_out = pl.format("first-attempt success {} is below the floor", fas_txt)
    why_in = pl.format("first-attempt success {}, cost per solved task {}", fas_txt, cost_txt)
    out = models.with_columns(_ok=ok.fill_null(False)).sort(keys, descending=desc, nulls_last=True)
    return out.with_columns(
        rank=pl.int_range(1, pl.len() + 1).cast(pl.Int64),
        eligible=pl.col("_ok"),
        reason=pl.when(pl.col("_ok")).then(why_in).otherwise(why_out),
        pareto=pareto(out, cost_col(policy)),
    ).drop("_ok")


def pareto(models: pl.DataFrame, cost_col: str) -> pl.Series:
    """True for models no other model beats on both cost per solved task and success."""
    pts = models.select(c=pl.col(cost_col).cast(pl.Float64), s="first_attempt_success_rate")
    pairs = pts.with_row_index("i").join(pts.with_row_index("j"), how="cross")
    dominated = (
        pairs.filter(
            (pl.col("i") != pl.col("j"))
            & (pl.col("c_right") <= pl.col("c"))
            & (pl.col("s_right") >= pl.col("s"))
            & ((pl.col("c_right") < pl.col("c")) | (pl.col("s_right") > pl.col("s")))
        )["i"]
        .unique()
        .to_list()
    )
    ok = pts["c"].is_not_null()
    return pl.Series("pareto", [o and i not in dominated for i, o in enumerate(ok)])
