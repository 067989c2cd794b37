"""``costlens ingest``: add files to a workspace without ever counting anything twice.

Order of work, so that a kill at any instant leaves the previous state readable:
1. lock the workspace, delete orphans (files a killed ingest wrote but never recorded);
2. read each new file (the same reader stage as ``report``);
3. write its rows as new Parquet files (names no ledger row knows yet: invisible);
4. record imports, files, parts, supersedes and reopenings in ONE SQLite transaction.
Only step 4 changes what the workspace reports. Rules: docs/workspace.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .. import schema
from ..discover import FileRead, combine, expand, read_each
from . import layout, ledger
from .supersede import Replaced, find_replaced

KILL_HOOK = "COSTLENS_TEST_KILL_AT"
"""Test hook: SIGKILL this process at a named point (``written``, ``in-transaction``)."""


@dataclass
class Added:
    """One new file recorded by an ingest."""

    path: str
    reader: str
    kind: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rows_skipped: int = 0
    months: list[str] = field(default_factory=list)


@dataclass
class Ingest:
    """What one ``costlens ingest`` did (nothing at all when ``added`` is empty)."""

    import_id: int | None
    added: list[Added]
    unchanged: list[tuple[str, str]]
    """(path, why): files whose exact content is already in the workspace."""
    replaced: list[Replaced]
    reopened: list[str]
    orphans_removed: int


def ingest(
    directory: Path,
    paths: Iterable[Path],
    *,
    reopen_reason: str | None = None,
    command: str = "costlens ingest",
    tick: Callable[[Path], None] = lambda _: None,
    say: Callable[[str], None] = lambda _: None,
) -> Ingest:
    """Add ``paths`` to the workspace at ``directory`` (created on first use). ``tick`` is
    called with each file read, ``say`` with what the ingest is doing (progress lines).

    Raises:
        WorkspaceError: a touched month is closed and no ``reopen_reason`` was given, or
            another ingest holds the workspace.
        InputError: a file cannot be read (nothing is recorded then).
    """
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory):
        db = layout.open_ledger(directory, create=True)
        removed = _clean_orphans(db, directory)
        files = expand(list(paths))
        new, unchanged = _new_files(db, files, lambda p: say(f"checking {p.name}"))
        if not new:
            return Ingest(None, [], unchanged, [], [], removed)
        reads = read_each([p for p, _ in new], tick=tick)
        say("recording the import")
        digests = dict(new)
        plan = _plan(db, directory, reads)
        reopened = _check_closed(db, plan.months, reopen_reason)
        parts = _write(directory, reads, plan.entries)
        _checkpoint("written")
        import_id = _record(db, reads, digests, plan, parts, command, reopened, reopen_reason)
        return Ingest(import_id, plan.added, unchanged, plan.replaced, reopened, removed)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer at a time; the lock goes with the process (a kill releases it)."""
    with open(directory / "lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise ledger.WorkspaceError(
                f"{directory}: another costlens ingest is using this workspace; wait for it"
            ) from e
        yield


def _clean_orphans(db: sqlite3.Connection, directory: Path) -> int:
    found = layout.orphans(db, directory)
    for f in found:
        f.unlink()
    return len(found)


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _new_files(
    db: sqlite3.Connection, files: list[Path], tick: Callable[[Path], None]
) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """Files whose content is not yet stored; the others with the reason they are left out."""
    known = ledger.active_digests(db)
    seen: dict[str, Path] = {}
    new, unchanged = [], []
    for p in files:
        d = digest(p)
        if os.path.getsize(p) == 0 or not _has_text(p):
            d = hashlib.sha256(f"empty:{p}".encode()).hexdigest()  # every empty file is alike
        if d in known:
            k = known[d]
            unchanged.append(
                (str(p), f"already ingested from {k['path']} (import {k['import_id']}, {k['at']})")
            )
        elif d in seen:
            unchanged.append((str(p), f"same content as {seen[d]} in this ingest"))
        else:
            seen[d] = p
            new.append((p, d))
        tick(p)
    return new, unchanged


