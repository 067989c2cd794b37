"""Pricing + attribution + aggregation of N generated canonical usage rows, polars or Spark.

    python bench/engines.py write 10000000 /work/bench-data/rows-10m   # the rows, once (Parquet)
    /usr/bin/time -v python bench/engines.py run polars /work/bench-data/rows-10m
    /usr/bin/time -v python bench/engines.py run spark /work/bench-data/rows-10m
    python bench/engines.py run spark DIR spark.driver.memory=6g spark.sql.shuffle.partitions=64

Settings after the folder (``KEY=VALUE``, as ``--spark-conf`` takes them) go over
``costlens.spark``'s small-machine defaults (at 10M rows the default 2 GB driver and 4 shuffle
partitions ran out of heap: docs/performance.md).

The rows and run log are ``stages.py``'s (a busy Claude Code + Codex + API mix). Both engines
read the same Parquet, run ``pipeline.build_rows`` (price, attribute, every report aggregate;
the attributed usage table is not collected) and print wall seconds per stage and the summary
digest, which must be equal, and the peak resident memory of this process plus its child
processes (Spark's JVM), sampled each half second from /proc (``/usr/bin/time`` does not see
the JVM: pyspark never waits for it, so its maximum is not reported to the parent).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import threading
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


class _Peak(threading.Thread):
    """The largest sum of resident memory of this process and its children seen so far."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.kb = 0

    def run(self) -> None:
        while True:
            self.kb = max(self.kb, sum(_rss_kb(p) for p in _family(os.getpid())))
            time.sleep(0.5)


def _family(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *[q for k in kids for q in _family(int(k))]]


def _rss_kb(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(x.split()[1]) for x in lines if x.startswith("VmRSS:")), 0)


def _peak_kb(sampled: _Peak) -> int:
    """The sampled family peak, or this process's own exact peak if that is higher (a
    sample every half second can miss polars' short spikes)."""
    return max(sampled.kb, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run(engine_name: str, folder: Path, settings: dict[str, str]) -> None:
    peak = _Peak()
    peak.start()
    t0 = time.perf_counter()
    book = pricing.load()
    engine = None
    if engine_name == "spark":
        from costlens.spark import SparkEngine

        engine = SparkEngine.start(conf=settings)
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
        f"rows read {s['rows']['read']:,}, total {s['total_cost']}, summary sha256 {digest}, "
        f"peak memory {_peak_kb(peak) / 1024**2:.2f} GB (this process and its children)"
    )


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        run(sys.argv[2], Path(sys.argv[3]), dict(a.split("=", 1) for a in sys.argv[4:]))
