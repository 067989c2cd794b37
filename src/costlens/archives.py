"""``.gz`` and ``.zip`` inputs, read without the user unpacking them, and cleaned-up copies.

Each data member is decompressed (streamed, with limits) into a private temporary folder that
is removed when costlens exits (and, after a kill, by the next run); it is handed to the readers
as a ``Member`` path whose text is where it came from (``exports.zip!2026/03/cur.csv``,
``cur.csv.gz``), so every row's ``source_file`` and every error message name the archive, never
the temporary copy. A zip may hold ``.gz`` members and one level of nested ``.zip``.

Limits guard against archive bombs and hostile names: entry count, total uncompressed size (one
budget shared by nested archives) and compression ratio are checked on the bytes actually
produced, not only on the sizes an archive declares; member names that are absolute or climb out
with ``..`` are refused. Two members with the same name are both read, the second shown as
``name#2``.
"""

from __future__ import annotations

import atexit
import gzip
import os
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePath, PurePosixPath
from typing import IO

from .errors import InputError, located

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 8 * 1024**3
"""Uncompressed bytes per archive (a month of hourly CUR for a large account fits)."""
MAX_RATIO = 250
"""Uncompressed / compressed size. Real exports compress 5-50x; bombs compress 1000x and more."""
MAX_DEPTH = 2
"""A zip inside a zip is read; deeper nesting is refused (a nested bomb's trick)."""
CHUNK = 1024 * 1024

_PathBase = type(Path())


class Member(_PathBase):  # type: ignore[misc, valid-type]
    """A temporary copy (archive member, re-encoded file): opens the copy, prints as its origin."""

    shown: str = ""

    def __str__(self) -> str:
        return self.shown or super().__str__()

    def __fspath__(self) -> str:
        return _PathBase.__str__(self)

    @property
    def suffix(self) -> str:
        """Lower-cased, so readers that look at ``.csv`` also take ``.CSV``."""
        return super().suffix.lower()


def suffix(path: PurePath) -> str:
    """The lower-cased suffix: ``.CSV`` and ``.csv`` are the same kind of file."""
    return path.suffix.lower()


def is_container(path: PurePath, data_suffixes: tuple[str, ...]) -> bool:
    """A ``.zip``, or a ``.gz`` wrapping a data file (``cur.csv.gz``)."""
    if suffix(path) == ".zip":
        return True
    return suffix(path) == ".gz" and suffix(PurePosixPath(path.stem)) in data_suffixes


class _Budget:
    """Uncompressed bytes left for one archive and everything nested in it."""

    def __init__(self, archive: Path) -> None:
        self.archive, self.left = archive, MAX_TOTAL_BYTES

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise InputError(
                located(self.archive, None, f"expands beyond {MAX_TOTAL_BYTES} bytes; unpack it")
            )


def members(path: Path, data_suffixes: tuple[str, ...]) -> list[Path]:
    """The data files inside a container, decompressed under a temporary folder.

    Raises:
        InputError: a limit is exceeded, a member name is unsafe, or the archive is corrupt.
    """
    return _open(path, str(path), data_suffixes, _Budget(path), 1)


def _open(path: Path, shown: str, data: tuple[str, ...], budget: _Budget, depth: int) -> list[Path]:
    try:
        if suffix(path) == ".gz":
            return [_gunzip(path, shown, budget)]
        return _unzip(path, shown, data, budget, depth)
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as e:
        raise InputError(
            located(shown, None, f"cannot be decompressed ({type(e).__name__})")
        ) from e


def _gunzip(path: Path, shown: str, budget: _Budget) -> Path:
    target = scratch() / Path(path.stem).name
    with gzip.open(path, "rb") as src:
        _copy(src, target, shown, path.stat().st_size, budget)  # type: ignore[arg-type]
    return _member(target, shown)


def _unzip(
    path: Path, shown: str, data: tuple[str, ...], budget: _Budget, depth: int
) -> list[Path]:
    out: list[Path] = []
    seen: dict[str, int] = {}
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        if len(infos) > MAX_ENTRIES:
            raise InputError(
                located(shown, None, f"has {len(infos)} entries (limit {MAX_ENTRIES}); split it")
            )
        for info in sorted(infos, key=lambda i: i.filename):
            name = _safe_name(shown, info.filename)
            if any(p.startswith((".", "__")) for p in name.parts):
                continue
            nested = suffix(name) == ".zip" or is_container(Path(name.name), data)
            if suffix(name) not in data and not nested:
                continue
            seen[str(name)] = seen.get(str(name), 0) + 1
            label = f"{shown}!{name}" + (f"#{seen[str(name)]}" if seen[str(name)] > 1 else "")
            target = scratch().joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src:
                _copy(src, target, label, info.compress_size, budget)
            if not nested:
                out.append(_member(target, label))
            elif depth >= MAX_DEPTH:
                raise InputError(located(label, None, "archives nested too deep; unpack it"))
            else:
                out.extend(_open(target, label, data, budget, depth + 1))
    return out


def _safe_name(archive: str, name: str) -> PurePosixPath:
    member = PurePosixPath(name.replace("\\", "/"))
    if member.is_absolute() or ".." in member.parts or ":" in member.parts[0]:
        raise InputError(
            located(archive, None, f"member '{name}' points outside the archive; refusing it")
        )
    return member


def _copy(src: IO[bytes], target: Path, shown: str, packed: int, budget: _Budget) -> None:
    """Stream ``src`` to ``target`` enforcing the limits."""
    size = 0
    with open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            size += len(chunk)
            budget.take(len(chunk))
            if size > CHUNK and size > MAX_RATIO * max(packed, 1):
                raise InputError(
                    located(shown, None, f"compression ratio above {MAX_RATIO}:1; refusing it")
                )
            dst.write(chunk)


def _member(target: Path, shown: str) -> Path:
    m = Member(target)
    m.shown = shown
    return m


def copy_of(target: Path, shown: str) -> Path:
    """A temporary copy's path printing as ``shown`` (see ``Member``)."""
    return _member(target, shown)


_ROOT: list[Path] = []
_PREFIX = "costlens-"


def scratch() -> Path:
    """A fresh folder under this process's temporary root (removed at exit)."""
    if not _ROOT:
        _remove_stale()
        _ROOT.append(Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-")))
        atexit.register(shutil.rmtree, _ROOT[0], ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=_ROOT[0]))


def cleanup() -> None:
    """Remove this process's temporary root now (also done at exit)."""
    while _ROOT:
        shutil.rmtree(_ROOT.pop(), ignore_errors=True)


def _remove_stale() -> None:
    """Temporary roots of costlens processes that died without cleaning up (kill -9)."""
    for d in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = d.name[len(_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and d.is_dir() and not d.is_symlink():
            shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
