"""The adapter protocol: ``name``, ``identify(path)``, ``read(path)``.

An adapter turns one source file into canonical usage rows (``schema.USAGE``) or run-log attempts
(``schema.RUNS``), plus the rows it could not use (``schema.ISSUES``). ``identify`` must be cheap
and decisive: it looks at the file name and the first bytes only.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import polars as pl

HEAD_BYTES = 64 * 1024


@functools.lru_cache(maxsize=256)
def head(path: Path) -> str:
    """The first bytes of a file as text (undecodable bytes replaced)."""
    with open(path, "rb") as f:
        return f.read(HEAD_BYTES).decode("utf-8", errors="replace")


HEAD_LINES = 20
"""At most this many leading lines are parsed for identification."""

LOG_SUFFIXES = (".jsonl", ".json", ".sse", ".txt")
"""Suffixes of API response logs: JSON lines, one saved document, or a saved event stream
(``.sse``; ``.txt`` only when named, as SDK test recordings are: folder walks skip ``.txt``)."""

_SSE_DATA = re.compile(r"^data:[ ]?")


def is_event_stream(path: Path) -> bool:
    """Whether the file is a saved server-sent event stream (``data:`` / ``event:`` lines)."""
    text = head(path).lstrip("\ufeff")
    return text.startswith(("data:", "event:")) or "\ndata:" in text


def first_json_lines(path: Path, limit: int = HEAD_LINES) -> list[dict]:
    """Parse up to ``limit`` complete leading lines of a JSONL file; skip ones that fail.

    Every reader's ``identify`` asks this of the same file: the head is read and parsed once
    per file (``_head_lines``), and each reader decides on the same parsed objects.
    """
    whole, parsed, cut = _head_lines(path)
    if whole:
        # A pretty-printed document's inner lines may parse on their own: the whole wins.
        return list(whole)
    parsed = parsed[: min(limit, HEAD_LINES)]
    return [obj for obj in (parsed[:-1] if cut else parsed) if obj is not None]


@functools.lru_cache(maxsize=256)
def _head_lines(path: Path) -> tuple[tuple[dict, ...], tuple[dict | None, ...], bool]:
    """The head as one whole small ``.json`` document (or nothing), its leading lines parsed
    (None: not a JSON object), and whether the head was cut short by ``HEAD_BYTES`` (then its
    last line may be incomplete)."""
    text = head(path)
    cut = len(text) >= HEAD_BYTES
    whole = _object(text) if path.suffix == ".json" and not cut else None
    lines = tuple(_object(line) for line in text.splitlines()[:HEAD_LINES])
    return ((whole,) if whole else ()), lines, cut


def _object(line: str) -> dict | None:
    # A saved event stream carries each JSON event on a ``data:`` line.
    line = _SSE_DATA.sub("", line.strip(), count=1)
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


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
