"""OpenRouter: generation stats (``GET /api/v1/generation?id=...``) and the activity export.

**Generation stats** (JSONL, one response per line, or a ``.json`` file holding one response):
``{"data": {...}}`` or the bare data object. Tokens are the provider's native counts (what is
billed), in OpenAI convention: ``native_tokens_prompt`` includes ``native_tokens_cached``, and
``native_tokens_completion`` includes ``native_tokens_reasoning``. OpenRouter cannot always
report cache writes, so none are counted. ``total_cost`` (USD credits, read from the raw text of
the line) is the billed amount: ``billed_cost``. Dedupe on the generation ``id``.

**Activity** (``GET /api/v1/activity``, JSON ``{"data": [...]}``): one item per day (UTC
``date``) per model endpoint with ``usage`` (USD, billed) and token totals. It has no cache
split, so every prompt token counts as uncached input: the computed cost is an upper bound when
caching was used; ``billed_cost`` is what was charged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from . import kit
from ._base import head
from ._exact import load_exact, records_frame
from ._lines import decode, numbered
from .kit import Read, count, lineage, money, require, split_unreadable, utc

_INT = pl.Int64
GENERATION = pl.Struct(
    {
        "id": pl.String,
        "created_at": pl.String,
        "model": pl.String,
        "external_user": pl.String,
        "service_tier": pl.String,
        "native_tokens_prompt": _INT,
        "native_tokens_completion": _INT,
        "native_tokens_reasoning": _INT,
        "native_tokens_cached": _INT,
    }
)
LINE = pl.Struct({"data": GENERATION, **{f.name: f.dtype for f in GENERATION.fields}})
TOTAL_COST = r'"total_cost"\s*:\s*"?(-?[0-9][0-9.eE+\-]*)'
"""The raw text of ``total_cost``: JSON decoders go through float, money must not."""


ACTIVITY_LIST = re.compile(r'^\s*\{\s*"data"\s*:\s*\[')
"""An activity export opens with its list of day items."""


class OpenRouterGeneration(kit.Reader):
    name: ClassVar[str] = "openrouter-generation"
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id",)

    def identify(self, path: Path) -> bool:
        text = head(path)
        return (
            path.suffix in (".json", ".jsonl")
            and '"native_tokens_prompt"' in text
            and '"total_cost"' in text
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(self.name, path, LINE, numbered(path))
        g = pl.struct([pl.col(f.name) for f in GENERATION.fields])
        rows = rows.with_columns(
            _g=pl.when(pl.col("data").is_not_null()).then(pl.col("data")).otherwise(g),
            _amount=pl.col("line").str.extract(TOTAL_COST, 1),
        )
        f = pl.col("_g").struct.field
        ts = utc(f("created_at"))
        prompt, cached = f("native_tokens_prompt"), f("native_tokens_cached").fill_null(0)
        canon = rows.select(
            *lineage(self.name, path, pl.col("ln")),
            pl.lit("openrouter").alias("provider"),
            f("model").alias("model"),
            ts.alias("period_start"),
            ts.alias("period_end"),
            pl.lit(False).alias("aggregated"),
            f("id").alias("response_id"),
            f("external_user").alias("user"),
            f("service_tier").alias("service_tier"),
            pl.lit(False).alias("batch"),
            pl.lit(1, _INT).alias("requests"),
            (prompt - cached).alias("input_uncached"),
            cached.alias("cache_read"),
            pl.lit(0, _INT).alias("cache_write_5m"),
            pl.lit(0, _INT).alias("cache_write_1h"),
            f("native_tokens_completion").alias("output"),
            f("native_tokens_reasoning").fill_null(0).alias("reasoning"),
            money(pl.col("_amount")).alias("billed_cost"),
            pl.col("_amount"),
            pl.lit("USD").alias("currency"),
        )
        good, bad = split_unreadable(canon, "billed_cost", "_amount", "total_cost")
        return Read(rows=good, issues=pl.concat([issues, bad]))


class OpenRouterActivity(kit.Reader):
    name: ClassVar[str] = "openrouter-activity"
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        # A generation response (newer API) also names a ``model_permaslug`` (in
        # ``provider_responses``) and a ``usage`` amount: only a ``data`` *list* of day items
        # without generation token counts is an activity export.
        text = head(path)
        return (
            path.suffix == ".json"
            and ACTIVITY_LIST.search(text) is not None
            and '"model_permaslug"' in text
            and '"usage"' in text
            and '"native_tokens_prompt"' not in text
        )

    def read(self, path: Path) -> Read:
        doc = load_exact(path)
        items: Any = doc.get("data") if isinstance(doc, dict) else doc
        frame = records_frame([i for i in items or [] if isinstance(i, dict)])
        if frame.height == 0:
            return Read(rows=pl.LazyFrame())
        require(
            frame,
            path,
            ["date", "model", "usage", "prompt_tokens", "completion_tokens"],
            "export GET /api/v1/activity unmodified",
        )
        start = utc(pl.col("date").str.slice(0, 10) + "T00:00:00Z")
        opt = [c for c in ("requests", "reasoning_tokens") if c not in frame.columns]
        canon = (
            frame.lazy()
            .with_columns(*[pl.lit(None).alias(c) for c in opt])
            .select(
                *lineage(self.name, path, pl.col("_record")),
                pl.lit("openrouter").alias("provider"),
                pl.col("model"),
                start.alias("period_start"),
                start.dt.offset_by("1d").alias("period_end"),
                pl.lit(True).alias("aggregated"),
                count(pl.col("requests")).alias("requests"),
                count(pl.col("prompt_tokens")).alias("input_uncached"),
                *[
                    pl.lit(0, _INT).alias(b)
                    for b in ("cache_read", "cache_write_5m", "cache_write_1h")
                ],
                count(pl.col("completion_tokens")).alias("output"),
                count(pl.col("reasoning_tokens")).fill_null(0).alias("reasoning"),
                money(pl.col("usage")).alias("billed_cost"),
                pl.col("usage").alias("_amount"),
                pl.lit("USD").alias("currency"),
            )
        )
        good, bad = split_unreadable(canon, "billed_cost", "_amount", "usage")
        return Read(rows=good, issues=bad)
