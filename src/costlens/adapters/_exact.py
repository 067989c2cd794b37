"""Reading numbers exactly: money from its raw text, counts that must be whole.

JSON parsers (Python's and polars') turn ``0.8958740000000000001`` into a float before anyone
sees it. Billing documents are therefore parsed with every number kept as its raw text, and
money is cast from that text straight to ``schema.MONEY``. Counts may arrive written as floats
(``59200.0``, a spreadsheet round trip): they are accepted only when whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ..errors import InputError, located

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
