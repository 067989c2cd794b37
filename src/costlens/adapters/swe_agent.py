"""SWE-agent ``<instance_id>.traj`` (0.x and 1.x) and mini-swe-agent ``<instance_id>.traj.json``.

Shapes: research notes formats.md §8.3-8.4; mapping and decisions: docs/formats.md. One file is
one attempt at one instance (``task_id`` = the file name without its suffix, which is the
instance id SWE-agent writes and keys ``preds.json`` with; ``run_id`` = the folder holding it,
or for mini-swe-agent's ``<run>/<instance_id>/<instance_id>.traj.json`` the folder above that).

Usage: SWE-agent keeps only a per-instance total (``info.model_stats``: ``tokens_sent``,
``tokens_received``, ``api_calls``, ``instance_cost``) with no cache split, so it becomes one
aggregated row with every sent token counted as uncached input. mini-swe-agent keeps the raw
LiteLLM response of each call: when every assistant message has one with ``usage``, each call is
its own row (response id, time, tokens, ``extra.cost``); otherwise one row states
``instance_cost`` only (no token counts, so it is reported as billed, never priced at $0).

The outcome is what the trajectory says, not a test verdict: a non-empty ``submission`` with a
``submitted`` exit status is ``pass`` (a patch was submitted; whether it resolves the instance
is decided by the SWE-bench harness, not recorded here), a stop on a budget / format / context
limit is ``fail``, anything else (errors, API failures, no status) is ``error``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import polars as pl

from .. import schema
from . import _harness as h
from . import kit
from .kit import Read

SWE_NAME = "swe-agent-traj"
MINI_NAME = "mini-swe-agent-traj"
RUN_DIR = re.compile(r"^(?P<model>[^_].*?)__.+__t-[\d.]+__p-[\d.]+__c-[\d.]+__install-\d+$")
"""SWE-agent 0.x experiment folder ``<model>__<data>__<config>__t-..__p-..__c-..__install-..``."""
_LIMITS = (
    "submitted",
    "exit_cost",
    "exit_context",
    "exit_format",
    "exit_forfeit",
    "exit_command",
    "exit_total_execution_time",
    "limitsexceeded",
)
"""Exit statuses that end an attempt without an error: failed unless a patch was submitted."""


class SweAgentTrajectory(kit.Reader):
    name: ClassVar[str] = SWE_NAME
    kind: ClassVar[str] = "runs"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        return path.suffix == ".traj"

    def read(self, path: Path) -> Read:
        doc = h.load(path)
        info = doc.get("info") or {}
        stats = info.get("model_stats") or {}
        task = path.name.removesuffix(".traj")
        end, model = kit.modified(path), _swe_model(doc, path)
        run = path.parent.name
        session = f"swe-agent:{run}/{task}"
        row = {
            **_common(SWE_NAME, path, model, session),
            # No time in the file: dated by its modification time at ingest (time_source).
            "period_start": None,
            "period_end": None,
            "aggregated": True,
            "requests": h.count(stats.get("api_calls"), "api_calls"),
            # model_stats has no cache split: every sent token is counted as uncached input.
            "input_uncached": h.count(stats.get("tokens_sent"), "tokens_sent"),
            "cache_read": 0,
            "cache_write_5m": 0,
            "cache_write_1h": 0,
            "output": h.count(stats.get("tokens_received"), "tokens_received"),
            **_billed(stats.get("instance_cost")),
        }
        attempt = _attempt(SWE_NAME, path, task, model, info, (None, end), session, [], run)
        if not stats:  # a trajectory holding only ``history`` recorded no usage at all
            return Read(rows=h.attempts([attempt]), issues=_no_stats(path))
        return Read(rows=h.attempts([attempt]), usage=h.usage([row]))


def _no_stats(path: Path) -> pl.LazyFrame:
    row = {"source_format": SWE_NAME, "source_file": str(path), "kind": "skipped", "count": 1}
    reason = "no info.model_stats: the trajectory records no usage"
    return schema.conform(pl.LazyFrame([row | {"reason": reason}]), schema.ISSUES)


def _swe_model(doc: dict, path: Path) -> str | None:
    """1.x: ``replay_config.agent.model.name``; 0.x: the experiment folder's first part."""
    replay = doc.get("replay_config")
    if isinstance(replay, str):
        try:
            replay = json.loads(replay)
        except ValueError:
            replay = None
    if isinstance(replay, dict):
        return ((replay.get("agent") or {}).get("model") or {}).get("name")
    m = RUN_DIR.match(path.parent.name)
    return m["model"] if m else None


