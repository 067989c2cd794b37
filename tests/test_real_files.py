"""Real files written by real tools (issue 8): each read right, costs checked by hand.

Fixtures: ``tests/fixtures/real/`` (provenance and licenses in its README) and the older real
copies under ``tests/fixtures/inspect_ai`` and ``tests/fixtures/swe_agent``. Expected values are
computed here from the vendors' list prices or taken from totals the files state.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from decimal import Decimal as D

import polars as pl
from click.testing import CliRunner
from conftest import FIXTURES

import costlens
from costlens.cli import cli

REAL = FIXTURES / "real"
UNSCORED_EVAL = (
    FIXTURES
    / "inspect_ai/scorer/logs/2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval"
)
"""A real Inspect run whose 10 samples carry no score: the model solved nothing."""
SWE_0X = (
    FIXTURES / "swe_agent/gpt4__swe-agent__test-repo__default_from_url__t-0.00__p-0.95__c-3.00"
    "__install-1/swe-agent__test-repo-i1.traj"
)

# USD per 1M tokens from the vendors' price pages (not read from pricing/):
GPT_4O_MINI = {"in": D("0.15"), "out": D("0.60")}


def _json(args: list[str]) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ---- 1. a model that solved nothing -------------------------------------------------------------


def test_report_and_compare_survive_a_model_that_solved_nothing():
    # Stated usage: 620 input / 20 output tokens of gpt-4o-mini (stats.model_usage).
    cost = (620 * GPT_4O_MINI["in"] + 20 * GPT_4O_MINI["out"]) / 1_000_000
    report = costlens.run([UNSCORED_EVAL])
    model = report.models.row(0, named=True)
    assert (model["solved_task_runs"], model["total_cost"]) == (0, cost)
    assert model["cost_per_solved_task"] is None  # no solved task: no figure, never a crash
    assert model["cost_per_solved_task_with_review"] is None
    compared = _json(["compare", str(UNSCORED_EVAL)])["models"][0]
    assert (compared["total_cost"], compared["cost_per_solved_task"]) == (str(cost), None)


# ---- 2. trajectories that name no model ---------------------------------------------------------


def test_swe_agent_trajectory_outside_its_experiment_folder_is_unpriced_not_a_crash(tmp_path):
    plain = tmp_path / "trajectories"  # not "<model>__<data>__...": the model is unknown
    plain.mkdir()
    shutil.copy(SWE_0X, plain)
    report = costlens.run([plain])
    row = report.usage.row(0, named=True)
    assert (row["model"], row["price_status"]) == (None, "unpriced")
    assert row["unpriced_reason"].startswith("no model named")
    # Stated by the file (info.model_stats): kept as billed, and the attempt still gets its tokens.
    assert (row["input_uncached"], row["output"], row["billed_cost"]) == (52861, 326, D("0.53839"))
    task = report.tasks.row(0, named=True)
    assert (task["task_id"], task["input_uncached"]) == ("swe-agent__test-repo-i1", 52861)


def test_trajectory_holding_only_history_is_an_attempt_without_usage():
    report = costlens.run([REAL / "swe_agent" / "history-only.traj"])
    assert report.usage.height == 0
    assert report.runs["task_id"].to_list() == ["history-only"]
    skipped = report.issues.filter(pl.col("kind") == "skipped")
    assert skipped["reason"].to_list() == ["no info.model_stats: the trajectory records no usage"]


# ---- 3-5. single saved API responses, no time, reasoning beside completion ---------------------

SAVED = REAL / "saved_responses"
GROK_3_MINI = {"in": D("0.30"), "read": D("0.075"), "out": D("0.50")}  # docs.x.ai/docs/models
HAIKU_45 = {"in": D(1), "out": D(5)}  # anthropic.com/pricing


def test_saved_xai_response_counts_reasoning_beside_completion_and_matches_its_stated_cost():
    report = costlens.run([SAVED / "xai-tool-call.json"])
    row = report.usage.row(0, named=True)
    # usage: prompt 291 (244 cached), completion 26, reasoning 189, total 506 = 291 + 26 + 189:
    # xAI reports reasoning beside completion, and bills both as output.
    assert (row["input_uncached"], row["cache_read"]) == (291 - 244, 244)
    assert (row["output"], row["reasoning"]) == (26 + 189, 189)
    by_hand = (
        47 * GROK_3_MINI["in"] + 244 * GROK_3_MINI["read"] + 215 * GROK_3_MINI["out"]
    ) / 10**6
    assert row["cost"] == by_hand
    assert row["billed_cost"] == D(1399000) / 10**10  # the file's cost_in_usd_ticks
    assert row["billed_cost"] == row["cost"]
    assert report.issues.filter(pl.col("kind") == "rejected").height == 0


def test_saved_anthropic_message_without_a_time_is_priced_at_the_file_time(tmp_path):
    path = tmp_path / "anthropic-json-tool.1.json"
    shutil.copy(SAVED / path.name, path)
    when = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    os.utime(path, (when.timestamp(), when.timestamp()))
    report = costlens.run([path])
    row = report.usage.row(0, named=True)
    assert (row["period_start"], row["time_source"]) == (when, "file_mtime")
    assert row["cost"] == (1151 * HAIKU_45["in"] + 87 * HAIKU_45["out"]) / 10**6
    at = costlens.run([path], price_date=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    assert at.usage.row(0, named=True)["price_status"] == "priced"


# ---- 10. Vertex AI SKU names as real billing catalogs spell them ------------------------------


def test_vertex_sku_families_read_as_their_token_buckets():
    from costlens.adapters._names import gcp_sku

    # Real SKU descriptions (shared/research/field-notes-2.md, from Cloud Billing catalogs).
    got = {
        s: (gcp_sku(s).model, gcp_sku(s).direction)
        for s in (
            "Gemini 2.5 Flash GA Input Text Caching",
            "Gemini 2.5 Flash Input Text Caching Storage",
            "Gemini 2.5 Flash GA Text Input - Predictions",
            "Gemini 2.5 Flash GA Thinking Text Output - Predictions",
            "Generate content cached input token count gemini 2.5 flash short input text",
        )
    }
    assert list(got.values()) == [
        ("gemini-2.5-flash", "cache_read"),  # cached input: the cache rate, not 10x
        (None, None),  # storage per token-hour: not tokens, never priced as input
        ("gemini-2.5-flash", "input"),
        ("gemini-2.5-flash", "output"),
        ("gemini-2.5-flash", "cache_read"),
    ]


# ---- 11. launch dates and grouped unpriced reasons ----------------------------------------------


def test_gpt_5_3_codex_is_priced_on_the_day_real_codex_logs_used_it(book):
    from conftest import price_one

    # Real Codex Desktop logs (issue 8) call gpt-5.3-codex on 2026-02-23; list price $1.75 / $14.
    row = price_one(
        book,
        provider="openai",
        model="gpt-5.3-codex",
        input_uncached=1000,
        output=100,
        period_start=dt.datetime(2026, 2, 23, 9, tzinfo=dt.UTC),
    )
    assert row["cost"] == (1000 * D("1.75") + 100 * D(14)) / 10**6


def test_usage_before_a_first_period_is_one_reason_per_model(book):
    from conftest import price_one

    reasons = {
        price_one(book, model="claude-opus-4-5", output=1, period_start=at)["unpriced_reason"]
        for at in (dt.datetime(2025, 10, d, h, tzinfo=dt.UTC) for d in (6, 7) for h in (9, 17))
    }
    assert reasons == {"no price for claude-opus-4-5 before its first period (2025-11-24)"}


# ---- 6. mini-swe-agent 1.x: times and OpenRouter's stated cost per call -------------------------

MINI_1X = REAL / "mini_swe_agent" / "gemini-3-pro-mini-v1.15.0"
MINI_1X_TRAJ = MINI_1X / "django__django-11099" / "django__django-11099.traj.json"
GEMINI_3_PRO = {"in": D(2), "read": D("0.20"), "out": D(12)}  # ai.google.dev/pricing, <=200k


def _mini_calls(path) -> list[dict]:
    doc = json.loads(path.read_text())
    said = [m for m in doc["messages"] if m["role"] == "assistant"]
    return [m["extra"]["response"] for m in said]


def test_mini_swe_agent_1x_calls_take_their_time_and_openrouter_cost():
    calls = _mini_calls(MINI_1X_TRAJ)  # 21 calls, each with usage.cost (OpenRouter) and created
    report = costlens.run([MINI_1X])
    rows = report.usage.sort("period_start")
    assert rows.height == len(calls) == 21
    assert set(rows["time_source"]) == {"record"}
    assert rows["period_start"][0] == dt.datetime.fromtimestamp(calls[0]["created"], dt.UTC)
    prompt = sum(c["usage"]["prompt_tokens"] for c in calls)
    read = sum(c["usage"]["prompt_tokens_details"]["cached_tokens"] for c in calls)
    out = sum(c["usage"]["completion_tokens"] for c in calls)
    assert (prompt, read, out) == (132644, 94594, 3226)
    assert rows["input_uncached"].sum() == prompt - read
    by_hand = (
        (prompt - read) * GEMINI_3_PRO["in"]
        + read * GEMINI_3_PRO["read"]
        + out * GEMINI_3_PRO["out"]
    ) / 10**6
    assert by_hand == D("0.1337308")  # info.model_stats.instance_cost 0.13373079999999998
    assert report.summary["total_cost"] == by_hand
    assert report.summary["billed_cost"] == sum(D(str(c["usage"]["cost"])) for c in calls)
    assert report.summary["billed_cost"] == by_hand


def test_mini_swe_agent_calls_without_a_cost_keep_the_trajectory_cost_as_billed(tmp_path):
    # A 1.x LiteLLM run stores the raw response without OpenRouter's usage.cost: the same real
    # file with that field removed.
    doc = json.loads(MINI_1X_TRAJ.read_text())
    for m in doc["messages"]:
        m.get("extra", {}).get("response", {}).get("usage", {}).pop("cost", None)
    path = tmp_path / "run" / "django__django-11099" / "django__django-11099.traj.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(doc))
    report = costlens.run([path])
    # info.model_stats.instance_cost 0.13373079999999998, kept to 12 places
    assert report.summary["billed_cost"] == D("0.1337308")
    billed = report.usage.filter(pl.col("billed_cost").is_not_null())
    assert (billed.height, billed["requests"].to_list()) == (1, [0])


def test_mini_swe_agent_bare_list_of_messages_is_an_attempt_without_usage():
    """Defect D4: mini-swe-agent's tests/test_data trajectories stopped the whole run."""
    path = REAL / "mini_swe_agent" / "local.traj.json"
    report = costlens.run([path, MINI_1X])
    assert sorted(report.runs["task_id"]) == ["django__django-11099", "local"]
    skipped = report.issues.filter(pl.col("source_file").str.ends_with(path.name))
    assert skipped["reason"].to_list() == [
        "a bare list of messages (no info): the trajectory records no usage"
    ]
    assert report.usage.height == 21  # the other trajectory's calls, unchanged
