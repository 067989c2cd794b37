"""``costlens plan``: size the next matched bundle from a compare baseline."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.option(
    "--baseline",
    required=True,
    type=click.Path(path_type=Path),
    help="A `costlens compare --json` output.",
)
@click.option(
    "--detect",
    required=True,
    help="The difference to detect: 10% (of the leading model's value) or 0.05 (absolute).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on stdout.")
def plan(baseline, detect, as_json):
    """How many matched tasks per model would detect a difference in the compare criterion.

    Uses each pair's per-task spread observed in the baseline, its confidence and power:
    n = ((z_(1-alpha/2) + z_power) * sd / difference)^2 (docs/metrics.md).

    \b
    Example:
        costlens compare runs/ --usage logs/ --json > compare.json
        costlens plan --baseline compare.json --detect 10%
    """
    from ..planning import plan_from_baseline

    result = plan_from_baseline(baseline, detect)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(
        f"Criterion: {result['criterion']}; detecting {result['detect']} at "
        f"{result['confidence']:.0%} confidence with {result['power']:.0%} power"
    )
    _pairs(result["pairs"], "")
    for c in result["categories"]:
        _pairs(c["pairs"], f"[{c['category']}, {c['criterion']}] ")


def _pairs(rows: list[dict], prefix: str) -> None:
    for r in rows:
        need = r["tasks_needed"]
        text = f"about {need} matched tasks per model" if need else "cannot be sized (no spread)"
        now = f"(now {r['tasks_now']}; difference {r['detect']:.4g})"
        click.echo(f"{prefix}{r['pair']}: {text} {now}")