class MiniSweAgentTrajectory(kit.Reader):
    name: ClassVar[str] = MINI_NAME
    kind: ClassVar[str] = "runs"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        return path.name.endswith(".traj.json")

    def read(self, path: Path) -> Read:
        doc = _mini_doc(path)
        if doc is None:  # mini-swe-agent's oldest form: a bare list of messages, no usage
            return _bare_list(path)
        info = doc.get("info") or {}
        model = (((info.get("config") or {}).get("model")) or {}).get("model_name")
        task = str(doc.get("instance_id") or path.name.removesuffix(".traj.json"))
        run = path.parent.parent if path.parent.name == task else path.parent
        session = f"mini-swe-agent:{run.name}/{task}"
        said = [m for m in doc.get("messages") or [] if m.get("role") == "assistant"]
        calls = [c for c in map(_call, said) if c is not None]
        if said and len(calls) == len(said):
            rows = [_call_row(path, model, session, c) for c in calls]
            rows += _stated_total(path, model, session, info, calls)
        else:
            rows = [_total_row(path, model, session, info)]
        times = [r["period_start"] for r in rows if r["period_start"] is not None]
        span = (min(times), max(times)) if times else (None, kit.modified(path))
        for r in rows:  # a call with no time takes its trajectory's last; none: the file's mtime
            r["period_start"] = r["period_start"] or (span[1] if times else None)
            r["period_end"] = r["period_start"]
        ids = [r["response_id"] for r in rows if r.get("response_id")]
        attempt = _attempt(MINI_NAME, path, task, model, info, span, session, ids, run.name)
        return Read(rows=h.attempts([attempt]), usage=h.usage(rows))


def _mini_doc(path: Path) -> dict | None:
    """The trajectory document, or None for a bare JSON list of messages (mini-swe-agent's
    ``tests/test_data`` trajectories: the messages only, no ``info``)."""
    if _is_list(path):
        try:
            if isinstance(json.loads(path.read_bytes()), list):
                return None
        except (ValueError, UnicodeDecodeError):
            pass  # not valid JSON: ``load`` says so, naming the file
    return h.load(path)


