"""LiteLLM proxy SpendLogs: the ``GET /spend/logs`` response (a JSON array of rows) or a CSV
export of the ``LiteLLM_SpendLogs`` table (header row, the table's column names).

One row per request; ``request_id`` is the table's primary key (dedupe key). ``spend`` (USD, read
from its raw text) is what LiteLLM charged: ``billed_cost``. Tokens follow the OpenAI
convention LiteLLM normalises to: ``prompt_tokens`` includes cache reads and cache writes, which
come from ``metadata.additional_usage_values`` (``prompt_tokens_details.cached_tokens`` or
``cache_read_input_tokens``; ``cache_creation_input_tokens``). A row whose ``cache_hit`` is true
was answered from LiteLLM's own cache (no provider call) and is skipped. ``startTime`` is UTC
(Postgres timestamp without a zone).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import polars as pl

from .. import schema
from . import kit
from ._base import head
from ._exact import load_exact, records_frame
from .kit import Read, count, lineage, money, split_unreadable, utc

NAME = "litellm-spend-logs"
REQUIRED = ["request_id", "spend", "startTime", "model", "prompt_tokens", "completion_tokens"]
OPTIONAL = ["session_id", "user", "end_user", "team_id", "api_key", "cache_hit", "metadata"]
HINT = "export GET /spend/logs unmodified, or the LiteLLM_SpendLogs table with its column names"
_EXTRA = "$.additional_usage_values."


class LiteLLMSpendLogs(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("request_id",)
    markers: ClassVar[tuple[str, ...]] = tuple(REQUIRED)

    def identify(self, path: Path) -> bool:
        text = head(path)
        if path.suffix == ".csv":
            first = text.splitlines()[0] if text else ""
            return all(c in first for c in ("request_id", "spend", "startTime"))
        return path.suffix == ".json" and all(
            f'"{c}"' in text for c in ("request_id", "spend", "startTime")
        )

    def read(self, path: Path) -> Read:
        frame, ragged = _frame(path)
        missing = [c for c in REQUIRED if c not in frame.collect_schema()]
        if missing:
            raise kit.missing(path, missing[:1], HINT, "LiteLLM spend logs")
        have = frame.collect_schema().names()
        frame = frame.with_columns(
            [pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in have]
        )
        hit = pl.col("cache_hit").cast(pl.String).str.to_lowercase() == "true"
        hits = kit.issues(
            frame.filter(hit.fill_null(False)),
            "skipped",
            "LiteLLM cache hit (no provider call)",
            NAME,
            path,
        )
        rows = frame.filter(~hit.fill_null(False)).select(_columns(path))
        good, bad = split_unreadable(rows, "billed_cost", "_amount", "spend")
        return Read(rows=good, issues=pl.concat([ragged, hits, bad]))


def _frame(path: Path) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Every cell as text, with ``ln``: the record's line (CSV) or ordinal (JSON); and CSV
    records with the wrong field count, rejected."""
    if path.suffix == ".csv":
        return kit.scan_csv(path, NAME)
    doc = load_exact(path)
    rows = (
        doc if isinstance(doc, list) else (doc.get("data") or []) if isinstance(doc, dict) else []
    )
    flat = [
        {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in r.items()}
        for r in rows
        if isinstance(r, dict)
    ]
    frame = records_frame(flat).rename({"_record": "ln"})
    text = frame.lazy().with_columns(pl.all().exclude("ln").cast(pl.String))
    return text, schema.empty(schema.ISSUES)


def _extra(*paths: str) -> pl.Expr:
    meta = pl.col("metadata").cast(pl.String)
    return pl.coalesce(*[count(meta.str.json_path_match(_EXTRA + p)) for p in paths])


def _text(column: str) -> pl.Expr:
    """A text cell, null when empty (LiteLLM writes ``""`` for an unset user)."""
    return pl.when(pl.col(column) != "").then(pl.col(column))


def _columns(path: Path) -> list[pl.Expr]:
    ts = utc(pl.col("startTime").str.replace(" ", "T"))
    cached = _extra("prompt_tokens_details.cached_tokens", "cache_read_input_tokens").fill_null(0)
    write = _extra("cache_creation_input_tokens").fill_null(0)
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("litellm").alias("provider"),
        pl.col("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("request_id"),
        pl.col("session_id"),
        pl.col("team_id").alias("project"),
        pl.col("api_key"),
        pl.coalesce(_text("end_user"), _text("user")).alias("user"),
        pl.lit(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        (count(pl.col("prompt_tokens")) - cached - write).alias("input_uncached"),
        cached.alias("cache_read"),
        write.alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        count(pl.col("completion_tokens")).alias("output"),
        _extra("completion_tokens_details.reasoning_tokens").fill_null(0).alias("reasoning"),
        pl.lit(False).alias("ttl_assumed"),
        money(pl.col("spend")).alias("billed_cost"),
        pl.col("spend").alias("_amount"),
        pl.lit("USD").alias("currency"),
    ]
