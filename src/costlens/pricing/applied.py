"""What negotiated terms changed: every priced row's cost at list beside its cost with terms.

When a terms file states discounts, uplifts or committed prices, the usage is priced a second
time with the tables alone (no terms), on the same engine frame. The two costs meet by the input
row id (``frames.ROW``, each row's ``usage_row``: the same in both passes, on either engine), in
one join and group-by on the engine whose result is one row per (model, period, tier,
modifiers): the Pricing sheet says which terms applied to which rows and what they changed, and
the summary says it per term, from that small table.
"""

from __future__ import annotations

import datetime as dt

import narwhals as nw
import polars as pl

from .. import frames
from ..frames import ROW, Frame
from ..schema import MONEY
from .billed import price_rows
from .book import Book

RATE_KINDS = ("discount", "uplift", "committed")


def changes_rates(book: Book) -> bool:
    """The book carries terms that change row prices (credits and FX do not)."""
    return any(t.discount or t.uplift or t.committed for t in book.terms)


def list_costs(rows: Frame, book: Book, at: dt.datetime | None) -> Frame | None:
    """``rows`` (with their input row id) priced with the tables alone: ``ROW`` and the row's
    ``list_cost``, on the rows' engine (kept: a narrow frame); None without such terms."""
    if not changes_rates(book):
        return None
    plain = Book(book.sources)
    plain.fallback = book.fallback
    listed = price_rows(rows, plain, at).select(ROW, list_cost=nw.col("cost"))
    return frames.persist(listed)


def at_list(usage: Frame, listed: Frame, keys: list[str]) -> pl.DataFrame:
    """Per ``keys`` (the Pricing sheet's): the cost at list of the priced rows, each source row
    once (its first part; a shared row's parts are priced alike), paired by ``usage_row``."""
    first = usage.filter((nw.col("price_status") == "priced") & (nw.col("part") == 1))
    pairs = first.select(*keys, ROW).join(listed, on=ROW, how="inner")
    sums = pairs.group_by(*keys).agg(nw.col("list_cost").sum())
    # An all-null sum is null on Spark, 0 on polars: 0 on both.
    return frames.to_polars(sums).with_columns(pl.col("list_cost").fill_null(0).cast(MONEY))


def by_rates(used: pl.DataFrame, listed: pl.DataFrame | None, book: Book,
             keys: list[str]) -> pl.DataFrame:  # fmt: skip
    """The Pricing sheet's rows with the terms that priced them, their cost at list
    (``at_list``) and the change the terms made (``terms_effect`` = cost - list cost; negative
    for a discount)."""
    if listed is None:
        return used
    at = listed.cast({k: used.schema[k] for k in keys})  # type: ignore[arg-type]
    out = used.join(at, on=keys, how="left", nulls_equal=True)
    text = _described(book)
    mods = out.select("price_modifiers").unique()
    mods = mods.with_columns(terms=pl.col("price_modifiers").cast(pl.String).map_elements(
        lambda m: _terms_text(m, text), return_dtype=pl.String))  # fmt: skip
    out = out.join(mods, on="price_modifiers", how="left", nulls_equal=True)
    return out.with_columns(
        terms=pl.col("terms").fill_null(""),
        terms_effect=(pl.col("cost") - pl.col("list_cost")).cast(MONEY),
    )


def _described(book: Book) -> dict[str, str]:
    """``<kind>:<name>`` -> how the Pricing sheet states the term."""
    out = {}
    for t in book.terms_listing:
        if t["kind"] not in RATE_KINDS:
            continue
        effect = {"discount": f"{t.get('percent')}% off", "uplift": f"+{t.get('percent')}%",
                  "committed": f"committed price for {t.get('model')}"}[t["kind"]]  # fmt: skip
        out[f"{t['kind']}:{t['name']}"] = f"{t['kind']}:{t['name']} ({effect}; {t['source']})"
    return out


def _terms_text(mods: str | None, text: dict[str, str]) -> str:
    names = [m for m in (mods or "").split(",") if m in text]
    return "; ".join(text[m] for m in names)


def per_term(rates: pl.DataFrame, listing: list[dict]) -> list[dict]:
    """The terms listing, each rate term with the rows it applied to, their cost with the terms
    and at list (several terms on one row: each term counts the row's whole cost), summed from
    the Pricing sheet's rows (``by_rates``: rows, cost and list cost per modifiers)."""
    if "list_cost" not in rates.columns:
        return listing
    out = []
    for t in listing:
        if t["kind"] in RATE_KINDS:
            hit = rates.filter(
                pl.col("price_modifiers")
                .cast(pl.String)
                .fill_null("")
                .str.split(",")
                .list.contains(f"{t['kind']}:{t['name']}")
            )
            t = {**t, "rows": int(hit["rows"].sum()), "cost": hit["cost"].sum(),
                 "list_cost": hit["list_cost"].sum()}  # fmt: skip
        out.append(t)
    return out
