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
