"""The import ledger: one SQLite database (standard library) beside the stored rows.

The ledger is the only thing that makes a stored Parquet file part of the workspace: an ingest
writes its files first and then records them here in one transaction. A file on disk that no
``parts`` row names is an orphan (an ingest killed before its commit) and is never read.
Schema (documented in docs/workspace.md) below; ``user_version`` numbers it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..errors import CostlensError

VERSION = 1
SCHEMA = """
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    command TEXT NOT NULL
);
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    entry TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    reader TEXT NOT NULL,
    kind TEXT NOT NULL,
    accounts TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    rows_read INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    rows_duplicate INTEGER NOT NULL,
    rows_skipped INTEGER NOT NULL
);
CREATE INDEX files_digest ON files(digest);
CREATE TABLE parts (
    entry TEXT NOT NULL REFERENCES files(entry),
    path TEXT NOT NULL UNIQUE,
    what TEXT NOT NULL,
    provider TEXT,
    month TEXT,
    rows INTEGER NOT NULL
);
CREATE TABLE supersedes (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    new_entry TEXT NOT NULL,
    old_entry TEXT NOT NULL,
    source_format TEXT NOT NULL,
    account TEXT NOT NULL,
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    rows_replaced INTEGER NOT NULL,
    rows_new INTEGER NOT NULL,
    billed_before TEXT NOT NULL,
    billed_after TEXT NOT NULL,
    computed_before TEXT NOT NULL,
    computed_after TEXT NOT NULL
);
CREATE TABLE closed_months (
    month TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    month TEXT NOT NULL,
    reason TEXT,
    import_id INTEGER
);
"""


class WorkspaceError(CostlensError):
    """The workspace cannot be used as asked (closed month, damaged ledger, busy)."""


def who() -> str:
    """``user@host`` of whoever runs the command, recorded on every import and event."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating on first use) the ledger; rows come back as ``sqlite3.Row``."""
    try:
        db = sqlite3.connect(path, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        # A new file, or one whose first ingest was killed before its schema committed.
        fresh = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        if fresh:
            with transaction(db):
                for stmt in SCHEMA.split(";"):
                    if stmt.strip():
                        db.execute(stmt)
                db.execute(f"PRAGMA user_version = {VERSION}")
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise WorkspaceError(f"{path}: not a costlens ledger ({e}); is this the workspace?") from e
    if version != VERSION:
        raise WorkspaceError(
            f"{path}: ledger version {version}, this costlens reads version {VERSION}; "
            "use the costlens that wrote it"
        )
    return db


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic change: everything inside commits together or not at all."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def active_digests(db: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    """Digest -> the first file entry recorded with that content."""
    rows = db.execute(
        "SELECT f.*, i.at FROM files f JOIN imports i ON i.id = f.import_id ORDER BY f.id"
    ).fetchall()
    out: dict[str, sqlite3.Row] = {}
    for r in rows:
        out.setdefault(r["digest"], r)
    return out


def closed(db: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    return {r["month"]: r for r in db.execute("SELECT * FROM closed_months ORDER BY month")}


def parts(db: sqlite3.Connection, what: str) -> list[sqlite3.Row]:
    """Stored files of one kind (``usage``, ``runs``, ``issues``) in ingest order."""
    return db.execute(
        "SELECT p.*, f.id AS file_id, f.reader FROM parts p JOIN files f ON f.entry = p.entry "
        "WHERE p.what = ? ORDER BY f.id, p.rowid",
        (what,),
    ).fetchall()


def supersedes(db: sqlite3.Connection) -> list[sqlite3.Row]:
    return db.execute("SELECT * FROM supersedes ORDER BY rowid").fetchall()


def close_month(db: sqlite3.Connection, month: str) -> None:
    with transaction(db):
        db.execute("INSERT INTO closed_months VALUES (?, ?, ?)", (month, now(), who()))
        db.execute(
            "INSERT INTO events (at, who, action, month) VALUES (?, ?, 'close', ?)",
            (now(), who(), month),
        )


def reopen_month(
    db: sqlite3.Connection, month: str, reason: str, import_id: int | None = None
) -> None:
    """Reopen (inside the caller's transaction when ``import_id`` is given)."""
    db.execute("DELETE FROM closed_months WHERE month = ?", (month,))
    db.execute(
        "INSERT INTO events (at, who, action, month, reason, import_id) "
        "VALUES (?, ?, 'reopen', ?, ?, ?)",
        (now(), who(), month, reason, import_id),
    )
