"""The finance workbook: Summary, Models, Model stats, Tasks, Months, Usage, Unattributed, Pricing,
Data quality, Inputs.

openpyxl in write-only mode streams rows to disk. Money arrives already rounded (``tables``);
Excel stores doubles, so the exact values live in the CSV / JSON outputs. Text that starts like
a formula is stored as text, never as a formula (CSV/formula injection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..pipeline import Report
from . import tables
from .atomic import atomic_file
from .model_stats import model_stats

EXCEL_MAX_ROWS = 1_048_575
"""Data rows that fit under the header row of one sheet."""
USAGE_SHEET_ROWS = 200_000
"""Usage detail rows the workbook holds. Past that a workbook takes minutes to write and is hard
to open; the Summary says so, and --csv-dir / --parquet-dir carry every row."""
RISKY = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


Progress = Callable[[str, int, int], None]
"""Called as ``(sheet, rows written, rows in sheet)`` while a large sheet is written."""


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
    _pairs(wb, "Summary", summary)
    sheets = {
        "Models": lambda: tables.models(report),
        "Model stats": lambda: model_stats(report),
        "Tasks": lambda: tables.tasks(report),
        "Months": lambda: tables.months(report),
        "Usage": lambda: tables.usage(report).head(USAGE_SHEET_ROWS),
        "Unattributed": lambda: tables.unattributed(report),
        "Pricing": lambda: report.rates,
        "Data quality": lambda: tables.data_quality(report),
        "Inputs": lambda: pl.DataFrame(report.files, schema=["file", "reader"], orient="row"),
    }
    for title, make in sheets.items():
        _frame(wb, title, make(), progress)
    return wb


def _pairs(wb: Workbook, title: str, rows: list[tuple[str, object]]) -> None:
    ws = wb.create_sheet(title)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 26
    ws.append([_cell(ws, "Measure", bold=True), _cell(ws, "Value", bold=True)])
    for label, value in rows:
        ws.append([_cell(ws, label), _cell(ws, value)])


def _frame(wb: Workbook, title: str, df: pl.DataFrame, progress: Progress) -> None:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, name in enumerate(df.columns):
        ws.column_dimensions[_letter(i)].width = max(10, min(40, len(name) + 2))
    ws.append([_cell(ws, c, bold=True) for c in df.columns])
    # Most values go in as they are; only money, times and formula-like text need a cell object
    # (a number format, or text protection), which is what makes large sheets slow.
    convert = [_converter(ws, t) for t in df.dtypes]
    for n, row in enumerate(df.iter_rows()):
        if n == EXCEL_MAX_ROWS - 1:
            note = f"... {df.height - n} more rows: use --csv-dir for the full table"
            ws.append([_cell(ws, note)])
            break
        ws.append([c(v) for c, v in zip(convert, row, strict=True)])
        if n % 50_000 == 0:
            progress(title, n, df.height)


def _converter(ws, dtype: pl.DataType) -> Callable[[object], object]:
    if (dtype.is_numeric() and not isinstance(dtype, pl.Decimal)) or dtype == pl.Boolean:
        return lambda v: v
    if dtype == pl.String:
        return lambda v: _cell(ws, v) if v is not None and v.startswith(RISKY) else v
    return lambda v: None if v is None else _cell(ws, v)


def _cell(ws, value: object, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    if isinstance(value, Decimal):
        cell.value = float(value)
        cell.number_format = "#,##0.00" if value.as_tuple().exponent >= -2 else "0.000000"
    elif isinstance(value, dt.datetime):
        cell.value = value.astimezone(dt.UTC).replace(tzinfo=None)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, list | dict):
        cell.value = str(value)
    else:
        cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(RISKY):
            cell.quotePrefix = True
    if bold:
        cell.font = BOLD
    return cell


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)
