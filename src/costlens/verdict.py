"""The verdict: does the policy's criterion separate the models on the matched tasks, and if not,
how many matched tasks would a difference of the observed size need? See docs/metrics.md.

Pure functions over task runs (``metrics.task_runs`` plus ``all_in_cost``); no I/O. A pair of
models is *separated* when the paired interval of the criterion's difference (the same tasks for
both, ``stats.paired_interval``) excludes 0. The *winner* is the policy's first model when it is
separated from every other eligible model; otherwise there is no winner, and the recommendation
falls back to the other criterion among the models the leader is not separated from.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from . import stats

CRITERIA = {
    # criterion -> (numerator per task, denominator per task, higher is better)
    "first_attempt_success_rate": ("first_attempt_success", "task_runs", True),
    "solve_rate": ("solved", "task_runs", True),
    "all_in_cost_per_solved_task": ("all_in_cost", "solved", False),
}
LABELS = {
    "first_attempt_success_rate": "first-attempt success",
    "solve_rate": "solve rate",
    "all_in_cost_per_solved_task": "all-in cost per solved task",
}


@dataclass(frozen=True)
class Settings:
    """How sure the verdict must be: two-sided ``confidence``, ``power`` for tasks_needed."""

    confidence: float = 0.95
    power: float = stats.POWER_DEFAULT
    bootstrap: int = stats.B_DEFAULT
    seed: int = stats.SEED_DEFAULT


def task_sums(tr: pl.DataFrame) -> pl.DataFrame:
    """One row per (model, task): the sums over its task runs that every criterion is a ratio of."""
    return stats.per_task_sums(tr, cost="all_in_cost")


def _columns(sums: pl.DataFrame, model: str, criterion: str, tasks: list[str]) -> tuple:
    num, den, _ = CRITERIA[criterion]
    own = sums.filter(pl.col("run_model") == model)
    aligned = pl.DataFrame({"task_id": tasks}).join(own, on="task_id", how="left")
    return aligned[num].fill_null(0).to_list(), aligned[den].fill_null(0).to_list()


def pairs(tr: pl.DataFrame, order: list[str], criterion: str, s: Settings) -> pl.DataFrame:
    """Every pair (a, b) with a before b in ``order``: a's criterion minus b's on the tasks both
    ran, its paired interval, whether it is separated, and the tasks a difference of this size
    would need (``stats.tasks_needed``, from the paired spread ``stats.paired_sd``)."""
    sums = task_sums(tr)
    tasks = sorted(set(sums["task_id"].to_list()))
    higher = CRITERIA[criterion][2]
    rows = []
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            cols = (*_columns(sums, a, criterion, tasks), *_columns(sums, b, criterion, tasks))
            rows.append(_pair_row(a, b, cols, len(tasks), higher, s))
    return pl.DataFrame(rows, schema=PAIR_SCHEMA, orient="row").with_columns(
        criterion=pl.lit(criterion)
    )


PAIR_SCHEMA = {
    "model_a": pl.String,
    "model_b": pl.String,
    "tasks": pl.Int64,
    "value_a": pl.Float64,
    "value_b": pl.Float64,
    "difference": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "method": pl.String,
    "separated": pl.Boolean,
    "better": pl.String,
    "sd_per_task": pl.Float64,
    "tasks_needed": pl.Int64,
}


def _pair_row(a: str, b: str, cols: tuple, n: int, higher: bool, s: Settings) -> tuple:
    xa, ya, xb, yb = cols
    diff = stats.ratio_difference(xa, ya, xb, yb)
    low, high, method = stats.paired_interval(xa, ya, xb, yb, s.confidence, s.bootstrap, s.seed)
    better = None
    if low is not None and high is not None and (low > 0 or high < 0):
        better = a if (low > 0) == higher else b
    separated = better is not None
    sd = stats.paired_sd(*cols)
    needed = None if separated else stats.tasks_needed(sd, diff, s.confidence, s.power)
    if needed is not None:
        needed = max(needed, n + 1)  # not separated on n tasks: the answer is more than n
    return (
        a,
        b,
        n,
        _ratio(cols[0], cols[1]),
        _ratio(cols[2], cols[3]),
        diff,
        low,
        high,
        method,
        separated,
        better,
        sd,
        needed,
    )


def _ratio(x: list[float], y: list[float]) -> float | None:
    return sum(x) / sum(y) if sum(y) > 0 else None


def verdict(ranked: pl.DataFrame, pair_table: pl.DataFrame, criterion: str, s: Settings) -> dict:
    """The one answer: winner (or None), whether it is distinguishable, and the tasks needed.

    ``ranked`` is the policy's order with ``eligible``; ``pair_table`` comes from ``pairs``."""
    tasks = int(pair_table["tasks"].max() or 0) if pair_table.height else 0  # type: ignore[arg-type]
    base = {"criterion": criterion, "confidence": s.confidence, "power": s.power, "tasks": tasks}
    eligible = ranked.filter(pl.col("eligible"))["run_model"].to_list()
    if not eligible:
        return base | _none("no model meets the policy's thresholds", None, [])
    top, rest = eligible[0], eligible[1:]
    against = _against(pair_table, top, rest)
    if all(r["better"] == top for r in against):
        return base | _won(top, against, criterion, tasks, s)
    unseparated = [r for r in against if r["better"] != top]
    needed = [r["tasks_needed"] for r in unseparated]
    tasks_needed = None if None in needed else max(needed)
    tied = [top] + [r["model_b"] if r["model_a"] == top else r["model_a"] for r in unseparated]
    out = base | _none(
        _tie_text(unseparated, criterion, tasks, tasks_needed, s), tasks_needed, tied
    )
    return out


