"""``costlens compare --json`` on bundles generated outside the repository (``bundle_gen``):
two models that truly differ, two drawn from the same distribution, a model at 24 / 24, rules
per category, and the harness dimension. Expected outcomes follow from how each bundle is drawn.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from bundle_gen import Arm, write_bundle
from click.testing import CliRunner
from conftest import SAMPLES

from costlens.cli import cli

TICK = Decimal("1e-12")
HAIKU = Arm("haiku", "claude-haiku-4-5", 0.7, 40_000, 4_000)
OPUS = Arm("opus", "claude-opus-4-5", 0.75, 40_000, 4_000)


def _compare(runs, usage, *extra) -> dict:
    result = CliRunner().invoke(
        cli, ["compare", str(runs), "--usage", str(usage), "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def differ(tmp_path_factory):
    # Same success chance, Opus priced 5x Haiku per token: Haiku is cheaper per solved task.
    return _compare(*write_bundle(tmp_path_factory.mktemp("a"), [HAIKU, OPUS], 40, seed=1))


def test_models_that_truly_differ_have_a_winner(differ):
    v = differ["verdict"]
    assert (v["winner"], v["distinguishable"]) == ("haiku", True)
    assert v["criterion"] == "all_in_cost_per_solved_task" and v["confidence"] == 0.95
    assert v["tasks_needed"] is None
    assert [m["rank"] for m in differ["models"]] == [1, 2]


def test_models_from_one_distribution_are_not_distinguishable(tmp_path):
    same = [Arm("team-a", "claude-sonnet-4-5", 0.6, 40_000, 4_000),
            Arm("team-b", "claude-sonnet-4-5", 0.6, 40_000, 4_000)]  # fmt: skip
    out = _compare(*write_bundle(tmp_path, same, 40, seed=2))
    v = out["verdict"]
    assert (v["winner"], v["distinguishable"]) == (None, False)
    assert v["tasks_needed"] > 40
    assert v["sentence"].startswith("not distinguishable on 40 tasks")
    assert [m["rank"] for m in out["models"]] == [1, 1]  # a tie, not a ranking


def test_24_of_24_gets_a_wilson_interval_not_1_1(tmp_path):
    sure = Arm("sure", "claude-opus-4-5", 1.0, 10_000, 1_000)
    out = _compare(*write_bundle(tmp_path, [sure, HAIKU], 24, seed=3))
    m = next(m for m in out["models"] if m["run_model"] == "sure")
    assert m["solve_rate"] == 1.0
    # Wilson lower bound at 24/24: 1 / (1 + 1.959964^2 / 24), by hand
    assert m["solve_rate_ci_low"] == pytest.approx(0.862024, abs=1e-6)
    assert m["solve_rate_ci_high"] == 1.0
    assert out["interval_methods"]["solve_rate"] == "Wilson score over task runs"


POLICY = """
policy = "total_cost"
failure_rate = "60"

[categories.bug-fix]
policy = "correctness_first"
failure_minutes = 60

[categories.docs]
policy = "total_cost"
"""


def test_category_rules_change_the_recommendation(tmp_path):
    # Bug fixes: Opus passes 95% first time, Haiku 30%. Docs: both pass 90%; Haiku is cheaper.
    cats = {"bug-fix": {"opus": 0.95, "haiku": 0.3}, "docs": {"opus": 0.9, "haiku": 0.9}}
    runs, usage = write_bundle(tmp_path, [HAIKU, OPUS], 80, seed=4, categories=cats)
    (tmp_path / "policy.toml").write_text(POLICY)
    out = _compare(runs, usage, "--policy", str(tmp_path / "policy.toml"))
    by = {c["category"]: c for c in out["categories"]}
    assert by["bug-fix"]["criterion"] == "first_attempt_success_rate"
    assert (by["bug-fix"]["winner"], by["bug-fix"]["recommended"]) == ("opus", "opus")
    assert by["docs"]["criterion"] == "all_in_cost_per_solved_task"
    assert (by["docs"]["winner"], by["docs"]["recommended"]) == ("haiku", "haiku")
    assert by["bug-fix"]["tasks"] == by["docs"]["tasks"] == 40
    assert "failed task costs 60 minutes" in by["bug-fix"]["rule"]


def test_failure_cost_is_its_own_column_in_the_all_in_cost(tmp_path):
    # One attempt per task: a failed attempt is a failed task run, at $30 each.
    arms = [
        Arm("a", "claude-haiku-4-5", 0.5, 1_000, 100),
        Arm("b", "claude-haiku-4-5", 0.8, 1_000, 100),
    ]
    runs, usage = write_bundle(tmp_path, arms, 12, seed=5, max_attempts=1)
    (tmp_path / "p.toml").write_text('failure_cost = "30"\n')
    out = _compare(runs, usage, "--policy", str(tmp_path / "p.toml"))
    lines = [json.loads(line) for line in runs.read_text().splitlines()]
    for m in out["models"]:
        mine = [r for r in lines if r["model"] == m["run_model"]]
        failed = sum(r["outcome"] == "fail" for r in mine)
        solved = len(mine) - failed
        assert Decimal(m["failure_cost"]) == 30 * failed
        per = Decimal(m["failure_cost_per_solved_task"])
        assert abs(per - Decimal(30 * failed) / solved) < TICK  # 12 decimal places
        parts = Decimal(m["cost_per_solved_task"]) + per
        assert abs(Decimal(m["all_in_cost_per_solved_task"]) - parts) < 2 * TICK


def test_harness_and_model_are_compared_with_the_model_held_fixed(tmp_path):
    arms = [Arm("opus", "claude-opus-4-5", 0.95, 40_000, 4_000, harness="claude-code"),
            Arm("opus", "claude-opus-4-5", 0.3, 40_000, 4_000, harness="aider")]  # fmt: skip
    out = _compare(*write_bundle(tmp_path, arms, 40, seed=6))
    assert sorted(m["run_model"] for m in out["models"]) == ["aider / opus", "claude-code / opus"]
    (held,) = out["harnesses"]
    assert held["model"] == "opus" and held["winner"] == "claude-code / opus"


def test_the_samples_are_not_ranked_on_a_difference_the_data_does_not_show():
    # The bundled samples: sonnet is cheaper per solved task by a few cents on 20 tasks, far
    # inside the spread of its per-task costs; they must tie, not rank sonnet first.
    bundle = SAMPLES / "bundle"
    runs = [str(bundle / "runs.jsonl"), str(bundle / "runs-opus-part2.csv")]
    cmd = ["compare", *runs, "--usage", str(bundle / "claude-code"), "--json"]
    result = CliRunner().invoke(cli, cmd)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    (pair,) = out["verdict"]["pairs"]
    assert pair["ci_low"] < 0 < pair["ci_high"]
    assert (out["verdict"]["winner"], out["verdict"]["distinguishable"]) == (None, False)
    assert [m["rank"] for m in out["models"]] == [1, 1]
    # Wilson at opus's 24 / 24 solved task runs (samples/README: 20 tasks + 4 repeats)
    opus = next(m for m in out["models"] if m["run_model"] == "claude-opus-4-5")
    assert opus["solve_rate_ci_low"] == pytest.approx(0.862024, abs=1e-6)
