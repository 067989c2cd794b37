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

Written against Narwhals: the usage side runs on either engine (``frames``); the run-log
attempts are a small polars table put beside it (Spark broadcasts it).
"""

from __future__ import annotations

from collections.abc import Callable

import narwhals as nw
import polars as pl

from . import frames, schema
from .frames import Frame
from .schema import ATTRIBUTED, TOKEN_BUCKETS
from .sharing import split

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
    rows = frames.lazy(priced)
    if frames.ROW not in rows.collect_schema().names():  # rows enter here: number them
        rows = frames.row_index(rows)
    out = attribute_rows(rows, runs, resolve)
    return frames.to_schema(frames.to_lazy_polars(out), ATTRIBUTED, "attribution output")


def attribute_rows(
    priced: Frame,
    runs: pl.LazyFrame,
    resolve: Callable[[str], str | None] = lambda _: None,
) -> Frame:
    """``attribute`` on either engine: priced rows with their input row id ``frames.ROW``
    (``pricing.price_rows``; polars: in id order) in, attributed rows (labels as text) out;
    the id is each row's ``usage_row``."""
    schema.check(runs, schema.RUNS, "attribution input (runs)")
    rows = frames.conform(priced, {frames.ROW: pl.Int64(), **schema.PRICED}, "attribution")
    # Five branches below read the usage: materialise it once so pricing runs once, not five times.
    usage = frames.persist(rows.rename({frames.ROW: "_uid"}))
    # Matching works on a narrow frame of keys; the wide rows are joined back once at the end.
    keys = usage.select(_KEY_COLUMNS)
    table = _attempts(runs, resolve)
    attempts = frames.beside(usage, table)
    # An attempt's ids may be provider request ids, response ids (an Inspect log records the
    # raw response's id) or batch custom_ids: a usage row matches on any of its three.
    ids = nw.concat(
        [keys.select("_uid", nw.col(c).alias("request_id")) for c in _ID_COLUMNS]
    ).filter(~nw.col("request_id").is_null())
    exploded = table.explode("request_ids").rename({"request_ids": "request_id"})
    by_request = _unique_match(ids, frames.beside(usage, exploded), "request_id")
    # A batch request's custom_id may be the task id itself: joined only when it names exactly
    # one attempt (several attempts, models or runs of that task stay unattributed, ambiguous).
    by_custom = _unique_match(
        keys.join(by_request.select("_uid"), on="_uid", how="anti")
        .select("_uid", _task=nw.col("custom_id"))
        .filter(~nw.col("_task").is_null()),
        frames.beside(usage, table.with_columns(_task=pl.col("task_id"))),
        "_task",
    )
    matched = nw.concat([by_request.select("_uid"), by_custom.select("_uid")])
    by_session = _session_match(keys.join(matched, on="_uid", how="anti"), attempts)
    direct = nw.concat(
        [
            by_request.with_columns(_m=nw.lit("request_id")),
            by_custom.with_columns(_m=nw.lit("custom_id")),
            by_session.with_columns(_m=nw.lit("session_id")),
        ]
    )
    one = nw.col("_n") == 1
    whole = keys.join(direct, on="_uid", how="left").with_columns(
        attribution_method=nw.when(one).then(nw.col("_m")),
        _cause=_cause(),
    )
    whole = frames.persist(
        whole.with_columns([nw.when(one).then(nw.col(k)).alias(k) for k in ATTEMPT_KEYS])
    )
    left = whole.filter(nw.col("aggregated") & nw.col("_n").is_null())
    shared, window_cause = _window_shares(left, attempts, _own_tokens(whole))
    shared = frames.persist(shared)
    # Every row's assignment (a shared row's is replaced by its parts below), attached to the
    # wide rows once.
    rest = whole.join(window_cause, on="_uid", how="left").with_columns(
        unattributed_cause=nw.coalesce("_wcause", "_cause"),
        _part=nw.lit(1, nw.Int64),
        _parts=nw.lit(1, nw.Int64),
        _w=nw.lit(1, nw.Int64),
        _wt=nw.lit(1, nw.Int64),
    )
    rest = frames.attach(usage, rest.select("_uid", *_ASSIGNMENT), "_uid")
    columns = {"_uid": pl.Int64(), **schema.PRICED, **_ASSIGNED}
    rest, parts = (
        frames.conform(p, columns, "attribution parts") for p in (rest, _split(usage, shared))
    )
    return _finish(frames.splice(rest, parts, "_uid", "_part"))