def _against(pair_table: pl.DataFrame, top: str, rest: list[str]) -> list[dict]:
    mine = pair_table.filter(
        ((pl.col("model_a") == top) & pl.col("model_b").is_in(rest))
        | ((pl.col("model_b") == top) & pl.col("model_a").is_in(rest))
    )
    return mine.to_dicts()


def _none(sentence: str, tasks_needed: int | None, tied: list[str]) -> dict:
    return {
        "winner": None,
        "distinguishable": False,
        "tasks_needed": tasks_needed,
        "tied": tied,
        "sentence": sentence,
    }


def _won(top: str, against: list[dict], criterion: str, tasks: int, s: Settings) -> dict:
    if not against:
        text = f"{top} is the only model within the policy's thresholds"
    else:
        worst = min(against, key=lambda r: abs(r["difference"]))
        text = (
            f"{top} is ahead on {LABELS[criterion]} at {s.confidence:.0%} confidence on {tasks} "
            f"tasks; closest: {_pair_text(worst, criterion)}"
        )
    return {"winner": top, "distinguishable": True, "tasks_needed": None, "tied": [top]} | {
        "sentence": text
    }


def _tie_text(rows: list[dict], criterion: str, tasks: int, needed: int | None, s: Settings) -> str:
    closest = max(rows, key=lambda r: r["tasks_needed"] or 0)
    head = (
        f"not distinguishable on {tasks} tasks at {s.confidence:.0%} confidence "
        f"({_pair_text(closest, criterion)})"
    )
    if needed is None:
        return head + "; no difference was observed to size a larger bundle by"
    return head + f"; about {needed} would be needed to detect a difference of this size"


def _pair_text(r: dict, criterion: str) -> str:
    pattern = "{:+.1%}" if CRITERIA[criterion][2] else "{:+.2f}"

    def fmt(x: float | None) -> str:
        return "undefined" if x is None else pattern.format(x)

    diff, low, high = fmt(r["difference"]), fmt(r["ci_low"]), fmt(r["ci_high"])
    return f"{r['model_a']} - {r['model_b']}: {LABELS[criterion]} {diff}, interval [{low}, {high}]"


def plan(pair_table: list[dict], detect: float, relative: bool, s: Settings) -> list[dict]:
    """Matched tasks per model each pair needs to detect a difference ``detect`` in its criterion
    (relative to the leading model's value when ``relative``), from the observed paired spread."""
    out = []
    for r in pair_table:
        base = r.get("value_a") if relative else None
        delta = detect * abs(base) if relative and base is not None else detect
        needed = stats.tasks_needed(r.get("sd_per_task"), delta, s.confidence, s.power)
        out.append(
            {"pair": f"{r['model_a']} - {r['model_b']}", "detect": delta, "tasks_needed": needed}
        )
    return out
