"""Charges: priced usage cut into one row per (UTC day, SKU price, attempt, account), the rows of
a FOCUS Cost and Usage dataset (``reports/focus.py`` only names and writes them).

A SKU is a model and one kind of metered unit (uncached input, cache read, cache write, output,
web search calls); a SKU price adds what changes the list rate without changing the SKU (price
tier, batch / flex / priority modifiers, cache-write lifetime). Negotiated terms (``discount:``,
``uplift:``, ``committed:`` modifiers) never change the SKU price: they are what separates the
contracted unit price from the list one.

Unit prices are worked out once per distinct (SKU price, price period) from the sums of exact
costs and quantities, and every charge's cost is then ``quantity x unit price``: exact, so the
FOCUS rule "cost = unit price x pricing quantity" holds to the last decimal, and the charges add
up to the report's computed total. Shared (aggregated) usage rows keep their parts: the parts'
token counts add up to the row, so their costs do too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from .errors import CostlensError
from .results import Charges
from .schema import FEES, MONEY, TOKEN_BUCKETS

UNITS: dict[str, tuple[str, int, str]] = {
    **{b: ("1000000 Tokens", 1_000_000, "Tokens") for b in TOKEN_BUCKETS},
    "web_search": ("1000 Searches", 1_000, "Searches"),
}
"""Metered column -> (pricing unit, units per pricing unit, consumed unit). Token rates are
stated per million tokens in the price tables, web search per thousand calls."""

KIND = {
    "input_uncached": "input",
    "cache_read": "cache-read",
    "cache_write_5m": "cache-write",
    "cache_write_1h": "cache-write",
    "output": "output",
    "web_search": "web-search",
}
"""Metered column -> the SKU kind (one SkuId per model x token direction x cache action)."""

TTL = {"cache_write_5m": "5m", "cache_write_1h": "1h"}
"""Cache-write lifetime: a SKU price property (cache retention is not a TokenCacheAction)."""

TERMS = ("discount:", "uplift:", "committed:")
"""Modifier name prefixes of negotiated terms (``pricing/terms.py``)."""

KEYS = (
    "day", "provider", "model", "model_id", "metered", "sku", "sku_price", "list_modifiers",
    "price_period_from",
    "terms", "currency", "cost_source", "task_id", "run_id", "attempt", "run_model",
    "project", "workspace", "source_format", "price_source", "price_confidence", "price_tier",
    "price_modifiers", "attribution_method", "unattributed_cause", "tags", "pricing_version",
)  # fmt: skip
"""What one charge row is per: a day, a SKU price and its terms, an attempt and an account."""


def charges(usage: pl.DataFrame, list_priced: pl.DataFrame | None = None) -> Charges:
    """Cut attributed usage (``schema.ATTRIBUTED``) into charges.

    Args:
        usage: the report's usage rows, priced with the negotiated terms.
        list_priced: the same usage priced without terms (``schema.PRICED``, one row per
            ``usage_row`` in order); None when no terms apply (list = contracted).

    Raises:
        CostlensError: a SKU price has no single unit price (a pricing bug, not bad input).
    """
    priced = usage.filter(pl.col("price_status") == "priced")
    long = _long(priced)
    contracted = _unit_prices(long, ["sku_price", "price_period_from", "terms", "currency"])
    listed = _list_units(long, list_priced)
    rows = (
        long.group_by(KEYS)
        .agg(
            consumed=pl.col("consumed").sum(),
            stated=pl.col("stated").sum(),
            contracted_sum=pl.col("cost").sum(),
        )
        .join(contracted, on=["sku_price", "price_period_from", "terms", "currency"], how="left")
        .join(listed, on=["sku_price", "price_period_from", "currency"], how="left")
        .sort(KEYS, nulls_last=True)
    )
    out = _money(rows)
    return Charges(out, _omitted(usage), _summary(usage, out))


def _long(priced: pl.DataFrame) -> pl.DataFrame:
    """One row per (usage part, metered column) with a non-zero quantity."""
    metered = [*TOKEN_BUCKETS, *FEES]
    one_sku = pl.sum_horizontal(*[(pl.col(c).fill_null(0) != 0).cast(pl.Int32) for c in metered])
    same_currency = pl.col("currency").is_null() | (pl.col("currency") == pl.col("cost_currency"))
    stated = pl.col("billed_cost").is_not_null() & (one_sku == 1) & same_currency
    base = priced.with_columns(
        day=pl.col("period_start").dt.truncate("1d"),
        terms=_terms_names(),
        _stated=stated,
    ).with_columns(currency=pl.col("cost_currency").cast(pl.String))
    parts = [
        base.filter(pl.col(c).fill_null(0) != 0).with_columns(
            metered=pl.lit(c),
            consumed=pl.col(c).cast(pl.Int64),
            cost=pl.col(f"cost_{c}"),
            stated=pl.when("_stated").then("billed_cost"),
            cost_source=pl.when("_stated").then(pl.lit("stated")).otherwise(pl.lit("computed")),
            sku=pl.concat_str(
                pl.col("provider"), pl.col("model_id"), pl.lit(KIND[c]), separator="/"
            ),
            sku_price=_sku_price(c),
            list_modifiers=_list_modifiers(),
        )
        for c in metered
    ]
    cols = [*KEYS, "consumed", "cost", "stated", "usage_row"]
    return pl.concat([p.select(cols) for p in parts]) if parts else pl.DataFrame()


def _terms_names() -> pl.Expr:
    """The negotiated-terms modifiers of a row (``discount:a,committed:b``), '' when none."""
    names = pl.col("price_modifiers").cast(pl.String).fill_null("").str.split(",")
    terms = names.list.eval(pl.element().filter(_is_term(pl.element())))
    return terms.list.join(",")


def _is_term(e: pl.Expr) -> pl.Expr:
    return pl.any_horizontal(*[e.str.starts_with(p) for p in TERMS])


def _list_modifiers() -> pl.Expr:
    """The modifiers that set the list price (batch, flex, ...: not negotiated terms)."""
    names = pl.col("price_modifiers").cast(pl.String).fill_null("").str.split(",")
    listed = names.list.eval(pl.element().filter(~_is_term(pl.element()) & (pl.element() != "")))
    return listed.list.join("+")


def _sku_price(c: str) -> pl.Expr:
    """``<provider>/<model id>/<kind>[/<ttl>]/<tier>[/<list modifiers>]``: stable over time."""
    parts = [pl.col("provider"), pl.col("model_id"), pl.lit(KIND[c])]
    parts += [pl.lit(TTL[c])] if c in TTL else []
    parts += [pl.col("price_tier").cast(pl.String).fill_null("base").str.replace_all(" ", "")]
    mods = _list_modifiers()
    return pl.concat_str([*parts, pl.when(mods != "").then(mods)], separator="/", ignore_nulls=True)


def _list_units(long: pl.DataFrame, list_priced: pl.DataFrame | None) -> pl.DataFrame:
    """List unit price per (SKU price, period, currency): from the terms-free pricing."""
    if list_priced is None:
        return _unit_prices(long, ["sku_price", "price_period_from", "currency"], "list")
    keys = long.select("usage_row", "metered", "sku_price").unique()
    lp = list_priced.with_row_index("usage_row").with_columns(pl.col("usage_row").cast(pl.Int64))
    rows = []
    for c in [*TOKEN_BUCKETS, *FEES]:
        rows.append(
            lp.filter(pl.col(c).fill_null(0) != 0).select(
                "usage_row",
                "price_period_from",
                currency=pl.col("cost_currency").cast(pl.String),
                metered=pl.lit(c),
                consumed=pl.col(c).cast(pl.Int64),
                cost=pl.col(f"cost_{c}"),
            )
        )
    joined = pl.concat(rows).join(keys, on=["usage_row", "metered"], how="inner")
    return _unit_prices(joined, ["sku_price", "price_period_from", "currency"], "list")


def _unit_prices(long: pl.DataFrame, keys: list[str], name: str = "contracted") -> pl.DataFrame:
    """One exact unit price (per pricing unit) per distinct ``keys``; Python runs per key only."""
    sums = long.group_by([*keys, "metered"]).agg(q=pl.col("consumed").sum(), c=pl.col("cost").sum())
    prices = [_unit(r["c"], r["q"], r["metered"], r) for r in sums.iter_rows(named=True)]
    return sums.select(*keys).with_columns(
        pl.Series(f"{name}_unit_price", prices, dtype=pl.Decimal(38, 12))
    )


def _unit(cost: Decimal, quantity: int, metered: str, key: dict) -> Decimal:
    per = UNITS[metered][1]
    unit = (Decimal(cost) * per / quantity).quantize(Decimal("1e-12"))
    if unit * quantity / per != Decimal(cost):
        raise CostlensError(
            f"internal: no single unit price for {key.get('sku_price')} from "
            f"{key.get('price_period_from')} ({cost} for {quantity}); please report this"
        )
    return unit


def _money(rows: pl.DataFrame) -> pl.DataFrame:
    """Quantities and costs from the unit prices: ``cost = quantity x unit price`` exactly."""
    inverse = {k: Decimal(1) / v[1] for k, v in UNITS.items()}  # 1e-6, 1e-3: exact
    per = pl.col("metered").replace_strict(inverse, return_dtype=MONEY)
    qty = (pl.col("consumed").cast(MONEY) * per).cast(MONEY)
    rows = rows.with_columns(pricing_quantity=qty)
    cost = {
        "list_cost": pl.col("pricing_quantity") * pl.col("list_unit_price"),
        "contracted_cost": pl.col("pricing_quantity") * pl.col("contracted_unit_price"),
    }
    rows = rows.with_columns(**{k: v.cast(MONEY) for k, v in cost.items()})
    billed = pl.when(pl.col("cost_source") == "stated").then("stated").otherwise("contracted_cost")
    return rows.with_columns(billed_cost=billed.cast(MONEY)).drop("stated")


OMITTED = {
    "unpriced": "unpriced",
    "billed": "states money but no token quantity (FOCUS usage rows need a quantity and a "
    "list unit price)",
}


def _omitted(usage: pl.DataFrame) -> pl.DataFrame:
    """Usage parts with no charge: unpriced (with its reason), money only, or no quantity."""
    metered = [*TOKEN_BUCKETS, *FEES]
    empty = pl.all_horizontal(*[pl.col(c).fill_null(0) == 0 for c in metered])
    status = pl.col("price_status").cast(pl.String)
    reason = (
        pl.when(status == "unpriced")
        .then(pl.concat_str(pl.lit("unpriced: "), pl.col("unpriced_reason").fill_null("")))
        .when(status == "billed")
        .then(pl.lit(OMITTED["billed"]))
        .otherwise(pl.lit("no tokens or fees"))
    )
    out = usage.filter((status != "priced") | empty).with_columns(reason=reason)
    keep = ["usage_row", "part", "source_format", "source_file", "source_line", "provider"]
    keep += ["model", "period_start", "price_status", "reason", *metered, "billed_cost"]
    keep += ["currency", "task_id", "run_id", "attempt"]
    return out.select(keep).sort("usage_row", "part")


def _summary(usage: pl.DataFrame, out: pl.DataFrame) -> dict:
    """Counts that add up to the input and the totals a reader checks against the report."""
    rows = usage.filter(pl.col("part") == 1)
    empty = pl.all_horizontal(*[pl.col(c).fill_null(0) == 0 for c in [*TOKEN_BUCKETS, *FEES]])
    status = pl.col("price_status").cast(pl.String)
    priced = usage.filter(status == "priced")
    return {
        "usage_rows": rows.height,
        "exported_rows": rows.filter((status == "priced") & ~empty).height,
        "unpriced_rows": rows.filter(status == "unpriced").height,
        "billed_only_rows": rows.filter(status == "billed").height,
        "empty_rows": rows.filter((status == "priced") & empty).height,
        "charges": out.height,
        "contracted_cost": _sum(out["contracted_cost"]),
        "list_cost": _sum(out["list_cost"]),
        "billed_cost": _sum(out["billed_cost"]),
        "computed_cost": _sum(priced["cost"]),
        "currencies": sorted(out["currency"].drop_nulls().unique().to_list()),
        "as_of": _as_of(usage),
    }


def _sum(s: pl.Series) -> Decimal:
    total = s.drop_nulls().sum()
    return Decimal(total) if total is not None else Decimal(0)


def _as_of(usage: pl.DataFrame) -> dt.datetime | None:
    """The latest usage time: what the dataset is current to."""
    last = usage["period_end"].max() if usage.height else None
    return last if isinstance(last, dt.datetime) else None
