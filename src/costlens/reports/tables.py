"""The presentation tables every writer shares: a Report's tables rounded once, here.

Nothing is grouped or summed here (that is ``metrics``); cents are allocated by largest remainder
so that the parts shown add up to the total shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import polars as pl

from ..results import Report
from ..schema import MONEY, TOKEN_BUCKETS
from .money import MICRO, allocate, allocate_series, round_columns, rounded

USAGE_COLUMNS = [
    "source_format", "source_file", "source_line", "provider", "model", "model_id",
    "period_start", "time_source", "request_id", "session_id", "sidechain", "custom_id",
    "project", "workspace", "api_key", "service_tier", "batch", "requests", *TOKEN_BUCKETS,
    "reasoning", "price_status",
    "unpriced_reason", "price_tier", "price_modifiers", "cliff_unchecked", "ttl_assumed", "cost",
    "billed_cost", "currency", "line_item", "billed_quantity", "billed_unit", "task_id",
    "run_model", "run_id", "attempt", "attribution_method", "unattributed_cause",
]  # fmt: skip


def _with_unattributed(report: Report) -> pl.Series:
    """Every task run's exact cost, then the unattributed amount: the parts of the total."""
    rest = pl.Series([report.summary["unattributed_cost"]], dtype=pl.Decimal(38, 12))
    return pl.concat([report.tasks["cost"].cast(pl.Decimal(38, 12)), rest])


def tasks(report: Report) -> pl.DataFrame:
    """Task runs with cents allocated so that tasks + unattributed = the rounded total; a task
    run with nothing priced shows no cost (blank), not 0."""
    exact = report.tasks["cost"]
    parts = allocate_series(_with_unattributed(report))
    unknown = _nothing_priced(report.tasks, "cost")
    out = report.tasks.with_columns(
        cost=pl.when(~unknown).then(parts.head(report.tasks.height)),
        cost_exact=pl.when(~unknown).then(exact.cast(pl.String)),
    )
    return round_columns(out, ["review_cost"])  # its own column, never part of the allocated cost


def _nothing_priced(table: pl.DataFrame, cost: str) -> pl.Expr:
    """Rows whose cost is a lower bound of 0: nothing in them is priced (or what is priced is
    free), so no cost is known; shown blank rather than 0 (house rule). A lower bound above 0
    stays, marked as a lower bound."""
    some_unpriced = pl.col("unpriced_requests").fill_null(0) > 0
    return (some_unpriced & (pl.col(cost).fill_null(0) == 0)).fill_null(False)


def unattributed_cents(report: Report) -> Decimal:
    """The unattributed amount as allocated next to the task costs (same cents, same total)."""
    return cast(Decimal, allocate_series(_with_unattributed(report))[-1])


MODEL_COSTS = ["total_cost", "cost_per_task", "cost_per_solved_task"]
"""A model's costs from its usage: none is known when nothing of it is priced."""


def known_models(report: Report) -> pl.DataFrame:
    """Models under test, exact; a model with nothing priced has no usage cost (null)."""
    unknown = _nothing_priced(report.models, "total_cost")
    costs = [*MODEL_COSTS, "cost_per_solved_task_with_review"]
    return report.models.with_columns(pl.when(~unknown).then(pl.col(c)).alias(c) for c in costs)


def models(report: Report) -> pl.DataFrame:
    """Models under test, rounded for display (``known_models``)."""
    money = [*MODEL_COSTS, "review_cost", "cost_per_solved_task_with_review"]
    return round_columns(known_models(report), money)


def usage(report: Report) -> pl.DataFrame:
    return round_columns(report.usage.select(USAGE_COLUMNS), ["cost", "billed_cost"], MICRO)


def months(report: Report) -> pl.DataFrame:
    return round_columns(report.months, ["cost"])


def unattributed(report: Report) -> pl.DataFrame:
    """Unattributed usage by cause and model, cents allocated so that the causes add up to the
    Summary's unattributed amount."""
    table = report.unattributed
    exact = [v if v is not None else Decimal(0) for v in table["cost"].to_list()]
    cents = allocate(exact, target=unattributed_cents(report))
    priced = pl.col("cost").is_not_null()
    return table.with_columns(
        cost=pl.when(priced).then(pl.Series(cents, dtype=pl.Decimal(38, 2))),
        cost_exact=pl.when(priced).then(
            pl.Series([format(v, "f") for v in exact], dtype=pl.String)
        ),
    )


