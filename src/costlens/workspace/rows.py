"""Stored rows back as an ``Ingested`` bundle, for the same stages ``report`` runs on files.

The bundle is what reading the stored files again would give: every visible row in ingest
order (file by file, each file's own line order), de-duplicated per format by the readers' own
rules, with each file's rejected and skipped rows. A window keeps the rows that start inside it
and the issues of the files whose period overlaps it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from .. import schema
from ..discover import FileRead, Ingested, combine
from . import layout


def load(directory: Path, window: layout.Window | None = None) -> Ingested:
    """The workspace's rows (within ``window`` when given) as the reader stage would return them.

    Raises:
        WorkspaceError: ``directory`` holds no workspace.
    """
    db = layout.open_ledger(directory)
    rows = layout.visible(layout.stored_usage(db, directory), db)
    if window is not None:
        rows = rows.filter(window.rows())
    usage = rows.sort("_order", "_seq").collect()
    files = db.execute("SELECT * FROM files ORDER BY id").fetchall()
    by_entry = {e: f for e, f in _split(usage)}
    runs = dict(layout.stored_frames(db, directory, "runs"))
    issues = dict(layout.stored_frames(db, directory, "issues"))
    reads = []
    for f in files:
        if window is not None and not _overlaps(f, window):
            continue
        run = runs.get(f["entry"])
        if run is not None and window is not None:
            run = run.filter(window.rows("started_at") | pl.col("started_at").is_null())
        reads.append(
            FileRead(
                Path(f["path"]),
                f["reader"],
                f["kind"],
                by_entry.get(f["entry"]),
                run,
                issues.get(f["entry"], schema.empty(schema.ISSUES).collect()),
            )
        )
    return combine(reads)


def _split(usage: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    return [
        (g["_entry"][0], g.select(list(schema.USAGE)))
        for g in usage.partition_by("_entry", maintain_order=True)
    ]


def _overlaps(f, window: layout.Window) -> bool:
    """A file with no period (run logs, empty files, all rows rejected) belongs to every window."""
    if f["period_start"] is None:
        return True
    lo, hi = (
        dt.datetime.fromisoformat(f["period_start"]),
        dt.datetime.fromisoformat(f["period_end"]),
    )
    return lo < window.end and hi >= window.start
