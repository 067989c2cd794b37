"""Shared reading of JSON-lines sources: line numbers, invalid lines, skipped lines.

Every line is either decoded into the adapter's declared struct (only the usage fields, never
message text), rejected (not valid JSON: a truncated write), or counted as skipped with a reason.
A ``.json`` file holding one object is read as a single line.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from . import kit


def numbered(path: Path) -> pl.LazyFrame:
    """``ln`` (1-based) and ``line``; a ``.json`` document is one line (ln 1)."""
    if path.suffix == ".json":
        return pl.LazyFrame({"ln": [1], "line": [path.read_text(errors="replace")]}).with_columns(
            pl.col("ln").cast(pl.UInt32)
        )
    return pl.scan_lines(path).with_row_index("ln", offset=1)


def decode(
    fmt: str, path: Path, dtype: pl.Struct, lines: pl.LazyFrame | None = None
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Decode every non-blank line into ``dtype`` (fields unnested, plus ``ln`` and ``line``).

    Returns ``(decoded, issues)``: issues hold the invalid lines (rejected, each with its line)
    and the blank lines (skipped, counted).
    """
    lines = numbered(path) if lines is None else lines
    text = pl.col("line").str.strip_chars()
    blank = text == ""
    valid = pl.col("line").str.json_path_match("$").is_not_null()
    bad = lines.filter(~blank & ~valid)
    good = lines.filter(~blank & valid).with_columns(_rec=pl.col("line").str.json_decode(dtype))
    issues = pl.concat(
        [
            kit.issues(bad, "rejected", "line is not valid JSON (truncated?)", fmt, path),
            kit.skipped(fmt, path, lines.filter(blank), "blank line"),
        ]
    )
    return good.unnest("_rec"), issues
