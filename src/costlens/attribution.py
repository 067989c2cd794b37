"""Stage 4: join priced usage to run-log attempts.

Order: request id first (the most specific key), then session id, then, for aggregated report
rows only, time window + model + api key / project. A session id shared by several attempts is
narrowed by each attempt's time window. An aggregated row (say one day of one key's traffic) is
shared out across every attempt that ran inside its window on the same model and key / project,
in proportion to the tokens those attempts logged themselves, else to their time in the window.
Whatever joins nothing, or more than one attempt by id, stays unattributed with its cause: it is
reported, never dropped or guessed.

Row accounting: the output has one row per *part*. A row attributed whole, or not at all, is one
part (``part = parts = 1``); a shared row becomes ``parts`` rows with the same ``usage_row``,
whose token counts and costs are split by largest remainder (``sharing``) and add up exactly to
the source row. Count source rows with ``part == 1``.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from . import schema
from .schema import ATTRIBUTED, TOKEN_BUCKETS
from .sharing import split_int, split_money

ATTEMPT_KEYS = ["task_id", "run_model", "run_id", "attempt"]

_INTS = ["requests", *TOKEN_BUCKETS, "reasoning", "web_search"]
_ID_COLUMNS = ["request_id", "response_id", "custom_id"]
_KEY_COLUMNS = [
    "_uid", "request_id", "response_id", "custom_id", "session_id", "period_start", "period_end",
    "aggregated", "model_id", "model", "project", "workspace", "api_key", *TOKEN_BUCKETS,
]  # fmt: skip
_ASSIGNMENT = [
    *ATTEMPT_KEYS, "attribution_method", "unattributed_cause", "_part", "_parts", "_w", "_wt",
]  # fmt: skip
_MONEY = ["billed_cost", *[f"cost_{b}" for b in TOKEN_BUCKETS]]


def attribute(
    priced: pl.LazyFrame,
    runs: pl.LazyFrame,
    resolve: Callable[[str], str | None] = lambda _: None,
) -> pl.LazyFrame:
    """Add the attempt each usage row (or part of one) belongs to, or the cause it has none.

    Args:
        priced: priced usage (``PRICED``).
        runs: run-log attempts (``RUNS``).
        resolve: maps a run-log model name to a priced model id (``Book.resolve``), so that an
            aggregated row's model can be compared with the attempt's.
    """
    schema.check(priced, schema.PRICED, "attribution input (priced usage)")
    schema.check(runs, schema.RUNS, "attribution input (runs)")
    # Five branches below read the usage: materialise it once so pricing runs once, not five times.
    rows = priced.with_row_index("_uid").with_columns(pl.col("_uid").cast(pl.Int64)).collect()
    # Matching works on a narrow frame of keys; the wide rows are joined back once at the end.
    keys = rows.select(_KEY_COLUMNS).lazy()
    usage = rows.lazy()
    del rows
    attempts = _attempts(runs, resolve).collect().lazy()
    # An attempt's ids may be provider request ids, response ids (an Inspect log records the
    # raw response's id) or batch custom_ids: a usage row matches on any of its three.
    ids = pl.concat(
        [keys.select("_uid", pl.col(c).alias("request_id")) for c in _ID_COLUMNS]
    ).filter(pl.col("request_id").is_not_null())
    by_request = _unique_match(
        ids, attempts.explode("request_ids").rename({"request_ids": "request_id"}), "request_id"
    )
    # A batch request's custom_id may be the task id itself: joined only when it names exactly
    # one attempt (several attempts, models or runs of that task stay unattributed, ambiguous).
    by_custom = _unique_match(
        keys.join(by_request, on="_uid", how="anti")
        .select("_uid", _task=pl.col("custom_id"))
        .filter(pl.col("_task").is_not_null()),
        attempts.with_columns(_task=pl.col("task_id")),
        "_task",
    )
    matched = pl.concat([by_request.select("_uid"), by_custom.select("_uid")])
    by_session = _session_match(keys.join(matched, on="_uid", how="anti"), attempts)
    direct = pl.concat(
        [
            by_request.with_columns(_m=pl.lit("request_id")),
            by_custom.with_columns(_m=pl.lit("custom_id")),
            by_session.with_columns(_m=pl.lit("session_id")),
        ]
    )
    whole = keys.join(direct, on="_uid", how="left").with_columns(
        attribution_method=pl.when(pl.col("_n") == 1).then(pl.col("_m")),
        _cause=_cause(),
    )
    whole = whole.with_columns(
        [pl.when(pl.col("_n") == 1).then(pl.col(k)).alias(k) for k in ATTEMPT_KEYS]
    )
    left = whole.filter(pl.col("aggregated") & pl.col("_n").is_null())
    shared, window_cause = _window_shares(left, attempts, _own_tokens(whole))
    rest = whole.join(shared.select("_uid").unique(), on="_uid", how="anti")
    rest = rest.join(window_cause, on="_uid", how="left").with_columns(
        unattributed_cause=pl.coalesce("_wcause", "_cause"),
        _part=pl.lit(1, pl.Int64),
        _parts=pl.lit(1, pl.Int64),
        _w=pl.lit(1, pl.Int64),
        _wt=pl.lit(1, pl.Int64),
    )
    assigned = rest.select("_uid", *_ASSIGNMENT)
    rest = usage.join(assigned, on="_uid", how="inner", maintain_order="left")
    parts = pl.concat([rest, _split(usage, shared)], how="diagonal_relaxed")
    return _finish(parts)


def _attempts(runs: pl.LazyFrame, resolve: Callable[[str], str | None]) -> pl.LazyFrame:
    # Resolve each distinct run-log model name once, not once per attempt. A harness log that
    # names no model (a SWE-agent 0.x trajectory outside its experiment folder) has none to
    # resolve: its usage stays unpriced ("no model name"), attributed to its task all the same.
    names = runs.select(pl.col("model").unique()).collect()["model"].drop_nulls().to_list()
    keys = pl.LazyFrame(
        {"model": names, "_run_model_key": [resolve(m) or m for m in names]},
        schema={"model": pl.String, "_run_model_key": pl.String},
    )
    return runs.join(keys, on="model", how="left", maintain_order="left").select(
        "task_id",
        pl.col("model").alias("run_model"),
        "_run_model_key",
        "run_id",
        "attempt",
        "session_id",
        "request_ids",
        "started_at",
        "ended_at",
        pl.col("api_key").alias("_run_key"),
        pl.col("project").alias("_run_project"),
    )


def _unique_match(left: pl.LazyFrame, attempts: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """Per usage row: the number of attempts it matched (``_n``) and the attempt when unique."""
    pairs = left.join(attempts.select(key, *ATTEMPT_KEYS), on=key, how="inner")
    return _count_per_uid(pairs.unique(["_uid", *ATTEMPT_KEYS]))


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


def _own_tokens(whole: pl.LazyFrame) -> pl.LazyFrame:
    """Tokens each attempt logged itself (joined by id), per model: the sharing weights."""
    return (
        whole.filter(pl.col("_n") == 1)
        .group_by(*ATTEMPT_KEYS, _key=pl.coalesce("model_id", "model"))
        .agg(_own=pl.sum_horizontal(*TOKEN_BUCKETS).sum().cast(pl.Int64))
    )


def _window_shares(
    left: pl.LazyFrame, attempts: pl.LazyFrame, own: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(uid, attempt, weight) for aggregated rows with candidates; the cause for the others."""
    rows = left.select(
        "_uid",
        "period_start",
        "period_end",
        "api_key",
        _key=pl.coalesce("model_id", "model"),
        _project=pl.coalesce("project", "workspace"),
    )
    cands = rows.join(
        attempts.drop("request_ids", "session_id"),
        left_on="_key",
        right_on="_run_model_key",
        how="inner",
    ).filter(_overlaps())
    named = (pl.col("_run_key").is_not_null() | pl.col("_run_project").is_not_null()) & (
        (pl.col("_run_key").is_null() | (pl.col("_run_key") == pl.col("api_key")))
        & (pl.col("_run_project").is_null() | (pl.col("_run_project") == pl.col("_project")))
    ).fill_null(False)
    matched = cands.filter(named).join(own, on=[*ATTEMPT_KEYS, "_key"], how="left")
    shares = _weights(matched)
    seen = cands.select("_uid").unique().with_columns(_seen=pl.lit(True))
    cause = rows.join(seen, on="_uid", how="left").select(
        "_uid",
        _wcause=pl.when(pl.col("_seen"))
        .then(pl.lit("aggregated report row: no attempt in its time window names its key/project"))
        .otherwise(pl.lit("aggregated report row: no attempt of this model in its time window")),
    )
    return shares, cause


