"""Reading numbers exactly: money from its raw text, counts that must be whole.

JSON parsers (Python's and polars') turn ``0.8958740000000000001`` into a float before anyone
sees it. Billing documents are therefore parsed with every number kept as its raw text, and
money is cast from that text straight to ``schema.MONEY``. Counts may arrive written as floats
(``59200.0``, a spreadsheet round trip): they are accepted only when whole.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

from ..errors import InputError, located
from ..schema import MONEY, UTC_TIME

WHOLE = r"^\s*-?\d+(\.0*)?\s*$"


def load_exact(path: Path) -> object:
    """Load a JSON document with every number kept as its raw text (a string)."""
    try:
        with open(path, "rb") as f:
            return json.load(f, parse_float=str, parse_int=str)
    except ValueError as e:
        raise InputError(located(path, None, f"not valid JSON ({e}); is the file complete?")) from e


def records_frame(records: list[dict]) -> pl.DataFrame:
    """Records (from ``load_exact``) as a frame with a 1-based ``_record`` ordinal."""
    frame = pl.from_dicts(records, infer_schema_length=None) if records else pl.DataFrame()
    return frame.with_row_index("_record", offset=1)


def money(expr: pl.Expr) -> pl.Expr:
    """Raw decimal text (``"1.25"``, ``"1e-3"``) as MONEY; null when absent or not a number.

    MONEY keeps 12 decimal places: digits beyond the 12th (below a trillionth of a unit) are
    not kept.
    """
    return expr.cast(pl.String).str.strip_chars().cast(MONEY, strict=False)


def count(expr: pl.Expr) -> pl.Expr:
    """A token or request count from text: ``"59200"`` and ``"59200.0"`` -> 59200, else null."""
    text = expr.cast(pl.String)
    whole = text.str.contains(WHOLE)
    return pl.when(whole).then(text.str.replace(r"\.0*\s*$", "").str.strip_chars()).cast(pl.Int64)


def not_whole(expr: pl.Expr) -> pl.Expr:
    """True where the text is present but is not a whole number (``"12.5"``, ``"abc"``)."""
    text = expr.cast(pl.String).str.strip_chars()
    return (text.is_not_null() & (text != "") & ~text.str.contains(WHOLE)).fill_null(False)


def unix_seconds(expr: pl.Expr) -> pl.Expr:
    """Unix seconds (as text or a number, ``"1767225600"`` or ``"1767225600.0"``) -> UTC time."""
    return pl.from_epoch(count(expr), time_unit="s").dt.replace_time_zone("UTC").cast(UTC_TIME)


def file_time(path: Path) -> pl.Expr:
    """The file's modification time, as a UTC timestamp literal."""
    import datetime as dt

    when = dt.datetime.fromtimestamp(os.stat(path).st_mtime, tz=dt.UTC)
    return pl.lit(when, UTC_TIME)


def split_unreadable(
    rows: pl.LazyFrame, column: str, raw: str, what: str
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Rows whose ``raw`` text is present but did not parse into ``column``, as rejections.

    Returns ``(good, rejected)``; ``rejected`` follows ``schema.ISSUES`` and drops ``raw``.
    """
    text = pl.col(raw).cast(pl.String).str.strip_chars()
    bad = pl.col(column).is_null() & text.is_not_null() & (text != "")
    rejected = rows.filter(bad).select(
        "source_format",
        "source_file",
        "source_line",
        kind=pl.lit("rejected"),
        reason=pl.format(f"{what} is not a number: '{{}}'", text),
        count=pl.lit(1, pl.Int64),
    )
    return rows.filter(~bad).drop(raw), rejected
