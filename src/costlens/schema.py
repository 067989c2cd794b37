"""Canonical schemas, declared once and checked at stage boundaries.

Each stage checks what it received and what it produced against these:

    read (ingest)   each reader's rows -> ``USAGE`` / ``RUNS`` / ``ISSUES`` (``conform``)
    pricing         ``USAGE`` in, ``PRICED`` out (``check``)
    attribution     ``PRICED`` + ``RUNS`` in, ``ATTRIBUTED`` out
    metrics         ``ATTRIBUTED`` + ``RUNS`` in

A schema names its ``optional`` columns: the ones a producer may leave out because its source
does not state them (a cost report has no token counts, a run log may name no project). They are
added as typed nulls. Any other column missing is an error naming the stage and the column,
never a silent null. The checks look at a LazyFrame's schema only (no data is collected), so
they are cheap and keep pipelines lazy. Row-level rules (no negative token bucket) split
offending rows out with a reason instead of failing the whole input; see ``split_invalid``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from .errors import CostlensError


class Columns(dict[str, pl.DataType]):
    """A schema: column -> dtype in order (a plain dict to polars), plus its ``name`` and the
    columns a producer may leave out (``optional``)."""

    def __init__(
        self, name: str, columns: Mapping[str, pl.DataType], optional: Iterable[str] = ()
    ) -> None:
        super().__init__(columns)
        self.name = name
        self.optional = frozenset(optional)
        unknown = sorted(self.optional - self.keys())
        if unknown:
            raise ValueError(f"{name}: optional columns {unknown} are not in the schema")

    @property
    def required(self) -> list[str]:
        return [c for c in self if c not in self.optional]


UTC_TIME = pl.Datetime("us", "UTC")
MONEY = pl.Decimal(38, 12)
"""Money and per-token rates: 12 decimal places keeps every product exact (rates per 1M tokens
have at most 6 decimals), and 38 digits leave room for any realistic total."""
LABEL = pl.Categorical()
"""Provenance text repeats the same few values on every row (a source URL, a file, a digest):
stored once per distinct value, it costs a few bytes a row instead of a copy of the text."""

TOKEN_BUCKETS = (
    "input_uncached",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "output",
)
"""Disjoint, billable token buckets. Their sum is every token the provider billed."""
FEES = ("web_search",)
"""Per-call fee counts (usage columns), priced per 1,000 calls."""

USAGE = Columns(
    "usage",
    {
    "source_format": pl.String(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "provider": pl.String(),
    "model": pl.String(),
    "period_start": UTC_TIME,
    "period_end": UTC_TIME,
    "time_source": pl.String(),
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
    },
    optional=[
        "source_line", "provider", "model", "time_source", "request_id", "response_id",
        "session_id",
        "sidechain", "custom_id", "project", "workspace", "api_key", "user", "service_tier",
        "batch", "inference_geo", "context_window", "speed", "requests", *TOKEN_BUCKETS,
        "reasoning", "web_search", "ttl_assumed", "billed_cost", "currency", "line_item",
        "billed_quantity", "billed_unit", "model_canonical", "tags",
    ],
)  # fmt: skip
"""One row per usage record: a single request, or an aggregated bucket of a provider report.
Documented column by column in docs/schema.md."""

ISSUES = Columns(
    "issues",
    {
        "source_format": pl.String(),
        "source_file": pl.String(),
        "source_line": pl.Int64(),
        "kind": pl.String(),
        "reason": pl.String(),
        "count": pl.Int64(),
    },
    optional=["source_line"],
)
"""Input rows that did not become usage: ``rejected`` (bad row, with reason), ``duplicate``
(same record seen again), or ``skipped`` (a line that carries no usage, counted per reason)."""

RUNS = Columns(
    "runs",
    {
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
        "category": pl.String(),
        "harness": pl.String(),
    },
    optional=[
        "source_line",
        "review_minutes",
        "session_id",
        "api_key",
        "project",
        "category",
        "harness",
    ],
)
"""One row per attempt at a task, from a run log. ``api_key`` / ``project`` (optional) name the
key or project (workspace) the attempt spent on, which lets aggregated report rows be shared out.
``category`` (the kind of task: bug-fix, docs, ...) and ``harness`` (the agent that ran it) are
optional labels that compare ranks by."""

PRICE_COLUMNS: dict[str, pl.DataType] = {
    "model_id": pl.String(),
    "price_status": LABEL,
    "unpriced_reason": pl.String(),
    "price_model": LABEL,
    "price_period_from": UTC_TIME,
    "price_source": LABEL,
    "price_confidence": LABEL,
    "price_file": LABEL,
    "price_tier": LABEL,
    "price_modifiers": LABEL,
    "cliff_unchecked": pl.Boolean(),
    **{f"cost_{b}": MONEY for b in TOKEN_BUCKETS},
    **{f"cost_{f}": MONEY for f in FEES},
    "cost": MONEY,
    "cost_currency": LABEL,
    "pricing_version": LABEL,
}
"""What pricing adds to a usage row: the price's provenance and the cost per bucket."""

