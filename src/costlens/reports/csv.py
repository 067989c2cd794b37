"""Table outputs for machines: every table of the workbook as CSV or Parquet, exact Decimal.

In CSV, text that a spreadsheet would run as a formula is prefixed with ``'`` (OWASP CSV
injection). Parquet keeps types (decimal128(38, 12) money, UTC timestamps) and needs no escaping.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..results import Report
from . import tables
from .atomic import atomic_dir

RISKY = r"^[=+\-@\t\r]"


def safe_text(df: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, t in df.schema.items() if t in (pl.String, pl.Categorical)]
    return df.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(RISKY))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text
    )


def write_csv_dir(report: Report, target: Path) -> None:
    """Write every table the workbook has as ``<table>.csv`` into ``target`` (created), all or
    nothing; money is the exact decimal."""
    with atomic_dir(target) as tmp:
        for name, df in tables.machine(report).items():
            safe_text(_flat(df)).write_csv(tmp / f"{name}.csv")


def write_parquet_dir(report: Report, target: Path) -> None:
    """Write every table the workbook has as ``<table>.parquet`` into ``target``, all or
    nothing; money is decimal128(38, 12)."""
    with atomic_dir(target) as tmp:
        for name, df in tables.machine(report).items():
            df.write_parquet(tmp / f"{name}.parquet")


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """CSV holds no nested values: lists become comma-joined text."""
    nested = [c for c, t in df.schema.items() if isinstance(t, pl.List)]
    return df.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join(", ") for c in nested)
