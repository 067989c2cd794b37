"""OpenAI dashboard exports (platform.openai.com/usage -> Export): the Cost and Activity CSVs.

No column list is documented; the columns below are those of the one public real export (see
docs/formats.md), which mirror the Costs and Usage APIs. Both start with ``start_time, end_time,
start_time_iso, end_time_iso`` (Unix seconds and ISO 8601, UTC day buckets). Tab-separated files
are read too. Every cell is read as text: money goes to Decimal from its raw text; counts may be
written as floats (``59200.0``) and must be whole, or the row is rejected naming the column. A
day without usage is a row with only the time columns filled: it is skipped with that reason.
``batch`` is ``TRUE`` / ``FALSE`` (any case).

- Activity: same meaning as the Usage API (input includes cached tokens; reasoning is inside
  output); ``input_uncached_tokens``, when present, must equal ``input_tokens -
  input_cached_tokens - input_cache_write_tokens``.
- Cost: ``amount_value`` (dollars) becomes ``billed_cost``; the row carries no tokens and is
  never priced (billed money beside computed cost, never added to it).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import kit
from ._base import head
from .kit import Read, count, lineage, money, split_unreadable, unix_seconds, utc

TIME = ["start_time", "end_time", "start_time_iso", "end_time_iso"]
COST_MARKERS = ("amount_value", "amount_currency")
COUNTS = {
    "requests": "num_model_requests",
    "_input": "input_tokens",
    "cache_read": "input_cached_tokens",
    "cache_write_5m": "input_cache_write_tokens",
    "_uncached_stated": "input_uncached_tokens",
    "output": "output_tokens",
}
TEXT = {
    "project": "project_id",
    "user": "user_id",
    "api_key": "api_key_id",
    "model": "model",
    "service_tier": "service_tier",
}
ACTIVITY_REQUIRED = ["num_model_requests", "input_tokens", "output_tokens"]
COST_REQUIRED = ["amount_value", "amount_currency"]
HINT = "export the view from platform.openai.com/usage unmodified (CSV)"


def _header(path: Path) -> list[str]:
    first = head(path).splitlines()[0] if head(path) else ""
    sep = "\t" if "\t" in first else ","
    return [c.strip().strip('"').lstrip("\ufeff") for c in first.split(sep)]


def _is_dashboard(path: Path) -> bool:
    return path.suffix in (".csv", ".tsv") and _header(path)[:4] == TIME


def _scan(path: Path, required: list[str], fmt: str) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    have = _header(path)
    for col in required:
        if col not in have:
            raise kit.missing(path, [col], HINT, "an OpenAI dashboard export")
    sep = "\t" if "\t" in head(path).splitlines()[0] else ","
    # Line 1 is the header, so the first record is on line 2.
    return kit.scan_csv(path, fmt, sep)


def _empty_day(have: list[str]) -> pl.Expr:
    rest = [c for c in have if c not in TIME]
    return pl.all_horizontal([pl.col(c).fill_null("").str.strip_chars() == "" for c in rest])


def _times() -> list[pl.Expr]:
    return [
        pl.coalesce(unix_seconds(pl.col(u)), utc(pl.col(i))).alias(dst)
        for dst, u, i in (
            ("period_start", "start_time", "start_time_iso"),
            ("period_end", "end_time", "end_time_iso"),
        )
    ]


def _issues(fmt: str, path: Path, frame: pl.LazyFrame, kind: str, reason: pl.Expr):
    return kit.issues(frame, kind, reason, fmt, path)


class OpenAIDashboardActivity(kit.Reader):
    name: ClassVar[str] = "openai-dashboard-activity"
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = (*TIME, *ACTIVITY_REQUIRED)

    def identify(self, path: Path) -> bool:
        return _is_dashboard(path) and not any(c in _header(path) for c in COST_MARKERS)

    def read(self, path: Path) -> Read:
        have = _header(path)
        raw, ragged = _scan(path, ACTIVITY_REQUIRED, self.name)
        empty = raw.filter(_empty_day(have))
        rows = raw.filter(~_empty_day(have))
        present = {k: v for k, v in COUNTS.items() if v in have}
        # The first bad column names the row; a required count left empty is refused, never 0.
        reason = kit.first_reason(
            *[kit.count_problem(pl.col(c), c, c in ACTIVITY_REQUIRED) for c in present.values()]
        )
        rows = rows.with_columns(_reason=reason)
        canon = rows.filter(pl.col("_reason").is_null()).select(
            "ln", *self._columns(path, have, present)
        )
        canon = canon.with_columns(pl.col("cache_read", "cache_write_5m").fill_null(0))
        derived = pl.col("_input") - pl.col("cache_read") - pl.col("cache_write_5m")
        mismatch = (pl.col("_uncached_stated") != derived).fill_null(False)
        canon = canon.with_columns(input_uncached=derived)
        mismatched = "input_uncached_tokens differs from input_tokens - input_cached_tokens"
        mismatched += " - input_cache_write_tokens"
        issues = [
            ragged,
            _issues(
                self.name,
                path,
                rows.filter(pl.col("_reason").is_not_null()),
                "rejected",
                pl.col("_reason"),
            ),
            _issues(self.name, path, canon.filter(mismatch), "rejected", pl.lit(mismatched)),
            _issues(
                self.name,
                path,
                empty,
                "skipped",
                pl.lit("day without usage (only the time columns are filled)"),
            ),
        ]
        kept = canon.filter(~mismatch).drop("ln", "_input", "_uncached_stated")
        return Read(rows=kept, issues=pl.concat(issues))

    def _columns(self, path: Path, have: list[str], present: dict[str, str]) -> list[pl.Expr]:
        counts = [
            (count(pl.col(present[k])) if k in present else pl.lit(None, pl.Int64)).alias(k)
            for k in COUNTS
        ]
        text = [
            (pl.col(v) if v in have else pl.lit(None, pl.String)).alias(k) for k, v in TEXT.items()
        ]
        batch = pl.col("batch").str.to_lowercase() if "batch" in have else pl.lit(None, pl.String)
        return [
            *lineage(self.name, path, pl.col("ln")),
            pl.lit("openai").alias("provider"),
            *_times(),
            pl.lit(True).alias("aggregated"),
            *counts,
            *text,
            pl.when(batch == "true").then(True).when(batch == "false").then(False).alias("batch"),
        ]


class OpenAIDashboardCost(kit.Reader):
    name: ClassVar[str] = "openai-dashboard-cost"
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = (*TIME, *COST_REQUIRED)

    def identify(self, path: Path) -> bool:
        return _is_dashboard(path) and any(c in _header(path) for c in COST_MARKERS)

    def read(self, path: Path) -> Read:
        have = _header(path)
        raw, ragged = _scan(path, COST_REQUIRED, self.name)
        empty = raw.filter(_empty_day(have))
        opt = {
            k: (pl.col(v) if v in have else pl.lit(None, pl.String)).alias(k)
            for k, v in {"line_item": "line_item", "project": "project_id"}.items()
        }
        rows = raw.filter(~_empty_day(have)).select(
            *lineage(self.name, path, pl.col("ln")),
            pl.lit("openai").alias("provider"),
            *_times(),
            pl.lit(True).alias("aggregated"),
            money(pl.col("amount_value")).alias("billed_cost"),
            pl.col("amount_value").alias("_amount"),
            pl.col("amount_currency").str.to_uppercase().alias("currency"),
            *opt.values(),
        )
        good, bad = split_unreadable(rows, "billed_cost", "_amount", "amount_value")
        skipped = _issues(
            self.name,
            path,
            empty,
            "skipped",
            pl.lit("day without cost (only the time columns are filled)"),
        )
        return kit.adding(Read(rows=good, issues=pl.concat([bad, skipped])), ragged)
