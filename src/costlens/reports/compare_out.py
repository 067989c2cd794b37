"""Writers for ``costlens compare``: the workbook and the JSON object. Nothing is computed here
except rounding money to cents for the workbook (the JSON keeps exact decimal strings)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..results import Comparison
from . import labels
from .atomic import atomic_file
from .jsonout import compare_object
from .money import round_columns
from .sheets import Book, pairs_sheet, table_sheet

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
    """Policy, Ranking, Pass@k, Verdict pairs, Categories, Deltas, Per-task deltas, Tasks,
    Left out, Price scenarios, Long sessions."""
    sheets = {
        "Ranking": _cents(c.models.select(RANKING)),
        "Pass@k": c.pass_k,
        "Verdict pairs": c.pairs,
        "Categories": _cents(c.categories),
        "Deltas": c.delta_summary,
        "Per-task deltas": c.deltas,
        "Tasks": _cents(c.tasks),
        "Left out": c.excluded,
        "Price scenarios": c.scenarios,
        "Long sessions": _cents(c.sessions),
    }
    if not c.categories.height:
        del sheets["Categories"]
    with atomic_file(target) as tmp:
        as_of = c.report.summary.get("period_end") if c.report else None
        book = Book(tmp, "costlens comparison", c.policy.describe(), created=as_of)
        pairs_sheet(book, "Policy", "Which model to use, and why", _policy_rows(c))
        for title, df in sheets.items():
            table_sheet(book, title, df, labels.auto(dict(df.schema)))
        book.close()


def _policy_rows(c: Comparison) -> list[tuple[str, object, str]]:
    changed = c.changed_scenarios
    return [
        ("Policy", c.policy.describe(), "text"),
        ("Policy from", Path(c.policy.source).name, "text"),
        ("Review rate per hour", c.policy.review_rate, "money"),
        ("Matched tasks", len(c.matched_tasks), "int"),
        ("Task-model pairs left out", c.excluded.height, "int"),
        ("Verdict", c.verdict.get("sentence"), "text"),
        ("Winner", c.verdict.get("winner"), "text"),
        ("Recommended", c.verdict.get("recommended"), "text"),
        ("Why", c.verdict.get("why"), "text"),
        *[
            (f"Category {v['category']}", f"{v['recommended']}: {v['why']}", "text")
            for v in c.category_verdicts
        ],
        ("Scenarios where the winner changes", ", ".join(changed) or "none", "text"),
        ("Bootstrap resamples / seed", f"{c.policy.bootstrap} / {c.policy.seed}", "text"),
    ]


def compare_json(c: Comparison) -> str:
    """``compare --json``: the comparison as indented JSON; Decimals are exact strings."""
    return compare_object(c, RANKING).model_dump_json(indent=2)
