"""costlens run logs: one record per attempt at a task (JSONL or CSV). See docs/formats.md.

Every field is read as text and parsed strictly, so a malformed value rejects its row with a
reason naming the field instead of turning into a silent null or zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from .. import schema
from . import kit
from ._base import first_json_lines, head
from .kit import Read, lineage, utc

FIELDS = (
    "task_id",
    "model",
    "run_id",
    "attempt",
    "started_at",
    "ended_at",
    "outcome",
    "reprompts",
    "review_minutes",
    "session_id",
    "api_key",
    "project",
    "category",
    "harness",
)
REQUIRED = ("task_id", "model", "attempt", "started_at", "ended_at", "outcome")
LINE = pl.Struct({**{f: pl.String for f in FIELDS}, "request_ids": pl.List(pl.String)})


class RunLogJSONL(kit.Reader):
    name: ClassVar[str] = "costlens-runlog-jsonl"
    kind: ClassVar[str] = "runs"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = REQUIRED

    def identify(self, path: Path) -> bool:
        first = first_json_lines(path, limit=5)
        return path.suffix == ".jsonl" and bool(first) and all(f in first[0] for f in REQUIRED)

    def read(self, path: Path) -> Read:
        lines = pl.scan_lines(path).with_row_index("ln", offset=1)
        lines = lines.filter(pl.col("line").str.strip_chars() != "")
        valid = pl.col("line").str.json_path_match("$").is_not_null()
        bad_json = kit.issues(
            lines.filter(~valid), "rejected", "line is not valid JSON", self.name, path
        )
        recs = lines.filter(valid).select("ln", r=pl.col("line").str.json_decode(LINE)).unnest("r")
        rows, bad = _validate(recs, self.name, path)
        return Read(rows=rows, issues=pl.concat([bad_json, bad]))


class RunLogCSV(kit.Reader):
    name: ClassVar[str] = "costlens-runlog-csv"
    kind: ClassVar[str] = "runs"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = REQUIRED

    def identify(self, path: Path) -> bool:
        if path.suffix != ".csv":
            return False  # before splitting the head: most files are not CSV
        header = head(path).splitlines()[:1]
        cols = {c.strip() for c in header[0].split(",")} if header else set()
        return set(REQUIRED) <= cols

    def read(self, path: Path) -> Read:
        # Line numbers assume one record per line (the header is line 1), as our writer emits.
        frame, ragged = kit.scan_csv(path, self.name)
        have = frame.collect_schema()
        ids = pl.col("request_ids") if "request_ids" in have else pl.lit(None, pl.String)
        recs = frame.with_columns(
            *[pl.lit(None, pl.String).alias(f) for f in FIELDS if f not in have],
            request_ids=ids.str.split(";").list.eval(
                pl.element().str.strip_chars().filter(pl.element() != "")
            ),
        )
        rows, bad = _validate(recs, self.name, path)
        return Read(rows=rows, issues=pl.concat([ragged, bad]))


def _validate(recs: pl.LazyFrame, fmt: str, path: Path) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Parse text fields into RUNS columns; split rows with a bad field out with the reason."""
    recs = recs.with_columns(pl.col(f).str.strip_chars().alias(f"_raw_{f}") for f in FIELDS)
    text = {f: pl.col(f"_raw_{f}") for f in FIELDS}
    parsed = recs.with_columns(
        task_id=text["task_id"],
        model=text["model"],
        run_id=text["run_id"].fill_null("r1"),
        attempt=text["attempt"].cast(pl.Int64, strict=False),
        started_at=utc(text["started_at"]),
        ended_at=utc(text["ended_at"]),
        outcome=text["outcome"].str.to_lowercase(),
        reprompts=text["reprompts"].fill_null("0").cast(pl.Int64, strict=False),
        review_minutes=text["review_minutes"].str.to_decimal(scale=6),
        session_id=text["session_id"],
        api_key=text["api_key"],
        project=text["project"],
        category=text["category"].str.to_lowercase(),
        harness=text["harness"],
        request_ids=pl.col("request_ids").fill_null(pl.lit([], pl.List(pl.String))),
    )
    reason: Any = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for f in REQUIRED:
        reason = reason.when(text[f].is_null() | (text[f] == "")).then(pl.lit(f"missing {f}"))
    reason = (
        reason.when(pl.col("attempt").is_null() | (pl.col("attempt") < 1))
        .then(pl.lit("attempt must be a whole number >= 1"))
        .when(pl.col("started_at").is_null())
        .then(pl.lit("started_at is not an ISO 8601 time with a zone"))
        .when(pl.col("ended_at").is_null())
        .then(pl.lit("ended_at is not an ISO 8601 time with a zone"))
        .when(pl.col("ended_at") < pl.col("started_at"))
        .then(pl.lit("ended_at is before started_at"))
        .when(~pl.col("outcome").is_in(schema.OUTCOMES))
        .then(pl.lit("outcome must be pass, fail or error"))
        .when(pl.col("reprompts").is_null() | (pl.col("reprompts") < 0))
        .then(pl.lit("reprompts must be a whole number >= 0"))
        .when(text["review_minutes"].is_not_null() & pl.col("review_minutes").is_null())
        .then(pl.lit("review_minutes is not a number"))
    )
    tagged = parsed.with_columns(_reason=reason.otherwise(None))
    good = tagged.filter(pl.col("_reason").is_null()).with_columns(
        *lineage(fmt, path, pl.col("ln"))
    )
    bad = kit.issues(
        tagged.filter(pl.col("_reason").is_not_null()), "rejected", pl.col("_reason"), fmt, path
    )
    return schema.conform(good, schema.RUNS), bad
