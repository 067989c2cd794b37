"""Rank models under one rule, then say which the data supports: the policy's order by point
estimate, the paired verdict on its criterion, ranks that only differ where the verdict separates
models, and a recommendation with its reason. Pure polars over metrics tables; see docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from . import verdict as v
from .results import Rule

COST = "all_in_cost_per_solved_task"
FAS = "first_attempt_success_rate"


@dataclass(frozen=True)
class Judgement:
    """One rule applied to one set of task runs."""

    ranked: pl.DataFrame
    pairs: pl.DataFrame
    verdict: dict


def judge(models: pl.DataFrame, tr: pl.DataFrame, rule: Rule, s: v.Settings) -> Judgement:
    """Order ``models`` (with ``metrics.all_in``) under ``rule``; test the order on ``tr``."""
    ordered = order(models, rule)
    pair_table = v.pairs(tr, ordered["run_model"].to_list(), rule.criterion, s)
    verdict = v.verdict(ordered, pair_table, rule.criterion, s)
    verdict |= recommend(ordered, verdict, rule)
    ranked = ordered.with_columns(rank=_tiers(ordered, pair_table))
    return Judgement(ranked, pair_table, verdict)


def order(models: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """Order models under the rule (point estimates); say for each why it sits where it does."""
    cost, fas = pl.col(COST), pl.col(FAS)
    cost_txt = cost.round(2).cast(pl.Decimal(38, 2)).cast(pl.String)
    fas_txt = pl.format("{}%", (fas * 100).round(1))
    if rule.kind == "correctness_first":
        ceiling = rule.cost_ceiling
        ok = cost.is_not_null() & (cost <= ceiling if ceiling is not None else pl.lit(True))
        keys, desc = [~ok, fas, cost], [False, True, False]
        why_out = pl.format("all-in cost per solved task {} is above the ceiling", cost_txt)
    else:
        floor = rule.success_floor
        ok = cost.is_not_null() & (fas >= floor if floor is not None else pl.lit(True))
        keys, desc = [~ok, cost, fas], [False, False, True]
        why_out = pl.format("first-attempt success {} is below the floor", fas_txt)
    why_in = pl.format(
        "first-attempt success {}, all-in cost per solved task {}", fas_txt, cost_txt
    )
    out = models.with_columns(_ok=ok.fill_null(False)).sort(keys, descending=desc, nulls_last=True)
    return out.with_columns(
        order=pl.int_range(1, pl.len() + 1).cast(pl.Int64),
        eligible=pl.col("_ok"),
        reason=pl.when(pl.col("_ok")).then(why_in).otherwise(why_out),
        pareto=pareto(out, COST),
    ).drop("_ok")


def pareto(models: pl.DataFrame, cost_col: str) -> pl.Series:
    """True for models no other model beats on both cost per solved task and success."""
    pts = models.select(c=pl.col(cost_col).cast(pl.Float64), s=FAS)
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


def _tiers(ordered: pl.DataFrame, pair_table: pl.DataFrame) -> pl.Series:
    """Rank = 1 + the models that beat this one: an eligible model separated from it on the
    criterion, or any eligible model when this one is not eligible. Models the data cannot
    tell apart share a rank (so the samples' two models are both 1)."""
    eligible = dict(zip(ordered["run_model"], ordered["eligible"], strict=True))
    beaten: dict[str, set[str]] = {m: set() for m in eligible}
    for r in pair_table.iter_rows(named=True):
        better = r["better"]
        if better and eligible[better]:
            worse = r["model_b"] if better == r["model_a"] else r["model_a"]
            beaten[worse].add(better)
    ranks = []
    for m, ok in eligible.items():
        above = beaten[m] if ok else beaten[m] | {e for e, e_ok in eligible.items() if e_ok}
        ranks.append(1 + len(above))
    return pl.Series("rank", ranks, pl.Int64)


def recommend(ordered: pl.DataFrame, verdict: dict, rule: Rule) -> dict:
    """The model to use and why. A winner is recommended outright; without one, among the
    models the leader is not separated from, the better on the other criterion (cost for
    correctness first, first-attempt success for total cost), said as provisional."""
    if verdict["winner"]:
        return {"recommended": verdict["winner"], "why": verdict["sentence"]}
    tied = ordered.filter(pl.col("run_model").is_in(verdict["tied"]))
    if not tied.height:
        return {"recommended": None, "why": verdict["sentence"]}
    if rule.kind == "correctness_first":
        pick = tied.sort(COST, FAS, descending=[False, True], nulls_last=True)
        other = "the lower all-in cost per solved task"
    else:
        pick = tied.sort(FAS, COST, descending=[True, False], nulls_last=True)
        other = "the higher first-attempt success"
    best = pick["run_model"][0]
    why = f"{verdict['sentence']}; among those, {best} has {other} (provisional)"
    return {"recommended": best, "why": why}
