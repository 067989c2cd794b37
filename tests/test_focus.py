"""``costlens export focus``: a FOCUS 1.4 Cost and Usage dataset.

``rule_failures`` checks the dataset against the column requirements of the FOCUS working
draft after 1.4 (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, specification/datasets/
cost_and_usage: dataset.md and columns/*.md), read rule by rule: presence, nullability, allowed
values, unit and date formats, the cost = unit price x pricing quantity identities, the
SkuPriceDetails key rules. The focus-validator package cannot check 1.4 here (its only
version for Python 3.11, 1.0.0, knows FOCUS 0.5 / 1.0-preview / 1.0; docs/focus.md).
Expected money is computed by hand from pricing/anthropic.toml and bedrock.toml.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal as D

import polars as pl
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES

from costlens import exports
from costlens.cli import cli
from costlens.reports.focus import focus_frame, write_focus

ONE = FIXTURES / "claude_code" / "one_response.jsonl"

MANDATORY = (
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "HostProviderName",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ServiceCategory",
    "ServiceName",
    "ServiceProviderName",
)
"""dataset.md: "CostAndUsage MUST include ..." without a condition."""
UNIT_PRICING = ("SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "ListUnitPrice")
USAGE_MEASURED = ("ConsumedQuantity", "ConsumedUnit")
NOT_NULL = (
    "BilledCost",
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "HostProviderName",
    "InvoiceIssuerName",
    "ListCost",
    "ServiceCategory",
    "ServiceName",
    "ServiceProviderName",
    "ServiceSubcategory",
)
"""Columns whose page says "MUST NOT be null" (Allows nulls: False)."""
NOT_NULL_FOR_USAGE = (
    "PricingQuantity",
    "PricingUnit",
    "ListUnitPrice",
    "SkuId",
    "SkuPriceId",
    "ConsumedQuantity",
    "ConsumedUnit",
)
"""MUST NOT be null when ChargeCategory is "Usage" and ChargeClass is not "Correction"."""
ALLOWED = {
    "ChargeCategory": {"Usage", "Purchase", "Tax", "Credit", "Adjustment"},
    "ChargeFrequency": {"One-Time", "Recurring", "Usage-Based"},
    "ServiceCategory": {"AI and Machine Learning"},  # the one value costlens can mean
    "ServiceSubcategory": {"Generative AI"},  # child of "AI and Machine Learning"
}
FOCUS_KEYS = {
    "ModelDeveloper",
    "ModelFamily",
    "ModelId",
    "ModelVersion",
    "TokenCacheAction",
    "TokenDirection",
}
"""The SkuPriceDetails FOCUS-defined keys that can apply to a model's token price."""
UNIT = re.compile(r"^(\d+ )?[A-Z][A-Za-z]*s$")
"""Unit format: ``<plural-units>`` or ``<unit-quantity> <plural-units>``."""
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def rule_failures(csv: pl.DataFrame, no_terms: bool = True) -> list[str]:
    """Every requirement a FOCUS CSV (read as text) breaks, one line each; [] when none."""
    out = [f"missing {c}" for c in (*MANDATORY, *UNIT_PRICING, *USAGE_MEASURED) if c not in csv]
    custom = [c for c in csv.columns if c.startswith("x_")]
    first_custom = csv.columns.index(custom[0]) if custom else len(csv.columns)
    out += [f"{c} after a custom column" for c in csv.columns[first_custom:] if c not in custom]
    out += [f"{c} has nulls" for c in NOT_NULL if csv[c].null_count()]
    usage = csv.filter(pl.col("ChargeCategory") == "Usage", pl.col("ChargeClass").is_null())
    out += [f"{c} null on usage" for c in NOT_NULL_FOR_USAGE if usage[c].null_count()]
    out += [
        f"{c} value {v!r}"
        for c, ok in ALLOWED.items()
        for v in csv[c].drop_nulls().unique()
        if v not in ok
    ]
    out += [f"ChargeClass {v!r}" for v in csv["ChargeClass"].drop_nulls() if v != "Correction"]
    out += [
        f"BillingCurrency {v!r}" for v in csv["BillingCurrency"] if not re.match(r"^[A-Z]{3}$", v)
    ]
    for c in ("PricingUnit", "ConsumedUnit"):
        out += [f"{c} {v!r}" for v in csv[c].drop_nulls().unique() if not UNIT.match(v)]
    out += _times(csv) + _money(csv, no_terms) + _details(csv) + _json(csv, "Tags")
    return out


