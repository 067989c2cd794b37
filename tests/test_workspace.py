"""The monthly workspace: idempotent ingest, reports equal to reports on the files."""

from __future__ import annotations

from pathlib import Path

from costlens import pipeline
from costlens.reports import summary_json
from costlens.workspace import store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_same_files_twice_change_nothing_and_report_as_files_do(tmp_path):
    ws = tmp_path / "ws"
    first = store.ingest(ws, [SAMPLES])
    before = summary_json(pipeline.run_workspace(ws))
    again = store.ingest(ws, [SAMPLES])
    assert again.import_id is None and again.added == []
    assert len(again.unchanged) == len(first.added)
    assert summary_json(pipeline.run_workspace(ws)) == before
    assert before == summary_json(pipeline.run([SAMPLES]))


def test_cli_usage_errors_name_the_fix(tmp_path):
    from click.testing import CliRunner

    from costlens.cli import cli

    run = CliRunner().invoke
    both = run(cli, ["report", str(SAMPLES), "--workspace", str(tmp_path)])
    assert both.exit_code == 2
    assert "Error: give PATHS or --workspace (with --month ...), not both" in both.output
    no_reason = run(cli, ["ingest", str(SAMPLES), "--workspace", str(tmp_path), "--reopen"])
    assert no_reason.exit_code == 2
    assert "Error: --reopen needs --reason TEXT (it is recorded in the ledger)" in no_reason.output
    missing = run(cli, ["status", "--workspace", str(tmp_path / "none")])
    assert missing.exit_code == 1
    assert missing.output == (
        f"Error: {tmp_path / 'none'}: no costlens workspace here; create one with costlens "
        f"ingest PATH --workspace {tmp_path / 'none'}\n"
    )
    bad = run(cli, ["reconcile", "--workspace", str(tmp_path), "--month", "2026-13"])
    assert bad.output == "Error: '2026-13' is not a month; write it as YYYY-MM, e.g. 2026-10\n"
    tol = run(cli, ["reconcile", "--workspace", str(tmp_path), "--tolerance", "lots"])
    assert (
        "Error: Invalid value for --tolerance: 'lots' is not a share such as 0.5% or 0.005"
        in tol.output
    )
