"""Cloud routes: Gemini billed through Vertex, Llama CUR usage types, Azure gpt-4o, Bedrock
Claude 3 Haiku. Each cost is tokens x the vendor rate / 1M, written out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one

from costlens.adapters._names import cur_usage_type

M = 1_000_000
MARCH = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)


def test_gemini_on_vertex_is_priced_at_the_google_list(book):
    # Gemini 2.5 Pro (google.toml, from 2025-10-31), 190K input (under the 200K cliff):
    # $1.25 in, $0.125 cached, $10 out.
    row = price_one(book, provider="vertex", model="gemini-2.5-pro", input_uncached=150_000,
                    cache_read=40_000, output=120_344, period_start=MARCH)  # fmt: skip
    assert row["price_status"] == "priced", row["unpriced_reason"]
    assert row["price_model"] == "gemini-2.5-pro"
    assert row["price_file"] == "google.toml"
    assert row["cost"] == (D(150_000) * D("1.25") + D(40_000) * D("0.125")
                           + D(120_344) * 10) / M  # fmt: skip


def test_gemini_on_vertex_keeps_the_long_context_cliff_and_batch(book):
    # 250K input passes 200K: $2.50 in / $15 out for the whole request; batch halves both.
    row = price_one(book, provider="vertex", model="vertex_ai/gemini-2.5-pro",
                    input_uncached=250_000, output=1_000, batch=True,
                    period_start=MARCH)  # fmt: skip
    assert row["cost"] == (D(250_000) * D("2.50") + D(1_000) * 15) / M / 2


def test_claude_on_vertex_still_uses_the_vertex_table(book):
    row = price_one(book, provider="vertex", model="claude-sonnet-4-5@20250929",
                    output=1_000, period_start=MARCH)  # fmt: skip
    assert row["price_model"] == "vertex/claude-sonnet-4-5"


def test_a_route_without_first_party_stays_restricted(book):
    # Bedrock names no first-party table: a first-party-only model is unknown there.
    row = price_one(book, provider="bedrock", model="gemini-2.5-pro", output=1_000,
                    period_start=MARCH)  # fmt: skip
    assert row["price_status"] == "unpriced"


@pytest.mark.parametrize(
    ("usage_type", "model", "direction"),
    [
        ("USE1-Llama3-3-70B-input-tokens", "llama3-3-70b-instruct", "input"),
        ("USW2-Llama3-1-8B-output-tokens", "llama3-1-8b-instruct", "output"),
        ("USE1-Llama3-1-70B-LatencyOptimized-input-tokens",
         "llama3-1-70b-instruct:latency-optimized", "input"),
        ("USE1-deepseek.v3.2-mantle-input-tokens-standard", "deepseek.v3.2", "input"),
        ("USE1-Claude4.6Sonnet-input-tokens-cross-region-global", "claude-sonnet-4-6", "input"),
    ],
)  # fmt: skip
def test_cur_usage_types_with_dashes_in_the_model(usage_type, model, direction):
    label = cur_usage_type(usage_type, None)
    assert (label.model, label.direction) == (model, direction)


def test_llama_cur_row_is_priced(book):
    # Llama 3.3 70B on Bedrock: $0.72 in and out per 1M.
    name = cur_usage_type("USE1-Llama3-3-70B-input-tokens", None).model
    row = price_one(book, provider="bedrock", model="USE1-Llama3-3-70B-input-tokens",
                    model_canonical=name, input_uncached=2_500_000,
                    period_start=MARCH)  # fmt: skip
    assert row["price_model"] == "bedrock/llama3-3-70b-instruct"
    assert row["cost"] == D(2_500_000) * D("0.72") / M


def test_latency_optimized_llama_is_unpriced_not_the_standard_rate(book):
    label = "USE1-Llama3-1-70B-LatencyOptimized-input-tokens"
    row = price_one(book, provider="bedrock", model=label,
                    model_canonical=cur_usage_type(label, None).model, input_uncached=1_000,
                    period_start=MARCH)  # fmt: skip
    assert row["price_status"] == "unpriced"


def test_azure_gpt_4o_global_and_data_zone(book):
    # Global: $2.50 in, $1.25 cached, $10 out; a Data Zone deployment is +10%.
    tokens = dict(input_uncached=M, cache_read=M, output=M)
    row = price_one(book, provider="azure", model="gpt-4o", period_start=MARCH, **tokens)
    assert row["cost"] == D("2.50") + D("1.25") + D("10")
    row = price_one(book, provider="azure", model="azure/eu/gpt-4o", period_start=MARCH, **tokens)
    assert row["cost"] == (D("2.50") + D("1.25") + D("10")) * D("1.1")


def test_claude_3_haiku_first_party_and_bedrock(book):
    # Anthropic: $0.25 in, $0.30 5m write, $0.03 hit, $1.25 out; Bedrock on-demand the same
    # input and output, with no prompt caching for this model there.
    row = price_one(book, provider="anthropic", model="claude-3-haiku-20240307",
                    input_uncached=M, cache_write_5m=M, cache_read=M, output=M,
                    period_start=MARCH)  # fmt: skip
    assert row["cost"] == D("0.25") + D("0.30") + D("0.03") + D("1.25")
    row = price_one(book, provider="bedrock", model="claude-3-haiku", input_uncached=120_500,
                    period_start=MARCH)  # fmt: skip
    assert (row["price_model"], row["cost"]) == ("bedrock/claude-3-haiku", D("0.030125"))
    row = price_one(book, provider="bedrock", model="claude-3-haiku", cache_read=1_000,
                    period_start=MARCH)  # fmt: skip
    assert row["price_status"] == "unpriced"
