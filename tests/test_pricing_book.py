"""The pricing book's features, priced by hand from the rates written in each test.

Worked vectors from the research notes (section 7), each price change at its boundary (the
second before and after), each cliff at and one token above its threshold, aliases by date,
time windows, modifiers with override tables and stacking, per-call fees and routes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one

M = 1_000_000


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- section 7 vectors -------------------------------------------------------------------


@pytest.mark.parametrize(("hour", "expected"), [(12, D("1.37")), (20, D("0.685"))])
def test_deepseek_chat_peak_and_off_peak_on_2025_03_01(book, hour, expected):
    # Standard 0.27 in / 1.10 out; 20:00 UTC is 04:00 in Beijing, inside the 50% window.
    row = price_one(
        book,
        provider="deepseek",
        model="deepseek-chat",
        input_uncached=M,
        output=M,
        period_start=at(2025, 3, 1, hour),
    )
    assert row["cost"] == expected
    assert row["price_model"] == "deepseek-v3"
    assert row["price_modifiers"] == ("off-peak" if hour == 20 else "")


def test_deepseek_chat_on_2025_10_01_is_v3_2_exp(book):
    row = price_one(
        book, model="deepseek-chat", input_uncached=M, output=M, period_start=at(2025, 10, 1)
    )
    assert row["cost"] == D("0.28") + D("0.42") == D("0.70")
    assert row["model_id"] == "deepseek-v3.2-exp"


@pytest.mark.parametrize(("tokens", "expected"), [(272_000, D("0.695")), (272_001, D("1.382505"))])
def test_gpt_5_4_cliff_at_and_one_above_272k(book, tokens, expected):
    row = price_one(
        book, provider="openai", model="gpt-5.4", input_uncached=tokens, output=1_000,
        period_start=at(2026, 6, 1),
    )  # fmt: skip
    # 272,000 x 2.50 + 1,000 x 15 = 0.695; 272,001 x 5.00 + 1,000 x 22.50 = 1.382505
    assert row["cost"] == expected


def test_gpt_5_batch_vector(book):
    row = price_one(
        book, model="gpt-5", input_uncached=M, output=M, batch=True, period_start=at(2025, 11, 1)
    )
    assert row["cost"] == (D("1.25") + D("10")) / 2 == D("5.625")


# --- boundaries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "before", "after", "when"),
    [
        # deepseek-chat: promotion 0.14 in -> 0.27 in at 2025-02-08 16:00 UTC
        ("deepseek-chat", D("0.14"), D("0.27"), at(2025, 2, 8, 16)),
        # V3.1: 0.27 -> 0.56 at 2025-09-05 16:00 UTC (chat alias points at V3.1 then)
        ("deepseek-chat", D("0.27"), D("0.56"), at(2025, 9, 5, 16)),
        # V3.2-Exp from 2025-09-29 00:00 UTC
        ("deepseek-chat", D("0.56"), D("0.28"), at(2025, 9, 29)),
        # Haiku 3.5 cut (estimated day)
        ("claude-3-5-haiku-20241022", D("1"), D("0.80"), at(2024, 12, 4)),
    ],
)
def test_price_changes_at_the_second(book, model, before, after, when):
    # 02:00 Beijing is off-peak for DeepSeek between 2025-02-26 and 2025-09-05: avoid it by
    # pricing input at instants outside the window (16:00 UTC = 00:00 Beijing, peak).
    def cost(t):
        return price_one(book, model=model, input_uncached=M, period_start=t)["cost"]

    assert cost(when - dt.timedelta(seconds=1)) == before
    assert cost(when) == after


def test_gemini_cache_read_cut(book):
    def cost(t):
        return price_one(book, model="gemini-2.5-flash", cache_read=M, period_start=t)["cost"]

    assert cost(at(2025, 10, 30, 23, 59, 59)) == D("0.075")
    assert cost(at(2025, 10, 31)) == D("0.03")


@pytest.mark.parametrize(("total", "tiered"), [(200_000, False), (200_001, True)])
def test_gemini_2_5_pro_cliff(book, total, tiered):
    row = price_one(
        book, model="gemini-2.5-pro", input_uncached=total - 100_000, cache_read=100_000,
        output=1_000, period_start=at(2025, 11, 15),
    )  # fmt: skip
    rates = (D("2.50"), D("0.25"), D(15)) if tiered else (D("1.25"), D("0.125"), D(10))
    expected = ((total - 100_000) * rates[0] + 100_000 * rates[1] + 1_000 * rates[2]) / M
    assert row["cost"] == expected
    assert row["price_tier"] == ("input > 200000" if tiered else "base")


@pytest.mark.parametrize(("hhmm", "off"), [((16, 29, 59), False), ((16, 30), True),
                                             ((0, 29, 59), True), ((0, 30), False)])  # fmt: skip
def test_off_peak_window_edges(book, hhmm, off):
    row = price_one(book, model="deepseek-reasoner", output=M, period_start=at(2025, 5, 6, *hhmm))
    # R1 off-peak output is published as 0.55 (75% off 2.19, rounded): an override.
    assert row["cost"] == (D("0.55") if off else D("2.19"))


def test_off_peak_ends_with_the_2025_09_05_change(book):
    row = price_one(book, model="deepseek-chat", output=M, period_start=at(2025, 9, 6, 18))
    assert row["cost"] == D("1.68")
    assert row["price_modifiers"] == ""


def test_gpt_4o_alias_moves_on_2024_10_02(book):
    old = price_one(book, model="gpt-4o", input_uncached=M, period_start=at(2024, 10, 1, 23))
    new = price_one(book, model="gpt-4o", input_uncached=M, period_start=at(2024, 10, 2))
    assert (old["price_model"], old["cost"]) == ("gpt-4o-2024-05-13", D(5))
    assert (new["price_model"], new["cost"]) == ("gpt-4o-2024-08-06", D("2.50"))


def test_cached_tokens_before_caching_existed_are_unpriced(book):
    row = price_one(book, model="gpt-4o-2024-05-13", cache_read=10, period_start=at(2024, 9, 1))
    assert (
        row["unpriced_reason"]
        == "no cache_read rate for gpt-4o-2024-05-13 at 2024-09-01 00:00:00 UTC"
    )


# --- modifiers -----------------------------------------------------------------------------


def test_flex_is_half_with_the_published_rounded_cached_rate(book):
    row = price_one(
        book, model="o4-mini", service_tier="flex", input_uncached=M, cache_read=M, output=M,
        period_start=at(2025, 8, 1),
    )  # fmt: skip
    assert row["cost"] == D("0.55") + D("0.138") + D("2.20")  # not 0.1375
    o3 = price_one(book, model="o3", service_tier="flex", output=M, period_start=at(2025, 8, 1))
    assert o3["cost"] == D(4)


def test_priority_before_its_table_is_unpriced_and_after_uses_published_rates(book):
    before = price_one(
        book, model="o3", service_tier="priority", output=M, period_start=at(2026, 1, 1)
    )
    after = price_one(
        book, model="o3", service_tier="priority", output=M, period_start=at(2026, 11, 1)
    )
    assert before["unpriced_reason"] == "no price for service tier 'priority' of o3"
    assert after["cost"] == D(14)


def test_us_inference_stacks_with_batch(book):
    row = price_one(
        book, model="claude-sonnet-4-6", inference_geo="us", batch=True, input_uncached=M,
        output=M, period_start=at(2026, 5, 1),
    )  # fmt: skip
    assert row["cost"] == (D(3) + D(15)) * D("0.5") * D("1.1") == D("9.9")
    assert row["price_modifiers"] == "batch,us-inference"


def test_fast_mode_does_not_combine_with_batch(book):
    fast = price_one(
        book, model="claude-opus-4-6", speed="fast", output=M, period_start=at(2026, 5, 1)
    )
    both = price_one(
        book, model="claude-opus-4-6", speed="fast", batch=True, output=M,
        period_start=at(2026, 5, 1),
    )  # fmt: skip
    assert fast["cost"] == D(150)
    assert both["unpriced_reason"] == "modifiers fast and batch do not combine (no published price)"


def test_fast_mode_without_a_published_rate_is_unpriced_never_standard(book):
    """Fast mode is priced only where a table publishes it (Opus 4.6: 6x, $150 output);
    for a model without one the row is unpriced, not priced at the standard $25 / $15."""
    at_may = dict(output=M, period_start=at(2026, 5, 1))
    assert price_one(book, model="claude-opus-4-6", speed="fast", **at_may)["cost"] == D(150)
    assert price_one(book, model="claude-opus-4-6", speed="standard", **at_may)["cost"] == D(25)
    row = price_one(book, model="claude-sonnet-4-6", speed="fast", **at_may)
    assert (row["price_status"], row["cost"]) == ("unpriced", None)
    assert row["unpriced_reason"] == "no price for speed 'fast' of claude-sonnet-4-6"


def test_batch_cached_override_keeps_the_published_rounding(book):
    row = price_one(
        book, model="gpt-5.4", batch=True, cache_read=M // 10, period_start=at(2026, 6, 1)
    )
    assert row["cost"] == D("0.13") / 10  # 100K tokens, under the 272K cliff


def test_web_search_fee_is_per_thousand_and_not_batch_discounted(book):
    row = price_one(
        book, model="claude-haiku-4-5", web_search=3, batch=True, output=M,
        period_start=at(2025, 12, 1),
    )  # fmt: skip
    assert row["cost_web_search"] == D(3) * D(10) / 1000
    assert row["cost"] == D("2.5") + D("0.03")


# --- routes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "provider", "expected"),
    [
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", None, D(3) + D(15)),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", None, D("3.30") + D("16.50")),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", None, D("3.30") + D("16.50")),
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", None, D(3) + D(15)),  # before 4.5: flat
        ("azure/eu/gpt-5", None, (D("1.25") + D(10)) * D("1.1")),
        ("gpt-5", "azure", D("1.25") + D(10)),
    ],
)
def test_cloud_routes_and_regional_premium(book, name, provider, expected):
    # 100K in + 100K out: under every cliff, so a tenth of the per-1M sums above.
    row = price_one(
        book, model=name, provider=provider or "bedrock", input_uncached=M // 10,
        output=M // 10, period_start=at(2025, 12, 1),
    )  # fmt: skip
    assert row["cost"] == expected / 10


def test_vertex_regional_endpoint_from_inference_geo(book):
    kw = dict(model="claude-opus-4-5@20251101", input_uncached=M, period_start=at(2025, 12, 1))
    assert price_one(book, inference_geo="global", **kw)["cost"] == D(5)
    assert price_one(book, inference_geo="us-east5", **kw)["cost"] == D("5.5")


def test_every_priced_row_names_model_period_source_and_file(book):
    row = price_one(book, model="deepseek-reasoner", output=1, period_start=at(2025, 3, 1, 12))
    assert row["price_model"] == "deepseek-r1"
    assert row["price_period_from"] == at(2025, 1, 20)
    assert row["price_source"] == "https://api-docs.deepseek.com/quick_start/pricing"
    assert (row["price_confidence"], row["price_file"]) == ("official", "deepseek.toml")
    assert row["pricing_version"].startswith("sha256:")
