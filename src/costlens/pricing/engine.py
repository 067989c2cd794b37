"""Price canonical usage rows: resolve the name (by date, for a moving alias), pick the period in
force, apply the whole-request cliff, then the modifiers, and compute cost per bucket in Decimal.

Everything per row is a polars expression: aliases and periods are found with interval joins on
precomputed ``[valid_from, valid_to)`` columns (an equi-join on the key plus a filter), which give
the same answer whatever the row order (an as-of join needs sorted input and silently returns wrong
matches otherwise). Python only runs once per distinct (provider, model name), price period or
modifier.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from .. import schema
from ..schema import MONEY, TOKEN_BUCKETS
from . import intervals, modifiers
from .book import ALIAS, Book
from .format import BUCKETS, FEES, Model, ProviderFile, as_utc

RATE_FOR = dict(zip(TOKEN_BUCKETS, BUCKETS, strict=True))
"""Canonical token bucket -> rate name (``input_uncached`` is priced at ``input``)."""

PRICED = schema.PRICED
"""Usage plus its price provenance and cost (declared in ``schema``)."""

_MILLION = Decimal(1_000_000)
_THOUSAND = Decimal(1_000)
_EPOCH = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def price(usage: pl.LazyFrame, book: Book, at: dt.datetime | None = None) -> pl.LazyFrame:
    """Price every usage row; rows that cannot be priced get ``price_status = 'unpriced'``.

    Args:
        usage: rows following ``schema.USAGE``.
        book: the loaded price tables.
        at: reprice everything as of this instant instead of each row's own time.
    """
    schema.check(usage, schema.USAGE, "pricing input")
    when = pl.lit(at, schema.UTC_TIME) if at else pl.col("period_start")
    # A billing adapter that maps a vendor label (CUR usage type, Azure meter, GCP SKU) to a
    # model name states it in ``model_canonical``; ``model`` keeps the raw label.
    usage = usage.with_row_index("_in").with_columns(_name=pl.coalesce("model_canonical", "model"))
    rows = usage.join(
        _resolved(usage, book),
        on=["provider", "_name"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    ).with_columns(_at=when)
    rows = intervals.during(rows, _aliases(book), "_key").with_columns(model_id=_model_id())
    periods = _periods(book)
    tiers = _max_tiers(book)
    rows = intervals.during(rows, periods.select("model_id", "_from", *_per_row(tiers)), "model_id")
    rows = rows.with_columns(_tier=_tier_index(tiers)).with_columns(
        _tier_above=_tier_pick(tiers, "above", pl.lit(0, pl.Int64)).fill_null(0)
    )
    hits = modifiers.hits(book.providers)
    rows = rows.with_columns(_hits=_bits([h.expr for h in hits]))
    # Rates depend only on (period, tier, which modifiers apply, service tier): work them out
    # once per distinct combination, not once per row, then join them back.
    rates = _rates(rows.select(_COMBO).unique(), periods, hits, book, tiers)
    rows = rows.join(rates, on=_COMBO, how="left", nulls_equal=True, maintain_order="left")
    rows = rows.with_columns(_reason=_unpriced_reason(book))
    return _costs(rows.drop("_in"), book.version, tiers)


_COMBO = ["_pid", "model_id", "_tier", "_tier_above", "_hits", "service_tier"]
"""What a row's rates depend on, besides its own token counts."""


def _per_row(tiers: int) -> list[str]:
    """Period columns each row needs: its id, bounds and cliff thresholds."""
    return ["_pid", "p_from", "p_to", *[f"t{k}_{c}" for k in range(tiers) for c in ("above", "ge")]]


def _bits(flags: list[pl.Expr]) -> pl.Expr:
    """Which of the modifiers apply to a row, as one integer (bit i: modifier i)."""
    return pl.sum_horizontal(
        pl.lit(0, pl.Int64), *[f.cast(pl.Int64) * (1 << i) for i, f in enumerate(flags)]
    )


