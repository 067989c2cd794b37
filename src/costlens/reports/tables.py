"""The presentation tables every writer shares: a Report's tables rounded once, here.

Nothing is grouped or summed here (that is ``metrics``); cents are allocated by largest remainder
so that the parts shown add up to the total shown."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import polars as pl

from ..results import Report
from ..schema import TOKEN_BUCKETS
from .money import MICRO, allocate, round_columns, rounded

USAGE_COLUMNS = [
    "source_format", "source_file", "source_line", "provider", "model", "model_id",
    "period_start", "time_source", "request_id", "session_id", "custom_id", "project",
    "workspace", "api_key", "service_tier", "batch", "requests", *TOKEN_BUCKETS, "reasoning",
    "price_status",
    "unpriced_reason", "price_tier", "price_modifiers", "cliff_unchecked", "ttl_assumed", "cost",
    "billed_cost", "currency", "line_item", "billed_quantity", "billed_unit", "task_id",
    "run_model", "run_id", "attempt", "attribution_method", "unattributed_cause",
]  # fmt: skip


def tasks(report: Report) -> pl.DataFrame:
    """Task runs with cents allocated so that tasks + unattributed = the rounded total."""
    exact = report.tasks["cost"].to_list()
    parts = allocate([*exact, report.summary["unattributed_cost"]])
    out = report.tasks.with_columns(
        cost=pl.Series(parts[:-1], dtype=pl.Decimal(38, 2)),
        cost_exact=pl.Series([str(v) for v in exact], dtype=pl.String),
    )
    return round_columns(out, ["review_cost"])  # its own column, never part of the allocated cost


def unattributed_cents(report: Report) -> Decimal:
    """The unattributed amount as allocated next to the task costs (same cents, same total)."""
    exact = [*report.tasks["cost"].to_list(), report.summary["unattributed_cost"]]
    return allocate(exact)[-1]


def models(report: Report) -> pl.DataFrame:
    return round_columns(
        report.models,
        [
            "total_cost",
            "cost_per_task",
            "cost_per_solved_task",
            "review_cost",
            "cost_per_solved_task_with_review",
        ],
    )


def usage(report: Report) -> pl.DataFrame:
    return round_columns(report.usage.select(USAGE_COLUMNS), ["cost", "billed_cost"], MICRO)


def months(report: Report) -> pl.DataFrame:
    return round_columns(report.months, ["cost"])


def unattributed(report: Report) -> pl.DataFrame:
    """Unattributed usage by cause and model, cents allocated so that the causes add up to the
    Summary's unattributed amount."""
    table = report.unattributed
    exact = [v if v is not None else Decimal(0) for v in table["cost"].to_list()]
    cents = allocate(exact, target=unattributed_cents(report))
    priced = pl.col("cost").is_not_null()
    return table.with_columns(
        cost=pl.when(priced).then(pl.Series(cents, dtype=pl.Decimal(38, 2))),
        cost_exact=pl.when(priced).then(
            pl.Series([format(v, "f") for v in exact], dtype=pl.String)
        ),
    )


def data_quality(report: Report) -> pl.DataFrame:
    return report.quality


def model_stats(report: Report) -> pl.DataFrame | None:
    """Per-task costs of cheap runs are fractions of a cent: shown to the micro-unit."""
    if report.model_stats is None:
        return None
    money = ["cost_per_task", "cost_per_solved_task", "expected_cost_to_first_success"]
    return round_columns(
        report.model_stats, [c for c in money if c in report.model_stats.columns], MICRO
    )


def summary_rows(report: Report) -> list[tuple[str, object]]:
    """Label/value pairs for the Summary sheet, money rounded to cents."""
    s = report.summary
    total = cast(Decimal, rounded(s["total_cost"]))
    unattributed = unattributed_cents(report)
    rows: list[tuple[str, object]] = [
        ("Total cost (priced usage)", total),
        ("  of which attributed to tasks", total - unattributed),
        ("  of which unattributed", unattributed),
        ("Billed cost (stated by the sources)", rounded(s["billed_cost"])),
        ("Billed currency", s["billed_currency"] or ""),
        ("Currency", s["currency"]),
        ("Pricing version", s["pricing_version"]),
        ("Task runs", report.tasks.height),
        ("Models under test", report.models.height),
    ]
    rows += [
        (
            f"Pricing {o['action']} by --pricing",
            f"{o['provider']} {o['kind']} {o['name']} ({o['file']})",
        )
        for o in s.get("pricing_overrides", [])
    ]
    rows += [(f"Rows {k}", v) for k, v in s["rows"].items()]
    rows += [(f"Tokens: {k}", v) for k, v in s["tokens"].items()]
    return rows
