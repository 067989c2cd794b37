"""The compare policy file: rules per category and their errors (exact text)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from costlens.errors import InputError
from costlens.policy import failure_amount, load_policy


def test_categories_inherit_the_top_level_rule_and_override_it(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        'policy = "total_cost"\nsuccess_floor = 0.5\nfailure_cost = "12"\nreview_rate = "90"\n'
        '[categories.bug-fix]\npolicy = "correctness_first"\nfailure_minutes = 40\n'
    )
    p = load_policy(path)
    bug, other = p.rule_for("bug-fix"), p.rule_for("docs")
    assert bug.criterion == "first_attempt_success_rate"
    assert other.criterion == "all_in_cost_per_solved_task" and other.success_floor == 0.5
    assert bug.success_floor == 0.5  # inherited
    # failure_cost is inherited too and wins over minutes: say money, or minutes, not both
    assert failure_amount(p, bug) == D("12")
    assert failure_amount(p, other) == D("12")


def test_failure_minutes_at_the_review_rate(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('review_rate = "90"\nfailure_minutes = 40\n')
    p = load_policy(path)
    assert failure_amount(p, p.rule) == D("60")  # 40 min x 90 / 60, by hand


def test_failure_minutes_without_a_rate(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("failure_minutes = 40\n")
    p = load_policy(path)
    with pytest.raises(InputError) as e:
        failure_amount(p, p.rule)
    assert str(e.value) == (
        f"{path}: failure_minutes needs failure_rate or review_rate "
        "(set one in the policy, or pass --review-rate)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[categories.docs]\nfloor = 0.5\n', "[categories.docs]: unknown key 'floor'; a category "
         "takes policy, cost_ceiling, success_floor, failure_cost, failure_minutes"),
        ('[categories.docs]\npolicy = "cheap"\n',
         "categories.docs.policy must be correctness_first or total_cost, not 'cheap'"),
        ("confidence = 95\n", "confidence must be a number between 0 and 1, not 95"),
        ('failure_cost = "lots"\n', "failure_cost must be an amount, not 'lots'"),
    ],
)  # fmt: skip
def test_policy_errors_name_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        load_policy(path)
    assert str(e.value) == f"{path}: {message}"
