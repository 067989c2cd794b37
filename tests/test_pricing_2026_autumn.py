"""2026 Claude Fable / Mythos / 5.5 and GPT-6 models: prices by hand, and their first days.

Each expected cost is tokens x the rate per 1M written out here from the source the table
cites (``source`` / ``note``), never read back from the table, so a wrong table fails.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one

M = 1_000_000
TOKENS_M = dict(input_uncached=M, cache_read=M, output=M)  # no step below 1M here


def at(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


# 100K input, 200K cache read, 10K 5m write, 5K 1h write, 20K output.
MIX = dict(input_uncached=100_000, cache_read=200_000, cache_write_5m=10_000,
           cache_write_1h=5_000, output=20_000)  # fmt: skip

VECTORS = [
    # Sonnet 5.5 at launch (model page): $2 in, $0.20 read, $2.50 5m, $4 1h, $10 out.
    ("claude-sonnet-5-5", MIX, at(2026, 9, 30),
     (D(100_000) * 2 + D(200_000) * D("0.20") + D(10_000) * D("2.50") + D(5_000) * 4
      + D(20_000) * 10) / M),
    # From 2026-10-07 the cache read is $0.10 (claudit v1.9.2, PromptFuel v1.0.23).
    ("claude-sonnet-5-5", MIX, at(2026, 10, 7, 0),
     (D(100_000) * 2 + D(200_000) * D("0.10") + D(10_000) * D("2.50") + D(5_000) * 4
      + D(20_000) * 10) / M),
    # Claude Code's 1M-context spelling and a dated suffix resolve to the same model.
    ("claude-sonnet-5-5[1m]", dict(cache_read=M), at(2026, 11, 1), D("0.10")),
    # "[1m]" is part of the name, not a glob character class (it matched nothing before).
    ("claude-haiku-5-5[1m]", dict(output=10_000), at(2026, 11, 1), D(10_000) * D("0.50") / M),
    # Opus 5.5 (model page): $4 in, $0.20 read, $5 5m, $8 1h, $20 out, flat over 1M.
    ("claude-opus-5-5", MIX, at(2026, 9, 22, 0),
     (D(100_000) * 4 + D(200_000) * D("0.20") + D(10_000) * 5 + D(5_000) * 8
      + D(20_000) * 20) / M),
    ("anthropic/claude-opus-5-5-20260922", dict(input_uncached=900_000, output=1_000),
     at(2026, 11, 1), (D(900_000) * 4 + D(1_000) * 20) / M),
    # Fable 5 / Mythos 5 (same card): $10 / $1 read / $12.50 5m / $20 1h / $50.
    ("claude-fable-5", MIX, at(2026, 6, 9, 0),
     (D(100_000) * 10 + D(200_000) * 1 + D(10_000) * D("12.50") + D(5_000) * 20
      + D(20_000) * 50) / M),
    ("claude-mythos-5", dict(cache_read=M), at(2026, 7, 1), D(1)),
    # Fable 5.1 / Mythos 5.1 from 2026-09-01: cache read $0.25, the rest as Fable 5.
    ("claude-fable-5-1", dict(cache_read=M, output=M), at(2026, 9, 1, 0), D("0.25") + D(50)),
    ("claude-mythos-5.1", dict(cache_read=M, output=M), at(2026, 10, 1), D("0.25") + D(50)),
    # Fable 5.2 from 2026-11-09: $8 / $0.20 read / $10 5m / $16 1h / $40.
    ("claude-fable-5-2", MIX, at(2026, 11, 9, 0),
     (D(100_000) * 8 + D(200_000) * D("0.20") + D(10_000) * 10 + D(5_000) * 16
      + D(20_000) * 40) / M),
]  # fmt: skip


@pytest.mark.parametrize(("model", "tokens", "when", "expected"), VECTORS)
def test_claude_5_5_price_by_hand(book, model, tokens, when, expected):
    row = price_one(book, provider="anthropic", model=model, period_start=when, **tokens)
    assert row["price_status"] == "priced", row["unpriced_reason"]
    assert row["cost"] == expected


def test_claude_5_5_batch_is_half(book):
    row = price_one(book, provider="anthropic", model="claude-opus-5-5", input_uncached=M,
                    output=M, batch=True, period_start=at(2026, 10, 1))  # fmt: skip
    assert row["cost"] == (D(4) + D(20)) / 2


GPT6 = [
    # GPT-6 Sol: $2 in, $0.20 cached, $2.50 cache write, $10 out (codexometer v0.18.4).
    ("gpt-6-sol", dict(input_uncached=100_000, cache_read=100_000, cache_write_5m=10_000,
     output=10_000), at(2026, 9, 22, 0),
     (D(100_000) * 2 + D(100_000) * D("0.20") + D(10_000) * D("2.50") + D(10_000) * 10) / M),
    # Above 272K input (cache reads count): $4 / $0.40 / $15 on every token of the request.
    ("openai/gpt-6-sol-2026-09-22", dict(input_uncached=200_000, cache_read=72_001,
     output=1_000), at(2026, 10, 1),
     (D(200_000) * 4 + D(72_001) * D("0.40") + D(1_000) * 15) / M),
    # GPT-6 Luna: $0.10 / $0.01 / $0.50; above 272K $0.20 / $0.02 / $0.75.
    ("gpt-6-luna", dict(input_uncached=100_000, output=M), at(2026, 10, 1), D("0.01") + D("0.50")),
    ("gpt-6-luna", dict(input_uncached=300_000, cache_read=10_000, output=10_000),
     at(2026, 10, 1),
     (D(300_000) * D("0.20") + D(10_000) * D("0.02") + D(10_000) * D("0.75")) / M),
    # GPT-6 Astra from 2026-09-03: $10 / $1 / $12.50 write / $50; above 272K $20 / $2 / $75.
    ("gpt-6-astra", dict(input_uncached=100_000, cache_read=100_000, cache_write_5m=10_000,
     output=10_000), at(2026, 9, 3, 0),
     (D(100_000) * 10 + D(100_000) * 1 + D(10_000) * D("12.50") + D(10_000) * 50) / M),
    ("gpt-6-astra", dict(input_uncached=272_001, output=1_000), at(2026, 10, 1),
     (D(272_001) * 20 + D(1_000) * 75) / M),
    # GPT-6.1 Sol from 2026-09-29: cached $0.10 (6 Sol's $0.20); above 272K $4 / $0.20 / $15.
    ("gpt-6.1-sol-2026-09-29", dict(input_uncached=100_000, cache_read=100_000,
     output=10_000), at(2026, 9, 29, 0),
     (D(100_000) * 2 + D(100_000) * D("0.10") + D(10_000) * 10) / M),
    ("gpt-6.1-sol", dict(input_uncached=100_000, cache_read=200_000, output=10_000),
     at(2026, 10, 1), (D(100_000) * 4 + D(200_000) * D("0.20") + D(10_000) * 15) / M),
]  # fmt: skip


@pytest.mark.parametrize(("model", "tokens", "when", "expected"), GPT6)
def test_gpt_6_price_by_hand(book, model, tokens, when, expected):
    row = price_one(book, provider="openai", model=model, period_start=when, **tokens)
    assert row["price_status"] == "priced", row["unpriced_reason"]
    assert row["cost"] == expected


@pytest.mark.parametrize(
    ("provider", "model", "when"),
    [
        ("anthropic", "claude-sonnet-5-5", at(2026, 9, 27)),  # stealth testing, before release
        ("anthropic", "claude-opus-5-5", at(2026, 9, 21)),
        ("openai", "gpt-6-sol", at(2026, 9, 21)),
        ("openai", "gpt-6-luna", at(2026, 9, 21)),
        ("anthropic", "claude-fable-5", at(2026, 6, 8)),
        ("anthropic", "claude-fable-5-1", at(2026, 8, 31)),
        ("anthropic", "claude-fable-5-2", at(2026, 11, 8)),
        ("openai", "gpt-6-astra", at(2026, 9, 2)),
        ("openai", "gpt-6.1-sol", at(2026, 9, 28)),
    ],
)
def test_before_release_is_unpriced(book, provider, model, when):
    row = price_one(book, provider=provider, model=model, output=1_000, period_start=when)
    assert row["price_status"] == "unpriced"


OTHERS = [
    # Grok 4.7 (2026-09-21): $2 / $0.50 / $6; a prompt reaching 200K pays $4 / $1 / $12.
    ("xai", "grok-4.7", dict(input_uncached=100_000, cache_read=50_000, output=10_000),
     at(2026, 10, 1), (D(100_000) * 2 + D(50_000) * D("0.50") + D(10_000) * 6) / M),
    ("xai", "x-ai/grok-4.7", dict(input_uncached=150_000, cache_read=50_000, output=10_000),
     at(2026, 10, 1), (D(150_000) * 4 + D(50_000) * 1 + D(10_000) * 12) / M),
    ("xai", "grok-4.5", dict(input_uncached=M // 10, output=M // 10), at(2026, 7, 9, 0),
     (D(2) + D(6)) / 10),
    ("xai", "grok-4-6", dict(input_uncached=M // 10, output=M // 10), at(2026, 8, 7, 0),
     (D(2) + D(6)) / 10),
    # Grok 4.3 (API from 2026-04-30): $1.25 / $0.20 / $2.50.
    ("xai", "grok-4.3", dict(input_uncached=100_000, cache_read=50_000, output=10_000),
     at(2026, 5, 1), (D(100_000) * D("1.25") + D(50_000) * D("0.20") + D(10_000) * D("2.50")) / M),
    # Kimi K3 (2026-07-16): $3 / $0.30 / $15; K2.7 Code (2026-06-12): $0.95 / $0.19 / $4.
    ("moonshot", "moonshotai/kimi-k3", TOKENS_M, at(2026, 7, 16, 0), D(3) + D("0.30") + D(15)),
    ("moonshot", "kimi-k2.7-code", TOKENS_M, at(2026, 6, 12, 0), D("0.95") + D("0.19") + D(4)),
    # MiniMax M2.7 (2026-03-18): $0.30 / $0.06 read / $0.375 write / $1.20.
    ("minimax", "MiniMax-M2.7", dict(input_uncached=M, cache_read=M, cache_write_5m=M,
     output=M), at(2026, 3, 18, 0), D("0.30") + D("0.06") + D("0.375") + D("1.20")),
    ("minimax", "MiniMax-M2.7-highspeed", TOKENS_M, at(2026, 4, 1),
     D("0.60") + D("0.06") + D("2.40")),
    # MiniMax M3 from 2026-09-11: $0.30 / $0.06 / $1.20 up to 512K; above, $0.60 / $0.12 / $2.40.
    ("minimax", "MiniMax-M3", dict(input_uncached=100_000, cache_read=100_000, output=10_000),
     at(2026, 10, 1),
     (D(100_000) * D("0.30") + D(100_000) * D("0.06") + D(10_000) * D("1.20")) / M),
    ("minimax", "minimax-m3", dict(input_uncached=500_000, cache_read=12_001, output=10_000),
     at(2026, 10, 1),
     (D(500_000) * D("0.60") + D(12_001) * D("0.12") + D(10_000) * D("2.40")) / M),
    # GLM-5-Turbo (2026-03-15): $1.20 / $0.24 / $4.
    ("zhipu", "z-ai/glm-5-turbo", TOKENS_M, at(2026, 3, 15, 0), D("1.20") + D("0.24") + D(4)),
    # Mistral Large 4 at list from 2026-10-20: $1.36 / $4.18.
    ("mistral", "mistral-large-4", dict(input_uncached=M, output=M), at(2026, 10, 20, 0),
     D("1.36") + D("4.18")),
]  # fmt: skip


@pytest.mark.parametrize(("provider", "model", "tokens", "when", "expected"), OTHERS)
def test_other_2026_models_price_by_hand(book, provider, model, tokens, when, expected):
    row = price_one(book, provider=provider, model=model, period_start=when, **tokens)
    assert row["price_status"] == "priced", row["unpriced_reason"]
    assert row["cost"] == expected


@pytest.mark.parametrize(
    ("provider", "model", "tokens", "when"),
    [
        # No price read for Grok 4.3 prompts of 200K or more: unpriced, never the base rate.
        ("xai", "grok-4.3", dict(input_uncached=200_000, output=10), at(2026, 6, 1)),
        # M3's launch price is unsettled; Large 4's promotion end is unknown.
        ("minimax", "minimax-m3", dict(output=10), at(2026, 6, 15)),
        ("mistral", "mistral-large-4", dict(output=10), at(2026, 10, 10)),
        # No cached rate read for Mistral Large 4; no cache-write price for M3.
        ("mistral", "mistral-large-4", dict(cache_read=10), at(2026, 11, 1)),
        ("minimax", "minimax-m3", dict(cache_write_5m=10), at(2026, 11, 1)),
        ("xai", "grok-4.7", dict(output=10), at(2026, 9, 20)),
        ("moonshot", "kimi-k3", dict(output=10), at(2026, 7, 15)),
    ],
)
def test_no_sourced_price_is_unpriced(book, provider, model, tokens, when):
    row = price_one(book, provider=provider, model=model, period_start=when, **tokens)
    assert row["price_status"] == "unpriced"
