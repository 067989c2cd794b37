"""Claude Code session logs: ``projects/<encoded-cwd>/<session>.jsonl`` (and subagent files).

Usage sits in ``message.usage`` (Anthropic convention: ``input_tokens`` excludes cache reads
and writes), or, for a subagent call logged in its parent, in an agent-progress line's
``data.message.message.usage``. ``usage.iterations`` items of type ``advisor_message`` are calls
to another model and become rows of their own. Lines are filtered as text before any JSON is
decoded, so the ~70% of lines without usage cost almost nothing.

One response is logged on several lines, and replayed in subagent files; ``dedupe`` (in
``claude_code_dedupe``) keeps one row per response with the rules ccusage 20.0.24 uses, so the
token totals agree with it (tests/fixtures/claude_edge/README.md lists those rules).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from ._base import Read, first_json_lines, issues_from, lineage, utc
from ._usage import ANTHROPIC_USAGE, anthropic_tokens
from .claude_code_dedupe import dedupe

NAME = "claude-code"

_INT = pl.Int64
ITERATION = pl.Struct(
    {
        "type": pl.String,
        "model": pl.String,
        "input_tokens": _INT,
        "output_tokens": _INT,
        "cache_read_input_tokens": _INT,
        "cache_creation_input_tokens": _INT,
    }
)
USAGE = pl.Struct({**ANTHROPIC_USAGE.to_schema(), "iterations": pl.List(ITERATION)})
MESSAGE = pl.Struct({"id": pl.String, "model": pl.String, "usage": USAGE})
LINE = pl.Struct(
    {
        "timestamp": pl.String,
        "sessionId": pl.String,
        "requestId": pl.String,
        "isSidechain": pl.Boolean,
        "message": MESSAGE,
        "data": pl.Struct(
            {
                "message": pl.Struct(
                    {
                        "timestamp": pl.String,
                        "requestId": pl.String,
                        "isSidechain": pl.Boolean,
                        "message": MESSAGE,
                    }
                )
            }
        ),
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
        rec = _records(lines.filter(pl.col("_state") == "usage"))
        usage = rec.filter(pl.col("usage").is_not_null() & (pl.col("model") != SYNTHETIC))
        usage = pl.concat([usage, _advisors(usage)], how="diagonal_relaxed")
        issues = pl.concat(
            [
                issues_from(NAME, path, lines.filter(pl.col("_state") == "bad").lazy(),
                            "rejected", pl.lit("line is not valid JSON (truncated?)")),
                issues_from(NAME, path, rec.filter(pl.col("model") == SYNTHETIC).lazy(),
                            "skipped", pl.lit("synthetic message (no API call)")),
                _skipped_count(path, _skipped(lines) + rec["usage"].null_count()),
            ]
        )  # fmt: skip
        return Read(rows=usage.lazy().select(_usage_columns(path)), issues=issues)

    def dedupe(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """One row per response across all files (see ``claude_code_dedupe``)."""
        return dedupe(frame)


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


def _records(lines: pl.DataFrame) -> pl.DataFrame:
    """Flatten both line shapes: direct (``message.usage``) and agent progress (``data...``)."""
    rec = lines.select("ln", "rec").unnest("rec")
    inner = pl.col("data").struct.field("message")
    direct = pl.col("message").struct.field("usage").is_not_null()
    pick = lambda a, b: pl.when(direct).then(a).otherwise(b)  # noqa: E731
    message = pick(pl.col("message"), inner.struct.field("message"))
    return rec.select(
        "ln",
        "sessionId",
        _progress=~direct,
        timestamp=pick(pl.col("timestamp"), inner.struct.field("timestamp")),
        requestId=pick(pl.col("requestId"), inner.struct.field("requestId")),
        isSidechain=pick(pl.col("isSidechain"), inner.struct.field("isSidechain")),
        id=message.struct.field("id"),
        model=message.struct.field("model"),
        usage=message.struct.field("usage"),
    )


def _advisors(usage: pl.DataFrame) -> pl.DataFrame:
    """Advisor calls made inside a response: one row each, under the advisor's own model.

    Only direct lines whose every iteration states its token counts qualify; the n-th advisor
    item of a response gets the id ``<message.id>:advisor:<n>``.
    """
    items = pl.col("usage").struct.field("iterations")
    complete = items.list.eval(
        pl.element().struct.field("input_tokens").is_not_null()
        & pl.element().struct.field("output_tokens").is_not_null()
    ).list.all()
    its = (
        usage.filter(~pl.col("_progress") & items.list.len().gt(0).fill_null(False) & complete)
        .with_columns(
            _it=items.list.filter(
                (pl.element().struct.field("type") == "advisor_message")
                & pl.element().struct.field("model").is_not_null()
            )
        )
        .explode("_it")
        .filter(pl.col("_it").is_not_null())
    )
    n = pl.int_range(pl.len()).over("ln").cast(pl.String)
    it = pl.col("_it")
    return its.select(
        "ln", "sessionId", "_progress", "timestamp", "requestId", "isSidechain",
        id=pl.concat_str(pl.col("id"), pl.lit(":advisor:"), n),
        model=it.struct.field("model"),
        usage=pl.struct(
            [
                it.struct.field(f).alias(f) if f in ITERATION.to_schema()
                else pl.lit(None, t).alias(f)
                for f, t in ANTHROPIC_USAGE.to_schema().items()
            ]
        ).cast(USAGE),
    )  # fmt: skip


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
        pl.col("sessionId").fill_null(pl.lit(_path_session(path))).alias("session_id"),
        pl.col("isSidechain").fill_null(False).alias("sidechain"),
        (tokens["service_tier"] == "batch").fill_null(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        *tokens.values(),
    ]


def _path_session(path: Path) -> str:
    """The session a file belongs to: ``<s>.jsonl``, or ``<s>/subagents/<agent>.jsonl``."""
    if path.parent.name == "subagents":
        return path.parent.parent.name
    return path.stem


def _skipped(lines: pl.DataFrame) -> int:
    return int(lines["_skipped"][0]) if lines.height else 0


def _skipped_count(path: Path, count: int) -> pl.LazyFrame:
    return pl.LazyFrame({"n": [count]}).select(
        *lineage(NAME, path, pl.lit(None)),
        kind=pl.lit("skipped"),
        reason=pl.lit("line carries no usage"),
        count=pl.col("n").cast(pl.Int64),
    )