def _times(csv: pl.DataFrame) -> list[str]:
    cols = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
    out = [f"{c} {v!r}" for c in cols for v in csv[c].unique() if not TIME.match(v)]
    # ISO text in UTC sorts as time: the end bound is exclusive and after the start.
    out += ["ChargePeriodEnd <= start"] * (csv["ChargePeriodEnd"] <= csv["ChargePeriodStart"]).sum()
    inside = (csv["BillingPeriodStart"] <= csv["ChargePeriodStart"]) & (
        csv["ChargePeriodEnd"] <= csv["BillingPeriodEnd"]
    )
    return out + ["charge period outside its billing period"] * (~inside).sum()


def _money(csv: pl.DataFrame, no_terms: bool) -> list[str]:
    out = []
    for r in csv.iter_rows(named=True):
        q = D(r["PricingQuantity"])
        if D(r["ListCost"]) != D(r["ListUnitPrice"]) * q:
            out.append(f"ListCost != ListUnitPrice x PricingQuantity: {r['SkuPriceId']}")
        if D(r["ContractedCost"]) != D(r["ContractedUnitPrice"]) * q:
            out.append(
                f"ContractedCost != ContractedUnitPrice x PricingQuantity: {r['SkuPriceId']}"
            )
        if D(r["ListUnitPrice"]) < 0:
            out.append("negative ListUnitPrice")
        if no_terms and D(r["ContractedCost"]) != D(r["ListCost"]):
            out.append("ContractedCost != ListCost with no negotiated terms")
        # No commitment programs: EffectiveCost MUST match BilledCost.
        if D(r["EffectiveCost"]) != D(r["BilledCost"]):
            out.append("EffectiveCost != BilledCost")
    return out


def _details(csv: pl.DataFrame) -> list[str]:
    out = _json(csv, "SkuPriceDetails")
    parents = csv.group_by("SkuPriceId").agg(
        pl.col("SkuId").n_unique(), details=pl.col("SkuPriceDetails").n_unique()
    )
    out += [f"{r[0]}: {r[1]} SkuIds" for r in parents.iter_rows() if r[1] != 1]
    out += [f"{r[0]}: {r[2]} SkuPriceDetails" for r in parents.iter_rows() if r[2] != 1]
    for text, meter in csv.select("SkuPriceDetails", "SkuMeter").unique().iter_rows():
        d = json.loads(text)
        out += [f"key {k}" for k in d if k not in FOCUS_KEYS and not k.startswith("x_")]
        if d.get("TokenCacheAction") not in (None, "Uncached", "Read", "Write", "Other"):
            out.append(f"TokenCacheAction {d['TokenCacheAction']!r}")
        if d.get("TokenDirection") not in (None, "Input", "Output"):
            out.append(f"TokenDirection {d['TokenDirection']!r}")
        # TokenCacheAction only on prices that meter tokens consumed from a request.
        if d.get("TokenDirection") == "Output" and "TokenCacheAction" in d:
            out.append(f"TokenCacheAction on output: {meter}")
    return out


def _json(csv: pl.DataFrame, col: str) -> list[str]:
    out = []
    for text in csv[col].drop_nulls().unique():
        try:
            ok = isinstance(json.loads(text), dict)
        except ValueError:
            ok = False
        out += [] if ok else [f"{col} not a JSON object: {text!r}"]
    return out


