"""Real saved streams and multi-step Anthropic usage (issue 8, items 1 and 3).

Fixtures: ``tests/fixtures/real/streams/`` and ``saved_responses/`` (provenance in
``tests/fixtures/real/README.md``). Every expected token count below is the one the stream itself
states (copied from the file by hand); every cost is worked out here from the vendors' list
prices, never read from ``pricing/``.
"""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from conftest import FIXTURES

import costlens

STREAMS = FIXTURES / "real" / "streams"
SAVED = FIXTURES / "real" / "saved_responses"
M = 10**6

# USD per 1M tokens, from the vendors' price pages.
GPT_4O_MINI = {"in": D("0.15"), "out": D("0.60")}
GPT_41_NANO = {"in": D("0.10"), "out": D("0.40")}
SONNET_4 = {"in": D(3), "out": D(15), "search": D(10) / 1000}  # web search $10 / 1k
SONNET_46 = {"in": D(3), "out": D(15)}
OPUS_46 = {"in": D(5), "out": D(25)}
OPUS_47 = {"in": D(5), "out": D(25)}
GEMINI_25_FLASH = {"in": D("0.30"), "out": D("2.50")}
GEMINI_3_PRO = {"in": D(2), "out": D(12)}


def _rows(path) -> list[dict]:
    return costlens.run([path]).usage.sort("response_id").to_dicts()


def _skipped(path) -> dict[str, int]:
    issues = costlens.run([path]).issues
    return dict(issues.filter(pl.col("kind") == "skipped").select("reason", "count").iter_rows())


def _tokens(row: dict) -> tuple[int, int, int]:
    return row["input_uncached"], row["cache_read"], row["output"]


# ---- OpenAI Chat Completions: usage in the last chunk (stream_options.include_usage) ----------


def test_openai_chat_sse_recording_is_one_request_per_stream_with_the_last_chunk_usage():
    path = STREAMS / "openai-chat-stream.sse"
    rows = _rows(path)
    # Two streams; their last chunks state prompt 53 / completion 15 and prompt 78 / completion 9.
    assert [r["response_id"] for r in rows] == [
        "chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl",
        "chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc",
    ]
    assert [_tokens(r) for r in rows] == [(53, 0, 15), (78, 0, 9)]
    assert [r["requests"] for r in rows] == [1, 1]
    p = GPT_4O_MINI
    assert [r["cost"] for r in rows] == [
        (53 * p["in"] + 15 * p["out"]) / M,
        (78 * p["in"] + 9 * p["out"]) / M,
    ]
    lines = [line.strip() for line in path.read_text().splitlines()]
    chunks = [x for x in lines if x.startswith("data: {")]
    skipped = _skipped(path)
    assert skipped["event stream framing line"] == lines.count("data: [DONE]") == 2
    assert sum(v for k, v in skipped.items() if k.startswith("stream chunk")) == len(chunks) - 2
    assert skipped["blank line"] == lines.count("")


def test_openai_chat_chunks_saved_one_per_line_are_read_too():
    rows = _rows(STREAMS / "openai-text.chunks.jsonl")
    assert [(_tokens(r), r["model"]) for r in rows] == [((16, 0, 300), "gpt-4.1-nano-2025-04-14")]
    assert rows[0]["cost"] == (16 * GPT_41_NANO["in"] + 300 * GPT_41_NANO["out"]) / M


# ---- Anthropic Messages: message_start + cumulative message_delta ------------------------------


def test_anthropic_sse_stream_takes_the_cumulative_delta_counts_not_their_sum():
    path = STREAMS / "anthropic-web-search-stream.sse"
    rows = _rows(path)
    # message_start: input 2068, output 8; message_delta (cumulative, the whole request with two
    # server-side searches): input 22397, output 637, web_search_requests 2.
    assert [(_tokens(r), r["web_search"], r["requests"]) for r in rows] == [((22397, 0, 637), 2, 1)]
    assert rows[0]["model"] == "claude-sonnet-4-20250514"
    p = SONNET_4
    assert rows[0]["cost"] == (22397 * p["in"] + 637 * p["out"]) / M + 2 * p["search"]
    skipped = _skipped(path)
    assert skipped["event stream framing line"] == path.read_text().count("event: ")
    assert skipped["no usage (type 'ping')"] == skipped["no usage (type 'message_stop')"] == 1


