"""Every writer shows the same numbers: the workbook, CSV, Parquet and JSON read back agree to
the cent; the JSON Schemas match the models; hostile text stays text."""

from __future__ import annotations

import csv
import json
from decimal import Decimal as D

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLES

from costlens.cli import cli
from costlens.reports import jsonout

CENT = D("0.01")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    args = ["report", str(SAMPLES), "-o", str(out / "r.xlsx"), "--csv-dir", str(out / "csv")]
    args += ["--parquet-dir", str(out / "pq"), "--by", "day", "--by", "project", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def _csv_sum(path, column: str) -> D:
    with path.open(newline="") as f:
        return sum((D(r[column]) for r in csv.DictReader(f) if r[column]), D(0))


def test_totals_agree_across_workbook_csv_parquet_and_json(written):
    out, js = written
    wb = openpyxl.load_workbook(out / "r.xlsx", read_only=True)
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    sheet_total = D(str(summary["Total cost computed from usage"])).quantize(CENT)
    day_rows = list(wb["By day"].iter_rows(values_only=True))
    cost_col = day_rows[0].index("Cost")
    day_cents = sum(round(D(str(r[cost_col] or 0)) * 100) for r in day_rows[1:] if r[0])
    totals = {
        "json": D(js["total_cost"]).quantize(CENT),
        "csv usage": _csv_sum(out / "csv" / "usage.csv", "cost").quantize(CENT),
        "csv by_day": _csv_sum(out / "csv" / "by_day.csv", "cost").quantize(CENT),
        "parquet usage": D(pl.read_parquet(out / "pq" / "usage.parquet")["cost"].sum()).quantize(
            CENT
        ),
        "json by_project": sum(
            (D(r["cost"]) for r in js["views"]["project"] if r["cost"]), D(0)
        ).quantize(CENT),
    }
    assert set(totals.values()) == {sheet_total}, totals
    # Day rows are rounded one by one: within half a cent per row of the total.
    assert abs(day_cents - sheet_total * 100) <= len(day_rows) // 2


def test_json_money_is_text_and_rates_are_numbers(written):
    _out, js = written
    assert js["schema_version"] == "1"
    assert isinstance(js["total_cost"], str) and isinstance(js["unattributed_cost"], str)
    m = js["models_under_test"][0]
    assert isinstance(m["total_cost"], str) and isinstance(m["first_attempt_success_rate"], float)
    assert js["billed_cost"] is None  # no source in the samples states a bill


def test_published_json_schemas_match_the_models():
    for name, schema in jsonout.schemas().items():
        committed = json.loads((ROOT / "docs" / name).read_text())
        assert committed == schema, f"docs/{name} is stale: python -m costlens.reports.jsonout docs"


def test_no_local_path_in_any_output(written):
    out, js = written
    local = str(SAMPLES.parent)
    for path in [*(out / "csv").iterdir()]:
        assert local not in path.read_text(), path.name
    assert local not in json.dumps(js)
    wb = openpyxl.load_workbook(out / "r.xlsx", read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and local in v for v in row), ws.title


def test_formula_like_and_control_text_is_written_as_text(tmp_path):
    from dataclasses import replace

    import costlens
    from costlens.reports import write_csv_dir, write_workbook

    report = costlens.run([SAMPLES / "bundle" / "claude-code"], model_stats=False)
    hostile = ["=HYPERLINK(1)", "+1", "-2", "@x", "\tt", "\rr", "ctl\x00\x07\x1b"]
    usage = report.usage.head(len(hostile)).with_columns(session_id=pl.Series(hostile))
    report = replace(report, usage=usage)
    write_workbook(report, tmp_path / "h.xlsx")
    write_csv_dir(report, tmp_path / "csv")
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["Usage"]
    col = [c.value for c in next(ws.iter_rows(max_row=1))].index("Session") + 1
    cells = [ws.cell(row=i + 2, column=col) for i in range(len(hostile))]
    assert all(c.data_type == "s" for c in cells)
    assert [c.value for c in cells[:4]] == hostile[:4]
    with (tmp_path / "csv" / "usage.csv").open(newline="") as f:
        ids = [r["session_id"] for r in csv.DictReader(f)]
    assert ids[:6] == ["'" + h for h in hostile[:6]]


def test_charts_dir_holds_the_four_charts_as_png_and_svg(tmp_path):
    result = CliRunner().invoke(
        cli, ["report", str(SAMPLES), "--charts", str(tmp_path / "c"), "-q"]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "c").iterdir())
    charts = ["cost_vs_success", "daily_spend_by_model", "monthly_spend_by_provider"]
    charts.append("token_mix_by_model")
    assert names == sorted(f"{c}.{e}" for c in charts for e in ("png", "svg"))
    assert (tmp_path / "c" / "daily_spend_by_model.png").read_bytes()[:4] == b"\x89PNG"