def _rates(
    combos: pl.LazyFrame,
    periods: pl.LazyFrame,
    hits: list[modifiers.Hit],
    book: Book,
    tiers: int,
) -> pl.LazyFrame:
    """Per distinct combination: final rates, modifier names, label and rate-level reasons."""
    detail = periods.drop("model_id", "_from", "p_from", "p_to")
    rows = combos.join(detail, on="_pid", how="left").with_columns(
        *[(pl.col("_hits") & (1 << i) != 0).alias(f"_hit{i}") for i in range(len(hits))],
        *[_base_rate(b, tiers).alias(f"_base_{b}") for b in (*BUCKETS, *FEES)],
    )
    hits = [modifiers.Hit(h.mod, h.provider, pl.col(f"_hit{i}")) for i, h in enumerate(hits)]
    rows = rows.with_columns(*_final_rates(hits), _mods=_names(hits), _clash=_clashes(hits))
    keep = [f"_rate_{b}" for b in (*BUCKETS, *FEES)]
    return rows.select(
        *_COMBO,
        *keep,
        "_mods",
        "p_source",
        "p_confidence",
        "p_file",
        "p_currency",
        _label=_tier_pick(tiers, "label", pl.lit("base")),
        _rate_reason=_rate_reason(book, hits),
    )


def _resolved(usage: pl.LazyFrame, book: Book) -> pl.LazyFrame:
    """One row per distinct (provider, model name) with what the name resolves to."""
    pairs = usage.select("provider", "_name").unique().collect()
    keys = [book.resolve(m, p) if m else None for p, m in pairs.iter_rows()]
    return pairs.with_columns(_key=pl.Series(keys, dtype=pl.String)).lazy()


def _aliases(book: Book) -> pl.LazyFrame:
    """Interval table: a model id resolves to itself; a moving alias to its target by date."""
    rows = [(m, _EPOCH, m) for m in book.models] + book.alias_targets()
    frame = pl.DataFrame(
        rows,
        schema={"_key": pl.String, "_from": schema.UTC_TIME, "_target": pl.String},
        orient="row",
    )
    return frame.lazy()


def _model_id() -> pl.Expr:
    return pl.when(pl.col("_key").str.starts_with(ALIAS)).then("_target").otherwise("_key")


def _max_tiers(book: Book) -> int:
    return max((len(p.tier) for _, m in book.models.values() for p in m.period), default=0)


def _periods(book: Book) -> pl.LazyFrame:
    """One row per (model, period): boundaries, provenance, per-token rates and tiers."""
    tiers = _max_tiers(book)
    records = [
        _period_row(book, f, m, i, tiers)
        for f, m in book.models.values()
        for i in range(len(m.period))
    ]
    cols: dict[str, Any] = {
        "model_id": pl.String,
        "_from": schema.UTC_TIME,
        "p_from": schema.UTC_TIME,
        "p_to": schema.UTC_TIME,
        "p_source": pl.String,
        "p_confidence": pl.String,
        "p_file": pl.String,
        "p_currency": pl.String,
        **{f"r_{b}": MONEY for b in (*BUCKETS, *FEES)},
    }
    for k in range(tiers):
        cols |= {f"t{k}_above": pl.Int64, f"t{k}_ge": pl.Boolean, f"t{k}_label": pl.String}
        cols |= {f"t{k}_{b}": MONEY for b in BUCKETS}
    return pl.DataFrame(records, schema=cols, orient="row").with_row_index("_pid").lazy()


def _period_row(book: Book, f: ProviderFile, m: Model, i: int, tiers: int) -> tuple:
    p = m.period[i]
    end = as_utc(p.to) if p.to else (m.period[i + 1].start if i + 1 < len(m.period) else None)
    origin = book.origin.get((f.provider, "model", m.id))
    row = [m.id, p.start, p.start, end, p.source, p.confidence, origin and origin.name, f.currency]
    row += [_per(p.rates.get(b), _MILLION) for b in BUCKETS]
    row += [_per(p.fees.web_search if isinstance(p.fees.web_search, Decimal) else None, _THOUSAND)]
    for k in range(tiers):
        t = p.tier[k] if k < len(p.tier) else None
        row += [t.input_total_above, t.compare == ">=", t.label] if t else [None, None, None]
        row += [_per(t.rates.get(b), _MILLION) if t else None for b in BUCKETS]
    return tuple(row)


def _per(rate: Decimal | None, unit: Decimal) -> Decimal | None:
    return None if rate is None else rate / unit


