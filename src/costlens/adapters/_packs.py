"""Many small line files read as one: packs of file bytes, one polars query per pack.

A polars scan costs ~0.2 ms per file however small, and a real folder holds thousands of
session files of a few KB, so readers that take many files at once (``Reader.read_many``) join
consecutive files' bytes into packs of about ``PACK_BYTES`` and scan each pack as one buffer.
Lines keep their file and line number (``locate``). A file of ``PACK_BYTES`` or more is read
in pieces of about ``PACK_BYTES`` cut at line ends (``sources``): polars maps a file it scans
into memory whole, so a 5 GB log scanned from disk peaked at 4.6 GB; memory stays bounded by
one pack or piece.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


def sources(paths: list[Path]) -> Iterator[tuple[str | bytes, list[str], list[int]]]:
    """``(text, names, starts)`` to scan, pack by pack, each large file piece by piece.

    ``starts`` are each file's first line number in ``text`` (0-based); a piece of a large
    file has its file's lines before it as a negative start, so ``locate`` numbers its lines
    as the file's."""
    for files in packs(paths):
        names = [str(f) for f in files]  # as rows name them (a copy prints as its origin)
        if len(files) > 1 or os.path.getsize(os.fspath(files[0])) < PACK_BYTES:
            text, starts = source(files)
            yield text, names, starts
            continue
        for piece, before in pieces(files[0]):
            yield piece, names, [-before]


def pieces(path: Path) -> Iterator[tuple[bytes, int]]:
    """A file's bytes in pieces of about ``PACK_BYTES`` that end at a line end, each with the
    number of lines before it (a line longer than a piece makes that piece longer)."""
    lines, rest = 0, b""
    with open(os.fspath(path), "rb") as f:
        while chunk := f.read(PACK_BYTES):
            chunk = rest + chunk
            cut = chunk.rfind(b"\n") + 1
            if not cut:
                rest = chunk
                continue
            piece, rest = chunk[:cut], chunk[cut:]
            yield piece, lines
            lines += piece.count(b"\n")
    if rest:
        yield rest + b"\n", lines


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
