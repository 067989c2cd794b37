"""The ``costlens`` command: a thin shell over the library.

One module per command group; each command parses its options, makes one library call and
renders the result. A library error (``CostlensError``) raised anywhere below becomes one
``Error: ...`` line here, in one place (``_Group.invoke``), with the exit code of its kind
(``EXIT_CODES``; documented in the README). Control characters in a message (a newline in a
file name) are shown escaped, so an error is always exactly one line.

To add a command group: write ``cli/NAME.py`` defining click commands, then register each with
one ``cli.add_command(...)`` line at the bottom of this file.
"""

from __future__ import annotations

import os
import re

import click

from .. import __version__
from ..errors import CostlensError, OutputError, StrictModeError


class _Failed(click.ClickException):
    """An ``Error: ...`` line, exit code 1: an input or pricing table cannot be used."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class _Refused(_Failed):
    exit_code = 3  # --strict refused the run


class _Unwritable(_Failed):
    exit_code = 4  # an output cannot be written


class _Internal(_Failed):
    exit_code = 70  # a bug (EX_SOFTWARE): please report it


EXIT_CODES: dict[type[CostlensError], type[_Failed]] = {
    StrictModeError: _Refused,
    OutputError: _Unwritable,
}
"""0 success, 1 an input or pricing table cannot be used, 2 a usage error (click), 3 ``--strict``
refused the run, 4 an output cannot be written, 70 an internal error (a bug: please report it)."""


def one_line(text: str) -> str:
    """``text`` with control characters (newline, escape...) shown as escapes."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], text)


class _Group(click.Group):
    """A group that turns library errors into ``Error: ...`` for every command below it."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CostlensError as e:
            kind = next((c for t, c in EXIT_CODES.items() if isinstance(e, t)), _Failed)
            raise kind(str(e)) from e
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as e:
            if os.environ.get("COSTLENS_DEBUG"):
                raise
            raise _Internal(
                f"internal error ({type(e).__name__}); please report it (COSTLENS_DEBUG=1 shows"
                " the traceback)"
            ) from e


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="costlens")
def cli() -> None:
    """What does a model really cost per finished task?

    Reads provider usage exports and agent logs, prices them with dated tables, joins them to
    the tasks in your run logs and writes per-task, per-model reports.
    """


from . import compare, export, plan, pricing, report, workspace  # noqa: E402  (they use nothing here)

cli.add_command(report.report)
cli.add_command(compare.compare)
cli.add_command(export.export)
cli.add_command(plan.plan)
cli.add_command(pricing.pricing)
for _command in workspace.COMMANDS:  # ingest, close, reconcile, status
    cli.add_command(_command)
