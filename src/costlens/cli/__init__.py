"""The ``costlens`` command: a thin shell over the library.

One module per command group; each command parses its options, makes one library call and
renders the result. A library error (``CostlensError``) raised anywhere below becomes
``Error: ...`` with exit code 1 here, in one place (``_Group.invoke``); nothing else is caught.

To add a command group: write ``cli/NAME.py`` defining click commands, then register each with
one ``cli.add_command(...)`` line at the bottom of this file.
"""

from __future__ import annotations

import click

from .. import __version__
from ..errors import CostlensError


class _Group(click.Group):
    """A group that turns library errors into ``Error: ...`` for every command below it."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CostlensError as e:
            raise click.ClickException(str(e)) from e


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