def _has_text(p: Path) -> bool:
    with open(p, "rb") as f:
        return bool(f.read(64 * 1024).strip()) or os.path.getsize(p) > 64 * 1024


@dataclass
class _Plan:
    entries: list[str]
    added: list[Added]
    replaced: list[Replaced]
    months: set[str]


def _plan(db: sqlite3.Connection, directory: Path, reads: list[FileRead]) -> _Plan:
    """Counts per file (duplicates against what is stored) and the rows a new export replaces."""
    entries = [uuid.uuid4().hex for _ in reads]
    added = [_counts(r) for r in reads]
    _duplicates(db, directory, reads, entries, added)
    replaced = find_replaced(db, directory, reads, entries)
    months = {m for a in added for m in a.months}
    return _Plan(entries, added, replaced, months)


def _counts(r: FileRead) -> Added:
    issues = r.issues.group_by("kind").agg(pl.col("count").sum())
    n = dict(zip(issues["kind"], issues["count"], strict=True))
    rows = (r.usage.height if r.usage is not None else 0) + (
        r.runs.height if r.runs is not None else 0
    )
    months = []
    if r.usage is not None:
        months = r.usage["period_start"].drop_nulls().dt.strftime("%Y-%m").unique().sort().to_list()
    a = Added(str(r.path), r.reader, _kind(r), months=months)
    a.rows_read = rows + n.get("rejected", 0)
    a.rows_rejected = n.get("rejected", 0)
    a.rows_skipped = n.get("skipped", 0)
    return a


def _kind(r: FileRead) -> str:
    """``export`` (provider report or bill: supersedes by period), ``log``, ``runs``, ``empty``."""
    if r.kind in ("runs", "empty"):
        return r.kind
    if r.usage is not None and r.usage["aggregated"].fill_null(False).any():
        return "export"
    return "log"


def _duplicates(
    db: sqlite3.Connection,
    directory: Path,
    reads: list[FileRead],
    entries: list[str],
    added: list[Added],
) -> None:
    """Each new file's rows that the readers' own de-duplication drops against stored rows plus
    the other new files (the same rule ``report`` applies within one run), and invalid rows."""
    readers = {r.reader for r in reads if r.usage is not None}
    stored = layout.visible(layout.stored_usage(db, directory, readers), db).collect()
    as_entry = [
        FileRead(
            Path(e), r.reader, r.kind, _tag(r.usage, e), None, schema.empty(schema.ISSUES).collect()
        )
        for e, r in zip(entries, reads, strict=True)
        if r.usage is not None
    ]
    merged = combine([*_by_entry(stored), *as_entry])
    counts = merged.issues.group_by("source_file", "kind").agg(pl.col("count").sum())
    for e, a in zip(entries, added, strict=True):
        mine = counts.filter(pl.col("source_file") == e)
        got = dict(zip(mine["kind"], mine["count"], strict=True))
        a.rows_duplicate = got.get("duplicate", 0)
        a.rows_rejected += got.get("rejected", 0)
        a.rows_accepted = a.rows_read - a.rows_rejected - a.rows_duplicate


def _tag(usage: pl.DataFrame | None, entry: str) -> pl.DataFrame | None:
    return None if usage is None else usage.with_columns(source_file=pl.lit(entry))


def _by_entry(stored: pl.DataFrame) -> list[FileRead]:
    """Stored rows as one read per file entry, in ingest order (``source_file`` = entry)."""
    out = []
    for frame in stored.sort("_order", "_seq").partition_by("_order", maintain_order=True):
        entry, reader = frame["_entry"][0], frame["_reader"][0]
        rows = frame.with_columns(source_file=pl.lit(entry)).select(list(schema.USAGE))
        none = schema.empty(schema.ISSUES).collect()
        out.append(FileRead(Path(entry), reader, "usage", rows, None, none))
    return out


