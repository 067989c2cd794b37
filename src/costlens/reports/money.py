"""Rounding, done once and only here: half-even, cents for totals, 6 places per request.

``allocate`` rounds a set of parts so they add up exactly to their rounded total (largest
remainder), which keeps every sheet's parts summing to its total to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import cast

import polars as pl

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")


def rounded(value: Decimal | None, quantum: Decimal = CENT) -> Decimal | None:
    """``value`` rounded half-even to ``quantum`` (None stays None)."""
    return None if value is None else Decimal(value).quantize(quantum, rounding=ROUND_HALF_EVEN)


def allocate(
    parts: list[Decimal], quantum: Decimal = CENT, target: Decimal | None = None
) -> list[Decimal]:
    """Round ``parts`` so their sum equals ``rounded(sum(parts))`` (or ``target``) exactly.

    Each part is floored to the quantum; the units left over go to the parts with the largest
    remainders (ties to the earlier part), the Hamilton method. ``target`` (a multiple of the
    quantum within one quantum per part of the exact sum) lets a breakdown match a total that
    was itself allocated elsewhere.
    """
    series = pl.Series(parts, dtype=pl.Decimal(38, 12))
    return allocate_series(series, quantum, target).to_list()


_UNITS = 10**12
"""Units of 1e-12 per currency unit (the 12 places of money)."""


def allocate_series(
    parts: pl.Series, quantum: Decimal = CENT, target: Decimal | None = None
) -> pl.Series:
    """``allocate`` over a money Series, vectorised (a Tasks sheet has 100,000 parts): in integer
    units of 1e-12, floors, then one quantum more for the ``left`` largest remainders."""
    q = pl.lit(int(quantum * _UNITS), pl.Int128)
    units = (pl.col("p").cast(pl.Decimal(38, 12)).fill_null(0) * _UNITS).cast(pl.Int128)
    df = pl.DataFrame({"p": parts}).select(
        u=units, f=units // q * q, i=pl.int_range(pl.len(), dtype=pl.Int64)
    )
    if target is None:
        exact = Decimal(int(df["u"].sum())) / _UNITS
        target = cast(Decimal, rounded(exact, quantum))
    left = (int(target * _UNITS) - int(df["f"].sum())) // int(quantum * _UNITS)
    n = df.height
    take = left if left >= 0 else max(n + left, 0)  # as a slice [:left] would
    rank = pl.col("i").sort_by(pl.col("u") - pl.col("f"), pl.col("i"), descending=[True, False])
    bumped = df.select(rank.head(take).alias("i")).with_columns(b=pl.lit(True))
    out = (
        df.join(bumped, on="i", how="left")
        .sort("i")
        .select(
            pl.when(pl.col("b")).then(pl.col("f") + q).otherwise("f").cast(pl.Decimal(38, 0))
            * pl.lit(Decimal(1) / _UNITS, pl.Decimal(38, 12))
        )
    )
    places = -int(quantum.as_tuple().exponent)  # type: ignore[operator]
    return out.to_series().cast(pl.Decimal(38, places)).alias(parts.name)


def round_columns(df: pl.DataFrame, cols: list[str], quantum: Decimal = CENT) -> pl.DataFrame:
    """Round Decimal money columns for display: half-even (polars' Decimal rounding), at the
    quantum's scale, so cents are typed and shown as cents."""
    places = -int(quantum.as_tuple().exponent)
    return df.with_columns(pl.col(c).round(places).cast(pl.Decimal(38, places)) for c in cols)
