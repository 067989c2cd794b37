"""``costlens plan``: how many matched tasks the next bundle needs, from a compare baseline.

rows = plan_from_baseline(Path("compare.json"), "10%")

Reads the ``verdict`` of a ``costlens compare --json`` output (each pair's observed per-task
spread ``sd_per_task``, its criterion, the leader's value, the confidence and power) and sizes
a paired bundle to detect the given difference, overall and per category (each category
under its own criterion); the formula is in docs/metrics.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import verdict as v
from .errors import InputError, located


def parse_detect(text: str) -> tuple[float, bool]:
    """``10%`` -> (0.10, relative); ``0.05`` -> (0.05, absolute in the criterion's units).

    Raises:
        InputError: not a positive number or percentage.
    """
    raw = text.strip()
    relative = raw.endswith("%")
    try:
        value = float(raw.removesuffix("%")) / (100 if relative else 1)
    except ValueError:
        value = -1.0
    if not value > 0 or value != value:
        raise InputError(
            f"--detect must be a positive difference such as 10% (of the leader's value) or "
            f"0.05 (in the criterion's units), not {text!r}"
        )
    return value, relative


def plan_from_baseline(path: Path, detect: str) -> dict:
    """The baseline's criterion, confidence and power, and per pair the tasks needed.

    Raises:
        InputError: the file is not a compare JSON output with a verdict.
    """
    value, relative = parse_detect(detect)
    base, categories = _verdict(path)
    s = v.Settings(confidence=float(base["confidence"]), power=float(base["power"]))
    return {
        "criterion": base["criterion"],
        "confidence": s.confidence,
        "power": s.power,
        "detect": detect.strip(),
        "pairs": _sized(base["pairs"], value, relative, s),
        "categories": [
            {"category": c["category"], "criterion": c["criterion"]}
            | {"pairs": _sized(c["pairs"], value, relative, s)}
            for c in categories
            if isinstance(c, dict) and {"category", "criterion", "pairs"} <= c.keys()
        ],
    }


def _sized(pairs: list[dict], value: float, relative: bool, s: v.Settings) -> list[dict]:
    rows = v.plan(pairs, value, relative, s)
    for row, pair in zip(rows, pairs, strict=True):
        row |= {"tasks_now": pair.get("tasks"), "sd_per_task": pair.get("sd_per_task")}
    return rows


def _verdict(path: Path) -> tuple[dict, list]:
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InputError(located(path, None, f"cannot read the baseline ({e})")) from e
    got = doc.get("verdict") if isinstance(doc, dict) else None
    keys = ("criterion", "confidence", "power", "pairs")
    if not isinstance(got, dict) or any(k not in got for k in keys):
        raise InputError(
            located(path, None, "not a costlens compare --json output (no verdict with pairs)")
            + "; write one with: costlens compare RUNS... --json > compare.json"
        )
    cats = doc.get("categories")
    return got, cats if isinstance(cats, list) else []
