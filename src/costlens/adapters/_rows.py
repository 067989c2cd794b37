"""Rows of exports without a row id that more than one file holds, counted once.

GCP billing and Azure cost exports carry no id per row, so the same export downloaded twice
(saved differently, so its bytes differ) or two exports whose date ranges overlap would count
the shared rows twice. A row equal in every read field to a row of another file is the same
charge. Identical rows within one file stay separate charges, as the export lists them: per
row content, the file holding it most often (the first such file on a tie) keeps its copies,
and the copies in the other files are duplicates.
"""

from __future__ import annotations

import polars as pl

LINEAGE = ("source_format", "source_file", "source_line")


def across_files(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(kept, dropped)``: ``frame`` (one format's rows of every file, in read order) with the
    copies of rows another file already holds split off (``dropped`` keeps the lineage)."""
    if frame.is_empty() or frame["source_file"].n_unique() < 2:
        return frame, frame.clear()
    body = [c for c in frame.columns if c not in LINEAGE]
    key = pl.struct(body)
    tagged = frame.with_row_index("_seq").with_columns(
        _n=pl.len().over(key, "source_file").cast(pl.Int64),
        _file=pl.col("_seq").min().over("source_file"),  # the file's place in read order
    )
    owner = pl.col("source_file").sort_by(-pl.col("_n"), pl.col("_file")).first().over(key)
    tagged = tagged.with_columns(_keep=pl.col("source_file") == owner)
    helpers = ["_seq", "_n", "_file", "_keep"]
    kept = tagged.filter(pl.col("_keep")).drop(helpers)
    return kept, tagged.filter(~pl.col("_keep")).drop(helpers)
