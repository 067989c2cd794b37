"""Inspect AI eval logs: ``.eval`` archives and ``.json`` logs (log format version 2).

Shapes: research notes formats.md §8.2; mapping and decisions: docs/formats.md. In short:

* one attempt per sample and epoch: ``task_id`` = ``<eval.task>/<sample id>`` (sample ids are
  only unique within a task's dataset), ``run_id`` = ``<eval.run_id>:<epoch>`` (epochs are
  independent trials, so each is its own task run), ``model`` = ``eval.model``;
  outcome from the first score (value 1 / ``C`` = pass, anything else = fail, sample error or no
  readable score = error); times from the sample, else its events, else the log's ``stats``;
* usage from each sample's ``model_usage`` (one aggregated row per sample and model, joined by a
  costlens-made session id). The log-level ``stats.model_usage`` is never added on top: only what
  it holds beyond the samples' sum (all of it for a log with ``samples: []``) becomes one
  unattributed row per model;
* token buckets: inspect_ai >= 0.3.184 reports ``input_tokens`` without cache reads and writes;
  older versions include them for some providers, which the row's own ``total_tokens`` tells
  apart (``total = input + output`` means the cache is inside ``input``);
* the provider's response ids found in model events (``call.response.id``) go to the attempt's
  ``request_ids``, so a provider log of the same calls can be joined by id.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from ..errors import InputError, located
from . import _harness as h
from . import kit
from ._base import head
from .kit import Read

NAME = "inspect-ai"
NORMALISED = (0, 3, 184)
"""First inspect_ai release whose ``input_tokens`` excludes cache reads and writes everywhere."""
_JSON_HEAD = re.compile(r'^\s*\{\s*"version"\s*:\s*\d+\s*,\s*"status"\s*:\s*"')
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(.*)$")
_FIELDS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "input_tokens_cache_read",
    "input_tokens_cache_write",
    "reasoning_tokens",
    "total_cost",
)
_PASS = {"c", "correct", "yes", "true"}
"""Score strings Inspect's ``value_to_float`` reads as 1.0 (numbers: exactly 1)."""


@dataclass(frozen=True)
class _Log:
    path: Path
    key: str
    run_id: str
    task: str
    model: str | None
    normalised: bool
    window: tuple


