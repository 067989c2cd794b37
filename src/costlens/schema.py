"""Canonical schemas, declared once and checked at stage boundaries.

The checks look at a LazyFrame's schema only (no data is collected), so they are cheap and keep
pipelines lazy. Row-level rules (no negative token bucket) split offending rows out with a reason
instead of failing the whole input; see ``split_invalid``.
"""

from __future__ import annotations

import polars as pl

from .errors import CostlensError

UTC_TIME = pl.Datetime("us", "UTC")
MONEY = pl.Decimal(38, 12)
"""Money and per-token rates: 12 decimal places keeps every product exact (rates per 1M tokens
have at most 6 decimals), and 38 digits leave room for any realistic total."""

TOKEN_BUCKETS = (
    "input_uncached",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "output",
)
"""Disjoint, billable token buckets. Their sum is every token the provider billed."""

USAGE: dict[str, pl.DataType] = {
    "source_format": pl.String(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "provider": pl.String(),
    "model": pl.String(),
    "period_start": UTC_TIME,
    "period_end": UTC_TIME,
    "aggregated": pl.Boolean(),
    "request_id": pl.String(),
    "response_id": pl.String(),
    "session_id": pl.String(),
    "sidechain": pl.Boolean(),
    "custom_id": pl.String(),
    "project": pl.String(),
    "workspace": pl.String(),
    "api_key": pl.String(),
    "user": pl.String(),
    "service_tier": pl.String(),
    "batch": pl.Boolean(),
    "inference_geo": pl.String(),
    "context_window": pl.String(),
    "speed": pl.String(),
    "requests": pl.Int64(),
    **{b: pl.Int64() for b in TOKEN_BUCKETS},
    "reasoning": pl.Int64(),
    "web_search": pl.Int64(),
    "ttl_assumed": pl.Boolean(),
    "billed_cost": MONEY,
    "currency": pl.String(),
    "line_item": pl.String(),
    "billed_quantity": MONEY,
    "billed_unit": pl.String(),
    "model_canonical": pl.String(),
    "tags": pl.String(),
}
"""One row per usage record: a single request, or an aggregated bucket of a provider report.
Documented column by column in docs/schema.md."""

ISSUES: dict[str, pl.DataType] = {
    "source_format": pl.String(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "kind": pl.String(),
    "reason": pl.String(),
    "count": pl.Int64(),
}
"""Input rows that did not become usage: ``rejected`` (bad row, with reason), ``duplicate``
(same record seen again), or ``skipped`` (a line that carries no usage, counted per reason)."""

RUNS: dict[str, pl.DataType] = {
    "source_format": pl.String(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "task_id": pl.String(),
    "model": pl.String(),
    "run_id": pl.String(),
    "attempt": pl.Int64(),
    "started_at": UTC_TIME,
    "ended_at": UTC_TIME,
    "outcome": pl.String(),
    "reprompts": pl.Int64(),
    "review_minutes": pl.Decimal(38, 6),
    "session_id": pl.String(),
    "request_ids": pl.List(pl.String()),
    "api_key": pl.String(),
    "project": pl.String(),
}
"""One row per attempt at a task, from a run log. ``api_key`` / ``project`` (optional) name the
key or project (workspace) the attempt spent on, which lets aggregated report rows be shared out."""

OUTCOMES = ("pass", "fail", "error")


class SchemaError(CostlensError):
    """A frame does not have the columns a stage expects (a bug, not bad input)."""


def check(lf: pl.LazyFrame, schema: dict[str, pl.DataType], stage: str) -> pl.LazyFrame:
    """Assert that ``lf`` has exactly ``schema``'s columns and dtypes; return it unchanged."""
    actual = lf.collect_schema()
    missing = [c for c in schema if c not in actual]
    extra = [c for c in actual if c not in schema]
    wrong = [
        f"{c}: {actual[c]} (want {t})" for c, t in schema.items() if c in actual and actual[c] != t
    ]
    if missing or extra or wrong:
        raise SchemaError(
            f"{stage}: frame does not match the schema; missing={missing} extra={extra} "
            f"wrong types={wrong}"
        )
    return lf


def conform(lf: pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """Select ``schema``'s columns in order, adding absent ones as typed nulls."""
    have = lf.collect_schema()
    cols = [(pl.col(c) if c in have else pl.lit(None)).cast(t).alias(c) for c, t in schema.items()]
    return lf.select(cols)


def empty(schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """A typed frame with no rows."""
    return pl.LazyFrame(schema=schema)


def split_invalid(usage: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Split out usage rows that break the invariants, each with the reason.

    Returns ``(valid, rejected)`` where ``rejected`` follows ``ISSUES``.
    """
    reason = pl.when(pl.col("period_start").is_null()).then(pl.lit("no timestamp"))
    for b in TOKEN_BUCKETS:
        reason = reason.when(pl.col(b) < 0).then(pl.lit(f"negative {b} token count"))
    reason = reason.when(pl.col("reasoning") > pl.col("output")).then(
        pl.lit("reasoning tokens exceed output tokens")
    )
    tagged = usage.with_columns(_reason=reason.otherwise(None))
    valid = tagged.filter(pl.col("_reason").is_null()).drop("_reason")
    bad = tagged.filter(pl.col("_reason").is_not_null()).select(
        "source_format",
        "source_file",
        "source_line",
        kind=pl.lit("rejected"),
        reason=pl.col("_reason"),
        count=pl.lit(1, pl.Int64),
    )
    return valid, bad
