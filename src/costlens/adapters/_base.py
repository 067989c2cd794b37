"""The adapter protocol: ``name``, ``identify(path)``, ``read(path)``.

An adapter turns one source file into canonical usage rows (``schema.USAGE``) or run-log attempts
(``schema.RUNS``), plus the rows it could not use (``schema.ISSUES``). ``identify`` must be cheap
and decisive: it looks at the file name and the first bytes only.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, Protocol

import polars as pl

from .. import schema

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Read:
    """What an adapter produced from one file."""

    rows: pl.LazyFrame
    """Usage rows (``USAGE``) or attempts (``RUNS``)."""
    issues: pl.LazyFrame = field(default_factory=lambda: schema.empty(schema.ISSUES))
    """Rows that were rejected or skipped, with reasons (``ISSUES``)."""
    usage: pl.LazyFrame | None = None
    """Usage rows (``USAGE``) that a run-log reader found beside its attempts (an eval harness
    log that records tokens or cost); None for every other reader."""


class Adapter(Protocol):
    """A reader for one source format."""

    name: ClassVar[str]
    kind: ClassVar[Literal["usage", "runs"]]
    dedupe_on: ClassVar[tuple[str, ...]]
    """Columns identifying one record across lines and files; empty when rows are unique."""

    def identify(self, path: Path) -> bool: ...

    def read(self, path: Path) -> Read: ...


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
    return out


def load_json_document(path: Path) -> object:
    """Load a whole JSON document (provider API pages are small)."""
    from ..errors import InputError, located

    try:
        with open(path, "rb") as f:
            return json.load(f)
    except ValueError as e:
        raise InputError(located(path, None, f"not valid JSON ({e}); is the file complete?")) from e


def lineage(fmt: str, path: Path, line: pl.Expr) -> list[pl.Expr]:
    """The three lineage columns every row carries."""
    return [
        pl.lit(fmt).alias("source_format"),
        pl.lit(str(path)).alias("source_file"),
        line.cast(pl.Int64).alias("source_line"),
    ]


def issues_from(
    fmt: str, path: Path, frame: pl.LazyFrame, kind: str, reason: pl.Expr
) -> pl.LazyFrame:
    """Rows of ``frame`` (with a ``ln`` line column) as ISSUES of ``kind`` with ``reason``."""
    return frame.select(
        *lineage(fmt, path, pl.col("ln")),
        kind=pl.lit(kind),
        reason=reason,
        count=pl.lit(1, pl.Int64),
    )


def utc(expr: pl.Expr) -> pl.Expr:
    """Parse ISO 8601 text with a Z or an offset into a UTC timestamp (null when unparsable)."""
    return expr.str.to_datetime(time_zone="UTC", strict=False, time_unit="us")


def path_expr(dotted: str) -> pl.Expr:
    """``a.b.c`` -> ``pl.col('a').struct.field('b').struct.field('c')``."""
    first, *rest = dotted.split(".")
    expr = pl.col(first)
    for part in rest:
        expr = expr.struct.field(part)
    return expr


def duplicate_issues(dropped: pl.DataFrame, reason: str) -> pl.DataFrame:
    """One ISSUES row per file for rows dropped as duplicates: the count and the first line.

    A busy log has as many duplicate lines as records; the Data quality sheet needs counts and
    an example, not one row each.
    """
    return (
        dropped.group_by("source_format", "source_file", maintain_order=True)
        .agg(source_line=pl.col("source_line").min(), count=pl.len().cast(pl.Int64))
        .select(
            "source_format",
            "source_file",
            "source_line",
            kind=pl.lit("duplicate"),
            reason=pl.lit(reason),
            count="count",
        )
    )
