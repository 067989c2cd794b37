"""File names as every output shows them: relative to the input roots, never a local path.

A report is shared with people who have no business knowing the reader's home folder, so
``/home/alice/.claude/projects/-x/s.jsonl`` read from the root ``/home/alice/.claude/projects``
is shown as ``projects/-x/s.jsonl`` (the root's own name, then the path below it).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePath

import polars as pl

from .discover import Ingested


def display_name(path: str, roots: list[Path]) -> str:
    """``path`` below the deepest root that holds it, prefixed by that root's name."""
    p = Path(path).absolute()
    best: tuple[int, str] | None = None
    for root in roots:
        r = root if root.is_absolute() else root.absolute()  # callers pass them absolute
        if p == r:
            return r.name
        if p.is_relative_to(r):
            rel = PurePath(r.name or ".", p.relative_to(r)).as_posix()
            if best is None or len(r.parts) > best[0]:
                best = (len(r.parts), rel)
    return best[1] if best else p.name


def relative_to_roots(got: Ingested, roots: list[Path]) -> Ingested:
    """``got`` with every ``source_file`` (usage, runs, issues, the files read) made relative."""
    seen = {f for f, _ in got.files}
    for frame in (got.usage, got.runs, got.issues):
        if "source_file" in frame.columns:
            seen.update(frame["source_file"].drop_nulls().cast(pl.String).unique().to_list())
    absolute = [Path(r).absolute() for r in roots]
    mapping = {f: display_name(f, absolute) for f in seen}

    def fix(frame: pl.DataFrame) -> pl.DataFrame:
        if "source_file" not in frame.columns or frame.is_empty():
            return frame
        dtype = frame.schema["source_file"]
        col = pl.col("source_file").cast(pl.String).replace(mapping)
        return frame.with_columns(col.cast(dtype) if dtype != pl.Categorical else col)

    return replace(
        got,
        usage=fix(got.usage),
        runs=fix(got.runs),
        issues=fix(got.issues),
        files=[(mapping.get(f, f), a) for f, a in got.files],
    )


def price_file(path: Path | str | None) -> str:
    """A price table as the Pricing sheet names it: ``bundled: anthropic.toml`` or the file name
    of a ``--pricing`` table."""
    if path is None:
        return ""
    p = Path(path)
    bundled = p.parent.name in ("pricing", "_pricing")
    return f"bundled: {p.name}" if bundled else p.name
