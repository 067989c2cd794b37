"""2026 models: one price by hand per model family added, with its dated changes.

Each expected cost is tokens x the vendor's rate / 1M, the rate written out here from the page
the table cites (``source`` / ``note``), so that a wrong table fails.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one

M = 1_000_000


def at(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


TOKENS = dict(input_uncached=M, cache_read=M, output=M)
SMALL = dict(input_uncached=100_000, cache_read=100_000, output=100_000)  # under every cliff

VECTORS = [
    # Grok 4.20: $1.25 / $0.20 / $2.50 under 200K.
    ("xai", "grok-4.20", dict(input_uncached=100_000, cache_read=50_000, output=10_000),
     at(2026, 5, 1), (D(100_000) * D("1.25") + D(50_000) * D("0.20") + D(10_000) * D("2.50")) / M),
    # A prompt reaching 200K (">="): every token at $2.50 / $0.40 / $5.00.
    ("xai", "grok-4.20-0309-reasoning", dict(input_uncached=150_000, cache_read=50_000,
     output=1_000), at(2026, 5, 1),
     (D(150_000) * D("2.50") + D(50_000) * D("0.40") + D(1_000) * 5) / M),
    # DeepSeek V4 Flash at launch (estimated): $0.14 / $0.0028 / $0.28, as on 2026-06-05, the day
    # of a real mini-swe-agent run whose deepseek-chat requests deepseek-v4-flash answered.
    ("deepseek", "deepseek-chat", TOKENS, at(2026, 6, 5), D("0.14") + D("0.0028") + D("0.28")),
    # DeepSeek V4 Flash, flat before 2026-08-16 16:00 UTC: $0.14 / $0.0028 / $0.28.
    ("deepseek", "deepseek-v4-flash", TOKENS, at(2026, 7, 1), D("0.14") + D("0.0028") + D("0.28")),
    # V4 Pro after the peak/off-peak change, Saturday (off-peak all day): $0.66 / $0.022 / $1.98.
    ("deepseek", "deepseek-v4-pro", TOKENS, at(2026, 10, 3, 2), D("0.66") + D("0.022") + D("1.98")),
    # Same on a Wednesday 02:00 UTC = 10:00 Beijing, peak: twice ($1.32 / $0.044 / $3.96).
    ("deepseek", "deepseek-v4-pro", TOKENS, at(2026, 10, 7, 2), D("1.32") + D("0.044") + D("3.96")),
    # Wednesday 05:00 UTC = 13:00 Beijing (lunch gap): off-peak.
    ("deepseek", "deepseek-v4-pro", TOKENS, at(2026, 10, 7, 5), D("0.66") + D("0.022") + D("1.98")),
    # deepseek-flash (V4.1 Flash) from 2026-09-10 04:00 UTC, off-peak: $0.15 / $0.003 / $0.60.
    ("deepseek", "deepseek-flash", TOKENS, at(2026, 10, 3), D("0.15") + D("0.003") + D("0.60")),
    # GPT-5.6 Sol at launch: $5 / $0.50 / $30; after the 2026-08-21 cut $4 / $0.40 / $20.
    ("openai", "gpt-5.6", SMALL, at(2026, 7, 20), (D(5) + D("0.50") + D(30)) / 10),
    ("openai", "gpt-5.6-sol", SMALL, at(2026, 9, 1), (D(4) + D("0.40") + D(20)) / 10),
    # Luna before and after the 2026-07-30 cut: $1 / $0.10 / $6 -> $0.20 / $0.02 / $1.20.
    ("openai", "gpt-5.6-luna", SMALL, at(2026, 7, 29), (D(1) + D("0.10") + D(6)) / 10),
    ("openai", "openai/gpt-5.6-luna", SMALL, at(2026, 7, 30),
     (D("0.20") + D("0.02") + D("1.20")) / 10),
    # Terra above 272K input after the cut: $4 in / $18 out for the whole request.
    ("openai", "gpt-5.6-terra", dict(input_uncached=300_000, output=1_000), at(2026, 8, 5),
     (D(300_000) * 4 + D(1_000) * 18) / M),
    ("mistral", "mistral-medium-3.5", dict(input_uncached=M, output=M), at(2026, 5, 1),
     D("1.50") + D("7.50")),
    ("zhipu", "z-ai/glm-5.2", TOKENS, at(2026, 7, 1), D("1.40") + D("0.26") + D("4.40")),
    ("zhipu", "glm-5.3", TOKENS, at(2026, 9, 1), D("1.40") + D("0.26") + D("4.40")),
    ("moonshot", "moonshotai/kimi-k2.6", TOKENS, at(2026, 6, 1), D("0.95") + D("0.16") + D(4)),
    ("minimax", "MiniMax-M2.5", dict(input_uncached=M, cache_write_5m=M, cache_read=M, output=M),
     at(2026, 3, 1), D("0.30") + D("0.375") + D("0.03") + D("1.20")),
    ("anthropic", "claude-3-haiku", TOKENS, at(2025, 1, 1), D("0.25") + D("0.03") + D("1.25")),
    # Claude Haiku 5.5: $0.10 / $0.01 / $0.50 up to 100K prompt tokens; above, 5x on every token.
    ("anthropic", "claude-haiku-5-5", dict(input_uncached=50_000, cache_read=40_000,
     output=10_000), at(2026, 11, 1),
     (D(50_000) * D("0.10") + D(40_000) * D("0.01") + D(10_000) * D("0.50")) / M),
    ("anthropic", "claude-haiku-5-5", dict(input_uncached=60_000, cache_read=40_001,
     output=10_000), at(2026, 11, 1),
     (D(60_000) * D("0.50") + D(40_001) * D("0.05") + D(10_000) * D("2.50")) / M),
]  # fmt: skip


@pytest.mark.parametrize(("provider", "model", "tokens", "when", "expected"), VECTORS)
def test_2026_model_price_by_hand(book, provider, model, tokens, when, expected):
    row = price_one(book, provider=provider, model=model, period_start=when, **tokens)
    assert row["price_status"] == "priced", row["unpriced_reason"]
    assert row["cost"] == expected


def test_grok_4_20_batch_is_20_percent_off(book):
    row = price_one(book, provider="xai", model="grok-4.20", input_uncached=100_000,
                    output=100_000, batch=True, period_start=at(2026, 5, 1))  # fmt: skip
    assert row["cost"] == (D("1.25") + D("2.50")) / 10 * D("0.8")


def test_mistral_medium_latest_moves_to_3_5(book):
    row = price_one(book, provider="mistral", model="mistral-medium-latest", output=M,
                    period_start=at(2026, 6, 1))  # fmt: skip
    assert (row["price_model"], row["cost"]) == ("mistral-medium-3.5", D("7.50"))


@pytest.mark.parametrize(
    ("provider", "model", "when"),
    [
        # Before the first dated period (V4 launch; V4 Pro's launch price was not found).
        ("deepseek", "deepseek-v4-flash", at(2026, 4, 20)),
        ("deepseek", "deepseek-v4-pro", at(2026, 5, 1)),
        ("openai", "gpt-5.6-sol", at(2026, 6, 30)),  # limited preview, before GA
    ],
)
def test_before_the_first_sourced_price_is_unpriced(book, provider, model, when):
    row = price_one(book, provider=provider, model=model, output=1_000, period_start=when)
    assert row["price_status"] == "unpriced"
