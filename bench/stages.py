"""Time pricing, attribution and aggregation on N canonical usage rows (no file reading).

    python bench/stages.py 10000000

The rows look like a busy Claude Code + Codex + API mix: ~60 models' worth of names (a few
dominate), sessions of ~200 requests with request ids, dates over two months, and a run log
whose attempts own half of the sessions. Prints one line: seconds per stage and in all.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import time

import polars as pl

from costlens import metrics, pricing, schema
from costlens.attribution import attribute

MODELS = [
    ("anthropic", "claude-sonnet-4-5-20250929"),
    ("anthropic", "claude-opus-4-5-20251101"),
    ("anthropic", "claude-haiku-4-5-20251001"),
    ("openai", "gpt-5-codex"),
    ("openai", "gpt-5"),
    ("openai", "gpt-5-mini"),
    ("openai", "o3"),
    ("anthropic", "claude-made-up-1"),  # unknown: unpriced with a reason
]


def usage(n: int) -> pl.DataFrame:
    i = pl.int_range(n, dtype=pl.Int64)
    h = i.hash(7)
    pick = (h % 100).cast(pl.Int64)
    m = (
        pl.when(pick < 40).then(0).when(pick < 65).then(1).when(pick < 75).then(2)
        .when(pick < 85).then(3).when(pick < 92).then(4).when(pick < 97).then(5)
        .when(pick < 99).then(6).otherwise(7)
    )  # fmt: skip
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    frame = pl.select(i.alias("_i"), m.alias("_m"), (h // 100 % 5_000_000).alias("_s"))
    frame = frame.with_columns(
        provider=pl.col("_m").replace_strict(range(len(MODELS)), [p for p, _ in MODELS]),
        model=pl.col("_m").replace_strict(range(len(MODELS)), [m for _, m in MODELS]),
        period_start=pl.lit(start) + pl.duration(seconds=pl.col("_s")),
        session_id=pl.format("s{}", pl.col("_i") // 200),
        request_id=pl.format("req_{}", pl.col("_i")),
        response_id=pl.format("msg_{}", pl.col("_i")),
        source_format=pl.lit("claude-code"),
        source_file=pl.format("/p/s{}.jsonl", pl.col("_i") // 200),
        source_line=pl.col("_i") % 200 + 1,
        aggregated=pl.lit(False),
        sidechain=pl.lit(False),
        batch=pl.lit(False),
        requests=pl.lit(1, pl.Int64),
        input_uncached=pl.col("_s") % 5000,
        cache_read=pl.col("_s") % 150_000,
        cache_write_5m=pl.col("_s") % 3000,
        cache_write_1h=pl.lit(0, pl.Int64),
        output=pl.col("_s") % 4000,
        reasoning=pl.lit(0, pl.Int64),
        web_search=pl.lit(0, pl.Int64),
    ).with_columns(period_end="period_start")
    return schema.conform(frame.lazy(), schema.USAGE).collect()


def runs(n: int) -> pl.DataFrame:
    sessions = max(1, n // 200)
    s = pl.int_range(0, sessions, 2, dtype=pl.Int64)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    frame = pl.select(s.alias("_s")).with_columns(
        source_format=pl.lit("costlens-runlog-jsonl"),
        source_file=pl.lit("runs.jsonl"),
        source_line=pl.col("_s") // 2 + 1,
        task_id=pl.format("t{}", pl.col("_s") // 6),
        model=pl.lit("claude-sonnet-4-5-20250929"),
        run_id=pl.lit("r1"),
        attempt=pl.col("_s") // 2 % 3 + 1,
        started_at=pl.lit(start),
        ended_at=pl.lit(start + dt.timedelta(days=90)),
        outcome=pl.when(pl.col("_s") % 3 == 0).then(pl.lit("fail")).otherwise(pl.lit("pass")),
        session_id=pl.format("s{}", pl.col("_s")),
        reprompts=pl.lit(0, pl.Int64),
        request_ids=pl.lit(None, pl.List(pl.String)),
    )
    return schema.conform(frame.lazy(), schema.RUNS).collect()


def main() -> None:
    n = int(sys.argv[1])
    book = pricing.load()
    u, r = usage(n), runs(n)
    clock = Clock()
    priced = pricing.price(u.lazy(), book).collect()
    clock.lap("price")
    att = attribute(priced.lazy(), r.lazy(), book.resolve).collect()
    del priced
    clock.lap("attribute")
    tasks = metrics.task_runs(metrics.attempts(att.lazy(), r.lazy())).collect()
    metrics.models(tasks.lazy()).collect()
    metrics.usage_by_model(att.lazy()).collect()
    metrics.usage_by_month(att.lazy()).collect()
    clock.lap("aggregate")
    print(clock.text())


class Clock:
    """Wall and CPU seconds per stage (CPU: this process, all threads), the peak RSS so far
    after each stage, and the machine's load average (the box is shared)."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float, float, float]] = []
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.start = (self.wall, self.cpu)
        self.before = _peak_mb()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.laps.append((name, wall - self.wall, cpu - self.cpu, _peak_mb()))
        self.wall, self.cpu = wall, cpu

    def text(self) -> str:
        parts = [f"{n} {w:.2f} s (CPU {c:.2f}, peak {m:,.0f} MB)" for n, w, c, m in self.laps]
        total = f"total {self.wall - self.start[0]:.2f} s (CPU {self.cpu - self.start[1]:.2f})"
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        return (
            ", ".join([*parts, total])
            + f"; peak before the stages {self.before:,.0f} MB; load {load}"
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
