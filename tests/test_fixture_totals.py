"""One expected total per reader fixture, worked out by hand from the fixture's own numbers and
the rates in ``pricing/*.toml`` (per 1M tokens; web search $10 per 1,000 calls). The arithmetic
is in the comments; the code's goldens are only regression guards, these are the check.

Rates used (USD per 1M tokens: input / cache read / 5m write / 1h write / output):
  claude-sonnet-4-5  3 / 0.30 / 3.75 / 6 / 15        claude-sonnet-4   3 / 0.30 / 3.75 / 6 / 15
  claude-opus-4-1    15 / 1.50 / 18.75 / 30 / 75     claude-3-5-haiku  0.80 / 0.08 / 1 / 1.60 / 4
  claude-haiku-4-5   1 / 0.10 / 1.25 / 2 / 5
  gpt-4.1-mini       0.40 / 0.10 / - / - / 1.60      gpt-5, gpt-5-codex 1.25 / 0.125 / 1.25 / - / 10
  gpt-5-mini         0.25 / 0.025 / - / - / 2.00     gemini-2.5-flash  0.30 / 0.03 / - / - / 2.50
  gemini-2.5-pro above 200K input: 2.50 input       batch (Azure OpenAI): half price
"""

from __future__ import annotations

from decimal import Decimal as D

from conftest import FIXTURES

import costlens

M = 1_000_000


def total(path: str) -> dict:
    s = costlens.run([FIXTURES / path]).summary
    return {k: s[k] for k in ("total_cost", "billed_cost", "rows")}


def test_openrouter_generations():
    # sonnet 4.5: 1,248 in x 3 + 4,096 cache read x 0.30 + 402 out x 15 = 11,002.8 (/1M)
    # gpt-4.1-mini: 310 in x 0.40 + 52 out x 1.60 = 207.2 (/1M); a third line repeats a generation
    got = total("openrouter/generations.jsonl")
    assert got["total_cost"] == (D("11002.8") + D("207.2")) / M == D("0.01121")
    assert got["rows"]["duplicate"] == 1


def test_openrouter_activity():
    # One day per model, aggregated (no per-request cliff check: base rates):
    # sonnet 4.5: 210,000 in x 3 + 16,000 out x 15 = 870,000; gpt-4.1-mini 9,000 x 0.40 + 800 x
    # 1.60 = 4,880. The file's own usage column states 1.2345678 + 0.0042 (billed, kept beside).
    got = total("openrouter/activity.json")
    assert got["total_cost"] == D(870_000 + 4_880) / M == D("0.87488")
    assert got["billed_cost"] == D("1.2345678") + D("0.0042")


def test_anthropic_message_log():
    # sonnet 4.5: 4 in x 3 + 51,034 cache read x 0.30 + 2,210 1h write x 6 + 388 out x 15
    #   = 12 + 15,310.2 + 13,260 + 5,820 = 34,402.2 (/1M), plus 2 web searches x $0.01
    # opus 4.1: 1,200 in x 15 + 600 5m write x 18.75 + 250 out x 75 = 18,000 + 11,250 + 18,750
    # haiku 4.5, a message logged with no time (dated by the file, time_source): 50 x 1 + 10 x 5
    got = total("anthropic_message_log/messages.jsonl")
    expected = D("34402.2") / M + D("0.02") + D(48_000) / M + D(100) / M
    assert got["total_cost"] == expected == D("0.1025022")


def test_claude_code_usage_report():
    # sonnet 4: 45,230 x 3 + 8,790 x 0.30 + 2,340 x 3.75 + 12,450 x 15 = 333,852;
    #           1,000 x 3 + 300 x 15 = 7,500
    # haiku 3.5: 23,100 x 0.80 + 3,420 x 0.08 + 5,680 x 4 = 41,473.6
    got = total("claude_code_report/claude_code_2025-08-08.json")
    assert got["total_cost"] == (D(333_852) + D(7_500) + D("41473.6")) / M == D("0.3828256")
    assert got["billed_cost"] == D("1.86") + D("0.425") + D("0.07")  # the report's own figures


