"""Values that are not what the field declares: a rejected row with its reason and line, never 0.

Expected values are written by hand from the inputs below.
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from costlens.discover import discover
from costlens.errors import InputError


def _openai_page(tmp_path, results: list[str]):
    body = ",".join(results)
    page = (
        '{"object":"page","data":[{"object":"bucket","start_time":1767225600,'
        f'"end_time":1767312000,"results":[{body}]}}]}}'
    )
    path = tmp_path / "usage.json"
    path.write_text(page)
    return path


def _result(inp: str, out: str = "5", req: str = "1") -> str:
    return (
        '{"object":"organization.usage.completions.result","model":"gpt-4o-mini",'
        f'"input_tokens":{inp},"output_tokens":{out},"num_model_requests":{req},'
        '"input_cached_tokens":0}'
    )


def test_openai_usage_counts_are_strict(tmp_path):
    values = ["100", '"1,000"', "10.5", "true", "null", "18446744073709551616", "-4"]
    path = _openai_page(tmp_path, [_result(v) for v in values])
    got = discover([path])
    assert got.usage["input_uncached"].to_list() == [100]
    rejected = sorted(
        (r["source_line"], r["reason"])
        for r in got.issues.iter_rows(named=True)
        if r["kind"] == "rejected"
    )
    assert rejected == [
        (2, "input_tokens '1,000' has a thousands separator; export plain digits"),
        (3, "input_tokens '10.5' is not a whole number"),
        (4, "input_tokens (text) is not a whole number"),
        (5, "input_tokens is missing"),
        (6, "input_tokens '18446744073709551616' is too large (at most 9223372036854775807)"),
        (7, "input_tokens '-4' is negative"),
    ]


def test_anthropic_usage_empty_required_count_is_rejected(tmp_path):
    result = {
        "uncached_input_tokens": None,
        "cache_read_input_tokens": 0,
        "output_tokens": 7,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "model": "claude-sonnet-4-5",
    }
    page = {
        "data": [
            {
                "starting_at": "2026-03-01T00:00:00Z",
                "ending_at": "2026-03-02T00:00:00Z",
                "results": [result, {**result, "uncached_input_tokens": 3}],
            }
        ]
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(page))
    got = discover([path])
    assert got.usage["input_uncached"].to_list() == [3]
    assert [(r["source_line"], r["reason"]) for r in got.issues.iter_rows(named=True)] == [
        (1, "uncached_input_tokens is missing")
    ]


def test_nothing_priced_is_not_a_total_of_zero(tmp_path):
    import datetime as dt

    from conftest import SAMPLES

    import costlens

    got = costlens.run(
        [SAMPLES / "bundle" / "claude-code"], price_date=dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    )
    assert got.summary["total_cost"] is None
    assert got.summary["cost_lower_bound"] is True
    assert all(m["cost"] is None for m in got.summary["models"])
    assert got.months["cost"].null_count() == got.months.height


# ---- harness documents: a count is whole or the file is refused, never truncated ----

_SWE = FIXTURES / "swe_agent"
HARNESS = {  # reader -> (fixture, the field's text in it, the field's name in the error)
    "swe-agent": (
        _SWE
        / "gpt4__swe-agent-test-repo__default_from_url__t-0.00__p-0.95__c-3.00__install-1"
        / "6e44b9__sweagenttestrepo-1c2844.traj",
        '"tokens_sent": 7141',
        "tokens_sent",
    ),
    "inspect": (
        FIXTURES / "inspect_ai/analysis/test_logs/2025-05-12T20-28-13-04-00_popularity.json",
        '"input_tokens": 70',  # the last sample's model_usage (its last occurrence)
        "input_tokens",
    ),
    "aider": (
        FIXTURES / "aider/tmp.benchmarks/2025-01-20-10-00-00--sonnet45-diff/python/exercises"
        "/practice/anagram/.aider.results.json",
        '"prompt_tokens": 9000',
        "prompt_tokens",
    ),
}


def _harness_copy(tmp_path, name: str, value: str):
    src, field, _ = HARNESS[name]
    before, _, after = src.read_text().rpartition(field)
    key, number = field.split(": ")
    path = tmp_path / src.relative_to(FIXTURES)
    path.parent.mkdir(parents=True)
    path.write_text(f"{before}{key}: {value}{after}")
    return path, int(number)


@pytest.mark.parametrize("name", sorted(HARNESS))
def test_a_harness_count_with_a_fraction_refuses_the_file_naming_the_field(tmp_path, name):
    path, _ = _harness_copy(tmp_path, name, "12.7")
    with pytest.raises(InputError) as e:
        discover([path])
    field = HARNESS[name][2]
    assert str(e.value) == (
        f"{path}: {field} '12.7' is not a whole number; a token count is a whole number"
    )
    got = discover([path.parent])  # in a folder walk: listed as not read, the run goes on
    unread = got.issues.filter(got.issues["kind"] == "not read")
    assert unread["reason"].to_list() == [
        f"{field} '12.7' is not a whole number; a token count is a whole number"
    ]


@pytest.mark.parametrize("name", sorted(HARNESS))
def test_a_whole_harness_count_written_with_dot_zero_is_that_count(tmp_path, name):
    src = HARNESS[name][0]
    path, number = _harness_copy(tmp_path, name, f"{9000 + 1}.0")
    got, base = discover([path]), discover([src])
    column = "input_uncached"
    # The field feeds the uncached input (Inspect: with no cache fields, input is uncached).
    assert got.usage[column].sum() - base.usage[column].sum() == 9001 - number


@pytest.mark.parametrize("value", ["true", '"lots"', "-5", "1e3", "[1]"])
def test_a_harness_count_that_is_not_a_count_refuses_the_file(tmp_path, value):
    path, _ = _harness_copy(tmp_path, "swe-agent", value)
    with pytest.raises(InputError, match=r"^.*: tokens_sent .*; a token count is a whole number$"):
        discover([path])
