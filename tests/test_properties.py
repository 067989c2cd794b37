"""Invariants that must hold for any input (hypothesis)."""

from __future__ import annotations

import json

import polars as pl
from conftest import usage_frame, usage_row
from hypothesis import given, settings
from hypothesis import strategies as st

from costlens import pricing, schema
from costlens.adapters.claude_code import ClaudeCode
from costlens.adapters.kit import keep_most_output
from costlens.reports.money import CENT, allocate, rounded

BOOK = pricing.load()
tokens = st.integers(min_value=0, max_value=2_000_000)
money = st.decimals(min_value=0, max_value=10_000, places=12, allow_nan=False)


@given(st.lists(money, min_size=1, max_size=40))
def test_allocation_adds_up_and_moves_no_part_more_than_a_cent(parts):
    out = allocate(parts)
    assert sum(out) == rounded(sum(parts))
    assert all(abs(o - p) < CENT for o, p in zip(out, parts, strict=True))


MODELS = st.sampled_from(["claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5", "gpt-5"])


def _priced(rows: list[dict]) -> pl.DataFrame:
    """Many generated rows priced in one frame (a row's price does not depend on the others),
    back in the order given."""
    numbered = [{**r, "source_line": i} for i, r in enumerate(rows)]
    return pricing.price(usage_frame(*numbered), BOOK).collect().sort("source_line")


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(MODELS, tokens, tokens, tokens, tokens, tokens), min_size=1, max_size=40))
def test_cost_is_the_sum_of_buckets_and_never_negative(cases):
    rows = [
        usage_row(
            model=m, input_uncached=a, cache_read=b, cache_write_5m=c, cache_write_1h=d, output=e
        )
        for m, a, b, c, d, e in cases
    ]
    for got in _priced(rows).iter_rows(named=True):
        parts = [got[f"cost_{k}"] for k in schema.TOKEN_BUCKETS]
        assert got["cost"] == sum(parts) >= 0


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(tokens, tokens, st.integers(min_value=1, max_value=50_000)),
        min_size=1,
        max_size=40,
    )
)
def test_more_input_never_costs_less(cases):
    def row(cached: int, uncached: int) -> dict:
        return usage_row(
            model="claude-sonnet-4-5", input_uncached=uncached, cache_read=cached, output=10
        )

    rows = [r for c, u, x in cases for r in (row(c, u + x), row(c, u))]
    costs = _priced(rows)["cost"].to_list()
    assert all(more > less for more, less in zip(costs[::2], costs[1::2], strict=True))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["m1", "m2", "m3", None]), st.sampled_from(["r1", "r2", None]), tokens
        ),
        max_size=30,
    )
)
def test_dedupe_keeps_one_row_per_key_with_the_most_output(records):
    rows = [
        usage_row(response_id=m, request_id=r, output=o, source_line=i + 1)
        for i, (m, r, o) in enumerate(records)
    ]
    frame = usage_frame(*rows).collect() if rows else schema.empty(schema.USAGE).collect()
    kept, dupes = keep_most_output(frame, ["response_id", "request_id"])
    assert kept.height + dupes["count"].sum() == frame.height
    keyed = kept.filter(pl.col("response_id").is_not_null() | pl.col("request_id").is_not_null())
    assert keyed.select("response_id", "request_id").is_unique().all()
    for k in keyed.iter_rows(named=True):
        same = [o for m, r, o in records if (m, r) == (k["response_id"], k["request_id"])]
        assert k["output"] == max(same)


@settings(max_examples=40, deadline=None)
@given(tokens, tokens, tokens, tokens, tokens, st.booleans())
def test_claude_code_buckets_are_disjoint_and_complete(
    tmp_path_factory, inp, read, w5, w1, out, split
):
    usage = {
        "input_tokens": inp,
        "cache_read_input_tokens": read,
        "cache_creation_input_tokens": w5 + w1,
        "output_tokens": out,
    }
    if split:
        usage["cache_creation"] = {"ephemeral_5m_input_tokens": w5, "ephemeral_1h_input_tokens": w1}
    line = {
        "type": "assistant",
        "sessionId": "s",
        "requestId": "req_1",
        "timestamp": "2025-12-01T00:00:00.000Z",
        "message": {"id": "msg_1", "model": "claude-haiku-4-5", "usage": usage},
    }
    path = tmp_path_factory.mktemp("cc") / "s.jsonl"
    path.write_text(json.dumps(line, separators=(",", ":")) + "\n")
    row = schema.conform(ClaudeCode().read(path).rows, schema.USAGE).collect().row(0, named=True)
    assert (
        row["input_uncached"] + row["cache_read"] + row["cache_write_5m"] + row["cache_write_1h"]
        == inp + read + w5 + w1
    )
    assert (row["cache_write_1h"], row["ttl_assumed"]) == (
        (w1, False) if split else (0, w5 + w1 > 0)
    )
