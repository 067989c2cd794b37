"""Raw OpenAI Chat Completions / Responses objects logged one per line (JSONL).

A line is either the object itself (``object`` is ``chat.completion`` or ``response``) or a
costlens wrapper around it: ``{"timestamp": ..., "request_id": ..., "session_id": ...,
"response": {...}}`` (a Responses ``response.completed`` stream event has the same shape). OpenAI
convention: input includes cached and cache-write tokens; reasoning is inside output. The time is
the object's own ``created`` / ``created_at`` (Unix seconds, UTC), else the wrapper's
``timestamp``. A response logged twice (same ``id``) is counted once.

Streams saved one event per line (plain JSON or ``data:`` lines, see ``_lines``) are read too:
a Chat Completions stream (``chat.completion.chunk``) states its usage once, in the last chunk,
when the request set ``stream_options.include_usage``; the other chunks are skipped. A Responses
stream states it in ``response.completed`` (the wrapper shape above); the other events are
skipped. A stream whose chunks all carry usage (some OpenAI-compatible servers send running
totals) is one request: the chunk with the most output (the last) is kept (``dedupe_on``).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from ..schema import UTC_TIME
from . import kit
from ._base import LOG_SUFFIXES, first_json_lines
from ._lines import decode
from ._usage import OPENAI_OBJECT, openai_tokens, web_search_calls
from .kit import Read, lineage, utc

NAME = "openai-response-log"
OBJECTS = ("chat.completion", "response", "chat.completion.chunk")
CHUNK = "chat.completion.chunk"

RESPONSE = OPENAI_OBJECT
LINE = pl.Struct(
    {
        "timestamp": pl.String,
        "request_id": pl.String,
        "session_id": pl.String,
        "response": RESPONSE,
        **{f.name: f.dtype for f in RESPONSE.fields},
    }
)
"""Usage fields only: message text and tool calls are never decoded."""


def wrapped_object(d: dict) -> dict:
    """The API object of a log line: the line itself, or its ``response`` when wrapped."""
    inner = d.get("response")
    return inner if isinstance(inner, dict) and "body" not in inner else d


CHUNK_REASON = (
    "stream chunk without usage (the stream's usage comes in its last chunk, sent when the"
    " request set stream_options.include_usage)"
)


class OpenAIResponseLog(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id",)

    def identify(self, path: Path) -> bool:
        return path.suffix in LOG_SUFFIXES and any(
            "custom_id" not in d and wrapped_object(d).get("object") in OBJECTS
            for d in first_json_lines(path, keys=("object",))
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        obj = pl.when(pl.col("response").is_not_null()).then(pl.col("response"))
        rows = rows.with_columns(
            _obj=obj.otherwise(pl.struct([pl.col(f.name) for f in RESPONSE.fields]))
        )
        o = pl.col("_obj")
        usable = o.struct.field("object").is_in(OBJECTS) & o.struct.field("usage").is_not_null()
        other = rows.filter(~usable.fill_null(False))
        kind = o.struct.field("object").fill_null("")
        unused = pl.format("no usage object (object '{}')", kind)
        reason = pl.when(kind == CHUNK).then(pl.lit(CHUNK_REASON)).otherwise(unused)
        return Read(
            rows=rows.filter(usable.fill_null(False)).select(_columns(path)),
            issues=pl.concat([issues, kit.skipped(NAME, path, other, reason)]),
        )


def _columns(path: Path) -> list[pl.Expr]:
    o = pl.col("_obj")
    epoch = [
        pl.from_epoch(o.struct.field(f), time_unit="s").dt.replace_time_zone("UTC").cast(UTC_TIME)
        for f in ("created", "created_at")
    ]
    ts = pl.coalesce(*epoch, utc(pl.col("timestamp")))
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("openai").alias("provider"),
        o.struct.field("model").alias("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("request_id"),
        o.struct.field("id").alias("response_id"),
        pl.col("session_id"),
        o.struct.field("service_tier").alias("service_tier"),
        pl.lit(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        *_stated(openai_tokens(o.struct.field("usage")), o.struct.field("output")),
    ]


STATED_COST = r'"cost"\s*:\s*"?(-?[0-9][0-9.eE+\-]*)'
"""OpenRouter's ``usage.cost`` (USD it billed for the request), from the line's own text: the
JSON decoder goes through float, money must not."""


def _stated(tokens: list[pl.Expr], output: pl.Expr) -> list[pl.Expr]:
    """The token columns, with the web searches the object's ``output`` records, and
    ``billed_cost`` from xAI's ticks or else OpenRouter's ``usage.cost`` (a chat.completion
    through OpenRouter states what it charged)."""
    named = {e.meta.output_name(): e for e in tokens}
    named["web_search"] = web_search_calls(output).alias("web_search")
    stated = kit.money(pl.col("line").str.extract(STATED_COST, 1))
    billed = pl.coalesce(named.pop("billed_cost"), stated)
    named.pop("currency")
    currency = pl.when(billed.is_not_null()).then(pl.lit("USD"))
    return [*named.values(), billed.alias("billed_cost"), currency.alias("currency")]
