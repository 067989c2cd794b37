"""Price canonical usage rows: resolve the name (by date, for a moving alias), pick the period in
force, apply the whole-request cliff, then the modifiers, and compute cost per bucket in Decimal.

Everything per row is a Narwhals expression, so the same rules run on polars or Spark
(``frames``): aliases and periods are found with interval joins on precomputed
``[valid_from, valid_to)`` columns (an equi-join on the key plus a range filter, against a small
table Spark broadcasts), which give the same answer whatever the row order (an as-of join needs
sorted input and silently returns wrong matches otherwise). Python only runs once per distinct
(provider, model name), price period or modifier. The final rates (a Decimal base rate times
Decimal modifier scales, which rounds) are worked out in polars once per distinct combination of
period, tier and modifiers, for either engine, then joined back: the per-row money arithmetic
is only token count x rate, exact on both.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import narwhals as nw
import polars as pl

from .. import frames, schema
from ..frames import Frame
from ..schema import MONEY, TOKEN_BUCKETS
from . import intervals, modifiers
from .book import ALIAS, Book
from .format import BUCKETS, FEES, Model, ProviderFile, as_utc

ID = frames.ROW
"""The input row id (``frames.ROW``): the key the narrow frames are attached back by."""

RATE_FOR = dict(zip(TOKEN_BUCKETS, BUCKETS, strict=True))
"""Canonical token bucket -> rate name (``input_uncached`` is priced at ``input``)."""

PRICED = schema.PRICED
"""Usage plus its price provenance and cost (declared in ``schema``)."""

_MILLION = Decimal(1_000_000)
_THOUSAND = Decimal(1_000)


def price(usage: Frame, book: Book, at: dt.datetime | None = None) -> Frame:
    """Price every usage row; rows that cannot be priced get ``price_status = 'unpriced'``.

    Args:
        usage: rows following ``schema.USAGE`` plus their input row id ``frames.ROW``
            (either engine; labels as text); the id is kept, and rows keep their order on
            polars.
        book: the loaded price tables.
        at: reprice everything as of this instant instead of each row's own time.
    """
    usage = frames.persist(usage)
    # Every rule reads a few columns: work on a narrow frame of those (joins then gather only
    # them) and attach the price columns to the wide rows once, at the end.
    rows = frames.persist(_located(usage.select(ID, *_inputs(book)), book, at))
    rows = modifiers.local_times(rows, book.providers)
    hits = modifiers.hits(book.providers)
    rows = frames.persist(rows.with_columns(_hits=_bits([h.expr for h in hits])))
    # Rates depend only on (period, tier, which modifiers apply, service tier): work them out
    # once per distinct combination, not once per row, then join them back.
    tiers = _max_tiers(book)
    combos = frames.to_polars(rows.select(_COMBO).unique())
    rates = _rates(combos.lazy(), _periods(book).lazy(), hits, book, tiers).collect()
    # Only the keys go through the join; the rates are attached beside the rows.
    rated = frames.join_small(rows.select(ID, *_COMBO), rates, _COMBO, nulls_equal=True)
    rows = frames.attach(rows, rated.drop(_COMBO), ID)
    rows = frames.persist(rows.with_columns(_code=_reason_code()))
    # The reason text only for the rows that have one (every branch of a when/then chain is
    # computed for every row it sees).
    why = rows.filter(~nw.col("_code").is_null()).select(ID, _reason=_reason_text(book))
    out = _costs(frames.attach(rows, why, ID), book.version, tiers)
    return frames.conform(
        frames.attach(usage, out, ID), {ID: pl.Int64(), **PRICED}, "pricing (engine)"
    )


def _inputs(book: Book) -> list[str]:
    """The usage columns pricing reads (the modifiers' ``when`` columns included)."""
    used = ["provider", "model", "model_canonical", "period_start", "aggregated"]
    used += ["context_window", "service_tier", "speed", *TOKEN_BUCKETS, *FEES]
    named = {c for f in book.providers.values() for m in f.modifier for c in m.when}
    return used + sorted(named - set(used))


def _located(rows: Frame, book: Book, at: dt.datetime | None) -> Frame:
    """Narrow rows plus the model id, price period and cliff tier each row falls in; ``rows``
    is persisted (the lookups run on a frame of the key columns alone, then attach)."""
    when = nw.lit(at, frames.UTC_TIME) if at else nw.col("period_start")
    rows = frames.persist(rows.with_columns(_at=when))
    names = ["provider", "model_canonical", "model"]
    keys = rows.select(ID, *names, "_at")
    keys = frames.join_small(keys, _resolved(keys, book), names, nulls_equal=True).drop(names)
    keys = frames.persist(keys)
    # A moving alias resolves by date; any other key is its own model id.
    moving = keys.filter(nw.col("_key").str.starts_with(ALIAS)).select(ID, "_key", "_at")
    moving = intervals.during(moving, _aliases(book), "_key").select(ID, "_target")
    keys = frames.attach(keys, moving, ID).with_columns(model_id=_model_id())
    tiers = _max_tiers(book)
    periods = _periods(book).select("model_id", "_from", *_per_row(tiers))
    keys = intervals.during(keys, periods, "model_id").drop("_at", "_target")
    rows = frames.attach(rows, frames.persist(keys), ID)
    return rows.with_columns(_tier=_tier_index(tiers)).with_columns(
        _tier_above=_tier_pick(nw, tiers, "above", nw.lit(0, nw.Int64)).fill_null(0)
    )


_COMBO = ["_pid", "model_id", "_tier", "_tier_above", "_hits", "service_tier", "speed"]
"""What a row's rates depend on, besides its own token counts."""


def _per_row(tiers: int) -> list[str]:
    """Period columns each row needs: its id, bounds and cliff thresholds."""
    return ["_pid", "p_from", "p_to", *[f"t{k}_{c}" for k in range(tiers) for c in ("above", "ge")]]


def _bits(flags: list[nw.Expr]) -> nw.Expr:
    """Which of the modifiers apply to a row, as one integer (bit i: modifier i)."""
    return nw.sum_horizontal(
        nw.lit(0, nw.Int64), *[f.cast(nw.Int64) * (1 << i) for i, f in enumerate(flags)]
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
    # Labels as categoricals: polars rows then carry 4 bytes each (Spark gets them as text).
    labels = ["_mods", "p_source", "p_confidence", "p_file", "p_currency", "_label"]
    return rows.select(
        *_COMBO,
        *keep,
        "_mods",
        "p_source",
        "p_confidence",
        "p_file",
        "p_currency",
        _label=_tier_pick(pl, tiers, "label", pl.lit("base")),
        _rate_reason=_rate_reason(book, hits),
    ).with_columns(pl.col(labels).cast(pl.Categorical))


def _resolved(usage: Frame, book: Book) -> pl.DataFrame:
    """One row per distinct (provider, model_canonical, model) with what the name resolves to.
    A billing adapter that maps a vendor label (CUR usage type, Azure meter, GCP SKU) to a
    model name states it in ``model_canonical``; ``model`` keeps the raw label."""
    names = frames.to_polars(usage.select("provider", "model_canonical", "model").unique())
    pairs = names.select("provider", pl.coalesce("model_canonical", "model")).iter_rows()
    keys = [book.resolve(m, p) if m else None for p, m in pairs]
    return names.with_columns(_key=pl.Series(keys, dtype=pl.String))


def _aliases(book: Book) -> pl.DataFrame:
    """Interval table: a moving alias to its target by date."""
    return pl.DataFrame(
        book.alias_targets(),
        schema={"_key": pl.String, "_from": schema.UTC_TIME, "_target": pl.String},
        orient="row",
    )


def _model_id() -> nw.Expr:
    key = nw.col("_key")
    return nw.when(key.str.starts_with(ALIAS)).then(nw.col("_target")).otherwise(key)


def _max_tiers(book: Book) -> int:
    return max((len(p.tier) for _, m in book.models.values() for p in m.period), default=0)


def _periods(book: Book) -> pl.DataFrame:
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
    frame = pl.DataFrame(records, schema=cols, orient="row").with_row_index("_pid")
    return frame.with_columns(pl.col("_pid").cast(pl.Int64))


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


def _tier_index(tiers: int) -> nw.Expr:
    """Index of the highest cliff the request passes (-1: base rates).

    Aggregated report rows cannot be checked request by request: where the source states the
    context window (Anthropic ``200k-1M``) the first tier applies, otherwise the base rates and
    the row is flagged ``cliff_unchecked``.
    """
    total = nw.sum_horizontal(*[nw.col(b) for b in TOKEN_BUCKETS if b != "output"])
    index = nw.lit(-1, nw.Int32)
    for k in range(tiers):
        above, ge = nw.col(f"t{k}_above"), nw.col(f"t{k}_ge")
        over = nw.when(ge).then(total >= above).otherwise(total > above).fill_null(False)
        index = nw.when(over).then(nw.lit(k, nw.Int32)).otherwise(index)
    if tiers == 0:
        return index
    # Google billing SKUs say "long" (above the model's threshold) or "short".
    window = nw.col("context_window")
    stated = (window.str.starts_with("200k") | (window == "long")).fill_null(False)
    has_tier = ~nw.col("t0_above").is_null()
    aggregated = (
        nw.when(stated & has_tier).then(nw.lit(0, nw.Int32)).otherwise(nw.lit(-1, nw.Int32))
    )
    return nw.when(nw.col("aggregated")).then(aggregated).otherwise(index)


def _tier_pick(ns: Any, tiers: int, what: str, base: Any) -> Any:
    """The ``what`` column of the tier in ``_tier`` (``base`` at -1); ``ns`` is ``nw`` over
    usage rows or ``pl`` over the rate combinations (the two spell these calls alike)."""
    out = base
    for k in range(tiers):
        out = ns.when(ns.col("_tier") == k).then(ns.col(f"t{k}_{what}")).otherwise(out)
    return out


def _base_rate(bucket: str, tiers: int) -> pl.Expr:
    """The per-token rate before modifiers: the tier's where a cliff applies (fees: flat)."""
    if bucket in FEES:
        return pl.col(f"r_{bucket}")
    return _tier_pick(pl, tiers, bucket, pl.col(f"r_{bucket}"))


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


_REASONS = 5
"""Reason codes before the per-bucket ones (``_reason_code``)."""
_MISSING = [*RATE_FOR.items(), *((f, f) for f in FEES)]
"""(usage column, rate) pairs whose rate must exist when the column is above zero."""


def _reason_code() -> nw.Expr:
    """Why a row cannot be priced, as a number (null: it can), checked in this order: no
    model, unknown model, alias naming no model, no period, a rate-level reason, then each
    bucket with tokens but no rate. The text (``_reason_text``) is made for these rows only."""
    code = (
        nw.when(nw.col("model").is_null())
        .then(nw.lit(1))
        .when(nw.col("_key").is_null())
        .then(nw.lit(2))
        .when(nw.col("model_id").is_null())
        .then(nw.lit(3))
        .when(nw.col("p_from").is_null() | (nw.col("_at") >= nw.col("p_to")).fill_null(False))
        .then(nw.lit(4))
        .when(~nw.col("_rate_reason").is_null())
        .then(nw.lit(5))
    )
    for j, (bucket, rate) in enumerate(_MISSING):
        missing = (nw.col(bucket) > 0) & nw.col(f"_rate_{rate}").is_null()
        code = code.when(missing).then(nw.lit(_REASONS + 1 + j))
    return code.otherwise(nw.lit(None)).cast(nw.Int32)


def _reason_text(book: Book) -> nw.Expr:
    """The unpriced reason of a row with a ``_reason_code``."""
    day = nw.format("{} UTC", nw.col("_at").dt.to_string("%Y-%m-%d %H:%M:%S"))
    code = nw.col("_code")
    reason = (
        nw.when(code == 1)
        .then(nw.lit("no model named in the source row"))
        .when(code == 2)
        .then(
            nw.format(
                "unknown model '{}': add it to a pricing table or pass --pricing",
                nw.coalesce("model_canonical", "model"),
            )
        )
        .when(code == 3)
        .then(nw.format("alias '{}' names no model at {}", "model", day))
        .when(code == 4)
        .then(_no_period(book))
        .when(code == 5)
        .then(nw.col("_rate_reason"))
    )
    for j, (_, rate) in enumerate(_MISSING):
        reason = reason.when(code == _REASONS + 1 + j).then(
            nw.format(f"no {rate} rate for {{}} at {{}}", "model_id", day)
        )
    return reason.otherwise(nw.lit(None, nw.String))


def _rate_reason(book: Book, hits: list[modifiers.Hit]) -> pl.Expr:
    """Reasons that depend on the rates alone (one combination of period, tier, modifiers)."""
    reason = (
        pl.when(_odd_tier(book, hits))
        .then(pl.format("no price for service tier '{}' of {}", "service_tier", "model_id"))
        .when(_odd_speed(hits))
        .then(pl.format("no price for speed '{}' of {}", "speed", "model_id"))
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


def _no_period(book: Book) -> nw.Expr:
    """Why no period prices the row, worded to group: one reason per model (before its first
    period) or per model and day, never one per timestamp (Data quality counts each reason)."""
    starts = _first_start(book)
    on = nw.col("_at").dt.to_string("%Y-%m-%d")
    return (
        nw.when((on < starts).fill_null(False))
        .then(nw.format("no price for {} before its first period ({})", "model_id", starts))
        .otherwise(nw.format("no price for {} on {}", "model_id", on))
    )


def _first_start(book: Book) -> nw.Expr:
    """The day (text) a row's model is first priced, by ``model_id`` (Narwhals'
    ``replace_strict`` has no Spark Connect form: a tree of ``is_in`` branches instead)."""
    by_day: dict[str, list[str]] = {}
    for mid, (_, m) in book.models.items():
        if m.period:
            day = min(p.start for p in m.period).strftime("%Y-%m-%d")
            by_day.setdefault(day, []).append(mid)
    days = sorted(by_day.items())
    if not days:
        return nw.lit(None, nw.String)
    every = [i for _, ids in days for i in ids]
    return nw.when(nw.col("model_id").is_in(every)).then(_pick(days))


def _pick(days: list[tuple[str, list[str]]]) -> nw.Expr:
    """The day of the group holding ``model_id``, by halves: a chain of one branch per day
    nests too deep for Spark Connect's plan (protobuf) depth limit."""
    if len(days) == 1:
        return nw.lit(days[0][0])
    half = len(days) // 2
    left = [i for _, ids in days[:half] for i in ids]
    return (
        nw.when(nw.col("model_id").is_in(left))
        .then(_pick(days[:half]))
        .otherwise(_pick(days[half:]))
    )


def _odd_speed(hits: list[modifiers.Hit]) -> pl.Expr:
    """A speed other than standard (fast mode) that no modifier prices for this row: never
    priced at the standard rate, which would understate it."""
    speed = pl.col("speed")
    priced = pl.any_horizontal(pl.lit(False), *[h.expr for h in hits if "speed" in h.mod.when])
    return (speed.is_not_null() & (speed != "standard") & ~priced).fill_null(False)


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


def _costs(rows: Frame, version: str, tiers: int) -> Frame:
    priced = nw.col("_code").is_null()
    zero = nw.lit(Decimal(0), frames.MONEY)
    costs = {
        f"cost_{k}": nw.when(priced).then((nw.col(k) * nw.col(f"_rate_{r}")).cast(frames.MONEY))
        for k, r in RATE_FOR.items()
    }
    costs |= {
        f"cost_{f}": nw.when(priced).then(
            (nw.col(f) * nw.col(f"_rate_{f}").fill_null(zero)).cast(frames.MONEY)
        )
        for f in FEES
    }
    label = nw.col("_label")
    has_cliff = ~nw.col("t0_above").is_null() if tiers else nw.lit(False)
    out = rows.with_columns(**costs).with_columns(
        cost=nw.when(priced).then(nw.sum_horizontal(*[nw.col(c) for c in costs])),
        price_status=nw.when(priced).then(nw.lit("priced")).otherwise(nw.lit("unpriced")),
        unpriced_reason=nw.col("_reason"),
        price_model=nw.when(priced).then(nw.col("model_id")),
        price_period_from=nw.when(priced).then(nw.col("p_from")),
        price_source=nw.when(priced).then(nw.col("p_source")),
        price_confidence=nw.when(priced).then(nw.col("p_confidence")),
        price_file=nw.when(priced).then(nw.col("p_file")),
        price_tier=nw.when(priced).then(label),
        price_modifiers=nw.when(priced).then(nw.col("_mods")),
        cliff_unchecked=priced
        & nw.col("aggregated")
        & has_cliff
        & nw.col("context_window").is_null(),
        cost_currency=nw.when(priced).then(nw.col("p_currency")),
        pricing_version=nw.lit(version),
    )
    return frames.conform(out, {ID: pl.Int64(), **schema.PRICE_COLUMNS}, "pricing (engine)")
