"""The command line: exact error texts, exit codes, and nothing half-written on failure."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES
from sample_counts import claude_code_lines, report_results

from costlens.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_unrecognised_file_is_an_error_pointing_to_the_formats(tmp_path):
    junk = tmp_path / "notes.csv"
    junk.write_text("a,b\n1,2\n")
    out = tmp_path / "r.xlsx"
    result = invoke("report", str(junk), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {junk}: no reader recognises this file; see docs/formats.md for the formats"
        " costlens reads\n"
    )
    assert not out.exists()


def test_missing_path_is_an_error(tmp_path):
    result = invoke("report", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.jsonl'}: no such file or folder\n"


def test_truncated_line_is_rejected_with_its_location_and_strict_fails(tmp_path):
    log = tmp_path / "projects" / "p" / "s.jsonl"
    log.parent.mkdir(parents=True)
    good = (FIXTURES / "claude_code" / "one_response.jsonl").read_text()
    log.write_text(good + good.splitlines()[0][:80] + "\n")
    lines = len(log.read_text().splitlines())
    result = invoke("report", str(tmp_path / "projects"), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["rows"]["rejected"] == 1
    out = tmp_path / "r.xlsx"
    strict = invoke("report", str(tmp_path / "projects"), "--strict", "-o", str(out))
    assert strict.exit_code == 3  # --strict refused the run (README: exit codes)
    assert strict.output == (
        f"Error: 1 row(s) rejected (--strict); first: {log}:{lines}: "
        "line is not valid JSON (truncated?)\n"
    )
    assert not out.exists()


REPORT_OPENAI = "openai-usage-completions-2025-12.json"


def test_json_summary_has_the_documented_keys():
    result = invoke("report", str(SAMPLES), "--json")
    assert result.exit_code == 0
    s = json.loads(result.output)
    assert set(s) >= {
        "total_cost",
        "currency",
        "tokens",
        "models",
        "rows",
        "unattributed_cost",
        "pricing_version",
    }
    assert set(s["tokens"]) == {
        "input_uncached",
        "cache_read",
        "cache_write_5m",
        "cache_write_1h",
        "output",
        "reasoning",
    }
    assert set(s["rows"]) >= {"read", "priced", "unpriced", "rejected", "duplicate"}
    # Counted from the sample files themselves (tests/sample_counts.py): 146 + 143 report rows,
    # 2,200 Claude Code usage lines holding 1,098 distinct records, 1 line that is not JSON.
    reports = sum(map(report_results, ["anthropic-usage-report-2025-12.json", REPORT_OPENAI]))
    cc = claude_code_lines()
    assert s["rows"] == {
        "read": reports + cc["usage"] + cc["not_json"],  # 2,490
        "priced": reports + cc["records"],  # 1,387: every sample model has a price
        "unpriced": 0,
        "billed": 0,
        "rejected": cc["not_json"],
        "duplicate": cc["usage"] - cc["records"],  # 1,102
        "skipped": cc["skipped"],  # lines without usage, and one <synthetic> notice
    }
    total = Decimal(s["total_cost"])
    assert total == sum(Decimal(m["cost"]) for m in s["models"])
    assert s["pricing_version"].startswith("sha256:")


TABLES = [
    "by_day", "chart_cost_vs_success", "chart_daily_spend_by_model",
    "chart_monthly_spend_by_provider", "chart_token_mix_by_model", "data_quality", "inputs",
    "model_stats", "models", "months", "pricing", "summary", "tasks", "unattributed", "usage",
]  # fmt: skip


def test_csv_dir_writes_every_table_of_the_workbook(tmp_path):
    result = invoke("report", str(SAMPLES), "--csv-dir", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{t}.csv" for t in TABLES]


def test_failed_write_leaves_no_file(tmp_path):
    out = tmp_path / "missing-folder" / "r.xlsx"
    result = invoke("report", str(SAMPLES), "-o", str(out))
    assert result.exit_code == 4  # an output cannot be written
    assert result.output == f"Error: {out}: the folder does not exist; create it first\n"
    assert not out.parent.exists()


def test_run_log_given_as_usage_is_read_as_a_run_log(tmp_path):
    runs = SAMPLES / "bundle" / "runs.jsonl"
    result = invoke(
        "report", str(SAMPLES / "bundle" / "claude-code"), "--runs", str(runs), "--json"
    )
    assert result.exit_code == 0


def test_usage_file_passed_as_run_log_is_an_error(tmp_path):
    usage = next((SAMPLES / "bundle" / "claude-code").rglob("*.jsonl"))
    result = invoke("report", str(SAMPLES / "billing"), "--runs", str(usage))
    assert result.exit_code == 1
    assert result.output == f"Error: {usage}: passed as a run log but reads as claude-code\n"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name):
    assert cli.commands[name].help


def test_quiet_prints_nothing(tmp_path):
    shutil.copytree(SAMPLES / "billing", tmp_path / "billing")
    result = invoke("report", str(tmp_path / "billing"), "-q")
    assert result.exit_code == 0
    assert result.output == ""


def test_parquet_dir_keeps_exact_decimals(tmp_path):
    import polars as pl

    result = invoke("report", str(SAMPLES), "--parquet-dir", str(tmp_path / "pq"), "--json")
    assert result.exit_code == 0
    usage = pl.read_parquet(tmp_path / "pq" / "usage.parquet")
    assert usage.schema["cost"] == pl.Decimal(38, 12)
    assert Decimal(usage["cost"].sum()) == Decimal(json.loads(result.output)["total_cost"])
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == [f"{t}.parquet" for t in TABLES]


def test_empty_and_summary_only_session_files_are_read_not_refused(tmp_path):
    folder = tmp_path / "projects" / "-work-x"
    folder.mkdir(parents=True)
    (folder / "empty.jsonl").write_text("")
    # A Claude Code session file can hold nothing but compaction summaries (no sessionId).
    summary = (
        '{"type":"summary","summary":"(text)","leafUuid":"00000000-0000-4000-8000-000000000001"}'
    )
    (folder / "summary-only.jsonl").write_text(summary + "\n")
    shutil.copy(FIXTURES / "claude_code" / "one_response.jsonl", folder / "s.jsonl")
    result = invoke("report", str(tmp_path / "projects"), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert (rows["priced"], rows["duplicate"]) == (1, 4)
    assert rows["skipped"] == 2  # the empty file and the summary line


def test_a_session_whose_first_line_is_huge_is_still_recognised(tmp_path):
    folder = tmp_path / "projects" / "-work-x"
    folder.mkdir(parents=True)
    line = json.loads((FIXTURES / "claude_code" / "one_response.jsonl").read_text().splitlines()[0])
    user = {"type": "user", "sessionId": line["sessionId"], "uuid": "u-1",
            "message": {"role": "user", "content": "x" * 200_000}}  # fmt: skip
    body = json.dumps(user, separators=(",", ":")) + "\n" + json.dumps(line, separators=(",", ":"))
    (folder / "s.jsonl").write_text(body + "\n")
    result = invoke("report", str(tmp_path / "projects"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"]["priced"] == 1


def test_terminal_table_marks_costs_that_miss_unpriced_requests(tmp_path):
    runs = tmp_path / "runs.jsonl"
    line = json.loads((FIXTURES / "claude_code" / "one_response.jsonl").read_text().splitlines()[0])
    line["message"]["model"] = "claude-unknown-9"
    (tmp_path / "s.jsonl").write_text(json.dumps(line) + "\n")
    runs.write_text(
        json.dumps(
            {
                "task_id": "T1",
                "model": "m",
                "attempt": 1,
                "outcome": "pass",
                "started_at": "2026-02-10T21:00:00Z",
                "ended_at": "2026-02-10T22:00:00Z",
                "session_id": line["sessionId"],
            }
        )
        + "\n"
    )
    result = invoke("report", str(tmp_path / "s.jsonl"), "--runs", str(runs))
    assert result.exit_code == 0, result.output
    assert "* lower bound: 1 usage rows have no price (Data quality)" in result.output
    model_row = next(line for line in result.output.splitlines() if line.startswith("│ m "))
    # Nothing of it is priced: no cost is shown (a lower bound of 0 says nothing), never 0.00.
    assert model_row.split("│")[5].strip() == "-"
