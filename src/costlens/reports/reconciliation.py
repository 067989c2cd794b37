"""Reconciliation outputs: the terminal text, the ``--json`` object and the workbook sheet.

Writers only: the figures come from ``workspace.reconcile`` unrounded; money is rounded to the
cent here for display (JSON keeps exact decimal strings).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl

from ..results import OUTSIDE_TOLERANCE, Reconciliation
from .atomic import atomic_file
from .money import round_columns, rounded
from .sheets import Book, Columns, table_sheet

MONEY_COLS = ["computed", "billed", "difference", "explained", "unexplained"]


def text(rec: Reconciliation) -> str:
    """Beancount-style: a balance line per provider, then each finding by cause."""
    pct = rec.tolerance * 100
    out = [f"Reconciliation {rec.window}, tolerance {pct.normalize():f}% per cell"]
    for p in rec.providers.iter_rows(named=True):
        out.append(
            f"  {p['provider']}: computed {rounded(p['computed'])}, billed "
            f"{rounded(p['billed'])}, difference {_signed(p['difference'])}"
        )
    out += [f"  {p}: no bill in the window, not reconciled" for p in rec.not_reconciled]
    if rec.findings:
        out.append(f"Findings ({len(rec.findings)}):")
        out += [f"  {f.cause}: {f.message}" for f in rec.findings]
    out.append(f"Unexplained residual: {_signed(rec.residual)}")
    verdict = "within tolerance" if rec.ok else f"OUTSIDE TOLERANCE (exit {OUTSIDE_TOLERANCE})"
    out.append(verdict)
    return "\n".join(out)


def json_text(rec: Reconciliation) -> str:
    obj = {
        "window": rec.window,
        "tolerance": rec.tolerance,
        "ok": rec.ok,
        "providers": rec.providers.to_dicts(),
        "not_reconciled": rec.not_reconciled,
        "findings": [
            {
                "cause": f.cause,
                "provider": f.provider,
                "model": f.model,
                "amount": f.amount,
                "days": [str(d) for d in f.days],
                "message": f.message,
            }
            for f in rec.findings
        ],
        "residual": rec.residual,
        "cells": rec.table.with_columns(pl.col("day").cast(pl.String)).to_dicts(),
    }
    return json.dumps(obj, indent=2, default=_exact)


def sheet(rec: Reconciliation) -> tuple[pl.DataFrame, Columns]:
    """The Reconciliation sheet: one row per cell and per billed line item, cents."""
    df = round_columns(rec.table, [c for c in MONEY_COLS if c in rec.table.columns])
    return df, columns(df)


def columns(df: pl.DataFrame) -> Columns:
    """Human headers and display kinds for a reconciliation table."""
    return [(c, c.replace("_", " ").capitalize(), _kind(c, df[c].dtype)) for c in df.columns]


def _kind(name: str, dtype: pl.DataType) -> str:
    if name in MONEY_COLS or name == "amount":
        return "money"
    if dtype == pl.Date:
        return "date"
    return "int" if dtype.is_integer() else "text"


def findings_frame(rec: Reconciliation) -> pl.DataFrame:
    """One row per finding, amounts in cents (the Findings sheet)."""
    frame = pl.DataFrame(
        [
            {
                "cause": f.cause,
                "provider": f.provider,
                "model": f.model,
                "first_day": min(f.days) if f.days else None,
                "days": len(f.days),
                "amount": f.amount,
                "message": f.message,
            }
            for f in rec.findings
        ],
        schema={
            "cause": pl.String,
            "provider": pl.String,
            "model": pl.String,
            "first_day": pl.Date,
            "days": pl.Int64,
            "amount": pl.Decimal(38, 12),
            "message": pl.String,
        },
    )
    return round_columns(frame, ["amount"])


def write_workbook(rec: Reconciliation, target: Path) -> None:
    """A workbook with Findings and Reconciliation sheets, written atomically."""
    findings = findings_frame(rec)
    with atomic_file(target) as tmp:
        book = Book(tmp, "costlens reconciliation", f"Computed vs billed, {rec.window}")
        table_sheet(book, "Findings", findings, columns(findings))
        table_sheet(book, "Reconciliation", *sheet(rec))
        book.close()


def _signed(v: Decimal | None) -> str:
    r = rounded(v if v is not None else Decimal(0))
    assert r is not None
    return f"+{r}" if r >= 0 else f"{r}"


def _exact(v: object) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral() else format(v, "f").rstrip("0")
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")
