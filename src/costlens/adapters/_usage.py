"""Per-request ``usage`` objects of the OpenAI and Anthropic APIs, turned into disjoint buckets.

OpenAI (Chat Completions and Responses): input *includes* cached and cache-write tokens, and
output includes reasoning. Anthropic (Messages): ``input_tokens`` *excludes* cache reads and
writes, which are reported beside it; output includes thinking. Both declared once here and
shared by the raw-response logs, the batch outputs and the gateways that pass them through.
"""

from __future__ import annotations

import polars as pl

_INT = pl.Int64
_IN_DETAILS = pl.Struct({"cached_tokens": _INT, "cache_write_tokens": _INT})
_OUT_DETAILS = pl.Struct({"reasoning_tokens": _INT})

OPENAI_USAGE = pl.Struct(
    {
        "prompt_tokens": _INT,
        "completion_tokens": _INT,
        "prompt_tokens_details": _IN_DETAILS,
        "completion_tokens_details": _OUT_DETAILS,
        "input_tokens": _INT,
        "output_tokens": _INT,
        "input_tokens_details": _IN_DETAILS,
        "output_tokens_details": _OUT_DETAILS,
        "total_tokens": _INT,
        "cost_in_usd_ticks": _INT,
    }
)
"""Chat Completions names (``prompt_tokens``...) and Responses names (``input_tokens``...)."""

ANTHROPIC_USAGE = pl.Struct(
    {
        "input_tokens": _INT,
        "output_tokens": _INT,
        "cache_creation_input_tokens": _INT,
        "cache_read_input_tokens": _INT,
        "cache_creation": pl.Struct(
            {"ephemeral_5m_input_tokens": _INT, "ephemeral_1h_input_tokens": _INT}
        ),
        "service_tier": pl.String,
        "inference_geo": pl.String,
        "speed": pl.String,
        "server_tool_use": pl.Struct({"web_search_requests": _INT}),
        "output_tokens_details": pl.Struct({"thinking_tokens": _INT}),
    }
)

ANTHROPIC_ITERATION = pl.Struct(
    {
        "type": pl.String,
        "model": pl.String,
        "input_tokens": _INT,
        "output_tokens": _INT,
        "cache_read_input_tokens": _INT,
        "cache_creation_input_tokens": _INT,
        "cache_creation": ANTHROPIC_USAGE.to_schema()["cache_creation"],
    }
)
"""One item of a Messages ``usage.iterations`` list (an ``advisor_message`` is a call to another
model inside the response); the Claude Code log and the raw Messages logs share it."""

ANTHROPIC_USAGE_ITERATED = pl.Struct(
    {**ANTHROPIC_USAGE.to_schema(), "iterations": pl.List(ANTHROPIC_ITERATION)}
)


OPENAI_OBJECT = pl.Struct(
    {
        "id": pl.String,
        "object": pl.String,
        "created": pl.Int64,
        "created_at": pl.Int64,
        "model": pl.String,
        "service_tier": pl.String,
        "usage": OPENAI_USAGE,
        "output": pl.List(pl.Struct({"type": pl.String, "action": pl.Struct({"type": pl.String})})),
    }
)
"""The usage-bearing fields of a Chat Completions or Responses object (batch bodies too), and
the type of each Responses ``output`` item (``web_search_call`` items are billed per call)."""


def _f(u: pl.Expr, *path: str) -> pl.Expr:
    for p in path:
        u = u.struct.field(p)
    return u


def output_with_reasoning(
    completion: pl.Expr, reasoning: pl.Expr, prompt: pl.Expr, total: pl.Expr
) -> pl.Expr:
    """``output`` from OpenAI-shaped counts, whichever side of completion reasoning sits on.

    OpenAI counts reasoning *inside* ``completion_tokens`` ("reasoning tokens ... are billed as
    output tokens", platform.openai.com/docs/guides/reasoning; total = prompt + completion).
    xAI counts it *beside* completion (docs.x.ai/docs/guides/reasoning: ``reasoning_tokens`` are
    billed as output on top of ``completion_tokens``; total = prompt + completion + reasoning),
    and so do Gemini models behind OpenAI-compatible gateways (LiteLLM, Portkey), which pass
    ``thoughtsTokenCount`` through next to ``candidatesTokenCount`` (ai.google.dev/gemini-api/
    docs/thinking). The row's own ``total_tokens`` tells the two apart; without it, reasoning
    larger than completion can only be beside it. Never rejected, never undercounted.
    """
    beside = (total == prompt + completion + reasoning) & (reasoning > 0)
    beside = beside.fill_null(False) | (reasoning > completion).fill_null(False)
    return pl.when(beside).then(completion + reasoning).otherwise(completion).alias("output")


