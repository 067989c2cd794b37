"""Generated inputs for the workspace tests, in the vendors' documented shapes.

A month (2026-10) of an Anthropic Admin usage report (messages, daily buckets per model) and
cost report (grouped by description: one line per model and token type, amounts in cents), for
two models at published rates: claude-sonnet-4-5 $3 / $15 and claude-haiku-4-5 $1 / $5 per
million input / output tokens. Two faults can be planted: a day missing from the usage report,
and sonnet output billed at $18 (+20%) from a given day.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

SONNET, HAIKU = "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"
MYSTERY = "claude-mystery-9-20260901"
"""A model no price table knows (its bill uses $1 / $5)."""
RATES = {SONNET: (Decimal(3), Decimal(15)), HAIKU: (Decimal(1), Decimal(5))}
RATES[MYSTERY] = RATES[HAIKU]
DESC = {SONNET: "Claude Sonnet 4.5", HAIKU: "Claude Haiku 4.5", MYSTERY: "Claude Mystery 9"}
BOTH = (SONNET, HAIKU)
WS = "wrkspc_01Acme"


def tokens(model: str, day: int) -> tuple[int, int]:
    """(input, output) tokens of ``model`` on October ``day``."""
    if model == SONNET:
        return 1_000_000 + 10_000 * day, 200_000 + 1_000 * day
    return 400_000, 80_000


def _bucket(day: int, results: list[dict], month: int = 10) -> dict:
    nd, nm = (day + 1, month) if day < (31 if month == 10 else 30) else (1, month + 1)
    return {
        "starting_at": f"2026-{month:02d}-{day:02d}T00:00:00Z",
        "ending_at": f"2026-{nm:02d}-{nd:02d}T00:00:00Z",
        "results": results,
    }


def usage_report(path: Path, days, month: int = 10, models=BOTH, searches: int = 0) -> Path:
    """``searches``: web search requests a day, on sonnet's row."""
    data = []
    for d in days:
        results = []
        for m in models:
            i, o = tokens(m, d)
            results.append(
                {
                    "uncached_input_tokens": i,
                    "cache_creation": {
                        "ephemeral_5m_input_tokens": 0,
                        "ephemeral_1h_input_tokens": 0,
                    },
                    "cache_read_input_tokens": 0,
                    "output_tokens": o,
                    "server_tool_use": {"web_search_requests": searches if m == SONNET else 0},
                    "api_key_id": None,
                    "workspace_id": WS,
                    "model": m,
                    "service_tier": "standard",
                    "context_window": "0-200k",
                }
            )
        data.append(_bucket(d, results, month))
    path.write_text(json.dumps({"data": data, "has_more": False, "next_page": None}, indent=1))
    return path


def cost_report(
    path: Path,
    days,
    output_rate_from: dict[int, Decimal] | None = None,
    models=BOTH,
    searches: int = 0,
    by_description: bool = True,
) -> Path:
    """``output_rate_from``: {first day: sonnet output $ per Mtok} for a planted mismatch;
    ``searches`` a day are billed on a line naming no model, at $10 per 1,000. Without
    ``by_description`` the report is not grouped: one token amount a day, naming no model."""
    data = []
    for d in days:
        results = []
        for m in models:
            i, o = tokens(m, d)
            rate_in, rate_out = RATES[m]
            if m == SONNET and output_rate_from:
                rate_out = next((r for f, r in output_rate_from.items() if d >= f), rate_out)
            for kind, n, rate, tt in (
                ("Input", i, rate_in, "uncached_input_tokens"),
                ("Output", o, rate_out, "output_tokens"),
            ):
                cents = Decimal(n) * rate / 10_000  # $ per Mtok -> cents
                results.append(
                    {
                        "currency": "USD",
                        "amount": str(cents),
                        "workspace_id": WS,
                        "description": f"{DESC[m]} Usage - {kind} Tokens",
                        "cost_type": "tokens",
                        "context_window": "0-200k",
                        "model": m,
                        "service_tier": "standard",
                        "token_type": tt,
                        "inference_geo": "global",
                    }
                )
        if not by_description:
            total = sum(Decimal(r["amount"]) for r in results)
            none = dict.fromkeys(["description", "context_window", "model", "service_tier"])
            results = [
                {
                    "currency": "USD",
                    "amount": str(total),
                    "workspace_id": WS,
                    **none,
                    "cost_type": "tokens",
                    "token_type": None,
                    "inference_geo": None,
                }
            ]
        if searches:
            results.append(
                {
                    "currency": "USD",
                    "amount": str(Decimal(searches)),  # cents: $10 / 1000 = 1 cent a search
                    "workspace_id": WS,
                    "description": None,
                    "cost_type": "web_search",
                    "context_window": None,
                    "model": None,
                    "service_tier": None,
                    "token_type": None,
                    "inference_geo": None,
                }
            )
        data.append(_bucket(d, results))
    path.write_text(json.dumps({"data": data, "has_more": False, "next_page": None}, indent=1))
    return path


def claude_line(session: str, n: int, output: int | None = None) -> str:
    """Response ``n`` of ``session``: 1000*n input and 100*n output tokens (``output`` overrides,
    for a streaming line logged before the final one)."""
    return json.dumps(
        {
            "parentUuid": None,
            "isSidechain": False,
            "userType": "external",
            "cwd": "/work/acme",
            "sessionId": session,
            "version": "2.0.55",
            "message": {
                "model": SONNET,
                "id": f"msg_{session}_{n}",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "text", "text": "(x)"}],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": 1000 * n,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "output_tokens": 100 * n if output is None else output,
                    "service_tier": "standard",
                },
            },
            "requestId": f"req_{session}_{n}",
            "type": "assistant",
            "uuid": f"u-{session}-{n}-{output}",
            "timestamp": f"2026-10-0{1 + n % 5}T10:00:{n:02d}.000Z",
        }
    )


def session_file(folder: Path, session: str, responses) -> Path:
    """A session log: each response streamed as a partial line, then its final line."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for n in responses:
        lines += [claude_line(session, n, output=1), claude_line(session, n)]
    path = folder / f"{session}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path
