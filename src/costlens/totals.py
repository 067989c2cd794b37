"""The headline numbers of a report and the table of rates used, over usage of either engine.

One aggregation query over the attributed usage (``frames``: polars or Spark, exact sums and
counts only) gives the totals, counts and distinct currencies; Python only lays them out. See
docs/schema.md for each key.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import narwhals as nw
import polars as pl

from . import frames, names, pricing, schema
from .errors import CostlensError
from .schema import TOKEN_BUCKETS

TOKENS = (*TOKEN_BUCKETS, "reasoning")


def summarise(
    usage: Any,
    issues: pl.DataFrame,
    tasks: pl.DataFrame,
    usage_models: pl.DataFrame,
    version: str,
) -> dict:
    """The headline numbers (Decimal, unrounded), as documented in docs/schema.md."""
    rows = frames.lazy(usage)
    currencies = _distinct(rows, "cost_currency")
    if len(currencies) > 1:
        raise CostlensError(
            f"usage is priced in several currencies {currencies}; report them apart"
        )
    billed_by = _billed_by_currency(rows)
    t = _totals(rows)
    kinds = issues.group_by("kind").agg(pl.col("count").sum())
    count = dict(zip(kinds["kind"], kinds["count"], strict=True))
    total, attributed = _money(t["cost"]), _money(t["attributed"])
    # A shared aggregated row is several parts (attribution.py); count each source row once.
    once, priced, billed = t["once"], t["priced"], t["billed"]
    unpriced = once - priced - billed
    return {
        # Nothing priced (an unknown model, a --price-date before every table): the total is not
        # known, never 0. Some rows unpriced: the total is a lower bound.
        "total_cost": total if priced or not unpriced else None,
        "cost_lower_bound": unpriced > 0,
        "currency": currencies[0] if currencies else "USD",
        "tokens": {k: int(t[k] or 0) for k in TOKENS},
        "models": [
            {
                "model": r["model_key"],
                "requests": r["requests"],
                "cost": r["cost"],
                "cost_lower_bound": r["cost_lower_bound"],
                "tokens": {k: int(r[k] or 0) for k in TOKENS},
            }
            for r in usage_models.iter_rows(named=True)
        ],
        "rows": {
            "read": once + count.get("rejected", 0) + count.get("duplicate", 0),
            "priced": priced,
            "unpriced": unpriced,
            "billed": billed,
            "rejected": count.get("rejected", 0),
            "duplicate": count.get("duplicate", 0),
            "skipped": count.get("skipped", 0),
        },
        "files": {
            "not_read": count.get("not read", 0),
            "duplicate": count.get("duplicate file", 0),
        },
        # Amounts in several currencies are never summed: one total per currency, and no single
        # billed total when there are several; no source states a bill: null, never 0.
        "billed_cost": next(iter(billed_by.values())) if len(billed_by) == 1 else None,
        "billed_currency": next(iter(billed_by)) if len(billed_by) == 1 else None,
        "billed_by_currency": billed_by,
        "attributed_cost": attributed,
        "unattributed_cost": total - attributed,
        "task_cost": _money(tasks["cost"].drop_nulls().sum()),
        "pricing_version": version,
    }


def _distinct(rows: frames.Frame, column: str) -> list[str]:
    got = frames.to_polars(rows.select(column).unique())
    return sorted(got[column].drop_nulls().cast(pl.String).to_list())


def _billed_by_currency(rows: frames.Frame) -> dict[str, Decimal]:
    """Stated (billed) amounts per currency, in currency order; a row without one is USD."""
    stated = rows.filter(~nw.col("billed_cost").is_null())  # shared rows: parts add up
    per = stated.with_columns(nw.col("currency").fill_null("USD")).group_by("currency")
    got = frames.to_polars(per.agg(nw.col("billed_cost").sum()))
    return {c: Decimal(v) for c, v in got.sort("currency").iter_rows()}


def _totals(rows: frames.Frame) -> dict:
    """Sums and counts over all rows, in one pass."""
    first = nw.col("part") == 1
    status = nw.col("price_status")
    flags = rows.with_columns(
        _once=first.cast(nw.Int64),
        _priced=(first & (status == "priced")).cast(nw.Int64),
        _billed=(first & (status == "billed")).cast(nw.Int64),
        _attributed=nw.when(~nw.col("task_id").is_null()).then(nw.col("cost")),
    )
    out = flags.select(
        nw.col("cost").sum().alias("cost"),
        nw.col("_attributed").sum().alias("attributed"),
        *[nw.col(k).sum().alias(k) for k in TOKENS],
        *[nw.col(f"_{k}").sum().alias(k) for k in ("once", "priced", "billed")],
    )
    return {k: (0 if v is None else v) for k, v in frames.to_polars(out).row(0, named=True).items()}


def _money(value: Any) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


def rates_used(usage: Any, book: pricing.Book, listed: frames.Frame | None = None) -> pl.DataFrame:
    """Every (model, period, tier) that priced at least one row, with its rates and source (and,
    with rate-changing terms, the terms, the cost at list and what they changed: ``listed`` is
    each row's list cost by ``usage_row`` on the usage's engine, see ``pricing/applied.py``)."""
    keys = ["model_id", "price_period_from", "price_tier", "price_modifiers"]
    grouped = (
        frames.lazy(usage)
        .filter(nw.col("price_status") == "priced")
        .with_columns(_row=(nw.col("part") == 1).cast(nw.Int64))
        .group_by(*keys)
        .agg(nw.col("_row").sum().alias("rows"), nw.col("cost").sum().alias("cost"))
    )
    # Parts of a shared row are priced alike: counting first parts counts each source row once.
    used = frames.to_schema(frames.to_polars(grouped), _RATES, "rates used").collect().sort(keys)
    detail = [_period_detail(book, r) for r in used.iter_rows(named=True)]
    out = pl.concat([used, pl.DataFrame(detail, infer_schema_length=None)], how="horizontal")
    if listed is None:
        return out
    from .pricing import applied

    return applied.by_rates(out, applied.at_list(frames.lazy(usage), listed, keys), book, keys)


def priced_rows(usage: Any) -> pl.DataFrame:
    """The priced rows as polars, in the schema's types (for the terms summaries)."""
    got = frames.to_polars(frames.lazy(usage).filter(nw.col("price_status") == "priced"))
    return frames.to_schema(got, schema.ATTRIBUTED, "priced rows").collect()


_RATES = {
    "model_id": schema.PRICED["model_id"],
    "price_period_from": schema.PRICED["price_period_from"],
    "price_tier": schema.PRICED["price_tier"],
    "price_modifiers": schema.PRICED["price_modifiers"],
    "rows": pl.Int64(),
    "cost": schema.PRICED["cost"],
}


def _period_detail(book: pricing.Book, row: dict) -> dict:
    """Rates per 1M tokens and provenance of the period (and tier) that priced ``row``."""
    if row["model_id"] not in book.models:  # a third-party fallback price (pricing/fallback.py)
        return {"provider": row["model_id"].split(":")[0], "confidence": "third-party"}
    f, m = book.models[row["model_id"]]
    p = next(p for p in m.period if p.start == row["price_period_from"])
    tier = next((t for t in p.tier if t.label == row["price_tier"]), None)
    rates = tier.rates if tier else p.rates
    return {
        "provider": f.provider,
        **{f"{b}_per_mtok": getattr(rates, b) for b in pricing.book.BUCKETS},
        "currency": f.currency,
        "source": p.source,
        "checked": p.checked.isoformat(),
        "confidence": p.confidence,
        "note": p.note or "",
        "file": names.price_file(book.origin.get((f.provider, "model", m.id))),
    }
