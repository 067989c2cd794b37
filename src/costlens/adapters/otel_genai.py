"""OpenTelemetry GenAI spans exported as OTLP JSON (``resourceSpans`` / ``scopeSpans`` / ``spans``).

A ``.json`` file holds one ``ExportTraceServiceRequest``; a ``.jsonl`` file (the collector's
file exporter) holds one per line. Span attributes follow the GenAI semantic conventions
(``ATTRIBUTES``); OTLP writes ``intValue`` as a JSON string or number, both are read.

Convention: ``gen_ai.usage.input_tokens`` SHOULD include ``cache_read.input_tokens`` and
``cache_creation.input_tokens``, so the uncached part is their difference; a span whose input is
smaller than its cache parts breaks the convention and is rejected (never guessed). Reasoning is
inside output. Cache writes state no TTL (priced as 5m, ``ttl_assumed``). Only model-call spans
(``CALL_OPERATIONS``) are read: an agent span's usage sums its children's and would count twice.
Time: the span start (Unix nanoseconds, UTC). Message content attributes are never read.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import head
from ._lines import decode
from .kit import Read, lineage

NAME = "otel-genai-spans"

ATTRIBUTES = {
    "operation": "gen_ai.operation.name",
    "provider": "gen_ai.provider.name",
    "system": "gen_ai.system",
    "request_model": "gen_ai.request.model",
    "response_model": "gen_ai.response.model",
    "response_id": "gen_ai.response.id",
    "conversation": "gen_ai.conversation.id",
    "session": "session.id",
    "input": "gen_ai.usage.input_tokens",
    "prompt": "gen_ai.usage.prompt_tokens",
    "output": "gen_ai.usage.output_tokens",
    "completion": "gen_ai.usage.completion_tokens",
    "cache_read": "gen_ai.usage.cache_read.input_tokens",
    "cache_write": "gen_ai.usage.cache_creation.input_tokens",
    "reasoning": "gen_ai.usage.reasoning.output_tokens",
}
"""Canonical key -> span attribute. ``prompt`` / ``completion`` / ``system`` are the names
older instrumentations emit."""
CALL_OPERATIONS = ("chat", "text_completion", "generate_content")
PROVIDERS = {
    "aws.bedrock": "bedrock",
    "gcp.vertex_ai": "vertex",
    "gcp.gemini": "google",
    "gcp.gen_ai": "google",
    "azure.ai.openai": "azure",
    "az.ai.openai": "azure",
}
"""``gen_ai.provider.name`` -> costlens provider (the price tables' route); others kept as is."""

_VALUE = pl.Struct(
    {
        "stringValue": pl.String,
        "intValue": pl.String,
        "doubleValue": pl.String,
        "boolValue": pl.Boolean,
    }
)
_ATTRS = pl.List(pl.Struct({"key": pl.String, "value": _VALUE}))
_SPAN = pl.Struct(
    {
        "traceId": pl.String,
        "spanId": pl.String,
        "startTimeUnixNano": pl.String,
        "attributes": _ATTRS,
    }
)
LINE = pl.Struct(
    {
        "resourceSpans": pl.List(
            pl.Struct({"scopeSpans": pl.List(pl.Struct({"spans": pl.List(_SPAN)}))})
        )
    }
)


class OtelGenAISpans(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id",)

    def identify(self, path: Path) -> bool:
        text = head(path)
        return (
            path.suffix in (".json", ".jsonl") and '"resourceSpans"' in text and "gen_ai." in text
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        spans = (
            rows.select("ln", "resourceSpans")
            .explode("resourceSpans")
            .select("ln", s=pl.col("resourceSpans").struct.field("scopeSpans"))
            .explode("s")
            .select("ln", s=pl.col("s").struct.field("spans"))
            .explode("s")
            .filter(pl.col("s").is_not_null())
            .unnest("s")
            .with_row_index("_ord", offset=1)
            .with_columns(_attr(k, a) for k, a in ATTRIBUTES.items())
        )
        if path.suffix == ".json":  # one document: source_line is the span's ordinal
            spans = spans.with_columns(ln=pl.col("_ord"))
        call = pl.col("operation").is_in(CALL_OPERATIONS) | pl.col("operation").is_null()
        usage = pl.any_horizontal(
            pl.col(k).is_not_null() for k in ("input", "prompt", "output", "completion")
        )
        keep = (call & usage).fill_null(False)
        why = (
            pl.when(usage)
            .then(pl.format("usage on a '{}' span (sums its children)", "operation"))
            .otherwise(pl.lit("span without gen_ai usage"))
        )
        other = kit.counted(
            NAME, path, spans.filter(~keep).with_columns(_why=why), "skipped", "_why"
        )
        rows = spans.filter(keep).with_columns(_columns_pre())
        broken = rows.filter(pl.col("input_uncached") < 0)
        bad = broken.select(
            *lineage(NAME, path, pl.col("ln")),
            kind=pl.lit("rejected"),
            reason=pl.lit(
                "gen_ai.usage.input_tokens is smaller than its cache parts (the SHOULD of the"
                " convention is not followed)"
            ),
            count=pl.lit(1, pl.Int64),
        )
        return Read(
            rows=rows.filter(pl.col("input_uncached") >= 0).select(_columns(path)),
            issues=pl.concat([issues, other, bad]),
        )


def _attr(key: str, attribute: str) -> pl.Expr:
    """One attribute's value (as text) out of the span's key/value list."""
    v = pl.element().struct.field("value")
    text = pl.coalesce(
        v.struct.field("stringValue"),
        v.struct.field("intValue"),
        v.struct.field("doubleValue"),
        v.struct.field("boolValue").cast(pl.String),
    )
    found = pl.col("attributes").list.eval(
        pl.when(pl.element().struct.field("key") == attribute).then(text)
    )
    return found.list.drop_nulls().list.first().alias(key)


def _int(key: str) -> pl.Expr:
    return pl.col(key).cast(pl.Int64, strict=False)


def _columns_pre() -> list[pl.Expr]:
    inp = pl.coalesce(_int("input"), _int("prompt")).fill_null(0)
    read, write = _int("cache_read").fill_null(0), _int("cache_write").fill_null(0)
    return [
        (inp - read - write).alias("input_uncached"),
        read.alias("_read"),
        write.alias("_write"),
    ]


def _columns(path: Path) -> list[pl.Expr]:
    ns = pl.col("startTimeUnixNano").cast(pl.Int64, strict=False)
    ts = pl.from_epoch(ns, time_unit="ns").dt.cast_time_unit("us").dt.replace_time_zone("UTC")
    provider = pl.coalesce("provider", "system")
    return [
        *lineage(NAME, path, pl.col("ln")),
        provider.replace(PROVIDERS).alias("provider"),
        pl.coalesce("response_model", "request_model").alias("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("response_id"),
        pl.coalesce("conversation", "session").alias("session_id"),
        pl.lit(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        pl.col("input_uncached"),
        pl.col("_read").alias("cache_read"),
        pl.col("_write").alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        pl.coalesce(_int("output"), _int("completion")).fill_null(0).alias("output"),
        _int("reasoning").alias("reasoning"),
        pl.lit(0, pl.Int64).alias("web_search"),
        (pl.col("_write") > 0).alias("ttl_assumed"),
    ]
