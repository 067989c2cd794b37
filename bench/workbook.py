"""Time writing the report workbook for T task runs and 5 x T usage rows (issue 13: 100,000
tasks / 500,000 usage rows in at most 15 s).

    python bench/workbook.py 100000

Canonical rows are made in code (no file reading): T attempts of T tasks over four models, each
attempt one Claude Code-like session of 5 requests, dated over two months. The report is built
as ``report -o`` builds it (model stats, the day view), then the workbook is written and timed
alone (wall and CPU seconds), with the detail files beside it. The workbook is read back: each
detail sheet holds ``DETAIL_SHEET_ROWS`` rows at most and the Parquet beside it every row.
Prints one line per step.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import polars as pl

from costlens import pipeline, schema
from costlens.discover import Ingested
from costlens.reports import write_workbook
from costlens.reports.excel import DETAIL_SHEET_ROWS

MODELS = [
    ("anthropic", "claude-sonnet-4-5-20250929"),
    ("anthropic", "claude-opus-4-5-20251101"),
    ("anthropic", "claude-haiku-4-5-20251001"),
    ("openai", "gpt-5"),
]
PER_TASK = 5
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def usage(tasks: int) -> pl.DataFrame:
    i = pl.int_range(tasks * PER_TASK, dtype=pl.Int64)
    t = i // PER_TASK
    m = t % len(MODELS)
    frame = pl.select(_i=i, _t=t, _m=m).with_columns(
        provider=pl.col("_m").replace_strict(range(len(MODELS)), [p for p, _ in MODELS]),
        model=pl.col("_m").replace_strict(range(len(MODELS)), [n for _, n in MODELS]),
        period_start=pl.lit(START) + pl.duration(seconds=pl.col("_t") * 50 + pl.col("_i") % 5),
        session_id=pl.format("s{}", pl.col("_t")),
        request_id=pl.format("req_{}", pl.col("_i")),
        response_id=pl.format("msg_{}", pl.col("_i")),
        source_format=pl.lit("claude-code"),
        source_file=pl.format("projects/p{}/s{}.jsonl", pl.col("_t") % 40, pl.col("_t")),
        source_line=pl.col("_i") % PER_TASK + 1,
        project=pl.format("p{}", pl.col("_t") % 40),
        aggregated=pl.lit(False),
        sidechain=pl.lit(False),
        batch=pl.lit(False),
        requests=pl.lit(1, pl.Int64),
        input_uncached=pl.col("_i") % 50 + 1,
        cache_read=pl.col("_i") * 7919 % 150_000,
        cache_write_5m=pl.col("_i") * 104_729 % 3000,
        cache_write_1h=pl.lit(0, pl.Int64),
        output=pl.col("_i") * 31 % 4000 + 1,
        reasoning=pl.lit(0, pl.Int64),
        web_search=pl.lit(0, pl.Int64),
    )
    frame = frame.with_columns(period_end="period_start")
    return schema.conform(frame.lazy(), schema.USAGE).collect()


def runs(tasks: int) -> pl.DataFrame:
    t = pl.int_range(tasks, dtype=pl.Int64)
    frame = pl.select(_t=t).with_columns(
        source_format=pl.lit("costlens-runlog-jsonl"),
        source_file=pl.lit("runs.jsonl"),
        source_line=pl.col("_t") + 1,
        task_id=pl.format("T-{}", pl.col("_t")),
        model=(pl.col("_t") % len(MODELS)).replace_strict(
            range(len(MODELS)), [n for _, n in MODELS]
        ),
        run_id=pl.lit("r1"),
        attempt=pl.lit(1, pl.Int64),
        started_at=pl.lit(START) + pl.duration(seconds=pl.col("_t") * 50),
        ended_at=pl.lit(START) + pl.duration(seconds=pl.col("_t") * 50 + 10),
        outcome=pl.when(pl.col("_t") % 3 == 0).then(pl.lit("fail")).otherwise(pl.lit("pass")),
        session_id=pl.format("s{}", pl.col("_t")),
        reprompts=pl.lit(0, pl.Int64),
        request_ids=pl.lit(None, pl.List(pl.String)),
    )
    return schema.conform(frame.lazy(), schema.RUNS).collect()


def main() -> None:
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    wall, cpu = time.perf_counter(), time.process_time()
    issues = pl.DataFrame(schema=schema.ISSUES)
    got = Ingested(usage(tasks), runs(tasks), issues, [])
    report = pipeline.build(got, model_stats=True, by=("day",))
    rows = f"{report.tasks.height:,} task runs, {report.usage.height:,} usage rows"
    print(f"build: {rows}, {_since(wall, cpu)}")
    with tempfile.TemporaryDirectory() as d:
        target = Path(d) / "bench.xlsx"
        wall, cpu = time.perf_counter(), time.process_time()
        beside = write_workbook(report, target)
        names = ", ".join(p.name for p in beside)
        size = target.stat().st_size / 1e6
        print(f"write_workbook: {_since(wall, cpu)}, {size:.1f} MB, Parquet beside: {names}")
        _check(target, beside)


def _check(target: Path, beside: list[Path]) -> None:
    """Each capped sheet holds DETAIL_SHEET_ROWS data rows and says so; Parquet has all."""
    wb = openpyxl.load_workbook(target, read_only=True)
    for p in beside:
        full = pl.read_parquet(p).height
        title = next(t for t in wb.sheetnames if p.name.endswith(f".{_slug(t)}.parquet"))
        print(f"  {title}: sheet capped at {DETAIL_SHEET_ROWS:,} rows, {p.name} {full:,} rows")
        assert full > DETAIL_SHEET_ROWS


def _slug(title: str) -> str:
    return title.lower().replace(" ", "_")


def _since(wall: float, cpu: float) -> str:
    return f"{time.perf_counter() - wall:.2f} s wall (CPU {time.process_time() - cpu:.2f} s)"


if __name__ == "__main__":
    main()
