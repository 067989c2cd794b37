"""A table's data cells as worksheet XML, built column-wise with polars instead of one Python
call per cell.

XlsxWriter spends ~15 us of Python per cell (its write call, then its XML writer at close); a
25,000-row detail sheet of 20 columns is half a million cells, so a large report took minutes.
Here every column becomes one expression that renders its cells (``<c r="B7" s="5"><v>1.5</v>
</c>``; text as inline strings, which need no shared-string table), a row is their
concatenation, and the sheet's rows are joined once. XlsxWriter still writes everything else
(the header row, the Excel table, formats, widths, print setup, charts, properties); after it
closes, ``inject`` puts the rows into each sheet's ``<sheetData>`` behind the header row.
The cells are what ``sheets.Book.write_value`` would write: the same formats, blank for null,
numbers as numbers, times as Excel serial days, risky text with the quote-prefix format.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import polars as pl

EPOCH = dt.datetime(1899, 12, 30)
"""Excel's day 0 (its 1900 leap-year bug folded in, as XlsxWriter does for later dates)."""
NUMERIC = ("int", "money", "micro", "rate", "pct", "num", "secs")
CONTROL = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32))]
"""Characters XML 1.0 cannot hold; written as Excel's ``_xHHHH_`` escapes."""


def letters(j: int) -> str:
    """Column ``j`` (0-based) as Excel letters: 0 -> A, 26 -> AA."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def rows_xml(
    df: pl.DataFrame, cols: list[tuple[str, str]], xf: dict[str, int], first: int = 2
) -> str:
    """``df``'s rows as ``<row>`` elements from Excel row ``first``; ``cols`` = (column, kind)."""
    if df.height == 0 or not cols:
        return ""
    r = (pl.int_range(df.height, dtype=pl.Int64) + first).cast(pl.String)
    cells = [_cell(df.schema[c], c, k, letters(j), r, xf) for j, (c, k) in enumerate(cols)]
    row = pl.concat_str(
        [pl.lit('<row r="'), r, pl.lit('">'), *cells, pl.lit("</row>")], ignore_nulls=True
    )
    return df.select(row.alias("_row"))["_row"].str.join("").item()


def _cell(
    dtype: pl.DataType, c: str, kind: str, col: str, r: pl.Expr, xf: dict[str, int]
) -> pl.Expr:
    """One column's cells: '' where the value is null (XlsxWriter's blank with a format is
    only a formatted empty cell)."""
    v = pl.col(c)
    ref = pl.concat_str(pl.lit(f'<c r="{col}'), r, pl.lit('"'))
    style = xf.get(kind, 0)
    if kind == "lower":
        text = pl.when(v).then(pl.lit("lower bound")).otherwise(pl.lit("complete"))
        s = pl.when(v).then(pl.lit(f' s="{xf["lower"]}"')).otherwise(pl.lit(""))
        return pl.when(v.is_not_null()).then(pl.concat_str(ref, s, _inline(text)))
    if kind == "bool":
        text = pl.when(v).then(pl.lit("yes")).otherwise(pl.lit("no"))
        return pl.when(v.is_not_null()).then(pl.concat_str(ref, _s(style), _inline(text)))
    if dtype == pl.Boolean:
        value = pl.when(v).then(pl.lit("1")).otherwise(pl.lit("0"))
        body = pl.concat_str(pl.lit(' t="b"><v>'), value, pl.lit("</v></c>"))
        return pl.when(v.is_not_null()).then(pl.concat_str(ref, _s(style), body))
    if dtype.is_numeric() or isinstance(dtype, pl.Decimal):
        return _number(v.cast(pl.Float64), ref, style)
    if isinstance(dtype, pl.Datetime):
        utc = v.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        naive = utc if dtype.time_zone else v
        return _number(_serial(naive), ref, style)
    if dtype == pl.Date:
        return _number(_serial(v.cast(pl.Datetime("us"))), ref, style)
    text = v.cast(pl.String)
    risky = text.str.contains(r"^[=+\-@\t\r]")
    s = pl.when(risky).then(pl.lit(f' s="{xf["risky"]}"')).otherwise(pl.lit(_s_text(style)))
    return pl.when(v.is_not_null()).then(pl.concat_str(ref, s, _inline(text)))


