"""``costlens ingest / close / reconcile / status``: the monthly workspace (docs/workspace.md)."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .options import engine_options, output_option, paths_option, progress, start_engine

if TYPE_CHECKING:
    from ..workspace import layout, store

WORKSPACE_HELP = "Workspace folder (default $COSTLENS_WORKSPACE, else ./costlens-data)."


def workspace_option(f: Any) -> Any:
    return click.option(
        "--workspace",
        "directory",
        metavar="DIR",
        type=click.Path(path_type=Path, file_okay=False),
        help=WORKSPACE_HELP,
    )(f)


def range_options(f: Any) -> Any:
    """``--month --since --until``: the stored rows a command reads (report and reconcile)."""
    for opt in reversed(
        [
            click.option("--month", metavar="YYYY-MM", help="The month (or billing cycle)."),
            click.option(
                "--since",
                metavar="YYYY-MM-DD",
                type=click.DateTime(["%Y-%m-%d"]),
                help="First day.",
            ),
            click.option(
                "--until",
                metavar="YYYY-MM-DD",
                type=click.DateTime(["%Y-%m-%d"]),
                help="Last day (kept).",
            ),
        ]
    ):
        f = opt(f)
    return f


def window_options(f: Any) -> Any:
    """``--month --since --until --tz --cycle-start-day`` (reconcile; report has its own
    ``--tz`` and ``--month-start`` for its views, which cut the window too)."""
    for opt in reversed(
        [
            click.option(
                "--tz", metavar="ZONE", default="UTC", show_default=True, help="Day boundaries."
            ),
            click.option(
                "--cycle-start-day",
                metavar="DAY",
                type=int,
                default=1,
                show_default=True,
                help="Day of the month a billing cycle starts (1-28).",
            ),
        ]
    ):
        f = opt(f)
    return range_options(f)


def window_of(month, since, until, tz, cycle_start_day) -> layout.Window | None:
    from ..workspace import period

    return period.window(
        month,
        since.date() if since else None,
        until.date() if until else None,
        tz,
        cycle_start_day,
    )


@click.command()
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path)
)
@workspace_option
@click.option("--reopen", is_flag=True, help="Allow changing a closed month (needs --reason).")
@click.option("--reason", help="Why a closed month is reopened (recorded in the ledger).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no per-file lines.")
def ingest(paths, directory, reopen, reason, quiet):
    """Add exports and logs to the workspace; the same file twice changes nothing.

    \b
    Example:
        costlens ingest exports/2026-10/ ~/.claude/projects --workspace books/
    """
    from ..workspace import layout, store

    directory = layout.resolve(directory)
    reopen_reason = _reopen_reason(reopen, reason)
    reopening = ["--reopen", "--reason", reopen_reason] if reopen_reason else []
    command = shlex.join(
        ["costlens", "ingest", *map(str, paths), "--workspace", str(directory), *reopening]
    )
    with progress(quiet) as bar:
        got = store.ingest(
            directory,
            paths,
            reopen_reason=reopen_reason,
            command=command,
            tick=bar.file,
            say=bar.say,
        )
    for line in _ingest_lines(got, directory, quiet):
        click.echo(line)


def _reopen_reason(reopen: bool, reason: str | None) -> str | None:
    if reopen and not (reason or "").strip():
        raise click.UsageError("--reopen needs --reason TEXT (it is recorded in the ledger)")
    if reason and not reopen:
        raise click.UsageError("--reason goes with --reopen")
    return reason.strip() if reopen and reason else None


def _ingest_lines(got: store.Ingest, directory: Path, quiet: bool) -> list[str]:
    from ..workspace import supersede

    out = []
    if not quiet:
        out += [f"unchanged: {p}: {why}" for p, why in got.unchanged]
        out += [
            f"added: {a.path} ({a.reader}): {a.rows_read} read, {a.rows_accepted} accepted, "
            f"{a.rows_rejected} rejected, {a.rows_duplicate} duplicate, {a.rows_skipped} skipped"
            for a in got.added
        ]
    out += [f"superseded: {supersede.describe(x)}" for x in got.replaced]
    out += [f"reopened: {m} (recorded in the ledger)" for m in got.reopened]
    if got.orphans_removed:
        out.append(f"removed {got.orphans_removed} file(s) left by an interrupted ingest")
    if got.import_id is None:
        out.append(f"Nothing changed in {directory}: every file is already ingested.")
    else:
        out.append(f"Import {got.import_id}: {len(got.added)} file(s) added to {directory}.")
    return out


@click.command()
@click.argument("month", metavar="YYYY-MM")
@workspace_option
@click.option("--reopen", is_flag=True, help="Reopen a closed month instead (needs --reason).")
@click.option("--reason", help="Why the month is reopened (recorded in the ledger).")
def close(month, directory, reopen, reason):
    """Lock a month: later ingests that touch it are refused unless --reopen.

    \b
    Example:
        costlens close 2026-10
    """
    from ..workspace import layout, ledger, period

    directory = layout.resolve(directory)
    period.parse_month(month)
    db = layout.open_ledger(directory)
    closed = ledger.closed(db)
    if reopen:
        why = _reopen_reason(True, reason)
        if month not in closed:
            raise ledger.WorkspaceError(f"{month} is not closed in {directory}; nothing to reopen")
        with ledger.transaction(db):
            ledger.reopen_month(db, month, why or "")
        click.echo(f"Reopened {month} in {directory}: {why}")
        return
    if reason:
        raise click.UsageError("--reason goes with --reopen")
    if month in closed:
        raise ledger.WorkspaceError(
            f"{month} is already closed (by {closed[month]['who']} at {closed[month]['at']})"
        )
    ledger.close_month(db, month)
    click.echo(f"Closed {month} in {directory}.")


@click.command("reconcile")
@workspace_option
@window_options
@click.option(
    "--tolerance",
    metavar="SHARE",
    default="0.5%",
    show_default=True,
    help="Allowed difference per cell, as a share of the billed amount (at least 1 cent).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the reconciliation as JSON.")
@paths_option(
    "--pricing", "pricing_paths", "Price tables layered over the bundled ones (negotiated prices)."
)
@output_option("Write the Findings and Reconciliation sheets.")
@engine_options
def reconcile_cmd(
    directory,
    month,
    since,
    until,
    tz,
    cycle_start_day,
    tolerance,
    as_json,
    pricing_paths,
    output,
    engine_name,
    spark_remote,
    spark_conf,
):
    """Compare computed cost with the bill, per provider x model x day and per line item.

    Exit code 0 when every difference is within the tolerance, 3 when any is outside it
    (1 on errors), so it can gate a month-end script.

    \b
    Example:
        costlens reconcile --month 2026-10 --tolerance 0.5%
    """
    from .. import pipeline, pricing
    from ..reports import reconciliation as recon_out
    from ..results import OUTSIDE_TOLERANCE
    from ..workspace import layout, reconcile

    directory = layout.resolve(directory)
    win = window_of(month, since, until, tz, cycle_start_day)
    tol = _tolerance(tolerance)
    paths = list(pricing_paths) or None
    book = pricing.load(paths)
    engine = start_engine(engine_name, spark_remote, spark_conf)
    rep = pipeline.run_workspace(directory, win, pricing_paths=paths, engine=engine)
    label = win.label if win else "all stored rows"
    got = reconcile.reconcile(rep.usage, book, tz=tz, tolerance=tol, window=label)
    if output:
        recon_out.write_workbook(got, output)
    click.echo(recon_out.json_text(got) if as_json else recon_out.text(got))
    if not got.ok:
        sys.exit(OUTSIDE_TOLERANCE)


def reconciliation_sheet(rep, win, tz: str, pricing_paths) -> dict:
    """The Reconciliation sheet ``report --workspace -o`` adds to its workbook."""
    from .. import pricing
    from ..reports import reconciliation as recon_out
    from ..workspace import reconcile

    book = pricing.load(list(pricing_paths) or None)
    label = win.label if win else "all stored rows"
    got = reconcile.reconcile(rep.usage, book, tz=tz, window=label)
    return {"Reconciliation": recon_out.sheet(got)}


def _tolerance(text: str) -> Decimal:
    t = text.strip()
    try:
        value = Decimal(t[:-1]) / 100 if t.endswith("%") else Decimal(t)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise click.BadParameter(
            f"{text!r} is not a share such as 0.5% or 0.005", param_hint="--tolerance"
        )
    return value


@click.command("status")
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_cmd(directory, as_json):
    """What is ingested: coverage per month, provider and account, gaps, closed months."""
    from ..workspace import layout, status

    directory = layout.resolve(directory)
    got = status.status(directory)
    if as_json:
        click.echo(json.dumps(got, indent=2, default=_plain))
    else:
        click.echo(status.render(got))


def _plain(v: object) -> str:
    if isinstance(v, dt.date | Decimal):
        return str(v)
    raise TypeError(type(v).__name__)


COMMANDS = [ingest, close, reconcile_cmd, status_cmd]
