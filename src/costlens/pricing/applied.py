"""What negotiated terms changed: every priced row's cost at list beside its cost with terms.

When a terms file states discounts, uplifts or committed prices, the usage is priced a second
time with the tables alone (no terms). The two costs meet by ``usage_row`` (the priced frame's
row order, which both passes share), so the Pricing sheet can say which terms applied to which
rows and what they changed, and the summary can say it per term.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..schema import MONEY
from .billed import price
from .book import Book

RATE_KINDS = ("discount", "uplift", "committed")


def changes_rates(book: Book) -> bool:
    """The book carries terms that change row prices (credits and FX do not)."""
    return any(t.discount or t.uplift or t.committed for t in book.terms)


def list_costs(usage: pl.LazyFrame, book: Book, at: dt.datetime | None) -> pl.DataFrame | None:
    """``usage_row`` -> the row's cost at list (tables without terms); None without such terms."""
    if not changes_rates(book):
        return None
    plain = Book(book.sources)
    plain.fallback = book.fallback
    listed = price(usage, plain, at).select(list_cost=pl.col("cost"))
    return (
        listed.with_row_index("usage_row")
        .collect()
        .with_columns(pl.col("usage_row").cast(pl.Int64))
    )


def _per_row(usage: pl.DataFrame, listed: pl.DataFrame) -> pl.DataFrame:
    """One row per priced usage row: its cost (all parts), modifiers and cost at list."""
    rows = (
        usage.filter(pl.col("price_status") == "priced")
        .group_by("usage_row")
        .agg(cost=pl.col("cost").sum(), mods=pl.col("price_modifiers").first().cast(pl.String))
    )
    return rows.join(listed.with_columns(pl.col("usage_row").cast(rows.schema["usage_row"])),
                     on="usage_row", how="left")  # fmt: skip


def by_rates(used: pl.DataFrame, usage: pl.DataFrame, listed: pl.DataFrame | None,
             book: Book, keys: list[str]) -> pl.DataFrame:  # fmt: skip
    """The Pricing sheet's rows with the terms that priced them, their cost at list and the
    change the terms made (``terms_effect`` = cost - list cost; negative for a discount)."""
    if listed is None:
        return used
    first = usage.filter((pl.col("price_status") == "priced") & (pl.col("part") == 1))
    first = first.select(*keys, "usage_row").join(
        listed.with_columns(pl.col("usage_row").cast(first.schema["usage_row"])), on="usage_row"
    )
    at_list = first.group_by(keys).agg(list_cost=pl.col("list_cost").sum())
    out = used.join(at_list, on=keys, how="left", nulls_equal=True)
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


def per_term(usage: pl.DataFrame, listed: pl.DataFrame | None, listing: list[dict]) -> list[dict]:
    """The terms listing, each rate term with the rows it applied to, their cost with the terms
    and at list (several terms on one row: each term counts the row's whole cost)."""
    if listed is None:
        return listing
    rows = _per_row(usage, listed)
    out = []
    for t in listing:
        if t["kind"] in RATE_KINDS:
            hit = rows.filter(
                pl.col("mods")
                .fill_null("")
                .str.split(",")
                .list.contains(f"{t['kind']}:{t['name']}")
            )
            t = {**t, "rows": hit.height, "cost": hit["cost"].sum(),
                 "list_cost": hit["list_cost"].sum()}  # fmt: skip
        out.append(t)
    return out
