"""Anthropic Admin API ``GET /v1/organizations/cost_report`` responses (JSON).

Daily buckets (``starting_at`` / ``ending_at``, RFC 3339 UTC). ``amount`` is a decimal string in
the currency's **lowest unit**: ``"123.45"`` with ``USD`` is 123.45 cents, $1.2345. It becomes
``billed_cost`` in dollars (divided by 100, exactly). A cost row is money, not usage: it carries
no token counts (null), is never priced and never adds to the computed cost; reports show billed
totals beside computed ones. ``model``, ``service_tier``, ``context_window``, ``token_type`` and
``description`` are null unless the request grouped by ``description``; ``workspace_id`` is null
unless grouped by workspace (and for the default workspace). ``line_item`` is the
``description`` when stated, else ``cost_type`` / ``token_type``. Priority Tier costs never
appear in this report (Anthropic's cookbook): they are in the usage report only.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import head
from ._report import mapped, result_frame
from .kit import Read, money, require, split_unreadable, utc

NAME = "anthropic-cost-report"

FIELDS = {
    "period_start": "_start",
    "period_end": "_end",
    "model": "model",
    "workspace": "workspace_id",
    "service_tier": "service_tier",
    "context_window": "context_window",
    "inference_geo": "inference_geo",
    "billed_cost": "amount",
    "_amount": "amount",
    "currency": "currency",
    "_description": "description",
    "_cost_type": "cost_type",
    "_token_type": "token_type",
}
REQUIRED = ["amount", "currency"]
HINT = "export the cost report (GET /v1/organizations/cost_report) unmodified"
CENTS_PER_UNIT = 100
"""Anthropic states amounts in the lowest currency unit; USD is its only currency today."""


class AnthropicCostReport(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        text = head(path)
        return (
            path.suffix == ".json"
            and '"starting_at"' in text
            and '"amount"' in text
            and '"currency"' in text
            and '"model_breakdown"' not in text
        )

    def read(self, path: Path) -> Read:
        frame = result_frame(path, "starting_at", "ending_at", exact=True)
        require(frame, path, REQUIRED, HINT)
        kind = pl.concat_str(
            pl.col("_cost_type"), pl.col("_token_type"), separator=": ", ignore_nulls=True
        )
        rows = mapped(frame, NAME, path, FIELDS).with_columns(
            pl.lit("anthropic").alias("provider"),
            utc(pl.col("period_start")).alias("period_start"),
            utc(pl.col("period_end")).alias("period_end"),
            pl.lit(True).alias("aggregated"),
            (pl.col("service_tier") == "batch").fill_null(False).alias("batch"),
            (money(pl.col("billed_cost")) / CENTS_PER_UNIT).alias("billed_cost"),
            pl.coalesce(pl.col("_description"), pl.when(kind != "").then(kind)).alias("line_item"),
        )
        rows = rows.drop("_description", "_cost_type", "_token_type")
        good, bad = split_unreadable(rows, "billed_cost", "_amount", "amount")
        return Read(rows=good, issues=bad)
