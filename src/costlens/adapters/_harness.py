"""Shared pieces of the eval-harness readers (Inspect AI, SWE-agent, mini-swe-agent).

A harness log is one JSON document per run (or per instance), not a stream of usage lines: it is
decoded whole (with money read from its own text as Decimal, never via float) and turned into a
few attempts and usage rows per document. Python runs once per sample or instance, which is the
record, not once per token count.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl

from .. import schema
from ..errors import InputError, located


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


def when(text: object) -> dt.datetime | None:
    """An ISO 8601 time with an offset (or Z) as UTC; None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(dt.UTC) if t.tzinfo else t.replace(tzinfo=dt.UTC)


def unix(seconds: object) -> dt.datetime | None:
    """A Unix time in seconds (int, float or Decimal) as UTC; None when absent."""
    if isinstance(seconds, int | float | Decimal) and not isinstance(seconds, bool):
        micros = int(Decimal(seconds) * 1_000_000)
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    return None


def modified(path: Path) -> dt.datetime:
    """The file's modification time: the time a harness last wrote the trajectory."""
    return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.UTC)


def money(value: object) -> Decimal | None:
    """A cost as Decimal (already Decimal when decoded by ``load``); None when absent."""
    if value is None or isinstance(value, bool):
        return None
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def count(value: object) -> int | None:
    """A token count (int, or a whole Decimal such as ``59200.0``); None when absent."""
    if value is None or isinstance(value, bool):
        return None
    return int(value)


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
