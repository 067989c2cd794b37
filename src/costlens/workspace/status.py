"""``costlens status``: what a workspace holds, where the gaps are, what is closed."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..schema import TOKEN_BUCKETS
from . import layout, ledger


def status(directory: Path) -> dict:
    """Imports, coverage per month / provider / account, day gaps, closed months (UTC days)."""
    db = layout.open_ledger(directory)
    rows = layout.visible(layout.stored_usage(db, directory), db)
    days = _days(rows).collect()
    last = db.execute("SELECT * FROM imports ORDER BY id DESC LIMIT 1").fetchone()
    files = db.execute("SELECT reader, kind, count(*) AS n FROM files GROUP BY reader, kind")
    return {
        "workspace": str(directory),
        "imports": db.execute("SELECT count(*) FROM imports").fetchone()[0],
        "last_import": dict(last) if last else None,
        "files": [dict(r) for r in files],
        "coverage": _coverage(days).to_dicts(),
        "gaps": _gaps(days).to_dicts(),
        "closed_months": [dict(r) for r in ledger.closed(db).values()],
        "reopened": [
            dict(r) for r in db.execute("SELECT * FROM events WHERE action = 'reopen' ORDER BY id")
        ],
        "superseded": db.execute("SELECT count(*) FROM supersedes").fetchone()[0],
    }


def _days(rows: pl.LazyFrame) -> pl.LazyFrame:
    has_tokens = pl.any_horizontal([pl.col(b).is_not_null() for b in TOKEN_BUCKETS])
    return (
        rows.filter(pl.col("period_start").is_not_null())
        .with_columns(
            layout.account(),
            day=pl.col("period_start").dt.date(),
            month=pl.col("period_start").dt.strftime("%Y-%m"),
        )
        .group_by("month", "provider", "_account", "day")
        .agg(
            rows=pl.len(),
            usage=has_tokens.any(),
            bill=pl.col("billed_cost").is_not_null().any(),
            billed=pl.col("billed_cost").sum(),
        )
    )


def _coverage(days: pl.DataFrame) -> pl.DataFrame:
    return (
        days.group_by("month", "provider", "_account")
        .agg(
            rows=pl.col("rows").sum(),
            first_day=pl.col("day").min(),
            last_day=pl.col("day").max(),
            usage_days=pl.col("usage").sum(),
            billed_days=pl.col("bill").sum(),
            billed=pl.col("billed").sum(),
        )
        .rename({"_account": "account"})
        .sort("month", "provider", "account")
    )


def _gaps(days: pl.DataFrame) -> pl.DataFrame:
    """Per provider-day (accounts merged): a bill and no usage, or usage where that month of the
    provider has a bill but not for the day."""
    per_day = days.group_by("month", "provider", "day").agg(
        usage=pl.col("usage").any(), bill=pl.col("bill").any()
    )
    billed_month = pl.col("bill").any().over("month", "provider")
    gap = (
        pl.when(pl.col("bill") & ~pl.col("usage"))
        .then(pl.lit("bill without usage"))
        .when(pl.col("usage") & ~pl.col("bill") & billed_month)
        .then(pl.lit("usage without a bill"))
    )
    return (
        per_day.with_columns(gap=gap)
        .filter(pl.col("gap").is_not_null())
        .select("month", "provider", "day", "gap")
        .sort("month", "provider", "day")
    )


def render(s: dict) -> str:
    """The status as plain text for a terminal."""
    out = [f"Workspace {s['workspace']}: {s['imports']} import(s)"]
    if s["last_import"]:
        li = s["last_import"]
        out.append(f"Last import: {li['id']} at {li['at']} by {li['who']}: {li['command']}")
    for f in s["files"]:
        out.append(f"  {f['n']} {f['kind']} file(s) read as {f['reader']}")
    out.append("Coverage (UTC days):")
    for c in s["coverage"]:
        who = c["account"] or "(all accounts)"
        out.append(
            f"  {c['month']} {c['provider']} {who}: {c['rows']} rows, {c['first_day']}.."
            f"{c['last_day']}, usage on {c['usage_days']} day(s), billed on "
            f"{c['billed_days']} day(s)"
        )
    out.append("Gaps:" if s["gaps"] else "Gaps: none")
    out += [f"  {g['provider']} {g['day']}: {g['gap']}" for g in s["gaps"]]
    closed = ", ".join(c["month"] for c in s["closed_months"]) or "none"
    out.append(f"Closed months: {closed}")
    out += [
        f"  reopened {e['month']} at {e['at']} by {e['who']}: {e['reason']}" for e in s["reopened"]
    ]
    return "\n".join(out)
