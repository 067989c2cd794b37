"""The finance workbook: Summary, Charts, Models, Model stats, the ``--by`` views, Tasks, Months,
Usage, Unattributed, Pricing, Credits (with prepaid credits), Data quality, Inputs, Chart data.

XlsxWriter writes it; every number comes from the Report (``tables`` rounds for display). A
detail sheet holds at most ``DETAIL_SHEET_ROWS`` rows: past that the workbook would take
minutes to write and be hard to open, so the whole table is written as Parquet beside the
workbook and the Summary and the sheet say so.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..results import Report
from . import labels, tables
from .atomic import atomic_file
from .charts import add_charts
from .sheets import Book, Columns, Progress, pairs_sheet, table_sheet

DETAIL_SHEET_ROWS = 25_000
"""Rows a detail sheet (Tasks, Usage, a session view) holds in the workbook."""
DETAIL = {"Tasks": "tasks", "Usage": "usage", "By session": "by_session", "By day": "by_day"}


def write_workbook(
    report: Report,
    target: Path,
    progress: Progress | None = None,
    extra: dict[str, tuple[pl.DataFrame, Columns]] | None = None,
) -> list[Path]:
    """Write the workbook atomically to ``target``; return the detail files written beside it.

    ``extra`` sheets (title -> a table already rounded and its columns, e.g. the workspace's
    Reconciliation) go after the standard ones."""
    target = Path(target)
    sheets = _sheets(report) | (extra or {})
    capped = {
        t: df for t, (df, _c) in sheets.items() if df.height > DETAIL_SHEET_ROWS and t in DETAIL
    }
    beside = {t: target.with_name(f"{target.stem}.{_slug(t)}.parquet") for t in capped}
    notes = {
        t: f"first {DETAIL_SHEET_ROWS:,} of {capped[t].height:,} rows; all rows in {p.name}"
        for t, p in beside.items()
    }
    with atomic_file(target) as tmp:
        s = report.summary
        book = Book(tmp, "costlens report", _subject(report), s["currency"], s.get("period_end"))
        pairs_sheet(book, "Summary", "What this usage cost", tables.summary_rows(report, notes))
        chart_data = add_charts(book, report.charts)
        for title, (df, cols) in sheets.items():
            shown = df.head(DETAIL_SHEET_ROWS)
            table_sheet(book, title, shown, cols, progress, notes.get(title))
        chart_data()
        book.close()
    for title, path in beside.items():
        with atomic_file(path) as tmp:
            tables.machine(report)[DETAIL[title]].write_parquet(tmp)
    return list(beside.values())


def _slug(title: str) -> str:
    return title.lower().replace(" ", "_")


def _subject(report: Report) -> str:
    s = report.summary
    start, end = s.get("period_start"), s.get("period_end")
    span = f" {start:%Y-%m-%d} to {end:%Y-%m-%d}" if start and end else ""
    return f"Model usage cost{span}"


def _sheets(report: Report) -> dict[str, tuple[pl.DataFrame, Columns]]:
    out: dict[str, tuple[pl.DataFrame, Columns]] = {}
    if report.models.height:
        out["Models"] = (tables.models(report), labels.MODELS)
    stats = tables.model_stats(report)
    if stats is not None and stats.height:
        cols = labels.MODEL_STATS + [
            (c, c.replace("pass_at_", "pass@").replace("pass_hat_", "pass^"), "pct")
            for c in stats.columns
            if c.startswith("pass_")
        ]
        out["Model stats"] = (stats, cols)
    for by, view in tables.views(report).items():
        out[labels.VIEW_TITLES[by]] = (view, labels.view(by))
    if report.tasks.height:
        out["Tasks"] = (tables.tasks(report), labels.TASKS)
    out["Months"] = (tables.months(report), labels.MONTHS)
    out["Usage"] = (tables.usage(report), labels.USAGE)
    out["Unattributed"] = (tables.unattributed(report), labels.UNATTRIBUTED)
    out["Pricing"] = (tables.pricing(report), labels.PRICING)
    if report.summary.get("credits"):
        out["Credits"] = (tables.credits(report), labels.CREDITS)
    out["Data quality"] = (tables.data_quality(report), labels.QUALITY)
    out["Inputs"] = (tables.inputs(report), labels.INPUTS)
    return out
