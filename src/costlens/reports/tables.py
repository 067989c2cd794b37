"""Shape a Report into the presentation tables every writer shares, rounded once here."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from ..metrics import TOKENS
from ..pipeline import Report
from .money import MICRO, allocate, round_columns, rounded

USAGE_COLUMNS = [
    "source_format", "source_file", "source_line", "provider", "model", "model_id",
    "period_start", "request_id", "session_id", "custom_id", "project", "workspace", "api_key",
    "service_tier", "batch", "requests", *TOKENS, "price_status", "unpriced_reason",
    "price_tier", "price_modifiers", "cliff_unchecked", "ttl_assumed", "cost", "billed_cost",
    "currency", "line_item", "billed_quantity", "billed_unit", "task_id", "run_model", "run_id",
    "attempt", "attribution_method", "unattributed_cause",
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
    """Unattributed usage by cause and model."""
    rows = report.usage.filter(pl.col("task_id").is_null())
    table = rows.group_by("unattributed_cause", model=pl.coalesce("model_id", "model")).agg(
        rows=pl.len().cast(pl.Int64),
        unpriced_rows=(pl.col("price_status") == "unpriced").sum().cast(pl.Int64),
        cost=pl.col("cost").sum(),
    )
    table = table.sort("unattributed_cause", "model")
    # Cents by largest remainder, so the causes add up to the Summary's unattributed amount.
    exact = [v if v is not None else Decimal(0) for v in table["cost"].to_list()]
    cents = allocate(exact, target=unattributed_cents(report))
    # A group with nothing priced shows no cost (never $0): its rows are counted as unpriced.
    nothing_priced = pl.col("rows") == pl.col("unpriced_rows")
    return table.with_columns(
        cost=pl.when(nothing_priced)
        .then(None)
        .otherwise(pl.Series(cents, dtype=pl.Decimal(38, 2))),
        cost_exact=pl.when(nothing_priced)
        .then(None)
        .otherwise(pl.Series([format(v, "f") for v in exact], dtype=pl.String)),
    )


def data_quality(report: Report) -> pl.DataFrame:
    """Counts by kind and reason, with up to three ``path:line`` examples each."""
    line = pl.concat_str(pl.lit(":"), pl.col("source_line").cast(pl.String))
    where = pl.concat_str("source_file", line.fill_null(""))
    return (
        report.issues.group_by("kind", "source_format", "reason")
        .agg(count=pl.col("count").sum(), examples=where.head(3).str.join(", "))
        .sort("kind", "source_format", "reason")
    )


def summary_rows(report: Report) -> list[tuple[str, object]]:
    """Label/value pairs for the Summary sheet, money rounded to cents."""
    s = report.summary
    total = rounded(s["total_cost"])
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
