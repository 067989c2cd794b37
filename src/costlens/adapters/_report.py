"""Shared reading of provider report pages: ``{data: [{<start>, <end>, results: [...]}]}``.

OpenAI's organization Usage API and Anthropic's Admin usage report both return time buckets
holding result rows. A file may hold one page or a JSON array of pages. Field mappings are data
(canonical column -> dotted source path); this module only walks the envelope.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..errors import InputError, located
from ._base import load_json_document, path_expr
from ._exact import load_exact
from .kit import lineage


def pages(path: Path, exact: bool = False) -> list[dict]:
    """The page objects in a report file (``exact``: numbers kept as their raw text)."""
    doc = load_exact(path) if exact else load_json_document(path)
    found = doc if isinstance(doc, list) else [doc]
    if not all(isinstance(p, dict) and isinstance(p.get("data"), list) for p in found):
        raise InputError(located(path, None, "expected a report page with a 'data' list"))
    return found


def result_frame(path: Path, start: str, end: str, exact: bool = False) -> pl.DataFrame:
    """One row per result, with its bucket's ``_start``/``_end`` and a 1-based ``_record``."""
    records = [
        {**r, "_start": b.get(start), "_end": b.get(end)}
        for p in pages(path, exact)
        for b in p["data"]
        for r in b.get("results") or []
    ]
    frame = pl.from_dicts(records, infer_schema_length=None) if records else pl.DataFrame()
    return frame.with_row_index("_record", offset=1)


def mapped(frame: pl.DataFrame, fmt: str, path: Path, mapping: dict[str, str]) -> pl.LazyFrame:
    """Apply a declared mapping; source fields absent from the file become nulls."""
    present = set(frame.columns)
    exprs = [
        path_expr(src).alias(dst) if src.split(".")[0] in present else pl.lit(None).alias(dst)
        for dst, src in mapping.items()
    ]
    return frame.lazy().select(*lineage(fmt, path, pl.col("_record")), *exprs)
