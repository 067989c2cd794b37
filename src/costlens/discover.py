"""Stage 1 (discover): find the input files, read each with its reader, de-duplicate records.

Each file is collected on its own (streaming), which bounds memory by one file's usage rows, lets
progress advance per file and ties any failure to the file that caused it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from . import adapters, schema
from .adapters._base import HEAD_BYTES, head
from .errors import InputError, located


@dataclass(frozen=True)
class Ingested:
    """Everything read from the inputs, before pricing."""

    usage: pl.DataFrame
    runs: pl.DataFrame
    issues: pl.DataFrame
    files: list[tuple[str, str]]
    """(path, adapter name) for every file read, in order."""


@dataclass(frozen=True)
class FileRead:
    """What one input file yielded, before any de-duplication across files."""

    path: Path
    reader: str
    """The adapter's name, or ``(empty)`` for a file with nothing in it."""
    kind: str
    usage: pl.DataFrame | None
    runs: pl.DataFrame | None
    issues: pl.DataFrame


def discover(
    paths: Iterable[Path],
    run_paths: Iterable[Path] = (),
    tick: Callable[[Path], None] = lambda _: None,
) -> Ingested:
    """Read usage files and run logs; run logs may also sit among ``paths``."""
    return combine(read_each(paths, run_paths, tick))


def read_each(
    paths: Iterable[Path],
    run_paths: Iterable[Path] = (),
    tick: Callable[[Path], None] = lambda _: None,
) -> list[FileRead]:
    """Read every input file on its own (the stage the workspace stores), in input order."""
    files, runs_files = adapters.expand(list(paths)), adapters.expand(list(run_paths))
    empty = [p for p in [*files, *runs_files] if _empty(p)]
    skip = set(empty)
    chosen = [(p, adapters.identify(p)) for p in files if p not in skip]
    for p in runs_files:
        if p in skip:
            continue
        a = adapters.identify(p)
        if a.kind != "runs":
            raise InputError(located(p, None, f"passed as a run log but reads as {a.name}"))
        chosen.append((p, a))
    out = []
    # Two files at a time: a file's JSON decoding runs mostly on one core, and results come
    # back in input order, so output and "first seen" ties do not depend on timing.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for (path, adapter), got in zip(chosen, pool.map(_read_file, chosen), strict=True):
            u, r, i = got
            out.append(FileRead(path, adapter.name, adapter.kind, u, r, i))
            tick(path)
    for p in empty:
        out.append(FileRead(p, "(empty)", "empty", None, None, _empty_issues([p])))
    return out


def combine(reads: list[FileRead]) -> Ingested:
    """Merge per-file reads: de-duplicate records per format, split out invalid rows."""
    usage: dict[str, list[pl.DataFrame]] = {}
    runs, issues = [], [schema.empty(schema.ISSUES).collect()]
    for r in reads:
        issues.append(r.issues)
        if r.runs is not None:
            runs.append(r.runs)
        if r.usage is not None:
            usage.setdefault(r.reader, []).append(r.usage)
    kept, dupes = dedupe(usage)
    valid, bad = schema.split_invalid(kept.lazy())
    return Ingested(
        usage=valid.collect(),
        runs=pl.concat(runs) if runs else schema.empty(schema.RUNS).collect(),
        issues=pl.concat([*issues, dupes, bad.collect()]),
        files=[(str(r.path), r.reader) for r in reads],
    )


def _empty(path: Path) -> bool:
    """A file with nothing but white space holds no rows in any format: skipped, not an error."""
    return path.stat().st_size <= HEAD_BYTES and not head(path).strip()


def _empty_issues(paths: list[Path]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_format": [None] * len(paths),
            "source_file": [str(p) for p in paths],
            "source_line": [None] * len(paths),
            "kind": ["skipped"] * len(paths),
            "reason": ["empty file"] * len(paths),
            "count": [1] * len(paths),
        },
        schema=schema.ISSUES,
    )


def _read_file(
    chosen: tuple[Path, adapters.Adapter],
) -> tuple[pl.DataFrame | None, pl.DataFrame | None, pl.DataFrame]:
    """(usage, attempts, issues) of one file, collected."""
    path, adapter = chosen
    read = adapter.read(path)
    stage = f"{path}: reader {adapter.name}"
    issues = _collect(schema.conform(read.issues, schema.ISSUES, stage), path)
    rows = read.rows if adapter.kind == "usage" else read.usage  # a harness log may carry usage
    usage = (
        None
        if rows is None
        else _collect(_timed(schema.conform(rows, schema.USAGE, stage), path), path)
    )
    if adapter.kind != "runs":
        return usage, None, issues
    return usage, _collect(schema.check(read.rows, schema.RUNS, stage), path), issues


def _timed(rows: pl.LazyFrame, path: Path) -> pl.LazyFrame:
    """A record with no time of its own is dated by its file (``schema.stamp_time``)."""
    return schema.stamp_time(rows, dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC))


def _collect(lf: pl.LazyFrame, path: Path) -> pl.DataFrame:
    try:
        return lf.collect(engine="streaming")
    except pl.exceptions.PolarsError as e:
        # A structurally broken file (not a bad line, which is rejected row by row).
        raise InputError(located(path, None, f"cannot be read: {e}".splitlines()[0])) from e


def dedupe(by_adapter: dict[str, list[pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep one row per record key, per format; the others become ``duplicate`` issues."""
    kept, dupes = [], [schema.empty(schema.ISSUES).collect()]
    # Pop each format's per-file frames as they are merged, so only one copy is alive at once.
    for name in list(by_adapter):
        frame = pl.concat(by_adapter.pop(name))
        adapter = next(a for a in adapters.ADAPTERS if a.name == name)
        k, d = adapter.dedupe(frame)  # declared on kit.Reader, defaulted from dedupe_on
        kept.append(k)
        dupes.append(d)
    usage = pl.concat(kept) if kept else schema.empty(schema.USAGE).collect()
    return usage, pl.concat(dupes)