PRICED = Columns("priced", {**USAGE, **PRICE_COLUMNS})
"""Usage plus its price provenance and cost. ``cost`` is null exactly when not priced
(``price_status`` ``unpriced`` with a reason, or ``billed``: the row states only money)."""

ATTRIBUTED = Columns(
    "attributed",
    {
        **PRICED,
        "usage_row": pl.Int64(),
        "part": pl.Int64(),
        "parts": pl.Int64(),
        "share": pl.Float64(),
        "task_id": pl.String(),
        "run_model": pl.String(),
        "run_id": pl.String(),
        "attempt": pl.Int64(),
        "attribution_method": pl.String(),
        "unattributed_cause": pl.String(),
    },
)
"""Priced usage joined to run-log attempts, one row per part (``attribution``). ``usage_row``
numbers the source usage row; ``share`` is the part's weight / total (for reading only: the
exact split is in the token and cost columns)."""

OUTCOMES = ("pass", "fail", "error")

TIME_SOURCES = ("record", "file_mtime")
"""Where a usage row's ``period_start`` came from: the record itself (a timestamp, a report
bucket, a sibling call of the same trajectory), or the file's modification time for a record
that carries no time (a raw Anthropic Message or Gemini response saved as is)."""


def stamp_time(lf: pl.LazyFrame, modified: dt.datetime | pl.Expr) -> pl.LazyFrame:
    """Fill ``time_source``, and give rows with no time the file's modification time (an
    expression: each row's own file's, when rows of several files are read together).

    Tokens are never lost for want of a time: such a row is priced at ``--price-date`` when
    given (as every row is), else at ``modified``; ``time_source`` says which rows those are.
    """
    untimed = pl.col("period_start").is_null()
    when = modified if isinstance(modified, pl.Expr) else pl.lit(modified, UTC_TIME)
    return lf.with_columns(
        time_source=pl.coalesce(
            "time_source", pl.when(untimed).then(pl.lit("file_mtime")).otherwise(pl.lit("record"))
        ),
        period_start=pl.coalesce("period_start", when),
        period_end=pl.coalesce("period_end", "period_start", when),
    )


class SchemaError(CostlensError):
    """A frame does not have the columns a stage expects (a bug, not bad input)."""


def check(lf: pl.LazyFrame, schema: Mapping[str, pl.DataType], stage: str) -> pl.LazyFrame:
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


def conform(
    lf: pl.LazyFrame, schema: Mapping[str, pl.DataType], stage: str = "a stage"
) -> pl.LazyFrame:
    """Select ``schema``'s columns in order and types, adding absent optional ones as typed
    nulls (a plain mapping has none optional). Extra columns are dropped.

    Raises:
        SchemaError: a required column is absent; the message names ``stage`` and the column.
    """
    have = lf.collect_schema()
    optional = schema.optional if isinstance(schema, Columns) else frozenset()
    missing = [c for c in schema if c not in have and c not in optional]
    if missing:
        name = schema.name if isinstance(schema, Columns) else "expected"
        raise SchemaError(
            f"{stage}: produced no {', '.join(missing)} column(s), required by the {name} "
            "schema (schema.py); set them, or declare them optional there"
        )
    cols = [(pl.col(c) if c in have else pl.lit(None)).cast(t).alias(c) for c, t in schema.items()]
    return lf.select(cols)


def empty(schema: Mapping[str, pl.DataType]) -> pl.LazyFrame:
    """A typed frame with no rows."""
    return pl.LazyFrame(schema=schema)


def split_invalid(usage: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Split out usage rows that break the invariants, each with the reason.

    Returns ``(valid, rejected)`` where ``rejected`` follows ``ISSUES``.
    """
    reason: Any = pl.when(pl.col("period_start").is_null()).then(pl.lit("no timestamp"))
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
