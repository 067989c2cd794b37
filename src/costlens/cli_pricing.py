"""``costlens pricing check | show | diff``: look at price tables without pricing any usage."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from .cli import cli
from .errors import CostlensError
from .pricing import check as checks
from .pricing import load
from .pricing.files import bundled_dir, parse, toml_files
from .pricing.show import diff_books, load_revision, show_model


@cli.group()
def pricing() -> None:
    """Check, show and compare price tables."""


@pricing.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--stale-days", default=checks.STALE_DAYS, show_default=True)
def check_cmd(paths, stale_days) -> None:
    """Report overlaps, gaps, order, duplicate names, missing rates and stale dates.

    Each finding is printed as ``file:line: level: message``; exit code 1 on any error.
    PATHS default to the bundled tables.
    """
    try:
        sources = [parse(p) for p in toml_files(list(paths) or [bundled_dir()])]
    except CostlensError as e:
        raise click.ClickException(str(e)) from e
    found = [f for s in sources for f in checks.check(s, stale_days=stale_days)]
    for f in found:
        click.echo(str(f))
    errors = sum(f.level == "error" for f in found)
    click.echo(f"{len(sources)} file(s), {errors} error(s), {len(found) - errors} warning(s)")
    if errors:
        raise SystemExit(1)


@pricing.command("show")
@click.argument("model")
@click.option("--at", "when", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]))
@click.option("--pricing", "paths", multiple=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def show_cmd(model, when, paths, as_json) -> None:
    """The rates, tiers, modifiers and sources of MODEL (as of --at, or every period)."""
    at = when.replace(tzinfo=dt.UTC) if when else None
    try:
        shown = show_model(load(list(paths) or None), model, at)
    except CostlensError as e:
        raise click.ClickException(str(e)) from e
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
@click.argument("old")
@click.argument("new")
def diff_cmd(old, new) -> None:
    """Which rates moved between two table folders (or git revisions of pricing/), and which
    already-reported months they would change."""
    try:
        changes = diff_books(load_revision(old), load_revision(new), dt.date.today())
    except CostlensError as e:
        raise click.ClickException(str(e)) from e
    for c in changes:
        months = ", ".join(c["months"]) or "no past month"
        click.echo(f"{c['model']} {c['what']}: {c['old']} -> {c['new']} ({c['span']}; {months})")
    click.echo(f"{len(changes)} change(s)")
