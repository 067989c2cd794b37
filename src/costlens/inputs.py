"""Finding input files and looking at each once: walk, archives, digest, encoding, long lines.

Folders are walked without following links to folders (a link loop cannot recur); links to files
are followed. Each file is then surveyed in one streamed pass: its content digest (so the same
file given twice, or a folder plus a file inside it, is read once), its encoding and its longest
line. A file that is not plain UTF-8 (a byte-order mark, UTF-16, an invalid byte such as a latin-1
character or a write cut inside a character) or that has a line longer than ``MAX_LINE`` is read
from a cleaned temporary copy: UTF-8 without a mark, undecodable bytes replaced, over-long lines
emptied and reported as rejected at their line number. Memory stays bounded by ``MAX_LINE``.
"""

from __future__ import annotations

import codecs
import filecmp
import os
from dataclasses import dataclass, field
from pathlib import Path
from zlib import crc32

from . import archives
from .errors import CostlensError, UnrecognisedInput, located

MAX_LINE = 64 * 1024**2
"""Longest line read (bytes). Real log lines with pasted images reach a few MiB."""
CHUNK = 1024 * 1024
BINARY = (".parquet", ".eval", ".zip", ".gz")
"""Suffixes whose bytes are not text: digested, never re-encoded."""


@dataclass(frozen=True)
class Found:
    """One input file: where it came from and how it was named."""

    path: Path
    explicit: bool
    """Named on the command line (an unreadable one is an error), not found by a walk."""
    as_runs: bool = False
    """Named with ``--runs``."""


@dataclass
class Survey:
    """What one streamed pass over a file learnt."""

    digest: str
    size: int
    encoding: str = "utf-8"
    """``utf-8``, ``utf-8-sig`` (a byte-order mark), ``utf-16``, or ``utf-8-bad`` (invalid)."""
    long_lines: list[int] = field(default_factory=list)
    """1-based numbers of the lines longer than MAX_LINE."""
    long_spans: list[tuple[int, int]] = field(default_factory=list)
    """Where those lines' bytes are: ``[start, end)`` offsets, the line break excluded."""

    @property
    def clean(self) -> bool:
        return self.encoding == "utf-8" and not self.long_lines


def find(
    paths: list[Path], suffixes: tuple[str, ...], as_runs: bool
) -> tuple[list[Found], list[tuple[str, str]]]:
    """Files named, plus data files under named folders, in a stable order.

    Returns ``(found, not_read)``; ``not_read`` holds (path, why) for files a walk found but
    cannot open (a broken link, a refused archive).

    Raises:
        UnrecognisedInput: a named path does not exist.
        InputError: a named archive cannot be opened safely.
    """
    out: list[Found] = []
    skipped: list[tuple[str, str]] = []
    for p in paths:
        if p.is_dir():
            for f in walk(p, suffixes, skipped):
                _opened(f, suffixes, False, as_runs, out, skipped)
        elif p.exists():
            _opened(p, suffixes, True, as_runs, out, skipped)
        else:
            raise UnrecognisedInput(located(p, None, "no such file or folder"))
    return out, skipped


def walk(root: Path, suffixes: tuple[str, ...], skipped: list[tuple[str, str]]) -> list[Path]:
    """Data files under ``root`` (suffix case ignored), hidden folders and files left out."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            f = Path(folder) / name
            if not considered(f, suffixes):
                continue
            if not f.is_file():
                skipped.append((str(f), "a link to nothing (broken link)"))
                continue
            found.append(f)
    # Full-path byte order (as ccusage reads), so "first seen" ties break the same way.
    return sorted(found, key=str)


def considered(f: Path, suffixes: tuple[str, ...]) -> bool:
    """Whether a folder walk reads ``f`` (a data file or an archive that may hold one)."""
    if f.name.startswith(".") and f.name != ".aider.results.json":
        return False
    return archives.suffix(f) in suffixes or archives.is_container(f, suffixes)


def _opened(
    path: Path,
    suffixes: tuple[str, ...],
    explicit: bool,
    as_runs: bool,
    out: list[Found],
    skipped: list[tuple[str, str]],
) -> None:
    """A container's data members (decompressed, with limits), or the file itself."""
    if not archives.is_container(path, suffixes):
        if path.suffix != path.suffix.lower():  # readers compare suffixes in lower case
            path = archives.copy_of(path, str(path))
        out.append(Found(path, explicit, as_runs))
        return
    try:
        members = archives.members(path, suffixes)
    except CostlensError as e:
        if explicit:
            raise
        skipped.append((str(path), reason_of(e, path)))
        return
    out.extend(Found(m, explicit, as_runs) for m in members)


def reason_of(e: Exception, path: Path | str) -> str:
    """An error's message without the ``path:`` (or ``path:line:``) it starts with."""
    text = str(e)
    where = str(path)
    if text.startswith(where + ":"):
        rest = text[len(where) + 1 :]
        head, sep, tail = rest.partition(": ")
        text = tail if sep and head.isdigit() else rest.lstrip()
    return text


