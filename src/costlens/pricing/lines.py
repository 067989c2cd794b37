"""Line numbers of the ``[[...]]`` headers of a TOML file, so findings can say ``file:line``.

``tomllib`` returns plain dicts without positions, so the text is scanned once: each
array-of-tables header (``[[model]]``, ``[[model.period]]``, ``[[model.period.tier]]``...) gets
a location key such as ``("model", 3, "period", 1)`` (indices count from 0, like pydantic's
error locations). Tables written inline (``period = [{...}]``) fall back to their parent's line.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.]+)\s*\]\]\s*(#.*)?$")

Loc = tuple[str | int, ...]


def header_lines(text: str) -> dict[Loc, int]:
    """Map each array-of-tables location to its 1-based line number."""
    lines: dict[Loc, int] = {}
    counts: dict[Loc, int] = {}
    current: dict[str, Loc] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if not m:
            continue
        parts = m.group(1).split(".")
        parent: Loc = current.get(".".join(parts[:-1]), ()) if len(parts) > 1 else ()
        key = (*parent, parts[-1])
        index = counts.get(key, 0)
        counts[key] = index + 1
        loc = (*key, index)
        current[m.group(1)] = loc
        for deeper in [k for k in current if k.startswith(m.group(1) + ".")]:
            del current[deeper]
        lines[loc] = number
    return lines


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of the deepest header that contains ``loc`` (None: top of the file)."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
