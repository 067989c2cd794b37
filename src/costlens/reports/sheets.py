"""Sheet helpers shared by the report and compare workbooks (XlsxWriter): a label / value sheet,
a table sheet (an Excel table with filters, banded rows, number formats, fitted widths, frozen
header and print setup) and document properties.

Text from inputs is always written as a string cell, never as a formula; text that starts like
a formula (``=``, ``+``, ``-``, ``@``, tab, CR) also gets Excel's quote prefix, so editing the
cell keeps it text (CSV/formula injection). Control characters are escaped by XlsxWriter.
Money arrives as exact Decimal and becomes a float only here, as it is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from . import cells

RISKY = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_575
"""Data rows that fit under the header row of one sheet."""
MAX_WIDTH = 60

Progress = Callable[[str, int, int], None]
"""Called as ``(sheet, rows written, rows in sheet)`` while a large sheet is written."""
Columns = list[tuple[str, str, str]]
"""(column, header, kind) for each column a sheet shows; kinds in ``labels``."""


def _formats(currency: str) -> dict[str, dict]:
    sym = "$" if currency == "USD" else f"{currency} "
    return {
        "text": {},
        "risky": {"quote_prefix": True},
        "int": {"num_format": "#,##0"},
        "money": {"num_format": f'"{sym}"#,##0.00'},
        "micro": {"num_format": f'"{sym}"#,##0.000000'},
        "rate": {"num_format": f'"{sym}"#,##0.00##'},
        "pct": {"num_format": "0.0%"},
        "num": {"num_format": "#,##0.00"},
        "secs": {"num_format": "#,##0"},
        "time": {"num_format": "yyyy-mm-dd hh:mm:ss"},
        "date": {"num_format": "yyyy-mm-dd"},
        "bool": {"align": "center"},
        "lower": {"font_color": "#9C0006"},
        "header": {"bold": True, "text_wrap": True, "valign": "top"},
        "wrap": {"text_wrap": True, "valign": "top"},
        "title": {"bold": True, "font_size": 14},
        "label": {"bold": True},
        "note": {"italic": True, "font_color": "#595959"},
        "warn": {"bold": True, "font_color": "#9C0006"},
    }


FIXED_CREATED = dt.datetime(2000, 1, 1)
"""The ``created`` property of a workbook whose data has no time (nothing read)."""


def as_of(when: dt.datetime | None) -> dt.datetime:
    """A workbook's ``created`` property: the data's as-of time (UTC, naive as Excel keeps
    it), never the time of writing, so writing the same report twice gives the same file."""
    if when is None:
        return FIXED_CREATED
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


class Book:
    """One workbook being written: its formats and the sheets added so far."""

    def __init__(
        self,
        target: Path,
        title: str,
        subject: str,
        currency: str = "USD",
        created: dt.datetime | None = None,
    ):
        self.wb = xlsxwriter.Workbook(
            str(target),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "remove_timezone": True,
                "nan_inf_to_errors": True,
            },
        )
        self.wb.set_properties(
            {
                "title": title,
                "subject": subject,
                "author": "costlens",
                "company": "",
                "comments": f"Written by costlens {__version__}",
                "keywords": f"costlens {__version__}",
                # From the data, not the clock: the same input gives the same bytes.
                "created": as_of(created),
            }
        )
        self.wb.set_custom_property("costlens version", __version__)
        self.fmt = {k: self.wb.add_format(v) for k, v in _formats(currency).items()}
        # Format numbers fixed now: the table cells are written as XML that names them.
        self.xf = {k: f._get_xf_index() for k, f in self.fmt.items()}
        self._tables = 0
        self.path = Path(target)
        self.rows: dict[int, tuple[str, str]] = {}
        """Sheet index -> (data rows XML, dimension), put in after XlsxWriter closes."""
        self.table_refs: dict[str, tuple[str, str]] = {}
        """Table name -> (range declared to XlsxWriter, real range)."""

    def close(self) -> None:
        self.wb.close()
        cells.inject(self.path, self.rows, self.table_refs)

    def sheet(self, title: str) -> Worksheet:
        ws = self.wb.add_worksheet(title[:31])
        ws.set_landscape()
        ws.set_paper(9)  # A4; fit to one page wide below keeps Letter readers fine too
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&L&A&RPage &P of &N")
        return ws

    def write_value(self, ws: Worksheet, row: int, col: int, value: object, kind: str) -> None:
        """One cell: blank for None, a number for money (float at write time only)."""
        f = self.fmt.get(kind)
        if value is None:
            ws.write_blank(row, col, None, f)
        elif kind == "lower":
            ws.write_string(row, col, "lower bound" if value else "complete", f if value else None)
        elif kind == "bool":
            ws.write_string(row, col, "yes" if value else "no", f)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, f)
        elif isinstance(value, Decimal | int | float):
            ws.write_number(row, col, float(value), f)
        elif isinstance(value, dt.datetime):
            ws.write_datetime(row, col, value.astimezone(dt.UTC).replace(tzinfo=None), f)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), f)
        else:
            text = str(value)
            ws.write_string(row, col, text, self.fmt["risky"] if text.startswith(RISKY) else f)


def pairs_sheet(
    book: Book, title: str, heading: str, rows: list[tuple[str, object, str]]
) -> Worksheet:
    """A label / value sheet. A row whose kind is ``section`` is a bold sub-heading; ``warn``
    and ``note`` rows are text in red / grey."""
    ws = book.sheet(title)
    ws.write_string(0, 0, heading, book.fmt["title"])
    width = [len(heading) // 2, 12]
    for i, (label, value, kind) in enumerate(rows, start=2):
        if kind == "section":
            ws.write_string(i, 0, label, book.fmt["label"])
            continue
        # A text longer than the value column wraps in it: spilling over the cells to its
        # right, it widened the printed page until the page's text was too small to read.
        long = isinstance(value, str) and len(value) > _VALUE_WIDTH
        top = book.fmt["wrap"] if long else None
        ws.write_string(i, 0, label, book.fmt["warn"] if kind == "warn" else top)
        shown = "wrap" if long else "text" if kind in ("warn", "note") else kind
        book.write_value(ws, i, 1, value, shown)
        if long:  # neither Excel nor LibreOffice grows a row for wrapped text it did not lay out
            ws.set_row(i, _ROW_POINTS * -(-len(str(value)) // _VALUE_WIDTH))
        width = [max(width[0], len(label)), max(width[1], _shown_len(value, kind))]
    ws.set_column(0, 0, min(width[0] + 2, MAX_WIDTH))
    ws.set_column(1, 1, min(width[1] + 2, _VALUE_WIDTH))
    ws.fit_to_pages(1, 1)
    return ws


_VALUE_WIDTH = 80
"""The widest a label / value sheet's value column gets (characters)."""
_ROW_POINTS = 15
"""The height of one line of text in a row (Excel's default row height)."""


