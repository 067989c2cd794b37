"""``costlens report``: price usage, join it to tasks, write the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import progress, review_rate_option

if TYPE_CHECKING:
    from ..pipeline import Report


@click.command()
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path)
)
@click.option(
    "--runs",
    "run_paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="Run log (JSONL or CSV) or folder of them. Run logs among PATHS are found too.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE.xlsx",
    type=click.Path(path_type=Path),
    help="Write an Excel workbook.",
)
@click.option(
    "--csv-dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="Write usage.csv, tasks.csv and models.csv into this folder.",
)
@click.option(
    "--parquet-dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="Write usage.parquet, tasks.parquet and models.parquet (exact decimals) into this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option(
    "--pricing",
    "pricing_paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="Price tables (file or folder) layered over the bundled ones; listed in the report.",
)
@click.option(
    "--price-date",
    metavar="YYYY-MM-DD",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Reprice all usage at the prices in force on this date (UTC).",
)
@click.option(
    "--fallback-prices",
    is_flag=True,
    help="Price models the tables do not know from genai-prices' data (marked third-party).",
)
@click.option("--strict", is_flag=True, help="Fail if any input row is rejected.")
@review_rate_option(
    "Price the run logs' review_minutes at this hourly rate (own column, not model spend)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary table.")
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
    quiet,
):
    """Price usage, join it to tasks and report per task, per model and per month.

    PATHS are files or folders: provider usage exports, agent logs (Claude Code projects
    folders) and run logs; each file's format is detected.

    \b
    Example:
        costlens report ~/.claude/projects --runs runs.jsonl -o report.xlsx
    """
    # Imported here, not at the top: ``costlens --help`` must not wait for polars.
    from .. import reports
    from ..pipeline import run

    at = price_date.replace(tzinfo=dt.UTC) if price_date else None
    with progress(quiet or as_json) as status:
        result = run(
            paths,
            run_paths,
            pricing_paths=list(pricing_paths) or None,
            price_date=at,
            strict=strict,
            review_rate=review_rate,
            model_stats=bool(output or csv_dir or parquet_dir),
            tick=status.file,
            fallback_prices=fallback_prices,
        )
        if output:
            reports.write_workbook(result, output, status.rows)
        status.say("writing tables")
        if csv_dir:
            reports.write_csv_dir(result, csv_dir)
        if parquet_dir:
            reports.write_parquet_dir(result, parquet_dir)
    if as_json:
        click.echo(reports.summary_json(result))
    elif not quiet:
        _render(result, output, csv_dir, parquet_dir)


def _render(result: Report, *targets: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..reports.money import rounded

    s = result.summary
    console = Console()
    table = Table(title="Models under test")
    for col in ("model", "task runs", "1st-attempt", "solved", "cost", "per solved task"):
        table.add_column(col, justify="left" if col == "model" else "right")
    missing = 0
    for r in result.models.iter_rows(named=True):
        per = rounded(r["cost_per_solved_task"])
        # A model whose tasks used an unpriced model or tier: its cost is a lower bound.
        mark = " *" if r["unpriced_requests"] else ""
        missing += r["unpriced_requests"] or 0
        table.add_row(
            r["run_model"],
            str(r["task_runs"]),
            f"{r['first_attempt_success_rate']:.0%}",
            f"{r['solve_rate']:.0%}",
            f"{rounded(r['total_cost'])}{mark}",
            f"{per}{mark}" if per is not None else "-",
        )
    if result.models.height:
        console.print(table)
    if missing:
        console.print(f"* lower bound: {missing} attributed requests have no price (Data quality)")
    rows = s["rows"]
    console.print(
        f"Total {rounded(s['total_cost'])} {s['currency']} "
        f"(unattributed {rounded(s['unattributed_cost'])}); rows read {rows['read']}: "
        f"{rows['priced']} priced, {rows['unpriced']} unpriced, {rows['rejected']} rejected, "
        f"{rows['duplicate']} duplicate"
    )
    for target in targets:
        if target:
            console.print(f"Wrote {target}")
