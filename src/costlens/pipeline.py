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
from typing import Any

import narwhals as nw
import polars as pl

from . import frames, metrics, names, pricing, schema, stats, totals, views
from .attribution import attribute_rows
from .discover import Ingested, discover
from .errors import StrictModeError, located
from .pricing import applied
from .results import Report
from .totals import summarise
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
    engine: frames.Engine | None = None,
    keep_usage: bool = True,
) -> Report:
    """Read, price, attribute and measure (``read`` then ``build``).

    ``review_rate`` (currency per hour of human review) prices each attempt's
    ``review_minutes`` into a ``review_cost`` column kept apart from the model spend.
    ``model_stats`` adds bootstrap intervals and pass@k per model (a resampling pass).
    ``fallback_prices`` prices models the tables do not know from genai-prices (third-party).
    ``by`` names the usage views to compute (``views.VIEWS``), cut by ``calendar``.
    ``engine`` runs the stages after reading elsewhere (``costlens.spark.SparkEngine``; the
    readers stay local); ``keep_usage`` as in ``build_rows``.

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
        engine=engine,
        keep_usage=keep_usage,
    )


def run_parquet(
    usage_paths: Iterable[Path],
    runs: Iterable[Path] = (),
    *,
    engine: frames.Engine | None = None,
    fallback_prices: bool = False,
    pricing_paths: list[Path] | None = None,
    **options: Any,
) -> Report:
    """``run`` over canonical usage rows stored as Parquet (docs/schema.md), read by the
    engine where they sit (Spark: any path its session reads); run logs are read locally.
    ``options`` are ``build``'s (``strict`` has nothing to refuse: stored rows were read)."""
    book = pricing.load(pricing_paths, fallback=fallback_prices)
    paths, runs = list(usage_paths), list(runs)
    rows = engine.read_usage(paths) if engine else frames.read_usage(paths)
    got = names.relative_to_roots(read([], runs), runs)
    got = replace(got, files=[(str(p), "canonical-usage-parquet") for p in paths] + got.files)
    options.pop("strict", None)
    return build_rows(rows, got, book, **options)


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
    engine: frames.Engine | None = None,
    keep_usage: bool = True,
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
    # On Spark the rows go over to the session; on polars nothing is copied. Either way they
    # are numbered here, in the order read (``frames.ROW``).
    rows = engine.rows(read) if engine else frames.row_index(frames.lazy(read))
    # Pass the priced rows on unnamed: once attribution has collected them, nothing here holds
    # the read rows any more (when the caller kept none), and their memory goes back before the
    # wide copies are made.
    del read
    return build_rows(
        rows, got, book, price_date, review_rate, model_stats, by, calendar, keep_usage
    )


def build_rows(
    rows: frames.Frame,
    got: Ingested,
    book: pricing.Book,
    price_date: dt.datetime | None = None,
    review_rate: Decimal | None = None,
    model_stats: bool = False,
    by: tuple[str, ...] = ("day",),
    calendar: Calendar = Calendar(),
    keep_usage: bool = True,
) -> Report:
    """Stages 2-4 over canonical usage ``rows`` with their input row id (``frames.ROW``) on
    their own engine (``frames``): polars, or Spark (``costlens.spark``). ``got`` carries the
    run-log attempts, issues and files (local). ``keep_usage=False`` leaves the attributed
    usage table out of the report (an empty table with its columns): on Spark only the
    aggregates come back to this machine. When terms change rates, the rows are also priced
    at list (``pricing.applied``), on the same engine, paired by the id."""
    listed = applied.list_costs(rows, book, price_date)
    priced = pricing.price_rows(rows, book, price_date)
    usage = frames.persist(attribute_rows(priced, got.runs.lazy(), book.resolve))
    report = _measure(usage, got, book, review_rate, model_stats, listed)
    kept = frames.to_polars(usage) if keep_usage else schema.empty(schema.ATTRIBUTED).collect()
    return replace(
        report,
        usage=frames.to_schema(kept, schema.ATTRIBUTED, "attributed usage").collect(),
        views=views.views(usage, by, calendar),
        charts=views.chart_tables(usage, report.models, calendar),
        calendar=calendar.describe(),
    )


def _measure(
    usage: frames.Frame,
    got: Ingested,
    book: pricing.Book,
    review_rate: Decimal | None,
    with_stats: bool,
    listed: frames.Frame | None = None,
) -> Report:
    frames.conform(usage, schema.ATTRIBUTED, "metrics input")
    rates = totals.rates_used(usage, book, listed)
    att = metrics.attempts(usage, got.runs.lazy()).collect()
    tasks = metrics.task_runs(att.lazy(), review_rate).collect()
    usage_models = metrics.usage_by_model(usage).collect()
    models = metrics.models(tasks.lazy()).collect()
    return Report(
        usage=schema.empty(schema.ATTRIBUTED).collect(),
        runs=got.runs,
        attempts=att,
        tasks=tasks,
        models=models,
        usage_models=usage_models,
        months=metrics.usage_by_month(usage).collect(),
        issues=got.issues,
        rates=rates,
        files=got.files,
        summary=summarise(usage, got.issues, tasks, usage_models, book.version)
        | {"pricing_overrides": [vars(o) for o in book.overrides]}
        | _terms_summary(usage, book, rates)
        | _fallback_summary(usage, book)
        | metrics.period(usage),
        unattributed=metrics.unattributed_by_cause(usage).collect(),
        quality=metrics.data_quality(got.issues.lazy()).collect(),
        model_stats=stats.model_stats(models, tasks, att) if with_stats else None,
    )


def _terms_summary(usage: frames.Frame, book: pricing.Book, rates: pl.DataFrame) -> dict:
    """Negotiated terms in force (``pricing_terms``, each rate term with the rows it priced and
    their cost at list, from the Pricing sheet's ``rates``) and, when stated, credits drawn and
    the total in the billing currency (``pricing/terms.py``: polars, over the priced rows,
    collected only for those)."""
    if not book.terms:
        return {}
    listing = applied.per_term(rates, book.terms_listing)
    if not any(t.credit or t.fx for t in book.terms):
        return {"pricing_terms": listing}
    priced = totals.priced_rows(usage)
    return {"pricing_terms": listing, **pricing.terms.billing(priced, book.terms, book.table_of())}


def _fallback_summary(usage: frames.Frame, book: pricing.Book) -> dict:
    """With ``--fallback-prices``: how many rows a third-party price priced, and their cost."""
    if not book.fallback:
        return {}
    third = frames.to_polars(
        usage.filter(nw.col("price_confidence") == pricing.fallback.CONFIDENCE).select(
            "part", "cost"
        )
    )
    rows = third.filter(pl.col("part") == 1).height
    cost = third["cost"].drop_nulls().sum()
    money = Decimal(cost) if cost is not None else Decimal(0)
    return {"fallback_prices": {"source": "genai-prices", "rows": rows, "cost": money}}


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
    engine: frames.Engine | None = None,
    keep_usage: bool = True,
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
        engine=engine,
        keep_usage=keep_usage,
    )
