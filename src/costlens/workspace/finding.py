"""What reconcile reports, and the tolerance test every comparison uses."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from ..schema import MONEY

CENT = Decimal("0.01")
"""Absolute floor of the tolerance: bills are stated to the cent (or finer)."""


def outside(diff: str, billed: str, tolerance: Decimal) -> pl.Expr:
    """``|diff| > max(tolerance x |billed|, 1 cent)``."""
    allowed = pl.max_horizontal(
        pl.col(billed).abs() * pl.lit(tolerance, MONEY), pl.lit(CENT, MONEY)
    )
    return pl.col(diff).abs() > allowed


def dsum(s: pl.Series) -> Decimal:
    total = s.drop_nulls().sum()
    return Decimal(total) if total is not None else Decimal(0)


def money(v: Decimal | None) -> str:
    """Display only (messages): dollars to the cent."""
    return f"${(v or Decimal(0)).quantize(CENT)}"


def signed(v: Decimal) -> str:
    return ("+" if v >= 0 else "-") + f"${abs(v).quantize(CENT)}"
