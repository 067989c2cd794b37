"""The pricing stage's entry point: the money-only split, then the engine.

A row with no token count at all states only money (a cost report line, a SWE-agent total): it
is not priced (``price_status = 'billed'``, ``cost`` null), so it never adds $0 to the computed
total; its ``billed_cost`` is reported beside that total. Every caller prices through here, so
no command can skip the split.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from .. import schema
from ..schema import TOKEN_BUCKETS
from . import engine, fallback
from .book import Book


def price(usage: pl.LazyFrame, book: Book, at: dt.datetime | None = None) -> pl.LazyFrame:
    """Price rows that state tokens (``engine.price``); money-only rows become ``billed``.

    Args:
        usage: rows following ``schema.USAGE``.
        book: the loaded price tables.
        at: reprice everything as of this instant instead of each row's own time.
    """
    schema.check(usage, schema.USAGE, "pricing input")
    billed_only = pl.all_horizontal([pl.col(b).is_null() for b in TOKEN_BUCKETS])
    tokens, money = usage.filter(~billed_only), usage.filter(billed_only)
    priced = engine.price(tokens, book, at)
    if book.fallback:
        priced = fallback.fill(priced)  # third-party prices, only where the book has no model
    out = pl.concat([priced, _billed(money, book)])
    return schema.check(out, schema.PRICED, "pricing output")


def _billed(usage: pl.LazyFrame, book: Book) -> pl.LazyFrame:
    """Money-only rows: no price applies, so every price column is null but the status."""
    stated = {"price_status": pl.lit("billed"), "pricing_version": pl.lit(book.version)}
    nulls = {c: pl.lit(None) for c in schema.PRICE_COLUMNS if c not in stated}
    cols = {c: e.cast(schema.PRICE_COLUMNS[c]) for c, e in (nulls | stated).items()}
    return usage.with_columns(**cols).select(list(schema.PRICED))
