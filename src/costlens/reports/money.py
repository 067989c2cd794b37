"""Rounding, done once and only here: half-even, cents for totals, 6 places per request.

``allocate`` rounds a set of parts so they add up exactly to their rounded total (largest
remainder), which keeps every sheet's parts summing to its total to the cent.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
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
    if target is None:
        target = cast(Decimal, rounded(sum(parts, Decimal(0)), quantum))
    floors = [p.quantize(quantum, rounding=ROUND_FLOOR) for p in parts]
    left = int((target - sum(floors, Decimal(0))) / quantum)
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += quantum
    return floors


def round_columns(df: pl.DataFrame, cols: list[str], quantum: Decimal = CENT) -> pl.DataFrame:
    """Round Decimal money columns for display: half-even (polars' Decimal rounding), at the
    quantum's scale, so cents are typed and shown as cents."""
    places = -int(quantum.as_tuple().exponent)
    return df.with_columns(pl.col(c).round(places).cast(pl.Decimal(38, places)) for c in cols)
