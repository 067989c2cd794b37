"""OpenAI organization Usage API ``GET /v1/organization/usage/completions`` pages (JSON).

Aggregated buckets. OpenAI's ``input_tokens`` includes cached and cache-write tokens, so the
uncached part is ``input_tokens - input_cached_tokens - input_cache_write_tokens``; when the file
also states ``input_uncached_tokens`` the two must agree or the row is rejected. Reasoning tokens
are inside ``output_tokens`` and not reported separately (left null). ``source_line`` is the
result's ordinal in the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import head
from ._report import mapped, result_frame
from .kit import Read, require

NAME = "openai-usage-completions"

FIELDS = {
    "period_start": "_start",
    "period_end": "_end",
    "model": "model",
    "project": "project_id",
    "user": "user_id",
    "api_key": "api_key_id",
    "batch": "batch",
    "service_tier": "service_tier",
    "requests": "num_model_requests",
    "_input": "input_tokens",
    "cache_read": "input_cached_tokens",
    "cache_write_5m": "input_cache_write_tokens",
    "_uncached_stated": "input_uncached_tokens",
    "output": "output_tokens",
}
REQUIRED = ["input_tokens", "output_tokens", "num_model_requests"]
COUNTS = ["requests", "_input", "cache_read", "cache_write_5m", "_uncached_stated", "output"]
HINT = "export GET /v1/organization/usage/completions pages unmodified"


class OpenAIUsageCompletions(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = ("organization.usage.completions.result", *REQUIRED)

    def identify(self, path: Path) -> bool:
        text = head(path)
        return path.suffix == ".json" and "organization.usage.completions.result" in text

    def read(self, path: Path) -> Read:
        frame = result_frame(path, "start_time", "end_time", exact=True)
        require(frame, path, REQUIRED, HINT)
        rows = mapped(frame, NAME, path, FIELDS)
        problem = kit.first_reason(
            *[kit.count_problem(pl.col(k), FIELDS[k], FIELDS[k] in REQUIRED) for k in COUNTS]
        )
        rows, bad = kit.split_rejected(rows, problem)
        rows = rows.with_columns(
            *[kit.count(pl.col(k)).alias(k) for k in COUNTS],
            kit.unix_seconds(pl.col("period_start")).alias("period_start"),
            kit.unix_seconds(pl.col("period_end")).alias("period_end"),
            pl.lit("openai").alias("provider"),
            pl.lit(True).alias("aggregated"),
            (pl.col("batch").cast(pl.String).str.to_lowercase() == "true").alias("batch"),
        )
        write = pl.col("cache_write_5m").fill_null(0)
        derived = pl.col("_input") - pl.col("cache_read").fill_null(0) - write
        rows = rows.with_columns(
            pl.col("cache_read").fill_null(0),
            write.alias("cache_write_5m"),
            derived.alias("input_uncached"),
        )
        mismatch = pl.col("_uncached_stated").is_not_null() & (
            pl.col("_uncached_stated") != derived
        )
        good, differs = kit.split_rejected(
            rows,
            pl.when(mismatch).then(
                pl.lit(
                    "input_uncached_tokens differs from input_tokens - input_cached_tokens"
                    " - input_cache_write_tokens"
                )
            ),
        )
        return Read(rows=good.drop("_input", "_uncached_stated"), issues=pl.concat([bad, differs]))