def survey(path: Path) -> Survey:
    """Digest, encoding and over-long lines of ``path``, in one streamed pass."""
    return surveyed(path, 0)[0]


def surveyed(path: Path, head: int) -> tuple[Survey, bytes]:
    """``survey(path)`` and the file's first ``head`` bytes, which identification then looks
    at without opening the file again."""
    crc = 0
    text = archives.suffix(path) not in BINARY
    check = codecs.getincrementaldecoder("utf-8")()
    size = run = 0
    bad = False
    spans: list[tuple[int, int]] = []  # [start, end) of the lines longer than MAX_LINE
    first, want = b"", max(head, 4)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            # CRC-32 (~3x sha256's speed) with the size: a match is confirmed byte for byte
            # before a file is called a copy of another (``same_content``).
            crc = crc32(chunk, crc)
            if len(first) < want:
                first += chunk[: want - len(first)]
            if text:
                if not bad and not (chunk.isascii() and not check.getstate()[0]):
                    try:  # ASCII with no character left open is valid UTF-8: nothing to decode
                        check.decode(chunk)
                    except UnicodeDecodeError:
                        bad = True
                run = _lines(chunk, size, run, spans)
            size += len(chunk)
    if text and not bad:
        try:
            check.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = True
    if run > MAX_LINE:
        spans.append((size - run, size))
    got = Survey(f"{size}:{crc:08x}", size, _encoding(first, bad) if text else "utf-8")
    if spans:
        got.long_lines, got.long_spans = _numbers(path, [a for a, _ in spans]), spans
    return got, first[:head]


def same_content(a: Path, b: Path) -> bool:
    """Whether two files of the same digest hold the same bytes."""
    return filecmp.cmp(a, b, shallow=False)


def _lines(chunk: bytes, at: int, run: int, spans: list[tuple[int, int]]) -> int:
    """The length of the line open at the end of ``chunk`` (which starts at byte ``at``), and
    where each line longer than MAX_LINE that ends in it is.

    Lines shorter than a chunk never exceed the limit, so only a line's ends are looked at;
    lines are not counted (a line's number is worked out only for a long line, ``_numbers``).
    """
    first = chunk.find(b"\n")
    if first < 0:
        return run + len(chunk)
    if run + first > MAX_LINE:
        spans.append((at - run, at + first))
    return len(chunk) - chunk.rfind(b"\n") - 1


def _numbers(path: Path, starts: list[int]) -> list[int]:
    """1-based numbers of the lines that start at the byte offsets ``starts`` (ascending)."""
    out, lines, at = [], 0, 0
    with open(path, "rb") as f:
        for start in starts:
            while at < start:
                chunk = f.read(min(CHUNK, start - at))
                lines += chunk.count(b"\n")
                at += len(chunk)
            out.append(lines + 1)
    return out


def _encoding(first: bytes, bad: bool) -> str:
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if len(first) >= 4 and first[1] == 0 and first[3] == 0 and first[0] and first[2]:
        return "utf-16-le"  # UTF-16 without a mark (PowerShell redirection): ASCII, NUL, ...
    return "utf-8-bad" if bad else "utf-8"


def cleaned(path: Path, s: Survey) -> Path:
    """A UTF-8 copy of ``path`` without a mark, bad bytes replaced, long lines emptied."""
    if s.encoding == "utf-8":
        return _without(path, s)
    codec = {"utf-8-bad": "utf-8"}.get(s.encoding, s.encoding)
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    target = archives.scratch() / path.name
    drop = set(s.long_lines)
    state = [1, False]  # current line number, dropping it
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK):
            dst.write(_cut(decoder.decode(chunk), drop, state))
        dst.write(_cut(decoder.decode(b"", final=True), drop, state))
    return archives.copy_of(target, str(path))


def _without(path: Path, s: Survey) -> Path:
    """The copy of a valid UTF-8 file that only has over-long lines: its bytes, less those
    lines' (their line breaks kept). Nothing is decoded, and the long lines are not even read:
    a 1 GiB pasted log costs a seek."""
    target = archives.scratch() / path.name
    with open(path, "rb") as src, open(target, "wb") as dst:
        at = 0
        for start, end in [*s.long_spans, (s.size, s.size)]:
            src.seek(at)
            while at < start and (chunk := src.read(min(CHUNK, start - at))):
                dst.write(chunk)
                at += len(chunk)
            at = end
    return archives.copy_of(target, str(path))


def _cut(text: str, drop: set[int], state: list) -> str:
    """``text`` without the lines numbered in ``drop`` (their line breaks kept)."""
    if not drop:
        return text
    out = []
    for i, piece in enumerate(text.split("\n")):
        if i:
            state[0] += 1
            out.append("\n")
        if state[0] not in drop:
            out.append(piece)
    return "".join(out)
