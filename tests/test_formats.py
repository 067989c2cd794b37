"""Provider exports and logs (issue 4, first half): golden canonical rows for every fixture,
plus the rules each reader must keep, checked by hand-computed values."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import polars as pl
import pytest
from conftest import FIXTURES, check_golden

import costlens
from costlens import adapters
from costlens.discover import discover
from costlens.errors import MissingColumn

BATCH_RESULTS = FIXTURES / "anthropic_batch" / "results.jsonl"
BATCH_MTIME = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
"""Anthropic batch results state no time: rows take the file's mtime, pinned here."""

CASES = {
    "openai-costs": ["openai_costs/costs_page.json"],
    "openai-dashboard-activity": ["openai_dashboard/activity.csv"],
    "openai-dashboard-cost": ["openai_dashboard/cost.csv"],
    "openai-batch-output": ["openai_batch/batch_output.jsonl"],
    "openai-response-log-real": ["openai_response_log/inspect_security_guide.jsonl"],
    "openai-response-log-wrapped": ["openai_response_log/wrapped.jsonl"],
    "anthropic-cost-report": ["anthropic_cost_report/cost_report.json"],
    "anthropic-claude-code-report": ["claude_code_report/claude_code_2025-08-08.json"],
    "anthropic-batch-results": ["anthropic_batch/results.jsonl"],
    "anthropic-message-log": ["anthropic_message_log/messages.jsonl"],
    "openrouter-generation": ["openrouter/generations.jsonl"],
    "openrouter-activity": ["openrouter/activity.json"],
    "litellm-json": ["litellm/spend_logs.json"],
    "litellm-csv": ["litellm/spend_logs.csv"],
    "codex-rollout": ["codex/rollout-2026-05-13T09-00-00-019e0000.jsonl"],
    "codex-ccusage": ["codex/ccusage-session-alpha.jsonl"],
}


@pytest.fixture(autouse=True)
def _pinned_batch_mtime():
    stamp = BATCH_MTIME.timestamp()
    os.utime(BATCH_RESULTS, (stamp, stamp))


def _read(*names: str):
    return discover([FIXTURES / n for n in names])


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case):
    check_golden(f"formats-{case}", [FIXTURES / p for p in CASES[case]])


def test_every_fixture_is_claimed_by_exactly_one_reader():
    for files in CASES.values():
        for f in files:
            claims = [a.name for a in adapters.ADAPTERS if a.identify(FIXTURES / f)]
            assert len(claims) == 1, (f, claims)


def test_anthropic_cost_amounts_are_cents_as_decimal_strings():
    got = _read("anthropic_cost_report/cost_report.json").usage
    assert got["billed_cost"].to_list() == [Decimal("28.4175"), Decimal("1.2345"), Decimal("0.035")]
    assert got["currency"].to_list() == ["USD"] * 3
    # Money, not usage: no token count at all, so nothing is priced from these rows.
    assert got.select(pl.col("input_uncached", "output").is_null().all()).row(0) == (True, True)


def test_openai_costs_dollars_from_raw_text_and_uppercase_currency():
    got = _read("openai_costs/costs_page.json").usage
    assert got["billed_cost"].to_list() == [Decimal("0.895874"), Decimal("1.2481"), Decimal(0)]
    assert set(got["currency"]) == {"USD"}
    assert got["billed_quantity"].to_list()[:2] == [Decimal(447937), Decimal("156012.5")]
    assert got["line_item"][0] == "gpt-4.1-2025-04-14, input"


def test_dashboard_counts_written_as_floats_must_be_whole():
    got = _read("openai_dashboard/activity.csv")
    assert got.usage["input_uncached"].to_list() == [64000 - 8192, 59200]
    assert got.usage["batch"].to_list() == [False, True]
    issues = {(r["kind"], r["source_line"], r["reason"]) for r in got.issues.iter_rows(named=True)}
    assert ("rejected", 5, "input_tokens '100.5' is not a whole number") in issues
    assert ("skipped", 3, "day without usage (only the time columns are filled)") in issues


def test_dashboard_cost_keeps_twelve_decimal_places_from_text():
    got = _read("openai_dashboard/cost.csv").usage
    assert got["billed_cost"].to_list() == [Decimal("0.123456789012"), Decimal("0.072")]


