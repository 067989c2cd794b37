"""Stage 5: per-attempt, per-task and per-model numbers; no I/O. See docs/metrics.md.

A *task run* is one (task, model, run) triple: the attempts one model made at one task in one run
of the bundle. Costs stay Decimal at full precision; only the report layer rounds.

The aggregations over usage rows (``attempts``, ``usage_by_model``, ``usage_by_month``,
``unattributed_by_cause``) take a frame of either engine (``frames``) and are written against
Narwhals with exact operations only (integer and Decimal sums); they return small polars
frames. Everything over attempts, task runs and models (divisions, means, quantiles) is polars,
whatever engine held the usage.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import narwhals as nw
import polars as pl

from . import frames
from .schema import MONEY, TOKEN_BUCKETS

TOKENS = [*TOKEN_BUCKETS, "reasoning"]
TASK_RUN = ["task_id", "run_model", "run_id"]


def _money_sum(col: str) -> pl.Expr:
    return pl.col(col).sum().cast(MONEY)


def per(amount: pl.Expr, count: pl.Expr) -> pl.Expr:
    """``amount / count`` as money, null when ``count`` is 0 (a model that solved nothing has
    no cost per solved task). The divisor itself is nulled: polars evaluates both branches of
    ``when/then``, and a Decimal division by zero raises even in the branch not taken."""
    return (amount / pl.when(count > 0).then(count)).cast(MONEY)


def _sums(usage: Any, keys: list[str], **extra: nw.Expr) -> pl.LazyFrame:
    """Requests, tokens and cost per ``keys`` over usage of either engine, as polars; ``extra``
    adds more (exact) aggregations. Counting flags are summed as integers (Spark sums no
    booleans) and come back as polars' count type."""
    table = (
        frames.lazy(usage)
        .with_columns(_unpriced=(nw.col("price_status") == "unpriced").cast(nw.Int64))
        .group_by(*keys)
        .agg(
            nw.col("requests").sum(),
            *[nw.col(t).sum() for t in TOKENS],
            nw.col("cost").sum().cast(frames.MONEY),
            nw.col("_unpriced").sum(),
            *[e.alias(n) for n, e in extra.items()],
        )
    )
    out = frames.to_lazy_polars(table).with_columns(pl.col("_unpriced").cast(pl.UInt32))
    return out.with_columns(pl.col("cost").cast(MONEY))


