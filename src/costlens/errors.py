"""Errors raised by costlens.

Domain code raises these; only the CLI (``costlens/cli/``) turns them into ``Error: ...``
and exit code 1.
Every message names its source (``path:line: message``) and says how to fix the problem.

    CostlensError
    ├── InputError            an input file cannot be read at all
    │   ├── UnrecognisedInput no reader claims the file
    │   ├── AmbiguousInput    more than one reader claims the file
    │   ├── MissingColumn     a known export lacks a required column or field
    │   └── RefusedValue      a value in a document read whole is refused (the file is not read)
    ├── PricingError          a pricing table is malformed
    ├── StrictModeError       --strict and at least one row was rejected
    └── OutputError           a report cannot be written
"""

from __future__ import annotations


class CostlensError(Exception):
    """Base class: every error costlens raises on purpose."""


class InputError(CostlensError):
    """An input file cannot be read."""


class UnrecognisedInput(InputError):
    """No reader recognises the file."""


class AmbiguousInput(InputError):
    """More than one reader claims the file."""


class MissingColumn(InputError):
    """A recognised export lacks a required column or field."""


class RefusedValue(InputError):
    """A value in a document read whole (an eval-harness log) is refused, such as a token count
    of 12.7. The message says which field and why; the reading stage names the file."""


class PricingError(CostlensError):
    """A pricing table is malformed."""


class StrictModeError(CostlensError):
    """Rows were rejected and --strict was given."""


class OutputError(CostlensError):
    """A report could not be written."""


def located(path: object, line: int | None, message: str) -> str:
    """Render ``path:line: message`` (or ``path: message`` without a line)."""
    where = f"{path}:{line}" if line is not None else f"{path}"
    return f"{where}: {message}"