class InspectLog(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "runs"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        if path.suffix == ".eval":
            return zipfile.is_zipfile(path)
        text = head(path) if path.suffix == ".json" else ""
        return bool(_JSON_HEAD.match(text)) and '"eval"' in text and '"task"' in text

    def read(self, path: Path) -> Read:
        if path.suffix != ".eval":
            doc = h.load(path)
            return _read(path, doc, doc.get("samples") or [])
        try:
            with zipfile.ZipFile(path) as z:
                header = h.load(path, z.read("header.json"))
                return _read(path, header, _members(path, z))
        except (KeyError, zipfile.BadZipFile) as e:
            raise InputError(located(path, None, f"not an Inspect .eval archive ({e})")) from e


def _members(path: Path, z: zipfile.ZipFile) -> Iterator[dict]:
    """Each ``samples/<id>_epoch_<n>.json``, decoded one at a time."""
    for name in sorted(n for n in z.namelist() if re.match(r"samples/[^/]+\.json$", n)):
        yield h.load(Path(f"{path}!{name}"), z.read(name))


def _read(path: Path, header: dict, samples: Iterable[dict]) -> Read:
    log = _context(path, header)
    runs: list[dict] = []
    usage: list[dict] = []
    sums: dict = {}
    for s in samples:
        attempt, rows = _sample(log, s)
        runs.append(attempt)
        usage += rows
        for key, u in (s.get("model_usage") or {}).items():
            sums[key] = _add(sums.get(key, {}), u)
    usage += _remainder(log, (header.get("stats") or {}).get("model_usage") or {}, sums)
    return Read(rows=h.attempts(runs), usage=h.usage(usage))


def _context(path: Path, header: dict) -> _Log:
    ev, stats = header.get("eval") or {}, header.get("stats") or {}
    run_id = ev.get("run_id") or ev.get("eval_id")
    if not run_id:
        raise InputError(located(path, None, "no eval.run_id: is this an Inspect eval log?"))
    version = (ev.get("packages") or {}).get("inspect_ai")
    window = (kit.when_value(stats.get("started_at")), kit.when_value(stats.get("completed_at")))
    key, task = ev.get("eval_id") or run_id, ev.get("task") or "task"
    return _Log(path, key, run_id, task, ev.get("model"), _normalised(version), window)


def _normalised(version: str | None) -> bool:
    """True for inspect_ai >= 0.3.184 (a ``.dev`` build of 0.3.184 precedes the release)."""
    m = _VERSION.match(version or "")
    if not m:
        return False
    nums = tuple(int(g) for g in m.groups()[:3])
    return nums > NORMALISED or (nums == NORMALISED and not re.match(r"\.?(dev|a|b|rc)", m[4]))


def _sample(log: _Log, s: dict) -> tuple[dict, list[dict]]:
    sid, epoch = f"{log.task}/{s.get('id')}", int(s.get("epoch") or 1)
    events = [e for e in s.get("events") or [] if isinstance(e, dict)]
    start, end = _window(s, events, log)
    session = f"inspect:{log.key}:{sid}:{epoch}"
    attempt = {
        "source_format": NAME,
        "source_file": str(log.path),
        "task_id": sid,
        "model": log.model,
        "run_id": f"{log.run_id}:{epoch}",
        "attempt": 1,
        "started_at": start,
        "ended_at": end,
        "outcome": _outcome(s),
        "reprompts": 0,
        "session_id": session,
        "request_ids": _response_ids(events),
    }
    calls = [e.get("model") for e in events if e.get("event") == "model"]
    rows = [
        _usage_row(log, key, u, (start, end), session, calls.count(key) if calls else None)
        for key, u in (s.get("model_usage") or {}).items()
    ]
    return attempt, rows


def _window(s: dict, events: list[dict], log: _Log) -> tuple:
    """Sample times; else the span of its events; else the log's own start and end."""
    start, end = kit.when_value(s.get("started_at")), kit.when_value(s.get("completed_at"))
    found = [kit.when_value(e.get(k)) for e in events for k in ("timestamp", "completed")]
    stamps = [t for t in found if t is not None]
    start = start or (min(stamps) if stamps else log.window[0])
    end = end or (max(stamps) if stamps else log.window[1])
    return start, end


def _outcome(s: dict) -> str:
    """``error`` for a sample error; else the first score: 1 / ``C`` pass, other values fail."""
    if s.get("error"):
        return "error"
    scores = [v for v in (s.get("scores") or {}).values() if isinstance(v, dict)]
    value = scores[0].get("value") if scores else None
    if isinstance(value, bool):
        return "pass" if value else "fail"
    if isinstance(value, int | Decimal | float):
        return "pass" if value == 1 else "fail"
    if isinstance(value, str):
        text = value.strip().lower()
        try:
            return "pass" if Decimal(text) == 1 else "fail"
        except ArithmeticError:
            return "pass" if text in _PASS else "fail"
    return "error"  # no score, or a dict / list value: nothing costlens can judge


def _response_ids(events: list[dict]) -> list[str]:
    out = []
    for e in events:
        response = (e.get("call") or {}).get("response") if e.get("event") == "model" else None
        if isinstance(response, dict) and isinstance(response.get("id"), str):
            out.append(response["id"])
    return out


def _usage_row(log: _Log, key: str, u: dict, span: tuple, session, calls) -> dict:
    cost = kit.money_value(u.get("total_cost"))
    return {
        "source_format": NAME,
        "source_file": str(log.path),
        "provider": key.split("/", 1)[0] if "/" in key else None,
        "model": key,
        "period_start": span[0],
        "period_end": span[1],
        "aggregated": True,
        "session_id": session,
        "batch": False,
        "requests": calls,
        **buckets(u, log.normalised),
        "billed_cost": cost,
        "currency": "USD" if cost is not None else None,
    }


def buckets(u: dict, normalised: bool) -> dict:
    """Disjoint token buckets from an Inspect ``ModelUsage``.

    From 0.3.184 ``input_tokens`` excludes cache reads and writes. Before it, some providers
    (OpenAI, Google) counted them inside ``input_tokens``: the row's ``total_tokens`` says which
    (``input + output`` means inside; ``input + cache + output`` means apart); without a
    telling total, an input at least as large as the cache counts is read as inclusive.
    Cache writes carry no TTL: they are priced as 5-minute writes (``ttl_assumed``).
    """
    inp, out = (
        h.count(u.get("input_tokens"), "input_tokens") or 0,
        h.count(u.get("output_tokens"), "output_tokens") or 0,
    )
    read = h.count(u.get("input_tokens_cache_read"), "input_tokens_cache_read") or 0
    write = h.count(u.get("input_tokens_cache_write"), "input_tokens_cache_write") or 0
    total = h.count(u.get("total_tokens"), "total_tokens")
    if not normalised and (read or write) and _cache_inside(inp, out, read + write, total):
        inp -= read + write
    return {
        "input_uncached": inp,
        "cache_read": read,
        "cache_write_5m": write,
        "cache_write_1h": 0,
        "output": out,
        "reasoning": h.count(u.get("reasoning_tokens"), "reasoning_tokens") or 0,
        "ttl_assumed": write > 0,
    }


def _cache_inside(inp: int, out: int, cache: int, total: int | None) -> bool:
    if total == inp + out:
        return True
    if total == inp + cache + out:
        return False
    return inp >= cache


def _add(a: dict, b: dict) -> dict:
    return {f: (a.get(f) or 0) + (b.get(f) or 0) for f in _FIELDS if f in a or f in b}


def _remainder(log: _Log, totals: dict, sums: dict) -> list[dict]:
    """Log-level usage beyond the samples' sum, per model: one unattributed row each.

    Only when no field of the samples' sum exceeds the log's total (else the samples are the
    better record and nothing is added). A log with ``samples: []`` keeps all of its usage here.
    """
    rows = []
    for key, total in totals.items():
        have = sums.get(key, {})
        diff = {f: (total.get(f) or 0) - (have.get(f) or 0) for f in _FIELDS if f in total}
        tokens = [v for f, v in diff.items() if f != "total_cost"]
        if all(v >= 0 for v in diff.values()) and any(v > 0 for v in tokens):
            rows.append(_usage_row(log, key, diff, log.window, None, None))
    return rows
