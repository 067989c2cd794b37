"""CSV outputs (``usage.csv``, ``tasks.csv``, ``models.csv``) with exact Decimal values.

Text that a spreadsheet would run as a formula is prefixed with ``'`` (OWASP CSV injection).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..pipeline import Report
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


def write_csv_dir(report: Report, target: Path) -> None:
    """Write the three CSV files into ``target`` (created if needed), all or nothing."""
    frames = {
        "usage.csv": report.usage.select(USAGE_COLUMNS),
        "tasks.csv": report.tasks,
        "models.csv": report.models,
    }
    with atomic_dir(target) as tmp:
        for name, df in frames.items():
            _safe_text(df).write_csv(tmp / name)
