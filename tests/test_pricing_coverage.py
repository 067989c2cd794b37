"""``costlens pricing coverage``: what the tables cannot price in some inputs, and exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES

from costlens.cli import cli


def test_bundled_samples_are_fully_priced():
    result = CliRunner().invoke(cli, ["pricing", "coverage", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(" 0 unpriced in 0 gap(s)\n")


def test_an_unknown_model_is_listed_with_its_rows_tokens_and_fix(tmp_path):
    record = json.loads((FIXTURES / "litellm" / "spend_logs.json").read_text())[0]
    rows = [
        {**record, "request_id": f"r{i}", "model": model}
        for i, model in enumerate(["acme-coder-9", "acme-coder-9", "xai/grok-code-fast-1"])
    ]
    (tmp_path / "spend_logs.json").write_text(json.dumps(rows))
    result = CliRunner().invoke(cli, ["pricing", "coverage", str(tmp_path)])
    assert result.exit_code == 1
    tokens = 2 * record["total_tokens"]  # the two unknown rows, as the file states them
    month = record["startTime"][:7]
    assert result.output == (
        f"litellm acme-coder-9 tier - {month}: 2 row(s), {tokens:,} tokens: unknown model "
        "'acme-coder-9': add it to a pricing table or pass --pricing; fix: add a [[model]] (or "
        "an alias of a priced model) to the model vendor's table (or a --pricing file)\n"
        "3 usage row(s), 2 unpriced in 1 gap(s)\n"
    )