def _overlaps() -> pl.Expr:
    end = pl.max_horizontal("period_end", "period_start")
    return (pl.col("started_at") <= end) & (pl.col("ended_at") >= pl.col("period_start"))


def _weights(matched: pl.LazyFrame) -> pl.LazyFrame:
    """Tokens when any candidate logged some, else microseconds inside the window, else 1."""
    start = pl.max_horizontal("started_at", "period_start")
    end = pl.min_horizontal("ended_at", pl.max_horizontal("period_end", "period_start"))
    dur = (end - start).dt.total_microseconds().clip(lower_bound=0)
    own = pl.col("_own").fill_null(0)
    by_tokens = own.sum().over("_uid") > 0
    by_time = dur.sum().over("_uid") > 0
    return matched.select(
        "_uid",
        *ATTEMPT_KEYS,
        _w=pl.when(by_tokens).then(own).when(by_time).then(dur).otherwise(1).cast(pl.Int64),
        attribution_method=pl.when(by_tokens)
        .then(pl.lit("window_tokens"))
        .when(by_time)
        .then(pl.lit("window_duration"))
        .otherwise(pl.lit("window_equal")),
    )


def _split(usage: pl.LazyFrame, shares: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (aggregated row, attempt) with its exact share of tokens and money."""
    parts = shares.sort("_uid", *ATTEMPT_KEYS).with_columns(
        _part=(pl.int_range(pl.len()).over("_uid") + 1).cast(pl.Int64),
        _parts=pl.len().over("_uid").cast(pl.Int64),
        _wt=pl.col("_w").sum().over("_uid"),
    )
    joined = parts.join(usage, on="_uid", how="left")
    args = ("_uid", "_w", "_wt", "_part")
    split = joined.with_columns(
        *[split_int(c, *args).alias(c) for c in _INTS],
        *[split_money(c, *args).alias(c) for c in _MONEY],
    )
    priced = pl.col("price_status") == "priced"
    cost = pl.sum_horizontal(*[f"cost_{b}" for b in TOKEN_BUCKETS])
    return split.with_columns(cost=pl.when(priced).then(cost), unattributed_cause=pl.lit(None))


def _finish(parts: pl.LazyFrame) -> pl.LazyFrame:
    return (
        parts.with_columns(
            usage_row=pl.col("_uid"),
            part=pl.col("_part"),
            parts=pl.col("_parts"),
            share=pl.col("_w") / pl.col("_wt"),
        )
        .sort("_uid", "_part")
        .pipe(schema.conform, ATTRIBUTED, "attribution output")
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
