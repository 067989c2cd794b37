"""Anthropic Message Batches results (JSONL, from the batch's ``results_url``).

Each line is ``{custom_id, result: {type, message}}``; ``type`` is ``succeeded``, ``errored``,
``canceled`` or ``expired``, and only a succeeded result holds a Message (usage in Anthropic
convention: ``input_tokens`` excludes cache reads and writes). ``custom_id`` is kept as the task
join key; rows are ``batch = true``. Other results carry no usage and are skipped with their type.

The results file states no time at all (neither the line nor the Message has one). The rows take
the file's modification time: results can only be downloaded within 29 days of the batch's
creation, so that is the download time, close to when the batch ran. Use ``--price-date`` when
the exact day matters.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from ..schema import UTC_TIME
from . import kit
from ._base import first_json_lines
from ._lines import decode
from ._usage import ANTHROPIC_USAGE, anthropic_tokens
from .kit import Read, lineage

NAME = "anthropic-batch-results"

LINE = pl.Struct(
    {
        "custom_id": pl.String,
        "result": pl.Struct(
            {
                "type": pl.String,
                "message": pl.Struct(
                    {"id": pl.String, "model": pl.String, "usage": ANTHROPIC_USAGE}
                ),
            }
        ),
    }
)


class AnthropicBatchResults(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id",)

    def identify(self, path: Path) -> bool:
        return path.suffix == ".jsonl" and any(
            "custom_id" in d and isinstance(d.get("result"), dict) and "type" in d["result"]
            for d in first_json_lines(path, keys=("custom_id",))
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        result = pl.col("result")
        message = result.struct.field("message")
        ok = (result.struct.field("type") == "succeeded") & message.struct.field(
            "usage"
        ).is_not_null()
        other = rows.filter(~ok.fill_null(False))
        kind = result.struct.field("type").fill_null("unknown")
        reason = pl.format("batch result '{}': no usage, not billed", kind)
        good = rows.filter(ok.fill_null(False)).select(
            *lineage(NAME, path, pl.col("ln")),
            pl.lit("anthropic").alias("provider"),
            message.struct.field("model").alias("model"),
            # A result carries no time: the file's modification time dates it (at ingest,
            # ``time_source = file_mtime``), which is when the results were downloaded.
            pl.lit(None, UTC_TIME).alias("period_start"),
            pl.lit(None, UTC_TIME).alias("period_end"),
            pl.lit(False).alias("aggregated"),
            message.struct.field("id").alias("response_id"),
            pl.col("custom_id"),
            pl.lit(True).alias("batch"),
            pl.lit(1, pl.Int64).alias("requests"),
            *anthropic_tokens(message.struct.field("usage")),
        )
        return Read(rows=good, issues=pl.concat([issues, kit.skipped(NAME, path, other, reason)]))
