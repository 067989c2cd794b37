"""``costlens plan``: sizes read from a compare baseline, the formula worked by hand."""

from __future__ import annotations

import json

from click.testing import CliRunner

from costlens.cli import cli

BASELINE = {
    "verdict": {
        "criterion": "all_in_cost_per_solved_task",
        "confidence": 0.95,
        "power": 0.8,
        "pairs": [
            {"model_a": "A", "model_b": "B", "tasks": 20, "value_a": 2.0, "sd_per_task": 0.7}
        ],
    }
}


def _plan(tmp_path, *args, doc=BASELINE):
    path = tmp_path / "compare.json"
    path.write_text(json.dumps(doc) if isinstance(doc, dict) else doc)
    return CliRunner().invoke(cli, ["plan", "--baseline", str(path), *args]), path


def test_plan_relative_difference(tmp_path):
    # 10% of 2.0 = 0.2; n = ((1.959964 + 0.841621) * 0.7 / 0.2)^2 = 96.2 -> 97
    result, _ = _plan(tmp_path, "--detect", "10%")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Criterion: all_in_cost_per_solved_task; detecting 10% at 95% confidence with 80% power\n"
        "A - B: about 97 matched tasks per model (now 20; difference 0.2)\n"
    )


def test_plan_absolute_difference_as_json(tmp_path):
    # 0.1 absolute: n = ((1.959964 + 0.841621) * 0.7 / 0.1)^2 = 384.6 -> 385
    result, _ = _plan(tmp_path, "--detect", "0.1", "--json")
    assert result.exit_code == 0, result.output
    (pair,) = json.loads(result.output)["pairs"]
    assert pair["tasks_needed"] == 385 and pair["tasks_now"] == 20


def test_plan_errors(tmp_path):
    result, _ = _plan(tmp_path, "--detect", "ten")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --detect must be a positive difference such as 10% (of the leader's value) "
        "or 0.05 (in the criterion's units), not 'ten'\n"
    )
    result, path = _plan(tmp_path, "--detect", "10%", doc={"models": []})
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: not a costlens compare --json output (no verdict with pairs); "
        "write one with: costlens compare RUNS... --json > compare.json\n"
    )


def test_plan_sizes_each_category_under_its_own_criterion(tmp_path):
    # The category's pair: leader 0.5 first-attempt success, sd 0.6; 10% -> 0.05
    # n = ((1.959964 + 0.841621) * 0.6 / 0.05)^2 = 1130.3 -> 1131
    pair = {"model_a": "A", "model_b": "B", "tasks": 8, "value_a": 0.5, "sd_per_task": 0.6}
    cat = {"category": "bug-fix", "criterion": "first_attempt_success_rate", "pairs": [pair]}
    result, _ = _plan(tmp_path, "--detect", "10%", doc=BASELINE | {"categories": [cat]})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "[bug-fix, first_attempt_success_rate] A - B: about 1131 matched tasks per model "
        "(now 8; difference 0.05)"
    )
