"""Pricing engine: every expected cost is computed here from the published rates by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one, usage_frame, usage_row

from costlens import pricing

M = 1_000_000


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_o3_price_cut_on_2025_06_10(book):
    # 1M in + 1M out: $10 + $40 before the cut, $2 + $8 after.
    before = price_one(
        book, provider="openai", model="o3", input_uncached=M, output=M, period_start=at(2025, 6, 1)
    )
    after = price_one(
        book,
        provider="openai",
        model="o3-2025-04-16",
        input_uncached=M,
        output=M,
        period_start=at(2025, 6, 15),
    )
    assert before["cost"] == D("10") + D("40")
    assert after["cost"] == D("2") + D("8")


def test_o3_boundary_second_before_and_after(book):
    last_old = price_one(
        book, provider="openai", model="o3", cache_read=M, period_start=at(2025, 6, 9, 23, 59, 59)
    )
    first_new = price_one(
        book, provider="openai", model="o3", cache_read=M, period_start=at(2025, 6, 10)
    )
    assert last_old["cost"] == D("2.50")  # the launch cached rate, not genai-prices' 0.50
    assert first_new["cost"] == D("0.50")


def test_sonnet_4_5_cliff_applies_to_whole_request(book):
    # 100K uncached + 150K cache read + 10K 5m write = 260K > 200K: every bucket at the tier.
    row = price_one(
        book,
        model="claude-sonnet-4-5-20250929",
        input_uncached=100_000,
        cache_read=150_000,
        cache_write_5m=10_000,
        output=2_000,
        period_start=at(2025, 10, 1),
    )
    expected = (
        D(100_000) * D("6") + D(150_000) * D("0.60") + D(10_000) * D("7.50") + D(2_000) * D("22.50")
    ) / M
    assert expected == D("0.81")
    assert row["cost"] == expected
    assert row["price_tier"] == "input > 200000"


def test_sonnet_4_5_below_cliff(book):
    row = price_one(
        book,
        model="claude-sonnet-4-5",
        input_uncached=30_000,
        cache_read=150_000,
        cache_write_5m=10_000,
        output=2_000,
        period_start=at(2025, 10, 1),
    )
    expected = (D(30_000) * 3 + D(150_000) * D("0.30") + D(10_000) * D("3.75") + D(2_000) * 15) / M
    assert row["cost"] == expected == D("0.2025")
    assert row["price_tier"] == "base"


@pytest.mark.parametrize(("total", "tiered"), [(200_000, False), (200_001, True)])
def test_cliff_exactly_at_and_one_above(book, total, tiered):
    row = price_one(
        book,
        model="claude-sonnet-4-5",
        input_uncached=1,
        cache_read=total - 1,
        period_start=at(2025, 12, 1),
    )
    rate_in, rate_read = (D(6), D("0.60")) if tiered else (D(3), D("0.30"))
    assert row["cost"] == (rate_in + (total - 1) * rate_read) / M


def test_opus_4_5_split_cache_writes(book):
    # 20K total input: 10K uncached, 6K 5m write, 4K 1h write; 1K output.
    row = price_one(
        book,
        model="claude-opus-4-5-20251101",
        input_uncached=10_000,
        cache_write_5m=6_000,
        cache_write_1h=4_000,
        output=1_000,
        period_start=at(2025, 12, 1),
    )
    expected = (D(10_000) * 5 + D(6_000) * D("6.25") + D(4_000) * 10 + D(1_000) * 25) / M
    assert row["cost"] == expected == D("0.1525")


def test_sonnet_4_6_cliff_removed_on_2026_03_13(book):
    before = price_one(
        book,
        model="claude-sonnet-4-6",
        input_uncached=300_000,
        output=1_000,
        period_start=at(2026, 3, 1),
    )
    after = price_one(
        book,
        model="claude-sonnet-4-6",
        input_uncached=300_000,
        output=1_000,
        period_start=at(2026, 3, 20),
    )
    assert before["cost"] == (D(300_000) * 6 + D(1_000) * D("22.50")) / M == D("1.8225")
    assert after["cost"] == (D(300_000) * 3 + D(1_000) * 15) / M == D("0.915")


def test_gpt_5_batch_halves_input_output_and_cached(book):
    row = price_one(
        book,
        provider="openai",
        model="gpt-5-2025-08-07",
        input_uncached=M,
        output=M,
        cache_read=M,
        batch=True,
        period_start=at(2025, 11, 1),
    )
    assert row["cost"] == (D("1.25") + D("10") + D("0.125")) / 2 == D("5.6875")
    assert row["price_modifiers"] == "batch,batch-cached"


def test_gpt_4_1_batch_keeps_cached_rate(book):
    row = price_one(
        book,
        provider="openai",
        model="gpt-4.1",
        input_uncached=M,
        cache_read=M,
        batch=True,
        period_start=at(2025, 11, 1),
    )
    assert row["cost"] == D("2.00") / 2 + D("0.50")


def test_anthropic_batch_halves_every_bucket(book):
    row = price_one(
        book,
        model="claude-haiku-4-5",
        input_uncached=M,
        cache_read=M,
        cache_write_5m=M,
        cache_write_1h=M,
        output=M,
        batch=True,
        period_start=at(2025, 12, 1),
    )
    assert row["cost"] == (D(1) + D("0.10") + D("1.25") + D(2) + D(5)) / 2


def test_unknown_model_is_unpriced_never_zero(book):
    row = price_one(book, provider="openai", model="acme-internal-coder-7", input_uncached=1000)
    assert row["price_status"] == "unpriced"
    assert row["cost"] is None
    assert "unknown model" in row["unpriced_reason"]


def test_usage_before_a_model_launch_is_unpriced(book):
    row = price_one(book, model="claude-opus-4-5", output=10, period_start=at(2025, 11, 23))
    assert row["price_status"] == "unpriced"
    # Grouped: one reason per model, not one per timestamp (issue 8); opus 4.5 launched 11-24.
    assert (
        row["unpriced_reason"]
        == "no price for claude-opus-4-5 before its first period (2025-11-24)"
    )


def test_aggregated_row_uses_the_stated_context_window(book):
    kw = dict(model="claude-sonnet-4-5", aggregated=True, input_uncached=M)
    long = price_one(book, context_window="200k-1M", **kw)
    short = price_one(book, context_window="0-200k", **kw)
    unknown = price_one(book, **kw)
    assert (long["cost"], short["cost"], unknown["cost"]) == (D(6), D(3), D(3))
    assert (long["cliff_unchecked"], short["cliff_unchecked"], unknown["cliff_unchecked"]) == (
        False,
        False,
        True,
    )


def test_price_date_reprices_everything_at_one_date(book):
    frame = usage_frame(
        usage_row(provider="openai", model="o3", output=M, period_start=at(2025, 5, 1))
    )
    priced = pricing.price(frame, book, at=at(2025, 7, 1)).collect()
    assert priced["cost"].to_list() == [D(8)]


def test_costs_are_exact_decimals_per_bucket(book):
    row = price_one(
        book,
        model="claude-haiku-4-5",
        input_uncached=7,
        cache_read=13,
        cache_write_5m=3,
        cache_write_1h=5,
        output=11,
    )
    parts = [
        row[f"cost_{b}"]
        for b in ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")
    ]
    assert parts == [D(7) / M, D("1.3") / M, D("3.75") / M, D(10) / M, D(55) / M]
    assert row["cost"] == sum(parts)


def test_a_service_tier_without_a_price_is_unpriced(book):
    # Flex was the example here until the flex table existed (see test_pricing_modifiers.py);
    # OpenAI's Scale Tier is a negotiated commitment with no list price.
    row = price_one(book, provider="openai", model="o3", service_tier="scale", output=M)
    assert row["price_status"] == "unpriced"
    assert row["unpriced_reason"] == "no price for service tier 'scale' of o3"
    standard = price_one(book, provider="openai", model="o3", service_tier="default", output=M)
    assert standard["cost"] == D(8)


def test_row_order_does_not_change_any_price(book):
    # Rows out of time order (newest first, then shuffled) must price exactly as they would in
    # time order: an as-of join on unsorted input silently picks the wrong period. Expected
    # costs by hand from the published rates (same figures as the single-row tests).
    cases = [
        (at(2025, 6, 15), "o3", {"input_uncached": M, "output": M}, D("10")),  # 2 + 8
        (at(2025, 6, 1), "o3", {"input_uncached": M, "output": M}, D("50")),  # 10 + 40
        (at(2025, 6, 10), "o3", {"cache_read": M}, D("0.50")),
        (at(2025, 6, 9, 23, 59, 59), "o3", {"cache_read": M}, D("2.50")),
        (at(2024, 10, 2), "gpt-4o", {"input_uncached": M}, D("2.50")),  # alias -> 2024-08-06
        (at(2024, 10, 1, 23), "gpt-4o", {"input_uncached": M}, D("5")),  # alias -> 2024-05-13
        (at(2025, 6, 1), "no-such-model", {"output": M}, None),
    ]
    rows = [
        usage_row(provider="openai", model=m, period_start=t, source_line=i, **tokens)
        for i, (t, m, tokens, _) in enumerate(cases)
    ]
    expected = {i: cost for i, (*_, cost) in enumerate(cases)}
    for order in ([*range(len(rows))], [3, 6, 0, 5, 2, 4, 1], [6, 5, 4, 3, 2, 1, 0]):
        got = pricing.price(usage_frame(*[rows[i] for i in order]), book).collect()
        assert got["source_line"].to_list() == order  # rows come back in input order
        assert dict(zip(got["source_line"], got["cost"], strict=True)) == expected
