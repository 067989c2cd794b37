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
from ..frames import ROW, Frame
from ..schema import TOKEN_BUCKETS
from . import engine, fallback
from .book import Book

PRICED_ROWS = {ROW: pl.Int64(), **schema.PRICED}
"""What ``price_rows`` gives: the priced rows with their input row id."""


def price(usage: pl.LazyFrame, book: Book, at: dt.datetime | None = None) -> pl.LazyFrame:
    """Price rows that state tokens (``engine.price``); money-only rows become ``billed``.

    Args:
        usage: rows following ``schema.USAGE``.
        book: the loaded price tables.
        at: reprice everything as of this instant instead of each row's own time.
    """
    schema.check(usage, schema.USAGE, "pricing input")
    rows = frames.lazy(usage)
    if ROW not in rows.collect_schema().names():  # rows enter here: number them
        rows = frames.row_index(rows)
    out = frames.to_lazy_polars(price_rows(rows, book, at))
    return schema.check(
        frames.to_schema(out, schema.PRICED, "pricing"), schema.PRICED, "pricing output"
    )


def price_rows(usage: Frame, book: Book, at: dt.datetime | None = None) -> Frame:
    """``price`` on either engine (``frames``): rows with their input row id ``frames.ROW`` in,
    priced rows with that id out (labels as text; polars: in id order)."""
    usage = frames.conform(usage, {ROW: pl.Int64(), **schema.USAGE}, "pricing input")
    billed_only = nw.all_horizontal(
        *[nw.col(b).is_null() for b in TOKEN_BUCKETS], ignore_nulls=False
    )
    tokens, money = usage.filter(~billed_only), usage.filter(billed_only)
    # Back in id order on polars (attribution's attach and splice read rows in that order).
    out = frames.union_in_order(engine.price(tokens, book, at), _billed(money, book), ROW)
    if book.fallback:  # third-party prices, only where the book has no model
        out = fallback.fill(out)
    return out


def _billed(usage: Frame, book: Book) -> Frame:
    """Money-only rows: no price applies, so every price column is null but the status."""
    stated = {"price_status": nw.lit("billed"), "pricing_version": nw.lit(book.version)}
    nulls = {c: nw.lit(None) for c in schema.PRICE_COLUMNS if c not in stated}
    cols = {c: e.cast(frames.dtype(schema.PRICE_COLUMNS[c])) for c, e in (nulls | stated).items()}
    return frames.conform(usage.with_columns(**cols), PRICED_ROWS, "pricing (billed rows)")
