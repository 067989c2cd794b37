"""Pricing + attribution + aggregation of N generated canonical usage rows, polars or Spark.

    python bench/engines.py write 10000000 /work/bench-data/rows-10m   # the rows, once (Parquet)
    /usr/bin/time -v python bench/engines.py run polars /work/bench-data/rows-10m
    /usr/bin/time -v python bench/engines.py run spark /work/bench-data/rows-10m

The rows and run log are ``stages.py``'s (a busy Claude Code + Codex + API mix). Both engines
read the same Parquet, run ``pipeline.build_rows`` (price, attribute, every report aggregate;
the attributed usage table is not collected) and print wall seconds per stage and the summary
digest, which must be equal. Peak memory: ``/usr/bin/time -v`` (maximum resident set size of
the process and its children, so Spark's JVM counts).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import polars as pl
import stages

from costlens import discover, frames, pipeline, pricing, schema
from costlens.reports.jsonout import summary_json


def write(n: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stages.usage(n).write_parquet(folder / "usage.parquet", row_group_size=1_000_000)
    stages.runs(n).write_parquet(folder / "runs.parquet")


def run(engine_name: str, folder: Path) -> None:
    t0 = time.perf_counter()
    book = pricing.load()
    engine = None
    if engine_name == "spark":
        from costlens.spark import SparkEngine

        engine = SparkEngine.start()
        rows = engine.read_usage([folder / "usage.parquet"])
    else:
        rows = frames.read_usage([folder / "usage.parquet"])
    t1 = time.perf_counter()
    empty = schema.empty(schema.USAGE).collect()
    got = discover.Ingested(
        empty, pl.read_parquet(folder / "runs.parquet"), schema.empty(schema.ISSUES).collect(), []
    )
    report = pipeline.build_rows(rows, got, book, keep_usage=False)
    t2 = time.perf_counter()
    text = summary_json(report)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    s = json.loads(text)
    print(
        f"{engine_name}: start {t1 - t0:.1f} s, stages {t2 - t1:.1f} s, "
        f"rows read {s['rows']['read']:,}, total {s['total_cost']}, summary sha256 {digest}"
    )


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        run(sys.argv[2], Path(sys.argv[3]))
