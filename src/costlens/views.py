"""Usage views: tokens, requests and cost per day / week / month / session / project / model /
key, and the tables behind the workbook's charts. Pure polars over the attributed usage; every
writer shows these frames as they are (see docs/metrics.md, "Views").

Time views use the local calendar of ``tz``: a week starts on ``week_start`` (1 = Monday ...
7 = Sunday), a month on day ``month_start`` of the calendar month (a billing cycle: with 15, the
month labelled 2026-03 runs from 15 March to 14 April). Sub-agent (sidechain) usage counts in its
parent session's row and is also shown on its own in the ``subagent_*`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .schema import MONEY, TOKEN_BUCKETS

VIEWS = ("day", "week", "month", "session", "project", "model", "key")
TOKENS = [*TOKEN_BUCKETS, "reasoning"]


@dataclass(frozen=True)
class Calendar:
    """How time views cut periods: a time zone, the first day of a week and of a month."""

    tz: str = "UTC"
    week_start: int = 1
    month_start: int = 1

    def describe(self) -> str:
        day = ("", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        month = (
            "calendar months" if self.month_start == 1 else f"months from day {self.month_start}"
        )
        return f"{self.tz}; weeks from {day[self.week_start]}; {month}"


def _local_date(cal: Calendar) -> pl.Expr:
    return pl.col("period_start").dt.convert_time_zone(cal.tz).dt.date()


def _key(by: str, cal: Calendar) -> pl.Expr:
    """The grouping column of a view, named after the view."""
    date = _local_date(cal)
    if by == "day":
        return date.alias("day")
    if by == "week":
        back = (date.dt.weekday() - cal.week_start) % 7
        return (date - pl.duration(days=back)).alias("week")
    if by == "month":
        shifted = date - pl.duration(days=cal.month_start - 1)
        return shifted.dt.strftime("%Y-%m").alias("month")
    column = {"session": "session_id", "project": "project", "key": "api_key"}
    if by in column:
        return pl.col(column[by]).alias(by)
    return pl.coalesce("model_id", "model").alias("model")


def _sums(prefix: str = "", where: pl.Expr | None = None) -> list[pl.Expr]:
    def pick(name: str) -> pl.Expr:
        return pl.col(name) if where is None else pl.col(name).filter(where)

    return [
        pick("requests").sum().alias(f"{prefix}requests"),
        *[pick(t).sum().alias(f"{prefix}{t}") for t in (TOKENS if not prefix else TOKEN_BUCKETS)],
        pick("cost").sum().cast(MONEY).alias(f"{prefix}cost"),
    ]


def usage_view(usage: pl.LazyFrame, by: str, cal: Calendar = Calendar()) -> pl.LazyFrame:
    """One row per ``by`` value and model (per ``by`` value alone for the model view).

    ``cost`` is null where nothing in the row is priced (never $0); ``cost_lower_bound`` is
    true where some of its rows are unpriced, so the cost shown is a lower bound."""
    if by not in VIEWS:
        raise ValueError(f"unknown view {by!r}; one of {', '.join(VIEWS)}")
    side = pl.col("sidechain").fill_null(False)
    # A shared aggregated row is several parts; its usage counts once, split as attributed.
    keys = [_key(by, cal)] if by == "model" else [_key(by, cal), _key("model", cal)]
    table = usage.group_by(keys).agg(
        *_sums(),
        *_sums("subagent_", side),
        first_activity=pl.col("period_start").min(),
        last_activity=pl.col("period_start").max(),
        rows=(pl.col("part") == 1).sum().cast(pl.Int64),
        unpriced_rows=((pl.col("price_status") == "unpriced") & (pl.col("part") == 1))
        .sum()
        .cast(pl.Int64),
        priced_rows=(pl.col("price_status") == "priced").sum().cast(pl.Int64),
    )
    return (
        table.with_columns(
            cost=pl.when(pl.col("priced_rows") > 0).then(pl.col("cost")),
            subagent_cost=pl.when(pl.col("subagent_requests") > 0).then(pl.col("subagent_cost")),
            cost_lower_bound=pl.col("unpriced_rows") > 0,
        )
        .drop("priced_rows")
        .sort([k.meta.output_name() for k in keys], nulls_last=True)
    )


def views(usage: pl.LazyFrame, by: tuple[str, ...], cal: Calendar = Calendar()) -> dict:
    """Each asked-for view, collected: ``{view name: frame}`` in the order asked."""
    return {b: usage_view(usage, b, cal).collect() for b in dict.fromkeys(by)}


def _wide(long: pl.DataFrame, index: str, on: str) -> pl.DataFrame:
    """Spend per ``index`` with one float column per ``on`` value (chart series; 0 for none).

    Floats: a chart plots doubles, and these tables feed only charts (the exact amounts are in
    the views they come from)."""
    if long.is_empty():
        return pl.DataFrame(schema={index: pl.String})
    long = long.with_columns(pl.col(on).fill_null("(unknown)"), pl.col("cost").cast(pl.Float64))
    wide = long.pivot(on=on, index=index, values="cost", aggregate_function="sum")
    return wide.fill_null(0.0).sort(index)


def chart_tables(
    usage: pl.LazyFrame, models: pl.DataFrame, cal: Calendar = Calendar()
) -> dict[str, pl.DataFrame]:
    """The four charts' data: daily spend by model, monthly spend by provider, cost per solved
    task against first-attempt success per model under test, token mix per model."""
    by_day = usage_view(usage, "day", cal).select("day", "model", "cost").collect()
    month = _key("month", cal)
    by_provider = (
        usage.group_by(month, "provider").agg(cost=pl.col("cost").sum().cast(MONEY)).collect()
    )
    tokens = usage_view(usage, "model", cal).select(
        "model",
        "input_uncached",
        "cache_read",
        cache_write=pl.col("cache_write_5m") + pl.col("cache_write_1h"),
        output="output",
    )
    pareto = models.filter(pl.col("cost_per_solved_task").is_not_null()).select(
        "run_model",
        cost_per_solved_task=pl.col("cost_per_solved_task").cast(pl.Float64),
        first_attempt_success_rate="first_attempt_success_rate",
    )
    return {
        "daily_spend_by_model": _wide(
            by_day.with_columns(pl.col("day").cast(pl.String)), "day", "model"
        ),
        "monthly_spend_by_provider": _wide(by_provider, "month", "provider"),
        "cost_vs_success": pareto,
        "token_mix_by_model": tokens.collect(),
    }