def _tier_index(tiers: int) -> pl.Expr:
    """Index of the highest cliff the request passes (-1: base rates).

    Aggregated report rows cannot be checked request by request: where the source states the
    context window (Anthropic ``200k-1M``) the first tier applies, otherwise the base rates and
    the row is flagged ``cliff_unchecked``.
    """
    total = pl.sum_horizontal(*[pl.col(b) for b in TOKEN_BUCKETS if b != "output"])
    index = pl.lit(-1, pl.Int32)
    for k in range(tiers):
        above, ge = pl.col(f"t{k}_above"), pl.col(f"t{k}_ge")
        over = pl.when(ge).then(total >= above).otherwise(total > above).fill_null(False)
        index = pl.when(over).then(pl.lit(k, pl.Int32)).otherwise(index)
    if tiers == 0:
        return index
    # Google billing SKUs say "long" (above the model's threshold) or "short".
    window = pl.col("context_window")
    stated = (window.str.starts_with("200k") | (window == "long")).fill_null(False)
    has_tier = pl.col("t0_above").is_not_null()
    aggregated = (
        pl.when(stated & has_tier).then(pl.lit(0, pl.Int32)).otherwise(pl.lit(-1, pl.Int32))
    )
    return pl.when(pl.col("aggregated")).then(aggregated).otherwise(index)


def _tier_pick(tiers: int, what: str, base: pl.Expr) -> pl.Expr:
    out = base
    for k in range(tiers):
        out = pl.when(pl.col("_tier") == k).then(pl.col(f"t{k}_{what}")).otherwise(out)
    return out


def _base_rate(bucket: str, tiers: int) -> pl.Expr:
    """The per-token rate before modifiers: the tier's where a cliff applies (fees: flat)."""
    if bucket in FEES:
        return pl.col(f"r_{bucket}")
    return _tier_pick(tiers, bucket, pl.col(f"r_{bucket}"))


def _final_rates(hits: list[modifiers.Hit]) -> list[pl.Expr]:
    """Per bucket: the one explicit override that applies (or the base rate) times the scales
    of every other modifier that applies to that bucket. Override rates are per 1M tokens."""
    out = []
    for b in (*BUCKETS, *FEES):
        unit = _THOUSAND if b in FEES else _MILLION
        overrides = [(h, o) for h in hits if (o := h.override(b, unit)) is not None]
        rate = pl.coalesce(*[o for _, o in overrides], pl.col(f"_base_{b}"))
        for h in hits:
            if b in h.mod.applies_to and h.mod.scale is not None:
                # One factor per modifier (a product, not nested whens: the tree stays linear).
                mine = [o for g, o in overrides if g is h]
                on = h.expr & (mine[0].is_null() if mine else pl.lit(True))
                one = pl.lit(Decimal(1), MONEY)
                rate = rate * pl.when(on).then(modifiers.scale_lit(h.mod.scale)).otherwise(one)
        count = (
            pl.sum_horizontal(*[o.is_not_null().cast(pl.Int32) for _, o in overrides])
            if overrides
            else pl.lit(0, pl.Int32)
        )
        out += [rate.alias(f"_rate_{b}"), count.alias(f"_ovr_{b}")]
    return out


def _names(hits: list[modifiers.Hit]) -> pl.Expr:
    names = [pl.when(h.expr).then(pl.lit(h.mod.name)) for h in hits]
    if not names:
        return pl.lit("")
    return pl.concat_list(names).list.drop_nulls().list.unique(maintain_order=True).list.join(",")


def _clashes(hits: list[modifiers.Hit]) -> pl.Expr:
    """Text naming two modifiers that apply together but say they do not combine (or null)."""
    by_name: dict[str, pl.Expr] = {}
    for h in hits:
        by_name[h.mod.name] = by_name.get(h.mod.name, pl.lit(False)) | h.expr
    out = pl.lit(None, pl.String)
    for h in hits:
        for other in h.mod.excludes:
            both = h.expr & by_name.get(other, pl.lit(False))
            out = pl.when(both).then(pl.lit(f"modifiers {h.mod.name} and {other}")).otherwise(out)
    return out


def _unpriced_reason(book: Book) -> pl.Expr:
    """Why a row cannot be priced (null: it can), checked in this order."""
    day = pl.col("_at").dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    reason = (
        pl.when(pl.col("model").is_null())
        .then(pl.lit("no model named in the source row"))
        .when(pl.col("_key").is_null())
        .then(pl.format("unknown model '{}': add it to a pricing table or pass --pricing", "_name"))
        .when(pl.col("model_id").is_null())
        .then(pl.format("alias '{}' names no model at {}", "model", day))
        .when(pl.col("p_from").is_null() | (pl.col("_at") >= pl.col("p_to")).fill_null(False))
        .then(_no_period(book))
        .when(pl.col("_rate_reason").is_not_null())
        .then(pl.col("_rate_reason"))
    )
    for bucket, rate in [*RATE_FOR.items(), *((f, f) for f in FEES)]:
        missing = (pl.col(bucket) > 0) & pl.col(f"_rate_{rate}").is_null()
        reason = reason.when(missing).then(
            pl.format(f"no {rate} rate for {{}} at {{}}", "model_id", day)
        )
    return reason.otherwise(None)