_ASSIGNED: dict[str, pl.DataType] = {
    "task_id": pl.String(),
    "run_model": pl.String(),
    "run_id": pl.String(),
    "attempt": pl.Int64(),
    "attribution_method": pl.String(),
    "unattributed_cause": pl.String(),
    "_part": pl.Int64(),
    "_parts": pl.Int64(),
    "_w": pl.Int64(),
    "_wt": pl.Int64(),
}


def _attempts(runs: pl.LazyFrame, resolve: Callable[[str], str | None]) -> pl.DataFrame:
    # Resolve each distinct run-log model name once, not once per attempt. A harness log that
    # names no model (a SWE-agent 0.x trajectory outside its experiment folder) has none to
    # resolve: its usage stays unpriced ("no model name"), attributed to its task all the same.
    names = runs.select(pl.col("model").unique()).collect()["model"].drop_nulls().to_list()
    keys = pl.LazyFrame(
        {"model": names, "_run_model_key": [resolve(m) or m for m in names]},
        schema={"model": pl.String, "_run_model_key": pl.String},
    )
    out = runs.join(keys, on="model", how="left", maintain_order="left").select(
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
    return out.collect()


def _unique_match(left: Frame, attempts: Frame, key: str) -> Frame:
    """Per usage row: the number of attempts it matched (``_n``) and the attempt when unique."""
    pairs = left.join(attempts.select(key, *ATTEMPT_KEYS), on=key, how="inner")
    return _count_per_uid(pairs.unique(["_uid", *ATTEMPT_KEYS]))


def _session_match(usage: Frame, attempts: Frame) -> Frame:
    pairs = usage.select("_uid", "session_id", "period_start").join(
        attempts.drop("request_ids"), on="session_id", how="inner"
    )
    in_window = nw.col("period_start").is_between(nw.col("started_at"), nw.col("ended_at"))
    # Keep every candidate of an unshared session; narrow a shared one to its time window.
    pairs = pairs.with_columns(_shared=nw.len().over("_uid") > 1)
    return _count_per_uid(pairs.filter(~nw.col("_shared") | in_window))


def _count_per_uid(pairs: Frame) -> Frame:
    # ``min``: the attempt is only read where it is the one match (``_n == 1``).
    return pairs.group_by("_uid").agg(
        nw.len().cast(nw.Int64).alias("_n"), *[nw.col(k).min() for k in ATTEMPT_KEYS]
    )


def _own_tokens(whole: Frame) -> Frame:
    """Tokens each attempt logged itself (joined by id), per model: the sharing weights."""
    return (
        whole.filter(nw.col("_n") == 1)
        .with_columns(_key=nw.coalesce("model_id", "model"), _tok=nw.sum_horizontal(*TOKEN_BUCKETS))
        .group_by(*ATTEMPT_KEYS, "_key")
        .agg(nw.col("_tok").sum().cast(nw.Int64).alias("_own"))
    )


def _window_shares(left: Frame, attempts: Frame, own: Frame) -> tuple[Frame, Frame]:
    """(uid, attempt, weight) for aggregated rows with candidates; the cause for the others."""
    rows = left.select(
        "_uid",
        "period_start",
        "period_end",
        "api_key",
        _key=nw.coalesce("model_id", "model"),
        _project=nw.coalesce("project", "workspace"),
    )
    cands = rows.join(
        attempts.drop("request_ids", "session_id"),
        left_on="_key",
        right_on="_run_model_key",
        how="inner",
    ).filter(_overlaps())
    run_key, run_project = nw.col("_run_key"), nw.col("_run_project")
    named = (~run_key.is_null() | ~run_project.is_null()) & (
        (run_key.is_null() | (run_key == nw.col("api_key")))
        & (run_project.is_null() | (run_project == nw.col("_project")))
    ).fill_null(False)
    matched = cands.filter(named).join(own, on=[*ATTEMPT_KEYS, "_key"], how="left")
    shares = _weights(matched)
    seen = cands.select("_uid").unique().with_columns(_seen=nw.lit(True))
    cause = rows.join(seen, on="_uid", how="left").select(
        "_uid",
        _wcause=nw.when(nw.col("_seen").fill_null(False))
        .then(nw.lit("aggregated report row: no attempt in its time window names its key/project"))
        .otherwise(nw.lit("aggregated report row: no attempt of this model in its time window")),
    )
    return shares, cause


def _overlaps() -> nw.Expr:
    end = nw.max_horizontal("period_end", "period_start")
    return (nw.col("started_at") <= end) & (nw.col("ended_at") >= nw.col("period_start"))


def _weights(matched: Frame) -> Frame:
    """Tokens when any candidate logged some, else microseconds inside the window, else 1."""
    bounds = matched.with_columns(
        _s=nw.max_horizontal("started_at", "period_start"),
        _e=nw.min_horizontal("ended_at", nw.max_horizontal("period_end", "period_start")),
    ).with_columns(
        _dur=(frames.epoch_micros("_e") - frames.epoch_micros("_s")).clip(lower_bound=0),
        _o=nw.col("_own").fill_null(0),
    )
    by_tokens = nw.col("_o").sum().over("_uid") > 0
    by_time = nw.col("_dur").sum().over("_uid") > 0
    flagged = bounds.with_columns(_bt=by_tokens, _bd=by_time)
    tokens, time = nw.col("_bt"), nw.col("_bd")
    return flagged.select(
        "_uid",
        *ATTEMPT_KEYS,
        _w=nw.when(tokens)
        .then(nw.col("_o"))
        .when(time)
        .then(nw.col("_dur"))
        .otherwise(nw.lit(1))
        .cast(nw.Int64),
        attribution_method=nw.when(tokens)
        .then(nw.lit("window_tokens"))
        .when(time)
        .then(nw.lit("window_duration"))
        .otherwise(nw.lit("window_equal")),
    )


def _split(usage: Frame, shares: Frame) -> Frame:
    """One row per (aggregated row, attempt) with its exact share of tokens and money."""
    parts = shares.with_columns(
        _part=nw.col("_uid").cum_count().over("_uid", order_by=ATTEMPT_KEYS).cast(nw.Int64),
        _parts=nw.len().over("_uid").cast(nw.Int64),
        _wt=nw.col("_w").sum().over("_uid"),
    )
    joined = parts.join(usage, on="_uid", how="left")
    out = split(joined, _INTS, _MONEY, "_uid", "_w", "_wt", "_part")
    priced = nw.col("price_status") == "priced"
    cost = nw.sum_horizontal(*[f"cost_{b}" for b in TOKEN_BUCKETS])
    return out.with_columns(
        cost=nw.when(priced).then(cost), unattributed_cause=nw.lit(None, nw.String)
    )


def _finish(parts: Frame) -> Frame:
    out = parts.with_columns(
        usage_row=nw.col("_uid"),
        part=nw.col("_part"),
        parts=nw.col("_parts"),
        share=nw.col("_w") / nw.col("_wt"),
    )
    return frames.conform(out, ATTRIBUTED, "attribution")


def _cause() -> nw.Expr:
    n = nw.col("_n")
    return (
        nw.when(n == 1)
        .then(nw.lit(None, nw.String))
        .when(n > 1)
        .then(nw.format("ambiguous: matches {} attempts", n))
        .when(nw.col("aggregated"))
        .then(nw.lit("aggregated report row (no request or session id to join)"))
        .when(nw.col("request_id").is_null() & nw.col("session_id").is_null())
        .then(nw.lit("no request or session id"))
        .otherwise(nw.lit("no run-log attempt names this request or session"))
    )
