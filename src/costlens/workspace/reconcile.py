"""Computed cost versus billed cost, per provider x model x day and per billed line item.

Like a ledger's balance assertion: for every cell the computed cost (usage x the price book)
must equal what the provider billed, within a tolerance. Each cell outside it gets a cause:

- ``unpriced model``: the cell has usage the book cannot price (the computed side is short);
- ``billed without usage``: a bill for a day (or model-day) no ingested usage covers;
- ``usage without a bill``: usage on a day the provider's bill (ingested for the window) omits;
- ``price mismatch``: the unit price the bill implies for one token bucket of a model differs
  from the table's by a steady ratio from some day on (``explain.py`` finds it);
- ``unexplained``: anything else, listed with its residual.

Only providers with a bill in the window are reconciled; the method and its limits are in
docs/workspace.md.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from .. import pricing, schema
from ..pricing.format import FEES
from ..results import Finding, Reconciliation
from ..schema import MONEY, TOKEN_BUCKETS
from . import explain
from .finding import dsum, money, outside, signed

NO_MODEL = "(no model)"
ALL_MODELS = "(all models)"


def reconcile(
    usage: pl.DataFrame,
    book: pricing.Book,
    *,
    tz: str = "UTC",
    tolerance: Decimal = Decimal("0.005"),
    window: str = "",
) -> Reconciliation:
    """Compare priced ``usage`` (``Report.usage``) with the billed amounts it carries."""
    rows = _computing(_fees_apart(_whole_provider(_keyed(usage, book, tz))))
    billed_providers = rows.filter(pl.col("billed_cost").is_not_null())["provider"].unique()
    not_rec = sorted(set(rows["provider"].drop_nulls().unique()) - set(billed_providers))
    rows = rows.filter(pl.col("provider").is_in(billed_providers.implode()))
    cells = _cells(rows, tolerance)
    lines = _lines(rows)
    mismatches, explained = explain.price_mismatches(cells, lines, _parts(rows), tolerance)
    cells = _causes(cells.join(explained, on=["provider", "model", "day"], how="left"), tolerance)
    findings = [*mismatches, *_findings(cells)]
    table = pl.concat([_cell_table(cells), lines], how="diagonal_relaxed").sort(
        "provider", "model", "day", "bucket", nulls_last=True
    )
    residual = dsum(cells.filter(pl.col("cause") == "unexplained")["unexplained"])
    return Reconciliation(
        window, tolerance, table, findings, _per_provider(cells), not_rec, residual
    )


def _keyed(usage: pl.DataFrame, book: pricing.Book, tz: str) -> pl.DataFrame:
    """Rows with ``model`` (resolved key), ``day`` (local date) and ``bucket`` (billed side)."""
    named = usage.with_columns(_name=_name())
    return named.join(
        _billed_ids(named, book),
        on=["provider", "_name", "period_start"],
        how="left",
        nulls_equal=True,
    ).select(
        "provider",
        model=pl.coalesce("model_id", "_id", pl.col("_name").str.to_lowercase()).fill_null(
            NO_MODEL
        ),
        day=pl.col("period_start").dt.convert_time_zone(tz).dt.date(),
        **{b: pl.col(b) for b in TOKEN_BUCKETS},
        **{f"cost_{b}": pl.col(f"cost_{b}") for b in TOKEN_BUCKETS},
        cost="cost",
        fees=pl.sum_horizontal([pl.col(f"cost_{f}") for f in FEES]),
        billed_cost="billed_cost",
        price_status=pl.col("price_status").cast(pl.String),
        line_item="line_item",
        bucket=explain.billed_bucket(),
    )


def _whole_provider(rows: pl.DataFrame) -> pl.DataFrame:
    """A provider whose bill names no model at all is compared per day over all its models."""
    billed = pl.col("billed_cost").is_not_null()
    modelless = (billed & (pl.col("model") != NO_MODEL)).sum().over("provider") == 0
    return rows.with_columns(_sub=pl.col("model")).with_columns(
        model=pl.when(modelless & billed.any().over("provider"))
        .then(pl.lit(ALL_MODELS))
        .otherwise("model")
    )


def _fees_apart(rows: pl.DataFrame) -> pl.DataFrame:
    """Where a provider bills per-call fees (web search) on lines naming no model, its computed
    fees move to that provider-day's ``(no model)`` cell, out of the model cells."""
    billed = pl.col("billed_cost").is_not_null()
    apart = (billed & (pl.col("model") == NO_MODEL)).any().over("provider")
    moving = apart & (pl.col("fees").fill_null(0) != 0)
    if not rows.filter(moving).height:
        return rows.drop("fees")
    fee_rows = rows.filter(moving).select(
        "provider",
        "day",
        model=pl.lit(NO_MODEL),
        cost=pl.col("fees"),
        **{f"cost_{b}": pl.lit(Decimal(0), MONEY) for b in TOKEN_BUCKETS},
        **{b: pl.lit(0, pl.Int64) for b in TOKEN_BUCKETS},
        price_status=pl.lit("priced"),
    )
    kept = rows.with_columns(
        cost=pl.when(moving).then(pl.col("cost") - pl.col("fees")).otherwise("cost")
    )
    return pl.concat([kept.drop("fees"), fee_rows], how="diagonal_relaxed")


