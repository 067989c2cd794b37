"""``--review-rate`` on report and compare, and the workbook's "Model stats" sheet."""

from __future__ import annotations

import json
from decimal import Decimal as D

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from sample_counts import first_attempt_success_rate

import costlens
from costlens.cli import cli
from costlens.stats import model_stats

RUNS = SAMPLES / "bundle" / "runs.jsonl"
# review_minutes summed from samples/bundle/runs.jsonl per model (run logs only, no usage).
MINUTES = {"claude-opus-4-5": D("115.2"), "claude-sonnet-4-5": D("332.6")}


def _sheet(wb, name: str) -> list[dict]:
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(rows)]


def test_review_rate_prices_review_minutes_in_their_own_column(tmp_path):
    out = tmp_path / "r.xlsx"
    args = ["report", str(RUNS), "--review-rate", "62.50", "-o", str(out), "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    models = {r["Model under test"]: r for r in _sheet(openpyxl.load_workbook(out), "Models")}
    for model, minutes in MINUTES.items():
        expected = (minutes * D("62.50") / 60).quantize(D("0.01"))  # 120.00, 346.46
        assert D(str(models[model]["Review cost"])).quantize(D("0.01")) == expected
        assert D(str(models[model]["Total cost"])) == 0  # model spend is not touched


def test_review_rate_in_the_library_is_exact():
    report = costlens.run([RUNS], review_rate=D(90))
    got = dict(zip(report.models["run_model"], report.models["review_cost"], strict=True))
    assert got == {m: v * 90 / 60 for m, v in MINUTES.items()}  # 172.8 and 498.9


def test_without_review_rate_there_is_no_review_cost():
    report = costlens.run([RUNS])
    assert report.models["review_cost"].null_count() == report.models.height


@pytest.mark.parametrize("bad", ["abc", "-1", "NaN"])
def test_review_rate_must_be_an_amount(bad):
    result = CliRunner().invoke(cli, ["report", str(RUNS), f"--review-rate={bad}", "-q"])
    assert result.exit_code == 2
    assert (
        f"Error: Invalid value for '--review-rate': '{bad}' is not an amount per hour such as 90 "
        "or 62.50" in result.output
    )


def test_compare_review_rate_overrides_the_policy():
    result = CliRunner().invoke(cli, ["compare", str(RUNS), "--review-rate", "90", "--json"])
    assert result.exit_code == 0, result.output
    models = {m["run_model"]: m for m in json.loads(result.output)["models"]}
    assert D(models["claude-opus-4-5"]["review_cost"]) == D("172.8")


def test_model_stats_sheet_has_intervals_pass_k_and_expected_cost(tmp_path):
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(cli, ["report", str(SAMPLES), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rows = _sheet(openpyxl.load_workbook(out, read_only=True), "Model stats")
    assert [r["Model under test"] for r in rows] == ["claude-opus-4-5", "claude-sonnet-4-5"]
    for r in rows:
        for stat in ("First-attempt", "Solved", "Per solved task"):
            full = {
                "First-attempt": "First-attempt success",
                "Per solved task": "Cost per solved task",
            }
            assert r[f"{stat} 95% low"] <= r[full.get(stat, stat)] <= r[f"{stat} 95% high"]
        assert r["Expected cost to first success"] is not None
        assert 0 <= r["pass^2"] <= r["pass@2"] <= 1


def test_model_stats_match_the_report_and_are_seeded():
    report = costlens.run([SAMPLES])
    args = (report.models, report.tasks, report.attempts)
    a, b = model_stats(*args, b=300, seed=7), model_stats(*args, b=300, seed=7)
    assert a.equals(b)
    # Counted from the two run-log files: opus 13 of 24 task runs, sonnet 7 of 24.
    got = dict(zip(a["run_model"], a["first_attempt_success_rate"], strict=True))
    assert got == {m: first_attempt_success_rate(m) for m in MINUTES}
    assert got == {"claude-opus-4-5": 13 / 24, "claude-sonnet-4-5": 7 / 24}
