"""aider: per-case results become attempts + usage; leaderboard rates are reproduced."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import polars as pl
from conftest import FIXTURES

from costlens.adapters.aider import leaderboard
from costlens.discover import discover

AIDER = FIXTURES / "aider"

# Rows whose stated pass_rate_2 does not follow from their own pass_num_2 / test_cases. Four of
# them ran 223-224 of the 225 exercises and divided by 225 (e.g. 136 / 225 = 60.4); the o1 row
# matches neither denominator (139 / 224 = 62.1, 139 / 225 = 61.8, stated 61.7).
UPSTREAM_INCONSISTENT = {
    "2024-12-21-19-23-03--polyglot-o1-hard-diff",
    "2025-01-31-20-42-47--o3-mini-diff-high",
    "2025-02-15-19-51-22--chatgpt4o-feb15-diff",
    "2025-02-27-20-26-15--gpt45-diff3",
    "2025-06-27-23-53-57--o3-mini-high-diff-arch",
}


def test_leaderboard_pass_rates_and_cost_per_case_are_reproduced_from_the_rows():
    lb = leaderboard(AIDER / "polyglot_leaderboard.yml")
    assert lb.height == 69
    assert (lb["pass_rate_1"] == lb["pass_rate_1_recomputed"]).all()
    off = lb.filter(pl.col("pass_rate_2") != pl.col("pass_rate_2_recomputed"))
    assert set(off["dirname"]) == UPSTREAM_INCONSISTENT
    by_225 = off.filter(~pl.col("dirname").str.contains("o1-hard"))
    assert all(
        (D(100 * r["pass_num_2"]) / 225).quantize(D("0.1")) == r["pass_rate_2"]
        for r in by_225.iter_rows(named=True)
    )
    costed = lb.filter(pl.col("total_cost").is_not_null())
    assert costed.height == 68  # qwen-max-2025-01-25 has no total_cost
    assert all(
        r["cost_per_case"] == r["total_cost"] / r["test_cases"]
        for r in costed.iter_rows(named=True)
    )


def test_one_leaderboard_row_by_hand():
    lb = leaderboard(AIDER / "polyglot_leaderboard.yml")
    row = lb.row(0, named=True)
    assert row["dirname"] == "2025-02-25-20-23-07--gemini-pro"
    assert (row["test_cases"], row["pass_num_1"], row["pass_num_2"]) == (225, 46, 80)
    assert row["pass_rate_1_recomputed"] == row["pass_rate_1"] == D("20.4")  # 100 * 46 / 225
    assert row["pass_rate_2_recomputed"] == row["pass_rate_2"] == D("35.6")  # 35.555... up
    assert row["cost_per_case"] == 0  # total_cost 0.0000: "not measured" upstream


def test_per_case_results_are_attempts_with_their_usage():
    got = discover([AIDER / "tmp.benchmarks"])
    runs = got.runs.sort("task_id")
    assert runs["task_id"].to_list() == ["anagram", "bowling"]
    assert runs["outcome"].to_list() == ["pass", "pass"]
    assert runs["reprompts"].to_list() == [0, 1]  # bowling passed on the second try
    assert runs["run_id"].to_list() == ["2025-01-20-10-00-00--sonnet45-diff"] * 2
    start = dt.datetime(2025, 1, 20, 10, tzinfo=dt.UTC)
    assert runs["started_at"].to_list() == [start, start]
    assert runs["ended_at"][1] == start + dt.timedelta(seconds=41.5)
    usage = got.usage.sort("session_id")
    assert usage["billed_cost"].to_list() == [D("0.0321"), D("0.0874")]
    assert usage["input_uncached"].to_list() == [9000, 21000]
    assert usage["session_id"].to_list() == runs["session_id"].to_list()
