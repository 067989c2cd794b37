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

from . import kit
from ._base import first_json_lines, head
from ._usage import ANTHROPIC_USAGE, anthropic_tokens
from .claude_code_dedupe import dedupe
from .kit import Read, lineage, utc

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

LINE_TYPES = {
    "user", "assistant", "system", "summary", "progress", "file-history-snapshot",
    "queue-operation",
}  # fmt: skip
"""Claude Code's line types; a session file may open with many ``summary`` lines."""

SYNTHETIC = "<synthetic>"
"""Claude Code's model name for locally generated notices (rate limits, errors): no API call."""


class ClaudeCode(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("response_id", "request_id")

    def identify(self, path: Path) -> bool:
        if path.suffix != ".jsonl":
            return False
        lines = first_json_lines(path)
        if lines:
            return any(_claude_line(d) for d in lines)
        # The first line alone can exceed the bytes identify reads (a pasted log in a user
        # turn): fall back to the markers every Claude Code line carries.
        text = head(path)
        return '"sessionId":"' in text and '"type":"' in text and '"uuid":"' in text

    def read(self, path: Path) -> Read:
        try:
            rows, bad, skipped = _scan(path, careful=False)
        except pl.exceptions.ComputeError:
            # A line shaped like a whole object that still does not parse (rare corruption):
            # redo this file with a per-line validity check, which costs a second parse.
            rows, bad, skipped = _scan(path, careful=True)
        kind = pl.col("_kind")
        usage = rows.filter(kind == "usage")
        if usage["_iters"].null_count() < usage.height:  # rare: skip the list work otherwise
            usage = pl.concat([usage, _advisors(usage)])
        usage = usage.drop("_kind", "_iters")
        issues = pl.concat(
            [
                kit.issues(bad.lazy(), "rejected", "line is not valid JSON (truncated?)",
                           NAME, path),
                kit.issues(rows.filter(kind == "synthetic").lazy(), "skipped",
                           "synthetic message (no API call)", NAME, path, line="source_line"),
                _skipped_count(path, skipped + rows.filter(kind == "none").height),
            ]
        )  # fmt: skip
        return Read(rows=usage.lazy(), issues=issues)

    def dedupe(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """One row per response across all files (see ``claude_code_dedupe``)."""
        return dedupe(frame)


def _claude_line(d: dict) -> bool:
    if "sessionId" in d and ("message" in d or "type" in d):
        return True
    return d.get("type") in LINE_TYPES and any(k in d for k in ("leafUuid", "uuid", "messageId"))


def _scan(path: Path, careful: bool) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """One pass over the file: canonical rows of the usage lines, cut-off lines, skip count.

    Lines without ``"usage"`` are never decoded (the speed of this reader), and decoded lines
    become narrow canonical rows inside the streaming query, so memory follows the number of
    usage records, not the size of the file. A line is taken as whole when it is ``{...}``; in
    careful mode it must also parse, checked line by line.
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
    decoded = lines.filter(pl.col("_state") == "usage").select(
        "ln",
        _adv=pl.col("line").str.contains('"advisor_message"', literal=True),
        rec=pl.col("line").str.json_decode(LINE),
    )
    rows = _records(decoded).select(*_usage_columns(path), _kind=_kind(), _iters=_iterations())
    bad = lines.filter(pl.col("_state") == "bad").select("ln")
    skipped = lines.filter(pl.col("_state") == "skip").select(pl.len())
    rows_df, bad_df, skipped_df = pl.collect_all([rows, bad, skipped], engine="streaming")
    return rows_df, bad_df, int(skipped_df.item())


def _kind() -> pl.Expr:
    return (
        pl.when(pl.col("usage").is_null())
        .then(pl.lit("none"))
        .when(pl.col("model") == SYNTHETIC)
        .then(pl.lit("synthetic"))
        .otherwise(pl.lit("usage"))
    )


def _iterations() -> pl.Expr:
    """Only direct lines naming an advisor keep their iterations (nearly always null)."""
    items = pl.col("usage").struct.field("iterations")
    return pl.when(pl.col("_adv") & ~pl.col("_progress")).then(items)


def _records(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Flatten both line shapes: direct (``message.usage``) and agent progress (``data...``)."""
    rec = lines.select("ln", "_adv", "rec").unnest("rec")
    inner = pl.col("data").struct.field("message")
    direct = pl.col("message").struct.field("usage").is_not_null()
    pick = lambda a, b: pl.when(direct).then(a).otherwise(b)  # noqa: E731
    message = pick(pl.col("message"), inner.struct.field("message"))
    return rec.select(
        "ln",
        "_adv",
        "sessionId",
        _progress=~direct,
        timestamp=pick(pl.col("timestamp"), inner.struct.field("timestamp")),
        requestId=pick(pl.col("requestId"), inner.struct.field("requestId")),
        isSidechain=pick(pl.col("isSidechain"), inner.struct.field("isSidechain")),
        id=message.struct.field("id"),
        model=message.struct.field("model"),
        usage=message.struct.field("usage"),
    )


_is_advisor = (pl.element().struct.field("type") == "advisor_message") & (
    pl.element().struct.field("model").is_not_null()
)


def _advisors(usage: pl.DataFrame) -> pl.DataFrame:
    """Advisor calls made inside a response: one row each, under the advisor's own model.

    Only direct lines whose every iteration states its token counts qualify; the n-th advisor
    item of a response gets the id ``<message.id>:advisor:<n>``.
    """
    items = pl.col("_iters")
    complete = items.list.eval(
        pl.element().struct.field("input_tokens").is_not_null()
        & pl.element().struct.field("output_tokens").is_not_null()
    ).list.all()
    its = (
        usage.filter(items.is_not_null() & complete)
        .with_columns(_it=items.list.filter(_is_advisor))
        .explode("_it")
        .filter(pl.col("_it").is_not_null())
    )
    it = pl.col("_it").struct
    write = it.field("cache_creation_input_tokens").fill_null(0)
    n = pl.int_range(pl.len()).over("source_file", "source_line").cast(pl.String)
    return its.with_columns(
        model=it.field("model"),
        response_id=pl.concat_str(pl.col("response_id"), pl.lit(":advisor:"), n),
        input_uncached=it.field("input_tokens"),
        cache_read=it.field("cache_read_input_tokens").fill_null(0),
        cache_write_5m=write,
        cache_write_1h=pl.lit(0, pl.Int64),
        output=it.field("output_tokens"),
        reasoning=pl.lit(0, pl.Int64),
        web_search=pl.lit(0, pl.Int64),
        ttl_assumed=write > 0,
    ).drop("_it")


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


def _skipped_count(path: Path, count: int) -> pl.LazyFrame:
    return pl.LazyFrame({"n": [count]}).select(
        *lineage(NAME, path, pl.lit(None)),
        kind=pl.lit("skipped"),
        reason=pl.lit("line carries no usage"),
        count=pl.col("n").cast(pl.Int64),
    )
