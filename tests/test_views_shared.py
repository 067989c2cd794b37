"""A provider row shared across tasks counts its requests once in every view: attribution splits
``requests`` like the tokens (largest remainder), so the parts add up to the row.

The row states 7 requests; two attempts on its key share it by time (1 h and 2 h of the day)."""

from __future__ import annotations

import polars as pl
from conftest import usage_frame
from test_attribution import attempt, daily

from costlens import pricing, schema, views
from costlens.attribution import attribute


def _shared(book: pricing.Book) -> pl.DataFrame:
    runs = pl.LazyFrame(
        [attempt("T1", 1, 2, api_key="k1"), attempt("T2", 3, 5, api_key="k1")],
        schema=schema.RUNS,
    )
    priced = pricing.price(usage_frame(daily(requests=7)), book)
    return attribute(priced, runs, book.resolve).collect()


def test_shared_row_requests_are_split_not_repeated(book):
    got = _shared(book)
    assert got["task_id"].to_list() == ["T1", "T2"]
    assert got["requests"].to_list() == [2, 5]  # 7 x 1/3 and 7 x 2/3, largest remainder


def test_every_view_counts_the_shared_rows_requests_once(book):
    usage = _shared(book).lazy()
    for by in ("day", "week", "month", "key", "model"):
        view = views.usage_view(usage, by).collect()
        assert view["requests"].sum() == 7, by
        assert view["rows"].sum() == 1, by
