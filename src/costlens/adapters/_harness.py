"""Shared pieces of the eval-harness readers (Inspect AI, SWE-agent, mini-swe-agent).

A harness log is one JSON document per run (or per instance), not a stream of usage lines: it is
decoded whole (with money read from its own text as Decimal, never via float) and turned into a
few attempts and usage rows per document. Python runs once per sample or instance, which is the
record, not once per token count.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl

from .. import schema
from ..errors import InputError, located
from . import kit


def load(path: Path, text: bytes | str | None = None) -> dict:
    """A JSON object, floats as Decimal from their own text.

    Raises:
        InputError: the file is not a JSON object.
    """
    try:
        doc = json.loads(Path(path).read_bytes() if text is None else text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(located(path, None, f"not valid JSON ({e}); is the file complete?")) from e
    if not isinstance(doc, dict):
        raise InputError(located(path, None, "expected a JSON object at the top level"))
    return doc


def count(value: object, name: str = "a token count") -> int | None:
    """A token count (int, or a whole Decimal such as ``59200.0``); None when absent.

    Never truncated: ``12.7``, ``true`` or text refuse the file with the field's name
    (``kit.whole``), as the line readers' ``kit.count_problem`` rejects such a value.
    """
    return kit.whole(value, name)


def attempts(rows: list[dict]) -> pl.LazyFrame:
    """Attempt dicts (RUNS columns, missing ones null) as a RUNS frame."""
    if not rows:
        return schema.empty(schema.RUNS)
    frame = pl.LazyFrame(rows, infer_schema_length=None)
    return schema.conform(frame, schema.RUNS)


def usage(rows: list[dict]) -> pl.LazyFrame:
    """Usage dicts (USAGE columns, missing ones null) as a USAGE frame."""
    if not rows:
        return schema.empty(schema.USAGE)
    return schema.conform(pl.LazyFrame(rows, infer_schema_length=None), schema.USAGE)
