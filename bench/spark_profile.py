"""Where Spark's time goes in the stages: wall per stage against the Spark jobs it ran.

    python bench/engines.py write 1000000 /work/bench-data/rows-1m
    python bench/spark_profile.py /work/bench-data/rows-1m
    python bench/spark_profile.py --log /tmp/costlens-eventlog-XXXX   # an earlier run's log

Runs ``pipeline.build_rows``' steps one by one in a local session with an event log, each
under its own job group, then reads the log: per stage the wall seconds, the number of Spark
jobs and tasks, the seconds those jobs ran (first submit to last end, summed per job) and the
executors' run time. Wall minus job time is driver-side work (planning, Python, collects).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import polars as pl

from costlens import discover, frames, pipeline, pricing, schema, views
from costlens.attribution import attribute_rows
from costlens.spark import SparkEngine


def session(log_dir: Path) -> SparkEngine:
    """A local session that writes its event log to ``log_dir``."""
    events = {"spark.eventLog.enabled": "true", "spark.eventLog.dir": log_dir.as_uri()}
    return SparkEngine.start(conf=events)


def run(folder: Path, log_dir: Path) -> dict[str, float]:
    engine = session(log_dir)
    sc = engine.session.sparkContext
    book, walls = pricing.load(), {}
    runs = pl.read_parquet(folder / "runs.parquet")
    empty = schema.empty(schema.USAGE).collect()
    got = discover.Ingested(empty, runs, schema.empty(schema.ISSUES).collect(), [])
    steps = {
        "read": lambda _: frames.persist(engine.read_usage([folder / "usage.parquet"])),
        "price": lambda rows: frames.persist(pricing.price_rows(rows, book)),
        "attribute": lambda priced: frames.persist(
            attribute_rows(priced, got.runs.lazy(), book.resolve)
        ),
    }
    value = None
    for name, step in steps.items():
        sc.setJobGroup(name, name)
        t = time.perf_counter()
        value = step(value)
        walls[name] = time.perf_counter() - t
    usage = value
    sc.setJobGroup("measure", "measure")
    t = time.perf_counter()
    report = pipeline._measure(usage, got, book, None, False)
    walls["measure"] = time.perf_counter() - t
    sc.setJobGroup("views", "views")
    t = time.perf_counter()
    views.views(usage, ("day",), views.Calendar())
    views.chart_tables(usage, report.models, views.Calendar())
    walls["views"] = time.perf_counter() - t
    engine.session.stop()
    return walls


def events(log_dir: Path) -> list[dict]:
    """The event log's events (Spark 4 writes zstd-compressed files in a folder per app)."""
    import zstandard

    out = []
    for path in sorted(log_dir.rglob("events_*")):
        with path.open("rb") as f:
            text = zstandard.ZstdDecompressor().stream_reader(f).read().decode()
        out += [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return out


def jobs(log_dir: Path) -> dict[str, dict[str, float]]:
    """Per job group: jobs, tasks, summed job seconds, summed executor run seconds, and the
    span from its first job's submission to its last job's end."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    start, group, first, last = {}, {}, {}, {}
    for e in events(log_dir):
        kind = e["Event"]
        if kind == "SparkListenerJobStart":
            g = (e.get("Properties") or {}).get("spark.jobGroup.id", "?")
            start[e["Job ID"]], group[e["Job ID"]] = e["Submission Time"], g
            first.setdefault(g, e["Submission Time"])
            out[g]["jobs"] += 1
            for stage in e["Stage IDs"]:
                group[("stage", stage)] = g
        elif kind == "SparkListenerJobEnd":
            g = group[e["Job ID"]]
            out[g]["job_s"] += (e["Completion Time"] - start[e["Job ID"]]) / 1000
            last[g] = e["Completion Time"]
        elif kind == "SparkListenerTaskEnd":
            g = group.get(("stage", e["Stage ID"]), "?")
            out[g]["tasks"] += 1
            metrics = e.get("Task Metrics") or {}
            out[g]["run_s"] += metrics.get("Executor Run Time", 0) / 1000
            out[g]["cpu_s"] += metrics.get("Executor CPU Time", 0) / 1e9
    for g in first:
        out[g]["span_s"] = (last.get(g, first[g]) - first[g]) / 1000
    return out


def table(walls: dict[str, float], got: dict[str, dict[str, float]]) -> str:
    head = (
        "| stage | wall s | Spark jobs | tasks | job s | executor run s | executor CPU s "
        "| first job to last s |"
    )
    rows = [head,
            "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name in walls or got:
        j, wall = got.get(name, {}), walls.get(name)
        rows.append(f"| {name} | {'' if wall is None else f'{wall:.1f}'} | {j.get('jobs', 0):.0f} "
                    f"| {j.get('tasks', 0):.0f} | {j.get('job_s', 0):.1f} "
                    f"| {j.get('run_s', 0):.1f} | {j.get('cpu_s', 0):.1f} "
                    f"| {j.get('span_s', 0):.1f} |")  # fmt: skip
    return "\n".join(rows)


if __name__ == "__main__":
    if sys.argv[1] == "--log":  # read an earlier run's event log only
        print(table({}, jobs(Path(sys.argv[2]))))
        sys.exit()
    logs = Path(tempfile.mkdtemp(prefix="costlens-eventlog-"))
    walls = run(Path(sys.argv[1]), logs)
    print(walls, flush=True)
    print(table(walls, jobs(logs)))
