"""The finance workbook: Summary, Models, Model stats, Tasks, Months, Usage, Unattributed, Pricing,
Data quality, Inputs.

openpyxl in write-only mode streams rows to disk. Money arrives already rounded (``tables``);
Excel stores doubles, so the exact values live in the CSV / JSON outputs. Text that starts like
a formula is stored as text, never as a formula (CSV/formula injection).
"""

from __future__ import annotations

import datetime as dt
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
RISKY = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


def write_workbook(report: Report, target: Path) -> None:
    """Write the workbook atomically to ``target``."""
    with atomic_file(target) as tmp:
        _build(report).save(tmp)


def _build(report: Report) -> Workbook:
    wb = Workbook(write_only=True)
    _pairs(wb, "Summary", tables.summary_rows(report))
    _frame(wb, "Models", tables.models(report))
    _frame(wb, "Model stats", model_stats(report))
    _frame(wb, "Tasks", tables.tasks(report))
    _frame(wb, "Months", tables.months(report))
    _frame(wb, "Usage", tables.usage(report))
    _frame(wb, "Unattributed", tables.unattributed(report))
    _frame(wb, "Pricing", report.rates)
    _frame(wb, "Data quality", tables.data_quality(report))
    _frame(wb, "Inputs", pl.DataFrame(report.files, schema=["file", "reader"], orient="row"))
    return wb


def _pairs(wb: Workbook, title: str, rows: list[tuple[str, object]]) -> None:
    ws = wb.create_sheet(title)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 26
    ws.append([_cell(ws, "Measure", bold=True), _cell(ws, "Value", bold=True)])
    for label, value in rows:
        ws.append([_cell(ws, label), _cell(ws, value)])


def _frame(wb: Workbook, title: str, df: pl.DataFrame) -> None:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, name in enumerate(df.columns):
        ws.column_dimensions[_letter(i)].width = max(10, min(40, len(name) + 2))
    ws.append([_cell(ws, c, bold=True) for c in df.columns])
    for n, row in enumerate(df.iter_rows()):
        if n == EXCEL_MAX_ROWS - 1:
            note = f"... {df.height - n} more rows: use --csv-dir for the full table"
            ws.append([_cell(ws, note)])
            break
        ws.append([_cell(ws, v) for v in row])


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