def test_anthropic_stream_with_compaction_bills_the_compaction_step_beside_the_message():
    rows = _rows(STREAMS / "anthropic-compaction.chunks.jsonl")
    # message_delta: top-level input 612 / output 2819 (the message step); iterations[] adds a
    # compaction step of 60385 / 522 on the request's model (claude-opus-4-6).
    assert [(r["model"], _tokens(r), r["requests"]) for r in rows] == [
        ("claude-opus-4-6", (612, 0, 2819), 1),
        ("claude-opus-4-6", (60385, 0, 522), 0),
    ]
    assert rows[1]["response_id"] == rows[0]["response_id"] + ":compaction:0"
    p = OPUS_46
    total = ((612 + 60385) * p["in"] + (2819 + 522) * p["out"]) / M
    assert sum(r["cost"] for r in rows) == total


def test_anthropic_advisor_stream_prices_the_advisor_on_its_own_model():
    rows = _rows(STREAMS / "anthropic-advisor.chunks.jsonl")
    # message_delta: executor 4727 / 3391 (= its two message steps 1051+3676, 35+3356);
    # advisor_message step on claude-opus-4-7: 2728 / 3880.
    assert [(r["model"], _tokens(r)) for r in rows] == [
        ("claude-sonnet-4-6", (4727, 0, 3391)),
        ("claude-opus-4-7", (2728, 0, 3880)),
    ]
    executor = (4727 * SONNET_46["in"] + 3391 * SONNET_46["out"]) / M
    advisor = (2728 * OPUS_47["in"] + 3880 * OPUS_47["out"]) / M
    assert [r["cost"] for r in rows] == [executor, advisor]


def test_saved_advisor_response_counts_the_advisor_iteration():
    """Defect D1: the advisor's usage was dropped (0.055242 instead of 0.090732)."""
    report = costlens.run([SAVED / "anthropic-advisor-20260301.1.json"])
    rows = report.usage.sort("response_id").to_dicts()
    assert [(r["model"], _tokens(r)) for r in rows] == [
        ("claude-sonnet-4-6", (2414, 0, 3200)),
        ("claude-opus-4-7", (2728, 0, 874)),
    ]
    executor = (2414 * SONNET_46["in"] + 3200 * SONNET_46["out"]) / M  # 0.055242
    advisor = (2728 * OPUS_47["in"] + 874 * OPUS_47["out"]) / M  # 0.03549
    assert report.summary["total_cost"] == executor + advisor == D("0.090732")
    assert report.summary["models"][0]["requests"] + report.summary["models"][1]["requests"] == 1


# ---- Gemini streamGenerateContent: running totals, the last chunk holds them -------------------


def test_gemini_sse_stream_with_crlf_reads_the_last_chunk_once():
    path = STREAMS / "gemini-stream.sse"
    assert b"\r\n" in path.read_bytes()  # as Google sends it
    rows = _rows(path)
    # Last chunk: prompt 18, candidates 80, thoughts 35 (thoughts are billed as output).
    assert [(_tokens(r), r["reasoning"], r["requests"]) for r in rows] == [((18, 0, 115), 35, 1)]
    p = GEMINI_25_FLASH
    assert rows[0]["cost"] == (18 * p["in"] + 115 * p["out"]) / M
    skipped = _skipped(path)
    assert sum(v for k, v in skipped.items() if k.startswith("stream chunk")) == 2


def test_gemini_chunks_saved_one_per_line_read_the_last_chunk():
    rows = _rows(STREAMS / "google-reasoning.chunks.jsonl")
    # Last chunk (finishReason STOP): prompt 9, candidates 29, thoughts 256.
    assert [(_tokens(r), r["reasoning"]) for r in rows] == [((9, 0, 29 + 256), 256)]
    p = GEMINI_3_PRO
    assert rows[0]["cost"] == (9 * p["in"] + 285 * p["out"]) / M


