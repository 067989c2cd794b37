"""OpenAI Codex CLI rollout files: ``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``.

Every line is ``{timestamp, type, payload}``. Usage comes from ``event_msg`` lines whose payload
is a ``token_count``: ``info.total_token_usage`` is the session's **cumulative** total, so each
event's usage is the difference from the previous event's total (in file order). Codex re-emits
a ``token_count`` with unchanged totals (and many with ``info: null``, rate-limit updates only):
those are skipped, never counted twice. A total that goes down is rejected (a damaged or spliced
file). The model is the latest ``turn_context.model`` before the event (``info.model``, when a
build writes it, wins); the session id is ``session_meta.id``. OpenAI convention:
``input_tokens`` includes ``cached_input_tokens`` (and ``cache_write_input_tokens`` in newer
builds); ``reasoning_output_tokens`` is inside ``output_tokens``.

Not handled: a forked session that replays its parent's history counts that history again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import first_json_lines
from ._lines import decode
from .kit import Read, lineage, utc

NAME = "codex-rollout"
_INT = pl.Int64
TOTALS = {
    "input": "input_tokens",
    "cached": "cached_input_tokens",
    "write": "cache_write_input_tokens",
    "output": "output_tokens",
    "reasoning": "reasoning_output_tokens",
}
LINE = pl.Struct(
    {
        "timestamp": pl.String,
        "type": pl.String,
        "payload": pl.Struct(
            {
                "type": pl.String,
                "id": pl.String,
                "model": pl.String,
                "info": pl.Struct(
                    {
                        "model": pl.String,
                        "total_token_usage": pl.Struct({v: _INT for v in TOTALS.values()}),
                    }
                ),
            }
        ),
    }
)
"""Usage and context fields only: prompts, messages and tool output are never decoded."""


class CodexRollout(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("session_id", "period_start")
    """The same rollout copied twice (``sessions/`` and ``archived_sessions/``) counts once."""
    layout: ClassVar[re.Pattern[str] | None] = re.compile(r"(^|/)rollout-[^/]*\.jsonl$")
    """``sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl``, as Codex CLI names its rollouts."""

    def identify(self, path: Path) -> bool:
        return path.suffix == ".jsonl" and any(
            d.get("type") in ("session_meta", "turn_context", "event_msg", "response_item")
            and isinstance(d.get("payload"), dict)
            for d in first_json_lines(path, keys=("payload",))
        )

    def read(self, path: Path) -> Read:
        rows, issues = decode(NAME, path, LINE)
        p = pl.col("payload")
        rows = rows.sort("ln").with_columns(
            _session=p.struct.field("id").filter(pl.col("type") == "session_meta").first(),
            _model=pl.when(pl.col("type") == "turn_context")
            .then(p.struct.field("model"))
            .forward_fill(),
        )
        is_count = (pl.col("type") == "event_msg") & (p.struct.field("type") == "token_count")
        total = p.struct.field("info").struct.field("total_token_usage")
        counts = rows.filter(is_count & total.is_not_null()).with_columns(
            **{k: total.struct.field(v).fill_null(0) for k, v in TOTALS.items()}
        )
        deltas = counts.with_columns(
            **{f"d_{k}": pl.col(k) - pl.col(k).shift(1).fill_null(0) for k in TOTALS}
        )
        d = [pl.col(f"d_{k}") for k in TOTALS]
        down = pl.any_horizontal([c < 0 for c in d])
        same = pl.all_horizontal([c == 0 for c in d])
        return Read(
            rows=deltas.filter(~down & ~same).select(_columns(path)),
            issues=pl.concat(
                [
                    issues,
                    kit.issues(
                        deltas.filter(down),
                        "rejected",
                        "cumulative total_token_usage went down",
                        NAME,
                        path,
                    ),
                    kit.skipped(
                        NAME,
                        path,
                        deltas.filter(same & ~down),
                        pl.lit("token_count repeats the previous totals"),
                    ),
                    kit.skipped(
                        NAME,
                        path,
                        rows.filter(is_count & total.is_null()),
                        pl.lit("token_count without usage (info: null)"),
                    ),
                    kit.skipped(
                        NAME, path, rows.filter(~is_count), pl.lit("line carries no usage")
                    ),
                ]
            ),
        )


def _columns(path: Path) -> list[pl.Expr]:
    ts = utc(pl.col("timestamp"))
    info_model = pl.col("payload").struct.field("info").struct.field("model")
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("openai").alias("provider"),
        pl.coalesce(info_model, pl.col("_model")).alias("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("_session").alias("session_id"),
        pl.lit(False).alias("batch"),
        pl.lit(1, _INT).alias("requests"),
        (pl.col("d_input") - pl.col("d_cached") - pl.col("d_write")).alias("input_uncached"),
        pl.col("d_cached").alias("cache_read"),
        pl.col("d_write").alias("cache_write_5m"),
        pl.lit(0, _INT).alias("cache_write_1h"),
        pl.col("d_output").alias("output"),
        pl.col("d_reasoning").alias("reasoning"),
        pl.lit(0, _INT).alias("web_search"),
        pl.lit(False).alias("ttl_assumed"),
    ]
