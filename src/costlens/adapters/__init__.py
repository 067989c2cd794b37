"""Source-format adapters and the one registry of them.

``identify(path)`` asks every adapter; exactly one must claim the file. No match and two matches
are both errors that list the candidates: costlens never guesses a format.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AmbiguousInput, UnrecognisedInput, located
from ._base import Adapter, Read
from .aider import AiderResults
from .anthropic_usage import AnthropicUsageReport
from .claude_code import ClaudeCode
from .openai_usage import OpenAIUsageCompletions
from .runlog import RunLogCSV, RunLogJSONL

ADAPTERS: list[Adapter] = [
    ClaudeCode(),
    AnthropicUsageReport(),
    OpenAIUsageCompletions(),
    RunLogJSONL(),
    RunLogCSV(),
    AiderResults(),
]

DATA_SUFFIXES = (".jsonl", ".json", ".csv")
"""Files a folder walk considers; anything else in a folder (README, scripts) is not input."""


def identify(path: Path) -> Adapter:
    """The one adapter that claims ``path``.

    Raises:
        UnrecognisedInput: no adapter claims it.
        AmbiguousInput: more than one does.
    """
    claims = [a for a in ADAPTERS if a.identify(path)]
    if len(claims) == 1:
        return claims[0]
    tried = ", ".join(a.name for a in ADAPTERS)
    if not claims:
        raise UnrecognisedInput(
            located(path, None, f"no reader recognises this file (tried: {tried})")
        )
    names = ", ".join(a.name for a in claims)
    raise AmbiguousInput(
        located(path, None, f"more than one reader claims this file ({names}); please report it")
    )


def expand(paths: list[Path]) -> list[Path]:
    """Files named directly, plus data files found under named folders, in a stable order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = (
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix in DATA_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parent.parts)
                and (not f.name.startswith(".") or f.name == ".aider.results.json")
            )
            out.extend(sorted(found))
        elif p.exists():
            out.append(p)
        else:
            raise UnrecognisedInput(located(p, None, "no such file or folder"))
    return out


__all__ = ["ADAPTERS", "Adapter", "Read", "expand", "identify"]
