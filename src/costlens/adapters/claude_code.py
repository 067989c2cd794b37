"""Claude Code session logs: ``projects/<encoded-cwd>/<session>.jsonl`` (and subagent files).

Only assistant lines carry usage (Anthropic convention: ``input_tokens`` excludes cache reads and
writes). One API response is written as several lines sharing ``message.id`` and ``requestId``;
the pipeline keeps one per pair (``dedupe_on``), the one with the largest ``output_tokens``,
because early lines carry a streaming placeholder. Lines are filtered as text before any JSON is
decoded, so the ~70% of lines without usage cost almost nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from ._base import Read, first_json_lines, issues_from, lineage, utc
from ._usage import ANTHROPIC_USAGE, anthropic_tokens

NAME = "claude-code"

LINE = pl.Struct(
    {
        "type": pl.String,
        "timestamp": pl.String,
        "sessionId": pl.String,
        "requestId": pl.String,
        "message": pl.Struct({"id": pl.String, "model": pl.String, "usage": ANTHROPIC_USAGE}),
    }
)
"""Only the usage fields: message text is never decoded into costlens's data."""

SYNTHETIC = "<synthetic>"
"""Claude Code's model name for locally generated notices (rate limits, errors): no API call."""


class ClaudeCode:
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id", "request_id")

    def identify(self, path: Path) -> bool:
        if path.suffix != ".jsonl":
            return False
        return any(
            "sessionId" in d and ("message" in d or "type" in d) for d in first_json_lines(path)
        )

    def read(self, path: Path) -> Read:
        try:
            lines = _decode(path, careful=False).collect(engine="streaming")
        except pl.exceptions.ComputeError:
            # A line shaped like a whole object that still does not parse (rare corruption):
            # redo this file with a per-line validity check, which costs a second parse.
            lines = _decode(path, careful=True).collect(engine="streaming")
        rec = lines.filter(pl.col("_state") == "usage").unnest("rec").unnest("message")
        usage = rec.filter(pl.col("usage").is_not_null() & (pl.col("model") != SYNTHETIC))
        issues = pl.concat(
            [
                issues_from(
                    NAME,
                    path,
                    lines.filter(pl.col("_state") == "bad").lazy(),
                    "rejected",
                    pl.lit("line is not valid JSON (truncated?)"),
                ),
                issues_from(
                    NAME,
                    path,
                    rec.filter(pl.col("model") == SYNTHETIC).lazy(),
                    "skipped",
                    pl.lit("synthetic message (no API call)"),
                ),
                _skipped_count(
                    path, _skipped(lines) + rec.filter(pl.col("usage").is_null()).height
                ),
            ]
        )
        return Read(rows=usage.lazy().select(_usage_columns(path)), issues=issues)


def _decode(path: Path, careful: bool) -> pl.LazyFrame:
    """Lines that mention usage, decoded once, plus every line that looks cut off.

    Lines without ``"usage"`` are never decoded (the speed of this reader). A line is taken as
    whole when it is ``{...}``; in careful mode it must also parse, checked line by line.
    """
    text = pl.col("line").str.strip_chars()
    whole = text.str.starts_with("{") & text.str.ends_with("}")
    if careful:
        whole = whole & pl.col("line").str.json_path_match("$").is_not_null()
    has_usage = pl.col("line").str.contains('"usage"', literal=True)
    state = (
        pl.when(text == "").then(pl.lit("empty"))
        .when(~whole).then(pl.lit("bad"))
        .when(has_usage).then(pl.lit("usage"))
        .otherwise(pl.lit("skip"))
    )  # fmt: skip
    lines = pl.scan_lines(path).with_row_index("ln", offset=1).with_columns(_state=state)
    kept = lines.filter(pl.col("_state").is_in(["usage", "bad"]) | (pl.col("ln") == 1))
    source = pl.when(pl.col("_state") == "usage").then(pl.col("line")).otherwise(pl.lit("{}"))
    skipped = lines.filter(pl.col("_state") == "skip").select(pl.len().alias("_skipped"))
    return kept.select("ln", "_state", rec=source.str.json_decode(LINE)).join(skipped, how="cross")


def _usage_columns(path: Path) -> list[pl.Expr]:
    ts = utc(pl.col("timestamp"))
    tokens = {e.meta.output_name(): e for e in anthropic_tokens(pl.col("usage"))}
    # Claude Code sometimes omits a count on streaming placeholders: missing means none.
    for name in ("input_uncached", "output"):
        tokens[name] = tokens[name].fill_null(0)
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("anthropic").alias("provider"),
        pl.col("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.lit(False).alias("aggregated"),
        pl.col("requestId").alias("request_id"),
        pl.col("id").alias("response_id"),
        pl.col("sessionId").alias("session_id"),
        (tokens["service_tier"] == "batch").fill_null(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        *tokens.values(),
    ]


def _skipped(lines: pl.DataFrame) -> int:
    return int(lines["_skipped"][0]) if lines.height else 0


def _skipped_count(path: Path, count: int) -> pl.LazyFrame:
    return pl.LazyFrame({"n": [count]}).select(
        *lineage(NAME, path, pl.lit(None)),
        kind=pl.lit("skipped"),
        reason=pl.lit("line carries no usage"),
        count=pl.col("n").cast(pl.Int64),
    )
