"""Golden files: every sample input and fixture, read into canonical rows, matches its golden.

Regenerate after an intended change with ``COSTLENS_REGEN=1 pytest tests/test_golden.py`` and
review the diff; without the variable a missing golden is a failure, never silently written.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from conftest import FIXTURES, ROOT, SAMPLES

from costlens.ingest import ingest

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "samples-claude-code": [SAMPLES / "bundle" / "claude-code"],
    "samples-runs-jsonl": [SAMPLES / "bundle" / "runs.jsonl"],
    "samples-runs-csv": [SAMPLES / "bundle" / "runs-opus-part2.csv"],
    "samples-anthropic-usage-report": [SAMPLES / "billing" / "anthropic-usage-report-2025-12.json"],
    "samples-openai-usage-completions": [
        SAMPLES / "billing" / "openai-usage-completions-2025-12.json"
    ],
    "spotter-short": [FIXTURES / "claude_code" / "spotter" / "short.jsonl"],
    "spotter-tool-heavy": [FIXTURES / "claude_code" / "spotter" / "tool_heavy.jsonl"],
}


def _relative(df: pl.DataFrame) -> pl.DataFrame:
    """Paths relative to the repository, so goldens do not depend on the checkout location."""
    root = str(ROOT) + os.sep
    text = [c for c, t in df.schema.items() if t == pl.String]
    return df.with_columns(pl.col(c).str.replace_all(root, "", literal=True) for c in text)


def _tables(paths: list[Path]) -> dict[str, pl.DataFrame]:
    got = ingest(paths)
    runs = got.runs.with_columns(pl.col("request_ids").list.join(";"))
    return {"usage": got.usage, "runs": runs, "issues": got.issues}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case):
    for name, df in _tables(CASES[case]).items():
        if df.is_empty():
            continue
        path = GOLDEN / f"{case}.{name}.csv"
        text = _relative(df).write_csv()
        if os.environ.get("COSTLENS_REGEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
        assert path.exists(), f"{path} missing: run COSTLENS_REGEN=1 pytest {__file__}"
        assert text == path.read_text(), f"{case} {name} differs from {path}"
