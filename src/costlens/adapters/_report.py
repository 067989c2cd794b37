"""Shared reading of provider report pages: ``{data: [{<start>, <end>, results: [...]}]}``.

OpenAI's organization Usage API and Anthropic's Admin usage report both return time buckets
holding result rows. A file may hold one page or a JSON array of pages. Field mappings are data
(canonical column -> dotted source path); this module only walks the envelope.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import InputError, located
from ._base import load_json_document, path_expr
from ._exact import load_exact
from .kit import lineage


def pages(path: Path, exact: bool = False) -> list[dict]:
    """The page objects in a report file (``exact``: numbers kept as their raw text)."""
    doc = load_exact(path) if exact else load_json_document(path)
    found: list[Any] = doc if isinstance(doc, list) else [doc]
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
    if exact:
        records = _as_text(records)
    try:
        frame = pl.from_dicts(records, infer_schema_length=None) if records else pl.DataFrame()
    except (pl.exceptions.PolarsError, TypeError, ValueError) as e:
        msg = "results mix value types polars cannot hold in one column; export it unmodified"
        raise InputError(located(path, None, msg)) from e
    return frame.with_row_index("_record", offset=1)


def _text(value: object) -> object:
    """A decoded value with every scalar as its text (``true``, ``12``), objects recursed."""
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if value is None else str(value)


def _as_text(records: list[dict]) -> list[dict]:
    """Records as text; a field that is an object in one record and a scalar in another (a
    wrong-typed count) keeps the object as JSON text, so the row is refused, not the file."""
    out = [{k: _text(v) for k, v in r.items()} for r in records]
    mixed = {
        k
        for k in {k for r in out for k in r}
        if len({isinstance(r.get(k), dict) for r in out if r.get(k) is not None}) > 1
    }
    for r in out:
        for k in mixed & r.keys():
            if isinstance(r[k], dict):
                r[k] = json.dumps(r[k])
    return out


def mapped(frame: pl.DataFrame, fmt: str, path: Path, mapping: dict[str, str]) -> pl.LazyFrame:
    """Apply a declared mapping; source fields absent from the file become nulls."""
    present = set(frame.columns)
    exprs = [
        path_expr(src).alias(dst) if src.split(".")[0] in present else pl.lit(None).alias(dst)
        for dst, src in mapping.items()
    ]
    return frame.lazy().select(*lineage(fmt, path, pl.col("_record")), *exprs)
