"""Gemini API / Vertex AI ``generateContent`` responses logged one per line (JSONL).

A line is the response object itself, or the costlens wrapper ``{"timestamp", "request_id",
"session_id", "response": {...}}`` (the same wrapper as the OpenAI and Anthropic response logs).
Both spellings are read: the REST API's camelCase (``usageMetadata.promptTokenCount``) and the
Python SDK's snake_case dumps (``usage_metadata.prompt_token_count``).

Google's convention: ``promptTokenCount`` includes ``cachedContentTokenCount``;
``toolUsePromptTokenCount`` (tool results fed back, e.g. grounding) is separate and billed as
input; ``thoughtsTokenCount`` is separate from ``candidatesTokenCount`` and billed as output.
A streamed response (``streamGenerateContent``, saved one chunk per line or as ``alt=sse``
``data:`` lines) repeats its ``responseId`` in every chunk, and each chunk's ``usageMetadata``
holds the running totals: the last chunk of a response in a file holds its final counts and is
the one read; the earlier ones are skipped. (Across files, one ``responseId`` is counted once.)
Chunks without a ``responseId`` (older API versions) cannot be told apart: each is read alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import LOG_SUFFIXES, first_json_lines
from ._lines import decode
from .kit import Read, lineage, utc

NAME = "gemini-response-log"

COUNTS = {
    "prompt": ("promptTokenCount", "prompt_token_count"),
    "cached": ("cachedContentTokenCount", "cached_content_token_count"),
    "candidates": ("candidatesTokenCount", "candidates_token_count"),
    "thoughts": ("thoughtsTokenCount", "thoughts_token_count"),
    "tool_prompt": ("toolUsePromptTokenCount", "tool_use_prompt_token_count"),
}
"""Canonical count -> (camelCase, snake_case) source fields in ``usageMetadata``."""
FIELDS = {
    "usage": ("usageMetadata", "usage_metadata"),
    "model": ("modelVersion", "model_version"),
    "response_id": ("responseId", "response_id"),
    "created": ("createTime", "create_time"),
    "traffic": ("trafficType", "traffic_type"),
}
"""Canonical field -> (camelCase, snake_case) fields of the response object."""
TRAFFIC = {"ON_DEMAND": None, "PROVISIONED_THROUGHPUT": "provisioned_throughput"}
"""Vertex ``trafficType`` -> ``service_tier``. On-demand is the standard per-token price (no
tier stated, like the Gemini API); provisioned throughput is billed per unit-hour, not per
token, so it is named and left unpriced. Other values are kept lower-cased."""

USAGE = pl.Struct(
    {name: pl.Int64 for pair in COUNTS.values() for name in pair}
    | {name: pl.String for name in FIELDS["traffic"]}
)
RESPONSE = pl.Struct(
    {name: pl.String for key, pair in FIELDS.items() if key != "usage" for name in pair}
    | {name: USAGE for name in FIELDS["usage"]}
)
LINE = pl.Struct(
    {
        "timestamp": pl.String,
        "request_id": pl.String,
        "session_id": pl.String,
        "response": RESPONSE,
        **{f.name: f.dtype for f in RESPONSE.fields},
    }
)
"""Usage fields only: prompts, candidates and thought summaries are never decoded."""


EARLIER = "stream chunk with running totals (the response's last chunk holds its final counts)"


def _has_usage(d: dict) -> bool:
    inner: dict = d["response"] if isinstance(d.get("response"), dict) else d
    return any(k in inner for k in FIELDS["usage"])


class GeminiResponseLog(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id",)

    def identify(self, path: Path) -> bool:
        return path.suffix in LOG_SUFFIXES and any(
            _has_usage(d) for d in first_json_lines(path, keys=FIELDS["usage"])
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        obj = pl.when(pl.col("response").is_not_null()).then(pl.col("response"))
        rows = rows.with_columns(
            _obj=obj.otherwise(pl.struct([pl.col(f.name) for f in RESPONSE.fields]))
        )
        usage = _either(pl.col("_obj"), FIELDS["usage"])
        rid = _either(pl.col("_obj"), FIELDS["response_id"])
        # The last chunk of a response holds its totals (the ids of a non-stream file differ).
        last = (pl.int_range(pl.len()).over(rid) == pl.len().over(rid) - 1) | rid.is_null()
        usable = rows.filter(usage.is_not_null())
        final, earlier = usable.filter(last), usable.filter(~last)
        other = rows.filter(usage.is_null())
        return Read(
            rows=final.with_columns(_u=usage).select(_columns(path)),
            issues=pl.concat(
                [
                    issues,
                    kit.skipped(NAME, path, other, pl.lit("no usageMetadata")),
                    kit.skipped(NAME, path, earlier, pl.lit(EARLIER)),
                ]
            ),
        )


def _either(struct: pl.Expr, names: tuple[str, str]) -> pl.Expr:
    return pl.coalesce(*[struct.struct.field(n) for n in names])


def _columns(path: Path) -> list[pl.Expr]:
    o, u = pl.col("_obj"), pl.col("_u")
    n = {k: _either(u, pair).fill_null(0) for k, pair in COUNTS.items()}
    ts = pl.coalesce(utc(_either(o, FIELDS["created"])), utc(pl.col("timestamp")))
    traffic = _either(u, FIELDS["traffic"])
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("google").alias("provider"),
        _either(o, FIELDS["model"]).alias("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("request_id"),
        _either(o, FIELDS["response_id"]).alias("response_id"),
        pl.col("session_id"),
        # Vertex states how the request was served; provisioned throughput is not per-token.
        pl.when(traffic.is_in(list(TRAFFIC)))
        .then(traffic.replace_strict(TRAFFIC, default=None, return_dtype=pl.String))
        .otherwise(traffic.str.to_lowercase())
        .alias("service_tier"),
        pl.lit(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        (n["prompt"] - n["cached"] + n["tool_prompt"]).alias("input_uncached"),
        n["cached"].alias("cache_read"),
        pl.lit(0, pl.Int64).alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        (n["candidates"] + n["thoughts"]).alias("output"),
        n["thoughts"].alias("reasoning"),  # Google omits zero counts
        pl.lit(0, pl.Int64).alias("web_search"),
        pl.lit(False).alias("ttl_assumed"),
    ]
