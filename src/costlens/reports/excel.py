"""The finance workbook: Summary, Models, Model stats, Tasks, Months, Usage, Unattributed, Pricing,
Data quality, Inputs.

openpyxl in write-only mode streams rows to disk. Money arrives already rounded (``tables``);
Excel stores doubles, so the exact values live in the CSV / JSON outputs. Text that starts like
a formula is stored as text, never as a formula (CSV/formula injection).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from openpyxl import Workbook

from ..results import Report
from . import tables
from .atomic import atomic_file
from .sheets import Progress, frame_sheet, pairs_sheet

USAGE_SHEET_ROWS = 200_000
"""Usage detail rows the workbook holds. Past that a workbook takes minutes to write and is hard
to open; the Summary says so, and --csv-dir / --parquet-dir carry every row."""


def write_workbook(report: Report, target: Path, progress: Progress | None = None) -> None:
    """Write the workbook atomically to ``target``."""
    with atomic_file(target) as tmp:
        _build(report, progress or (lambda *_: None)).save(tmp)


def _build(report: Report, progress: Progress) -> Workbook:
    wb = Workbook(write_only=True)
    summary = tables.summary_rows(report)
    if report.usage.height > USAGE_SHEET_ROWS:
        note = f"first {USAGE_SHEET_ROWS:,} of {report.usage.height:,} rows; all in --csv-dir"
        summary.append(("Usage sheet", note))
    pairs_sheet(wb, "Summary", summary)
    sheets = {
        "Models": lambda: tables.models(report),
        "Model stats": lambda: tables.model_stats(report),
        "Tasks": lambda: tables.tasks(report),
        "Months": lambda: tables.months(report),
        "Usage": lambda: tables.usage(report).head(USAGE_SHEET_ROWS),
        "Unattributed": lambda: tables.unattributed(report),
        "Pricing": lambda: report.rates,
        "Data quality": lambda: tables.data_quality(report),
        "Inputs": lambda: pl.DataFrame(report.files, schema=["file", "reader"], orient="row"),
    }
    for title, make in sheets.items():
        df = make()
        if df is not None:
            frame_sheet(wb, title, df, progress)
    return wb
