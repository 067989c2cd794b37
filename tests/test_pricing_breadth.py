"""The wider book: one hand-computed price per new provider, and every alias form real logs use.

Each expected cost is tokens x rate / 1M with the rate copied from the vendor figure the table
cites (its ``source`` / ``note``), written out here so that a wrong table fails.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one

from costlens.adapters._names import bedrock_model, cur_usage_type, gcp_sku

M = 1_000_000


def at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 12, tzinfo=dt.UTC)


VECTORS = [
    # (provider, model, tokens, when, expected): rates from the vendor pages in the tables.
    ("xai", "grok-code-fast-1", dict(input_uncached=100_000, cache_read=50_000, output=10_000),
     at(2025, 10, 1), D(100_000) * D("0.20") / M + D(50_000) * D("0.02") / M
     + D(10_000) * D("1.50") / M),
    # grok-4 at 130K prompt: the >= 128K rates ($6 in, $30 out) apply to the whole request.
    ("xai", "grok-4-0709", dict(input_uncached=130_000, output=1_000), at(2025, 10, 1),
     D(130_000) * 6 / M + D(1_000) * 30 / M),
    ("mistral", "devstral-medium-2507", dict(input_uncached=M, output=M), at(2025, 10, 1),
     D("0.40") + D("2.00")),
    ("moonshot", "kimi-k2-0905-preview",
     dict(input_uncached=200_000, cache_read=800_000, output=100_000), at(2025, 10, 1),
     D(200_000) * D("0.60") / M + D(800_000) * D("0.15") / M + D(100_000) * D("2.50") / M),
    ("zhipu", "glm-4.6", dict(input_uncached=M, cache_read=500_000, output=200_000),
     at(2025, 11, 1), D("0.60") + D(500_000) * D("0.11") / M + D(200_000) * D("2.20") / M),
    # 40K input passes the 32K step: $1.80 in / $9 out for the whole request.
    ("qwen", "qwen3-coder-plus", dict(input_uncached=40_000, output=2_000), at(2025, 10, 1),
     D(40_000) * D("1.80") / M + D(2_000) * 9 / M),
    ("minimax", "MiniMax-M2",
     dict(input_uncached=100_000, cache_write_5m=20_000, cache_read=50_000, output=10_000),
     at(2025, 12, 1), D(100_000) * D("0.30") / M + D(20_000) * D("0.375") / M
     + D(50_000) * D("0.03") / M + D(10_000) * D("1.20") / M),
    ("openrouter", "deepseek/deepseek-v3.2", dict(input_uncached=M, cache_read=M, output=M),
     at(2025, 12, 10), D("0.28") + D("0.028") + D("0.42")),
    ("bedrock", "us.amazon.nova-pro-v1:0", dict(input_uncached=M, cache_read=M, output=M),
     at(2025, 12, 1), D("0.80") + D("0.20") + D("3.20")),
    ("bedrock", "meta.llama3-3-70b-instruct-v1:0", dict(input_uncached=M, output=M),
     at(2025, 12, 1), D("0.72") + D("0.72")),
    ("openai", "ft:gpt-4.1-mini-2025-04-14:acme::B1x2y3z4",
     dict(input_uncached=M, cache_read=M, output=M), at(2025, 12, 4),
     D("0.80") + D("0.20") + D("3.20")),
    ("openrouter", "openrouter/qwen/qwen3-coder", dict(input_uncached=M, output=M),
     at(2025, 12, 1), D("0.22") + D("1.80")),
    ("vertex", "vertex_ai/meta/llama-4-maverick-17b-128e-instruct-maas",
     dict(input_uncached=M, output=M), at(2025, 12, 1), D("0.35") + D("1.15")),
]  # fmt: skip


@pytest.mark.parametrize(("provider", "model", "tokens", "when", "expected"), VECTORS)
def test_new_provider_price_by_hand(book, provider, model, tokens, when, expected):
    row = price_one(book, provider=provider, model=model, period_start=when, **tokens)
    assert row["price_status"] == "priced", row["unpriced_reason"]
    assert row["cost"] == expected


def test_mistral_batch_is_half(book):
    row = price_one(book, provider="mistral", model="devstral-medium-2507", input_uncached=M,
                    output=M, batch=True, period_start=at(2025, 10, 1))  # fmt: skip
    assert row["cost"] == (D("0.40") + D("2.00")) / 2


def test_minimax_m2_free_launch_window_is_zero_not_unpriced(book):
    row = price_one(book, provider="minimax", model="MiniMax-M2", input_uncached=M, output=M,
                    period_start=at(2025, 11, 1))  # fmt: skip
    assert (row["price_status"], row["cost"]) == ("priced", D(0))


ALIASES = [
    # (form, provider, name, when, priced id)
    ("provider-prefixed", "litellm", "xai/grok-4", at(2025, 10, 1), "grok-4-0709"),
    ("provider-prefixed", "litellm", "dashscope/qwen3-coder-plus", at(2025, 10, 1),
     "qwen3-coder-plus"),
    ("provider-prefixed", "litellm", "azure_ai/llama-3.3-70b-instruct", at(2025, 10, 1),
     "azure/llama-3.3-70b-instruct"),
    ("dated snapshot", "anthropic", "claude-sonnet-4-5-20250929", at(2025, 10, 1),
     "claude-sonnet-4-5"),
    ("dated snapshot", "qwen", "qwen3-coder-plus-2025-09-23", at(2025, 10, 1),
     "qwen3-coder-plus"),
    ("-latest", "mistral", "codestral-latest", at(2025, 3, 1), "codestral-2501"),
    ("-latest", "mistral", "codestral-latest", at(2025, 9, 1), "codestral-2508"),
    ("-latest", "mistral", "mistral-medium-latest", at(2025, 9, 1), "mistral-medium-2508"),
    ("-latest", "xai", "grok-4-fast-reasoning-latest", at(2025, 10, 1), "grok-4-fast-reasoning"),
    ("moving alias", "deepseek", "deepseek-chat", at(2025, 12, 10), "deepseek-v3.2"),
    ("OpenRouter slug", "openrouter", "x-ai/grok-code-fast-1", at(2025, 10, 1),
     "grok-code-fast-1"),
    ("OpenRouter slug", "openrouter", "openrouter/moonshotai/kimi-k2", at(2025, 10, 1),
     "kimi-k2-0711-preview"),
    ("OpenRouter slug", "openrouter", "z-ai/glm-4.6", at(2025, 10, 1), "glm-4.6"),
    ("OpenRouter slug", "openrouter", "minimax/minimax-m2", at(2025, 12, 1), "minimax-m2"),
    ("OpenRouter slug", "openrouter", "mistralai/devstral-medium", at(2025, 10, 1),
     "devstral-medium-2507"),
    ("OpenRouter slug", "openrouter", "qwen/qwen3-coder-plus", at(2025, 10, 1),
     "qwen3-coder-plus"),
    ("OpenRouter slug", "openrouter", "deepseek/deepseek-v3.2", at(2025, 12, 10),
     "deepseek-v3.2"),
    ("OpenRouter slug", "openrouter", "meta-llama/llama-4-maverick", at(2025, 10, 1),
     "meta-llama/llama-4-maverick"),
    ("OpenRouter slug", "openrouter", "amazon/nova-pro-v1", at(2025, 10, 1), "bedrock/nova-pro"),
    ("Bedrock model id", "bedrock", "us.amazon.nova-pro-v1:0", at(2025, 10, 1),
     "bedrock/nova-pro"),
    ("Bedrock model id", "bedrock", "qwen.qwen3-coder-480b-a35b-v1:0", at(2025, 10, 1),
     "bedrock/qwen3-coder-480b-a35b"),
    ("Bedrock model id", "bedrock", "us.meta.llama4-maverick-17b-instruct-v1:0",
     at(2025, 10, 1), "bedrock/llama4-maverick-17b-instruct"),
    ("fine-tuned", "openai", "ft:gpt-4o-mini-2024-07-18:acme:support:Ab12Cd34", at(2025, 10, 1),
     "ft:gpt-4o-mini-2024-07-18"),
    ("fine-tuned checkpoint", "openai",
     "ft:gpt-4.1-mini-2025-04-14:acme::B1x2y3z4:ckpt-step-100", at(2025, 10, 1),
     "ft:gpt-4.1-mini-2025-04-14"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "provider", "name", "when", "priced"), ALIASES)
def test_alias_forms_resolve(book, form, provider, name, when, priced):
    row = price_one(book, provider=provider, model=name, output=1_000, period_start=when)
    assert row["price_model"] == priced, f"{form}: {row['unpriced_reason']}"


@pytest.mark.parametrize(
    ("label", "parse", "priced"),
    [
        # Bedrock invocation-log modelId and CUR usage types, parsed as the adapters do.
        ("us.amazon.nova-micro-v1:0", bedrock_model, "bedrock/nova-micro"),
        ("USE1-NovaPro-input-tokens", lambda s: cur_usage_type(s, None).model, "bedrock/nova-pro"),
        ("USE1-Nova2.0Lite-output-tokens", lambda s: cur_usage_type(s, None).model,
         "bedrock/nova-2-lite"),
        ("us.deepseek.r1-v1:0", bedrock_model, "bedrock/deepseek-r1"),
        # A Vertex / Gemini billing SKU description.
        ("Gemini 2.5 Flash GA Input Text Caching", lambda s: gcp_sku(s).model,
         "gemini-2.5-flash"),
    ],
)  # fmt: skip
def test_billing_labels_resolve(book, label, parse, priced):
    name = parse(label)
    provider = "google" if label.startswith("Gemini") else "bedrock"
    row = price_one(book, provider=provider, model=label, model_canonical=name, output=1_000,
                    period_start=at(2025, 12, 15))  # fmt: skip
    assert row["price_model"] == priced, row["unpriced_reason"]
