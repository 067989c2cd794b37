"""``--fallback-prices``: genai-prices' data prices only what the book has no model for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one

from costlens import pricing

pytest.importorskip("genai_prices")
M = 1_000_000


@pytest.fixture(scope="module")
def fb_book():
    return pricing.load(fallback=True)


def test_off_by_default(book):
    row = price_one(book, provider="mistral", model="magistral-medium-2509", output=M)
    assert row["price_status"] == "unpriced"


def test_an_unknown_model_is_priced_third_party_and_says_so(fb_book):
    # genai-prices 0.2.3 lists Magistral Medium at $2 input / $5 output per 1M, no cache rate
    # (a cache read is then billed as input, as genai-prices does).
    row = price_one(fb_book, provider="mistral", model="magistral-medium-2509",
                    input_uncached=M, cache_read=M, output=M)  # fmt: skip
    assert row["cost"] == D(2) + D(2) + D(5)
    assert row["price_confidence"] == "third-party"
    assert row["price_model"] == "mistral:magistral-medium"
    assert row["price_file"].startswith("genai-prices ")
    assert row["price_source"] == "https://mistral.ai/pricing/api"
    assert row["pricing_version"].endswith("+genai-prices-0.2.3")


def test_the_book_always_wins_and_its_refusals_stand(fb_book):
    ours = price_one(fb_book, model="claude-sonnet-4-5", output=M)
    assert (ours["price_confidence"], ours["cost"]) == ("official", D(15))
    # Before the model's first period the book refuses; the fallback does not fill it in.
    before_launch = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    early = price_one(fb_book, model="claude-opus-4-5", output=10, period_start=before_launch)
    assert early["price_status"] == "unpriced"
    assert early["unpriced_reason"].startswith("no price for claude-opus-4-5")


def test_a_model_nobody_knows_stays_unpriced(fb_book):
    row = price_one(fb_book, model="acme-coder-9", output=M)
    assert row["price_status"] == "unpriced"
    assert row["unpriced_reason"].startswith("unknown model 'acme-coder-9'")
