"""``costlens export``: the report's priced usage as an interchange dataset (FOCUS).

The same stages as ``report`` (``pipeline.read`` then ``pipeline.build``); when negotiated terms
are loaded, the read rows are also priced without them, which gives the list unit prices FOCUS
keeps beside the contracted ones. ``charges.charges`` cuts the result into FOCUS rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl

from . import charges, names, pipeline, pricing
from .errors import CostlensError
from .pricing.book import Book
from .results import Charges, Report


def focus(
    paths: Iterable[Path],
    runs: Iterable[Path] = (),
    *,
    pricing_paths: list[Path] | None = None,
    price_date: dt.datetime | None = None,
    strict: bool = False,
    fallback_prices: bool = False,
    billing_account: str = "unstated",
    tick: Callable[[Path], None] = lambda _: None,
) -> tuple[Report, Charges]:
    """Read, price and attribute like ``report``, then cut the usage into FOCUS charges.

    Raises:
        CostlensError: an input cannot be read, or ``strict`` and a row was rejected.
    """
    book = pricing.load(pricing_paths, fallback=fallback_prices)
    paths, runs = list(paths), list(runs)
    got = pipeline.read(paths, runs, tick)
    got = names.relative_to_roots(got, [*paths, *runs])
    listed = _list_priced(got.usage, book, price_date)
    report = pipeline.build(got, book=book, price_date=price_date, strict=strict)
    _check_aligned(report.usage, listed)
    out = charges.charges(report.usage, listed)
    return report, Charges(out.charges, out.omitted, out.summary, billing_account)


def _list_priced(usage: pl.DataFrame, book: Book, at: dt.datetime | None) -> pl.DataFrame | None:
    """The same rows priced with the tables alone (no negotiated terms); None without terms."""
    if not book.terms:
        return None
    plain = Book(book.sources)
    plain.fallback = book.fallback
    return pricing.price(usage.lazy(), plain, at).collect()


def _check_aligned(usage: pl.DataFrame, listed: pl.DataFrame | None) -> None:
    """Both pricings number the rows alike (``usage_row``); say so loudly if they ever do not."""
    if listed is None:
        return
    rows = usage.filter(pl.col("part") == 1).sort("usage_row")
    same = rows.height == listed.height and rows["model"].equals(listed["model"], null_equal=True)
    if not same:
        raise CostlensError("internal: list and contracted pricing disagree on rows; report this")
