"""Attribution: request id, session id, then aggregated rows shared by time window + model + key.

Expected amounts are worked out by hand from Claude Sonnet 4.5's list rates, typed here from the
vendor's price page: $3 / 1M input tokens, $15 / 1M output tokens.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import polars as pl
from conftest import usage_frame, usage_row
from hypothesis import given, settings
from hypothesis import strategies as st

from costlens import frames, pricing, schema
from costlens.attribution import attribute
from costlens.sharing import split

DAY = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)


def hours(h: float) -> dt.datetime:
    return DAY + dt.timedelta(hours=h)


def attempt(task: str, start: float, end: float, **values) -> dict:
    row = {c: None for c in schema.RUNS}
    row.update(
        task_id=task,
        model="claude-sonnet-4-5",
        run_id="r1",
        attempt=1,
        started_at=hours(start),
        ended_at=hours(end),
        outcome="pass",
        reprompts=0,
        request_ids=[],
    )
    row.update(values)
    return row


def daily(**values) -> dict:
    """One day of key k1's Sonnet traffic: 1,000,000 input + 100,001 output = $4.500015."""
    row = {
        "model": "claude-sonnet-4-5-20250929",
        "aggregated": True,
        "period_start": DAY,
        "period_end": DAY + dt.timedelta(days=1),
        "api_key": "k1",
        "input_uncached": 1_000_000,
        "output": 100_001,
    }
    return usage_row(**{**row, **values})


def run(usage: list[dict], runs: list[dict], book) -> pl.DataFrame:
    priced = pricing.price(usage_frame(*usage), book)
    lf = pl.LazyFrame(runs, schema=schema.RUNS)
    return attribute(priced, lf, book.resolve).collect()


def test_daily_row_is_shared_by_time_in_window_when_no_attempt_logged_tokens(book):
    runs = [
        attempt("T1", 1, 2, api_key="k1"),
        attempt("T2", 3, 5, api_key="k1"),
        attempt("T3", 3, 5, api_key="k2"),  # another key: not in this row
    ]
    got = run([daily()], runs, book)
    assert got["task_id"].to_list() == ["T1", "T2"]
    assert got["attribution_method"].to_list() == ["window_duration"] * 2
    assert got["cost"].to_list() == [D("1.500005"), D("3.000010")]
    # 1,000,000 / 3 and 100,001 / 3 by largest remainder: the parts add up to the row.
    assert got["input_uncached"].to_list() == [333_333, 666_667]
    assert got["output"].to_list() == [33_334, 66_667]
    assert got["usage_row"].to_list() == [0, 0]
    assert got["parts"].to_list() == [2, 2]
    assert got["cost"].sum() == D("4.500015")


def test_daily_row_is_shared_by_the_attempts_own_tokens(book):
    own_a = usage_row(model="claude-sonnet-4-5", request_id="req_a", input_uncached=300)
    own_b = usage_row(model="claude-sonnet-4-5", request_id="req_b", input_uncached=100)
    runs = [
        attempt("T1", 1, 2, api_key="k1", request_ids=["req_a"]),
        attempt("T2", 3, 5, api_key="k1", request_ids=["req_b"]),
    ]
    got = run([daily(), own_a, own_b], runs, book)
    shared = got.filter(pl.col("attribution_method") == "window_tokens")
    # 3/4 and 1/4 of $4.500015.
    assert shared["cost"].to_list() == [D("3.37501125"), D("1.12500375")]
    assert got.filter(pl.col("part") == 1).height == 3
    assert set(got["attribution_method"]) == {"window_tokens", "request_id"}


def test_aggregated_rows_without_a_match_stay_unattributed_by_cause(book):
    runs = [attempt("T1", 1, 2, api_key="k2"), attempt("T2", 30, 31, api_key="k1")]
    other_model = daily(model="claude-opus-4-5")
    got = run([daily(), other_model], runs, book)
    assert got["task_id"].to_list() == [None, None]
    assert got["unattributed_cause"].to_list() == [
        "aggregated report row: no attempt in its time window names its key/project",
        "aggregated report row: no attempt of this model in its time window",
    ]


def test_an_attempt_naming_no_key_never_takes_a_share(book):
    got = run([daily()], [attempt("T1", 1, 2)], book)
    assert got["task_id"].to_list() == [None]


def test_project_matches_a_workspace(book):
    row = daily(api_key=None, workspace="wrkspc_1")
    got = run([row], [attempt("T1", 1, 2, project="wrkspc_1")], book)
    assert got["task_id"].to_list() == ["T1"]
    assert got["cost"].to_list() == [D("4.500015")]


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12).filter(
        lambda w: sum(w) > 0
    ),
)
def test_parts_always_add_up_exactly(units, weights):
    money = D(units) / D(10**12)
    frame = pl.DataFrame(
        {
            "row": [0] * len(weights),
            "part": list(range(1, len(weights) + 1)),
            "w": weights,
            "wt": [sum(weights)] * len(weights),
            "n": [abs(units) // 1000] * len(weights),
            "m": [money] * len(weights),
        },
        schema_overrides={"m": schema.MONEY},
    )
    args = ("row", "w", "wt", "part")
    out = frames.to_polars(split(frames.lazy(frame), ["n"], ["m"], *args))
    assert out["n"].sum() == abs(units) // 1000
    assert D(out["m"].sum()) == money
    exact = [money * w / sum(weights) for w in weights]
    assert all(abs(o - e) < D(1) / 10**12 for o, e in zip(out["m"], exact, strict=True))


def test_batch_custom_id_joins_a_run_log_attempt_by_id_or_task():
    t0 = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    rows = [
        usage_row(custom_id="req-7", model="claude-haiku-4-5", output=10, source_line=1),
        usage_row(custom_id="TASK-2", model="claude-haiku-4-5", output=10, source_line=2),
        usage_row(custom_id="TASK-3", model="claude-haiku-4-5", output=10, source_line=3),
    ]
    runs = pl.DataFrame(
        {
            "task_id": ["TASK-1", "TASK-2", "TASK-3", "TASK-3"],
            "model": ["m"] * 4,
            "run_id": ["r1"] * 4,
            "attempt": [1, 1, 1, 2],
            "started_at": [t0] * 4,
            "ended_at": [t0] * 4,
            "outcome": ["pass"] * 4,
            "reprompts": [0] * 4,
            "request_ids": [["req-7"], [], [], []],
            "source_format": ["costlens-runs"] * 4,
            "source_file": ["runs.jsonl"] * 4,
        }
    )
    runs = schema.conform(runs.lazy(), schema.RUNS)
    priced = pricing.price(usage_frame(*rows), pricing.load())
    out = attribute(priced, runs).collect().sort("usage_row")
    assert out["task_id"].to_list() == ["TASK-1", "TASK-2", None]
    assert out["attribution_method"].to_list() == ["request_id", "custom_id", None]
    assert out["unattributed_cause"][2] == "ambiguous: matches 2 attempts"
