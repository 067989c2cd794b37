"""Small builders shared by the tests: canonical usage rows made in code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from costlens import pricing, schema

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = ROOT / "samples"


def usage_row(**values) -> dict:
    """One canonical usage row: a single request on 2025-12-01, zero tokens unless given."""
    row = {c: None for c in schema.USAGE}
    row.update(
        source_format="test",
        source_file="test.jsonl",
        source_line=1,
        provider="anthropic",
        period_start=dt.datetime(2025, 12, 1, 12, tzinfo=dt.UTC),
        aggregated=False,
        batch=False,
        requests=1,
        **{b: 0 for b in schema.TOKEN_BUCKETS},
        reasoning=0,
        web_search=0,
        ttl_assumed=False,
    )
    row.update(values)
    row["period_end"] = row["period_end"] or row["period_start"]
    return row


def usage_frame(*rows: dict) -> pl.LazyFrame:
    return pl.LazyFrame(list(rows), schema=schema.USAGE)


@pytest.fixture(scope="session")
def book() -> pricing.Book:
    return pricing.load()


def price_one(book: pricing.Book, **values) -> dict:
    """Price a single usage row and return the priced row as a dict."""
    return pricing.price(usage_frame(usage_row(**values)), book).collect().row(0, named=True)
