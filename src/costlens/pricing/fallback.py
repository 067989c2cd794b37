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

import narwhals as nw
import polars as pl

from .. import frames, schema
from ..errors import PricingError
from ..frames import Frame
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


def fill(priced: Frame) -> Frame:
    """Price the rows left unpriced as an unknown model from genai-prices (third-party), on
    either engine (``frames``): the rates per distinct (provider, name, day) in Python, a small
    table joined back; the row side only multiplies token counts by Decimal rates (exact)."""
    snap, version = _snapshot()
    names = priced.collect_schema().names()
    rows = priced.with_columns(
        _fb_name=nw.coalesce("model_canonical", "model"),
        _fb_day=nw.col("period_start").dt.to_string("%Y-%m-%d"),
        _fb_want=(
            (nw.col("price_status") == "unpriced")
            & nw.col("unpriced_reason").str.starts_with("unknown model")
            & (nw.col("web_search").fill_null(0) == 0)
        ).fill_null(False),
    )
    wanted = frames.to_polars(rows.filter(nw.col("_fb_want")).select(_KEY).unique())
    joined = frames.join_small(rows, _rates(snap, wanted, version), _KEY, nulls_equal=True)
    hit = nw.col("_fb_want") & ~nw.col("_fb_model").is_null()
    costs = {
        f"cost_{b}": (nw.col(b) * nw.col(f"_fb_{b}")).cast(frames.MONEY) for b in TOKEN_BUCKETS
    }
    zero = nw.lit(Decimal(0), frames.MONEY)
    filled = joined.with_columns(
        **{c: nw.when(hit).then(e).otherwise(nw.col(c)) for c, e in costs.items()},
        cost_web_search=nw.when(hit).then(zero).otherwise(nw.col("cost_web_search")),
    ).with_columns(_fill_provenance(hit, version))
    kept = {frames.ROW: pl.Int64()} if frames.ROW in names else {}  # the input row id
    return frames.conform(filled.select(names), {**kept, **schema.PRICED}, "fallback prices")


def _fill_provenance(hit: nw.Expr, version: str) -> list[nw.Expr]:
    """Provenance of a filled row; a tiered third-party price leaves the row unpriced, saying so."""
    said = {
        "price_status": nw.lit("priced"),
        "model_id": nw.col("_fb_model"),
        "price_model": nw.col("_fb_model"),
        "price_source": nw.col("_fb_source"),
        "price_confidence": nw.lit(CONFIDENCE),
        "price_file": nw.lit(f"genai-prices {version}"),
        "price_tier": nw.lit("base"),
        "price_modifiers": nw.lit(""),
        "cost_currency": nw.lit("USD"),
        "pricing_version": nw.format("{}+genai-prices-{}", "pricing_version", nw.lit(version)),
    }
    # Labels are text on the row side (``price_rows``); conform restores the schema's types.
    out = [nw.when(hit).then(e).otherwise(nw.col(c)).alias(c) for c, e in said.items()]
    cost = nw.sum_horizontal(*[f"cost_{b}" for b in TOKEN_BUCKETS]).cast(frames.MONEY)
    out.append(nw.when(hit).then(cost).otherwise(nw.col("cost")).alias("cost"))
    tiered = nw.col("_fb_want") & nw.col("_fb_tiered").fill_null(False)
    reason = nw.format("third-party price for '{}' is tiered by request size: not applied",
                       "_fb_name")  # fmt: skip
    out.append(
        nw.when(hit).then(nw.lit(None, nw.String)).when(tiered).then(reason)
        .otherwise(nw.col("unpriced_reason")).alias("unpriced_reason")
    )  # fmt: skip
    return out


def _rates(snap: Any, wanted: pl.DataFrame, version: str) -> pl.DataFrame:
    """Per distinct (provider, name, day): their model, per-token rates, source, tiered flag."""
    known = {p.id for p in snap.providers}
    records = [
        _one(snap, name, _noon(day), _THEIR_ID.get(provider or "", provider), known)
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


def _noon(day: str) -> dt.datetime:
    """Noon UTC of a ``YYYY-MM-DD`` day: the instant whose prices stand for the day."""
    return dt.datetime.strptime(day, "%Y-%m-%d").replace(hour=12, tzinfo=dt.UTC)


def _one(snap: Any, name: str | None, at: dt.datetime, provider: str | None, known: set) -> tuple:
    nothing = (None, None, None, *[None] * len(TOKEN_BUCKETS))
    match = _find(snap, name, provider if provider in known else None) if name else None
    if match is None:
        return nothing
    theirs, model = match
    prices = model.get_prices(at)
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
