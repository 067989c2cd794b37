"""Invariants over any mix of inputs (hypothesis), with counts taken from the input files.

- every input record is accounted for: the data lines of each input file equal the usage rows
  read from it plus its rejected, skipped and duplicate rows;
- attributed + unattributed = total, to the cent, summed from different tables (the task table
  and the usage rows that joined no task);
- the same inputs in any order, split across files or zipped give the same report.
"""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal
from functools import cache

import polars as pl
from conftest import FIXTURES, SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costlens import names, pipeline, pricing
from costlens.reports.money import rounded

BUNDLE = SAMPLES / "bundle"
SESSIONS = sorted((BUNDLE / "claude-code").rglob("*.jsonl"))
TABLES = [
    FIXTURES / "openai_dashboard" / "activity.csv",
    FIXTURES / "gcp_billing" / "billing-export.csv",
    FIXTURES / "azure_costs" / "mca-cost-details.csv",
    FIXTURES / "aws_cur" / "cur2-bedrock.csv",
]
RUNS = [BUNDLE / "runs.jsonl", BUNDLE / "runs-opus-part2.csv"]
# Few examples, derandomized: each one is a whole run (about half a second), and CI time is
# bounded; the strategies still cover one to eight files of every kind, in any order.
SETTINGS = settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


BOOK = pricing.load(None)


def _run(paths, runs=()):
    """``costlens.run`` with the price tables loaded once (parsing them is most of a small run)."""
    paths, runs = list(paths), list(runs)
    got = names.relative_to_roots(pipeline.read(paths, runs), [*paths, *runs])
    return pipeline.build(got, book=BOOK, model_stats=False)


def _records(path) -> int:
    """Data records in a file, counted from its text: non-blank lines, less a CSV header."""
    lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
    return len(lines) - (1 if path.suffix == ".csv" else 0)


def _accounted(report, source: str) -> int:
    rows = report.usage.filter((pl.col("source_file") == source) & (pl.col("part") == 1)).height
    issues = report.issues.filter(
        (pl.col("source_file") == source)
        & pl.col("kind").is_in(["rejected", "skipped", "duplicate"])
    )
    return rows + int(issues["count"].sum() or 0)


def _fingerprint(report) -> tuple:
    u = report.usage
    return (
        u.filter(pl.col("part") == 1).height,
        rounded(report.summary["total_cost"]),
        rounded(report.summary["billed_cost"]),
        report.summary["tokens"],
        report.tasks.height,
        rounded(Decimal(report.tasks["cost"].sum() or 0)),
    )


@SETTINGS
@given(
    st.lists(st.sampled_from(SESSIONS), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from(TABLES), max_size=3, unique=True),
)
def test_every_record_of_every_file_is_accounted_for(sessions, tables):
    report = _run([*sessions, *tables])
    for f in [*sessions, *tables]:  # a file given directly is reported by its name
        assert _accounted(report, f.name) == _records(f), f


@SETTINGS
@given(
    st.lists(st.sampled_from(SESSIONS), min_size=1, max_size=8, unique=True),
    st.lists(st.sampled_from(RUNS), min_size=1, unique=True),
)
def test_attributed_plus_unattributed_is_the_total_to_the_cent(sessions, runs):
    report = _run(sessions, runs=runs)
    tasks = Decimal(report.tasks["cost"].sum() or 0)
    loose = report.usage.filter(pl.col("task_id").is_null())["cost"].sum()
    every = report.usage["cost"].sum()
    assert rounded(tasks + Decimal(loose or 0)) == rounded(Decimal(every or 0))


@cache
def _base() -> tuple:
    return _fingerprint(_run([*SESSIONS[:6], TABLES[0]], runs=RUNS))


@SETTINGS
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=4), st.booleans())
def test_order_splitting_and_zipping_do_not_change_the_report(tmp_path_factory, rnd, parts, zipped):
    work = tmp_path_factory.mktemp("mix")
    files = [*SESSIONS[:6], TABLES[0]]
    rnd.shuffle(files)
    copies = []
    for i, f in enumerate(files):
        if f.suffix == ".jsonl" and parts > 1:  # one session split across files
            lines = f.read_text().splitlines(keepends=True)
            step = max(1, len(lines) // parts)
            for j in range(0, len(lines), step):
                part = work / f"{i:02}-{j:05}-{f.name}"
                part.write_text("".join(lines[j : j + step]))
                copies.append(part)
        else:
            copies.append(shutil.copy(f, work / f"{i:02}-{f.name}"))
    inputs = copies
    if zipped:
        z = work / "all.zip"
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
            for c in copies:
                out.write(c, c.name)
        inputs = [z]
    got = _run(inputs, runs=RUNS)
    assert _fingerprint(got) == _base()
