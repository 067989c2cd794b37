"""The supersede rule: a provider export is the authority for its format, account and days.

A new ``export`` file (a provider report or bill: aggregated rows) covering account A from day
S to day E (UTC, whole days) hides every earlier stored row of the same format and account whose
``period_start`` falls in ``[S, E)``. Nothing is deleted: the hiding is a ledger row, so the
replaced rows stay on disk and the ingest says which rows were replaced and by how much money.
Agent and request logs never supersede: their records merge through the readers' de-duplication.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from .. import pricing, schema
from ..discover import FileRead
from ..schema import TOKEN_BUCKETS
from . import layout


@dataclass(frozen=True)
class Replaced:
    """Earlier rows of one stored file that a new export replaces, and the money either side."""

    new_entry: str
    new_path: str
    old_entry: str
    old_path: str
    source_format: str
    account: str
    start: dt.datetime
    end: dt.datetime
    rows_replaced: int
    rows_new: int
    billed_before: Decimal
    billed_after: Decimal
    computed_before: Decimal
    computed_after: Decimal

    def ledger_row(self) -> tuple:
        return (
            self.new_entry,
            self.old_entry,
            self.source_format,
            self.account,
            self.start.isoformat(),
            self.end.isoformat(),
            self.rows_replaced,
            self.rows_new,
            str(self.billed_before),
            str(self.billed_after),
            str(self.computed_before),
            str(self.computed_after),
        )


def find_replaced(
    db: sqlite3.Connection, directory: Path, reads: list[FileRead], entries: list[str]
) -> list[Replaced]:
    """What each new export replaces among stored rows and earlier files of this ingest."""
    exports = [
        (r, e) for r, e in zip(reads, entries, strict=True) if r.usage is not None and _is_export(r)
    ]
    if not exports:
        return []
    formats = {r.reader for r, _ in exports}
    stored = layout.visible(layout.stored_usage(db, directory, formats), db).collect()
    earlier = stored.select(*schema.USAGE, "_entry")
    paths = {r["entry"]: r["path"] for r in db.execute("SELECT entry, path FROM files")}
    book = None
    out: list[Replaced] = []
    for r, e in exports:
        assert r.usage is not None
        paths[e] = str(r.path)
        found = _replaced_by(earlier, r.usage.with_columns(_entry=pl.lit(e)))
        if found.height:
            book = book or pricing.load()
            out += [_describe(g, r.usage, e, paths, book) for g in _groups(found)]
            hidden = found.select("_entry", "_i")
            earlier = earlier.with_row_index("_i").join(hidden, on=["_entry", "_i"], how="anti")
            earlier = earlier.drop("_i")
        earlier = pl.concat([earlier, r.usage.with_columns(_entry=pl.lit(e))])
    return out


def _is_export(r: FileRead) -> bool:
    return r.usage is not None and bool(r.usage["aggregated"].fill_null(False).any())


def coverage(usage: pl.DataFrame) -> pl.DataFrame:
    """Per account: the whole UTC days ``[_from, _to)`` the rows cover."""
    end = pl.coalesce("period_end", pl.col("period_start") + pl.duration(microseconds=1))
    return (
        usage.with_columns(layout.account())
        .group_by("_account")
        .agg(
            _from=pl.col("period_start").min().dt.truncate("1d"),
            _to=(end.max() - pl.duration(microseconds=1)).dt.truncate("1d") + pl.duration(days=1),
        )
    )


def _replaced_by(earlier: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Rows of ``earlier`` (same format) that ``new`` replaces, with ``_i`` (their position)."""
    fmt = new["source_format"].drop_nulls().unique().to_list()
    return (
        earlier.with_row_index("_i")
        .filter(pl.col("source_format").is_in(fmt))
        .with_columns(layout.account())
        .join(coverage(new), on="_account")
        .filter(pl.col("period_start").is_between("_from", "_to", closed="left"))
    )


def _groups(found: pl.DataFrame) -> list[pl.DataFrame]:
    return found.partition_by("_entry", "_account", maintain_order=True)


def _describe(
    old: pl.DataFrame, new: pl.DataFrame, entry: str, paths: dict, book: pricing.Book
) -> Replaced:
    # The days the replaced rows themselves cover (inside the new export's coverage), so the
    # money before and after compares the same days.
    acct = old["_account"][0]
    span = old.select(
        lo=pl.col("period_start").min().dt.truncate("1d"),
        hi=pl.col("period_start").max().dt.truncate("1d") + pl.duration(days=1),
    ).row(0)
    start, end = max(old["_from"][0], span[0]), min(old["_to"][0], span[1])
    mine = new.with_columns(layout.account()).filter(
        (pl.col("_account") == acct) & pl.col("period_start").is_between(start, end, closed="left")
    )
    return Replaced(
        new_entry=entry,
        new_path=paths[entry],
        old_entry=old["_entry"][0],
        old_path=paths.get(old["_entry"][0], "?"),
        source_format=old["source_format"][0],
        account=acct,
        start=start,
        end=end,
        rows_replaced=old.height,
        rows_new=mine.height,
        billed_before=_sum(old["billed_cost"]),
        billed_after=_sum(mine["billed_cost"]),
        computed_before=_computed(old, book),
        computed_after=_computed(mine, book),
    )


def _sum(s: pl.Series) -> Decimal:
    total = s.drop_nulls().sum()
    return Decimal(total) if total is not None else Decimal(0)


def _computed(rows: pl.DataFrame, book: pricing.Book) -> Decimal:
    """The computed cost of rows with token counts, at the bundled prices (unpriced adds 0)."""
    tokens = rows.filter(pl.any_horizontal([pl.col(b).is_not_null() for b in TOKEN_BUCKETS]))
    if not tokens.height:
        return Decimal(0)
    priced = pricing.price(schema.conform(tokens.lazy(), schema.USAGE), book).collect()
    return _sum(priced["cost"])


def describe(x: Replaced, currency: str = "USD") -> str:
    """One line for the ingest output: which rows, which days, the money difference."""
    days = f"{x.start:%Y-%m-%d}..{(x.end - dt.timedelta(days=1)):%Y-%m-%d}"
    who = f"account {x.account}" if x.account else "all accounts"
    money = []
    if x.billed_before or x.billed_after:
        money.append(_delta("billed", x.billed_before, x.billed_after, currency))
    if x.computed_before or x.computed_after:
        money.append(_delta("computed", x.computed_before, x.computed_after, currency))
    return (
        f"{x.new_path} supersedes {x.rows_replaced} row(s) of {x.old_path} ({x.source_format}, "
        f"{who}, {days}) with {x.rows_new} row(s)" + (f": {'; '.join(money)}" if money else "")
    )


def _delta(what: str, before: Decimal, after: Decimal, currency: str) -> str:
    d = after - before
    q = Decimal("0.01")
    sign = "+" if d >= 0 else "-"
    change = f"{sign}{abs(d).quantize(q)}"
    return f"{what} {before.quantize(q)} -> {after.quantize(q)} {currency} ({change})"