def _check_closed(db: sqlite3.Connection, months: set[str], reason: str | None) -> list[str]:
    closed = ledger.closed(db)
    hit = sorted(m for m in months if m in closed)
    if hit and reason is None:
        who = ", ".join(f"{m} (closed by {closed[m]['who']} at {closed[m]['at']})" for m in hit)
        raise ledger.WorkspaceError(
            f"this ingest touches closed month(s) {who}; nothing was ingested. To change a "
            "closed month give --reopen --reason TEXT (recorded in the ledger)"
        )
    return hit


def _write(directory: Path, reads: list[FileRead], entries: list[str]) -> list[tuple]:
    """Write every new file's rows; returns ledger ``parts`` rows (entry, path, what, ...)."""
    out: list[tuple] = []
    for r, e in zip(reads, entries, strict=True):
        if r.usage is not None:
            out += _write_usage(directory, r.usage, e)
        if r.runs is not None:
            out.append(_write_one(directory, r.runs, e, "runs"))
        out.append(_write_one(directory, r.issues, e, "issues"))
        _checkpoint("file-written")
    return out


def _write_usage(directory: Path, usage: pl.DataFrame, entry: str) -> list[tuple]:
    keyed = usage.with_row_index("_seq").with_columns(
        _p=pl.col("provider").fill_null("unknown"),
        _m=pl.col("period_start").dt.strftime("%Y-%m").fill_null("none"),
    )
    out = []
    for part in keyed.partition_by("_p", "_m", maintain_order=True):
        provider, month = part["_p"][0], part["_m"][0]
        rel = Path("usage") / f"provider={_safe(provider)}" / f"month={month}" / f"{entry}.parquet"
        _atomic_parquet(part.drop("_p", "_m"), directory / rel)
        out.append((entry, str(rel), "usage", provider, month, part.height))
    return out


def _write_one(directory: Path, frame: pl.DataFrame, entry: str, what: str) -> tuple:
    rel = Path(what) / f"{entry}.parquet"
    _atomic_parquet(frame, directory / rel)
    return (entry, str(rel), what, None, None, frame.height)


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def _atomic_parquet(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, path)


def _checkpoint(name: str) -> None:
    """The kill test's hook: die here, uncleanly, when asked to."""
    if os.environ.get(KILL_HOOK) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _record(db, reads, digests, plan: _Plan, parts, command, reopened, reason) -> int:
    with ledger.transaction(db):
        cur = db.execute(
            "INSERT INTO imports (at, who, command) VALUES (?, ?, ?)",
            (ledger.now(), ledger.who(), command),
        )
        import_id = int(cur.lastrowid or 0)
        for r, e, a in zip(reads, plan.entries, plan.added, strict=True):
            db.execute(
                "INSERT INTO files (import_id, entry, path, digest, size, reader, kind, accounts, "
                "period_start, period_end, rows_read, rows_accepted, rows_rejected, "
                "rows_duplicate, rows_skipped) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    import_id,
                    e,
                    str(r.path),
                    digests[r.path],
                    os.path.getsize(r.path),
                    r.reader,
                    a.kind,
                    _accounts(r),
                    *_period(r),
                    a.rows_read,
                    a.rows_accepted,
                    a.rows_rejected,
                    a.rows_duplicate,
                    a.rows_skipped,
                ),
            )
        db.executemany("INSERT INTO parts VALUES (?,?,?,?,?,?)", parts)
        for x in plan.replaced:
            db.execute(
                "INSERT INTO supersedes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (import_id, *x.ledger_row()),
            )
        for m in reopened:
            ledger.reopen_month(db, m, reason or "", import_id)
        _checkpoint("in-transaction")
    return import_id


def _accounts(r: FileRead) -> str:
    if r.usage is None:
        return ""
    got = r.usage.select(layout.account())["_account"].unique().sort().to_list()
    return ",".join(a for a in got if a)


def _period(r: FileRead) -> tuple[str | None, str | None]:
    if r.usage is None or r.usage.height == 0:
        return None, None
    lo = r.usage["period_start"].min()
    hi = r.usage.select(pl.coalesce("period_end", "period_start").max()).item()
    return (lo.isoformat() if lo else None, hi.isoformat() if hi else None)  # type: ignore[union-attr]
