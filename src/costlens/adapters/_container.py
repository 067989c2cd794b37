"""``.gz`` and ``.zip`` inputs, read without the user unpacking them.

Each data member is decompressed (streamed, with limits) into a private temporary folder that
is removed when costlens exits; it is handed to the adapters as a ``Member`` path whose text is
where it came from (``exports.zip!2026/03/cur.csv``, ``cur.csv.gz``), so every row's
``source_file`` and every error message name the archive, never the temporary copy.

Limits guard against archive bombs and hostile names: entry count, total uncompressed size and
compression ratio are checked (on the bytes actually produced, not only the sizes an archive
declares), and member names that are absolute or climb out with ``..`` are refused.
"""

from __future__ import annotations

import atexit
import gzip
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from ..errors import InputError, located

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 8 * 1024**3
"""Uncompressed bytes per archive (a month of hourly CUR for a large account fits)."""
MAX_RATIO = 250
"""Uncompressed / compressed size. Real exports compress 5-50x; bombs compress 1000x and more."""
CHUNK = 1024 * 1024

_PathBase = type(Path())


class Member(_PathBase):  # type: ignore[misc, valid-type]
    """A decompressed archive member: opens the temporary copy, prints as its origin."""

    shown: str = ""

    def __str__(self) -> str:
        return self.shown or super().__str__()

    def __fspath__(self) -> str:
        return _PathBase.__str__(self)


def is_container(path: Path, data_suffixes: tuple[str, ...]) -> bool:
    """A ``.zip``, or a ``.gz`` wrapping a data file (``cur.csv.gz``)."""
    if path.suffix == ".zip":
        return True
    return path.suffix == ".gz" and Path(path.stem).suffix in data_suffixes


def members(path: Path, data_suffixes: tuple[str, ...]) -> list[Path]:
    """The data files inside a container, decompressed under a temporary folder.

    Raises:
        InputError: a limit is exceeded, a member name is unsafe, or the archive is corrupt.
    """
    try:
        if path.suffix == ".gz":
            return [_gunzip(path)]
        return _unzip(path, data_suffixes)
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(located(path, None, f"cannot be decompressed ({e})")) from e


def _gunzip(path: Path) -> Path:
    target = _scratch() / Path(path.stem).name
    with gzip.open(path, "rb") as src:
        _copy(src, target, path, str(path), path.stat().st_size, 0)
    return _member(target, str(path))


def _unzip(path: Path, data_suffixes: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        if len(infos) > MAX_ENTRIES:
            raise InputError(
                located(path, None, f"has {len(infos)} entries (limit {MAX_ENTRIES}); split it")
            )
        root, total = _scratch(), 0
        for info in sorted(infos, key=lambda i: i.filename):
            name = _safe_name(path, info.filename)
            if name.suffix not in data_suffixes or any(
                p.startswith((".", "__")) for p in name.parts
            ):
                continue
            target = root.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shown = f"{path}!{name}"
            with z.open(info) as src:
                total = _copy(src, target, path, shown, info.compress_size, total)
            out.append(_member(target, shown))
    return out


def _safe_name(archive: Path, name: str) -> PurePosixPath:
    member = PurePosixPath(name.replace("\\", "/"))
    if member.is_absolute() or ".." in member.parts or ":" in member.parts[0]:
        raise InputError(
            located(archive, None, f"member '{name}' points outside the archive; refusing it")
        )
    return member


def _copy(
    src: IO[bytes] | gzip.GzipFile, target: Path, archive: Path, shown: str, packed: int, done: int
) -> int:
    """Stream ``src`` to ``target`` enforcing the limits; return the archive's running total."""
    size = 0
    with open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            size += len(chunk)
            if done + size > MAX_TOTAL_BYTES:
                raise InputError(
                    located(archive, None, f"expands beyond {MAX_TOTAL_BYTES} bytes; unpack it")
                )
            if size > CHUNK and size > MAX_RATIO * max(packed, 1):
                raise InputError(
                    located(shown, None, f"compression ratio above {MAX_RATIO}:1; refusing it")
                )
            dst.write(chunk)
    return done + size


def _member(target: Path, shown: str) -> Path:
    m = Member(target)
    m.shown = shown
    return m


_ROOT: list[Path] = []


def _scratch() -> Path:
    """A fresh folder under this process's temporary root (removed at exit)."""
    if not _ROOT:
        _ROOT.append(Path(tempfile.mkdtemp(prefix="costlens-")))
        atexit.register(shutil.rmtree, _ROOT[0], ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=_ROOT[0]))
