"""OpenAI organization Costs API ``GET /v1/organization/costs`` pages (JSON).

Daily buckets (``start_time`` / ``end_time``, Unix seconds, UTC) of billed amounts. A result is
money, not usage: ``amount.value`` is in **dollars** (read from its raw text, never via float)
and becomes ``billed_cost``; ``amount.currency`` is lowercase (``usd``) and becomes ``USD``. The
row carries no token counts (null), so it is never priced and never adds to the computed cost:
the Usage API (or a log) states the tokens, the Costs API states the bill, and reports show the
two side by side. ``line_item`` (free text, when grouped by it), ``quantity`` and
``quantity_unit`` are kept as ``line_item``, ``billed_quantity`` and ``billed_unit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import head
from ._report import mapped, result_frame
from .kit import Read, money, require, split_unreadable, unix_seconds

NAME = "openai-costs"

FIELDS = {
    "period_start": "_start",
    "period_end": "_end",
    "project": "project_id",
    "api_key": "api_key_id",
    "billed_cost": "amount.value",
    "_amount": "amount.value",
    "currency": "amount.currency",
    "line_item": "line_item",
    "billed_quantity": "quantity",
    "billed_unit": "quantity_unit",
}
REQUIRED = ["amount.value", "amount.currency"]
HINT = "export GET /v1/organization/costs pages unmodified"


class OpenAICosts(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        return path.suffix == ".json" and "organization.costs.result" in head(path)

    def read(self, path: Path) -> Read:
        frame = result_frame(path, "start_time", "end_time", exact=True)
        require(frame, path, REQUIRED, HINT)
        rows = mapped(frame, NAME, path, FIELDS).with_columns(
            pl.lit("openai").alias("provider"),
            unix_seconds(pl.col("period_start")).alias("period_start"),
            unix_seconds(pl.col("period_end")).alias("period_end"),
            pl.lit(True).alias("aggregated"),
            money(pl.col("billed_cost")).alias("billed_cost"),
            pl.col("currency").cast(pl.String).str.to_uppercase().alias("currency"),
            money(pl.col("billed_quantity")).alias("billed_quantity"),
        )
        good, bad = split_unreadable(rows, "billed_cost", "_amount", "amount.value")
        return Read(rows=good, issues=bad)
