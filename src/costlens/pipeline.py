"""The stages behind every command, in order: read -> price -> attribute -> metrics.

``report`` and ``compare`` (and the workspace) run the same stages from here; none of them
re-implements one. The stage API::

    got = pipeline.read(paths, runs)        # discover + read: an ``Ingested`` bundle of canonical
                                            # usage rows, run-log attempts, issues and files read
    report = pipeline.build(got)            # price -> attribute -> metrics: a ``Report``
    report = pipeline.run(paths, runs)      # both, as ``costlens report`` does

``build`` accepts any ``Ingested`` whose frames follow ``schema.USAGE`` / ``schema.RUNS`` /
``schema.ISSUES``: rows read from files just now, or canonical rows stored earlier (the
workspace), or rows a caller narrowed or adjusted (``compare`` keeps the matched tasks'
attempts and reprices adjusted usage for its scenarios). Pass ``book`` to price with tables
already loaded, else ``pricing_paths`` are layered over the bundled tables.

    report = costlens.run([Path("logs/")], runs=[Path("runs.jsonl")])
    report.summary["total_cost"]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import polars as pl

from . import metrics, names, pricing, schema, stats, views
from .attribution import attribute
from .discover import Ingested, discover
from .errors import CostlensError, StrictModeError, located
from .pricing import applied
from .results import Report
from .schema import TOKEN_BUCKETS
from .views import Calendar

__all__ = ["Ingested", "Report", "build", "read", "run", "summarise"]


def run(
    paths: Iterable[Path],
    runs: Iterable[Path] = (),
    *,
    pricing_paths: list[Path] | None = None,
    price_date: dt.datetime | None = None,
    strict: bool = False,
    review_rate: Decimal | None = None,
    model_stats: bool = True,
    by: tuple[str, ...] = ("day",),
    calendar: Calendar = Calendar(),
    tick: Callable[[Path], None] = lambda _: None,
    fallback_prices: bool = False,
) -> Report:
    """Read, price, attribute and measure (``read`` then ``build``).

    ``review_rate`` (currency per hour of human review) prices each attempt's
    ``review_minutes`` into a ``review_cost`` column kept apart from the model spend.
    ``model_stats`` adds bootstrap intervals and pass@k per model (a resampling pass).
    ``fallback_prices`` prices models the tables do not know from genai-prices (third-party).
    ``by`` names the usage views to compute (``views.VIEWS``), cut by ``calendar``.

    Raises:
        CostlensError: an input cannot be read, or ``strict`` and a row was rejected.
    """
    # First: a broken price table fails before a long read.
    book = pricing.load(pricing_paths, fallback=fallback_prices)
    paths, runs = list(paths), list(runs)
    got = read(paths, runs, tick)
    if strict:  # before the names are shortened: the error names the file as given
        _refuse_rejections(got.issues)
    got = names.relative_to_roots(got, [*paths, *runs])
    return build(
        got,
        book=book,
        price_date=price_date,
        strict=strict,
        review_rate=review_rate,
        model_stats=model_stats,
        by=by,
        calendar=calendar,
    )


def read(
    paths: Iterable[Path],
    runs: Iterable[Path] = (),
    tick: Callable[[Path], None] = lambda _: None,
) -> Ingested:
    """Stage 1: find the files, read each with its reader, de-duplicate. ``tick`` is called
    with each file's path once it is read. Run logs may sit among ``paths``."""
    return discover(paths, runs, tick)


def build(
    got: Ingested,
    *,
    book: pricing.Book | None = None,
    pricing_paths: list[Path] | None = None,
    price_date: dt.datetime | None = None,
    strict: bool = False,
    review_rate: Decimal | None = None,
    model_stats: bool = False,
    by: tuple[str, ...] = ("day",),
    calendar: Calendar = Calendar(),
) -> Report:
    """Stages 2-4 over already-read rows: price, attribute to the run-log attempts, measure.

    Raises:
        StrictModeError: ``strict`` and a row was rejected.
        CostlensError: usage priced in several currencies.
    """
    book = book or pricing.load(pricing_paths)
    schema.check(got.runs.lazy(), schema.RUNS, "build input (runs)")
    schema.check(got.issues.lazy(), schema.ISSUES, "build input (issues)")
    if strict:
        _refuse_rejections(got.issues)
    read = got.usage
    got = replace(got, usage=read.clear())
    # Pass the priced rows on unnamed: once attribution has collected them, nothing here holds
    # the read rows any more (when the caller kept none), and their memory goes back before the
    # wide copies are made.
    priced = pricing.price(read.lazy(), book, price_date)
    listed = _list_costs(read, book, price_date)
    del read
    usage = attribute(priced, got.runs.lazy(), book.resolve).collect()
    report = _measure(usage, got, book, review_rate, model_stats, listed)
    return replace(
        report,
        views=views.views(usage.lazy(), by, calendar),
        charts=views.chart_tables(usage.lazy(), report.models, calendar),
        calendar=calendar.describe(),
    )


