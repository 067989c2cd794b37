"""``costlens compare -o`` writes a workbook that opens, and its totals are ``report``'s.

Both workbooks are read back with openpyxl: the numbers checked are the ones a reader sees. The
task count is taken from the run-log files themselves.
"""

from __future__ import annotations

import csv
import json

import openpyxl
from click.testing import CliRunner
from conftest import SAMPLES

from costlens.cli import cli

BUNDLE = SAMPLES / "bundle"
RUNS = [BUNDLE / "runs.jsonl", BUNDLE / "runs-opus-part2.csv"]


def _sheet(path, title: str) -> dict[str, dict]:
    """A sheet as {run_model: row dict}."""
    rows = list(openpyxl.load_workbook(path, read_only=True)[title].iter_rows(values_only=True))
    key = rows[0].index("Model under test")
    return {r[key]: dict(zip(rows[0], r, strict=False)) for r in rows[1:] if r[key]}


def _tasks_in_run_logs() -> set[str]:
    with RUNS[0].open() as f:
        tasks = {json.loads(line)["task_id"] for line in f if line.strip()}
    with RUNS[1].open(newline="") as f:
        return tasks | {r["task_id"] for r in csv.DictReader(f)}


def test_compare_workbook_opens_with_report_totals(tmp_path):
    runs = [str(p) for p in RUNS]
    usage = str(BUNDLE / "claude-code")
    cmd = ["compare", *runs, "--usage", usage, "-o", str(tmp_path / "compare.xlsx")]
    compared = CliRunner().invoke(cli, cmd)
    assert compared.exit_code == 0, compared.output
    reported = CliRunner().invoke(
        cli, ["report", usage, "--runs", *runs, "-q", "-o", str(tmp_path / "report.xlsx")]
    )
    assert reported.exit_code == 0, reported.output
    ranking = _sheet(tmp_path / "compare.xlsx", "Ranking")
    models = _sheet(tmp_path / "report.xlsx", "Models")
    assert sorted(ranking) == sorted(models) == ["claude-opus-4-5", "claude-sonnet-4-5"]
    for model, row in ranking.items():
        assert row["Total cost"] == models[model]["Total cost"] > 0, model
        # Every model attempted every task of the bundle, so none is left out.
        assert row["Tasks"] == len(_tasks_in_run_logs()) == 20


def test_policy_sheet_wraps_the_long_verdict_inside_its_column(tmp_path):
    """The verdict and its reasons are longer than the value column: they wrap in it (a row
    tall enough for their lines) instead of spilling over the cells to their right, which
    shrank the printed Policy page until it could not be read."""
    out = tmp_path / "compare.xlsx"
    cmd = [
        "compare",
        *[str(p) for p in RUNS],
        "--usage",
        str(BUNDLE / "claude-code"),
        "-o",
        str(out),
    ]
    assert CliRunner().invoke(cli, cmd).exit_code == 0
    ws = openpyxl.load_workbook(out)["Policy"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    width = ws.column_dimensions["B"].width
    for label in ("Verdict", "Why"):
        cell = ws.cell(rows[label], 2)
        assert len(cell.value) > width, label  # the sample's verdict is a long sentence
        assert cell.alignment.wrap_text, label
        lines = -(-len(cell.value) // 80)
        assert ws.row_dimensions[rows[label]].height >= 15 * lines, label
