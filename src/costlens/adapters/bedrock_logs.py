"""Amazon Bedrock model invocation logs (CloudWatch Logs export or S3 ``.json.gz`` delivery).

One JSON record per line with ``schemaType: "ModelInvocationLog"``. Bedrock's convention (as
Converse ``usage``): ``input.inputTokenCount`` excludes cache reads and writes, which are
reported apart (under ``input``; some records carry them at top level, both are read). The log
does not say the cache-write TTL: writes are priced as 5-minute writes and flagged
``ttl_assumed``. Request and response bodies are never decoded.

``requestMetadata`` (key/values the caller passed to Converse) is kept whole in ``tags``; a
session key in it (``SESSION_KEYS``) becomes ``session_id``, so usage joins run-log attempts by
session as well as by ``requestId``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import first_json_lines
from ._lines import decode
from ._names import bedrock_model, per_label
from .kit import Read, lineage, utc

NAME = "bedrock-invocation-log"

SESSION_KEYS = ("session_id", "sessionId", "session")
"""``requestMetadata`` keys read as the agent session id, first present wins."""

_INT = pl.Int64
CACHE = {"cacheReadInputTokenCount": _INT, "cacheWriteInputTokenCount": _INT}
LINE = pl.Struct(
    {
        "schemaType": pl.String,
        "timestamp": pl.String,
        "accountId": pl.String,
        "region": pl.String,
        "requestId": pl.String,
        "operation": pl.String,
        "modelId": pl.String,
        "identity": pl.Struct({"arn": pl.String}),
        "input": pl.Struct({"inputTokenCount": _INT, **CACHE}),
        "output": pl.Struct({"outputTokenCount": _INT}),
        **CACHE,
    }
)
"""Usage fields only: ``inputBodyJson`` / ``outputBodyJson`` (prompts, answers) are not read."""


class BedrockInvocationLog(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("request_id",)

    def identify(self, path: Path) -> bool:
        return path.suffix in (".jsonl", ".json") and any(
            d.get("schemaType") == "ModelInvocationLog"
            for d in first_json_lines(path, keys=("schemaType",))
        )

    def read(self, path: Path) -> Read:
        # S3 delivers JSON lines in files named .json: always read line by line.
        lines = pl.scan_lines(path).with_row_index("ln", offset=1)
        rows, issues = decode(NAME, path, LINE, lines)
        rows = rows.with_columns(
            _meta=pl.col("line").str.json_path_match("$.requestMetadata"),
            _session=pl.coalesce(
                *[
                    pl.col("line").str.json_path_match(f"$.requestMetadata.{k}")
                    for k in SESSION_KEYS
                ]
            ),
        )
        usable = pl.col("schemaType") == "ModelInvocationLog"
        other = rows.filter(~usable.fill_null(False))
        return Read(
            rows=rows.filter(usable.fill_null(False)).select(_columns(path)),
            issues=pl.concat(
                [issues, kit.skipped(NAME, path, other, pl.lit("not a ModelInvocationLog"))]
            ),
        )


def _columns(path: Path) -> list[pl.Expr]:
    inp = pl.col("input")
    read = pl.coalesce(inp.struct.field("cacheReadInputTokenCount"), "cacheReadInputTokenCount")
    write = pl.coalesce(inp.struct.field("cacheWriteInputTokenCount"), "cacheWriteInputTokenCount")
    write = write.fill_null(0)
    ts = utc(pl.col("timestamp"))
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("bedrock").alias("provider"),
        pl.col("modelId").alias("model"),
        per_label(pl.col("modelId"), bedrock_model, pl.String()).alias("model_canonical"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("requestId").alias("request_id"),
        pl.col("_session").alias("session_id"),
        pl.col("accountId").alias("project"),
        pl.col("identity").struct.field("arn").alias("user"),
        pl.lit(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        inp.struct.field("inputTokenCount").fill_null(0).alias("input_uncached"),
        read.fill_null(0).alias("cache_read"),
        write.alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        pl.col("output").struct.field("outputTokenCount").fill_null(0).alias("output"),
        pl.lit(0, pl.Int64).alias("web_search"),
        (write > 0).alias("ttl_assumed"),
        pl.col("_meta").alias("tags"),
    ]
