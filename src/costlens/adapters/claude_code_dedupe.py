"""One row per Claude Code response, across lines, files and sessions.

Claude Code logs a response on several lines as it streams, and replays parent messages into
subagent (sidechain) files. The rules follow ccusage 20.0.24's ``daily`` loader, established by
experiment (tests/fixtures/claude_edge/README.md, rules 8 and 9), so that token totals agree:

1. Same record: same ``message.id`` and ``requestId`` (in any file); without a ``requestId``,
   same ``message.id``, session and timestamp. A row without ``message.id`` is never merged.
2. A sidechain row also merges into a row of the same ``message.id`` and session (a replay of the
   parent's message under a new request id).
3. The kept row: a main-chain row over a sidechain one, then the most tokens in all (the final
   streaming line), then the most output, then one that states ``speed``, then the first read.
"""

from __future__ import annotations

import polars as pl

from ..schema import TOKEN_BUCKETS
from .kit import duplicates

REASON = "same response logged again (kept the final, main-chain line)"


def dedupe(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split ``frame`` (canonical usage, read order) into kept rows and duplicate issues."""
    ranked = frame.with_row_index("_seq").with_columns(_order=_preference())
    k1 = _first_key()
    step1 = ranked.with_columns(
        _drop=pl.col("response_id").is_not_null()
        & (pl.col("_order").rank("ordinal").over("response_id", k1) > 1)
    )
    kept = step1.filter(~pl.col("_drop"))
    group = ["response_id", "session_id"]
    has_main = (~pl.col("sidechain")).any().over(group)
    best_side = pl.col("_order").rank("ordinal").over(group) == 1
    replay = pl.col("response_id").is_not_null() & pl.col("sidechain") & (has_main | ~best_side)
    kept = kept.with_columns(_drop=replay.fill_null(False))
    dropped = pl.concat([step1.filter(pl.col("_drop")), kept.filter(pl.col("_drop"))])
    return kept.filter(~pl.col("_drop")).drop("_seq", "_order", "_drop"), duplicates(
        dropped, REASON
    )


def _first_key() -> pl.Expr:
    """Request id when there is one, else session + timestamp (ms)."""
    when = pl.col("period_start").dt.epoch("ms").cast(pl.String)
    return (
        pl.when(pl.col("request_id").is_not_null())
        .then(pl.concat_str(pl.lit("r:"), pl.col("request_id")))
        .otherwise(pl.concat_str(pl.lit("s:"), pl.col("session_id"), pl.lit("@"), when))
        .alias("_k1")
    )


def _preference() -> pl.Expr:
    """Each row's place in one order of the whole frame (smaller first): main chain, most
    tokens, most output, speed stated, first read. An integer, so the ranks within groups are
    integer ranks (ranking a struct of the five keys per group cost ~2x more)."""
    total = pl.sum_horizontal(*TOKEN_BUCKETS)
    keys = [
        pl.col("sidechain").fill_null(False),
        total.neg(),
        pl.col("output").neg(),
        pl.col("speed").is_null(),
        pl.col("_seq"),
    ]
    return pl.int_range(pl.len(), dtype=pl.UInt32).sort_by(keys).arg_sort()
