"""Anthropic Admin API ``GET /v1/organizations/usage_report/claude_code`` responses (JSON).

``{data: [record], has_more, next_page}``: one record per actor (a user's ``email_address`` or
an API key's ``api_key_name``) per UTC day, with ``model_breakdown[{model, tokens{input,
output, cache_read, cache_creation}, estimated_cost{amount, currency}}]``. One canonical row per
(record, model), ``aggregated``, spanning the day. ``estimated_cost.amount`` is in the currency's
lowest unit (cents) and becomes ``billed_cost`` in dollars: it is Anthropic's *estimate*, which
``line_item`` says (with the ``customer_type``: for ``subscription`` users nothing is billed per
token). The cache-write count has no 5m / 1h split: priced as 5m with ``ttl_assumed``.
``source_line`` is the (record, model) ordinal in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from ..errors import InputError, located
from . import kit
from ._base import head
from ._exact import load_exact, records_frame
from .kit import Read, count, lineage, money, split_unreadable, utc

NAME = "anthropic-claude-code-report"
CENTS_PER_UNIT = 100
REQUIRED = ("model", "tokens", "estimated_cost")
HINT = "export GET /v1/organizations/usage_report/claude_code pages unmodified"


class ClaudeCodeUsageReport(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        text = head(path)
        return path.suffix == ".json" and '"model_breakdown"' in text and '"actor"' in text

    def read(self, path: Path) -> Read:
        frame = _breakdown(path)
        rows = frame.lazy().select(*lineage(NAME, path, pl.col("_record")), *_columns())
        good, bad = split_unreadable(rows, "billed_cost", "_amount", "estimated_cost.amount")
        return Read(rows=good, issues=bad)


def _breakdown(path: Path) -> pl.DataFrame:
    """One row per (record, model): the breakdown entry plus its record's actor and day."""
    doc = load_exact(path)
    pages: list[Any] = doc if isinstance(doc, list) else [doc]
    if not all(isinstance(p, dict) and isinstance(p.get("data"), list) for p in pages):
        raise InputError(located(path, None, "expected a report page with a 'data' list"))
    entries = [
        {**m, **_record_fields(r)}
        for p in pages
        for r in p["data"]
        for m in r.get("model_breakdown") or []
    ]
    for field in REQUIRED:
        if entries and any(field not in e for e in entries):
            raise kit.missing(path, [f"model_breakdown.{field}"], HINT, noun="field")
    return records_frame(entries)


def _record_fields(record: dict) -> dict:
    actor = record.get("actor") or {}
    return {
        "_user": actor.get("email_address"),
        "_key": actor.get("api_key_name"),
        "_day": record.get("date"),
        "_type": record.get("customer_type"),
    }


def _columns() -> list[pl.Expr]:
    tokens = pl.col("tokens")
    cost = pl.col("estimated_cost")
    day = pl.col("_day").str.slice(0, 10) + "T00:00:00Z"
    start = utc(day)
    write = count(tokens.struct.field("cache_creation")).fill_null(0)
    return [
        pl.lit("anthropic").alias("provider"),
        pl.col("model"),
        start.alias("period_start"),
        start.dt.offset_by("1d").alias("period_end"),
        pl.lit(True).alias("aggregated"),
        pl.col("_user").cast(pl.String).alias("user"),
        pl.col("_key").cast(pl.String).alias("api_key"),
        count(tokens.struct.field("input")).alias("input_uncached"),
        count(tokens.struct.field("cache_read")).fill_null(0).alias("cache_read"),
        write.alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        count(tokens.struct.field("output")).alias("output"),
        (write > 0).alias("ttl_assumed"),
        (money(cost.struct.field("amount")) / CENTS_PER_UNIT).alias("billed_cost"),
        cost.struct.field("amount").alias("_amount"),
        cost.struct.field("currency").alias("currency"),
        pl.format("claude_code estimated_cost ({})", pl.col("_type").fill_null("?")).alias(
            "line_item"
        ),
    ]
