"""Prepaid credits drawn down over time: each credit pays for usage in date order until used.

A credit of ``amount`` covers the priced rows of its providers in ``[from, to)``, earliest
first, until the amount is used; what is left is its ``remaining``. Overlapping credits never
pay for the same cost twice: they are drawn one after another, the one whose window ends first
(then file order), each taking only what earlier credits left. The draw-down is reported per
UTC day, so a month's statement can show the balance falling and the day it ran out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from ..errors import PricingError
from ..schema import MONEY
from .format import as_utc

if TYPE_CHECKING:
    from .terms import Credit

_TIME = pl.Datetime("us", "UTC")
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


def drawdown(usage: pl.DataFrame, credits: list[Credit], table_of: dict[str, str]) -> list[dict]:
    """Per credit (in the order it is drawn): amount, covered cost, applied, remaining, the day
    it was used up (or None) and the per-day draw-down. ``usage`` is the priced usage table."""
    rows = usage.select("period_start", "model_id", "cost", "cost_currency", "price_status")
    rows = rows.sort("period_start", maintain_order=True).with_columns(_priced=_zero_unpriced())
    rows = rows.with_columns(_left=pl.col("_priced"))
    out = []
    for c in sorted(credits, key=lambda c: as_utc(c.to) if c.to else _FAR):
        hit = _scope(c, table_of)
        _same_currency(rows.filter(hit & (pl.col("price_status") == "priced")), c)
        rows = rows.with_columns(_take=_taken(hit, c.amount))
        out.append(_statement(rows, hit, c))
        rows = rows.with_columns(_left=pl.col("_left") - pl.col("_take"))
    return out


def _zero_unpriced() -> pl.Expr:
    priced = pl.col("price_status") == "priced"
    return pl.when(priced).then(pl.col("cost")).otherwise(pl.lit(0, MONEY)).cast(MONEY)


def _scope(c: Credit, table_of: dict[str, str]) -> pl.Expr:
    ids = [m for m, p in table_of.items() if not c.providers or p in c.providers]
    hit = pl.col("model_id").is_in(ids) & (pl.col("period_start") >= pl.lit(as_utc(c.from_), _TIME))
    if c.to is not None:
        hit = hit & (pl.col("period_start") < pl.lit(as_utc(c.to), _TIME))
    return hit.fill_null(False)


def _same_currency(covered: pl.DataFrame, c: Credit) -> None:
    if covered.filter(pl.col("cost_currency") != c.currency).height:
        raise PricingError(f"credit {c.name}: in {c.currency}, but usage is priced in another")


def _taken(hit: pl.Expr, amount: Decimal) -> pl.Expr:
    """What this credit pays of each row: the running total of what is left, capped."""
    want = pl.when(hit).then(pl.col("_left")).otherwise(pl.lit(0, MONEY))
    cum = want.cum_sum()
    cap = pl.lit(amount, MONEY)
    return (pl.min_horizontal(cum, cap) - pl.min_horizontal(cum - want, cap)).cast(MONEY)


def _statement(rows: pl.DataFrame, hit: pl.Expr, c: Credit) -> dict:
    scoped = rows.filter(hit)
    days = (
        scoped.group_by(date=pl.col("period_start").dt.date(), maintain_order=True)
        .agg(cost=pl.col("_priced").sum(), applied=pl.col("_take").sum())
        .with_columns(balance=pl.lit(c.amount, MONEY) - pl.col("applied").cum_sum())
    )
    applied = Decimal(days["applied"].sum() or 0)
    used_up = days.filter(pl.col("balance") == 0)["date"]
    return {
        "name": c.name,
        "amount": c.amount,
        "currency": c.currency,
        "covered_cost": Decimal(days["cost"].sum() or 0),
        "applied": applied,
        "remaining": c.amount - applied,
        "used_up_on": used_up[0].isoformat() if len(used_up) else None,
        "unpriced_rows": scoped.filter(pl.col("price_status") != "priced").height,
        "drawdown": [_day(d) for d in days.iter_rows(named=True)],
        "source": c.source,
    }


def _day(d: dict) -> dict:
    return {"date": d["date"].isoformat(), "cost": d["cost"], "applied": d["applied"],
            "balance": d["balance"]}  # fmt: skip
