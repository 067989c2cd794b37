"""Numbers taken from the bundled samples' own files with json / csv only, never through
costlens, so tests can hold the code's counts and totals against them.

Claude Code rules applied here are the documented ones (docs/formats.md): a line carries usage
when its ``message`` has ``usage``; ``<synthetic>`` notices are not API calls; one record per
(message id, request id), later copies are duplicates; a line that is not JSON is rejected.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
BUNDLE = SAMPLES / "bundle"


def report_results(name: str) -> int:
    """Result rows in a usage-report sample (one usage row each)."""
    pages = json.loads((SAMPLES / "billing" / name).read_text())["data"]
    return sum(len(p["results"]) for p in pages)


def claude_code_lines() -> dict[str, int]:
    """Counts over the Claude Code sample sessions: usage lines, distinct records, lines that
    are not JSON, lines skipped (no usage, or a synthetic notice)."""
    usage = bad = skipped = 0
    keys = set()
    for f in sorted((BUNDLE / "claude-code").rglob("*.jsonl")):
        for line in f.read_text().splitlines():
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            m = d.get("message")
            if not isinstance(m, dict) or not m.get("usage") or m.get("model") == "<synthetic>":
                skipped += 1
                continue
            usage += 1
            keys.add((m.get("id"), d.get("requestId")))
    return {"usage": usage, "records": len(keys), "not_json": bad, "skipped": skipped}


def run_attempts() -> list[dict]:
    """Every attempt in the bundle's two run logs, as text fields."""
    with (BUNDLE / "runs.jsonl").open() as f:
        rows = [json.loads(line) for line in f if line.strip()]
    with (BUNDLE / "runs-opus-part2.csv").open(newline="") as f:
        rows += list(csv.DictReader(f))
    return rows


def first_attempt_success_rate(model: str) -> float:
    """Task runs (task, run) whose attempt 1 passed with no reprompt, over all task runs."""
    mine = [r for r in run_attempts() if r["model"] == model]
    runs = {(r["task_id"], r["run_id"]) for r in mine}
    first = {
        (r["task_id"], r["run_id"])
        for r in mine
        if int(r["attempt"]) == 1 and r["outcome"] == "pass" and int(r["reprompts"] or 0) == 0
    }
    return len(first) / len(runs)
