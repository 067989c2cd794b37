"""The adapter protocol: ``name``, ``identify(path)``, ``read(path)``.

An adapter turns one source file into canonical usage rows (``schema.USAGE``) or run-log attempts
(``schema.RUNS``), plus the rows it could not use (``schema.ISSUES``). ``identify`` must be cheap
and decisive: it looks at the file name and the first bytes only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import polars as pl

HEAD_BYTES = 64 * 1024


@functools.lru_cache(maxsize=256)
def head(path: Path) -> str:
    """The first bytes of a file as text (undecodable bytes replaced)."""
    data = _GIVEN.get(path)
    if data is None:
        with open(path, "rb") as f:
            data = f.read(HEAD_BYTES)
    return data.decode("utf-8", errors="replace")


_GIVEN: dict[Path, bytes] = {}


@contextlib.contextmanager
def given_head(path: Path, data: bytes) -> Iterator[None]:
    """Within this block ``head(path)`` is ``data`` (the first ``HEAD_BYTES`` bytes, read by the
    input survey), so identifying a file does not open it again."""
    _GIVEN[path] = data
    try:
        yield
    finally:
        del _GIVEN[path]


HEAD_LINES = 20
"""At most this many leading lines are parsed for identification."""

LOG_SUFFIXES = (".jsonl", ".json", ".sse", ".txt")
"""Suffixes of API response logs: JSON lines, one saved document, or a saved event stream
(``.sse``; ``.txt`` only when named, as SDK test recordings are: folder walks skip ``.txt``)."""

_SSE_DATA = re.compile(r"^data:[ ]?")


def is_event_stream(path: Path) -> bool:
    """Whether the file is a saved server-sent event stream (``data:`` / ``event:`` lines)."""
    text = head(path).lstrip("\ufeff")
    return text.startswith(("data:", "event:")) or "\ndata:" in text


def first_json_lines(
    path: Path, limit: int = HEAD_LINES, keys: tuple[str, ...] = ()
) -> Sequence[dict]:
    """Up to ``limit`` complete leading lines of a JSONL file, parsed; ones that fail skipped.

    Every reader's ``identify`` asks this of the same file: the head is read and split once per
    file (``_head``), and each line is parsed only when a reader first looks at it, at most once
    (a reader that decides on the first line parses nothing else). With ``keys``, lines whose
    text names none of them as ``"key"`` are left out unparsed: a reader whose test needs one of
    these keys could not claim them, so its answer is the same, and the ~20 lines of a file of
    another format cost a substring search each instead of a ``json.loads``.
    """
    h = _head(path)
    if h.whole:
        # A pretty-printed document's inner lines may parse on their own: the whole wins.
        return list(h.whole)
    n = min(limit, HEAD_LINES, len(h.lines))
    if not keys or h.escaped:
        return _Parsed(h, range(n))
    marks = [f'"{k}"' for k in keys]
    if not any(m in h.text for m in marks):
        return _Parsed(h, ())
    return _Parsed(h, [i for i in range(n) if any(m in h.lines[i] for m in marks)])


class _Parsed(Sequence[dict]):
    """The chosen head lines that are JSON objects, parsed lazily (in order, each once)."""

    def __init__(self, head: _Head, picked: Iterable[int]) -> None:
        self._head, self._todo = head, iter(picked)
        self._got: list[dict] = []

    def _more(self) -> bool:
        for i in self._todo:
            obj = self._head.parsed(i)
            if obj is not None:
                self._got.append(obj)
                return True
        return False

    def __iter__(self) -> Iterator[dict]:
        k = 0
        while k < len(self._got) or self._more():
            yield self._got[k]
            k += 1

    def __getitem__(self, k):  # type: ignore[no-untyped-def, override]
        while (k >= len(self._got) or k < 0) and self._more():
            pass
        return self._got[k]

    def __len__(self) -> int:
        while self._more():
            pass
        return len(self._got)

    def __bool__(self) -> bool:
        return bool(self._got) or self._more()


_ASCII_ESCAPE = re.compile(r"\\u00[2-7][0-9a-fA-F]")
"""A ``\\u`` escape of a printable ASCII character: the only way a JSON key can be spelled
without its letters appearing as they are (no real writer does it; a head that has one is
parsed line by line whatever the keys)."""


class _Head:
    """A file's head split into its leading lines, each parsed on first use."""

    def __init__(self, path: Path) -> None:
        self.text = text = head(path)
        cut = len(text) >= HEAD_BYTES  # then the last line may be incomplete
        whole = _object(text) if path.suffix == ".json" and not cut else None
        self.whole: tuple[dict, ...] = (whole,) if whole else ()
        self.lines = _leading_lines(text, cut)
        self._parsed: dict[int, dict | None] = {}

    @functools.cached_property
    def escaped(self) -> bool:
        """Whether the head has a ``\\u`` escape of an ASCII character (asked only by readers
        that filter lines by key, so a file claimed by its layout's reader never scans it)."""
        return _ASCII_ESCAPE.search(self.text) is not None

    def parsed(self, i: int) -> dict | None:
        if i not in self._parsed:
            self._parsed[i] = _object(self.lines[i])
        return self._parsed[i]


def _leading_lines(text: str, cut: bool) -> list[str]:
    """The first ``HEAD_LINES`` lines of ``text``; a last one running to the cut is left out.

    Lines end at "\n" only, as the readers' line scans split them (``splitlines`` would also
    split a JSON line at a raw U+2028, which JSON allows inside strings). Found one by one, so
    the rest of the head is not copied (as ``split`` with a limit copies it).
    """
    lines: list[str] = []
    at = 0
    while len(lines) < HEAD_LINES:
        end = text.find("\n", at)
        if end < 0:
            if not cut:
                lines.append(text[at:])  # the last line (without its newline, or empty)
            break
        lines.append(text[at:end])
        at = end + 1
    return lines


@functools.lru_cache(maxsize=256)
def _head(path: Path) -> _Head:
    return _Head(path)


def _object(line: str) -> dict | None:
    # A saved event stream carries each JSON event on a ``data:`` line.
    line = _SSE_DATA.sub("", line.strip(), count=1)
    if not line.startswith("{"):
        return None  # not an object, whatever else it is (cheaper than a failed parse)
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def load_json_document(path: Path) -> object:
    """Load a whole JSON document (provider API pages are small)."""
    from ..errors import InputError, located

    try:
        with open(path, "rb") as f:
            return json.load(f)
    except ValueError as e:
        raise InputError(located(path, None, f"not valid JSON ({e}); is the file complete?")) from e


def path_expr(dotted: str) -> pl.Expr:
    """``a.b.c`` -> ``pl.col('a').struct.field('b').struct.field('c')``."""
    first, *rest = dotted.split(".")
    expr = pl.col(first)
    for part in rest:
        expr = expr.struct.field(part)
    return expr