def _measure(
    usage: pl.DataFrame,
    got: Ingested,
    book: pricing.Book,
    review_rate: Decimal | None,
    with_stats: bool,
    listed: pl.DataFrame | None = None,
) -> Report:
    schema.check(usage.lazy(), schema.ATTRIBUTED, "metrics input")
    att = metrics.attempts(usage.lazy(), got.runs.lazy()).collect()
    tasks = metrics.task_runs(att.lazy(), review_rate).collect()
    usage_models = metrics.usage_by_model(usage.lazy()).collect()
    models = metrics.models(tasks.lazy()).collect()
    return Report(
        usage=usage,
        runs=got.runs,
        attempts=att,
        tasks=tasks,
        models=models,
        usage_models=usage_models,
        months=metrics.usage_by_month(usage.lazy()).collect(),
        issues=got.issues,
        rates=_rates_used(usage, book, listed),
        files=got.files,
        summary=summarise(usage, got.issues, tasks, usage_models, book.version)
        | {"pricing_overrides": [vars(o) for o in book.overrides]}
        | _terms_summary(usage, book, listed)
        | _fallback_summary(usage, book)
        | metrics.period(usage),
        unattributed=metrics.unattributed_by_cause(usage.lazy()).collect(),
        quality=metrics.data_quality(got.issues.lazy()).collect(),
        model_stats=stats.model_stats(models, tasks, att) if with_stats else None,
    )


def _terms_summary(usage: pl.DataFrame, book: pricing.Book, listed: pl.DataFrame | None) -> dict:
    """Negotiated terms in force (``pricing_terms``, each rate term with the rows it priced and
    their cost at list) and, when stated, credits drawn and the total in the billing currency
    (see ``pricing/terms.py``, ``pricing/applied.py``)."""
    if not book.terms:
        return {}
    got = pricing.terms.billing(usage, book.terms, book.table_of())
    return {"pricing_terms": applied.per_term(usage, listed, book.terms_listing), **got}


def _list_costs(
    read: pl.DataFrame, book: pricing.Book, at: dt.datetime | None
) -> pl.DataFrame | None:
    """Each row's cost at list when terms change prices (a second pricing pass), else None."""
    return applied.list_costs(read.lazy(), book, at)


def _fallback_summary(usage: pl.DataFrame, book: pricing.Book) -> dict:
    """With ``--fallback-prices``: how many rows a third-party price priced, and their cost."""
    if not book.fallback:
        return {}
    third = usage.filter(pl.col("price_confidence") == pricing.fallback.CONFIDENCE)
    rows = third.filter(pl.col("part") == 1).height
    return {"fallback_prices": {"source": "genai-prices", "rows": rows,
                                "cost": _dsum(third["cost"])}}  # fmt: skip


def _refuse_rejections(issues: pl.DataFrame) -> None:
    unread = issues.filter(pl.col("kind") == "not read")
    if unread.height:
        first = unread.row(0, named=True)
        where = located(first["source_file"], None, first["reason"])
        raise StrictModeError(f"{unread.height} file(s) not read (--strict); first: {where}")
    bad = issues.filter(pl.col("kind") == "rejected")
    if bad.height:
        first = bad.row(0, named=True)
        where = located(first["source_file"], first["source_line"], first["reason"])
        raise StrictModeError(f"{bad.height} row(s) rejected (--strict); first: {where}")