def _shown_len(value: object, kind: str) -> int:
    if value is None:
        return 0
    if kind in ("money", "micro", "rate", "int", "num"):
        return len(f"{float(value):,.2f}") + 4  # type: ignore[arg-type]
    if kind == "time":
        return 19
    return len(str(value))


def table_sheet(
    book: Book,
    title: str,
    df: pl.DataFrame,
    columns: Columns,
    progress: Progress | None = None,
    note: str | None = None,
) -> Worksheet:
    """``df``'s listed columns as an Excel table; the first row holds the headers.

    ``note`` (a cap on the rows shown, say) goes in the row under the table."""
    ws = book.sheet(title)
    cols = [(c, h, k) for c, h, k in columns if c in df.columns]
    n = min(df.height, EXCEL_MAX_ROWS - 2)
    if progress:
        progress(title, 0, n)
    rows = cells.rows_xml(df.head(n), [(c, k) for c, _h, k in cols], book.xf)
    last = max(n, 1) + 3 if note else n + 1
    book.rows[ws.index] = (rows, f"A1:{cells.letters(max(len(cols) - 1, 0))}{last}")
    book._tables += 1
    name = f"T{book._tables}_{''.join(ch for ch in title if ch.isalnum())}"
    # The table is declared over its header and one row (XlsxWriter walks every cell of a
    # declared range, ~1 s for a 25,000-row sheet); its real range is put in with the rows.
    end = cells.letters(max(len(cols) - 1, 0))
    book.table_refs[name] = (f"A1:{end}2", f"A1:{end}{max(n, 1) + 1}")
    ws.add_table(
        0,
        0,
        1,
        max(len(cols) - 1, 0),
        {
            "name": name,
            "style": "Table Style Light 9",
            "columns": [{"header": h, "header_format": book.fmt["header"]} for _c, h, _k in cols],
        },
    )
    for j, (c, h, k) in enumerate(cols):
        ws.set_column(j, j, _width(df[c].head(2000), h, k))
    ws.set_row(0, 15 * _header_lines(cols, df))
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    if note:
        ws.write_string(max(n, 1) + 2, 0, note, book.fmt["note"])
    return ws


def _width(s: pl.Series, header: str, kind: str) -> float:
    longest_word = max((len(w) for w in header.split()), default=4)
    if kind in ("money", "micro", "rate", "int", "num", "secs", "pct"):
        values = s.drop_nulls().cast(pl.Float64, strict=False).abs()
        top = float(values.max() or 0) if values.len() else 0.0  # type: ignore[arg-type]
        digits = len(f"{top:,.2f}") + (5 if kind == "micro" else 2)
        content = digits + (2 if kind in ("money", "micro", "rate") else 0)
    elif kind == "time":
        content = 19
    elif kind == "date":
        content = 10
    elif kind in ("bool", "lower"):
        content = 11 if kind == "lower" else 4
    else:
        lengths = s.drop_nulls().cast(pl.String).str.len_chars()
        content = int(lengths.max() or 0) if lengths.len() else 0  # type: ignore[arg-type]
    return float(min(max(content, longest_word, 6) + 2, MAX_WIDTH))


def _header_lines(cols: Columns, df: pl.DataFrame) -> int:
    """Header rows wrap: enough lines for the longest header in its column's width."""
    lines = 1
    for c, h, k in cols:
        w = _width(df[c].head(2000), h, k) - 2
        lines = max(lines, -(-len(h) // max(int(w), 1)))
    return min(lines, 4)
