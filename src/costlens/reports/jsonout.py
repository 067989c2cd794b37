"""The ``--json`` summary object (documented in docs/schema.md). Money is a decimal string."""

from __future__ import annotations

import json
from decimal import Decimal

from ..results import Report


def json_default(v: object) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral() else format(v, "f").rstrip("0")
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")


def summary_json(report: Report) -> str:
    """The summary as indented JSON; Decimals are written as exact strings."""
    return json.dumps(report.summary, default=json_default, indent=2)
