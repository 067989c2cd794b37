"""Price canonical usage rows: resolve the model, pick the period in force, apply the
whole-request cliff and modifiers, and compute cost per bucket in Decimal.

Everything per row is a polars expression: periods are found with an as-of join on time, and
Python only runs once per distinct model name or price period.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from decimal import Decimal

import polars as pl

from .. import schema
from ..schema import MONEY, TOKEN_BUCKETS
from .book import BUCKETS, Book, Model, ProviderFile, as_utc

RATE_FOR = dict(zip(TOKEN_BUCKETS, BUCKETS, strict=True))
"""Canonical token bucket -> rate name (``input_uncached`` is priced at ``input``)."""

PRICED: dict[str, pl.DataType] = {
    **schema.USAGE,
    "model_id": pl.String(),
    "price_status": pl.String(),
    "unpriced_reason": pl.String(),
    "price_period_from": schema.UTC_TIME,
    "price_source": pl.String(),
    "price_tier": pl.String(),
    "price_modifiers": pl.String(),
    "cliff_unchecked": pl.Boolean(),
    **{f"cost_{b}": MONEY for b in TOKEN_BUCKETS},
    "cost": MONEY,
    "cost_currency": pl.String(),
    "pricing_version": pl.String(),
}
"""Usage plus its price provenance and cost. ``cost`` is null exactly when unpriced."""

_MILLION = Decimal(1_000_000)


def price(usage: pl.LazyFrame, book: Book, at: dt.datetime | None = None) -> pl.LazyFrame:
    """Price every usage row; rows that cannot be priced get ``price_status = 'unpriced'``.

    Args:
        usage: rows following ``schema.USAGE``.
        book: the loaded price tables.
        at: reprice everything as of this instant instead of each row's own time.
    """
    schema.check(usage, schema.USAGE, "pricing input")
    names = usage.select("model").unique().collect()["model"].to_list()
    resolved = pl.LazyFrame(
        {"model": names, "model_id": [book.resolve(n or "") for n in names]},
        schema={"model": pl.String, "model_id": pl.String},
    )
    when = pl.lit(at, schema.UTC_TIME) if at else pl.col("period_start")
    rows = (
        usage.join(resolved, on="model", how="left", nulls_equal=True)
        .with_columns(_at=when)
        .sort("_at")
        .join_asof(
            _periods(book).sort("p_from"),
            left_on="_at",
            right_on="p_from",
            by="model_id",
            check_sortedness=False,
        )
    )
    rows = rows.with_columns(_reason=_unpriced_reason(book), _tier=_tier_switch())
    rows = rows.with_columns(_modifier_scales(book))
    return _costs(rows, book.version)


def _periods(book: Book) -> pl.LazyFrame:
    """One row per (model, period): boundaries, provenance and per-token rates."""
    records = [_period_row(f, m, i) for f, m in book.models.values() for i in range(len(m.period))]
    rate_cols = {f"r_{b}": MONEY for b in BUCKETS} | {f"t_{b}": MONEY for b in BUCKETS}
    return pl.LazyFrame(
        records,
        schema={
            "model_id": pl.String,
            "p_from": schema.UTC_TIME,
            "p_to": schema.UTC_TIME,
            "p_source": pl.String,
            "p_currency": pl.String,
            "t_above": pl.Int64,
            "t_ge": pl.Boolean,
            **rate_cols,
        },
        orient="row",
    )


def _period_row(f: ProviderFile, m: Model, i: int) -> tuple:
    p = m.period[i]
    end = as_utc(p.to) if p.to else (m.period[i + 1].start if i + 1 < len(m.period) else None)
    tier = p.tier[0] if p.tier else None
    tier_rates = [_per_token(getattr(tier.rates, b)) if tier else None for b in BUCKETS]
    return (
        m.id,
        p.start,
        end,
        p.source,
        f.currency,
        tier.input_total_above if tier else None,
        tier.compare == ">=" if tier else None,
        *[_per_token(getattr(p.rates, b)) for b in BUCKETS],
        *tier_rates,
    )


def _per_token(per_million: Decimal) -> Decimal:
    return per_million / _MILLION


def _unpriced_reason(book: Book) -> pl.Expr:
    day = pl.col("_at").dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    odd_tier = pl.lit(False)
    for f in book.files.values():
        ids = [m.id for m in f.model]
        tier = pl.col("service_tier")
        odd_tier = odd_tier | (
            pl.col("model_id").is_in(ids) & ~tier.is_in(f.known_tiers)
        ).fill_null(False)
    return (
        pl.when(pl.col("model").is_null())
        .then(pl.lit("no model named in the source row"))
        .when(pl.col("model_id").is_null())
        .then(pl.format("unknown model '{}': add it to a pricing table or pass --pricing", "model"))
        .when(
            pl.col("p_from").is_null()
            | (pl.col("p_to").is_not_null() & (pl.col("_at") >= pl.col("p_to")))
        )
        .then(pl.format("no price for {} at {}", "model_id", day))
        .when(odd_tier)
        .then(pl.format("no price for service tier '{}' of {}", "service_tier", "model_id"))
        .otherwise(None)
    )


def _tier_switch() -> pl.Expr:
    """True where the whole request pays the long-context rates."""
    total = pl.sum_horizontal(*[pl.col(b) for b in TOKEN_BUCKETS if b != "output"])
    over = (
        pl.when(pl.col("t_ge"))
        .then(total >= pl.col("t_above"))
        .otherwise(total > pl.col("t_above"))
    )
    # An aggregated report row cannot be checked request by request; Anthropic states the tier.
    stated = pl.col("context_window").str.starts_with("200k").fill_null(False)
    return (
        pl.when(pl.col("t_above").is_null())
        .then(False)
        .when(pl.col("aggregated"))
        .then(stated)
        .otherwise(over)
    )


def _modifier_scales(book: Book) -> list[pl.Expr]:
    """Per bucket, the product of the scales of the modifiers that apply, and their names."""
    scales = {b: pl.lit(Decimal(1), MONEY) for b in BUCKETS}
    names: list[pl.Expr] = []
    for f in book.files.values():
        ids = [m.id for m in f.model]
        for mod in f.modifier:
            hit = _modifier_hit(mod.when, mod.from_, [i for i in ids if _any_glob(i, mod.models)])
            for b in mod.applies_to:
                scales[b] = (
                    pl.when(hit).then(scales[b] * pl.lit(mod.scale, MONEY)).otherwise(scales[b])
                )
            names.append(pl.when(hit).then(pl.lit(mod.name)))
    joined = pl.concat_str(names, separator=",", ignore_nulls=True) if names else pl.lit("")
    return [*(s.alias(f"_s_{b}") for b, s in scales.items()), joined.alias("_mods")]


def _modifier_hit(when: dict[str, str | bool], start: dt.date, ids: list[str]) -> pl.Expr:
    hit = pl.col("model_id").is_in(ids) & (pl.col("_at") >= pl.lit(as_utc(start), schema.UTC_TIME))
    for column, value in when.items():
        hit = hit & (pl.col(column) == pl.lit(value)).fill_null(False)
    return hit


def _any_glob(model_id: str, globs: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(model_id, g) for g in globs)


def _costs(rows: pl.LazyFrame, version: str) -> pl.LazyFrame:
    priced = pl.col("_reason").is_null()
    costs = {}
    for bucket, rate in RATE_FOR.items():
        r = pl.when(pl.col("_tier")).then(pl.col(f"t_{rate}")).otherwise(pl.col(f"r_{rate}"))
        costs[f"cost_{bucket}"] = pl.when(priced).then(pl.col(bucket) * r * pl.col(f"_s_{rate}"))
    out = rows.with_columns(**costs).with_columns(
        cost=pl.when(priced).then(pl.sum_horizontal(*[pl.col(c) for c in costs])),
        price_status=pl.when(priced).then(pl.lit("priced")).otherwise(pl.lit("unpriced")),
        unpriced_reason=pl.col("_reason"),
        price_period_from=pl.when(priced).then(pl.col("p_from")),
        price_source=pl.when(priced).then(pl.col("p_source")),
        price_tier=pl.when(~priced)
        .then(None)
        .when(pl.col("_tier"))
        .then(pl.format("input > {}", "t_above"))
        .otherwise(pl.lit("base")),
        price_modifiers=pl.when(priced).then(pl.col("_mods")),
        cliff_unchecked=priced
        & pl.col("aggregated")
        & pl.col("t_above").is_not_null()
        & pl.col("context_window").is_null(),
        cost_currency=pl.when(priced).then(pl.col("p_currency")),
        pricing_version=pl.lit(version),
    )
    return schema.conform(out, PRICED)