def openai_tokens(u: pl.Expr) -> list[pl.Expr]:
    """Bucket columns from an ``OPENAI_USAGE`` struct (either naming)."""
    total_in = pl.coalesce(_f(u, "prompt_tokens"), _f(u, "input_tokens"))
    details = pl.coalesce(_f(u, "prompt_tokens_details"), _f(u, "input_tokens_details"))
    cached = details.struct.field("cached_tokens").fill_null(0)
    write = details.struct.field("cache_write_tokens").fill_null(0)
    out_details = pl.coalesce(_f(u, "completion_tokens_details"), _f(u, "output_tokens_details"))
    completion = pl.coalesce(_f(u, "completion_tokens"), _f(u, "output_tokens"))
    reasoning = out_details.struct.field("reasoning_tokens").fill_null(0)
    return [
        (total_in - cached - write).alias("input_uncached"),
        cached.alias("cache_read"),
        # OpenAI bills a cache write as input; the price tables give it the input rate.
        write.alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        output_with_reasoning(completion, reasoning, total_in, _f(u, "total_tokens")),
        reasoning.alias("reasoning"),
        pl.lit(0, pl.Int64).alias("web_search"),
        pl.lit(False).alias("ttl_assumed"),
        *xai_billed(u),
    ]


def web_search_calls(output: pl.Expr) -> pl.Expr:
    """Billed web searches of a Responses object: its ``web_search_call`` output items whose
    ``action.type`` is ``search`` (or that state no action: the tool's first versions wrote
    none). OpenAI's web search guide: "Search actions incur a tool call cost"; the
    ``open_page`` and ``find_in_page`` actions of the same tool do not."""
    item = pl.element().struct
    action = item.field("action").struct.field("type")
    billed = (item.field("type") == "web_search_call") & (action.is_null() | (action == "search"))
    return output.list.eval(billed.cast(pl.Int64)).list.sum().fill_null(0)


def xai_billed(u: pl.Expr) -> list[pl.Expr]:
    """xAI states each response's cost as ``usage.cost_in_usd_ticks``: 1 tick = 1e-10 USD (the
    figures in real responses equal the token counts at list price to the tick)."""
    ticks = _f(u, "cost_in_usd_ticks")
    billed = ticks.cast(pl.Decimal(38, 0)).cast(pl.Decimal(38, 12)) / pl.lit(10**10)
    return [
        billed.cast(pl.Decimal(38, 12)).alias("billed_cost"),
        pl.when(ticks.is_not_null()).then(pl.lit("USD")).alias("currency"),
    ]


def anthropic_tokens(u: pl.Expr) -> list[pl.Expr]:
    """Bucket and context columns from an ``ANTHROPIC_USAGE`` struct."""
    split = _f(u, "cache_creation")
    w5 = split.struct.field("ephemeral_5m_input_tokens").fill_null(0)
    w1 = split.struct.field("ephemeral_1h_input_tokens").fill_null(0)
    total_write = _f(u, "cache_creation_input_tokens").fill_null(0)
    has_split = split.is_not_null()
    return [
        _f(u, "input_tokens").alias("input_uncached"),
        _f(u, "cache_read_input_tokens").fill_null(0).alias("cache_read"),
        # The 5m / 1h breakdown, when the response has one, is what is billed per TTL (and what
        # ccusage counts, even where it disagrees with the flat total). Without it the TTL is
        # unknown: the flat total is priced as 5m and the row flagged.
        pl.when(has_split).then(w5).otherwise(total_write).alias("cache_write_5m"),
        pl.when(has_split).then(w1).otherwise(0).alias("cache_write_1h"),
        _f(u, "output_tokens").alias("output"),
        _f(u, "output_tokens_details", "thinking_tokens").fill_null(0).alias("reasoning"),
        _f(u, "server_tool_use", "web_search_requests").fill_null(0).alias("web_search"),
        (~has_split & (total_write > 0)).alias("ttl_assumed"),
        _f(u, "service_tier").alias("service_tier"),
        _f(u, "inference_geo").alias("inference_geo"),
        _f(u, "speed").alias("speed"),
    ]