def _s(style: int) -> pl.Expr:
    return pl.lit(_s_text(style))


def _s_text(style: int) -> str:
    return f' s="{style}"' if style else ""


def _number(x: pl.Expr, ref: pl.Expr, style: int) -> pl.Expr:
    """A number cell; NaN / infinity / null stay empty (no error cells in a finance sheet)."""
    body = pl.concat_str(pl.lit("><v>"), x.cast(pl.String), pl.lit("</v></c>"))
    ok = x.is_not_null() & x.is_finite()
    return pl.when(ok).then(pl.concat_str(ref, _s(style), body))


def _serial(naive: pl.Expr) -> pl.Expr:
    """Days since Excel's epoch, fraction of a day included."""
    micros = (naive - pl.lit(EPOCH)).dt.total_microseconds()
    return micros.cast(pl.Float64) / 86_400_000_000


def _inline(text: pl.Expr) -> pl.Expr:
    """An inline string body: XML-escaped, control characters as ``_xHHHH_``, spaces kept."""
    t = text.str.replace_all("&", "&amp;", literal=True)
    t = t.str.replace_all("<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True)
    controls = pl.when(t.str.contains("[\x00-\x08\x0b\x0c\x0e-\x1f]"))
    escaped = t
    for ch in CONTROL:
        escaped = escaped.str.replace_all(ch, f"_x{ord(ch):04X}_", literal=True)
    t = controls.then(escaped).otherwise(t)
    t = t.str.slice(0, 32_767)  # Excel's limit for one cell
    head = pl.lit(' t="inlineStr"><is><t xml:space="preserve">')
    return pl.concat_str(head, t, pl.lit("</t></is></c>"))


_SHEET_DATA = re.compile(rb"(<sheetData>.*?</row>)", re.S)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def inject(
    path: Path, sheets: dict[int, tuple[str, str]], tables: dict[str, tuple[str, str]]
) -> None:
    """Put each sheet's data rows (``index -> (rows XML, dimension)``) behind its header row,
    and give each table (``name -> (declared range, real range)``) its real range.

    The zip is rewritten member by member with the same names, order and timestamps, so the
    file stays byte-identical for the same input. Level 1 compression: the sheets are tens of
    MB of XML, and level 6 took seconds longer for a file ~10% smaller."""
    if not sheets:
        return
    tmp = path.with_name(path.name + ".cells")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and int(m.group(1)) - 1 in sheets:
                rows, dim = sheets[int(m.group(1)) - 1]
                data = _put(data, rows.encode(), dim.encode())
            elif info.filename.startswith("xl/tables/table"):
                data = _table_range(data, tables)
            dst.writestr(info, data, compresslevel=1)
    tmp.replace(path)


_TABLE_NAME = re.compile(rb' name="([^"]+)"')


def _table_range(xml: bytes, tables: dict[str, tuple[str, str]]) -> bytes:
    m = _TABLE_NAME.search(xml)
    if not m or m.group(1).decode() not in tables:
        return xml
    declared, real = (r.encode() for r in tables[m.group(1).decode()])
    out = xml.replace(b'ref="' + declared + b'"', b'ref="' + real + b'"')
    if out.count(b'ref="' + real + b'"') != 2:  # the table's and its autofilter's
        raise ValueError(f"internal: table {m.group(1).decode()} has an unexpected range")
    return out


def _put(xml: bytes, rows: bytes, dim: bytes) -> bytes:
    xml = _DIMENSION.sub(b'<dimension ref="' + dim + b'"/>', xml, count=1)
    out, n = _SHEET_DATA.subn(lambda m: m.group(1) + rows, xml, count=1)
    if n != 1:
        raise ValueError("internal: a table sheet has no header row to put its rows under")
    return out