def read_csv(path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def test_one_response_by_hand(tmp_path):
    """5 lines of one response (one usage row): 3 input, 13,835 cache-write 1h, 11,515
    cache-read, 13 output tokens of claude-opus-4-6 on 2026-02-10 (rates 5 / 10 / 0.50 / 25
    per 1M tokens, anthropic.toml period from 2026-02-05)."""
    out = tmp_path / "focus.csv"
    result = CliRunner().invoke(cli, ["export", "focus", str(ONE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "4 FOCUS rows from 1 of 1 usage rows; ContractedCost 0.14 USD (the report's computed "
        f"total), BilledCost 0.14\nWrote {out}\n"
    )
    csv = read_csv(out)
    assert rule_failures(csv) == []
    got = {r["SkuMeter"]: r for r in csv.iter_rows(named=True)}
    expect = {  # meter: (tokens, list unit price per 1M, cost = tokens x price / 1M)
        "Input Tokens": ("3", "5", "0.000015"),
        "Cache Write Input Tokens": ("13835", "10", "0.13835"),
        "Cache Read Input Tokens": ("11515", "0.5", "0.0057575"),
        "Output Tokens": ("13", "25", "0.000325"),
    }
    assert set(got) == set(expect)
    for meter, (tokens, price, cost) in expect.items():
        r = got[meter]
        assert r["ConsumedQuantity"] == tokens and r["ConsumedUnit"] == "Tokens"
        assert D(r["PricingQuantity"]) == D(tokens) / 1_000_000
        assert r["PricingUnit"] == "1000000 Tokens"
        assert D(r["ListUnitPrice"]) == D(r["ContractedUnitPrice"]) == D(price)
        for c in ("ListCost", "ContractedCost", "BilledCost", "EffectiveCost"):
            assert D(r[c]) == D(cost), (meter, c)
    assert sum(D(r["BilledCost"]) for r in got.values()) == D("0.1444475")
    write = got["Cache Write Input Tokens"]
    assert write["SkuId"] == "anthropic/claude-opus-4-6/cache-write"
    assert write["SkuPriceId"] == "anthropic/claude-opus-4-6/cache-write/1h/base"
    assert json.loads(write["SkuPriceDetails"]) == {
        "ModelId": "claude-opus-4-6",
        "ModelDeveloper": "Anthropic",
        "TokenDirection": "Input",
        "TokenCacheAction": "Write",
        "x_CacheLifetime": "1h",
        "x_PriceTier": "base",
    }
    assert "TokenCacheAction" not in json.loads(got["Output Tokens"]["SkuPriceDetails"])
    assert {
        k: write[k]
        for k in ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd")
    } == {
        "ChargePeriodStart": "2026-02-10T00:00:00Z",
        "ChargePeriodEnd": "2026-02-11T00:00:00Z",
        "BillingPeriodStart": "2026-02-01T00:00:00Z",
        "BillingPeriodEnd": "2026-03-01T00:00:00Z",
    }
    assert (write["ServiceProviderName"], write["HostProviderName"]) == ("Anthropic", "Anthropic")
    assert (write["InvoiceIssuerName"], write["ServiceName"]) == ("Anthropic", "Claude API")
    assert write["BillingAccountId"] == "unstated" and write["ChargeClass"] is None
    assert write["x_CostSource"] == "computed" and write["x_ReportedModel"] == "claude-opus-4-6"
    assert not (tmp_path / "focus.not-exported.csv").exists()


def test_negotiated_discount_is_contracted_cost_and_list_cost_stays(tmp_path):
    terms = tmp_path / "terms.toml"
    terms.write_text(
        'schema_version = 1\nterms = "Acme"\n[[discount]]\nname = "acme-20"\npercent = "20"\n'
        'providers = ["anthropic"]\nfrom = 2026-01-01\nsource = "order form"\n'
    )
    _, ch = exports.focus([ONE], pricing_paths=[terms])
    f = focus_frame(ch)
    # List: 0.1444475 (by hand above); contracted: 20% off each unit price.
    assert f["ListCost"].sum() == D("0.1444475")
    assert f["ContractedCost"].sum() == D("0.1155580")
    assert f["BilledCost"].sum() == D("0.1155580")
    row = f.filter(pl.col("SkuMeter") == "Output Tokens").row(0, named=True)
    assert (row["ListUnitPrice"], row["ContractedUnitPrice"]) == (D(25), D(20))
    assert row["x_NegotiatedTerms"] == "discount:acme-20"
    assert row["SkuPriceId"] == "anthropic/claude-opus-4-6/output/base"  # terms: same price id
    out = tmp_path / "f.csv"
    write_focus(ch, out)
    assert rule_failures(read_csv(out), no_terms=False) == []


def test_unpriced_usage_is_listed_beside_the_dataset_never_written_as_zero(tmp_path):
    log = tmp_path / "s.jsonl"
    log.write_text(ONE.read_text().replace("claude-opus-4-6", "claude-mystery-9"))
    out = tmp_path / "focus.csv"
    result = CliRunner().invoke(cli, ["export", "focus", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    beside = tmp_path / "focus.not-exported.csv"
    assert result.output == (
        "0 FOCUS rows from 0 of 1 usage rows; ContractedCost 0.00 USD (the report's computed "
        "total), BilledCost 0.00\n"
        f"1 usage rows not exported (1 unpriced, 0 money only, 0 with no tokens): listed in "
        f"{beside}\nWrote {out}\n"
    )
    assert read_csv(out).height == 0
    left = read_csv(beside)
    assert left.height == 1
    row = left.row(0, named=True)
    assert row["model"] == "claude-mystery-9" and row["reason"].startswith("unpriced: ")
    assert (row["input_uncached"], row["cache_read"], row["output"]) == ("3", "11515", "13")


def test_a_billing_line_states_billed_cost_and_the_book_the_list_cost(tmp_path):
    """CUR 2.0 line li-0001: 23.000 K input tokens of Claude Sonnet 4.6 billed 0.069000 USD
    (the file's own amount); its list cost comes from bedrock.toml."""
    _, ch = exports.focus([FIXTURES / "aws_cur" / "cur2-bedrock.csv"])
    out = tmp_path / "cur.csv"
    write_focus(ch, out)
    csv = read_csv(out)
    assert rule_failures(csv, no_terms=False) == []
    stated = csv.filter(pl.col("x_CostSource") == "stated")
    first = stated.filter(pl.col("ConsumedQuantity") == "23000").row(0, named=True)
    assert D(first["BilledCost"]) == D(first["EffectiveCost"]) == D("0.069")
    assert first["ServiceName"] == "Amazon Bedrock"
    assert first["ServiceProviderName"] == "Amazon Web Services"
    assert json.loads(first["Tags"])["user_task"] == "swe-123"


@pytest.fixture(scope="module")
def samples():
    return exports.focus([SAMPLES / "bundle", SAMPLES / "billing"])


def test_samples_pass_the_column_rules_and_add_up_to_the_report(tmp_path, samples):
    report, ch = samples
    out = tmp_path / "focus.csv"
    write_focus(ch, out)
    csv = read_csv(out)
    assert rule_failures(csv) == []
    # Every usage row of the input is exported (all are priced in the samples).
    assert (
        ch.summary["usage_rows"]
        == ch.summary["exported_rows"]
        == report.usage["usage_row"].n_unique()
    )
    total = sum(D(v) for v in csv["ContractedCost"])
    assert total == report.summary["total_cost"]
    # The Claude Code tokens per model equal samples/README.md's "Expected token totals".
    cc = csv.filter(pl.col("x_SourceFormat") == "claude-code", pl.col("ConsumedUnit") == "Tokens")
    per = cc.group_by("x_ReportedModel", "SkuPriceId").agg(
        pl.col("ConsumedQuantity").cast(pl.Int64).sum()
    )
    kind = pl.col("SkuPriceId").str.split("/").list.get(2) + pl.col("SkuPriceId").str.extract(
        "/(5m|1h)/"
    ).fill_null("")
    got = {
        (m, k): n
        for m, k, n in per.with_columns(kind=kind)
        .group_by("x_ReportedModel", "kind")
        .agg(pl.col("ConsumedQuantity").sum())
        .iter_rows()
    }
    readme = {
        "claude-sonnet-4-5-20250929": (3_206, 24_186_232, 589_785, 1_339_272, 319_691),
        "claude-opus-4-5-20251101": (2_701, 17_380_920, 358_557, 980_041, 260_673),
        "claude-haiku-4-5-20251001": (8_349, 0, 0, 0, 1_003),
    }
    kinds = ("input", "cache-read", "cache-write5m", "cache-write1h", "output")
    for model, counts in readme.items():
        for k, n in zip(kinds, counts, strict=True):
            assert got.get((model, k), 0) == n, (model, k)
    # Task ids from the run log are in Tags and x_TaskId.
    tagged = csv.filter(pl.col("x_TaskId").is_not_null())
    assert tagged.height > 0
    assert all(
        json.loads(t)["costlens/task"] == k
        for t, k in tagged.select("Tags", "x_TaskId").iter_rows()
    )


def test_parquet_keeps_types(tmp_path, samples):
    _, ch = samples
    out = tmp_path / "focus.parquet"
    write_focus(ch, out)
    back = pl.read_parquet(out)
    assert back.schema["BilledCost"] == pl.Decimal(38, 12)
    assert back.schema["ChargePeriodStart"] == pl.Datetime("us", "UTC")
    assert back["BilledCost"].sum() == sum(D(v) for v in read_csv_of(ch, tmp_path)["BilledCost"])


def read_csv_of(ch, tmp_path) -> pl.DataFrame:
    out = tmp_path / "again.csv"
    write_focus(ch, out)
    return read_csv(out)


def test_output_must_be_csv_or_parquet(tmp_path):
    out = tmp_path / "focus.xlsx"
    result = CliRunner().invoke(cli, ["export", "focus", str(ONE), "-o", str(out)])
    assert result.exit_code == 4  # an output that cannot be written (docs/errors.md)
    assert result.output == f"Error: {out}: name a .csv or .parquet file for the dataset\n"
