"""End to end on the bundled samples: the workbook, and costs recomputed by hand."""

from __future__ import annotations

import json
from decimal import Decimal as D

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from sample_counts import claude_code_lines, run_attempts

import costlens
from costlens.cli import cli
from costlens.discover import discover

# USD per 1M tokens, typed from the vendor's price page (not read from pricing/):
# (input, cache read, 5m write, 1h write, output), and the >200K whole-request tier.
RATES = {
    "claude-sonnet-4-5-20250929": (D(3), D("0.30"), D("3.75"), D(6), D(15)),
    "claude-opus-4-5-20251101": (D(5), D("0.50"), D("6.25"), D(10), D(25)),
    "claude-haiku-4-5-20251001": (D(1), D("0.10"), D("1.25"), D(2), D(5)),
}
SONNET_LONG = (D(6), D("0.60"), D("7.50"), D(12), D("22.50"))


def hand_cost(row: dict) -> D:
    tokens = [
        row[b]
        for b in ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")
    ]
    rates = RATES[row["model"]]
    if row["model"].startswith("claude-sonnet-4-5") and sum(tokens[:4]) > 200_000:
        rates = SONNET_LONG
    return sum((D(t) * r for t, r in zip(tokens, rates, strict=True)), D(0)) / 1_000_000


@pytest.fixture(scope="module")
def sample_report():
    return costlens.run([SAMPLES])


def test_claude_code_bundle_cost_matches_a_hand_computation(sample_report):
    rows = discover([SAMPLES / "bundle" / "claude-code"]).usage.to_dicts()
    expected = sum((hand_cost(r) for r in rows), D(0))
    got = sample_report.usage.filter(sample_report.usage["source_format"] == "claude-code")[
        "cost"
    ].sum()
    assert D(got) == expected
    assert any(
        sum(r[b] for b in ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h"))
        > 200_000
        for r in rows
    )


def test_task_cost_is_the_hand_priced_usage_of_the_run_logs_sessions(sample_report):
    """Each attempt in the run logs names its Claude Code session; the usage of those sessions,
    priced by hand, is what the tasks cost ($48.56); the rest of the total is unattributed."""
    sessions = {r["session_id"] for r in run_attempts() if r.get("session_id")}
    rows = discover([SAMPLES / "bundle" / "claude-code"]).usage.to_dicts()
    expected = sum((hand_cost(r) for r in rows if r["session_id"] in sessions), D(0))
    s = sample_report.summary
    assert s["task_cost"] == s["attributed_cost"] == expected
    assert expected.quantize(D("0.01")) == D("48.56")
    assert s["unattributed_cost"] == s["total_cost"] - expected


def test_every_row_is_accounted_for(sample_report):
    """Counts from the sample files (tests/sample_counts.py), not from the code's own sums."""
    r, cc = sample_report.summary["rows"], claude_code_lines()
    assert r["duplicate"] == cc["usage"] - cc["records"]
    assert r["rejected"] == cc["not_json"] == 1  # the truncated line in the samples
    assert r["unpriced"] == 0  # the fine-tuned model is priced at its fine-tuned rates


def _table(wb, title: str) -> list[dict]:
    """A table sheet as row dicts keyed by its (human) headers; stops at the first blank row."""
    rows = list(wb[title].iter_rows(values_only=True))
    out = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        out.append(dict(zip(rows[0], r, strict=True)))
    return out


def _summary(wb) -> dict:
    return {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True) if r[0]}


def test_workbook_sheets_and_summary_adds_up(tmp_path):
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(cli, ["report", str(SAMPLES), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == [
        "Summary",
        "Charts",
        "Models",
        "Model stats",
        "By day",
        "Tasks",
        "Months",
        "Usage",
        "Unattributed",
        "Pricing",
        "Data quality",
        "Inputs",
        "Chart data",
    ]
    summary = _summary(wb)
    task_cents = sum(round(D(str(r["Cost"])) * 100) for r in _table(wb, "Tasks"))
    total = round(D(str(summary["Total cost computed from usage"])) * 100)
    unattributed = round(D(str(summary["  not attributed to a task"])) * 100)
    assert total == task_cents + unattributed
    assert summary["Billed cost stated by the sources"] is None  # no source states a bill


def test_json_total_equals_workbook_total(tmp_path):
    """The JSON total (exact) and the workbook's (cents, read back) are the same number."""
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(cli, ["report", str(SAMPLES), "--json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    exact = D(json.loads(result.output)["total_cost"])
    summary = openpyxl.load_workbook(out, read_only=True)["Summary"]
    shown = {r[0]: r[1] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert D(str(shown["Total cost computed from usage"])) == exact.quantize(D("0.01"))


def test_usage_sheet_is_capped_and_the_rest_is_beside_it(tmp_path, monkeypatch, sample_report):
    import polars as pl

    from costlens.reports import excel

    monkeypatch.setattr(excel, "DETAIL_SHEET_ROWS", 10)
    out = tmp_path / "r.xlsx"
    beside = excel.write_workbook(sample_report, out)
    wb = openpyxl.load_workbook(out, read_only=True)
    total = sample_report.usage.height
    note = f"first 10 of {total:,} rows; all rows in r.usage.parquet"
    assert _summary(wb)["Usage sheet"] == note
    assert len(_table(wb, "Usage")) == 10
    assert [p.name for p in beside] == ["r.by_day.parquet", "r.tasks.parquet", "r.usage.parquet"]
    assert pl.read_parquet(tmp_path / "r.usage.parquet").height == total
