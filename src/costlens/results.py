"""The result types the writers read: what ``report`` and ``compare`` hand to ``reports/``.

Plain frozen records and nothing that computes, so a writer can import them without importing a
stage. Every number a writer shows is a column of one of these tables (computed in ``metrics`` /
``stats``); the writers only round for display, label and lay out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl

B_DEFAULT = 2000
"""Bootstrap resamples."""
SEED_DEFAULT = 20251201
"""Bootstrap seed: the same inputs and seed give the same intervals."""


@dataclass(frozen=True)
class Report:
    """Every table a report writer needs; nothing here is rounded.

    ``model_stats`` (bootstrap intervals, pass@k, expected cost to first success) is None when
    the caller did not ask for it (it costs a resampling pass over the task runs).
    """

    usage: pl.DataFrame
    runs: pl.DataFrame
    attempts: pl.DataFrame
    tasks: pl.DataFrame
    models: pl.DataFrame
    usage_models: pl.DataFrame
    months: pl.DataFrame
    issues: pl.DataFrame
    rates: pl.DataFrame
    files: list[tuple[str, str]]
    summary: dict
    unattributed: pl.DataFrame = field(default_factory=pl.DataFrame)
    quality: pl.DataFrame = field(default_factory=pl.DataFrame)
    model_stats: pl.DataFrame | None = None
    views: dict[str, pl.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A way to reprice the same usage: ``batch``, ``no_cache``, ``date`` or ``prices``."""

    name: str
    kind: str = "as_logged"
    date: dt.datetime | None = None
    prices: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Policy:
    """How to rank. ``correctness_first``: highest first-attempt success among models whose cost
    per solved task is within ``cost_ceiling``. ``total_cost``: lowest cost per solved task among
    models whose first-attempt success rate reaches ``success_floor``."""

    kind: str = "total_cost"
    cost_ceiling: Decimal | None = None
    success_floor: float | None = None
    review_rate: Decimal | None = None
    scenarios: tuple[Scenario, ...] = (Scenario("batch", "batch"), Scenario("no cache", "no_cache"))
    bootstrap: int = B_DEFAULT
    seed: int = SEED_DEFAULT
    source: str = "default policy"

    def describe(self) -> str:
        if self.kind == "correctness_first":
            ceiling = f"<= {self.cost_ceiling}" if self.cost_ceiling is not None else "no ceiling"
            return (
                f"correctness first: highest first-attempt success, cost per solved task {ceiling}"
            )
        floor = f">= {self.success_floor:.0%}" if self.success_floor is not None else "no floor"
        return f"total cost: lowest cost per solved task, first-attempt success {floor}"


@dataclass(frozen=True)
class Comparison:
    """Every table the compare writers need; money is Decimal, unrounded."""

    models: pl.DataFrame
    tasks: pl.DataFrame
    excluded: pl.DataFrame
    deltas: pl.DataFrame
    delta_summary: pl.DataFrame
    pass_k: pl.DataFrame
    scenarios: pl.DataFrame
    sessions: pl.DataFrame
    policy: Policy
    matched_tasks: list[str] = field(default_factory=list)
    report: Report | None = None
    """The pipeline's result over the matched tasks' attempts: the same tables ``report``
    shows (usage, attempts, tasks, models, summary) for the bundle."""
    changed_scenarios: list[str] = field(default_factory=list)
