"""OpenAI Batch API output files (JSONL): one line per request of a finished batch.

Each line is ``{id: "batch_req_...", custom_id, response: {status_code, request_id, body},
error}``; ``body`` is the full Chat Completions / Responses / Embeddings object, usage included.
``custom_id`` (chosen by the caller, unique within the batch) is kept as ``custom_id``: the task
join key. Rows are ``batch = true`` (priced with the batch discount). A request that failed
(``response`` null, or a non-200 status) carries no usage and is not billed: it is skipped with
its status. The time is the body's ``created`` / ``created_at`` (Unix seconds, UTC).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from ..schema import UTC_TIME
from . import kit
from ._base import first_json_lines
from ._lines import decode
from ._usage import OPENAI_OBJECT, openai_tokens
from .kit import Read, lineage

NAME = "openai-batch-output"

BODY = OPENAI_OBJECT
LINE = pl.Struct(
    {
        "id": pl.String,
        "custom_id": pl.String,
        "response": pl.Struct({"status_code": pl.Int64, "request_id": pl.String, "body": BODY}),
        "error": pl.Struct({"code": pl.String}),
    }
)


class OpenAIBatchOutput(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("request_id",)

    def identify(self, path: Path) -> bool:
        return path.suffix == ".jsonl" and any(
            "custom_id" in d and "response" in d and str(d.get("id", "")).startswith("batch_req")
            for d in first_json_lines(path, keys=("custom_id",))
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        resp = pl.col("response")
        body = resp.struct.field("body")
        ok = (resp.struct.field("status_code") == 200) & body.struct.field("usage").is_not_null()
        failed = rows.filter(~ok.fill_null(False))
        status = pl.coalesce(
            resp.struct.field("status_code").cast(pl.String),
            pl.col("error").struct.field("code"),
            pl.lit("no response"),
        )
        reason = pl.format("batch request failed ({}): no usage, not billed", status)
        return Read(
            rows=rows.filter(ok.fill_null(False)).select(_columns(path)),
            issues=pl.concat([issues, kit.skipped(NAME, path, failed, reason)]),
        )


def _columns(path: Path) -> list[pl.Expr]:
    body = pl.col("response").struct.field("body")
    epoch = [
        pl.from_epoch(body.struct.field(f), time_unit="s").dt.replace_time_zone("UTC")
        for f in ("created", "created_at")
    ]
    ts = pl.coalesce(*epoch).cast(UTC_TIME)
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("openai").alias("provider"),
        body.struct.field("model").alias("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("response").struct.field("request_id").alias("request_id"),
        body.struct.field("id").alias("response_id"),
        pl.col("custom_id"),
        body.struct.field("service_tier").alias("service_tier"),
        pl.lit(True).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        *openai_tokens(body.struct.field("usage")),
    ]
