"""``costlens report``: price usage, join it to tasks, write the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from .options import (
    engine_options,
    fallback_prices_option,
    output_option,
    paths_option,
    price_date_option,
    progress,
    review_rate_option,
    start_engine,
)
from .workspace import range_options, reconciliation_sheet, window_of, workspace_option

if TYPE_CHECKING:
    from ..views import Calendar

VIEWS = ("day", "week", "month", "session", "project", "model", "key")
"""``views.VIEWS``, spelled here so that ``--help`` does not import polars."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH...]", type=click.Path(path_type=Path))
@paths_option(
    "--runs",
    "run_paths",
    "Run log (JSONL or CSV) or folder of them. Run logs among PATHS are found too.",
)
@output_option()
@click.option(
    "--csv-dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="Write every table of the workbook as CSV (exact decimals) into this folder.",
)
@click.option(
    "--parquet-dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="Write every table of the workbook as Parquet (exact decimals) into this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@paths_option(
    "--pricing",
    "pricing_paths",
    "Price tables (file or folder) layered over the bundled ones; listed in the report.",
)
@price_date_option
@fallback_prices_option
@click.option("--strict", is_flag=True, help="Fail if any input row is rejected.")
@review_rate_option(
    "Price the run logs' review_minutes at this hourly rate (own column, not model spend)."
)
@click.option(
    "--by",
    "by",
    multiple=True,
    type=click.Choice(VIEWS),
    help="Show usage per day, week, month, session, project, model or API key (repeatable). "
    "Default: per day and model.",
)
@click.option(
    "--tz",
    default="UTC",
    show_default=True,
    help="Time zone whose calendar cuts days, weeks and months (e.g. Europe/Berlin).",
)
@click.option(
    "--week-start",
    type=click.Choice(WEEKDAYS, case_sensitive=False),
    default="monday",
    show_default=True,
    help="First day of a week for --by week.",
)
@click.option(
    "--month-start",
    type=click.IntRange(1, 28),
    default=1,
    show_default=True,
    help="Day of the month a billing cycle starts on, for --by month.",
)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(path_type=Path),
    help="Also write the workbook's charts as PNG and SVG files into this folder.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary table.")
@paths_option(
    "--usage-parquet",
    "usage_parquet",
    "Canonical usage rows (Parquet file or folder, docs/schema.md), read by the engine itself.",
)
@engine_options
@workspace_option
@range_options
def report(
    paths,
    run_paths,
    output,
    csv_dir,
    parquet_dir,
    as_json,
    pricing_paths,
    price_date,
    fallback_prices,
    strict,
    review_rate,
    by,
    tz,
    week_start,
    month_start,
    charts_dir,
    quiet,
    usage_parquet,
    engine_name,
    spark_remote,
    spark_conf,
    directory,
    month,
    since,
    until,
):
    """Price usage, join it to tasks and report per task, per model and per month.

    PATHS are files or folders: provider usage exports, agent logs (Claude Code projects
    folders) and run logs; each file's format is detected.

    \b
    Example:
        costlens report ~/.claude/projects --runs runs.jsonl -o report.xlsx
    """
    # Imported here, not at the top: ``costlens --help`` must not wait for polars.
    from .. import outputs, reports
    from ..pipeline import run, run_parquet, run_workspace
    from ..reports.terminal import render

    at = price_date.replace(tzinfo=dt.UTC) if price_date else None
    calendar = _calendar(tz, week_start, month_start)
    window = window_of(month, since, until, tz, month_start)
    stored = None if usage_parquet else _from_workspace(paths, run_paths, directory, window)
    if usage_parquet and (paths or directory or window):
        raise click.UsageError("give --usage-parquet or PATHS / --workspace, not both")
    outputs.check([*paths, *usage_parquet, *run_paths], [output], [csv_dir, parquet_dir])
    engine = start_engine(engine_name, spark_remote, spark_conf)
    tables = bool(output or csv_dir or parquet_dir)
    with progress(quiet or as_json) as status:
        opts = dict(
            pricing_paths=list(pricing_paths) or None,
            price_date=at,
            strict=strict,
            review_rate=review_rate,
            model_stats=bool(output or csv_dir or parquet_dir),
            by=tuple(by) or ("day",),
            calendar=calendar,
            fallback_prices=fallback_prices,
            engine=engine,
            # On Spark the usage table comes back only for an output that writes it.
            keep_usage=engine is None or tables or bool(stored),
        )
        if usage_parquet:
            result = run_parquet(usage_parquet, run_paths, **opts)
        elif stored:
            result = run_workspace(stored, window, **opts)
        else:
            result = run(paths, run_paths, tick=status.file, **opts)
        extra = reconciliation_sheet(result, window, tz, pricing_paths) if stored else None
        beside = reports.write_workbook(result, output, status.rows, extra) if output else []
        status.say("writing tables")
        if csv_dir:
            reports.write_csv_dir(result, csv_dir)
        if parquet_dir:
            reports.write_parquet_dir(result, parquet_dir)
        charts = reports.write_chart_files(result.charts, charts_dir) if charts_dir else []
    if as_json:
        click.echo(reports.summary_json(result))
    elif not quiet:
        render(result, output, *beside, csv_dir, parquet_dir, *charts)


def _calendar(tz: str, week_start: str, month_start: int) -> Calendar:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise click.BadParameter(
            f"{tz!r} is not a time zone name such as UTC or Europe/Berlin", param_hint="'--tz'"
        ) from e
    from ..views import Calendar

    return Calendar(tz, WEEKDAYS.index(week_start.lower()) + 1, month_start)


def _from_workspace(paths, run_paths, directory, window) -> Path | None:
    """The workspace to read, or None to read PATHS."""
    if paths and (directory or window):
        raise click.UsageError("give PATHS or --workspace (with --month ...), not both")
    if not paths and run_paths:
        raise click.UsageError("--runs goes with PATHS; ingest run logs into a workspace instead")
    if paths:
        return None
    from ..workspace import layout

    return layout.resolve(directory)
