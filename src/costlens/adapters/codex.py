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
from ._packs import locate, sources
from .kit import Read, utc

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
        return self.read_many([path])

    def read_many(self, paths: list[Path]) -> Read:
        """Every file in one query per pack of files (``_packs``); each line's JSON checked
        once, and only the lines naming a session, a turn context or a token count decoded."""
        lines = pl.concat([_pack(*pack) for pack in sources(paths)])
        rows = _decoded(lines.filter(pl.col("_state") == _MARKED))
        p, total = pl.col("payload"), _total()
        is_count = (pl.col("type") == "event_msg") & (p.struct.field("type") == "token_count")
        rows = rows.with_columns(_count=is_count.fill_null(False))
        counts = rows.filter(pl.col("_count") & total.is_not_null()).with_columns(
            **{k: total.struct.field(v).fill_null(0) for k, v in TOTALS.items()}
        )
        deltas = counts.with_columns(
            **{f"d_{k}": pl.col(k) - pl.col(k).shift(1).over("_path").fill_null(0) for k in TOTALS}
        )
        d = [pl.col(f"d_{k}") for k in TOTALS]
        down = pl.any_horizontal([c < 0 for c in d])
        same = pl.all_horizontal([c == 0 for c in d])
        other = pl.concat(
            [lines.filter(pl.col("_state") == _OTHER).select("_path"),
             rows.filter(~pl.col("_count")).select("_path")]
        )  # fmt: skip
        parts = [
            _lines_of(lines.filter(pl.col("_state") == _BAD), "rejected", _NOT_JSON),
            _counted(lines.filter(pl.col("_state") == _BLANK), "blank line"),
            _lines_of(deltas.filter(down), "rejected", "cumulative total_token_usage went down"),
            _counted(deltas.filter(same & ~down), "token_count repeats the previous totals"),
            _counted(rows.filter(pl.col("_count") & total.is_null()), _NO_INFO),
            _counted(other, "line carries no usage"),
        ]
        return Read(
            rows=deltas.filter(~down & ~same).select(_columns()).lazy(),
            issues=_in_file_order(parts, paths).lazy(),
        )


_BLANK, _BAD, _MARKED, _OTHER = 0, 1, 2, 3
MARKS = ('"session_meta"', '"turn_context"', '"token_count"')
"""Text every line that matters carries; other lines are checked as JSON but not decoded."""
_NOT_JSON = "line is not valid JSON (truncated?)"
_NO_INFO = "token_count without usage (info: null)"


def _pack(text_of: str | bytes, names: list[str], starts: list[int]) -> pl.DataFrame:
    """Per line of a pack (``_packs.sources``): its file, line number, state, and its text
    when it is decoded."""
    line = pl.col("line")
    marked = pl.any_horizontal([line.str.contains(m, literal=True) for m in MARKS])
    state = (
        pl.when(line.str.strip_chars() == "").then(_BLANK)
        .when(line.str.json_path_match("$").is_null()).then(_BAD)
        .when(marked).then(_MARKED)
        .otherwise(_OTHER)
    )  # fmt: skip
    lf = pl.scan_lines(text_of).with_row_index("_i").with_columns(_state=state.cast(pl.UInt8))
    lf = lf.with_columns(line=pl.when(pl.col("_state") == _MARKED).then(line))
    lines = locate(lf, names, starts).select("_path", "ln", "_state", "line").collect()
    return lines.rechunk()  # one chunk, not one per streaming morsel


def _decoded(lines: pl.DataFrame) -> pl.DataFrame:
    """The decoded lines with each file's session id and the model in force at each line."""
    p = pl.col("payload")
    rows = lines.with_columns(_rec=pl.col("line").str.json_decode(LINE)).unnest("_rec")
    meta = p.struct.field("id").filter(pl.col("type") == "session_meta")
    model = pl.when(pl.col("type") == "turn_context").then(p.struct.field("model"))
    return rows.with_columns(
        _session=meta.first().over("_path"), _model=model.forward_fill().over("_path")
    )


def _total() -> pl.Expr:
    return pl.col("payload").struct.field("info").struct.field("total_token_usage")


def _lines_of(frame: pl.DataFrame, kind: str, reason: str) -> pl.DataFrame:
    """One ISSUES row per line of ``frame``."""
    return frame.select(
        pl.lit(NAME).alias("source_format"),
        pl.col("_path").alias("source_file"),
        pl.col("ln").cast(pl.Int64).alias("source_line"),
        kind=pl.lit(kind),
        reason=pl.lit(reason),
        count=pl.lit(1, pl.Int64),
    )


def _counted(frame: pl.DataFrame, reason: str) -> pl.DataFrame:
    """One ``skipped`` ISSUES row per file with lines in ``frame``: their count."""
    return (
        frame.group_by("_path", maintain_order=True)
        .agg(count=pl.len().cast(pl.Int64))
        .select(
            pl.lit(NAME).alias("source_format"),
            pl.col("_path").alias("source_file"),
            pl.lit(None, pl.Int64).alias("source_line"),
            kind=pl.lit("skipped"),
            reason=pl.lit(reason),
            count="count",
        )
    )


def _in_file_order(parts: list[pl.DataFrame], paths: list[Path]) -> pl.DataFrame:
    """Issues per file in file order, then in the order of ``parts``, as one file's read
    lists them."""
    order = pl.DataFrame({"source_file": [str(p) for p in paths]}).with_row_index("_f")
    return (
        pl.concat([f.with_columns(_g=pl.lit(g)) for g, f in enumerate(parts)])
        .join(order, on="source_file", how="left", maintain_order="left")
        .sort("_f", "_g", maintain_order=True)
        .drop("_f", "_g")
    )


def _columns() -> list[pl.Expr]:
    ts = utc(pl.col("timestamp"))
    info_model = pl.col("payload").struct.field("info").struct.field("model")
    return [
        pl.lit(NAME).alias("source_format"),
        pl.col("_path").alias("source_file"),
        pl.col("ln").cast(pl.Int64).alias("source_line"),
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
