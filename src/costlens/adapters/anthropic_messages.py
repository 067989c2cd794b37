"""Raw Anthropic Messages API responses logged one per line (JSONL), saved whole, or streamed.

A line is the Message object itself (``type: "message"``, with ``id``, ``model`` and ``usage``)
or a costlens wrapper around it: ``{"timestamp": ..., "request_id": ..., "session_id": ...,
"response": {...}}``. A Message carries no time, so a bare Message line is dated by the file's
modification time at ingest (``time_source``); the wrapper's ``timestamp`` (ISO 8601 with ``Z`` or
an offset) keeps the real one. Anthropic convention: ``input_tokens`` excludes cache reads and
writes; output includes thinking. A response logged twice (same ``id``) is counted once.

A saved stream (one event per line, or ``event:`` / ``data:`` lines) is one request per
``message_start``: its ``message`` names the id and model and holds the usage so far, and the
last ``message_delta`` holds the final usage. The counts in ``message_delta`` are cumulative
(docs.anthropic.com, "Streaming Messages"; with server tools, ``input_tokens`` there is the
whole request's), so a count it states replaces the one in ``message_start``, never adds to it;
one it omits keeps the ``message_start`` value.

``usage.iterations[]`` lists the sampling steps of one request. The top-level counts are the
executor's own (``type: "message"``) steps only; an ``advisor_message`` step (the advisor tool:
another model, named in the item) and a ``compaction`` step (server-side compaction, the
request's model) are billed besides them (docs.anthropic.com, "Advisor tool" and "Compaction":
sum the iterations for the total). Each becomes a row of its own with ``requests`` 0 (the
request is counted once, on its top-level row) and the id ``<message id>:<type>:<n>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import LOG_SUFFIXES, first_json_lines
from ._lines import decode
from ._usage import ANTHROPIC_USAGE_ITERATED, anthropic_tokens
from .kit import Read, lineage, utc

NAME = "anthropic-message-log"

USAGE = ANTHROPIC_USAGE_ITERATED
MESSAGE = pl.Struct({"id": pl.String, "type": pl.String, "model": pl.String, "usage": USAGE})
LINE = pl.Struct(
    {
        "timestamp": pl.String,
        "request_id": pl.String,
        "session_id": pl.String,
        "response": MESSAGE,
        "message": MESSAGE,
        **{f.name: f.dtype for f in MESSAGE.fields},
    }
)
"""Usage fields only: content blocks are never decoded."""
BILLED_BESIDE = ("advisor_message", "compaction")
"""``usage.iterations[]`` types billed on top of the top-level counts (see the module doc)."""
STREAM_EVENTS = ("message_start", "message_delta")


def _message(d: dict) -> dict:
    inner = d.get("response")
    if isinstance(inner, dict):
        return inner
    start = d.get("message")
    return start if d.get("type") == "message_start" and isinstance(start, dict) else d


class AnthropicMessageLog(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id",)

    def identify(self, path: Path) -> bool:
        return path.suffix in LOG_SUFFIXES and any(
            "sessionId" not in d
            and _message(d).get("type") == "message"
            and isinstance(_message(d).get("usage"), dict)
            for d in first_json_lines(path, keys=("usage",))
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        bare = pl.struct([pl.col(f.name) for f in MESSAGE.fields])
        rows = rows.with_columns(
            _msg=pl.when(pl.col("response").is_not_null()).then(pl.col("response")).otherwise(bare),
            _stream=pl.when(pl.col("type") == "message_start")
            .then(pl.col("message").struct.field("id"))
            .forward_fill(),
        )
        m = pl.col("_msg")
        whole = (m.struct.field("type") == "message") & m.struct.field("usage").is_not_null()
        messages = rows.filter(whole.fill_null(False))
        streams, used = _streams(rows)
        other = rows.filter(~whole.fill_null(False)).join(used, on="ln", how="anti")
        good = pl.concat([messages.select(_KEEP), streams], how="vertical_relaxed")
        top = good.select(_columns(path))
        return Read(
            rows=pl.concat([top, _beside(good, path)], how="diagonal_relaxed"),
            issues=pl.concat([issues, kit.skipped(NAME, path, other, _reason())]),
        )


_KEEP = ["ln", "timestamp", "request_id", "session_id", "_msg"]


def _streams(rows: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """One message per stream (its first ``message_start``, usage merged with the last
    ``message_delta``), and the lines (``ln``) it used."""
    t = pl.col("type")
    keyed = rows.filter(pl.col("_stream").is_not_null())
    starts = keyed.filter(t == "message_start").unique("_stream", keep="first", maintain_order=True)
    deltas = (
        keyed.filter(t == "message_delta")
        .group_by("_stream")
        .agg(pl.col("usage").last().alias("_final"), pl.col("ln").alias("_lns"))
    )
    joined = starts.join(deltas, on="_stream", how="left")
    start = pl.col("message")
    merged = pl.struct(
        [
            pl.coalesce(
                pl.col("_final").struct.field(f.name),
                start.struct.field("usage").struct.field(f.name),
            ).alias(f.name)
            for f in USAGE.fields
        ]
    )
    msg = pl.struct(
        start.struct.field("id"),
        pl.lit("message").alias("type"),
        start.struct.field("model"),
        merged.alias("usage"),
    )
    used = pl.concat(
        [
            joined.select("ln"),
            joined.select(pl.col("_lns").alias("ln")).explode("ln").drop_nulls(),
        ]
    )
    return joined.with_columns(_msg=msg).select(_KEEP), used


def _reason() -> pl.Expr:
    t = pl.col("_msg").struct.field("type").fill_null("")
    return (
        pl.when(t == "message_delta")
        .then(pl.lit("message_delta before any message_start (stream cut at its start?)"))
        .when(t == "message_start")
        .then(pl.lit("message_start repeated for the same message id"))
        .otherwise(pl.format("no usage (type '{}')", t))
    )


def _columns(path: Path) -> list[pl.Expr]:
    m = pl.col("_msg")
    ts = utc(pl.col("timestamp"))
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("anthropic").alias("provider"),
        m.struct.field("model").alias("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("request_id"),
        m.struct.field("id").alias("response_id"),
        pl.col("session_id"),
        pl.lit(1, pl.Int64).alias("requests"),
        *anthropic_tokens(m.struct.field("usage")),
        (m.struct.field("usage").struct.field("service_tier") == "batch")
        .fill_null(False)
        .alias("batch"),
    ]


def _beside(good: pl.LazyFrame, path: Path) -> pl.LazyFrame:
    """Rows for the iterations billed beside the top-level counts (advisor, compaction)."""
    m = pl.col("_msg")
    its = good.select(
        "ln",
        "timestamp",
        "request_id",
        "session_id",
        _id=m.struct.field("id"),
        _model=m.struct.field("model"),
        _it=m.struct.field("usage").struct.field("iterations"),
    ).explode("_it")
    its = its.filter(pl.col("_it").struct.field("type").is_in(BILLED_BESIDE).fill_null(False))
    it = pl.col("_it").struct
    n = pl.int_range(pl.len()).over("ln").cast(pl.String)
    ts = utc(pl.col("timestamp"))
    split = it.field("cache_creation")
    write = it.field("cache_creation_input_tokens").fill_null(0)
    return its.select(
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("anthropic").alias("provider"),
        pl.coalesce(it.field("model"), pl.col("_model")).alias("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("request_id"),
        pl.concat_str(pl.col("_id"), pl.lit(":"), it.field("type"), pl.lit(":"), n).alias(
            "response_id"
        ),
        pl.col("session_id"),
        pl.lit(0, pl.Int64).alias("requests"),
        it.field("input_tokens").alias("input_uncached"),
        it.field("cache_read_input_tokens").fill_null(0).alias("cache_read"),
        pl.when(split.is_not_null())
        .then(split.struct.field("ephemeral_5m_input_tokens").fill_null(0))
        .otherwise(write)
        .alias("cache_write_5m"),
        pl.when(split.is_not_null())
        .then(split.struct.field("ephemeral_1h_input_tokens").fill_null(0))
        .otherwise(0)
        .alias("cache_write_1h"),
        it.field("output_tokens").alias("output"),
        pl.lit(0, pl.Int64).alias("reasoning"),
        pl.lit(0, pl.Int64).alias("web_search"),
        (split.is_null() & (write > 0)).alias("ttl_assumed"),
        pl.lit(False).alias("batch"),
    )
