"""Anthropic Admin API ``GET /v1/organizations/usage_report/messages`` responses (JSON).

Aggregated buckets (1m / 1h / 1d) of token counts, already in disjoint buckets:
``uncached_input_tokens`` excludes cache reads and writes. Grouping fields (model, workspace,
key, service tier, context window, inference geo, speed) are null unless the request grouped by
them. ``source_line`` is the result's ordinal in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import head
from ._report import mapped, result_frame
from .kit import Read, require

NAME = "anthropic-usage-report"

FIELDS = {
    "period_start": "_start",
    "period_end": "_end",
    "model": "model",
    "workspace": "workspace_id",
    "api_key": "api_key_id",
    "service_tier": "service_tier",
    "context_window": "context_window",
    "inference_geo": "inference_geo",
    "speed": "speed",
    "input_uncached": "uncached_input_tokens",
    "cache_read": "cache_read_input_tokens",
    "cache_write_5m": "cache_creation.ephemeral_5m_input_tokens",
    "cache_write_1h": "cache_creation.ephemeral_1h_input_tokens",
    "output": "output_tokens",
    "web_search": "server_tool_use.web_search_requests",
}
REQUIRED = ["uncached_input_tokens", "cache_read_input_tokens", "output_tokens"]
COUNTS = [
    "input_uncached",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "output",
    "web_search",
]
HINT = "export the full messages usage report (GET /v1/organizations/usage_report/messages)"


class AnthropicUsageReport(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = ("starting_at", *REQUIRED)

    def identify(self, path: Path) -> bool:
        text = head(path)
        return (
            path.suffix == ".json"
            and '"starting_at"' in text
            and (
                '"uncached_input_tokens"' in text
                or '"results": []' in text
                or '"results":[]' in text
            )
            and '"cost_type"' not in text
            and '"amount"' not in text  # a cost report (anthropic_cost.py) with an empty bucket
        )

    def read(self, path: Path) -> Read:
        frame = result_frame(path, "starting_at", "ending_at", exact=True)
        require(frame, path, REQUIRED, HINT)
        rows = mapped(frame, NAME, path, FIELDS)
        problem = kit.first_reason(
            *[kit.count_problem(pl.col(k), FIELDS[k], FIELDS[k] in REQUIRED) for k in COUNTS]
        )
        rows, bad = kit.split_rejected(rows, problem)
        rows = rows.with_columns(
            *[kit.count(pl.col(k)).alias(k) for k in COUNTS],
            pl.lit("anthropic").alias("provider"),
            kit.utc(pl.col("period_start")).alias("period_start"),
            kit.utc(pl.col("period_end")).alias("period_end"),
            pl.lit(True).alias("aggregated"),
            (pl.col("service_tier") == "batch").fill_null(False).alias("batch"),
        ).with_columns(
            pl.col(c).fill_null(0) for c in ("cache_write_5m", "cache_write_1h", "web_search")
        )
        return Read(rows=rows, issues=bad)
