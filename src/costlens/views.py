"""Usage views: tokens, requests and cost per day / week / month / session / project / model /
key, and the tables behind the workbook's charts. Pure polars over the attributed usage; every
writer shows these frames as they are (see docs/metrics.md, "Views").

Time views use the local calendar of ``tz``: a week starts on ``week_start`` (1 = Monday ...
7 = Sunday), a month on day ``month_start`` of the calendar month (a billing cycle: with 15, the
month labelled 2026-03 runs from 15 March to 14 April). Sub-agent (sidechain) usage counts in its
parent session's row and is also shown on its own in the ``subagent_*`` columns.

The grouping runs on the usage's own engine (``frames``: polars or Spark, written against
Narwhals, exact sums only); the small grouped tables are finished in polars. Local calendars
come from ``intervals.local_time`` (Spark keeps one time zone per session, not per column).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import polars as pl

from . import frames
from .pricing.intervals import local_time
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


def _keyed(usage: Any, by: str, cal: Calendar) -> tuple[frames.Frame, list[str]]:
    """``usage`` with the view's grouping columns (and the model's), and their names."""
    rows = frames.lazy(usage).with_columns(model=nw.coalesce("model_id", "model"))
    if by == "model":
        return rows, ["model"]
    column = {"session": "session_id", "project": "project", "key": "api_key"}
    if by in column:
        return rows.with_columns(nw.col(column[by]).alias(by)), [by, "model"]
    return _calendar_key(rows, by, cal), [by, "model"]


def _calendar_key(rows: frames.Frame, by: str, cal: Calendar) -> frames.Frame:
    """The day, week (its first day) or month (its label) of ``period_start`` in ``cal``."""
    local = local_time(rows, "period_start", cal.tz, "_local")
    wall = nw.col("_local")
    if by == "day":
        key = wall.dt.date()
    elif by == "week":
        back = (wall.dt.weekday() - cal.week_start) % 7
        key = wall.dt.date()
        for days in range(1, 7):  # a literal step per weekday: Spark adds no column durations
            key = (
                nw.when(back == days)
                .then((wall - dt.timedelta(days=days)).dt.date())
                .otherwise(key)
            )
    else:
        key = (wall - dt.timedelta(days=cal.month_start - 1)).dt.to_string("%Y-%m")
    return local.with_columns(key.alias(by)).drop("_local")


def _sums(prefix: str = "", where: str | None = None) -> list[nw.Expr]:
    def pick(name: str) -> nw.Expr:
        return nw.col(name) if where is None else nw.when(nw.col(where)).then(nw.col(name))

    return [
        pick("requests").sum().alias(f"{prefix}requests"),
        *[pick(t).sum().alias(f"{prefix}{t}") for t in (TOKENS if not prefix else TOKEN_BUCKETS)],
        pick("cost").sum().cast(frames.MONEY).alias(f"{prefix}cost"),
    ]


def usage_view(usage: Any, by: str, cal: Calendar = Calendar()) -> pl.LazyFrame:
    """One row per ``by`` value and model (per ``by`` value alone for the model view).

    ``cost`` is null where nothing in the row is priced (never $0); ``cost_lower_bound`` is
    true where some of its rows are unpriced, so the cost shown is a lower bound."""
    if by not in VIEWS:
        raise ValueError(f"unknown view {by!r}; one of {', '.join(VIEWS)}")
    rows, keys = _keyed(usage, by, cal)
    # A shared aggregated row is several parts; its usage counts once, split as attributed.
    first = nw.col("part") == 1
    rows = rows.with_columns(
        _side=nw.col("sidechain").fill_null(False),
        _row=first.cast(nw.Int64),
        _unpriced=((nw.col("price_status") == "unpriced") & first).cast(nw.Int64),
        _priced=(nw.col("price_status") == "priced").cast(nw.Int64),
    )
    table = rows.group_by(*keys).agg(
        *_sums(),
        *_sums("subagent_", "_side"),
        nw.col("period_start").min().alias("first_activity"),
        nw.col("period_start").max().alias("last_activity"),
        nw.col("_row").sum().alias("rows"),
        nw.col("_unpriced").sum().alias("unpriced_rows"),
        nw.col("_priced").sum().alias("priced_rows"),
    )
    money = ["cost", "subagent_cost"]
    return (
        frames.to_lazy_polars(table)
        .with_columns(pl.col(money).cast(MONEY))
        .with_columns(
            cost=pl.when(pl.col("priced_rows") > 0).then(pl.col("cost")),
            subagent_cost=pl.when(pl.col("subagent_requests") > 0).then(pl.col("subagent_cost")),
            cost_lower_bound=pl.col("unpriced_rows") > 0,
        )
        .drop("priced_rows")
        .sort(keys, nulls_last=True)
    )


def views(usage: Any, by: tuple[str, ...], cal: Calendar = Calendar()) -> dict:
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
    usage: Any, models: pl.DataFrame, cal: Calendar = Calendar()
) -> dict[str, pl.DataFrame]:
    """The four charts' data: daily spend by model, monthly spend by provider, cost per solved
    task against first-attempt success per model under test, token mix per model."""
    by_day = usage_view(usage, "day", cal).select("day", "model", "cost").collect()
    months = _calendar_key(frames.lazy(usage), "month", cal)
    spend = months.group_by("month", "provider").agg(nw.col("cost").sum().cast(frames.MONEY))
    by_provider = frames.to_polars(spend).with_columns(pl.col("cost").cast(MONEY))
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