def attempts(usage: Any, runs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per run-log attempt with the usage attributed to it (``usage``: either engine)."""
    attributed = frames.lazy(usage).filter(~nw.col("task_id").is_null())
    per = _sums(attributed, ["task_id", "run_model", "run_id", "attempt"]).rename(
        {"_unpriced": "unpriced_requests"}
    )
    base = runs.rename({"model": "run_model"}).select(
        *TASK_RUN,
        "attempt",
        "started_at",
        "ended_at",
        "outcome",
        "reprompts",
        "review_minutes",
        "category",
        "harness",
        wall_seconds=(pl.col("ended_at") - pl.col("started_at")).dt.total_seconds(),
    )
    # A harness log may name no model (run_model null): its attempt still gets its usage.
    joined = base.join(per, on=[*TASK_RUN, "attempt"], how="left", nulls_equal=True)
    return joined.with_columns(
        pl.col("requests", *TOKENS, "unpriced_requests").fill_null(0),
        pl.col("cost").fill_null(pl.lit(0, MONEY)),
    )


def task_runs(att: pl.LazyFrame, review_rate: Decimal | None = None) -> pl.LazyFrame:
    """One row per (task, model, run).

    Args:
        att: attempts (``attempts``).
        review_rate: what an hour of human review costs; ``review_cost`` is null without it.
    """
    passed = pl.col("outcome") == "pass"
    first = (pl.col("attempt") == 1) & passed & (pl.col("reprompts") == 0)
    rate = pl.lit(review_rate, MONEY)
    return (
        att.group_by(TASK_RUN)
        .agg(
            attempts=pl.len().cast(pl.Int64),
            first_attempt_success=first.any(),
            solved=passed.any(),
            attempts_to_success=pl.col("attempt").filter(passed).min(),
            reprompts=pl.col("reprompts").sum(),
            review_minutes=pl.col("review_minutes").sum(),
            # Unknown (a harness that logs no start time) stays null, never 0 s in p50 / p90.
            wall_seconds=pl.when(pl.col("wall_seconds").is_not_null().any()).then(
                pl.col("wall_seconds").sum()
            ),
            requests=pl.col("requests").sum(),
            **{t: pl.col(t).sum() for t in TOKENS},
            cost=_money_sum("cost"),
            unpriced_requests=pl.col("unpriced_requests").sum(),
            category=pl.col("category").drop_nulls().first(),
            harness=pl.col("harness").drop_nulls().first(),
        )
        .with_columns(
            # minutes x rate first, then / 60: one rounding (at 1e-12), not one per minute.
            review_cost=(pl.col("review_minutes").fill_null(0).cast(MONEY) * rate / 60).cast(MONEY)
        )
        .sort(TASK_RUN)
    )


def models(tr: pl.LazyFrame) -> pl.LazyFrame:
    """One row per model under test, over its task runs."""
    solved = pl.col("solved").sum()
    return (
        tr.group_by("run_model")
        .agg(
            tasks=pl.col("task_id").n_unique().cast(pl.Int64),
            task_runs=pl.len().cast(pl.Int64),
            first_attempt_success_rate=pl.col("first_attempt_success").mean(),
            solved_task_runs=solved.cast(pl.Int64),
            solve_rate=pl.col("solved").mean(),
            mean_reprompts=pl.col("reprompts").mean(),
            mean_attempts=pl.col("attempts").mean(),
            total_cost=_money_sum("cost"),
            cost_per_task=(_money_sum("cost") / pl.len()).cast(MONEY),
            cost_per_solved_task=per(_money_sum("cost"), solved),
            median_wall_seconds=pl.col("wall_seconds").median(),
            p50_wall_seconds=pl.col("wall_seconds").quantile(0.5, "linear"),
            p90_wall_seconds=pl.col("wall_seconds").quantile(0.9, "linear"),
            mean_attempts_to_success=pl.col("attempts_to_success").mean(),
            review_cost=pl.when(pl.col("review_cost").is_not_null().any()).then(
                _money_sum("review_cost")
            ),
            **{t: pl.col(t).sum() for t in TOKENS},
            **{f"{t}_per_task": pl.col(t).mean() for t in TOKENS},
            unpriced_requests=pl.col("unpriced_requests").sum(),
        )
        .with_columns(
            # Some request of these task runs has no price: the costs are a lower bound.
            cost_lower_bound=pl.col("unpriced_requests") > 0,
            # Human review is its own column; this one adds it to the model spend.
            cost_per_solved_task_with_review=per(
                pl.col("total_cost") + pl.col("review_cost"), pl.col("solved_task_runs")
            ),
        )
        .sort("run_model")
    )


def _known_cost(table: pl.LazyFrame) -> pl.LazyFrame:
    """A group's cost, null (never 0) when none of its rows is priced, and whether it is only a
    lower bound (some rows unpriced); from the counts ``_sums`` takes."""
    return table.with_columns(
        cost=pl.when(pl.col("_priced") > 0).then(pl.col("cost")),
        cost_lower_bound=pl.col("_unpriced") > 0,
    )


def _priced() -> nw.Expr:
    return (nw.col("price_status") == "priced").cast(nw.Int64).sum()


def usage_by_model(usage: Any) -> pl.LazyFrame:
    """Usage per reported model (resolved id where known), attributed or not."""
    keyed = frames.lazy(usage).with_columns(model_key=nw.coalesce("model_id", "model"))
    table = _known_cost(_sums(keyed, ["model_key", "provider"], _priced=_priced()))
    return table.select(
        "model_key",
        "provider",
        "requests",
        *TOKENS,
        "cost",
        "cost_lower_bound",
        unpriced_rows=pl.col("_unpriced"),
    ).sort("provider", "model_key")


def usage_by_month(usage: Any) -> pl.LazyFrame:
    """Usage and cost per calendar month (UTC) and model."""
    keyed = frames.lazy(usage).with_columns(
        month=nw.col("period_start").dt.to_string("%Y-%m"),
        model_key=nw.coalesce("model_id", "model"),
    )
    table = _known_cost(_sums(keyed, ["month", "model_key"], _priced=_priced()))
    return table.select("month", "model_key", "requests", *TOKENS, "cost", "cost_lower_bound").sort(
        "month", "model_key"
    )


def unattributed_by_cause(usage: Any) -> pl.LazyFrame:
    """Usage that joined no attempt, by cause and model (exact cost; null where nothing priced).

    A group with nothing priced shows no cost (never $0): its rows are counted as unpriced."""
    rows = frames.lazy(usage).filter(nw.col("task_id").is_null())
    keyed = rows.with_columns(model=nw.coalesce("model_id", "model"))
    table = _sums(keyed, ["unattributed_cause", "model"], rows=nw.len().cast(nw.Int64))
    table = table.select(
        "unattributed_cause",
        "model",
        "rows",
        unpriced_rows=pl.col("_unpriced").cast(pl.Int64),
        cost=pl.col("cost"),
    )
    nothing_priced = pl.col("rows") == pl.col("unpriced_rows")
    return table.with_columns(cost=pl.when(~nothing_priced).then(pl.col("cost"))).sort(
        "unattributed_cause", "model"
    )


def data_quality(issues: pl.LazyFrame) -> pl.LazyFrame:
    """Input rows that did not become usage: counts by kind and reason, with up to three
    ``path:line`` examples each."""
    line = pl.concat_str(pl.lit(":"), pl.col("source_line").cast(pl.String))
    where = pl.concat_str("source_file", line.fill_null(""))
    return (
        issues.group_by("kind", "source_format", "reason")
        .agg(count=pl.col("count").sum(), examples=where.head(3).str.join(", "))
        .sort("kind", "source_format", "reason")
    )


def with_failure_cost(
    tr: pl.LazyFrame, per_category: dict[str, Decimal | None], default: Decimal | None
) -> pl.LazyFrame:
    """Task runs plus ``failure_cost`` (what an unsolved task run costs under its category's rule,
    0 when solved, null when the policy sets no failure cost) and ``all_in_cost`` = cost +
    review_cost + failure_cost (a missing part counts 0)."""
    amounts = pl.LazyFrame(
        {"category": list(per_category), "_fail": list(per_category.values())},
        schema={"category": pl.String, "_fail": MONEY},
    )
    fail = pl.coalesce("_fail", pl.lit(default, MONEY))
    return (
        tr.join(amounts, on="category", how="left")
        .with_columns(failure_cost=pl.when(pl.col("solved")).then(pl.lit(0, MONEY)).otherwise(fail))
        .with_columns(
            failure_cost=pl.when(pl.col("_fail").is_not_null() | (default is not None)).then(
                pl.col("failure_cost")
            ),
            all_in_cost=(
                pl.col("cost")
                + pl.col("review_cost").fill_null(0)
                + pl.col("failure_cost").fill_null(0)
            ).cast(MONEY),
        )
        .drop("_fail")
    )


def all_in(models: pl.DataFrame, tr: pl.DataFrame) -> pl.DataFrame:
    """``models`` plus the parts of the all-in cost per solved task, each its own column:
    tokens (``cost_per_solved_task``), ``review_cost_per_solved_task``,
    ``failure_cost_per_solved_task``, and their sum ``all_in_cost_per_solved_task``."""
    # A null denominator, not a guarded 0: polars evaluates both branches of a when().
    solved = pl.when(pl.col("solved").sum() > 0).then(pl.col("solved").sum())

    def per_solved(col: str) -> pl.Expr:
        known = pl.col(col).is_not_null().any()
        return pl.when(known).then((_money_sum(col) / solved).cast(MONEY))

    parts = tr.group_by("run_model").agg(
        failure_cost=pl.when(pl.col("failure_cost").is_not_null().any()).then(
            _money_sum("failure_cost")
        ),
        all_in_cost=_money_sum("all_in_cost"),
        review_cost_per_solved_task=per_solved("review_cost"),
        failure_cost_per_solved_task=per_solved("failure_cost"),
        all_in_cost_per_solved_task=per_solved("all_in_cost"),
    )
    return models.join(parts, on="run_model", how="left")


def period(usage: Any) -> dict:
    """The time the usage covers: first and last timestamp (UTC), null when there is none."""
    ends = nw.coalesce("period_end", "period_start")
    span = frames.lazy(usage).select(
        nw.col("period_start").min().alias("start"), ends.max().alias("end")
    )
    got = frames.to_polars(span).cast({"start": frames.UTC, "end": frames.UTC}).row(0)
    return {"period_start": got[0], "period_end": got[1]}