def data_quality(report: Report) -> pl.DataFrame:
    return report.quality


def model_stats(report: Report) -> pl.DataFrame | None:
    """Per-task costs of cheap runs are fractions of a cent: shown to the micro-unit. A model
    with nothing priced has no cost, nor an interval around one (blank, not 0)."""
    if report.model_stats is None:
        return None
    stats = report.model_stats
    unknown = report.models.filter(_nothing_priced(report.models, "total_cost"))["run_model"]
    costs = [c for c in stats.columns if "cost" in c]
    blank = pl.col("run_model").is_in(unknown.implode())
    stats = stats.with_columns(pl.when(~blank).then(pl.col(c)).alias(c) for c in costs)
    money = ["cost_per_task", "cost_per_solved_task", "expected_cost_to_first_success"]
    return round_columns(stats, [c for c in money if c in stats.columns], MICRO)


def views(report: Report) -> dict[str, pl.DataFrame]:
    money = ["cost", "subagent_cost"]
    return {b: round_columns(v, money) for b, v in report.views.items()}


def pricing(report: Report) -> pl.DataFrame:
    money: list[str] = [
        c for c in ("cost", "list_cost", "terms_effect") if c in report.rates.columns
    ]
    return round_columns(report.rates, money)


def inputs(report: Report) -> pl.DataFrame:
    return pl.DataFrame(report.files, schema=["file", "reader"], orient="row")


def machine(report: Report) -> dict[str, pl.DataFrame]:
    """Every table the workbook shows, exact (Decimal money, machine column names), by the
    file name CSV / Parquet give it."""
    out = {
        "summary": summary_table(report),
        "models": report.models,
        "tasks": report.tasks,
        "months": report.months,
        "usage": report.usage.select(USAGE_COLUMNS),
        "unattributed": report.unattributed,
        "pricing": report.rates,
        "data_quality": report.quality,
        "inputs": inputs(report),
    }
    if report.model_stats is not None:
        out["model_stats"] = report.model_stats
    out |= {f"by_{b}": v for b, v in report.views.items()}
    out |= {f"chart_{k}": v for k, v in report.charts.items()}
    return out


def summary_table(report: Report) -> pl.DataFrame:
    """The headline numbers as (measure, value) text rows: exact decimals, machine names."""
    s = report.summary
    flat: list[tuple[str, str]] = []
    for k, v in s.items():
        if isinstance(v, dict):
            flat += [(f"{k}.{kk}", _text(vv)) for kk, vv in v.items()]
        elif not isinstance(v, list):
            flat.append((k, _text(v)))
    return pl.DataFrame(flat, schema=["measure", "value"], orient="row")


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f")
    if hasattr(v, "isoformat"):
        return v.isoformat()  # type: ignore[attr-defined]
    return str(v)


Row = tuple[str, object, str]


