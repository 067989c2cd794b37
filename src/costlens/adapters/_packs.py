"""Many small line files read as one: packs of file bytes, one polars query per pack.

A polars scan costs ~0.2 ms per file however small, and a real folder holds thousands of
session files of a few KB, so readers that take many files at once (``Reader.read_many``) join
consecutive files' bytes into packs of about ``PACK_BYTES`` and scan each pack as one buffer.
Lines keep their file and line number (``locate``); a file of ``PACK_BYTES`` or more is scanned
alone from disk (streamed), so memory stays bounded by one pack.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

PACK_BYTES = 16 << 20


def packs(paths: list[Path]) -> list[list[Path]]:
    """Consecutive files up to ``PACK_BYTES`` together; a larger file alone."""
    out: list[list[Path]] = []
    size = PACK_BYTES
    for p in paths:
        n = p.stat().st_size
        if n >= PACK_BYTES or size + n > PACK_BYTES:
            out.append([])
            size = 0
        out[-1].append(p)
        size += n
    return out


def source(files: list[Path]) -> tuple[str | bytes, list[int]]:
    """What to scan and each file's first line number in it (0-based). A pack is the files'
    bytes one after the other, each ending in a newline (a last line without one stays a line
    of its own, as it is when the file is scanned alone).

    Files are opened by ``os.fspath``: a cleaned or unpacked copy (``archives.Member``) prints
    as its origin, which is what rows name, but its bytes are the copy's."""
    if len(files) == 1:
        return os.fspath(files[0]), [0]
    chunks, starts, lines = [], [], 0
    for name in files:
        with open(os.fspath(name), "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            data += b"\n"
        starts.append(lines)
        lines += data.count(b"\n")
        chunks.append(data)
    return b"".join(chunks), starts


def locate(lf: pl.LazyFrame, names: list[str], starts: list[int]) -> pl.LazyFrame:
    """``_f`` (file index), ``_path`` and ``ln`` (1-based line in its file) from the pack's
    line index ``_i``."""
    first = pl.lit(pl.Series(starts, dtype=pl.Int64))
    index = pl.col("_i").cast(pl.Int64)
    f = first.search_sorted(index, side="right") - 1
    return lf.with_columns(_f=f).with_columns(
        _path=pl.lit(pl.Series(names)).gather(pl.col("_f")),
        ln=index - first.gather(pl.col("_f")) + 1,
    )
