"""Raw Anthropic Messages API responses logged one per line (JSONL).

A line is the Message object itself (``type: "message"``, with ``id``, ``model`` and ``usage``)
or a costlens wrapper around it: ``{"timestamp": ..., "request_id": ..., "session_id": ...,
"response": {...}}``. A Message carries no time, so a bare Message line is dated by the file's
modification time at ingest (``time_source``); the wrapper's ``timestamp`` (ISO 8601 with ``Z`` or
an offset) keeps the real one. Anthropic convention: ``input_tokens`` excludes cache reads and
writes; output includes thinking. A response logged twice (same ``id``) is counted once.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import first_json_lines
from ._lines import decode
from ._usage import ANTHROPIC_USAGE, anthropic_tokens
from .kit import Read, lineage, utc

NAME = "anthropic-message-log"

MESSAGE = pl.Struct(
    {"id": pl.String, "type": pl.String, "model": pl.String, "usage": ANTHROPIC_USAGE}
)
LINE = pl.Struct(
    {
        "timestamp": pl.String,
        "request_id": pl.String,
        "session_id": pl.String,
        "response": MESSAGE,
        **{f.name: f.dtype for f in MESSAGE.fields},
    }
)
"""Usage fields only: content blocks are never decoded."""


def _message(d: dict) -> dict:
    inner = d.get("response")
    return inner if isinstance(inner, dict) else d


class AnthropicMessageLog(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id",)

    def identify(self, path: Path) -> bool:
        return path.suffix in (".jsonl", ".json") and any(
            "sessionId" not in d
            and _message(d).get("type") == "message"
            and isinstance(_message(d).get("usage"), dict)
            for d in first_json_lines(path)
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        bare = pl.struct([pl.col(f.name) for f in MESSAGE.fields])
        rows = rows.with_columns(
            _msg=pl.when(pl.col("response").is_not_null()).then(pl.col("response")).otherwise(bare)
        )
        m = pl.col("_msg")
        usable = (m.struct.field("type") == "message") & m.struct.field("usage").is_not_null()
        other = rows.filter(~usable.fill_null(False))
        reason = pl.format("no usage (type '{}')", m.struct.field("type").fill_null(""))
        ts = utc(pl.col("timestamp"))
        good = (
            rows.filter(usable.fill_null(False))
            .select(
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
            )
            .with_columns(batch=(pl.col("service_tier") == "batch").fill_null(False))
        )
        return Read(rows=good, issues=pl.concat([issues, kit.skipped(NAME, path, other, reason)]))
