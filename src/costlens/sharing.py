"""Split one usage row into weighted parts that add up exactly (largest remainder, vectorised).

An aggregated report row (a day of one key's traffic) may be shared out across several attempts.
Each part gets ``value * weight / total`` rounded *down* in the column's smallest unit (one token,
or 1e-12 of a currency unit for money), and the units left over go one each to the parts with the
largest remainders (ties to the lower part number). The parts of a row therefore sum to the row
exactly, in integers and in Decimal, which is what keeps attributed + unattributed = total.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from .schema import MONEY

_SCALE = 10**12
"""Units per currency unit at ``MONEY``'s 12 decimal places."""
_UNIT = Decimal(1) / _SCALE


def split_int(col: str, row: str, weight: str, total: str, part: str) -> pl.Expr:
    """``col`` (integer) of a row shared in proportion ``weight / total``, summing exactly.

    Args:
        col: the integer column to share.
        row: the column identifying the source row (parts of one row share it).
        weight: this part's integer weight (>= 0).
        total: the row's total weight (> 0), the same on every part of the row.
        part: the part number, used to break ties between equal remainders.
    """
    return _split(pl.col(col).cast(pl.Int128), row, weight, total, part).cast(pl.Int64)


def split_money(col: str, row: str, weight: str, total: str, part: str) -> pl.Expr:
    """Like ``split_int`` for a ``MONEY`` column, in units of 1e-12 (null stays null)."""
    units = (pl.col(col) * _SCALE).cast(pl.Int128)
    shared = _split(units, row, weight, total, part)
    return (shared.cast(pl.Decimal(38, 0)).cast(MONEY) * pl.lit(_UNIT, MONEY)).cast(MONEY)


def _split(value: pl.Expr, row: str, weight: str, total: str, part: str) -> pl.Expr:
    product = value * pl.col(weight).cast(pl.Int128)
    total_w = pl.col(total).cast(pl.Int128)
    floor = product // total_w  # floor division: also right for negative amounts (credits)
    remainder = product - floor * total_w
    left_over = value - floor.sum().over(row)
    order = pl.struct(total_w - remainder, pl.col(part)).rank("ordinal").over(row)  # rem desc
    return floor + (order <= left_over).cast(pl.Int128)