def test_all_streams_in_one_folder_run_count_each_request_once():
    report = costlens.run([STREAMS])
    # 2 OpenAI chat + 1 OpenAI chunks + 1 Responses + 1 web-search + 1 compaction + 1 advisor
    # + 2 Gemini streams.
    assert report.summary["rows"]["rejected"] == 0
    assert int(report.usage["requests"].sum()) == 9


# ---- OpenAI Responses web search: billed per search call (defect D6) --------------------------

GPT_5_MINI = {"in": D("0.25"), "read": D("0.025"), "out": D(2), "search": D(10) / 1000}


def _searches(response: dict) -> list[str]:
    return [o["action"]["type"] for o in response["output"] if o["type"] == "web_search_call"]


def test_saved_responses_web_search_charges_each_search_action():
    import json

    path = SAVED / "openai-web-search-tool.1.json"
    doc = json.loads(path.read_text())
    assert _searches(doc) == ["search", "open_page", "find_in_page"]  # one billed search
    (row,) = _rows(path)
    assert (_tokens(row), row["web_search"]) == ((19681 - 3712, 3712, 3773), 1)
    p = GPT_5_MINI
    tokens = (15969 * p["in"] + 3712 * p["read"] + 3773 * p["out"]) / M  # 0.01163105
    assert row["cost"] == tokens + 1 * p["search"] == D("0.02163105")


def test_responses_stream_counts_the_searches_of_response_completed():
    import json

    path = STREAMS / "openai-responses-web-search.chunks.jsonl"
    done = [json.loads(x) for x in path.read_text().splitlines() if "response.completed" in x]
    assert _searches(done[0]["response"]).count("search") == 2
    (row,) = _rows(path)
    assert (_tokens(row), row["web_search"]) == ((31073 - 3712, 3712, 4416), 2)
    p = GPT_5_MINI
    tokens = (27361 * p["in"] + 3712 * p["read"] + 4416 * p["out"]) / M
    assert row["cost"] == tokens + 2 * p["search"]


# ---- OpenRouter: stated cost kept as billed; /generation read by one reader (D5) ---------------

OPENROUTER = FIXTURES / "real" / "openrouter"
SONNET_4_VIA_OPENROUTER = {"in": D(3), "out": D(15)}  # anthropic/claude-sonnet-4 on openrouter.ai
LLAMA_4_SCOUT = {"in": D("0.08"), "out": D("0.30")}  # meta-llama/llama-4-scout on openrouter.ai


def test_openrouter_chat_completion_usage_cost_is_the_billed_cost():
    rows = {r["response_id"]: r for r in costlens.run([OPENROUTER]).usage.to_dicts()}
    # usage.cost as each response states it, and the same figure from the list price.
    stated = {
        "gen-1767761748-qeZZQsHiqP5LRbalLJA9": ((21, 144), D("0.002223")),
        "gen-1767761755-8Yv6ZZHzxOUCSDSj3CqO": ((49, 230), D("0.003597")),
        "gen-1767761758-xrHVZNWuYcIilpSLD1oj": ((555, 431), D("0.00813")),
    }
    p = SONNET_4_VIA_OPENROUTER
    for rid, ((i, o), cost) in stated.items():
        row = rows[rid]
        assert (row["input_uncached"], row["output"]) == (i, o)
        assert (row["billed_cost"], row["currency"]) == (cost, "USD")
        assert row["cost"] == (i * p["in"] + o * p["out"]) / M == cost


def test_openrouter_generation_json_is_claimed_by_one_reader():
    from costlens import adapters

    path = OPENROUTER / "gen-1771967973.json"  # has provider_responses[].model_permaslug, usage
    assert [a.name for a in adapters.ADAPTERS if a.identify(path)] == ["openrouter-generation"]
    (row,) = _rows(path)
    assert (row["model"], _tokens(row)) == (
        "meta-llama/llama-4-scout-17b-16e-instruct",
        (64, 0, 98),
    )
    assert row["billed_cost"] == D("0.00003452")  # total_cost
    p = LLAMA_4_SCOUT
    assert row["cost"] == (64 * p["in"] + 98 * p["out"]) / M == row["billed_cost"]
