"""Generate a matched bundle outside the repository: a costlens run log (JSONL) and the usage of
every attempt as logged Anthropic Messages (the costlens wrapper: ``timestamp``, ``request_id``,
``response``), joined by request id. Standard library only, seeded.

Each model is a ``Arm``: the priced model behind it, the chance that an attempt passes, the mean
input / output tokens of an attempt (drawn uniformly within +-50%). A failed attempt is retried
up to ``max_attempts``; a task not passed by then stays unsolved.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

T0 = dt.datetime(2025, 12, 1, 9, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Arm:
    label: str  # the model name in the run log
    model: str  # the priced model id in the usage
    p_pass: float
    input_tokens: int
    output_tokens: int
    harness: str | None = None


def write_bundle(
    folder: Path,
    arms: list[Arm],
    tasks: int,
    seed: int,
    categories: dict[str, dict[str, float]] | None = None,
    max_attempts: int = 3,
) -> tuple[Path, Path]:
    """Write ``runs.jsonl`` and ``messages.jsonl`` in ``folder``; return their paths.

    ``categories`` maps a category to per-arm pass chances overriding ``Arm.p_pass``; tasks are
    dealt to the categories in turn."""
    rng = random.Random(seed)
    runs, msgs = [], []
    cats = list(categories or {})
    for t in range(tasks):
        cat = cats[t % len(cats)] if cats else None
        for arm in arms:
            p = (categories or {}).get(cat, {}).get(arm.label, arm.p_pass) if cat else arm.p_pass
            _task(rng, f"T{t:03d}", cat, arm, p, max_attempts, runs, msgs)
    folder.mkdir(parents=True, exist_ok=True)
    runs_path, usage_path = folder / "runs.jsonl", folder / "messages.jsonl"
    runs_path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    usage_path.write_text("".join(json.dumps(m) + "\n" for m in msgs))
    return runs_path, usage_path


def _task(rng, task, cat, arm: Arm, p, max_attempts, runs, msgs) -> None:
    for attempt in range(1, max_attempts + 1):
        start = T0 + dt.timedelta(minutes=10 * len(runs))
        req = f"req_{len(msgs):06d}"
        passed = rng.random() < p
        runs.append(
            {
                "task_id": task,
                "model": arm.label,
                "run_id": "r1",
                "attempt": attempt,
                "started_at": _iso(start),
                "ended_at": _iso(start + dt.timedelta(minutes=5)),
                "outcome": "pass" if passed else "fail",
                "reprompts": 0,
                "request_ids": [req],
                **({"category": cat} if cat else {}),
                **({"harness": arm.harness} if arm.harness else {}),
            }
        )
        msgs.append(_message(rng, req, arm, start + dt.timedelta(minutes=1)))
        if passed:
            return


def _message(rng, req: str, arm: Arm, at: dt.datetime) -> dict:
    usage = {
        "input_tokens": int(arm.input_tokens * rng.uniform(0.5, 1.5)),
        "output_tokens": int(arm.output_tokens * rng.uniform(0.5, 1.5)),
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 0,
    }
    response = {"id": f"msg_{req}", "type": "message", "model": arm.model, "usage": usage}
    return {"timestamp": _iso(at), "request_id": req, "response": response}


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
