"""``report --json`` and ``compare --json``: one object each, described by pydantic models.

The output is built through the models, so the published JSON Schemas (``docs/*.schema.json``,
generated from these models by ``python -m costlens.reports.jsonout docs/``; a test fails when
they drift) describe exactly what is printed. Money is a decimal string at full precision
(nothing is rounded), rates and shares are JSON numbers, token counts integers, times ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

from ..results import Comparison, Report
from . import tables

SCHEMA_VERSION: Literal["1"] = "1"


def json_default(v: object) -> str:
    """An exact decimal string: no exponent, no trailing zeros."""
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral() else format(v, "f").rstrip("0")
    raise TypeError(f"not JSON serialisable: {type(v).__name__}")


Money = Annotated[
    Decimal,
    PlainSerializer(json_default, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "exact decimal amount"}
    ),
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tokens(_Out):
    input_uncached: int
    cache_read: int
    cache_write_5m: int
    cache_write_1h: int
    output: int
    reasoning: int


class Rows(_Out):
    read: int
    priced: int
    unpriced: int
    billed: int
    rejected: int
    duplicate: int
    skipped: int


class UsageModel(_Out):
    model: str | None
    requests: int | None
    cost: Money | None
    """Null when none of the model's usage is priced (never 0)."""
    cost_lower_bound: bool
    tokens: Tokens


class Files(_Out):
    not_read: int
    """Files a folder walk found that no reader read (listed in Data quality with the reason)."""
    duplicate: int
    """Files whose content was already read in this run (read once)."""


class ModelUnderTest(_Out):
    run_model: str | None
    tasks: int
    task_runs: int
    first_attempt_success_rate: float | None
    solve_rate: float | None
    total_cost: Money | None
    """Null when nothing of the model's usage is priced (never 0)."""
    cost_per_task: Money | None
    cost_per_solved_task: Money | None
    review_cost: Money | None
    unpriced_requests: int
    cost_lower_bound: bool


class ViewRow(_Out):
    key: str | None
    """The view's value: a day or week start (YYYY-MM-DD), a month, a session, project, model
    or API key."""
    model: str | None
    requests: int | None
    tokens: Tokens
    cost: Money | None
    cost_lower_bound: bool
    subagent_requests: int | None
    subagent_cost: Money | None
    first_activity: dt.datetime | None
    last_activity: dt.datetime | None


class Term(_Out):
    """A negotiated term in force; a rate term (discount, uplift, committed) also carries the
    rows it priced and their cost with the term and at list."""

    model_config = ConfigDict(extra="allow")
    kind: Literal["discount", "uplift", "committed", "credit"]
    name: str
    terms: str | None
    file: str
    source: str | None
    rows: int | None = None
    cost: Money | None = None
    list_cost: Money | None = None


class CreditDay(_Out):
    date: dt.date
    cost: Money
    applied: Money
    balance: Money


class CreditJson(_Out):
    """A prepaid credit drawn down in date order over its providers' priced usage."""

    name: str
    amount: Money
    currency: str
    covered_cost: Money
    applied: Money
    remaining: Money
    used_up_on: dt.date | None
    unpriced_rows: int
    drawdown: list[CreditDay]
    source: str | None


class ReportJson(_Out):
    schema_version: Literal["1"]
    total_cost: Money | None
    """Null when usage was read but none of it is priced (never 0)."""
    cost_lower_bound: bool
    """True when some usage has no price: ``total_cost`` is then a lower bound."""
    currency: str
    period_start: dt.datetime | None
    period_end: dt.datetime | None
    tokens: Tokens
    models: list[UsageModel]
    rows: Rows
    files: Files
    billed_cost: Money | None
    """Null when no source states a bill (never 0), or when bills are in several currencies."""
    billed_currency: str | None
    billed_by_currency: dict[str, Money]
    """The stated amounts per currency (never summed across currencies)."""
    attributed_cost: Money
    unattributed_cost: Money
    task_cost: Money
    pricing_version: str
    pricing_overrides: list[dict[str, str]]
    models_under_test: list[ModelUnderTest]
    views: dict[str, list[ViewRow]]
    pricing_terms: list[Term] = []
    """Negotiated terms from ``--pricing`` terms files; empty without them."""
    credits: list[CreditJson] = []
    credits_applied: Money | None = None
    billing_currency: str | None = None
    total_cost_billing: Money | None = None
    """The total converted at the terms' FX rates into ``billing_currency``."""


