"""The terminal report: models under test, the ``--by`` views and the totals line (rich).

Every number comes from the Report; a cost with unpriced usage behind it is marked ``*`` (a
lower bound) and a cost with nothing priced is ``-``, never 0.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..results import Report
from . import labels, tables
from .money import rounded

SHOWN_ROWS = 60
"""Rows of a view printed on the terminal; the rest is in the workbook / CSV (said so)."""


def _money(v: object, lower: bool) -> str:
    # A lower bound of 0 says nothing is priced: no cost is known, so none is shown.
    if v is None or (lower and v == 0):
        return "-"
    return f"{rounded(v):,}{' *' if lower else ''}"  # type: ignore[arg-type]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _text(v: object) -> str:
    """Input text as text: a model named ``[/bold]`` is not rich markup, and a control character
    (a terminal escape sequence written into a log) is shown escaped, never sent to the terminal."""
    from rich.markup import escape

    return escape(_CONTROL.sub(lambda m: repr(m.group())[1:-1], str(v)))


def _models(report: Report):
    from rich.table import Table

    table = Table(title="Models under test")
    for col in ("model", "task runs", "1st-attempt", "solved", "cost", "per solved task"):
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
    for r in report.models.iter_rows(named=True):
        lower = bool(r["cost_lower_bound"])
        table.add_row(
            _text(r["run_model"]),
            str(r["task_runs"]),
            f"{r['first_attempt_success_rate']:.0%}",
            f"{r['solve_rate']:.0%}",
            _money(r["total_cost"], lower),
            _money(r["cost_per_solved_task"], lower),
        )
    return table


def _view(by: str, rows: list[dict]):
    from rich.table import Table

    key_header = labels.VIEW_KEYS[by][0]
    table = Table(title=f"Usage {labels.VIEW_TITLES[by].lower()}")
    heads = [key_header] + ([] if by == "model" else ["model"])
    heads += ["requests", "input", "cache read", "cache write", "output", "cost"]
    if any(r["subagent_requests"] for r in rows):
        heads.append("sub-agent cost")
    for h in heads:
        left = h in (key_header, "model")
        table.add_column(h, justify="left" if left else "right", no_wrap=True)
    for r in rows[:SHOWN_ROWS]:
        lower = bool(r["cost_lower_bound"])
        cells = [_text(r[by] if r[by] is not None else "(none)")]
        cells += [] if by == "model" else [_text(r["model"] or "(none)")]
        cells += [
            f"{r['requests'] or 0:,}",
            f"{r['input_uncached'] or 0:,}",
            f"{r['cache_read'] or 0:,}",
            f"{(r['cache_write_5m'] or 0) + (r['cache_write_1h'] or 0):,}",
            f"{r['output'] or 0:,}",
            _money(r["cost"], lower),
        ]
        if len(heads) > len(cells):
            cells.append(_money(r["subagent_cost"], False))
        table.add_row(*cells)
    return table


def _totals(s: dict, lower: bool) -> str:
    """The totals line; its row counts add up to the rows read."""
    rows = s["rows"]
    total, unattributed = _money(s["total_cost"], lower), _money(s["unattributed_cost"], lower)
    if rows["priced"] == 0:  # no cost is known: never "0.00"
        why = "nothing priced" if rows["unpriced"] else "no token usage to price"
        total, unattributed = f"- ({why})", "-"
    return (
        f"Total {total} {s['currency']} "
        f"(unattributed {unattributed}); rows read {rows['read']}: "
        f"{rows['priced']} priced, {rows['unpriced']} unpriced, {rows['billed']} billed only, "
        f"{rows['rejected']} rejected, {rows['duplicate']} duplicate"
    )


def render(report: Report, *targets: Path | None) -> None:
    """Print the report: models under test (when run logs were given), each view, totals."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped: whole ids, not "2025-12…"
    if report.models.height:
        console.print(_models(report))
    for by, view in tables.views(report).items():
        rows = view.to_dicts()
        console.print(_view(by, rows))
        if len(rows) > SHOWN_ROWS:
            console.print(f"({len(rows) - SHOWN_ROWS:,} more rows in the workbook / --csv-dir)")
    s = report.summary
    rows = s["rows"]
    lower = rows["unpriced"] > 0
    if lower:
        console.print(
            f"* lower bound: {rows['unpriced']:,} usage rows have no price (Data quality)"
        )
    console.print(_totals(s, lower))
    billed = s.get("billed_by_currency") or {}
    if billed:
        stated = ", ".join(f"{rounded(v):,} {c}" for c, v in billed.items())
        console.print(f"Billed (stated by the sources): {stated}")
    files = s.get("files", {})
    if files.get("not_read"):
        console.print(f"{files['not_read']} files not read (see Data quality)")
    if files.get("duplicate"):
        console.print(f"{files['duplicate']} duplicate files read once (see Data quality)")
    for target in targets:
        if target:
            console.print(_text(f"Wrote {target}"))