def _computing(rows: pl.DataFrame) -> pl.DataFrame:
    """``_use``: the rows that make the computed side. A bill line that states its own tokens
    (CUR, GCP, Azure, a gateway's stated cost) counts as usage only in cells no separate usage
    source covers, so the same tokens are never priced twice."""
    tokens = pl.any_horizontal([pl.col(b).is_not_null() for b in TOKEN_BUCKETS])
    self_billed = tokens & pl.col("billed_cost").is_not_null()
    plain = (tokens & ~self_billed).any().over("provider", "model", "day")
    return rows.with_columns(_use=tokens & (~self_billed | ~plain))


def _used(col: str) -> pl.Expr:
    return pl.col(col).filter(pl.col("_use")).sum()


def _name() -> pl.Expr:
    """The model a row names; an OpenAI Costs line item names it before a comma."""
    prefix = pl.col("line_item").str.extract(r"^([^,]+),", 1).str.strip_chars()
    return pl.coalesce("model_canonical", "model", prefix)


def _billed_ids(named: pl.DataFrame, book: pricing.Book) -> pl.DataFrame:
    """Model ids for money-only rows, resolved by the pricing stage itself (as of each row's
    time, so a moving alias means what it meant then): the same key usage rows carry."""
    probe = (
        named.filter(pl.col("model_id").is_null() & pl.col("_name").is_not_null())
        .select("provider", "_name", "period_start")
        .unique()
    )
    zero = {b: pl.lit(0, pl.Int64) for b in TOKEN_BUCKETS}
    lf = probe.lazy().with_columns(
        model=pl.col("_name"),
        source_format=pl.lit("reconcile"),
        source_file=pl.lit(""),
        period_end=pl.col("period_start"),
        aggregated=pl.lit(True),
        **zero,
    )
    priced = pricing.price(schema.conform(lf, schema.USAGE), book).collect()
    return priced.select("provider", _name="model", period_start="period_start", _id="model_id")


def _cells(rows: pl.DataFrame, tolerance: Decimal) -> pl.DataFrame:
    unpriced = (pl.col("price_status") == "unpriced") & pl.col("_use")
    return (
        rows.group_by("provider", "model", "day")
        .agg(
            usage_rows=pl.col("_use").sum().cast(pl.Int64),
            unpriced_rows=unpriced.sum().cast(pl.Int64),
            billed_rows=pl.col("billed_cost").is_not_null().sum().cast(pl.Int64),
            computed=_used("cost").cast(MONEY),
            billed=pl.col("billed_cost").sum().cast(MONEY),
            **{b: _used(b) for b in TOKEN_BUCKETS},
            **{f"cost_{b}": _used(f"cost_{b}").cast(MONEY) for b in TOKEN_BUCKETS},
        )
        .with_columns(difference=(pl.col("billed") - pl.col("computed")).cast(MONEY))
        .with_columns(outside=outside("difference", "billed", tolerance))
        .with_columns(
            provider_has_usage=(pl.col("usage_rows").sum().over("provider", "day") > 0),
        )
    )


def _parts(rows: pl.DataFrame) -> pl.DataFrame:
    """Computed tokens and cost per bucket of each model inside each cell, per day."""
    return (
        rows.filter(pl.col("_use"))
        .group_by("provider", "model", "_sub", "day")
        .agg(
            **{b: pl.col(b).sum() for b in TOKEN_BUCKETS},
            **{f"cost_{b}": pl.col(f"cost_{b}").sum().cast(MONEY) for b in TOKEN_BUCKETS},
        )
    )


def _lines(rows: pl.DataFrame) -> pl.DataFrame:
    """Per billed line item (bucket) and day: tokens, computed and billed cost of that bucket."""
    billed = (
        rows.filter(pl.col("billed_cost").is_not_null() & pl.col("bucket").is_not_null())
        .group_by("provider", "model", "day", "bucket")
        .agg(billed=pl.col("billed_cost").sum(), line_item=pl.col("line_item").drop_nulls().first())
    )
    if not billed.height:
        return billed.with_columns(tokens=pl.lit(None, pl.Int64), computed=pl.lit(None, MONEY))
    computed = pl.concat(
        [
            rows.group_by("provider", "model", "day")
            .agg(tokens=_used(b), computed=_used(f"cost_{b}").cast(MONEY))
            .with_columns(bucket=pl.lit(b))
            for b in TOKEN_BUCKETS
        ]
    )
    return billed.join(computed, on=["provider", "model", "day", "bucket"], how="left")


