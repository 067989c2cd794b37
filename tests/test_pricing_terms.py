"""Negotiated terms (``pricing/terms.py``): discounts, uplifts, committed prices, credits, FX."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import polars as pl
import pytest
from conftest import SAMPLES, price_one, terms_file

from costlens import pipeline, pricing
from costlens.errors import PricingError

DISCOUNT_OPENAI = """
[[discount]]
name = "openai-enterprise"
percent = "20"
providers = ["openai"]
from = 2025-01-01
source = "OpenAI order form 2025-01, section 3"
"""


@pytest.fixture(scope="module")
def base_samples():
    return pipeline.run([SAMPLES], model_stats=False)


def test_a_20_percent_discount_changes_exactly_that_providers_rows_by_20_percent(
    tmp_path, base_samples
):
    terms = terms_file(tmp_path, DISCOUNT_OPENAI)
    discounted = pipeline.run([SAMPLES], pricing_paths=[terms], model_stats=False)
    key = ["source_file", "source_line", "usage_row", "part"]
    before = base_samples.usage.select(*key, "model_id", "cost", "price_modifiers")
    after = discounted.usage.select(*key, cost_after="cost", mods_after="price_modifiers")
    both = before.join(after, on=key, how="full", coalesce=True, validate="1:1")
    assert both.height == before.height == after.height
    book = pricing.load()
    openai_ids = [m for m, (f, _) in book.models.items() if f.provider == "openai"]
    is_openai = pl.col("model_id").is_in(openai_ids)
    mine = both.filter(is_openai & pl.col("cost").is_not_null())
    others = both.filter(~is_openai | pl.col("cost").is_null())
    assert mine.height > 0 and others.height > 0
    # Expected: the undiscounted cost times 0.8, computed here from the first run.
    assert (mine["cost_after"] == mine["cost"] * D("0.8")).all()
    assert (mine["mods_after"].cast(pl.String).str.contains("discount:openai-enterprise")).all()
    assert others["cost_after"].equals(others["cost"])
    assert others["mods_after"].cast(pl.String).equals(others["price_modifiers"].cast(pl.String))
    listed = discounted.summary["pricing_terms"]
    assert [(t["kind"], t["name"], t["percent"]) for t in listed] == [
        ("discount", "openai-enterprise", "20")
    ]


def test_discount_by_model_family_and_account_from_a_date(tmp_path):
    book = pricing.load([terms_file(tmp_path, """
[[discount]]
name = "sonnet-team-a"
percent = "15"
providers = ["anthropic"]
models = ["claude-sonnet-*"]
accounts = { workspace = "wrk_team_a" }
from = 2025-12-01
source = "Anthropic MSA amendment 2"
""")])  # fmt: skip
    row = dict(model="claude-sonnet-4-5", output=1_000_000, workspace="wrk_team_a")
    on = price_one(book, **row, period_start=dt.datetime(2025, 12, 2, tzinfo=dt.UTC))
    before = price_one(book, **row, period_start=dt.datetime(2025, 11, 30, tzinfo=dt.UTC))
    other = price_one(book, **{**row, "workspace": "wrk_b"})
    haiku = price_one(book, **{**row, "model": "claude-haiku-4-5"})
    assert on["cost"] == D(15) * D("0.85")  # Sonnet 4.5 output $15 per 1M, 15% off
    assert before["cost"] == other["cost"] == D(15)
    assert haiku["cost"] == D(5)
    assert on["price_modifiers"] == "discount:sonnet-team-a"


def test_committed_price_and_uplift_and_price_date(tmp_path):
    book = pricing.load([terms_file(tmp_path, """
[[committed]]
name = "gpt-5-commit"
provider = "openai"
model = "gpt-5"
from = 2025-11-01
rates = { input = "1", output = "8" }
source = "OpenAI commit agreement 2025-11"

[[uplift]]
name = "eu-residency"
percent = "10"
providers = ["anthropic"]
when = { inference_geo = "eu" }
from = 2025-01-01
source = "Anthropic DPA pricing annex"
""")])  # fmt: skip
    row = dict(provider="openai", model="gpt-5", input_uncached=M, output=M)
    committed = price_one(book, **row)
    assert committed["cost"] == D(1) + D(8)  # list is $1.25 / $10
    early = pricing.price(_frame(**row), book, at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC)).collect()
    assert early["cost"][0] == D("1.25") + D(10)  # --price-date before the commitment
    eu = price_one(book, model="claude-sonnet-4-5", output=M, inference_geo="eu")
    assert eu["cost"] == D(15) * D("1.1")
    assert eu["price_modifiers"] == "uplift:eu-residency"


M = 1_000_000


def _frame(**values):
    from conftest import usage_frame, usage_row

    return usage_frame(usage_row(**values))


def test_credits_and_fx_are_stated_beside_the_total(tmp_path, base_samples):
    terms = terms_file(tmp_path, """billing_currency = "EUR"

[[credit]]
name = "openai-startup"
amount = "100"
providers = ["openai"]
from = 2025-12-01
to = 2026-01-01
source = "OpenAI credit grant email 2025-11-20"

[[fx]]
from = 2025-12-01
rate = "0.9"
source = "ECB reference rate 2025-12-01"

[[fx]]
from = 2025-12-16
rate = "0.8"
source = "ECB reference rate 2025-12-16"
""")  # fmt: skip
    got = pipeline.run([SAMPLES], pricing_paths=[terms], model_stats=False).summary
    usage = base_samples.usage.filter(pl.col("price_status") == "priced")
    cut = dt.datetime(2025, 12, 16, tzinfo=dt.UTC)
    first = usage.filter(pl.col("period_start") < cut)["cost"].sum()
    second = usage.filter(pl.col("period_start") >= cut)["cost"].sum()
    assert got["billing_currency"] == "EUR"
    assert got["total_cost_billing"] == D(first) * D("0.9") + D(second) * D("0.8")
    assert got["fx_unconverted_rows"] == 0
    (credit,) = got["credits"]
    assert (credit["applied"], credit["remaining"]) == (D(100), D(0))  # usage exceeds $100
    assert got["total_cost"] == base_samples.summary["total_cost"]  # prices are unchanged


def test_terms_errors_name_the_file(tmp_path):
    bad = terms_file(tmp_path, DISCOUNT_OPENAI.replace('["openai"]', '["opneai"]'))
    with pytest.raises(PricingError, match=r"terms.toml: openai-enterprise: no price table for"):
        pricing.load([bad])


def test_pricing_diff_shows_what_a_terms_file_changes(tmp_path):
    from click.testing import CliRunner
    from conftest import ROOT

    from costlens.cli import cli

    terms = terms_file(tmp_path, DISCOUNT_OPENAI.replace("2025-01-01", "2099-01-01"))
    tables = str(ROOT / "pricing")
    result = CliRunner().invoke(cli, ["pricing", "diff", tables, tables, "--pricing", str(terms)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "openai modifier discount:openai-enterprise effect: - -> x0.8 on input, cache_read, "
        "cache_write_5m, cache_write_1h, output (2099-01-01 to open; no past month)\n"
        "1 change(s)\n"
    )
