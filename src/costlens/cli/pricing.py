"""``costlens pricing check | show | diff``: look at price tables without pricing any usage."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..pricing.defaults import STALE_DAYS
from .options import paths_option


@click.group()
def pricing() -> None:
    """Check, show and compare price tables."""


@pricing.command("check")
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option(
    "--stale-days",
    metavar="DAYS",
    default=STALE_DAYS,
    show_default=True,
    help="Warn when an open price was last checked more than this many days ago.",
)
def check_cmd(paths: tuple[Path, ...], stale_days: int) -> None:
    """Report overlaps, gaps, order, duplicate names, missing rates and stale dates.

    Each finding is printed as ``file:line: level: message``; exit code 1 on any error.
    PATHS default to the bundled tables.
    """
    from ..pricing import check as checks

    files, found = checks.check_paths(list(paths), stale_days)
    for f in found:
        click.echo(str(f))
    errors = sum(f.level == "error" for f in found)
    click.echo(f"{files} file(s), {errors} error(s), {len(found) - errors} warning(s)")
    if errors:
        raise SystemExit(1)


@pricing.command("show")
@click.argument("model")
@click.option(
    "--at",
    "when",
    metavar="DATE",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Show only the prices in force at this date, YYYY-MM-DD[THH:MM:SS] UTC (default: every "
    "period).",
)
@paths_option("--pricing", "paths", "Price tables (file or folder) layered over the bundled ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the model's prices as JSON.")
def show_cmd(model: str, when: dt.datetime | None, paths: tuple[Path, ...], as_json: bool) -> None:
    """The rates, tiers, modifiers and sources of MODEL (as of --at, or every period)."""
    from ..pricing import load
    from ..pricing.show import show_model

    at = when.replace(tzinfo=dt.UTC) if when else None
    shown = show_model(load(list(paths) or None), model, at)
    if as_json:
        click.echo(json.dumps(shown, indent=2, default=str))
        return
    click.echo(f"{model} -> {shown['model']} ({shown['provider']}, {shown['currency']})")
    for p in shown["periods"]:
        click.echo(f"  from {p['from']}  to {p['to'] or '-'}  [{p['confidence']}] {p['source']}")
        click.echo(f"    rates {p['rates']}" + (f"  fees {p['fees']}" if p["fees"] else ""))
        for t in p["tiers"]:
            click.echo(f"    {t['label']}: {t['rates']}")
    for m in shown["modifiers"]:
        click.echo(f"  modifier {m['name']} from {m['from']}: {m['effect']}")


@pricing.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@paths_option(
    "--pricing",
    "paths",
    "Tables or negotiated terms layered over NEW (what a terms file changes: OLD = NEW).",
)
def diff_cmd(old: str, new: str, paths: tuple[Path, ...]) -> None:
    """Which rates and modifiers moved between two table folders (or git revisions of
    pricing/), and which already-reported months they would change."""
    from ..pricing.show import diff_books, load_revision

    changes = diff_books(load_revision(old), load_revision(new, list(paths)), dt.date.today())
    for c in changes:
        months = ", ".join(c["months"]) or "no past month"
        click.echo(f"{c['model']} {c['what']}: {c['old']} -> {c['new']} ({c['span']}; {months})")
    click.echo(f"{len(changes)} change(s)")


@pricing.command("coverage")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@paths_option(
    "--pricing", "pricing_paths", "Price tables (file or folder) layered over the bundled ones."
)
@click.option(
    "--fallback-prices",
    is_flag=True,
    help="Count models genai-prices' data can price (third-party) as covered.",
)
def coverage_cmd(
    paths: tuple[Path, ...], pricing_paths: tuple[Path, ...], fallback_prices: bool
) -> None:
    """List every model, service tier and month in PATHS that the tables cannot price, with
    row counts, tokens and what to add; exit code 1 while anything is unpriced."""
    from .. import pipeline
    from ..pricing import coverage, load, price

    book = load(list(pricing_paths) or None, fallback=fallback_prices)
    got = pipeline.read(list(paths))
    found = coverage.gaps(price(got.usage.lazy(), book), set(book.providers))
    for r in found.iter_rows(named=True):
        tier = r["service_tier"] or "-"
        click.echo(
            f"{r['provider']} {r['model']} tier {tier} {r['month']}: {r['rows']} row(s), "
            f"{r['tokens']:,} tokens: {r['reason']}; fix: {r['fix']}"
        )
    rows = int(found["rows"].sum()) if found.height else 0
    click.echo(f"{got.usage.height} usage row(s), {rows} unpriced in {found.height} gap(s)")
    if found.height:
        raise SystemExit(1)
