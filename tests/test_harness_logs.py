"""Inspect AI, SWE-agent and mini-swe-agent logs: attempts + usage, goldens, costs by hand."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, check_golden, usage_frame, usage_row

import costlens
from costlens import adapters, pricing
from costlens.adapters.inspect_ai import _normalised, _outcome, buckets
from costlens.adapters.swe_agent import outcome
from costlens.attribution import attribute
from costlens.cli import cli
from costlens.compare import Policy, compare
from costlens.discover import discover, expand

INSPECT = FIXTURES / "inspect_ai"
LOGS = INSPECT / "analysis" / "test_logs"
EVALS = INSPECT / "scorer" / "logs"
SWE = FIXTURES / "swe_agent"
MTIME = dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC)
"""SWE-agent trajectories carry no times: the readers use the file's modification time, which
the tests pin by copying the fixtures and setting it."""
AT = dt.datetime(2025, 6, 2, tzinfo=dt.UTC)

# USD per 1M tokens, from the vendors' price pages (not read from pricing/):
MINI = {"in": D("0.15"), "read": D("0.075"), "out": D("0.60")}  # gpt-4o-mini
GPT4O = {"in": D("2.50"), "out": D("10.00")}
SONNET45 = {"in": D(3), "read": D("0.30"), "write5m": D("3.75"), "out": D(15)}


def _mini_cost(inp: int, out: int, read: int = 0) -> D:
    return (inp * MINI["in"] + read * MINI["read"] + out * MINI["out"]) / 1_000_000


@pytest.fixture
def swe_copy(tmp_path: Path) -> Path:
    """The SWE-agent fixtures copied with a known modification time."""
    target = tmp_path / "swe_agent"
    shutil.copytree(SWE, target)
    for f in target.rglob("*"):
        os.utime(f, (MTIME.timestamp(), MTIME.timestamp()))
    return target


# ---- golden canonical output ------------------------------------------------------------------

CASES = {
    "harness-inspect-browser-json": lambda _: [LOGS / "2025-05-12T20-27-36-04-00_browser.json"],
    "harness-inspect-popularity-cancelled-json": lambda _: [
        LOGS / "2025-05-12T20-28-13-04-00_popularity.json"
    ],
    "harness-inspect-no-samples-json": lambda _: [
        LOGS / "2025-05-12T20-28-13-04-00_no-samples.json"
    ],
    "harness-inspect-security-guide-json": lambda _: [
        LOGS / "2025-05-12T20-28-26-04-00_security-guide.json"
    ],
    "harness-inspect-eval": lambda _: [EVALS],
    "harness-swe-agent-traj": lambda swe: sorted(swe.glob("gpt4__*")),
    "harness-mini-swe-agent-traj-json": lambda swe: [swe / "mini"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case, swe_copy):
    check_golden(case, CASES[case](swe_copy), {str(swe_copy): "tests/fixtures/swe_agent"})


# ---- Inspect AI --------------------------------------------------------------------------------


def test_folder_walk_finds_eval_traj_and_traj_json_files(swe_copy):
    names = [p.name for p in expand([INSPECT, swe_copy])]
    assert sum(n.endswith(".eval") for n in names) == 2
    assert sum(n.endswith(".traj") for n in names) == 3
    assert sum(n.endswith(".traj.json") for n in names) == 2
    assert {adapters.identify(p).name for p in expand([INSPECT, swe_copy])} == {
        "inspect-ai",
        "swe-agent-traj",
        "mini-swe-agent-traj",
    }


def test_cancelled_log_is_costed_and_joined_per_sample():
    report = costlens.run([LOGS / "2025-05-12T20-28-13-04-00_popularity.json"])
    tasks = report.tasks.sort("task_id")
    assert tasks["task_id"].to_list() == ["popularity/1", "popularity/2", "popularity/3"]
    assert tasks["solved"].to_list() == [True, True, False]  # scores C, C, I
    # Per-sample model_usage: (64 in, 2 out), (58, 2), (70, 2) at the 2025-05 gpt-4o-mini rates.
    assert tasks["cost"].to_list() == [_mini_cost(64, 2), _mini_cost(58, 2), _mini_cost(70, 2)]
    s = report.summary
    assert s["total_cost"] == _mini_cost(192, 6)  # == stats.model_usage, not twice it
    assert s["unattributed_cost"] == 0
    assert set(report.usage["attribution_method"]) == {"session_id"}


def test_log_without_samples_keeps_its_usage_as_one_unattributed_row():
    report = costlens.run([LOGS / "2025-05-12T20-28-13-04-00_no-samples.json"])
    assert report.runs.is_empty()
    row = report.usage.row(0, named=True)
    assert report.usage.height == 1
    assert (row["input_uncached"], row["output"], row["session_id"]) == (192, 6, None)
    assert report.summary["unattributed_cost"] == report.summary["total_cost"] == _mini_cost(192, 6)


def test_pre_0_3_184_openai_input_includes_cache_reads():
    usage = discover([LOGS / "2025-05-12T20-27-36-04-00_browser.json"]).usage
    row = usage.row(0, named=True)
    # inspect_ai 0.3.95: input_tokens 15,235 includes 9,088 cache reads (total 15,516 = in + out)
    assert (row["input_uncached"], row["cache_read"], row["output"]) == (6147, 9088, 281)
    report = costlens.run([LOGS / "2025-05-12T20-27-36-04-00_browser.json"])
    assert report.summary["total_cost"] == _mini_cost(6147, 281, read=9088)


@pytest.mark.parametrize(
    ("usage", "normalised", "expected"),
    [
        # >= 0.3.184: input excludes the cache whatever the total says.
        ({"input_tokens": 100, "input_tokens_cache_read": 900, "output_tokens": 5}, True, 100),
        # before: total = input + output -> the cache is inside input (OpenAI, Google).
        (
            {
                "input_tokens": 1000,
                "input_tokens_cache_read": 900,
                "output_tokens": 5,
                "total_tokens": 1005,
            },
            False,
            100,
        ),
        # before: total = input + cache + output -> apart already (Anthropic).
        (
            {
                "input_tokens": 100,
                "input_tokens_cache_read": 900,
                "input_tokens_cache_write": 50,
                "output_tokens": 5,
                "total_tokens": 1055,
            },
            False,
            100,
        ),
        # before, no telling total: an input smaller than the cache cannot include it.
        ({"input_tokens": 100, "input_tokens_cache_read": 900, "output_tokens": 5}, False, 100),
        ({"input_tokens": 1000, "input_tokens_cache_read": 900, "output_tokens": 5}, False, 100),
    ],
)
def test_token_convention(usage, normalised, expected):
    assert buckets(usage, normalised)["input_uncached"] == expected


@pytest.mark.parametrize(
    ("version", "normalised"),
    [
        ("0.3.184", True),
        ("0.3.232", True),
        ("0.4.0", True),
        ("0.3.184.dev3+gabc", False),
        ("0.3.183", False),
        ("0.3.95.dev16+g6527d0861", False),
        (None, False),
    ],
)
def test_version_gate(version, normalised):
    assert _normalised(version) is normalised


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ({"scores": {"match": {"value": "C"}}}, "pass"),
        ({"scores": {"match": {"value": "I"}}}, "fail"),
        ({"scores": {"match": {"value": "P"}}}, "fail"),  # partial credit is not a pass
        ({"scores": {"s": {"value": 1}}}, "pass"),
        ({"scores": {"s": {"value": D("1.0")}}}, "pass"),
        ({"scores": {"s": {"value": D("0.5")}}}, "fail"),
        ({"scores": {"s": {"value": "1.0"}}}, "pass"),
        ({"scores": {"s": {"value": True}}}, "pass"),
        ({"scores": {"s": {"value": "correct"}}}, "pass"),
        ({"scores": {"s": {"value": {"a": 1}}}}, "error"),
        ({"scores": {}}, "error"),
        ({"scores": {"match": {"value": "C"}}, "error": {"message": "boom"}}, "error"),
    ],
)
def test_score_to_outcome(sample, expected):
    assert _outcome(sample) == expected


def test_eval_archives_are_two_runs_of_the_same_ten_samples():
    runs = discover([EVALS]).runs
    assert runs.height == 20
    assert runs["run_id"].n_unique() == 2
    assert runs.group_by("task_id").len()["len"].to_list() == [2] * 10
    assert runs["request_ids"].list.len().to_list() == [1] * 20
    assert runs["request_ids"].list.first().str.starts_with("chatcmpl-").all()


def test_provider_rows_join_inspect_attempts_by_response_id():
    runs = discover([LOGS / "2025-05-12T20-28-13-04-00_popularity.json"]).runs
    rid = "chatcmpl-BWXnBwogVRYh1goiCcNwSB1tYYQgf"  # sample 1's model call
    row = usage_row(provider="openai", model="gpt-4o-mini", response_id=rid, input_uncached=64)
    book = pricing.load()
    out = attribute(pricing.price(usage_frame(row), book), runs.lazy(), book.resolve).collect()
    assert out.row(0, named=True)["attribution_method"] == "request_id"
    assert out.row(0, named=True)["task_id"] == "popularity/1"


# ---- SWE-agent and mini-swe-agent ---------------------------------------------------------------


def test_swe_agent_models_tokens_and_billed_cost(swe_copy):
    got = discover(sorted(swe_copy.glob("gpt4__*")))
    usage = got.usage.sort("input_uncached")
    assert usage["model"].to_list() == ["gpt-4o", "gpt4", "gpt4"]  # 1.x config; 0.x folder name
    assert usage["input_uncached"].to_list() == [7141, 52861, 122612]
    assert usage["output"].to_list() == [243, 326, 1369]
    assert usage["requests"].to_list() == [5, 5, 12]
    assert usage["billed_cost"].to_list() == [D("0.01952"), D("0.53839"), D("1.26719")]
    assert usage["period_start"].to_list() == [MTIME] * 3
    assert got.runs["outcome"].to_list() == ["pass"] * 3  # each submitted a patch
    assert got.runs["ended_at"].to_list() == [MTIME] * 3


def test_swe_agent_costs_by_hand_and_old_label_stays_unpriced(swe_copy):
    report = costlens.run(sorted(swe_copy.glob("gpt4__*")), price_date=AT)
    usage = report.usage.sort("input_uncached")
    assert usage["cost"][0] == (7141 * GPT4O["in"] + 243 * GPT4O["out"]) / 1_000_000
    assert usage["price_status"].to_list()[1:] == ["unpriced", "unpriced"]  # "gpt4"
    assert usage["cost"].to_list()[1:] == [None, None]


def test_mini_swe_agent_per_call_rows_price_to_the_logged_cost(swe_copy):
    report = costlens.run([swe_copy / "mini"])  # priced at each call's own time (2025-12-29)
    calls = report.usage.filter(pl.col("response_id").is_not_null()).sort("response_id")
    first = (840 * SONNET45["in"] + 8960 * SONNET45["write5m"] + 310 * SONNET45["out"]) / 10**6
    second = (1540 * SONNET45["in"] + 8960 * SONNET45["read"] + 120 * SONNET45["out"]) / 10**6
    assert calls["cost"].to_list() == [first, second]
    assert calls["billed_cost"].to_list() == [first, second]  # the fixture's extra.cost
    tasks = report.tasks.sort("task_id")
    assert tasks["task_id"].to_list() == ["astropy__astropy-12907", "django__django-11099"]
    assert tasks["solved"].to_list() == [False, True]
    assert tasks["cost"].to_list() == [0, first + second]
    assert tasks["wall_seconds"].to_list() == [None, 12]  # no start time logged: unknown, not 0
    total_only = report.usage.filter(pl.col("response_id").is_null()).row(0, named=True)
    assert (total_only["requests"], total_only["billed_cost"]) == (41, D("3.0125"))
    assert total_only["input_uncached"] is None  # no token counts: reported billed, not $0


@pytest.mark.parametrize(
    ("status", "submission", "expected"),
    [
        ("submitted", "diff --git a/x b/x", "pass"),
        ("submitted (exit_cost)", "diff --git a/x b/x", "pass"),
        ("Submitted", "diff", "pass"),
        ("submitted", "", "fail"),
        ("exit_cost", None, "fail"),
        ("LimitsExceeded", "", "fail"),
        ("exit_format", None, "fail"),
        ("exit_error", None, "error"),
        ("exit_api", None, "error"),
        ("early_exit", None, "error"),
        ("RuntimeError", "", "error"),
        (None, None, "error"),
    ],
)
def test_trajectory_outcome(status, submission, expected):
    assert outcome(status, submission) == expected


def test_compare_refuses_models_with_no_shared_task(swe_copy):
    args = ["compare", str(EVALS), str(swe_copy / "mini")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output == (
        "Error: no task was attempted by every model (inspect-ai / openai/gpt-4o-mini, "
        "mini-swe-agent / anthropic/claude-sonnet-4-5-20250929): compare needs a shared task; "
        "pass run logs of the same tasks, or compare the models one bundle at a time\n"
    )


def test_compare_reads_inspect_logs():
    result = CliRunner().invoke(cli, ["compare", str(EVALS), "--json"])
    assert result.exit_code == 0, result.output
    assert "popularity/1" in result.output  # matched task ids from the two .eval runs


def test_compare_never_prices_a_money_only_total_at_zero(swe_copy):
    """The run's stated total ($3.0125 over 41 calls, no token counts) is billed, not $0."""
    got = compare([swe_copy / "mini"], policy=Policy(bootstrap=10))
    total_only = got.report.usage.filter(pl.col("response_id").is_null()).row(0, named=True)
    assert (total_only["price_status"], total_only["cost"]) == ("billed", None)
    assert total_only["billed_cost"] == D("3.0125")
    first = (840 * SONNET45["in"] + 8960 * SONNET45["write5m"] + 310 * SONNET45["out"]) / 10**6
    second = (1540 * SONNET45["in"] + 8960 * SONNET45["read"] + 120 * SONNET45["out"]) / 10**6
    assert got.models["total_cost"].to_list() == [first + second]
