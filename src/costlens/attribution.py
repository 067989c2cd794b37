"""Stage 4: join priced usage to run-log attempts.

Order: request id first (the most specific key), then session id. A session id shared by several
attempts is narrowed by each attempt's time window. Whatever joins nothing, or more than one
attempt, stays unattributed with its cause: it is reported, never dropped or guessed.
"""

from __future__ import annotations

import polars as pl

from .pricing import PRICED

ATTEMPT_KEYS = ["task_id", "run_model", "run_id", "attempt"]

ATTRIBUTED: dict[str, pl.DataType] = {
    **PRICED,
    "task_id": pl.String(),
    "run_model": pl.String(),
    "run_id": pl.String(),
    "attempt": pl.Int64(),
    "attribution_method": pl.String(),
    "unattributed_cause": pl.String(),
}


def attribute(priced: pl.LazyFrame, runs: pl.LazyFrame) -> pl.LazyFrame:
    """Add the attempt each usage row belongs to, or the cause it belongs to none."""
    usage = priced.with_row_index("_uid")
    attempts = runs.select(
        "task_id",
        pl.col("model").alias("run_model"),
        "run_id",
        "attempt",
        "session_id",
        "request_ids",
        "started_at",
        "ended_at",
    )
    by_request = _unique_match(
        usage.select("_uid", "request_id").filter(pl.col("request_id").is_not_null()),
        attempts.explode("request_ids").rename({"request_ids": "request_id"}),
        "request_id",
    )
    by_session = _session_match(usage.join(by_request, on="_uid", how="anti"), attempts)
    matched = pl.concat(
        [
            by_request.with_columns(_m=pl.lit("request_id")),
            by_session.with_columns(_m=pl.lit("session_id")),
        ]
    )
    return (
        usage.join(matched, on="_uid", how="left")
        .with_columns(
            attribution_method=pl.when(pl.col("_n") == 1).then(pl.col("_m")),
            unattributed_cause=_cause(),
        )
        .with_columns([pl.when(pl.col("_n") == 1).then(pl.col(k)).alias(k) for k in ATTEMPT_KEYS])
        .sort("_uid")
        .select(list(ATTRIBUTED))
    )


def _unique_match(left: pl.LazyFrame, attempts: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """Per usage row: the number of attempts it matched (``_n``) and the attempt when unique."""
    pairs = left.join(attempts.select(key, *ATTEMPT_KEYS), on=key, how="inner")
    return _count_per_uid(pairs)


def _session_match(usage: pl.LazyFrame, attempts: pl.LazyFrame) -> pl.LazyFrame:
    pairs = usage.select("_uid", "session_id", "period_start").join(
        attempts.drop("request_ids"), on="session_id", how="inner"
    )
    in_window = pl.col("period_start").is_between(pl.col("started_at"), pl.col("ended_at"))
    shared = pl.len().over("_uid") > 1
    # Keep every candidate of an unshared session; narrow a shared one to its time window.
    return _count_per_uid(pairs.filter(~shared | in_window))


def _count_per_uid(pairs: pl.LazyFrame) -> pl.LazyFrame:
    return pairs.group_by("_uid").agg(
        _n=pl.len().cast(pl.Int64), **{k: pl.col(k).first() for k in ATTEMPT_KEYS}
    )


def _cause() -> pl.Expr:
    return (
        pl.when(pl.col("_n") == 1)
        .then(None)
        .when(pl.col("_n") > 1)
        .then(pl.format("ambiguous: matches {} attempts", "_n"))
        .when(pl.col("aggregated"))
        .then(pl.lit("aggregated report row (no request or session id to join)"))
        .when(pl.col("request_id").is_null() & pl.col("session_id").is_null())
        .then(pl.lit("no request or session id"))
        .otherwise(pl.lit("no run-log attempt names this request or session"))
    )
