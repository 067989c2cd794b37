"""Prepaid credits drawn down in date order, and what rate terms changed on the Pricing sheet.

Expected amounts are worked out by hand below (credits) or taken from an independent run of
the same samples without the terms (the Pricing sheet's cost at list)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import polars as pl
import pytest
from conftest import SAMPLES, terms_file

from costlens import pipeline
from costlens.pricing.credits import drawdown
from costlens.pricing.terms import Credit
from costlens.schema import MONEY


def day(d: int) -> dt.datetime:
    return dt.datetime(2026, 3, d, 12, tzinfo=dt.UTC)


USAGE = pl.DataFrame(
    {
        "period_start": [day(1), day(2), day(2), day(3), day(3), day(4)],
        "model_id": ["gpt-5", "gpt-5", "claude-sonnet-4-6", "gpt-5", "gpt-5", "gpt-5"],
        "cost": [D(30), D(50), D(100), D(40), None, D(25)],
        "cost_currency": ["USD", "USD", "USD", "USD", None, "USD"],
        "price_status": ["priced", "priced", "priced", "priced", "unpriced", "priced"],
    },
    schema_overrides={"cost": MONEY, "period_start": pl.Datetime("us", "UTC")},
)
TABLES = {"gpt-5": "openai", "claude-sonnet-4-6": "anthropic"}


def credit(name: str, amount: str, **kw) -> Credit:
    return Credit.model_validate({"name": name, "amount": amount, "from": dt.date(2026, 3, 1),
                                  "source": "grant letter", **kw})  # fmt: skip


def test_a_credit_draws_down_in_date_order_until_used():
    # OpenAI rows: 30 (day 1), 50 (day 2), 40 (day 3), 25 (day 4). $100 pays 30, 50, then 20
    # of day 3's 40: the balance is 70, 20, 0 and it is used up on day 3.
    (got,) = drawdown(USAGE, [credit("oa", "100", providers=["openai"])], TABLES)
    assert [(d["date"], d["applied"], d["balance"]) for d in got["drawdown"]] == [
        ("2026-03-01", D(30), D(70)), ("2026-03-02", D(50), D(20)),
        ("2026-03-03", D(20), D(0)), ("2026-03-04", D(0), D(0)),
    ]  # fmt: skip
    assert (got["covered_cost"], got["applied"], got["remaining"]) == (D(145), D(100), D(0))
    assert got["used_up_on"] == "2026-03-03"
    assert got["unpriced_rows"] == 1  # day 3's unpriced row: the covered cost is a lower bound


def test_a_credit_larger_than_the_usage_keeps_its_remainder():
    (got,) = drawdown(USAGE, [credit("oa", "500", providers=["openai"])], TABLES)
    assert (got["applied"], got["remaining"], got["used_up_on"]) == (D(145), D(355), None)


def test_overlapping_credits_never_pay_twice():
    # "first" (OpenAI, ends 2026-04-01) is drawn before the open-ended "any": it takes 30 + 50
    # + 40 + 25 = 145 of its 200. "any" then has only the Anthropic 100 left: it pays 60 of it.
    first = credit("first", "200", providers=["openai"], to=dt.date(2026, 4, 1))
    anyone = credit("any", "60")
    a, b = drawdown(USAGE, [anyone, first], TABLES)
    assert (a["name"], a["applied"], a["remaining"]) == ("first", D(145), D(55))
    assert (b["name"], b["applied"], b["used_up_on"]) == ("any", D(60), "2026-03-02")
    assert b["covered_cost"] == D(245)  # every priced row is in its scope


def test_a_credit_window_limits_what_it_pays():
    (got,) = drawdown(USAGE, [credit("oa", "100", providers=["openai"], to=dt.date(2026, 3, 3))],
                      TABLES)  # fmt: skip
    assert (got["covered_cost"], got["applied"]) == (D(80), D(80))


DISCOUNT = """
[[discount]]
name = "oa-20"
percent = "20"
providers = ["openai"]
from = 2025-01-01
source = "order form s.3"
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    path = terms_file(tmp_path_factory.mktemp("terms"), DISCOUNT)
    base = pipeline.run([SAMPLES], model_stats=False)
    return base, pipeline.run([SAMPLES], pricing_paths=[path], model_stats=False)


