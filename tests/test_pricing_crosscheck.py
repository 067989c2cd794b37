"""Cross-check against genai-prices (a test-only dependency) for every model both know.

Each first-party model is priced in the middle of each of its periods for one request
(50K uncached + 20K cache read input, 5K output). Where costlens disagrees on purpose, the case
is listed in DISAGREE with the reason; any other difference fails, and so does a listed
disagreement that has gone away (so the list stays true).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from conftest import price_one, usage_frame, usage_row

from costlens import pricing

genai_prices = pytest.importorskip("genai_prices")

_NO_CACHE_RATE = (
    "Mistral published no cached rate for this id: cache reads are unpriced in costlens, "
    "genai-prices bills them as input"
)
DISAGREE = {
    ("o3", "2025-04-16"): "o3 launch cached input was $2.50, genai-prices has $0.50 "
    "(research pricing.md section 1, problem 1; langfuse/langfuse#7223)",
    ("claude-3-5-haiku", "2024-11-04"): "Haiku 3.5 launched at $1/$5 and was cut to $0.80/$4 "
    "about a month later; genai-prices keeps only the later price",
    ("gemini-2.5-pro", "2025-04-04"): "cache read was 0.31 before the cut to 0.125; "
    "genai-prices overwrote the history (commit 5de9400a, problem 3)",
    ("gemini-2.5-flash", "2025-06-17"): "cache read was 0.075 before the cut to 0.03; "
    "genai-prices overwrote the history (problem 3)",
    ("gpt-4o-2024-05-13", "2024-05-13"): "this snapshot never had prompt caching: cached "
    "tokens are unpriced in costlens (a wrong input, never a guessed price)",
    ("gpt-4o-2024-08-06", "2024-08-06"): "prompt caching started 2024-10-01: cached tokens "
    "before it are unpriced in costlens",
    ("gpt-4o-mini-2024-07-18", "2024-07-18"): "prompt caching started 2024-10-01: cached "
    "tokens before it are unpriced in costlens",
    ("deepseek-v3.2-exp", "2025-09-29"): "DeepSeek's own V3.2-Exp price is 0.28 / 0.028 hit / "
    "0.42; genai-prices' entry (0.27 / 0.41, no cache rate) is not DeepSeek's first-party price",
    ("deepseek-v3.2", "2025-12-01"): "DeepSeek kept the V3.2-Exp price (0.28 / 0.028 / 0.42) "
    "for V3.2; genai-prices' entry (0.2288 / 0.3432, no cache rate) is a reseller price",
    ("ft:gpt-4o-2024-08-06", "2024-08-20"): "genai-prices has no cached rate for fine-tuned "
    "GPT-4o (prices cached tokens as input); OpenAI lists $1.875",
    ("ft:gpt-4o-mini-2024-07-18", "2024-07-23"): "genai-prices has no cached rate for fine-tuned "
    "GPT-4o mini (prices cached tokens as input); OpenAI lists $0.15",
    ("minimax-m2", "2025-10-27"): "MiniMax M2's free launch window (to 2025-11-07, estimated) "
    "is a period at $0 in costlens; genai-prices has only the paid rates",
    ("codestral-2501", "2025-01-13"): _NO_CACHE_RATE,
    ("devstral-small-2505", "2025-05-21"): _NO_CACHE_RATE,
    ("devstral-small-2507", "2025-07-10"): _NO_CACHE_RATE,
    ("mistral-medium-2505", "2025-05-07"): _NO_CACHE_RATE,
    ("mistral-large-2411", "2024-11-18"): _NO_CACHE_RATE,
    ("grok-4.20-0309-reasoning", "2026-03-09"): "genai-prices 0.2.3 has $2 / $6 (a beta-era "
    "listing, also on getmaxim.ai); both stored copies of the docs.x.ai model page give $1.25 / "
    "$0.20 / $2.50",
    ("grok-4.20-0309-non-reasoning", "2026-03-09"): "as grok-4.20-0309-reasoning: genai-prices "
    "has $2 / $6, Vercel AI Gateway's xAI route $1.25 / $2.50",
    ("claude-sonnet-5-5", "2026-09-28"): "genai-prices 0.2.3 has the $0.10 cache read from "
    "launch; the model page lists $0.20 and claudit v1.9.2 / PromptFuel v1.0.23 date the cut "
    "to $0.10 on 2026-10-07",
    ("grok-4.5", "2026-07-09"): "genai-prices 0.2.3 has a $0.30 cache read; Zoo-Code issue 866 "
    "(quoting docs.x.ai) and docs.apiyi.com give $0.50, as Grok 4.6 / 4.7 (where both agree)",
    ("mistral-large-4", "2026-10-20"): "genai-prices 0.2.3 has a $0.14 cached rate no other "
    "source shows; costlens leaves cache reads unpriced (it agrees on $1.36 / $4.18)",
}
PROVIDERS = {
    "anthropic": "anthropic",
    "openai": "openai",
    "google": "google",
    "deepseek": "deepseek",
    "xai": "x-ai",
    "mistral": "mistral",
    "moonshot": "moonshotai",
    "zhipu": "zai",
    "minimax": "minimax",
}
"""Our table's provider -> genai-prices' provider id."""


def _cases(book):
    for model_id, (f, m) in sorted(book.models.items()):
        if f.provider in PROVIDERS:
            for p in m.period:
                yield PROVIDERS[f.provider], model_id, p.start + dt.timedelta(hours=12)


def _theirs(provider: str, model_id: str, t: dt.datetime) -> D | None:
    usage = genai_prices.Usage(input_tokens=70_000, cache_read_tokens=20_000, output_tokens=5_000)
    try:
        got = genai_prices.calc_price(
            usage, model_ref=model_id, provider_id=provider, genai_request_timestamp=t
        )
    except LookupError:
        return None  # genai-prices does not know this model id
    return got.total_price


def test_every_model_both_know_agrees_or_is_a_listed_disagreement(book):
    cases = [(m, t, theirs) for p, m, t in _cases(book) if (theirs := _theirs(p, m, t)) is not None]
    assert len(cases) > 30
    # One frame of all the cases, priced at once (a row's price does not depend on the others).
    rows = [
        usage_row(
            source_line=i,
            model=m,
            input_uncached=50_000,
            cache_read=20_000,
            output=5_000,
            period_start=t,
        )
        for i, (m, t, _) in enumerate(cases)
    ]
    priced = pricing.price(usage_frame(*rows), book).collect().sort("source_line")
    ours = priced["cost"].to_list()
    differ = {
        (m, t.date().isoformat())
        for (m, t, theirs), cost in zip(cases, ours, strict=True)
        if cost != theirs
    }
    assert differ == set(DISAGREE)


@pytest.mark.parametrize(
    ("when", "ours", "why"),
    [
        # deepseek-chat on 2025-10-01: $0.28 + $0.42 (genai-prices: $1.37, problem 2)
        (dt.datetime(2025, 10, 1, tzinfo=dt.UTC), D("0.70"), "DeepSeek's 2025 periods"),
    ],
)
def test_deepseek_chat_disagreement_is_deliberate(book, when, ours, why):
    usage = genai_prices.Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    theirs = genai_prices.calc_price(
        usage, model_ref="deepseek-chat", provider_id="deepseek", genai_request_timestamp=when
    ).total_price
    row = price_one(book, model="deepseek-chat", input_uncached=1_000_000, output=1_000_000,
                    period_start=when)  # fmt: skip
    assert row["cost"] == ours != theirs, why
