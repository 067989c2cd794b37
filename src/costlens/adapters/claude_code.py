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

import re
from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import first_json_lines, head
from ._packs import locate, sources
from ._usage import ANTHROPIC_USAGE_ITERATED, anthropic_tokens
from .claude_code_dedupe import dedupe
from .kit import Read, utc

NAME = "claude-code"

USAGE = ANTHROPIC_USAGE_ITERATED
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
    layout: ClassVar[re.Pattern[str] | None] = re.compile(
        r"(^|/)projects/[^/]+/([^/]+/subagents/)?[^/]+\.jsonl$"
    )
    """``projects/<encoded-cwd>/<session>.jsonl`` and ``.../<session>/subagents/<agent>.jsonl``."""

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
        return self.read_many([path])

    def read_many(self, paths: list[Path]) -> Read:
        """Every file in one query: one scan over all lines, one JSON decode of the usage lines."""
        try:
            rows, bad, skipped = _scan(paths, careful=False)
        except pl.exceptions.ComputeError:
            if len(paths) > 1:  # find the damaged file(s) one by one; the others stay fast
                return _combined([self.read(p) for p in paths])
            # A line shaped like a whole object that still does not parse (rare corruption):
            # redo this file with a per-line validity check, which costs a second parse.
            rows, bad, skipped = _scan(paths, careful=True)
        rows = _other_times(rows)
        kind = pl.col("_kind")
        usage = rows.filter(kind == "usage")
        if usage["_iters"].null_count() < usage.height:  # rare: skip the list work otherwise
            usage = pl.concat([usage, _advisors(usage)])
        usage = usage.drop("_kind", "_iters")
        none = rows.filter(kind == "none").group_by("source_file").agg(_n=pl.len())
        parts = [
            kit.issues(bad.lazy(), "rejected", "line is not valid JSON (truncated?)"),
            kit.issues(rows.filter(kind == "synthetic").lazy(), "skipped",
                       "synthetic message (no API call)"),
            _skipped_count(skipped, none),
        ]  # fmt: skip
        # Issues per file in file order (then bad lines, synthetic lines, the count), as a
        # file-by-file read would list them.
        order = pl.LazyFrame({"source_file": [str(p) for p in paths]}).with_row_index("_f")
        issues = (
            pl.concat([f.with_columns(_g=pl.lit(g)) for g, f in enumerate(parts)])
            .join(order, on="source_file", how="left", maintain_order="left")
            .sort("_f", "_g", maintain_order=True)
            .drop("_f", "_g")
        )
        return Read(rows=usage.lazy(), issues=issues)

    def dedupe(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """One row per response across all files (see ``claude_code_dedupe``)."""
        return dedupe(frame)


def _claude_line(d: dict) -> bool:
    if "sessionId" in d and ("message" in d or "type" in d):
        return True
    return d.get("type") in LINE_TYPES and any(k in d for k in ("leafUuid", "uuid", "messageId"))


def _scan(paths: list[Path], careful: bool) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Canonical rows of the usage lines (file order, then line order), cut-off lines, and
    per file the count of lines without usage: one query per pack of files."""
    got = [_scan_pack(*pack, careful) for pack in sources(paths)]
    rows, bad, skipped = (pl.concat([g[k] for g in got]) for k in range(3))
    if skipped.height > len(paths):  # a large file read in pieces: one count per file
        skipped = skipped.group_by("source_file", maintain_order=True).agg(pl.col("_skip").sum())
    return rows, bad, skipped


def _scan_pack(
    text_of: str | bytes, names: list[str], starts: list[int], careful: bool
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """One streaming pass over a pack of files (``_packs.sources``).

    Lines without ``"usage"`` are never decoded (the speed of this reader), and decoded lines
    become narrow canonical rows inside the streaming query, so memory follows the number of
    usage records, not the size of the files. A line is taken as whole when it is ``{...}``; in
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
    lines = pl.scan_lines(text_of).with_row_index("_i").with_columns(_state=state)
    located = lambda lf: locate(lf, names, starts)  # noqa: E731
    decoded = located(lines.filter(pl.col("_state") == "usage")).select(
        "_i",
        "ln",
        "_path",
        _adv=pl.col("line").str.contains('"advisor_message"', literal=True),
        rec=pl.col("line").str.json_decode(LINE),
    )
    rows = _records(decoded).select("_i", *_usage_columns(), _kind=_kind(), _iters=_iterations())
    bad = located(lines.filter(pl.col("_state") == "bad")).select(
        "_i", pl.lit(NAME).alias("source_format"), *_where()
    )
    skipped = located(lines.filter(pl.col("_state") == "skip").select("_i"))
    skipped = skipped.group_by("_path").agg(_skip=pl.len().cast(pl.Int64))
    # The streaming engine returns a chunk per morsel (~500 for 60k rows): one chunk each,
    # or every later step on the struct-heavy rows pays per chunk (1 s CPU on 5,000 files).
    # Rows in line order, whatever order the streaming engine gave them in (it varied between
    # runs: which of two identical records is "first read" must not).
    got = pl.collect_all([rows, bad, skipped], engine="streaming")
    rows_df, bad_df = (g.sort("_i").drop("_i").rechunk() for g in got[:2])
    skip_df = got[2]
    every = pl.DataFrame({"_path": names})
    skip_df = every.join(skip_df, on="_path", how="left", maintain_order="left")
    skip_df = skip_df.select(source_file="_path", _skip=pl.col("_skip").fill_null(0))
    return rows_df, bad_df, skip_df


def _other_times(rows: pl.DataFrame) -> pl.DataFrame:
    """Timestamps not in Claude Code's own form, read with the kit's general parser."""
    if rows["period_start"].null_count() > rows["_ts"].null_count():
        ts = pl.coalesce("period_start", utc(pl.col("_ts")))
        rows = rows.with_columns(period_start=ts, period_end=ts)
    return rows.drop("_ts")


def _where() -> list[pl.Expr]:
    return [pl.col("_path").alias("source_file"), pl.col("ln").alias("source_line")]


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
    rec = lines.select("_i", "ln", "_path", "_adv", "rec").unnest("rec")
    inner = pl.col("data").struct.field("message")
    direct = pl.col("message").struct.field("usage").is_not_null()
    pick = lambda a, b: pl.when(direct).then(a).otherwise(b)  # noqa: E731
    message = pick(pl.col("message"), inner.struct.field("message"))
    return rec.select(
        "_i",
        "ln",
        "_path",
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


CLAUDE_TIME = "%Y-%m-%dT%H:%M:%S%.fZ"
"""The one form Claude Code writes (``2026-02-12T16:02:27.718Z``): parsed directly; any other
form goes through ``kit.utc`` afterwards (``_other_times``), so its many rewrites cost nothing
on the usual rows."""


def _usage_columns() -> list[pl.Expr]:
    ts = pl.col("timestamp").str.to_datetime(
        CLAUDE_TIME, time_zone="UTC", strict=False, time_unit="us"
    )
    tokens = {e.meta.output_name(): e for e in anthropic_tokens(pl.col("usage"))}
    # Claude Code sometimes omits a count on streaming placeholders: missing means none.
    for name in ("input_uncached", "output"):
        tokens[name] = tokens[name].fill_null(0)
    return [
        pl.lit(NAME).alias("source_format"),
        *_where(),
        pl.lit("anthropic").alias("provider"),
        pl.col("model"),
        ts.alias("period_start"),
        ts.alias("period_end"),
        pl.col("timestamp").alias("_ts"),
        pl.lit(False).alias("aggregated"),
        pl.col("requestId").alias("request_id"),
        pl.col("id").alias("response_id"),
        pl.col("sessionId").fill_null(_path_session()).alias("session_id"),
        pl.col("isSidechain").fill_null(False).alias("sidechain"),
        _path_project().alias("project"),
        (tokens["service_tier"] == "batch").fill_null(False).alias("batch"),
        pl.lit(1, pl.Int64).alias("requests"),
        *tokens.values(),
    ]


def _path_session() -> pl.Expr:
    """The session a file belongs to: ``<s>.jsonl``, or ``<s>/subagents/<agent>.jsonl``."""
    path = pl.col("_path")
    sub = path.str.extract(r"([^/\\]+)[/\\]subagents[/\\][^/\\]+$")
    return pl.coalesce(sub, path.str.extract(r"([^/\\]+?)(?:\.[^./\\]*)?$"))


def _path_project() -> pl.Expr:
    """The project a file belongs to: the folder under ``projects/`` that holds the session
    (Claude Code names it after the working directory, ``-home-me-work-app``)."""
    path = pl.col("_path")
    sub = path.str.extract(r"([^/\\]+)[/\\][^/\\]+[/\\]subagents[/\\][^/\\]+$")
    return pl.coalesce(sub, path.str.extract(r"([^/\\]+)[/\\][^/\\]+$"))


def _skipped_count(skipped: pl.DataFrame, none: pl.DataFrame) -> pl.LazyFrame:
    """One row per file: the lines that carry no usage (a count, however many)."""
    counts = skipped.join(none, on="source_file", how="left", maintain_order="left")
    return counts.lazy().select(
        pl.lit(NAME).alias("source_format"),
        "source_file",
        pl.lit(None, pl.Int64).alias("source_line"),
        kind=pl.lit("skipped"),
        reason=pl.lit("line carries no usage"),
        count=(pl.col("_skip") + pl.col("_n").fill_null(0)).cast(pl.Int64),
    )


def _combined(reads: list[Read]) -> Read:
    return Read(
        rows=pl.concat([r.rows for r in reads]), issues=pl.concat([r.issues for r in reads])
    )
