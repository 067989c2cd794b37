"""Writers for ``costlens compare``: the workbook and the JSON object. Nothing is computed here
except rounding money to cents for the workbook (the JSON keeps exact decimal strings)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from ..results import Comparison
from .atomic import atomic_file
from .jsonout import json_default
from .money import round_columns
from .sheets import frame_sheet, pairs_sheet

RANKING = [
    "rank", "order", "run_model", "eligible", "reason", "pareto", "tasks", "task_runs",
    "first_attempt_success_rate", "first_attempt_success_rate_ci_low",
    "first_attempt_success_rate_ci_high", "solve_rate", "solve_rate_ci_low", "solve_rate_ci_high",
    "mean_reprompts", "mean_attempts", "mean_attempts_to_success", "total_cost", "cost_per_task",
    "cost_per_task_ci_low", "cost_per_task_ci_high", "cost_per_solved_task",
    "cost_per_solved_task_ci_low", "cost_per_solved_task_ci_high",
    "expected_cost_to_first_success", "review_cost", "cost_per_solved_task_with_review",
    "review_cost_per_solved_task", "failure_cost", "failure_cost_per_solved_task",
    "all_in_cost_per_solved_task",
    "p50_wall_seconds", "p90_wall_seconds", "input_uncached_per_task", "cache_read_per_task",
    "cache_write_5m_per_task", "cache_write_1h_per_task", "output_per_task",
    "reasoning_per_task", "unpriced_requests",
]  # fmt: skip


def _cents(df: pl.DataFrame) -> pl.DataFrame:
    money = [c for c, t in df.schema.items() if isinstance(t, pl.Decimal)]
    return round_columns(df, money)


def write_compare_workbook(c: Comparison, target: Path) -> None:
    """Ranking, Pass@k, Deltas, Per-task deltas, Tasks, Left out, Price scenarios, Long sessions."""
    wb = Workbook(write_only=True)
    pairs_sheet(wb, "Policy", _policy_rows(c))
    frame_sheet(wb, "Ranking", _cents(c.models.select(RANKING)))
    frame_sheet(wb, "Pass@k", c.pass_k)
    frame_sheet(wb, "Verdict pairs", c.pairs)
    if c.categories.height:
        frame_sheet(wb, "Categories", _cents(c.categories))
    frame_sheet(wb, "Deltas", c.delta_summary)
    frame_sheet(wb, "Per-task deltas", c.deltas)
    frame_sheet(wb, "Tasks", _cents(c.tasks))
    frame_sheet(wb, "Left out", c.excluded)
    frame_sheet(wb, "Price scenarios", c.scenarios)
    frame_sheet(wb, "Long sessions", _cents(c.sessions))
    with atomic_file(target) as tmp:
        wb.save(tmp)


def _policy_rows(c: Comparison) -> list[tuple[str, object]]:
    changed = c.changed_scenarios
    return [
        ("Policy", c.policy.describe()),
        ("Policy from", c.policy.source),
        ("Review rate per hour", c.policy.review_rate),
        ("Matched tasks", len(c.matched_tasks)),
        ("Task-model pairs left out", c.excluded.height),
        ("Verdict", c.verdict.get("sentence")),
        ("Winner", c.verdict.get("winner")),
        ("Recommended", c.verdict.get("recommended")),
        ("Why", c.verdict.get("why")),
        *[
            (f"Category {v['category']}", f"{v['recommended']}: {v['why']}")
            for v in c.category_verdicts
        ],
        ("Scenarios where the winner changes", ", ".join(changed) or "none"),
        ("Bootstrap resamples / seed", f"{c.policy.bootstrap} / {c.policy.seed}"),
    ]


def compare_json(c: Comparison) -> str:
    """The comparison as indented JSON; Decimals are exact strings."""
    obj = {
        "policy": c.policy.describe(),
        "matched_tasks": c.matched_tasks,
        "left_out": c.excluded.to_dicts(),
        "verdict": c.verdict | {"pairs": c.pairs.to_dicts()},
        "interval_methods": c.interval_methods,
        "models": c.models.select(RANKING).to_dicts(),
        "categories": [
            v | {"models": c.categories.filter(pl.col("category") == v["category"]).to_dicts()}
            for v in c.category_verdicts
        ],
        "harnesses": c.harnesses,
        "pass_k": c.pass_k.to_dicts(),
        "paired_deltas": c.delta_summary.to_dicts(),
        "price_scenarios": c.scenarios.to_dicts(),
        "long_sessions": c.sessions.head(10).to_dicts(),
        "long_sessions_by_task": c.session_tasks.to_dicts(),
        "long_sessions_assumption": c.session_assumption,
    }
    return json.dumps(obj, default=_json_default, indent=2)


def _json_default(v: object) -> str:
    return json_default(v) if isinstance(v, Decimal) else str(v)
