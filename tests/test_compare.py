"""Metrics, ranking and the matched bundle on a small bundle whose every number is worked out by
hand here. Rates typed from the vendor's price page: Claude Sonnet 4.5 $3 / $15 per 1M input /
output tokens, Claude Opus 4.5 $5 / $25.

Sonnet (A): T1 a1 pass (100k input: $0.30, 100 s, 30 review minutes); T2 a1 fail (100k input:
$0.30) then a2 pass (100k output: $1.50), 200 s + 300 s; T3 a1 fail, no usage, 50 s; T4 a1 pass
(only A tried T4, so it is left out). Opus (B): T1 r1 pass ($0.50), T1 r2 fail (no usage), T2
pass after one reprompt ($0.50), T3 pass ($0.50); 60 s each. (Below Sonnet's 200k cliff.)
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import polars as pl
import pytest
from click.testing import CliRunner
from conftest import usage_frame, usage_row

from costlens import schema
from costlens.cli import cli
from costlens.compare import Policy, compare_ingested, load_policy
from costlens.discover import Ingested
from costlens.stats import bootstrap

T0 = dt.datetime(2025, 12, 1, 9, tzinfo=dt.UTC)
SONNET, OPUS = "claude-sonnet-4-5", "claude-opus-4-5"


def _attempt(model, task, n, outcome, secs, run="r1", reprompts=0, review=None, req=None):
    start = T0 + dt.timedelta(hours=len(ROWS))
    ROWS.append(
        {
            **{c: None for c in schema.RUNS},
            "task_id": task,
            "model": model,
            "run_id": run,
            "attempt": n,
            "started_at": start,
            "ended_at": start + dt.timedelta(seconds=secs),
            "outcome": outcome,
            "reprompts": reprompts,
            "review_minutes": D(review) if review else None,
            "request_ids": [req] if req else [],
        }
    )


ROWS: list[dict] = []
_attempt(SONNET, "T1", 1, "pass", 100, review="30", req="a1")
_attempt(SONNET, "T2", 1, "fail", 200, req="a2")
_attempt(SONNET, "T2", 2, "pass", 300, req="a3")
_attempt(SONNET, "T3", 1, "fail", 50)
_attempt(SONNET, "T4", 1, "pass", 50, req="a4")
_attempt(OPUS, "T1", 1, "pass", 60, req="b1")
_attempt(OPUS, "T1", 1, "fail", 60, run="r2")
_attempt(OPUS, "T2", 1, "pass", 60, reprompts=1, req="b2")
_attempt(OPUS, "T3", 1, "pass", 60, req="b3")
M = 100_000
USAGE = [
    usage_row(model=SONNET, request_id="a1", input_uncached=M),
    usage_row(model=SONNET, request_id="a2", input_uncached=M),
    usage_row(model=SONNET, request_id="a3", output=M),
    usage_row(model=SONNET, request_id="a4", output=M),
    *[usage_row(model=OPUS, request_id=r, input_uncached=M) for r in ("b1", "b2", "b3")],
]


def bundle() -> Ingested:
    return Ingested(
        usage=usage_frame(*USAGE).collect(),
        runs=pl.DataFrame(ROWS, schema=schema.RUNS),
        issues=pl.DataFrame(schema=schema.ISSUES),
        files=[],
    )


@pytest.fixture(scope="module")
def result():
    return compare_ingested(bundle(), Policy(review_rate=D(60), bootstrap=500))


def by_model(result, model: str) -> dict:
    return result.models.filter(pl.col("run_model") == model).row(0, named=True)


def test_matched_bundle_leaves_out_the_task_only_one_model_tried(result):
    assert result.matched_tasks == ["T1", "T2", "T3"]
    assert result.excluded.rows() == [(SONNET, "T4", f"not attempted by {OPUS}")]


def test_per_model_numbers(result):
    a, b = by_model(result, SONNET), by_model(result, OPUS)
    assert (a["task_runs"], b["task_runs"]) == (3, 4)
    assert a["first_attempt_success_rate"] == pytest.approx(1 / 3)
    assert b["first_attempt_success_rate"] == pytest.approx(2 / 4)  # T2 needed a reprompt
    assert (a["solve_rate"], b["solve_rate"]) == (pytest.approx(2 / 3), 0.75)
    assert (a["total_cost"], b["total_cost"]) == (D("2.1"), D("1.5"))
    assert (a["cost_per_task"], b["cost_per_task"]) == (D("0.7"), D("0.375"))
    assert (a["cost_per_solved_task"], b["cost_per_solved_task"]) == (D("1.05"), D("0.5"))
    assert a["review_cost"] == D(30)  # 30 minutes at $60 an hour, its own column
    assert a["cost_per_solved_task_with_review"] == D("16.05")  # (2.1 + 30) / 2
    assert (a["p50_wall_seconds"], a["p90_wall_seconds"]) == (100, 420)  # 50, 100, 500 linear
    assert a["mean_attempts_to_success"] == 1.5
    # A: c1 = (0.3 + 0.3 + 0) / 3, p1 = 1/3, later attempts $1.50, 1 pass: 0.2 + 2/3 * 1.5.
    assert a["expected_cost_to_first_success"] == D("1.2")
    assert b["expected_cost_to_first_success"] is None  # a first attempt failed, no retry passed


def test_pass_at_k_and_pass_hat_k(result):
    got = {(r["run_model"], r["k"]): r for r in result.pass_k.iter_rows(named=True)}
    assert got[(OPUS, 1)]["pass_at_k"] == pytest.approx((0.5 + 1 + 1) / 3)
    assert got[(OPUS, 2)]["tasks"] == 1  # only T1 has two runs
    assert got[(OPUS, 2)]["pass_at_k"] == 1.0  # 1 - C(1,2)/C(2,2)
    assert got[(OPUS, 2)]["pass_hat_k"] == 0.0  # C(1,2)/C(2,2)


def test_ranking_pareto_and_reasons(result):
    assert result.models["run_model"].to_list() == [OPUS, SONNET]
    assert result.models["pareto"].to_list() == [True, False]
    assert by_model(result, OPUS)["reason"] == (
        "first-attempt success 50.0%, all-in cost per solved task 0.50"
    )


def test_a_success_floor_pushes_a_model_down_with_its_reason():
    got = compare_ingested(bundle(), Policy(success_floor=0.6, bootstrap=10))
    assert not got.models["eligible"].any()
    assert got.models["reason"][1] == "first-attempt success 33.3% is below the floor"


def test_correctness_first_within_a_ceiling():
    policy = Policy(kind="correctness_first", cost_ceiling=D("0.49"), bootstrap=10)
    got = compare_ingested(bundle(), policy)
    assert got.models["eligible"].to_list() == [False, False]
    assert got.models["reason"][0] == "all-in cost per solved task 0.50 is above the ceiling"


def test_paired_deltas_per_task(result):
    d = result.deltas
    assert d["pair"].unique().to_list() == [f"{OPUS} - {SONNET}"]
    assert d["delta_cost"].to_list() == pytest.approx([0.25 - 0.3, 0.5 - 1.8, 0.5 - 0])
    mean = result.delta_summary.filter(pl.col("statistic") == "delta_cost")["mean"][0]
    assert mean == pytest.approx(-0.85 / 3)


def test_price_scenarios_keep_the_winner_here(result):
    assert result.scenarios["scenario"].to_list() == ["as logged", "batch", "no cache"]
    assert not result.scenarios["winner_changes"].any()


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    sums = pl.DataFrame({"g": ["x"] * 50, "num": [float(i % 2) for i in range(50)], "one": 1.0})
    first = bootstrap(sums, "g", {"rate": ("num", "one")}, b=3000, seed=7)
    again = bootstrap(sums, "g", {"rate": ("num", "one")}, b=3000, seed=7)
    assert first.equals(again)
    assert first["ci_low"][0] < 0.5 < first["ci_high"][0]
    assert first["ci_high"][0] - first["ci_low"][0] == pytest.approx(0.28, abs=0.05)


def test_policy_file_and_its_errors(tmp_path):
    good = tmp_path / "policy.toml"
    good.write_text('policy = "correctness_first"\ncost_ceiling = "2.50"\ndates = []\n')
    assert load_policy(good).cost_ceiling == D("2.50")
    bad = tmp_path / "bad.toml"
    bad.write_text('policy = "cheapest"\n')
    result = CliRunner().invoke(cli, ["compare", "x.jsonl", "--policy", str(bad)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {bad}: policy must be correctness_first or total_cost, not 'cheapest'\n"
    )


def test_cli_json(tmp_path):
    runs = tmp_path / "runs.jsonl"
    lines = [
        {**r, "started_at": r["started_at"].isoformat(), "ended_at": r["ended_at"].isoformat()}
        for r in ROWS
    ]
    runs.write_text("".join(json.dumps(r, default=str) + "\n" for r in lines))
    result = CliRunner().invoke(cli, ["compare", str(runs), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["matched_tasks"] == ["T1", "T2", "T3"]
    assert out["models"][0]["run_model"] == OPUS
    assert out["models"][0]["total_cost"] == "0"  # no --usage: nothing to price