def test_pricing_rows_state_the_terms_their_list_cost_and_the_change(runs):
    base, discounted = runs
    keys = ["model_id", "price_period_from", "price_tier", "mods"]
    plain = pl.col("price_modifiers").cast(pl.String).fill_null("")
    without = plain.str.replace(r",?discount:oa-20", "").str.strip_chars(",")
    rates = discounted.rates.filter(pl.col("terms") != "").with_columns(mods=without)
    assert rates.height > 0
    assert (rates["terms"] == "discount:oa-20 (20% off; order form s.3)").all()
    # The cost at list is what the run without terms computed for the same rows.
    listed = base.rates.with_columns(mods=plain).select(*keys, base_cost="cost")
    both = rates.join(listed, on=keys, how="left", validate="1:1")
    assert (both["list_cost"] == both["base_cost"]).all()
    assert (both["cost"] == both["base_cost"] * D("0.8")).all()
    assert (both["terms_effect"] == both["cost"] - both["base_cost"]).all()
    untouched = discounted.rates.filter(pl.col("terms") == "")
    assert (untouched["terms_effect"] == 0).all()


def test_the_summary_states_each_terms_rows_and_cost(runs):
    base, discounted = runs
    (term,) = discounted.summary["pricing_terms"]
    openai = base.usage.filter(
        (pl.col("price_status") == "priced")
        & pl.col("price_file").cast(pl.String).str.contains("openai")
    )
    assert term["rows"] == openai["usage_row"].n_unique()
    assert term["list_cost"] == openai["cost"].sum()
    assert term["cost"] == openai["cost"].sum() * D("0.8")


def test_the_pricing_sheet_shows_the_terms_columns(runs, tmp_path):
    from openpyxl import load_workbook

    from costlens.reports.excel import write_workbook

    _, discounted = runs
    out = tmp_path / "r.xlsx"
    write_workbook(discounted, out)
    sheet = load_workbook(out, read_only=True)["Pricing"]
    header = next(sheet.iter_rows(values_only=True))
    assert {"Negotiated terms", "Cost at list", "Terms change"} <= set(header)


CREDIT = """
[[credit]]
name = "oa-startup"
amount = "100"
providers = ["openai"]
from = 2025-01-01
source = "credit grant email"
"""


def test_the_workbook_shows_the_terms_and_the_credit_day_by_day(runs, tmp_path):
    """Summary block and Credits sheet, checked against the run without terms: the credit pays
    the OpenAI rows' cost in date order until its $100 are used."""
    from openpyxl import load_workbook

    from costlens.reports.excel import write_workbook

    base, _ = runs
    path = terms_file(tmp_path, DISCOUNT, CREDIT)
    report = pipeline.run([SAMPLES], pricing_paths=[path], model_stats=False)
    out = tmp_path / "r.xlsx"
    write_workbook(report, out)
    book = load_workbook(out, read_only=True)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
    openai = base.usage.filter(
        (pl.col("price_status") == "priced")
        & pl.col("price_file").cast(pl.String).str.contains("openai")
    )
    listed, cent = openai["cost"].sum(), D("0.01")
    with_terms = listed * D("0.8")
    assert D(str(summary["  discount oa-20: cost at list"])) == listed.quantize(cent)
    assert D(str(summary["  discount oa-20: cost with the terms"])) == with_terms.quantize(cent)
    applied = min(D(100), with_terms)
    assert D(str(summary["  credit oa-startup: applied"])) == applied.quantize(cent)
    assert D(str(summary["  credit oa-startup: remaining"])) == (D(100) - applied).quantize(cent)
    days = list(book["Credits"].iter_rows(values_only=True))[1:]
    assert sum(D(str(d[3])) for d in days) == applied.quantize(cent)
    assert D(str(days[-1][4])) == (D(100) - applied).quantize(cent)
    per_day = openai.group_by(pl.col("period_start").dt.date()).agg(pl.col("cost").sum())
    assert len(days) == per_day.height