def test_codex_rollout():
    # Token counts are the deltas of the rollout's cumulative totals (docs/formats.md):
    # gpt-5-codex: 5,544 x 1.25 + 24,576 x 0.125 + 812 x 10 = 18,122
    # gpt-5: 10,160 x 1.25 + 30,720 x 0.125 + 1,200 x 10 = 28,540
    #        296 x 1.25 + 14,704 x 0.125 + 4,000 write x 1.25 + 488 x 10 = 12,088
    got = total("codex/rollout-2026-05-13T09-00-00-019e0000.jsonl")
    assert got["total_cost"] == D(18_122 + 28_540 + 12_088) / M == D("0.05875")


def test_azure_mca_cost_details():
    # gpt-5-mini: 12.5M in x 0.25 + 40M cache read x 0.025 + 1.75M out x 2.00 = 3.125 + 1 + 3.5
    # gpt-5 batch: 2M in x 1.25 x 0.5 = 1.25; the realtime-audio meter has no price (unpriced)
    got = total("azure_costs/mca-cost-details.csv")
    assert got["total_cost"] == D("3.125") + D(1) + D("3.5") + D("1.25") == D("8.875")
    assert got["rows"]["unpriced"] == 1
    assert got["billed_cost"] == D("8.875") + D("3.2")  # the file's cost column, all 5 meters


def test_azure_ea_cost_details():
    # gpt-4o 2024-11-20 "Global" meters, priced at azure.toml's gpt-4o Global rates (2.50 in,
    # 1.25 cached, 10 out per 1M): 950K out x 10 = 9.50; 3,200.5K in x 2.50 = 8.00125;
    # 1,200K cached x 1.25 = 1.50; 120K out x 10 = 1.20. The file's own costs say the same.
    got = total("azure_costs/ea-cost-details.csv")
    assert got["rows"]["priced"] == 4 and got["rows"]["unpriced"] == 0
    assert got["total_cost"] == D("9.5") + D("8.00125") + D("1.5") + D("1.2")
    assert got["billed_cost"] == D("9.5") + D("8.00125") + D("1.5") + D("1.2")


def test_gcp_billing_export_csv():
    # flash: 1,983,966 in x 0.30 = 0.5951898; 461,280 out x 2.50 = 1.1532; 1M cached x 0.03
    # pro, a "long input text" SKU (above 200K): 1M in x 2.50 = 2.50
    # audio input and cache storage have no token price: unpriced
    got = total("gcp_billing/billing-export.csv")
    assert got["total_cost"] == D("0.5951898") + D("1.1532") + D("0.03") + D("2.5")
    assert got["rows"]["unpriced"] == 2


def test_gcp_billing_export_jsonl():
    # Two Vertex AI gemini-2.5-pro rows, priced at Google's list (vertex.toml's first_party):
    # 120,344 thinking output x 10 = 1.20344; 330,000 in x 1.25 = 0.4125 (per 1M), which is
    # what the export's own cost column states for them.
    got = total("gcp_billing/billing-export.jsonl")
    assert (got["total_cost"], got["rows"]["unpriced"]) == (D("1.20344") + D("0.4125"), 0)
    assert got["billed_cost"] == D("1.20344") + D("0.4125")


def test_otel_genai_spans():
    # sonnet 4.5: 4 x 3 + 51,034 x 0.30 + 2,210 5m write x 3.75 + 388 x 15
    #   = 12 + 15,310.2 + 8,287.5 + 5,820 = 29,429.7; gpt-4.1-mini: 1,200 x 0.40 + 80 x 1.60 = 608
    got = total("otel_genai/traces.json")
    assert got["total_cost"] == (D("29429.7") + D(608)) / M == D("0.0300377")