def _rate_reason(book: Book, hits: list[modifiers.Hit]) -> pl.Expr:
    """Reasons that depend on the rates alone (one combination of period, tier, modifiers)."""
    reason = (
        pl.when(_odd_tier(book, hits))
        .then(pl.format("no price for service tier '{}' of {}", "service_tier", "model_id"))
        .when(pl.col("_clash").is_not_null())
        .then(pl.format("{} do not combine (no published price)", "_clash"))
    )
    for b in (*BUCKETS, *FEES):
        reason = reason.when(pl.col(f"_ovr_{b}") > 1).then(
            pl.format(
                f"several modifiers set the {b} rate of {{}}: add one combined table", "model_id"
            )
        )
    return reason.otherwise(None)


def _no_period(book: Book) -> pl.Expr:
    """Why no period prices the row, worded to group: one reason per model (before its first
    period) or per model and day, never one per timestamp (Data quality counts each reason)."""
    first = {mid: min(p.start for p in m.period) for mid, (_, m) in book.models.items() if m.period}
    starts = pl.col("model_id").replace_strict(
        {k: v.strftime("%Y-%m-%d") for k, v in first.items()}, default=None, return_dtype=pl.String
    )
    early = pl.col("_at").dt.strftime("%Y-%m-%d") < starts
    return (
        pl.when(early.fill_null(False))
        .then(pl.format("no price for {} before its first period ({})", "model_id", starts))
        .otherwise(
            pl.format("no price for {} on {}", "model_id", pl.col("_at").dt.strftime("%Y-%m-%d"))
        )
    )


def _odd_tier(book: Book, hits: list[modifiers.Hit]) -> pl.Expr:
    """A service tier the base rates do not cover, and no modifier prices it for this row."""
    odd = pl.lit(False)
    for name, f in book.providers.items():
        tier = pl.col("service_tier")
        priced = pl.any_horizontal(
            pl.lit(False),
            *[h.expr for h in hits if h.provider == name and "service_tier" in h.mod.when],
        )
        ids = [m.id for m in f.model]
        odd = odd | (pl.col("model_id").is_in(ids) & ~tier.is_in(f.service_tiers or []) & ~priced)
    return odd.fill_null(False)


def _costs(rows: pl.LazyFrame, version: str, tiers: int) -> pl.LazyFrame:
    priced = pl.col("_reason").is_null()
    costs = {
        f"cost_{k}": pl.when(priced).then(pl.col(k) * pl.col(f"_rate_{r}"))
        for k, r in RATE_FOR.items()
    }
    costs |= {
        f"cost_{f}": pl.when(priced).then(pl.col(f) * pl.col(f"_rate_{f}").fill_null(0))
        for f in FEES
    }
    label = pl.col("_label")
    has_cliff = pl.col("t0_above").is_not_null() if tiers else pl.lit(False)
    out = rows.with_columns(**costs).with_columns(
        cost=pl.when(priced).then(pl.sum_horizontal(*[pl.col(c) for c in costs])),
        price_status=pl.when(priced).then(pl.lit("priced")).otherwise(pl.lit("unpriced")),
        unpriced_reason=pl.col("_reason"),
        price_model=pl.when(priced).then(pl.col("model_id")),
        price_period_from=pl.when(priced).then(pl.col("p_from")),
        price_source=pl.when(priced).then(pl.col("p_source")),
        price_confidence=pl.when(priced).then(pl.col("p_confidence")),
        price_file=pl.when(priced).then(pl.col("p_file")),
        price_tier=pl.when(priced).then(label),
        price_modifiers=pl.when(priced).then(pl.col("_mods")),
        cliff_unchecked=priced
        & pl.col("aggregated")
        & has_cliff
        & pl.col("context_window").is_null(),
        cost_currency=pl.when(priced).then(pl.col("p_currency")),
        pricing_version=pl.lit(version),
    )
    return schema.conform(out, PRICED, "pricing (engine)")