def _is_list(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(64).lstrip().startswith(b"[")


def _bare_list(path: Path) -> Read:
    task = path.name.removesuffix(".traj.json")
    attempt = _attempt(
        MINI_NAME, path, task, None, {}, (None, kit.modified(path)), None, [], path.parent.name
    )
    reason = "a bare list of messages (no info): the trajectory records no usage"
    row = {"source_format": MINI_NAME, "source_file": str(path), "kind": "skipped", "count": 1}
    issues = schema.conform(pl.LazyFrame([row | {"reason": reason}]), schema.ISSUES)
    return Read(rows=h.attempts([attempt]), issues=issues)


def _call(message: dict) -> dict | None:
    """The raw response (with ``usage``), cost and time of one assistant message, or None."""
    extra = message.get("extra") or {}
    response = extra.get("response")
    if not isinstance(response, dict) or not isinstance(response.get("usage"), dict):
        return None
    # 2.x writes ``extra.cost`` and ``extra.timestamp``; 1.x only the response, whose
    # ``created`` (Unix s) is the call's time and, through OpenRouter, ``usage.cost`` its bill.
    cost = extra.get("cost")
    return {
        "response": response,
        "cost": cost if cost is not None else response["usage"].get("cost"),
        "at": kit.unix_value(extra.get("timestamp")) or kit.unix_value(response.get("created")),
    }


def _call_row(path: Path, model: str | None, session: str, c: dict) -> dict:
    """LiteLLM (OpenAI-style) usage: ``prompt_tokens`` includes cached reads and cache writes."""
    r, u = c["response"], c["response"]["usage"]
    prompt, out = h.count(u.get("prompt_tokens")) or 0, h.count(u.get("completion_tokens")) or 0
    read = h.count((u.get("prompt_tokens_details") or {}).get("cached_tokens")) or 0
    write = h.count(u.get("cache_creation_input_tokens")) or 0
    reasoning = h.count((u.get("completion_tokens_details") or {}).get("reasoning_tokens"))
    return {
        **_common(MINI_NAME, path, r.get("model") or model, session),
        "period_start": c["at"],
        "aggregated": False,
        "response_id": r.get("id"),
        "requests": 1,
        "input_uncached": prompt - read - write,
        "cache_read": read,
        "cache_write_5m": write,
        "cache_write_1h": 0,
        "output": _output(out, reasoning, prompt, h.count(u.get("total_tokens"))),
        "reasoning": reasoning,
        "ttl_assumed": write > 0,
        **_billed(c["cost"]),
    }


def _output(completion: int, reasoning: int | None, prompt: int, total: int | None) -> int:
    """Reasoning beside completion (xAI, Gemini through LiteLLM) is added, as
    ``_usage.output_with_reasoning`` rules for the response logs; inside it (OpenAI) is not."""
    r = reasoning or 0
    beside = (r > 0 and total == prompt + completion + r) or r > completion
    return completion + r if beside else completion


def _stated_total(path: Path, model: str | None, session: str, info: dict, calls: list) -> list:
    """When no call states its cost, the trajectory's ``instance_cost`` is kept as one billed
    row (no tokens), so the bill it states is not lost."""
    if any(kit.money_value(c["cost"]) is not None for c in calls):
        return []
    stated = _billed((info.get("model_stats") or {}).get("instance_cost"))
    if stated["billed_cost"] is None:
        return []
    row = {**_common(MINI_NAME, path, model, session), "period_start": None, "aggregated": True}
    return [row | {"requests": 0, **stated}]


def _total_row(path: Path, model: str | None, session: str, info: dict) -> dict:
    """Only ``model_stats``: calls and cost, no token counts (reported as billed, not priced)."""
    stats = info.get("model_stats") or {}
    return {
        **_common(MINI_NAME, path, model, session),
        "period_start": None,
        "aggregated": True,
        "requests": h.count(stats.get("api_calls"), "api_calls"),
        **_billed(stats.get("instance_cost")),
    }


def _common(fmt: str, path: Path, model: str | None, session: str) -> dict:
    return {
        "source_format": fmt,
        "source_file": str(path),
        "model": model,
        "session_id": session,
        "batch": False,
        "ttl_assumed": False,
    }


def _billed(cost: object) -> dict:
    value = kit.money_value(cost)
    return {"billed_cost": value, "currency": "USD" if value is not None else None}


def _attempt(fmt, path, task, model, info, span, session, ids, run_id) -> dict:
    return {
        "source_format": fmt,
        "source_file": str(path),
        "task_id": task,
        "model": model,
        "run_id": run_id,
        "attempt": 1,
        "started_at": span[0],
        "ended_at": span[1],
        "outcome": outcome(info.get("exit_status"), info.get("submission")),
        "reprompts": 0,
        "session_id": session,
        "request_ids": ids,
    }


def outcome(status: object, submission: object) -> str:
    """``pass`` = a patch submitted; ``fail`` = stopped on a limit; ``error`` = anything else."""
    text = str(status or "").strip().lower()
    if not text.startswith(_LIMITS):
        return "error"
    patched = isinstance(submission, str) and submission.strip() != ""
    return "pass" if patched and text.startswith("submitted") else "fail"
