"""Sheet helpers shared by the report and compare workbooks: a label/value sheet and a table
sheet. Text that starts like a formula is stored as text, never as a formula (CSV/formula
injection)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

EXCEL_MAX_ROWS = 1_048_575
"""Data rows that fit under the header row of one sheet."""
RISKY = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)

Progress = Callable[[str, int, int], None]
"""Called as ``(sheet, rows written, rows in sheet)`` while a large sheet is written."""


def pairs_sheet(wb: Workbook, title: str, rows: list[tuple[str, object]]) -> None:
    ws = wb.create_sheet(title)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 26
    ws.append([cell(ws, "Measure", bold=True), cell(ws, "Value", bold=True)])
    for label, value in rows:
        ws.append([cell(ws, label), cell(ws, value)])


def frame_sheet(
    wb: Workbook, title: str, df: pl.DataFrame, progress: Progress = lambda *_: None
) -> None:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, name in enumerate(df.columns):
        ws.column_dimensions[_letter(i)].width = max(10, min(40, len(name) + 2))
    ws.append([cell(ws, c, bold=True) for c in df.columns])
    # Most values go in as they are; only money, times and formula-like text need a cell object
    # (a number format, or text protection), which is what makes large sheets slow.
    convert = [_converter(ws, t) for t in df.dtypes]
    for n, row in enumerate(df.iter_rows()):
        if n == EXCEL_MAX_ROWS - 1:
            note = f"... {df.height - n} more rows: use --csv-dir for the full table"
            ws.append([cell(ws, note)])
            break
        ws.append([c(v) for c, v in zip(convert, row, strict=True)])
        if n % 50_000 == 0:
            progress(title, n, df.height)


def _converter(ws, dtype: pl.DataType) -> Callable[[object], object]:
    if (dtype.is_numeric() and not isinstance(dtype, pl.Decimal)) or dtype == pl.Boolean:
        return lambda v: v
    if dtype == pl.String:
        return lambda v: cell(ws, v) if isinstance(v, str) and v.startswith(RISKY) else v
    return lambda v: None if v is None else cell(ws, v)


def cell(ws, value: object, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    if isinstance(value, Decimal):
        cell.value = float(value)
        places = value.as_tuple().exponent  # a letter for NaN / infinity, never money here
        cell.number_format = "#,##0.00" if isinstance(places, int) and places >= -2 else "0.000000"
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
