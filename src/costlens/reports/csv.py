"""Table outputs for machines: ``usage``, ``tasks``, ``models`` as CSV or Parquet, exact Decimal.

In CSV, text that a spreadsheet would run as a formula is prefixed with ``'`` (OWASP CSV
injection). Parquet keeps types (decimal128(38, 12) money, UTC timestamps) and needs no escaping.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..results import Report
from .atomic import atomic_dir
from .tables import USAGE_COLUMNS

RISKY = r"^[=+\-@\t\r]"


def _safe_text(df: pl.DataFrame) -> pl.DataFrame:
    text = [c for c, t in df.schema.items() if t == pl.String]
    return df.with_columns(
        pl.when(pl.col(c).str.contains(RISKY))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def _frames(report: Report) -> dict[str, pl.DataFrame]:
    return {
        "usage": report.usage.select(USAGE_COLUMNS),
        "tasks": report.tasks,
        "models": report.models,
    }


def write_csv_dir(report: Report, target: Path) -> None:
    """Write usage.csv, tasks.csv and models.csv into ``target`` (created), all or nothing."""
    with atomic_dir(target) as tmp:
        for name, df in _frames(report).items():
            _safe_text(df).write_csv(tmp / f"{name}.csv")


def write_parquet_dir(report: Report, target: Path) -> None:
    """Write usage.parquet, tasks.parquet and models.parquet into ``target``, all or nothing."""
    with atomic_dir(target) as tmp:
        for name, df in _frames(report).items():
            df.write_parquet(tmp / f"{name}.parquet")
