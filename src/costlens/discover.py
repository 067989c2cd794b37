"""Stage 1 (discover): find the input files, read each with its reader, de-duplicate records.

Within one run a file's content is read once: a second path with the same content digest (the
same export given twice, a folder plus a file inside it, a run log among the paths and named
with ``--runs``) is reported as a ``duplicate file``. A file found by walking a folder that no
reader claims, or that its reader fails on, is ``not read`` (listed with the reason, and the run
goes on); a file named explicitly stays an error. ``--strict`` refuses both (pipeline).

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

from . import adapters, inputs, schema
from .adapters.kit import duplicates
from .errors import CostlensError, InputError, RefusedValue, located
from .inputs import Found

SUFFIXES = (*adapters.DATA_SUFFIXES, ".tsv")
"""What a folder walk considers (case ignored); a ``.tsv`` no reader claims is not read."""


@dataclass(frozen=True)
class Ingested:
    """Everything read from the inputs, before pricing."""

    usage: pl.DataFrame
    runs: pl.DataFrame
    issues: pl.DataFrame
    files: list[tuple[str, str]]
    """(path, reader name) for every file, in order; ``(empty)``, ``(duplicate)`` and
    ``(not read)`` for files that gave no rows."""


@dataclass(frozen=True)
class FileRead:
    """What one input file yielded, before any de-duplication across files."""

    path: Path
    reader: str
    """The reader's name, or ``(empty)``, ``(duplicate)``, ``(not read)`` for a file that gave
    no rows (its one ISSUES row says why)."""
    kind: str
    """``usage``, ``runs``, ``empty``, ``duplicate`` or ``not read``."""
    usage: pl.DataFrame | None
    runs: pl.DataFrame | None
    issues: pl.DataFrame


@dataclass(frozen=True)
class _Chosen:
    found: Found
    path: Path
    """The path read: the file, or its cleaned temporary copy (printing as the file)."""
    reader: adapters.Reader
    long_lines: list[int]


def discover(
    paths: Iterable[Path],
    run_paths: Iterable[Path] = (),
    tick: Callable[[Path], None] = lambda _: None,
) -> Ingested:
    """Read usage files and run logs; run logs may also sit among ``paths``."""
    return combine(read_each(paths, run_paths, tick))


def expand(paths: list[Path]) -> list[Path]:
    """Files named directly, plus data files found under named folders (archives opened)."""
    return [f.path for f in inputs.find(paths, SUFFIXES, False)[0]]


def read_each(
    paths: Iterable[Path],
    run_paths: Iterable[Path] = (),
    tick: Callable[[Path], None] = lambda _: None,
) -> list[FileRead]:
    """Read every input file on its own (the stage the workspace stores), in input order.

    Files that gave no rows come last: empty, duplicate and not-read files, one ISSUES row each.
    """
    found, not_read = inputs.find(list(paths), SUFFIXES, False)
    found_runs, more = inputs.find(list(run_paths), SUFFIXES, True)
    notes: list[tuple[str, str, str]] = [(p, "not read", why) for p, why in [*not_read, *more]]
    unread: list[tuple[str, str, str]] = []  # files no reader takes, listed after the copies
    chosen = _once([*found, *found_runs], notes, unread)
    notes.extend(unread)
    reads = _read_all([c for c in chosen if c is not None], notes, tick)
    return reads + [_note(*n) for n in notes]


def _once(
    found: list[Found], notes: list[tuple[str, str, str]], unread: list[tuple[str, str, str]]
) -> list[_Chosen | None]:
    """The files whose content was not seen before in this run (in order), each surveyed and
    identified as it is met: identification looks at the head the survey read (the file is not
    opened again for it) and nothing of it is kept for later files."""
    first: dict[str, list[int]] = {}
    kept: list[tuple[Found, inputs.Survey]] = []
    out: list[_Chosen | None] = []
    for f in found:
        s, head = inputs.surveyed(f.path, adapters.HEAD_BYTES)
        if s.size <= adapters.HEAD_BYTES and _blank(head):
            # Nothing but white space: no rows in any format (and every empty file is alike).
            notes.append((str(f.path), "skipped", "empty file"))
            continue
        same = [k for k in first.get(s.digest, []) if inputs.same_content(kept[k][0].path, f.path)]
        if not same:
            first.setdefault(s.digest, []).append(len(kept))
            kept.append((f, s))
            with adapters.given_head(f.path, head):
                out.append(_choose(f, s, unread))
            continue
        k = same[0]
        why = f"same content as {kept[k][0].path}; read once"
        notes.append((str(f.path), "duplicate file", why))
        if f.as_runs and not kept[k][0].as_runs:  # named with --runs too: check it as a run log
            kept[k] = (Found(kept[k][0].path, kept[k][0].explicit, True), kept[k][1])
            if out[k] is not None:  # (one no reader took is listed once already)
                out[k] = _choose(kept[k][0], kept[k][1], unread, out[k])
    return out


def _blank(head: bytes) -> bool:
    """Whether the text is white space only (as ``str.strip`` sees it), decoding only when the
    first byte that is not ASCII white space is not a printable ASCII character."""
    rest = head.lstrip()
    if not rest:
        return True
    return not 0x21 <= rest[0] <= 0x7E and not head.decode("utf-8", errors="replace").strip()


def _choose(
    f: Found,
    s: inputs.Survey,
    notes: list[tuple[str, str, str]],
    before: _Chosen | None = None,
) -> _Chosen | None:
    """The reader for ``f`` (None: not read, and listed). ``before``: the choice made when the
    same file was met without ``--runs`` (its reader is checked again as a run log's)."""
    if before is not None:
        path, reader = before.path, before.reader
    else:
        path = f.path if s.clean else inputs.cleaned(f.path, s)
    try:
        if before is None:
            reader = adapters.identify(path)
        if f.as_runs and reader.kind != "runs":
            raise InputError(
                located(f.path, None, f"passed as a run log but reads as {reader.name}")
            )
    except CostlensError as e:
        if f.explicit:
            raise
        notes.append((str(f.path), "not read", inputs.reason_of(e, f.path)))
        return None
    return _Chosen(f, path, reader, s.long_lines)


def _read_all(
    chosen: list[_Chosen], notes: list[tuple[str, str, str]], tick: Callable[[Path], None]
) -> list[FileRead]:
    got: dict[int, Got | CostlensError] = {}
    # Two jobs at a time: a file's JSON decoding runs mostly on one core, and results come
    # back in input order, so output and "first seen" ties do not depend on timing.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for job, results in zip(jobs := _jobs(chosen), pool.map(_read_job, jobs), strict=True):
            for c, r in zip(job, results, strict=True):
                got[id(c)] = r
    out: list[FileRead] = []
    for c in chosen:
        tick(c.found.path)
        r = got[id(c)]
        if isinstance(r, CostlensError):
            if c.found.explicit:
                raise r
            notes.append((str(c.found.path), "not read", inputs.reason_of(r, c.path)))
            continue
        u, runs, i = r
        out.append(FileRead(c.found.path, c.reader.name, c.reader.kind, u, runs, i))
    return out


def _jobs(chosen: list[_Chosen]) -> list[list[_Chosen]]:
    """One job per file, except that all files of a reader that reads many files in one query
    (``read_many``) make one job, placed where its first file was."""
    jobs: list[list[_Chosen]] = []
    batches: dict[str, list[_Chosen]] = {}
    for c in chosen:
        if not c.reader.batched():
            jobs.append([c])
        elif c.reader.name in batches:
            batches[c.reader.name].append(c)
        else:
            batches[c.reader.name] = [c]
            jobs.append(batches[c.reader.name])
    return jobs


def _read_job(job: list[_Chosen]) -> list[Got | CostlensError]:
    """Each file's frames; a batch that fails is read again file by file, to name the file."""
    if len(job) == 1:
        return [_read_file(job[0])]
    try:
        first = job[0]
        read = first.reader.read_many([c.path for c in job])
        usage, runs, issues = _collected(first, read, job)
    except Exception:
        return [_read_file(c) for c in job]
    return [
        _with_long(c, got) for c, got in zip(job, _per_file(job, usage, runs, issues), strict=True)
    ]


def _per_file(job: list[_Chosen], usage, runs, issues) -> list[Got]:  # type: ignore[no-untyped-def]
    """A batch's collected frames split back into one (usage, attempts, issues) per file."""

    def split(frame: pl.DataFrame | None) -> list[pl.DataFrame | None]:
        if frame is None:
            return [None] * len(job)
        parts = _by_file(frame)
        return [parts.get(str(c.path), frame.clear()) for c in job]

    return list(zip(split(usage), split(runs), split(issues), strict=True))  # type: ignore[arg-type]


def _by_file(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """``frame``'s rows per ``source_file``, in order. Batched readers return each file's rows
    together, so these are zero-copy slices (``partition_by`` copies every column of 5,000
    groups: 1 s on a folder of 5,000 files); rows of a file in several runs are gathered."""
    runs = frame.select(pl.col("source_file").rle()).unnest("source_file")
    names = runs["value"].to_list()
    if len(set(names)) < len(names):
        return {k[0]: v for k, v in frame.partition_by("source_file", as_dict=True).items()}
    starts = runs["len"].cum_sum() - runs["len"]
    return {
        name: frame.slice(at, n)
        for name, at, n in zip(names, starts.to_list(), runs["len"].to_list(), strict=True)
    }


def _with_long(c: _Chosen, got: Got) -> Got:
    if not c.long_lines:
        return got
    return got[0], got[1], pl.concat([got[2], _long(c.reader.name, c.path, c.long_lines)])


_LABELS = {"skipped": ("(empty)", "empty"), "duplicate file": ("(duplicate)", "duplicate")}


def _note(path: str, kind: str, why: str) -> FileRead:
    """A file that gave no rows, with its one ISSUES row (empty, duplicate file, not read)."""
    reader, k = _LABELS.get(kind, ("(not read)", "not read"))
    row = pl.DataFrame(
        {
            "source_format": [None],
            "source_file": [path],
            "source_line": [None],
            "kind": [kind],
            "reason": [why],
            "count": [1],
        },
        schema=schema.ISSUES,
    )
    return FileRead(Path(path), reader, k, None, None, row)


def combine(reads: list[FileRead]) -> Ingested:
    """Merge per-file reads: de-duplicate records and attempts, split out invalid rows."""
    usage: dict[str, list[pl.DataFrame]] = {}
    runs, issues = [], [schema.empty(schema.ISSUES).collect()]
    for r in reads:
        issues.append(r.issues)
        if r.runs is not None:
            runs.append(r.runs)
        if r.usage is not None:
            usage.setdefault(r.reader, []).append(r.usage)
    kept, dupes = dedupe(usage)
    attempts, repeated = _dedupe_runs(runs)
    valid, bad = schema.split_invalid(kept.lazy())
    # One chunk per frame: thousands of per-file chunks make some later operations (a
    # ``replace`` by mapping) cost per chunk, 14 s and 4 GB on a folder of 5,000 files.
    return Ingested(
        usage=valid.collect().rechunk(),
        runs=attempts.rechunk(),
        issues=pl.concat([*issues, dupes, repeated, bad.collect()], rechunk=True),
        files=[(str(r.path), r.reader) for r in reads],
    )


Got = tuple[pl.DataFrame | None, pl.DataFrame | None, pl.DataFrame]


def _read_file(c: _Chosen) -> Got | CostlensError:
    """(usage, attempts, issues) of one file, collected; or the error that stopped it.

    A reader meeting what it does not expect (nesting deeper than Python recurses, a damaged
    binary, a parser panic) gives an error naming the file and the kind of failure, never the
    content that caused it (a polars message may quote a line of the file).
    """
    try:
        return _read(c)
    except RefusedValue as e:  # a value in a document read whole: name the file
        return InputError(located(c.found.path, None, str(e)))
    except CostlensError as e:
        return e
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # a Rust panic arrives as pyo3's PanicException (BaseException)
        return _broken(c.found.path, e)


def _broken(path: Path, e: BaseException) -> InputError:
    what = type(e).__name__ if isinstance(e, Exception) else "the parser failed"
    return InputError(located(path, None, f"cannot be read ({what}); is the file complete?"))


def _read(c: _Chosen) -> Got:
    return _with_long(c, _collected(c, c.reader.read(c.path)))


def _collected(c: _Chosen, got: adapters.Read, job: list[_Chosen] | None = None) -> Got:
    """(usage, attempts, issues) of one read, collected in one call: the plans share the
    file's scan and parse, which polars then runs once (a 1M-row CUR: 14.2 -> 11.3 s CPU).
    ``job``: the files of a batched read (``c`` is the first), each row dated by its own."""
    reader, path = c.reader, c.path
    stage = f"{path}: reader {reader.name}"
    rows = got.rows if reader.kind == "usage" else got.usage  # a harness log may carry usage
    plans = {"issues": schema.conform(got.issues, schema.ISSUES, stage)}
    if rows is not None:
        plans["usage"] = _timed(schema.conform(rows, schema.USAGE, stage), job or [c])
    if reader.kind == "runs":
        plans["runs"] = schema.check(got.rows, schema.RUNS, stage)
    out = dict(zip(plans, _collect_all(list(plans.values()), path), strict=True))
    return out.get("usage"), out.get("runs"), out["issues"]


def _timed(rows: pl.LazyFrame, files: list[_Chosen]) -> pl.LazyFrame:
    """A record with no time of its own is dated by its file (``schema.stamp_time``)."""
    when = [dt.datetime.fromtimestamp(c.found.path.stat().st_mtime, dt.UTC) for c in files]
    if len(files) == 1:
        return schema.stamp_time(rows, when[0])
    names = [str(c.path) for c in files]  # as rows name their file
    mtime = pl.col("source_file").replace_strict(
        names, when, default=None, return_dtype=schema.UTC_TIME
    )
    return schema.stamp_time(rows, mtime)


def _long(fmt: str, path: Path, lines: list[int]) -> pl.DataFrame:
    n = len(lines)
    return pl.DataFrame(
        {
            "source_format": [fmt] * n,
            "source_file": [str(path)] * n,
            "source_line": lines,
            "kind": ["rejected"] * n,
            "reason": [f"line longer than {inputs.MAX_LINE // 1024**2} MiB; not read"] * n,
            "count": [1] * n,
        },
        schema=schema.ISSUES,
    )


def _collect_all(plans: list[pl.LazyFrame], path: Path) -> list[pl.DataFrame]:
    try:
        return pl.collect_all(plans, engine="streaming")
    except pl.exceptions.PolarsError as e:
        # A structurally broken file (not a bad line, which is rejected row by row). The
        # polars message may quote the file's content: name only the kind of failure.
        raise InputError(
            located(path, None, f"cannot be read ({type(e).__name__}); is the file complete?")
        ) from e


def dedupe(by_reader: dict[str, list[pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep one row per record key, per format; the others become ``duplicate`` issues."""
    kept, dupes = [], [schema.empty(schema.ISSUES).collect()]
    # Pop each format's per-file frames as they are merged, so only one copy is alive at once.
    for name in list(by_reader):
        frame = pl.concat(by_reader.pop(name), rechunk=True)
        reader = next(a for a in adapters.ADAPTERS if a.name == name)
        k, d = reader.dedupe(frame)  # declared on kit.Reader, defaulted from dedupe_on
        kept.append(k)
        dupes.append(d)
    usage = pl.concat(kept) if kept else schema.empty(schema.USAGE).collect()
    return usage, pl.concat(dupes)


def _dedupe_runs(runs: list[pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Attempts identical in every field but their line (a line written twice) are one attempt.

    Otherwise a repeated line makes every request of that attempt "ambiguous" and its cost 0.
    """
    if not runs:
        return schema.empty(schema.RUNS).collect(), schema.empty(schema.ISSUES).collect()
    frame = pl.concat(runs)
    keys = [c for c in schema.RUNS if c not in ("source_format", "source_file", "source_line")]
    body = pl.struct(
        [pl.col(k).list.join("\x1f") if k == "request_ids" else pl.col(k) for k in keys]
    )
    once = frame.with_columns(_first=body.is_first_distinct())
    issues = duplicates(
        once.filter(~pl.col("_first")), "the same attempt as an earlier line (kept once)"
    )
    return once.filter(pl.col("_first")).drop("_first"), issues
