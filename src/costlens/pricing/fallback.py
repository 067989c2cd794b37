"""Third-party fallback prices: rows our book has no model for, priced from genai-prices' data.

Off unless asked (``--fallback-prices``): the book's tables are dated, sourced and checked;
genai-prices' bundled snapshot is a wider but unaudited database (research pricing.md lists
wrong and overwritten entries), so a silent fallback would hide exactly the gaps that
``pricing coverage`` exists to show. When asked, only rows the book left unpriced as an
*unknown model* are filled; a row the book prices, or refuses for a reason (no period at that
date, a service tier, a clash), is never touched. Each filled row says so:
``price_confidence = 'third-party'``, ``price_file = 'genai-prices <version>'``,
``price_model = '<their provider>:<their model id>'`` and the provider's pricing URL in
``price_source``. A long-context tiered third-party price is not applied (the row stays
unpriced with that reason); so is any row with web searches (no fee mapping).

genai-prices is an optional dependency (``pip install 'costlens[fallback]'``), imported only
here and only when the fallback is asked for.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from ..errors import PricingError
from ..schema import MONEY, TOKEN_BUCKETS
from .book import name_candidates

CONFIDENCE = "third-party"
_THEIR_ID = {"xai": "x-ai", "zhipu": "zai", "moonshot": "moonshotai", "bedrock": "aws",
             "vertex": "google", "gemini": "google"}  # fmt: skip
"""Our provider / table names -> genai-prices provider ids where they differ."""
_KEY = ["provider", "_fb_name", "_fb_day"]
_THEIRS = {  # our token bucket -> genai-prices ModelPrice field(s), first one present wins
    "input_uncached": ("input_mtok",),
    "cache_read": ("cache_read_mtok", "input_mtok"),
    "cache_write_5m": ("cache_write_mtok", "input_mtok"),
    "cache_write_1h": ("cache_write_1h_mtok", "cache_write_mtok", "input_mtok"),
    "output": ("output_mtok",),
}
"""A bucket genai-prices gives no rate is billed at its parent's rate, as genai-prices itself
does (its leaf-value decomposition folds an unpriced unit into its ancestor)."""


def _snapshot() -> tuple[Any, str]:
    try:
        import genai_prices
        from genai_prices import data_snapshot
    except ImportError:
        msg = "--fallback-prices needs the genai-prices package: pip install 'costlens[fallback]'"
        raise PricingError(msg) from None
    return data_snapshot.get_snapshot(), getattr(genai_prices, "__version__", "?")


def fill(priced: pl.LazyFrame) -> pl.LazyFrame:
    """Price the rows left unpriced as an unknown model from genai-prices (third-party)."""
    snap, version = _snapshot()
    out_schema = priced.collect_schema()
    rows = priced.with_columns(
        _fb_name=pl.coalesce("model_canonical", "model"),
        _fb_day=pl.col("period_start").dt.truncate("1d"),
        _fb_want=(pl.col("price_status") == "unpriced")
        & pl.col("unpriced_reason").str.starts_with("unknown model")
        & (pl.col("web_search").fill_null(0) == 0),
    )
    wanted = rows.filter("_fb_want").select(_KEY).unique().collect()
    table = _rates(snap, wanted, version)
    joined = rows.join(table.lazy(), on=_KEY, how="left", nulls_equal=True, maintain_order="left")
    hit = pl.col("_fb_want") & pl.col("_fb_model").is_not_null()
    costs = {f"cost_{b}": pl.col(b) * pl.col(f"_fb_{b}") for b in TOKEN_BUCKETS}
    filled = joined.with_columns(
        **{c: pl.when(hit).then(e).otherwise(pl.col(c)) for c, e in costs.items()},
        cost_web_search=pl.when(hit).then(pl.lit(0, MONEY)).otherwise("cost_web_search"),
    ).with_columns(_fill_provenance(hit, version))
    return filled.select(list(out_schema)).cast(dict(out_schema))  # type: ignore[arg-type]


def _fill_provenance(hit: pl.Expr, version: str) -> list[pl.Expr]:
    """Provenance of a filled row; a tiered third-party price leaves the row unpriced, saying so."""
    said = {
        "price_status": pl.lit("priced"),
        "model_id": pl.col("_fb_model"),
        "price_model": pl.col("_fb_model"),
        "price_source": pl.col("_fb_source"),
        "price_confidence": pl.lit(CONFIDENCE),
        "price_file": pl.lit(f"genai-prices {version}"),
        "price_tier": pl.lit("base"),
        "price_modifiers": pl.lit(""),
        "cost_currency": pl.lit("USD"),
        "pricing_version": pl.format("{}+genai-prices-{}", "pricing_version", pl.lit(version)),
    }
    # Labels are categorical: compare as text, the final cast restores the schema's types.
    out = [pl.when(hit).then(e).otherwise(pl.col(c).cast(pl.String)).alias(c)
           for c, e in said.items()]  # fmt: skip
    out.append(
        pl.when(hit).then(pl.sum_horizontal(*[f"cost_{b}" for b in TOKEN_BUCKETS]))
        .otherwise("cost").alias("cost")
    )  # fmt: skip
    tiered = pl.col("_fb_want") & pl.col("_fb_tiered").fill_null(False)
    reason = pl.format("third-party price for '{}' is tiered by request size: not applied",
                       "_fb_name")  # fmt: skip
    out.append(
        pl.when(hit).then(pl.lit(None, pl.String)).when(tiered).then(reason)
        .otherwise("unpriced_reason").alias("unpriced_reason")
    )  # fmt: skip
    return out


def _rates(snap: Any, wanted: pl.DataFrame, version: str) -> pl.DataFrame:
    """Per distinct (provider, name, day): their model, per-token rates, source, tiered flag."""
    known = {p.id for p in snap.providers}
    records = [
        _one(snap, name, day, _THEIR_ID.get(provider or "", provider), known)
        for provider, name, day in wanted.iter_rows()
    ]
    cols: dict[str, pl.DataType] = {
        "_fb_model": pl.String(),
        "_fb_source": pl.String(),
        "_fb_tiered": pl.Boolean(),
        **{f"_fb_{b}": MONEY for b in TOKEN_BUCKETS},
    }
    found = pl.DataFrame(records, schema=cols, orient="row")
    return pl.concat([wanted, found], how="horizontal")


def _one(snap: Any, name: str | None, day: dt.datetime, provider: str | None, known: set) -> tuple:
    nothing = (None, None, None, *[None] * len(TOKEN_BUCKETS))
    match = _find(snap, name, provider if provider in known else None) if name else None
    if match is None:
        return nothing
    theirs, model = match
    prices = model.get_prices(day + dt.timedelta(hours=12))
    values = {b: _first(prices, fields) for b, fields in _THEIRS.items()}
    if any(v == "tiered" for v in values.values()):
        return (None, None, True, *[None] * len(TOKEN_BUCKETS))
    source = (theirs.pricing_urls or ["https://github.com/pydantic/genai-prices"])[0]
    million = Decimal(1_000_000)
    per_token = [v / million if isinstance(v, Decimal) else None for v in values.values()]
    return (f"{theirs.id}:{model.id}", source, False, *per_token)


def _find(snap: Any, name: str, provider: str | None) -> tuple[Any, Any] | None:
    """Their (provider, model) for a name: with the row's provider first, then any provider."""
    for candidate in name_candidates(name.strip().lower()):
        for pid in dict.fromkeys([provider, None]):
            try:
                return snap.find_provider_model(candidate, None, pid, None)
            except LookupError:
                continue
    return None


def _first(prices: Any, fields: tuple[str, ...]) -> Decimal | str | None:
    for f in fields:
        v = getattr(prices, f, None)
        if v is None:
            continue
        return v if isinstance(v, Decimal) else "tiered"
    return None
