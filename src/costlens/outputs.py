"""Checks on where a report is written, before anything is read or written.

An output that is one of the inputs would overwrite it (``-o logs/session.jsonl``); a folder
where a file is expected, or a file where a folder is expected, cannot be written. Each is
refused with an ``OutputError`` naming the path and what to do instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError, located


def check(
    inputs: Iterable[Path], files: Iterable[Path | None], folders: Iterable[Path | None]
) -> None:
    """Refuse outputs that overwrite an input or have the wrong kind.

    ``files`` are written as one file each (``-o``), ``folders`` hold several (``--csv-dir``).

    Raises:
        OutputError: naming the output and the conflict.
    """
    named = list(inputs)
    for f in (f for f in files if f is not None):
        if f.is_dir():
            raise OutputError(located(f, None, "is a folder; name a file such as report.xlsx"))
        if _is_input(f, named):
            raise OutputError(
                located(f, None, "is one of the inputs; writing it would overwrite it")
            )
    for d in (d for d in folders if d is not None):
        if d.exists() and not d.is_dir():
            raise OutputError(located(d, None, "is a file; name a folder to write the tables into"))


def _is_input(target: Path, inputs: list[Path]) -> bool:
    """``target`` is an input file, or a file inside an input folder that a walk would read
    (a workbook written into the logs folder last time is not an input: no walk reads .xlsx)."""
    from .discover import SUFFIXES
    from .inputs import considered

    if not target.exists():
        return False
    real = os.path.realpath(target)
    for p in inputs:
        if p.is_file() and os.path.samefile(p, target):
            return True
        inside = p.is_dir() and real.startswith(os.path.realpath(p) + os.sep)
        if inside and considered(target, SUFFIXES):
            return True
    return False
