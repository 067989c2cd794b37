"""What the book cannot price in some inputs: one line per model, tier and month seen unpriced.

``costlens pricing coverage PATH...`` reads the inputs, prices them, and lists each gap with its
row count, its tokens and how to close it, so a team can run it in CI over its own exports and
tables (exit code 1 while anything is unpriced).
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from ..schema import TOKEN_BUCKETS

GAPS: dict[str, pl.DataType] = {
    "provider": pl.String(),
    "model": pl.String(),
    "service_tier": pl.String(),
    "month": pl.String(),
    "rows": pl.Int64(),
    "tokens": pl.Int64(),
    "reason": pl.String(),
    "fix": pl.String(),
}
"""One gap: the reported name, tier and month, how much usage it holds, why and how to fix."""

_FIXES = [
    ("unknown model", "add a [[model]] (or an alias of a priced model) to {table}"),
    ("names no model", "add an [[alias.target]] covering {m} to the moving alias"),
    ("no price for service tier", "add a [[modifier]] with when = {{ service_tier = ... }}"),
    ("do not combine", "add one [[modifier.override]] with the combined published rates"),
    ("several modifiers", "add one [[modifier.override]] with the combined published rates"),
    ("no model named", "the source row names no model: fix the export or the reader"),
    ("no price for", "add a [[model.period]] covering {m}"),
    ("rate for", "give that bucket a rate (or an override) for the period"),
]
"""Reason text (``engine._unpriced_reason``) -> what to add; first match wins."""


def gaps(priced: pl.LazyFrame, providers: Collection[str] = ()) -> pl.DataFrame:
    """Unpriced rows of a priced frame, grouped by (provider, model, service tier, month).

    ``providers`` are the book's table names: a gap of one names its file in the fix.
    """
    unpriced = priced.filter(pl.col("price_status") == "unpriced")
    keyed = unpriced.with_columns(
        _name=pl.coalesce("model_canonical", "model"),
        month=pl.col("period_start").dt.strftime("%Y-%m"),
        _tokens=pl.sum_horizontal(*TOKEN_BUCKETS),
        # Dates inside the reason text differ row by row: group on its first words.
        _reason=pl.col("unpriced_reason").str.replace(r" at \d{4}-\d\d-\d\d .*$", ""),
    )
    grouped = (
        keyed.group_by("provider", "_name", "service_tier", "month", "_reason")
        .agg(rows=pl.len(), tokens=pl.col("_tokens").sum())
        .rename({"_name": "model", "_reason": "reason"})
        .sort("provider", "model", "service_tier", "month", nulls_last=True)
        .collect()
    )
    fixes = [_fix(r, providers) for r in grouped.iter_rows(named=True)]
    return grouped.with_columns(fix=pl.Series(fixes, dtype=pl.String)).select(list(GAPS))


def _fix(row: dict, providers: Collection[str]) -> str:
    reason = row["reason"] or ""
    p = row["provider"]
    table = f"pricing/{p}.toml" if p in providers else "the model vendor's table"
    for words, text in _FIXES:
        if words in reason:
            return text.format(table=table, m=row["month"]) + " (or a --pricing file)"
    return "see the reason"
