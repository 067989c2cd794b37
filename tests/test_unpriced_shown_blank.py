"""A model with nothing priced shows no cost (blank / "-"), never "0.00" and never "0.00 *":
Models and Tasks sheets, the terminal table and ``--json`` (house rule: unpriced usage is shown
blank or as a lower bound, never as $0)."""

from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner
from conftest import FIXTURES

from costlens.cli import cli

ONE = FIXTURES / "claude_code" / "one_response.jsonl"
SESSION = "55604662-cf2a-4331-851a-ec234028f8ca"  # the fixture's sessionId


def _inputs(tmp_path):
    log = tmp_path / "s.jsonl"
    log.write_text(ONE.read_text().replace("claude-opus-4-6", "claude-mystery-9"))
    runs = tmp_path / "runs.jsonl"
    runs.write_text(
        json.dumps(
            {
                "task_id": "T1",
                "model": "claude-mystery-9",
                "run_id": "r1",
                "attempt": 1,
                "started_at": "2026-02-10T21:00:00Z",
                "ended_at": "2026-02-10T22:00:00Z",
                "outcome": "pass",
                "session_id": SESSION,
            }
        )
        + "\n"
    )
    return log, runs


def _sheet(path, title: str) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, read_only=True)[title]
    head, first = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    return dict(zip(head, first, strict=False))


def test_nothing_priced_is_blank_in_the_workbook_terminal_and_json(tmp_path):
    log, runs = _inputs(tmp_path)
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(cli, ["report", str(log), "--runs", str(runs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    model_line = next(line for line in result.output.splitlines() if "claude-mystery-9" in line)
    assert "0.00" not in model_line
    models = _sheet(out, "Models")
    assert models["Model under test"] == "claude-mystery-9"
    for header in ("Total cost", "Cost per task run", "Cost per solved task"):
        assert models[header] is None, header
    stats = _sheet(out, "Model stats")
    money = [h for h in stats if "cost" in h.lower() or h.startswith("Per ")]
    assert len(money) == 7 and [h for h in money if stats[h] is not None] == []
    tasks = _sheet(out, "Tasks")
    assert tasks["Task"] == "T1" and tasks["Cost"] is None
    got = json.loads(
        CliRunner().invoke(cli, ["report", str(log), "--runs", str(runs), "--json"]).output
    )
    (m,) = got["models_under_test"]
    assert m["total_cost"] is None and m["cost_per_solved_task"] is None
    assert m["cost_lower_bound"] is True


def test_a_money_only_export_shows_no_computed_total_and_the_billed_amount():
    """An OpenAI Costs API page states money and no tokens: the terminal shows no computed
    total (not "0.00"), the stated bill, and row counts that add up to the rows read."""
    import json
    from decimal import Decimal

    from click.testing import CliRunner
    from conftest import ROOT

    from costlens.cli import cli

    page = ROOT / "tests" / "fixtures" / "openai_costs" / "costs_page.json"
    results = [r for b in json.loads(page.read_text())["data"] for r in b["results"]]
    stated = sum(Decimal(str(r["amount"]["value"])) for r in results)
    out = CliRunner().invoke(cli, ["report", str(page)]).output.splitlines()
    n = len(results)
    assert out[-2] == (
        f"Total - (no token usage to price) USD (unattributed -); rows read {n}: 0 priced, "
        f"0 unpriced, {n} billed only, 0 rejected, 0 duplicate"
    )
    assert out[-1] == f"Billed (stated by the sources): {stated.quantize(Decimal('0.01'))} USD"
