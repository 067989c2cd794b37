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
POWER_DEFAULT = 0.8
"""The chance a bundle of ``tasks_needed`` tasks detects the difference it was sized for."""


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
    """The ``--by`` usage views (``views.usage_view``), by name, in the order asked."""
    charts: dict[str, pl.DataFrame] = field(default_factory=dict)
    """The workbook charts' data (``views.chart_tables``)."""
    calendar: str = "UTC"
    """How the time views cut days, weeks and months, in words."""


@dataclass(frozen=True)
class Scenario:
    """A way to reprice the same usage: ``batch``, ``no_cache``, ``date`` or ``prices``."""

    name: str
    kind: str = "as_logged"
    date: dt.datetime | None = None
    prices: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One ranking rule. ``correctness_first``: highest first-attempt success among models whose
    all-in cost per solved task is within ``cost_ceiling``. ``total_cost``: lowest all-in cost per
    solved task among models whose first-attempt success reaches ``success_floor``. A failed task
    run costs ``failure_cost``, or ``failure_minutes`` at the policy's failure (else review) rate.
    """

    kind: str = "total_cost"
    cost_ceiling: Decimal | None = None
    success_floor: float | None = None
    failure_cost: Decimal | None = None
    failure_minutes: Decimal | None = None

    @property
    def criterion(self) -> str:
        if self.kind == "correctness_first":
            return "first_attempt_success_rate"
        return "all_in_cost_per_solved_task"

    def describe(self) -> str:
        if self.kind == "correctness_first":
            ceiling = f"<= {self.cost_ceiling}" if self.cost_ceiling is not None else "no ceiling"
            text = (
                "correctness first: highest first-attempt success, "
                f"all-in cost per solved task {ceiling}"
            )
        else:
            floor = f">= {self.success_floor:.0%}" if self.success_floor is not None else "no floor"
            text = f"total cost: lowest all-in cost per solved task, first-attempt success {floor}"
        if self.failure_cost is not None:
            text += f"; a failed task costs {self.failure_cost}"
        elif self.failure_minutes is not None:
            text += f"; a failed task costs {self.failure_minutes} minutes"
        return text


@dataclass(frozen=True)
class Policy:
    """The overall rule (its fields at the top level), rules per category, and how sure to be."""

    kind: str = "total_cost"
    cost_ceiling: Decimal | None = None
    success_floor: float | None = None
    review_rate: Decimal | None = None
    scenarios: tuple[Scenario, ...] = (Scenario("batch", "batch"), Scenario("no cache", "no_cache"))
    bootstrap: int = B_DEFAULT
    seed: int = SEED_DEFAULT
    source: str = "default policy"
    failure_cost: Decimal | None = None
    failure_minutes: Decimal | None = None
    failure_rate: Decimal | None = None
    confidence: float = 0.95
    power: float = POWER_DEFAULT
    categories: tuple[tuple[str, Rule], ...] = ()

    @property
    def rule(self) -> Rule:
        return Rule(
            self.kind,
            self.cost_ceiling,
            self.success_floor,
            self.failure_cost,
            self.failure_minutes,
        )

    def rule_for(self, category: str | None) -> Rule:
        return dict(self.categories).get(category or "", self.rule)

    def describe(self) -> str:
        return self.rule.describe()


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
    verdict: dict = field(default_factory=dict)
    """The overall verdict (``verdict.verdict`` plus the recommendation); docs/metrics.md."""
    pairs: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Every pair of models: the criterion's paired difference, interval, tasks needed."""
    categories: pl.DataFrame = field(default_factory=pl.DataFrame)
    """One ranking row per (category, model), under the category's rule."""
    category_verdicts: list[dict] = field(default_factory=list)
    harnesses: list[dict] = field(default_factory=list)
    """Per model run under several harnesses: the verdict among them, the model held fixed."""
    session_tasks: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Long sessions summed per (task, model): re-sent context and the split saving."""
    session_assumption: str = ""
    interval_methods: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Charges:
    """FOCUS-ready charges (money unrounded, quantities exact) and every usage row left out.

    ``charges``: one row per ``charges.KEYS`` with ``consumed`` (tokens or calls),
    ``pricing_quantity``, ``list_unit_price``, ``contracted_unit_price``, ``list_cost``,
    ``contracted_cost`` and
    ``billed_cost`` (the source's stated amount where it states one for a single SKU, else the
    contracted cost). ``omitted``: the usage rows (parts) not in ``charges`` with a reason; a
    FOCUS cost column cannot be null, so unpriced usage is listed here, never written as 0.
    """

    charges: pl.DataFrame
    omitted: pl.DataFrame
    summary: dict = field(default_factory=dict)
    """Row counts (they add up to the usage rows), totals, currencies and ``as_of``."""
    billing_account: str = "unstated"
    """The BillingAccountId to write: no usage source states the billing account."""


OUTSIDE_TOLERANCE = 3
"""``costlens reconcile``'s exit code when a difference is outside the tolerance."""


@dataclass(frozen=True)
class Finding:
    """One reconciliation difference outside the tolerance, by cause."""

    cause: str
    provider: str
    model: str | None
    amount: Decimal
    """Billed minus computed over the cells this finding explains."""
    message: str
    days: list[dt.date] = field(default_factory=list)


@dataclass(frozen=True)
class Reconciliation:
    """What ``reconcile`` found; ``table`` is the Reconciliation sheet (one row per cell and per
    billed line item), money unrounded."""

    window: str
    tolerance: Decimal
    table: pl.DataFrame
    findings: list[Finding]
    providers: pl.DataFrame
    not_reconciled: list[str]
    residual: Decimal

    @property
    def ok(self) -> bool:
        return not self.findings
