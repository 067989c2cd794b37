"""Golden files: every sample input and fixture, read into canonical rows, matches its golden.

Regenerate after an intended change with ``COSTLENS_REGEN=1 pytest tests/test_golden.py`` and
review the diff; without the variable a missing golden is a failure, never silently written.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, SAMPLES, check_golden

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


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case):
    check_golden(case, CASES[case])