def test_codex_usage_is_the_delta_of_cumulative_totals():
    got = _read("codex/rollout-2026-05-13T09-00-00-019e0000.jsonl")
    u = got.usage
    # Second counted event: totals 71000 / 55296 minus the first event's 30120 / 24576.
    assert u["input_uncached"].to_list() == [30120 - 24576, (71000 - 30120) - (55296 - 24576), 296]
    assert u["cache_write_5m"].to_list() == [0, 0, 4000]
    assert u["output"].sum() == 2500  # the final cumulative output, counted once
    assert u["model"].to_list() == ["gpt-5-codex", "gpt-5", "gpt-5"]
    reasons = dict(zip(got.issues["reason"], got.issues["count"], strict=True))
    assert reasons["token_count repeats the previous totals"] == 1
    assert reasons["token_count without usage (info: null)"] == 1


def test_batch_custom_ids_are_kept_for_joins():
    openai = _read("openai_batch/batch_output.jsonl").usage
    assert openai["custom_id"].to_list() == ["ACME-101#1", "ACME-102#1"]
    assert openai["batch"].all()
    anthropic = _read("anthropic_batch/results.jsonl").usage
    assert anthropic["custom_id"].to_list() == ["ACME-201#1", "ACME-202#1"]
    assert anthropic["period_start"].to_list() == [BATCH_MTIME, BATCH_MTIME]


def test_response_logged_twice_counts_once():
    got = _read("openai_response_log/wrapped.jsonl")
    assert got.usage["response_id"].to_list() == ["chatcmpl-w1", "resp_r2", "resp_r3"]
    assert got.issues.filter(pl.col("kind") == "duplicate").height == 1


def test_billed_rows_are_reported_beside_computed_cost_never_added():
    report = costlens.run([FIXTURES / "openai_costs" / "costs_page.json"])
    s = report.summary
    assert s["total_cost"] == 0
    assert s["billed_cost"] == Decimal("0.895874") + Decimal("1.2481")
    assert s["billed_currency"] == "USD"
    assert (s["rows"]["billed"], s["rows"]["priced"], s["rows"]["unpriced"]) == (3, 0, 0)


def test_gateway_billed_cost_is_kept_beside_the_computed_cost():
    report = costlens.run([FIXTURES / "litellm" / "spend_logs.json"])
    assert report.summary["billed_cost"] == Decimal("0.004215") + Decimal("0.031081234568")
    assert report.usage["billed_cost"].to_list() == [Decimal("0.004215"), Decimal("0.031081234568")]


@pytest.mark.parametrize(
    ("name", "text", "column"),
    [
        (
            "a.csv",
            "start_time,end_time,start_time_iso,end_time_iso,num_model_requests,"
            "input_tokens\n1,2,x,y,1,2\n",
            "output_tokens",
        ),
        (
            "b.csv",
            "start_time,end_time,start_time_iso,end_time_iso,amount_currency\n1,2,x,y,usd\n",
            "amount_value",
        ),
        (
            "c.csv",
            "request_id,spend,startTime,model,prompt_tokens\nr1,0.1,2026-01-01,m,1\n",
            "completion_tokens",
        ),
    ],
)
def test_known_export_missing_a_column_names_it_and_the_file(tmp_path, name, text, column):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(MissingColumn) as e:
        adapters.identify(path).read(path)
    assert str(e.value).startswith(f"{path}:1: missing column '{column}' (")


def test_cost_report_missing_amount_is_an_error_naming_the_field(tmp_path):
    path = tmp_path / "cost.json"
    path.write_text(
        '{"data":[{"starting_at":"2026-03-01T00:00:00Z","ending_at":"2026-03-02T00:00:00Z",'
        '"results":[{"currency":"USD","amount":"1","cost_type":"tokens"}]}]}'
    )
    assert adapters.identify(path).name == "anthropic-cost-report"
    path.write_text(path.read_text().replace('"amount":"1",', '"amount_x":"1",'))
    with pytest.raises(MissingColumn, match=r"missing field 'amount'; export"):
        adapters.ADAPTERS[[a.name for a in adapters.ADAPTERS].index("anthropic-cost-report")].read(
            path
        )
