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
    got: dict[Path, FileRead] = {}
    # Two jobs at a time: a file's JSON decoding runs mostly on one core, and results come
    # back in input order, so output and "first seen" ties do not depend on timing.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for job, read in zip(jobs := _jobs(chosen), pool.map(_read_job, jobs), strict=True):
            for path, (u, r, i) in zip(job[0], _per_file(job[0], *read), strict=True):
                got[path] = FileRead(path, job[1].name, job[1].kind, u, r, i)
                tick(path)
    out = [got[p] for p, _ in chosen]
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


_Job = tuple[list[Path], adapters.Adapter]


def _jobs(chosen: list[tuple[Path, adapters.Adapter]]) -> list[_Job]:
    """One job per file, except that all files of a reader that reads many files in one query
    (``read_many``) make one job, placed where its first file was."""
    jobs: list[_Job] = []
    batches: dict[str, list[Path]] = {}
    for path, adapter in chosen:
        if not adapter.batched():
            jobs.append(([path], adapter))
        elif adapter.name in batches:
            batches[adapter.name].append(path)
        else:
            batches[adapter.name] = [path]
            jobs.append((batches[adapter.name], adapter))
    return jobs


def _read_job(job: _Job) -> tuple[pl.DataFrame | None, pl.DataFrame | None, pl.DataFrame]:
    paths, adapter = job
    if len(paths) == 1:
        return _read_file(paths[0], adapter, adapter.read(paths[0]))
    try:
        return _read_file(paths[0], adapter, adapter.read_many(paths))
    except InputError:
        # A structurally broken file among many: read them one by one to name it.
        got = [_read_file(p, adapter, adapter.read(p)) for p in paths]
        return tuple(_concat([g[k] for g in got]) for k in range(3))  # type: ignore[return-value]


def _per_file(
    paths: list[Path], usage: pl.DataFrame | None, runs: pl.DataFrame | None, issues: pl.DataFrame
) -> list[tuple[pl.DataFrame | None, pl.DataFrame | None, pl.DataFrame]]:
    """A job's collected frames split back into one (usage, attempts, issues) per file."""
    if len(paths) == 1:
        return [(usage, runs, issues)]

    def split(frame: pl.DataFrame | None) -> list[pl.DataFrame | None]:
        if frame is None:
            return [None] * len(paths)
        parts = {k[0]: v for k, v in frame.partition_by("source_file", as_dict=True).items()}
        return [parts.get(str(p), frame.clear()) for p in paths]

    return list(zip(split(usage), split(runs), split(issues), strict=True))  # type: ignore[arg-type]


def _concat(frames: list[pl.DataFrame | None]) -> pl.DataFrame | None:
    present = [f for f in frames if f is not None]
    return pl.concat(present) if present else None


def _read_file(
    path: Path, adapter: adapters.Adapter, read: adapters.Read
) -> tuple[pl.DataFrame | None, pl.DataFrame | None, pl.DataFrame]:
    """(usage, attempts, issues) of one read, collected."""
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