def summary_rows(report: Report, notes: dict[str, str] | None = None) -> list[Row]:
    """The Summary sheet, top to bottom: what a finance reader needs first."""
    s = report.summary
    total = cast(Decimal | None, rounded(s["total_cost"]))  # None: nothing priced, never 0
    unattributed = unattributed_cents(report)
    rows: list[Row] = [("Period (UTC)", _period(s), "text")]
    rows += _warnings(report)
    rows += [
        ("Cost", None, "section"),
        ("Total cost computed from usage", total, "money"),
        ("  attributed to tasks", None if total is None else total - unattributed, "money"),
        ("  not attributed to a task", unattributed, "money"),
        ("Billed cost stated by the sources", rounded(s["billed_cost"]), "money"),
        ("  (blank: no source states a bill)" if s["billed_cost"] is None else "", None, "note"),
        ("Currency", s["currency"], "text"),
    ]
    if s.get("billed_currency"):
        rows.append(("Billed currency", s["billed_currency"], "text"))
    rows += [
        ("Work measured", None, "section"),
        ("Task runs", report.tasks.height, "int"),
        ("Models under test", report.models.height, "int"),
        ("Pricing", None, "section"),
        ("Pricing version", s["pricing_version"], "text"),
        ("Views cut in", report.calendar, "text"),
    ]
    rows += [
        (f"Pricing {o['action']} by --pricing", f"{o['provider']} {o['kind']} {o['name']}", "text")
        for o in s.get("pricing_overrides", [])
    ]
    rows += _terms_rows(s)
    rows += [("Inputs", None, "section"), ("Files read", len(report.files), "int")]
    readers = inputs(report).group_by("reader").len().sort("reader")
    rows += [(f"  {r}", n, "int") for r, n in readers.iter_rows()]
    rows += [("Rows", None, "section")] + [(f"Rows {k}", v, "int") for k, v in s["rows"].items()]
    rows += [("Tokens", None, "section")]
    rows += [(f"Tokens: {k}", v, "int") for k, v in s["tokens"].items()]
    if notes:
        rows += [("Sheets", None, "section")]
        rows += [(f"{sheet} sheet", note, "text") for sheet, note in notes.items()]
    return [r for r in rows if r[0] or r[1] is not None]


def _terms_rows(s: dict) -> list[Row]:
    """Negotiated terms: what each rate term changed, each credit drawn, the billing-currency
    total. Absent without a terms file."""
    rows: list[Row] = []
    rate_terms = [t for t in s.get("pricing_terms", []) if "rows" in t]
    if rate_terms:
        rows.append(("Negotiated terms", None, "section"))
    for t in rate_terms:
        name = f"  {t['kind']} {t['name']}"
        rows += [(f"{name}: rows priced", t["rows"], "int"),
                 (f"{name}: cost at list", rounded(t["list_cost"]), "money"),
                 (f"{name}: cost with the terms", rounded(t["cost"]), "money")]  # fmt: skip
    credits = s.get("credits", [])
    if credits:
        rows.append(("Prepaid credits (Credits sheet: day by day)", None, "section"))
    for c in credits:
        name = f"  credit {c['name']}"
        rows += [(f"{name}: amount", rounded(c["amount"]), "money"),
                 (f"{name}: applied", rounded(c["applied"]), "money"),
                 (f"{name}: remaining", rounded(c["remaining"]), "money"),
                 (f"{name}: used up on", c["used_up_on"] or "not used up", "text")]  # fmt: skip
    if credits and s.get("total_cost") is not None:
        after = s["total_cost"] - s["credits_applied"]
        rows.append(("Cost after credits", rounded(after), "money"))
    if s.get("billing_currency"):
        label = f"Total cost in {s['billing_currency']} (at the terms' FX rates)"
        rows.append((label, rounded(s["total_cost_billing"]), "money"))
    return rows


def credits(report: Report) -> pl.DataFrame:
    """One row per credit and UTC day it paid for: the day's cost, what it paid, its balance."""
    rows = [
        {"credit": c["name"], **d, "date": dt.date.fromisoformat(d["date"])}
        for c in report.summary.get("credits", [])
        for d in c["drawdown"]
    ]
    schema = pl.Schema({"credit": pl.String(), "date": pl.Date(), "cost": MONEY, "applied": MONEY,
                        "balance": MONEY})  # fmt: skip
    return round_columns(pl.DataFrame(rows, schema=schema), ["cost", "applied", "balance"])


def _period(s: dict) -> str:
    start, end = s.get("period_start"), s.get("period_end")
    if start is None:
        return "no usage"
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


def _warnings(report: Report) -> list[Row]:
    s = report.summary
    out: list[Row] = []
    unpriced = s["rows"]["unpriced"]
    if unpriced:
        out.append(
            (
                "LOWER BOUND",
                f"{unpriced:,} usage rows have no price: the total is at least this much "
                "(see Data quality and Usage, 'Why unpriced')",
                "warn",
            )
        )
    if s["rows"]["rejected"]:
        out.append(
            (
                "Rejected rows",
                f"{s['rows']['rejected']:,} input rows rejected (Data quality)",
                "warn",
            )
        )
    return out
