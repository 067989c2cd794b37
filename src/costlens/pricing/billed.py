"""The pricing stage's entry point: the money-only split, then the engine.

A row with no token count at all states only money (a cost report line, a SWE-agent total): it
is not priced (``price_status = 'billed'``, ``cost`` null), so it never adds $0 to the computed
total; its ``billed_cost`` is reported beside that total. Every caller prices through here, so
no command can skip the split.
"""

from __future__ import annotations

import datetime as dt

import narwhals as nw
import polars as pl

from .. import frames, schema
from ..frames import Frame
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
    out = frames.to_lazy_polars(price_rows(frames.lazy(usage), book, at))
    return schema.check(
        frames.to_schema(out, schema.PRICED, "pricing"), schema.PRICED, "pricing output"
    )


def price_rows(usage: Frame, book: Book, at: dt.datetime | None = None) -> Frame:
    """``price`` on either engine (``frames``): priced rows with labels as text."""
    usage = frames.conform(usage, schema.USAGE, "pricing input")
    billed_only = nw.all_horizontal(
        *[nw.col(b).is_null() for b in TOKEN_BUCKETS], ignore_nulls=False
    )
    tokens, money = usage.filter(~billed_only), usage.filter(billed_only)
    priced = engine.price(tokens, book, at).drop("_in")
    out = nw.concat([priced, _billed(money, book)])
    if book.fallback:  # third-party prices, only where the book has no model
        out = fallback.fill(out)
    return out


def _billed(usage: Frame, book: Book) -> Frame:
    """Money-only rows: no price applies, so every price column is null but the status."""
    stated = {"price_status": nw.lit("billed"), "pricing_version": nw.lit(book.version)}
    nulls = {c: nw.lit(None) for c in schema.PRICE_COLUMNS if c not in stated}
    cols = {c: e.cast(frames.dtype(schema.PRICE_COLUMNS[c])) for c, e in (nulls | stated).items()}
    return frames.conform(usage.with_columns(**cols), schema.PRICED, "pricing (billed rows)")
