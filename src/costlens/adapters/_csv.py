"""CSV records with the wrong number of fields: rejected at their line, the rest read.

polars pads a short record with nulls and stops the whole file at a long one. An export cut by
a crash, or a value with an unquoted separator, would then either shift money into the wrong
column silently or refuse the file. Each record's fields are counted from the text (quoted
values, doubled quotes and values spanning lines understood, as polars reads them) and a
record whose count differs from the header's becomes a rejected row naming its line.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

_QUOTED = r'"(?:[^"]|"")*"'


def scan_csv(
    path: Path, fmt: str, separator: str = ",", encoding: str = "utf8"
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """``(rows, rejected)``: every cell as text with ``ln`` (the record's number, the header
    being 1), less the records with the wrong field count; those as ISSUES rows."""
    rows = pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        truncate_ragged_lines=True,
        encoding=encoding,  # type: ignore[arg-type]
    ).with_row_index("ln", offset=2)
    width = len(rows.collect_schema()) - 1
    wrong = _widths(path, separator).filter(pl.col("fields") != width).collect(engine="streaming")
    if wrong.height:
        drop = wrong.lazy().select(ln=pl.col("rec"))
        rows = rows.join(drop, on="ln", how="anti", maintain_order="left")
    return rows, _rejected(wrong.lazy(), fmt, path, width)


def _widths(path: Path, sep: str) -> pl.LazyFrame:
    """Per record (``rec``, header = 1): its first line and its number of fields; blank lines
    (a row of nothing, left to the reader) are not counted."""
    line = pl.col("line").str.strip_suffix("\r")
    odd = (line.str.count_matches('"', literal=True) % 2).cast(pl.Int64)
    inside = (odd.cum_sum() - odd) % 2 == 1  # this line starts inside a quoted value
    lines = (
        pl.scan_lines(os.fspath(path))
        .with_row_index("_i")
        .with_columns(text=line, _in=inside, _odd=odd)
        .with_columns(rec=(~pl.col("_in")).cum_sum().cast(pl.UInt32))
    )
    alone = lines.filter(~pl.col("_in") & (pl.col("_odd") == 0))
    spread = (  # rare: a record whose quoted value spans lines, joined back before counting
        lines.filter(pl.col("_in") | (pl.col("_odd") == 1))
        .group_by("rec")
        .agg(pl.col("_i").min(), pl.col("text").str.join("\n"))
    )
    both = pl.concat([alone.select("rec", "_i", "text"), spread.select("rec", "_i", "text")])
    fields = pl.col("text").str.replace_all(_QUOTED, "").str.count_matches(sep, literal=True) + 1
    return both.filter(pl.col("text") != "").select(
        "rec", line=(pl.col("_i") + 1).cast(pl.Int64), fields=fields.cast(pl.Int64)
    )


def _rejected(wrong: pl.LazyFrame, fmt: str, path: Path, width: int) -> pl.LazyFrame:
    why = pl.format(
        "{} fields where the header has {}; "
        "quote values that contain the separator, or re-export the file (cut short?)",
        pl.col("fields"),
        pl.lit(width),
    )
    return wrong.sort("line").select(
        source_format=pl.lit(fmt),
        source_file=pl.lit(str(path)),
        source_line=pl.col("line"),
        kind=pl.lit("rejected"),
        reason=why,
        count=pl.lit(1, pl.Int64),
    )