def _rates_used(
    usage: pl.DataFrame, book: pricing.Book, listed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every (model, period, tier) that priced at least one row, with its rates and source (and,
    with rate-changing terms, the terms, the cost at list and what they changed)."""
    keys = ["model_id", "price_period_from", "price_tier", "price_modifiers"]
    used = (
        usage.filter(pl.col("price_status") == "priced")
        .group_by(*keys)
        .agg(rows=pl.col("usage_row").n_unique().cast(pl.Int64), cost=pl.col("cost").sum())
        .sort("model_id", "price_period_from", "price_tier", "price_modifiers")
    )
    detail = [_period_detail(book, r) for r in used.iter_rows(named=True)]
    out = pl.concat([used, pl.DataFrame(detail, infer_schema_length=None)], how="horizontal")
    return applied.by_rates(out, usage, listed, book, keys)


def _period_detail(book: pricing.Book, row: dict) -> dict:
    """Rates per 1M tokens and provenance of the period (and tier) that priced ``row``."""
    if row["model_id"] not in book.models:  # a third-party fallback price (pricing/fallback.py)
        return {"provider": row["model_id"].split(":")[0], "confidence": "third-party"}
    f, m = book.models[row["model_id"]]
    p = next(p for p in m.period if p.start == row["price_period_from"])
    tier = next((t for t in p.tier if t.label == row["price_tier"]), None)
    rates = tier.rates if tier else p.rates
    return {
        "provider": f.provider,
        **{f"{b}_per_mtok": getattr(rates, b) for b in pricing.book.BUCKETS},
        "currency": f.currency,
        "source": p.source,
        "checked": p.checked.isoformat(),
        "confidence": p.confidence,
        "note": p.note or "",
        "file": names.price_file(book.origin.get((f.provider, "model", m.id))),
    }


def summarise(
    usage: pl.DataFrame,
    issues: pl.DataFrame,
    tasks: pl.DataFrame,
    usage_models: pl.DataFrame,
    version: str,
) -> dict:
    """The headline numbers (Decimal, unrounded), as documented in docs/schema.md."""
    currencies = usage["cost_currency"].drop_nulls().unique().to_list()
    if len(currencies) > 1:
        raise CostlensError(
            f"usage is priced in several currencies {currencies}; report them apart"
        )
    total = _dsum(usage["cost"])
    attributed = _dsum(usage.filter(pl.col("task_id").is_not_null())["cost"])
    kinds = issues.group_by("kind").agg(pl.col("count").sum())
    count = dict(zip(kinds["kind"], kinds["count"], strict=True))
    # A shared aggregated row is several parts (attribution.py); count each source row once.
    rows_once = usage.filter(pl.col("part") == 1)
    priced = rows_once.filter(pl.col("price_status") == "priced").height
    billed = rows_once.filter(pl.col("price_status") == "billed").height
    billed_by = _billed_by_currency(usage)
    unpriced = rows_once.height - priced - billed
    return {
        # Nothing priced (an unknown model, a --price-date before every table): the total is not
        # known, never 0. Some rows unpriced: the total is a lower bound.
        "total_cost": total if priced or not unpriced else None,
        "cost_lower_bound": unpriced > 0,
        "currency": currencies[0] if currencies else "USD",
        "tokens": _tokens(usage),
        "models": [
            {
                "model": r["model_key"],
                "requests": r["requests"],
                "cost": r["cost"],
                "cost_lower_bound": r["cost_lower_bound"],
                "tokens": _tokens_row(r),
            }
            for r in usage_models.iter_rows(named=True)
        ],
        "rows": {
            "read": rows_once.height + count.get("rejected", 0) + count.get("duplicate", 0),
            "priced": priced,
            "unpriced": rows_once.height - priced - billed,
            "billed": billed,
            "rejected": count.get("rejected", 0),
            "duplicate": count.get("duplicate", 0),
            "skipped": count.get("skipped", 0),
        },
        "files": {
            "not_read": count.get("not read", 0),
            "duplicate": count.get("duplicate file", 0),
        },
        # Amounts in several currencies are never summed: one total per currency, and no single
        # billed total when there are several; no source states a bill: null, never 0.
        "billed_cost": next(iter(billed_by.values())) if len(billed_by) == 1 else None,
        "billed_currency": next(iter(billed_by)) if len(billed_by) == 1 else None,
        "billed_by_currency": billed_by,
        "attributed_cost": attributed,
        "unattributed_cost": total - attributed,
        "task_cost": _dsum(tasks["cost"]),
        "pricing_version": version,
    }


def _billed_by_currency(usage: pl.DataFrame) -> dict[str, Decimal]:
    """Stated (billed) amounts per currency, in currency order; a row without one is USD."""
    rows = usage.filter(pl.col("billed_cost").is_not_null())  # shared rows: parts add up
    per = rows.group_by(pl.col("currency").fill_null("USD")).agg(pl.col("billed_cost").sum())
    return {c: Decimal(v) for c, v in per.sort("currency").iter_rows()}


def _dsum(s: pl.Series) -> Decimal:
    total = s.drop_nulls().sum()
    return Decimal(total) if total is not None else Decimal(0)


def _tokens(usage: pl.DataFrame) -> dict[str, int]:
    return {t: int(usage[t].sum() or 0) for t in (*TOKEN_BUCKETS, "reasoning")}


def _tokens_row(r: dict) -> dict[str, int]:
    return {t: int(r[t] or 0) for t in (*TOKEN_BUCKETS, "reasoning")}


def run_workspace(
    directory: Path,
    window: object | None = None,
    *,
    pricing_paths: list[Path] | None = None,
    price_date: dt.datetime | None = None,
    strict: bool = False,
    review_rate: Decimal | None = None,
    model_stats: bool = False,
    by: tuple[str, ...] = ("day",),
    calendar: Calendar = Calendar(),
    fallback_prices: bool = False,
) -> Report:
    """``run`` over a workspace's stored rows (``workspace.layout.Window`` or all of them)."""
    from .workspace import rows

    return build(
        rows.load(directory, window),  # type: ignore[arg-type]
        book=pricing.load(pricing_paths, fallback=fallback_prices),
        pricing_paths=pricing_paths,
        price_date=price_date,
        strict=strict,
        review_rate=review_rate,
        model_stats=model_stats,
        by=by,
        calendar=calendar,
    )
