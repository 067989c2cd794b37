"""Long sessions: how much of a session's cost is context sent again, and what splitting it in two
would have saved. Estimates, per session, from request-level usage; see docs/metrics.md.

Per request (turn t of a session, in time order) with prompt P_t = input_uncached + cache_read +
cache writes, the context sent again is R_t = min(P_t, P_{t-1} + output_{t-1}) (R_1 = 0): what
the previous turn had already sent or received. Its cost is the cache-read cost of the turn plus,
for any re-sent tokens beyond the cache reads, the turn's average uncached / cache-write rate.

Split estimate (assumption: after a split at the middle turn m, the new session starts from the
first turn's prompt P_1 and grows as before, so every later turn sends P_m - P_1 fewer tokens,
which would have been cache reads; the new session pays the first turn's prompt cost once more).
"""

from __future__ import annotations

import polars as pl

from .schema import MONEY

_WRITES = ["input_uncached", "cache_write_5m", "cache_write_1h"]
MIN_TURNS = 4


def long_sessions(usage: pl.DataFrame, top: int | None = None) -> pl.DataFrame:
    """One row per session with at least ``MIN_TURNS`` priced requests, biggest saving first."""
    turns = _turns(usage)
    per = turns.group_by("session_id").agg(
        model=pl.col("model_key").first(),
        task_id=pl.col("task_id").drop_nulls().first(),
        turns=pl.len().cast(pl.Int64),
        first_prompt_tokens=pl.col("prompt").first(),
        last_prompt_tokens=pl.col("prompt").last(),
        cost=pl.col("cost").sum(),
        resent_tokens=pl.col("resent").sum(),
        resent_cost=pl.col("resent_cost").sum(),
        split_at_turn=(pl.len() // 2).cast(pl.Int64),
        split_saving=pl.col("saved").sum() - pl.col("restart").first(),
    )
    out = (
        per.filter(pl.col("turns") >= MIN_TURNS)
        .with_columns(
            resent_cost=pl.col("resent_cost").cast(MONEY),
            split_saving=pl.col("split_saving").clip(lower_bound=0).cast(MONEY),
            resent_share=pl.col("resent_cost") / pl.col("cost").cast(pl.Float64),
        )
        .sort("split_saving", "session_id", descending=[True, False])
    )
    return out.head(top) if top else out


def _turns(usage: pl.DataFrame) -> pl.DataFrame:
    rows = usage.filter(
        pl.col("session_id").is_not_null()
        & ~pl.col("aggregated")
        & (pl.col("price_status") == "priced")
    ).sort("session_id", "period_start", "source_file", "source_line")
    f = {c: pl.col(c).cast(pl.Float64) for c in ["cost", "cost_cache_read"]}
    write_tokens = pl.sum_horizontal(*_WRITES)
    write_cost = pl.sum_horizontal(*[pl.col(f"cost_{b}").cast(pl.Float64) for b in _WRITES])
    prompt = pl.sum_horizontal(*_WRITES, "cache_read")
    rows = rows.with_columns(
        model_key=pl.coalesce("model_id", "model"),
        prompt=prompt,
        t=pl.int_range(1, pl.len() + 1).over("session_id"),
        n=pl.len().over("session_id"),
        read_rate=pl.when(pl.col("cache_read") > 0).then(
            f["cost_cache_read"] / pl.col("cache_read")
        ),
        write_rate=pl.when(write_tokens > 0).then(write_cost / write_tokens).otherwise(0.0),
    )
    prev = (pl.col("prompt") + pl.col("output")).shift(1).over("session_id").fill_null(0)
    resent = pl.min_horizontal("prompt", prev)
    beyond = (resent - pl.col("cache_read")).clip(lower_bound=0)
    m = pl.col("n") // 2
    carried = (pl.col("prompt").filter(pl.col("t") == m).first() - pl.col("prompt").first()).over(
        "session_id"
    )
    saved_tokens = pl.min_horizontal(carried.clip(lower_bound=0), pl.col("cache_read"))
    return rows.with_columns(
        resent=resent,
        resent_cost=f["cost_cache_read"] + beyond * pl.col("write_rate"),
        saved=pl.when(pl.col("t") > m).then(saved_tokens * pl.col("read_rate")).otherwise(0.0),
        restart=(f["cost"] - pl.col("cost_output").cast(pl.Float64)).first().over("session_id"),
    )


ASSUMPTION = (
    "re-sent context: each turn re-sends min(prompt, previous prompt + previous output) tokens; "
    "split saving: split at the middle turn, the new session starting from the first turn's "
    "prompt, so later turns read that much less from cache; the new session pays the first "
    "turn's prompt once more. Estimates, from request-level usage only."
)


def by_task(long: pl.DataFrame) -> pl.DataFrame:
    """The long sessions (``long_sessions``) summed per (task, model): how much of a task's
    session cost was context sent again, and what splitting its long sessions would save."""
    if not long.height:
        return pl.DataFrame(schema={"task_id": pl.String, "model": pl.String, "sessions": pl.Int64})
    return (
        long.filter(pl.col("task_id").is_not_null())
        .group_by("task_id", "model")
        .agg(
            sessions=pl.len().cast(pl.Int64),
            turns=pl.col("turns").sum(),
            cost=pl.col("cost").sum().cast(MONEY),
            resent_tokens=pl.col("resent_tokens").sum(),
            resent_cost=pl.col("resent_cost").sum().cast(MONEY),
            split_saving=pl.col("split_saving").sum().cast(MONEY),
        )
        .with_columns(
            resent_share=pl.col("resent_cost").cast(pl.Float64) / pl.col("cost").cast(pl.Float64)
        )
        .sort("split_saving", "task_id", descending=[True, False])
    )
