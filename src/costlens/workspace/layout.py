"""Where a workspace keeps things, and the stored rows as frames (read side).

    DIR/ledger.sqlite                                   the import ledger (ledger.py)
    DIR/usage/provider=P/month=YYYY-MM/<entry>.parquet  canonical usage rows (+ ``_seq``)
    DIR/runs/<entry>.parquet                            run-log attempts
    DIR/issues/<entry>.parquet                          rejected / skipped rows, with reasons

A stored file belongs to the workspace only once a ledger ``parts`` row names it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .. import schema
from . import ledger

DEFAULT_DIR = Path("costlens-data")
ENV = "COSTLENS_WORKSPACE"
KINDS = ("usage", "runs", "issues")


def resolve(directory: Path | None) -> Path:
    """``--workspace``, else ``$COSTLENS_WORKSPACE``, else ``./costlens-data``."""
    if directory is not None:
        return directory
    return Path(os.environ[ENV]) if os.environ.get(ENV) else DEFAULT_DIR


def open_ledger(directory: Path, create: bool = False) -> sqlite3.Connection:
    path = directory / "ledger.sqlite"
    if not create and not path.exists():
        raise ledger.WorkspaceError(
            f"{directory}: no costlens workspace here; create one with costlens ingest PATH "
            f"--workspace {directory}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    return ledger.connect(path)


def account() -> pl.Expr:
    """The account a row belongs to, for the supersede rule: project, else workspace, else ''."""
    return pl.coalesce("project", "workspace", pl.lit("")).alias("_account")


@dataclass(frozen=True)
class Window:
    """A half-open UTC interval ``[start, end)`` and how it was asked for."""

    start: dt.datetime
    end: dt.datetime
    label: str

    def rows(self, col: str = "period_start") -> pl.Expr:
        return pl.col(col).is_between(self.start, self.end, closed="left")


def stored_usage(db: sqlite3.Connection, directory: Path, readers: set[str] | None = None):
    """Every stored usage row in ingest order, with ``_entry``, ``_order`` and ``_seq``."""
    frames = [
        pl.scan_parquet(directory / p["path"]).with_columns(
            _entry=pl.lit(p["entry"]),
            _order=pl.lit(p["file_id"], pl.Int64),
            _reader=pl.lit(p["reader"]),
        )
        for p in ledger.parts(db, "usage")
        if readers is None or p["reader"] in readers
    ]
    if not frames:
        empty = schema.empty(schema.USAGE).with_columns(
            _seq=pl.lit(0, pl.UInt32),
            _entry=pl.lit(""),
            _order=pl.lit(0, pl.Int64),
            _reader=pl.lit(""),
        )
        return empty.head(0)
    return pl.concat(frames)


def visible(rows: pl.LazyFrame, db: sqlite3.Connection) -> pl.LazyFrame:
    """Stored rows minus those a later export superseded (same format, account and days)."""
    sup = ledger.supersedes(db)
    if not sup:
        return rows
    hide = pl.LazyFrame(
        {
            "_entry": [s["old_entry"] for s in sup],
            "_account": [s["account"] for s in sup],
            "_from": [dt.datetime.fromisoformat(s["start"]) for s in sup],
            "_to": [dt.datetime.fromisoformat(s["end"]) for s in sup],
        },
        schema={
            "_entry": pl.String,
            "_account": pl.String,
            "_from": schema.UTC_TIME,
            "_to": schema.UTC_TIME,
        },
    )
    hidden = (
        rows.select("_entry", "_seq", "period_start", account())
        .join(hide, on=["_entry", "_account"])
        .filter(pl.col("period_start").is_between("_from", "_to", closed="left"))
        .select("_entry", "_seq")
        .unique()
    )
    return rows.join(hidden, on=["_entry", "_seq"], how="anti")


def stored_frames(
    db: sqlite3.Connection, directory: Path, what: str
) -> list[tuple[str, pl.DataFrame]]:
    """(entry, frame) of every stored ``runs`` or ``issues`` file, in ingest order."""
    return [(p["entry"], pl.read_parquet(directory / p["path"])) for p in ledger.parts(db, what)]


def orphans(db: sqlite3.Connection, directory: Path) -> list[Path]:
    """Stored-looking files no ledger row names: left by an ingest killed before its commit."""
    known = {r["path"] for r in db.execute("SELECT path FROM parts")}
    found = []
    for kind in KINDS:
        base = directory / kind
        if base.exists():
            found += [
                f
                for f in base.rglob("*")
                if f.is_file() and str(f.relative_to(directory)) not in known
            ]
    return sorted(found)
