"""``costlens export``: write the priced usage in an interchange format (FOCUS)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import click

from .options import fallback_prices_option, paths_option, price_date_option, progress


@click.group()
def export() -> None:
    """Write priced usage as a dataset other tools read (FOCUS)."""


@export.command()
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path)
)
@paths_option(
    "--runs",
    "run_paths",
    "Run log (JSONL or CSV) or folder of them: task and run ids go in Tags and x_ columns.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE.csv|FILE.parquet",
    type=click.Path(path_type=Path),
    help="The dataset to write; the suffix chooses CSV or Parquet.",
)
@paths_option(
    "--pricing",
    "pricing_paths",
    "Price tables or a terms file layered over the bundled ones (terms: ContractedCost).",
)
@price_date_option
@fallback_prices_option
@click.option(
    "--billing-account",
    default="unstated",
    show_default=True,
    metavar="ID",
    help="BillingAccountId to write (no usage source states it), e.g. your organization id.",
)
@click.option("--strict", is_flag=True, help="Fail if any input row is rejected.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary.")
def focus(
    paths, run_paths, output, pricing_paths, price_date, fallback_prices, billing_account,
    strict, quiet,
):  # fmt: skip
    """Write a FOCUS 1.4 Cost and Usage dataset: one row per day, SKU price and attempt.

    Usage that cannot be priced is not written with a made-up cost (FOCUS costs cannot be
    null): it is listed with its reason in FILE.not-exported.csv beside the dataset.

    \b
    Example:
        costlens export focus ~/.claude/projects --runs runs.jsonl -o focus.parquet
    """
    from .. import outputs
    from ..exports import focus as build
    from ..reports.focus import write_focus

    outputs.check([*paths, *run_paths], [output], [])
    at = price_date.replace(tzinfo=dt.UTC) if price_date else None
    with progress(quiet) as status:
        _, got = build(
            paths,
            run_paths,
            pricing_paths=list(pricing_paths) or None,
            price_date=at,
            strict=strict,
            fallback_prices=fallback_prices,
            billing_account=billing_account,
            tick=status.file,
        )
        written = write_focus(got, output)
    if not quiet:
        _say(got.summary, written)


_CENT = Decimal("0.01")


def _say(s: dict, written: list[Path]) -> None:
    left = s["usage_rows"] - s["exported_rows"]
    click.echo(
        f"{s['charges']:,} FOCUS rows from {s['exported_rows']:,} of {s['usage_rows']:,} usage "
        f"rows; ContractedCost {s['contracted_cost'].quantize(_CENT):,} "
        f"{'/'.join(s['currencies']) or 'USD'} (the report's computed total), "
        f"BilledCost {s['billed_cost'].quantize(_CENT):,}"
    )
    if left:
        click.echo(
            f"{left:,} usage rows not exported ({s['unpriced_rows']:,} unpriced, "
            f"{s['billed_only_rows']:,} money only, {s['empty_rows']:,} with no tokens): "
            f"listed in {written[-1]}"
        )
    click.echo(f"Wrote {written[0]}")
