"""The adapter protocol: ``name``, ``identify(path)``, ``read(path)``.

An adapter turns one source file into canonical usage rows (``schema.USAGE``) or run-log attempts
(``schema.RUNS``), plus the rows it could not use (``schema.ISSUES``). ``identify`` must be cheap
and decisive: it looks at the file name and the first bytes only.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import polars as pl

HEAD_BYTES = 64 * 1024


@functools.lru_cache(maxsize=256)
def head(path: Path) -> str:
    """The first bytes of a file as text (undecodable bytes replaced)."""
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES).decode("utf-8", errors="replace")


def first_json_lines(path: Path, limit: int = 20) -> list[dict]:
    """Parse up to ``limit`` complete leading lines of a JSONL file; skip ones that fail."""
    out: list[dict] = []
    lines = head(path).splitlines()[:limit]
    for line in lines[:-1] if len(head(path)) >= HEAD_BYTES else lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    # A pretty-printed document's inner lines may parse on their own: the whole wins.
    return _whole_document(path) or out


def _whole_document(path: Path) -> list[dict]:
    """A small ``.json`` file holding one pretty-printed object (a saved API response) as its
    one record; nothing for anything else."""
    if path.suffix != ".json" or len(head(path)) >= HEAD_BYTES:
        return []
    try:
        obj = json.loads(head(path))
    except ValueError:
        return []
    return [obj] if isinstance(obj, dict) else []


def load_json_document(path: Path) -> object:
    """Load a whole JSON document (provider API pages are small)."""
    from ..errors import InputError, located

    try:
        with open(path, "rb") as f:
            return json.load(f)
    except ValueError as e:
        raise InputError(located(path, None, f"not valid JSON ({e}); is the file complete?")) from e


def path_expr(dotted: str) -> pl.Expr:
    """``a.b.c`` -> ``pl.col('a').struct.field('b').struct.field('c')``."""
    first, *rest = dotted.split(".")
    expr = pl.col(first)
    for part in rest:
        expr = expr.struct.field(part)
    return expr