def _tokens(r: dict) -> dict[str, int]:
    return {k: int(r.get(k) or 0) for k in Tokens.model_fields}


def _view_rows(by: str, rows: list[dict]) -> list[dict]:
    return [
        {
            "key": None if r[by] is None else str(r[by]),
            "model": r.get("model") if by != "model" else r[by],
            "tokens": _tokens(r),
            **{k: r.get(k) for k in ViewRow.model_fields if k not in ("key", "model", "tokens")},
        }
        for r in rows
    ]


def report_object(report: Report) -> ReportJson:
    s = report.summary
    known = tables.known_models(report)
    models = known.select([c for c in ModelUnderTest.model_fields if c in known.columns])
    return ReportJson(
        schema_version=SCHEMA_VERSION,
        models_under_test=[ModelUnderTest(**r) for r in models.to_dicts()],
        views={b: _view_rows(b, v.to_dicts()) for b, v in report.views.items()},  # type: ignore[misc]
        **{k: v for k, v in s.items() if k in ReportJson.model_fields},
    )


def summary_json(report: Report) -> str:
    """``report --json``: the summary, models under test and views, indented."""
    return report_object(report).model_dump_json(indent=2)


# ---- compare ----

RANKING_TEXT = {"run_model", "reason"}


class Ranked(_Out):
    model_config = ConfigDict(extra="allow")
    rank: int
    run_model: str | None
    eligible: bool
    reason: str
    pareto: bool


class CompareJson(_Out):
    schema_version: Literal["1"]
    policy: str
    matched_tasks: list[str]
    left_out: list[dict[str, str | None]]
    verdict: dict[str, Any]
    """The overall verdict and its uncertainty, with ``pairs`` (every pair of models)."""
    interval_methods: dict[str, Any]
    models: list[dict[str, Any]]
    """One object per model, ranked: ``rank``, ``run_model``, ``eligible``, ``reason``,
    ``pareto``, then the measures (money as decimal strings, rates as numbers)."""
    categories: list[dict[str, Any]]
    harnesses: list[dict[str, Any]]
    pass_k: list[dict[str, Any]]
    paired_deltas: list[dict[str, Any]]
    price_scenarios: list[dict[str, Any]]
    long_sessions: list[dict[str, Any]]
    long_sessions_by_task: list[dict[str, Any]]
    long_sessions_assumption: str


def _plain(v: Any) -> Any:
    """Decimals as exact strings (nested too); numbers, bools and strings stay as they are;
    anything else (a date) becomes its text."""
    if isinstance(v, Decimal):
        return json_default(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)


def compare_object(c: Comparison, ranking: list[str]) -> CompareJson:
    return CompareJson(
        schema_version=SCHEMA_VERSION,
        policy=c.policy.describe(),
        matched_tasks=c.matched_tasks,
        left_out=c.excluded.to_dicts(),
        verdict=_plain(c.verdict | {"pairs": c.pairs.to_dicts()}),
        interval_methods=_plain(c.interval_methods),
        models=_plain(c.models.select(ranking).to_dicts()),
        categories=_plain(
            [
                v | {"models": c.categories.filter(pl.col("category") == v["category"]).to_dicts()}
                for v in c.category_verdicts
            ]
        ),
        harnesses=_plain(c.harnesses),
        pass_k=_plain(c.pass_k.to_dicts()),
        paired_deltas=_plain(c.delta_summary.to_dicts()),
        price_scenarios=_plain(c.scenarios.to_dicts()),
        long_sessions=_plain(c.sessions.head(10).to_dicts()),
        long_sessions_by_task=_plain(c.session_tasks.to_dicts()),
        long_sessions_assumption=c.session_assumption,
    )


def schemas() -> dict[str, dict]:
    """The published JSON Schemas, by file name."""
    out = {}
    for name, model in (("report", ReportJson), ("compare", CompareJson)):
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$comment"] = "Generated from costlens.reports.jsonout; DO NOT EDIT."
        out[f"{name}.schema.json"] = schema
    return out


def write_schemas(folder: Path) -> None:
    for name, schema in schemas().items():
        (folder / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
