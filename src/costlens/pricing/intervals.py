"""Interval joins: the table entry of a row's key in force at the row's time ``_at``.

An entry is in force on ``[_from, next _from of the same key)``. This replaces as-of joins,
which need both sides sorted on time and silently return wrong matches on unsorted input: an
equi-join on the key plus an interval filter gives the same answer whatever the row order.
"""

from __future__ import annotations

import polars as pl


def during(rows: pl.LazyFrame, table: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """Left-join to each row of ``rows`` (which has ``_in``, a unique row number, and ``_at``)
    the ``table`` entry of its ``key`` in force at ``_at``; no entry: the table's columns null.

    Each key's timeline is covered end to end (an empty entry before its first ``_from``), so
    the left equi-join on the key followed by the interval filter keeps exactly one row per
    input row. The match runs on a narrow frame; the entry's columns join back on its id.
    """
    spans = _spans(table, key)
    first = pl.col("_lo").is_null()
    inside = (pl.col("_lo") <= pl.col("_at")).fill_null(True) & (
        pl.col("_at") < pl.col("_hi")
    ).fill_null(True)
    keep = pl.col("_id").is_null() | pl.when(pl.col("_at").is_null()).then(first).otherwise(inside)
    hit = (
        rows.select("_in", key, "_at")
        .join(spans.select(key, "_lo", "_hi", "_id"), on=key, how="left", maintain_order="left")
        .filter(keep)
        .select("_in", "_id")
    )
    return (
        rows.join(hit, on="_in", how="left", maintain_order="left")
        .join(spans.drop(key, "_lo", "_hi"), on="_id", how="left", maintain_order="left")
        .drop("_id")
    )


def _spans(table: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """``table`` with ``[_lo, _hi)`` per entry (null: unbounded) and a leading empty entry per
    key whose other columns are null, so rows before a key's first entry match nothing."""
    entries = table.sort(key, "_from").with_columns(
        _lo=pl.col("_from"), _hi=pl.col("_from").shift(-1).over(key)
    )
    lead = entries.group_by(key).agg(_hi=pl.col("_from").min())
    both = pl.concat([entries, lead], how="diagonal_relaxed")
    return both.with_row_index("_id").drop("_from")
