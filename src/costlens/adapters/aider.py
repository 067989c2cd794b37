"""aider benchmark results: per-case ``.aider.results.json`` (a run attempt plus its usage) and the
public leaderboard YAML (aggregate rows per benchmark run). Shapes: research notes formats.md §8.5.

A case is one attempt at its exercise: ``tests_outcomes`` holds one boolean per try, and every
try after the first is aider re-prompting the model with the test errors, so ``reprompts =
len(tests_outcomes) - 1`` and first-attempt success is ``tests_outcomes[0]``. The case's usage
(its ``cost``, and token counts in newer builds) becomes one aggregated usage row joined to the
attempt by a costlens-made session id, ``aider:<testdir>``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import polars as pl

from .. import schema
from ..errors import InputError, located
from . import kit
from .kit import Read

RESULTS_NAME = ".aider.results.json"
_DIRNAME = re.compile(r"(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})--[^/\\]+")


class AiderResults(kit.Reader):
    name: ClassVar[str] = "aider-results"
    kind: ClassVar[str] = "runs"
    dedupe_on: ClassVar[tuple[str, ...]] = ()

    def identify(self, path: Path) -> bool:
        return path.name == RESULTS_NAME

    def read(self, path: Path) -> Read:
        try:
            doc = json.loads(Path(path).read_text(), parse_float=Decimal)  # money from raw text
        except ValueError as e:
            raise InputError(located(path, None, f"not valid JSON ({e})")) from e
        testdir = str(doc.get("testdir") or path.parent)
        run = _DIRNAME.search(testdir) or _DIRNAME.search(str(path))
        if not doc.get("testcase") or not doc.get("tests_outcomes") or not run:
            raise InputError(
                located(path, None, "no testcase, tests_outcomes or benchmark dirname found")
            )
        # The dirname time has no zone; it is read as UTC (wall-clock uses ``duration``).
        start = dt.datetime.strptime(run.group(1), "%Y-%m-%d-%H-%M-%S").replace(tzinfo=dt.UTC)
        end = start + dt.timedelta(seconds=float(doc.get("duration") or 0))
        session = f"aider:{testdir}"
        attempt = _attempt(doc, path, run.group(0), start, end, session)
        return Read(rows=attempt, usage=_usage(doc, path, start, end, session))


def _attempt(doc: dict, path: Path, run_id: str, start, end, session: str) -> pl.LazyFrame:
    outcomes = doc["tests_outcomes"]
    row = {
        "source_format": AiderResults.name,
        "source_file": str(path),
        "source_line": None,
        "task_id": doc["testcase"],
        "model": doc.get("model"),
        "run_id": run_id,
        "attempt": 1,
        "started_at": start,
        "ended_at": end,
        "outcome": "pass" if outcomes[-1] else "fail",
        "reprompts": len(outcomes) - 1,
        "session_id": session,
        "request_ids": [],
    }
    return schema.conform(pl.LazyFrame([row]), schema.RUNS)


def _usage(doc: dict, path: Path, start, end, session: str) -> pl.LazyFrame:
    row = {
        "source_format": AiderResults.name,
        "source_file": str(path),
        "model": doc.get("model"),
        "period_start": start,
        "period_end": end,
        "aggregated": True,
        "session_id": session,
        # aider reports prompt tokens without a cache split: all are counted as uncached input.
        "input_uncached": kit.whole(doc.get("prompt_tokens"), "prompt_tokens") or 0,
        "output": kit.whole(doc.get("completion_tokens"), "completion_tokens") or 0,
        "billed_cost": Decimal(doc["cost"]) if doc.get("cost") is not None else None,
        "currency": "USD",
    }
    return schema.conform(pl.LazyFrame([row], infer_schema_length=None), schema.USAGE)


def leaderboard(path: Path) -> pl.DataFrame:
    """The leaderboard YAML's rows with pass rates and cost per case recomputed from them.

    ``pass_rate_<i>_recomputed`` = round_half_up(100 * pass_num_<i> / test_cases, 1);
    ``cost_per_case`` = total_cost / test_cases (Decimal, from the YAML's own text). A missing
    ``total_cost`` stays null; ``0`` means "not measured" upstream and is kept as written.
    """
    import yaml

    class _Exact(yaml.SafeLoader):
        """Floats as Decimal from their own text (money is never parsed via float)."""

    _Exact.add_constructor(
        "tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node))
    )
    with open(path) as f:
        rows = yaml.load(f, Loader=_Exact)  # a SafeLoader subclass: no arbitrary objects
    keep = ["dirname", "model", "test_cases", "pass_num_1", "pass_num_2"]
    frame = pl.DataFrame(
        [{k: r.get(k) for k in keep} | _rates(r) for r in rows], infer_schema_length=None
    )
    return frame


def _rates(r: dict) -> dict:
    from decimal import ROUND_HALF_UP

    n, cost = r.get("test_cases"), r.get("total_cost")
    out: dict[str, object] = {
        "pass_rate_1": r.get("pass_rate_1"),
        "pass_rate_2": r.get("pass_rate_2"),
        "total_cost": cost,
        "cost_per_case": (Decimal(cost) / n) if cost is not None and n else None,
    }
    for i in ("1", "2"):
        num = r.get(f"pass_num_{i}")
        exact = Decimal(100 * num) / n if num is not None and n else None
        out[f"pass_rate_{i}_recomputed"] = (
            exact.quantize(Decimal("0.1"), ROUND_HALF_UP) if exact is not None else None
        )
    return out
