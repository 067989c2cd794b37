"""Shared reading of JSON-lines sources: line numbers, invalid lines, skipped lines.

Every line is either decoded into the adapter's declared struct (only the usage fields, never
message text), rejected (not valid JSON: a truncated write), or counted as skipped with a reason.
A ``.json`` file holding one object is read as a single line. A saved server-sent event stream
(``event: ...`` / ``data: {...}`` lines, as an SDK or a proxy records a streamed response) is
read the same way: each ``data:`` line is the JSON event, and the framing lines (``event:``,
``id:``, ``retry:``, ``:`` comments, ``data: [DONE]``) are counted as skipped.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from . import kit
from ._base import is_event_stream

FRAMING = r"^(event:|id:|retry:|:|data:\s*\[DONE\]\s*$)"
"""Server-sent event lines that carry no JSON event."""


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
    lines, framing = _events(fmt, path, lines)
    text = pl.col("line").str.strip_chars()
    blank = text == ""
    valid = pl.col("line").str.json_path_match("$").is_not_null()
    bad = lines.filter(~blank & ~valid)
    good = lines.filter(~blank & valid).with_columns(_rec=pl.col("line").str.json_decode(dtype))
    issues = pl.concat(
        [
            kit.issues(bad, "rejected", "line is not valid JSON (truncated?)", fmt, path),
            kit.skipped(fmt, path, lines.filter(blank), "blank line"),
            framing,
        ]
    )
    return good.unnest("_rec"), issues


def _events(fmt: str, path: Path, lines: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """A saved event stream's ``data:`` lines as plain JSON lines, and its framing lines
    (skipped, counted); any other file unchanged (its head says which)."""
    if not is_event_stream(path):
        return lines, kit.skipped(fmt, path, lines.head(0), "event stream framing line")
    text = pl.col("line").str.strip_chars()
    tagged = lines.with_columns(_framing=text.str.contains(FRAMING))
    framing = kit.skipped(fmt, path, tagged.filter("_framing"), "event stream framing line")
    data = tagged.filter(~pl.col("_framing")).drop("_framing")
    return data.with_columns(line=text.str.replace(r"^data:[ ]?", "")), framing