def _causes(cells: pl.DataFrame, tolerance: Decimal) -> pl.DataFrame:
    cells = cells.with_columns(pl.col("explained").fill_null(Decimal(0)).cast(MONEY))
    cells = cells.with_columns(unexplained=(pl.col("difference") - pl.col("explained")).cast(MONEY))
    residual_out = outside("unexplained", "billed", tolerance)
    cause = (
        pl.when(~pl.col("outside"))
        .then(pl.lit("within tolerance"))
        .when(pl.col("usage_rows") == 0)
        .then(pl.lit("billed without usage"))
        .when(pl.col("billed_rows") == 0)
        .then(pl.lit("usage without a bill"))
        .when(pl.col("unpriced_rows") > 0)
        .then(pl.lit("unpriced model"))
        .when(~residual_out)
        .then(pl.lit("price mismatch"))
        .otherwise(pl.lit("unexplained"))
    )
    return cells.with_columns(cause=cause)


def _findings(cells: pl.DataFrame) -> list[Finding]:
    out: list[Finding] = []
    out += _day_findings(cells, "billed without usage", "billed {m} with no usage ingested")
    out += _day_findings(cells, "usage without a bill", "computed {c} of usage, nothing billed")
    for (provider, model), g in _groups(cells, "unpriced model", "provider", "model"):
        amount = dsum(g["difference"])
        out.append(
            Finding(
                "unpriced model",
                provider,
                model,
                amount,
                f"{provider} {model}: usage has no price in the book "
                f"({g['unpriced_rows'].sum()} row(s) on {g.height} day(s)); "
                f"billed {money(dsum(g['billed']))}, add the price to pricing/",
                sorted(g["day"].to_list()),
            )
        )
    # In a stated order: the cells come from a group-by, whose order changes from run to run.
    unexplained = cells.filter(pl.col("cause") == "unexplained").sort("provider", "model", "day")
    for r in unexplained.iter_rows(named=True):
        out.append(
            Finding(
                "unexplained",
                r["provider"],
                r["model"],
                r["unexplained"],
                f"{r['provider']} {r['model']} {r['day']}: computed "
                f"{money(r['computed'])}, billed {money(r['billed'])}, "
                f"{signed(r['unexplained'])} unexplained",
                [r["day"]],
            )
        )
    return out


def _day_findings(cells: pl.DataFrame, cause: str, text: str) -> list[Finding]:
    """One finding per provider-day when the whole day is affected, else per model-day."""
    out = []
    for (provider, day), g in _groups(cells, cause, "provider", "day"):
        whole = (cause == "billed without usage" and not g["provider_has_usage"][0]) or (
            cause == "usage without a bill" and g["billed_rows"].sum() == 0
        )
        parts = [(None, g)] if whole else [(m, g.filter(pl.col("model") == m)) for m in g["model"]]
        for model, part in parts:
            what = text.format(m=money(dsum(part["billed"])), c=money(dsum(part["computed"])))
            who = f"{provider} {model}" if model else provider
            out.append(
                Finding(
                    cause, provider, model, dsum(part["difference"]), f"{who} {day}: {what}", [day]
                )
            )
    return out


def _groups(cells: pl.DataFrame, cause: str, *by: str):
    picked = cells.filter(pl.col("cause") == cause).sort(*by)
    return [(g.select(by).row(0), g) for g in picked.partition_by(*by, maintain_order=True)]


def _cell_table(cells: pl.DataFrame) -> pl.DataFrame:
    return cells.select(
        "provider",
        "model",
        "day",
        bucket=pl.lit(None, pl.String),
        line_item=pl.lit(None, pl.String),
        computed="computed",
        billed="billed",
        difference="difference",
        explained="explained",
        unexplained="unexplained",
        cause="cause",
    )


def _per_provider(cells: pl.DataFrame) -> pl.DataFrame:
    return (
        cells.group_by("provider")
        .agg(
            computed=pl.col("computed").sum(),
            billed=pl.col("billed").sum(),
            difference=pl.col("difference").sum(),
            unexplained=pl.col("unexplained").sum(),
            cells_outside=(pl.col("cause") != "within tolerance").sum().cast(pl.Int64),
        )
        .sort("provider")
    )
