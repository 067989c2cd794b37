"""Month-end with the workspace: reconcile names the planted faults; kills lose nothing;
two machines' logs count once. Expected figures are worked out by hand from the rates
(claude-sonnet-4-5 $3 / $15, claude-haiku-4-5 $1 / $5 per million tokens)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from workspace_data import MYSTERY, SONNET, cost_report, session_file, usage_report

from costlens import pipeline, pricing
from costlens.cli import cli
from costlens.workspace import ledger, period, reconcile, store

OCT = range(1, 32)


@pytest.fixture()
def month(tmp_path) -> Path:
    """October: usage missing on the 14th; sonnet output billed at $18 from the 10th; 10 web
    searches a day, billed on a line of their own."""
    ex = tmp_path / "exports"
    ex.mkdir()
    usage_report(ex / "usage-2026-10.json", [d for d in OCT if d != 14], searches=10)
    cost_report(ex / "cost-2026-10.json", OCT, {10: Decimal(18)}, searches=10)
    return ex


def _reconcile(ws: Path, month: str = "2026-10"):
    win = period.window(month)
    rep = pipeline.run_workspace(ws, win)
    return reconcile.reconcile(rep.usage, pricing.load(), window=month)


def test_reconcile_names_the_price_mismatch_and_the_missing_day(tmp_path, month):
    ws = tmp_path / "ws"
    store.ingest(ws, [month])
    rec = _reconcile(ws)
    got = sorted((f.cause, f.model, f.amount) for f in rec.findings)
    # Output sonnet Oct 10..31 without the 14th: 21 days, sum(200_000 + 1_000 d) = 4_637_000
    # tokens, billed $3 per Mtok over the table: $13.911.
    # The 14th: sonnet 1_140_000 x $3 + 214_000 x $18, haiku 400_000 x $1 + 80_000 x $5 (/1M),
    # and 10 web searches at $10 per 1,000.
    assert got == [
        ("billed without usage", None, Decimal("8.172")),
        ("price mismatch", "claude-sonnet-4-5", Decimal("13.911")),
    ]
    mismatch = next(f for f in rec.findings if f.cause == "price mismatch")
    assert mismatch.days[0] == dt.date(2026, 10, 10)
    assert "claude-sonnet-4-5 output off by +20.0% since 2026-10-10" in mismatch.message
    assert "bill implies 18.0000 per Mtok, table 15.0000" in mismatch.message
    assert rec.residual == 0


def test_reconcile_cli_exits_3_outside_tolerance_and_0_within(tmp_path, month):
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(month), "--workspace", str(ws), "-q"]).exit_code == 0
    book = tmp_path / "recon.xlsx"
    args = ["reconcile", "--workspace", str(ws), "--month", "2026-10", "-o", str(book)]
    out = runner.invoke(cli, args)
    assert out.exit_code == 3, out.output
    sheets = openpyxl.load_workbook(book, read_only=True)
    assert sheets.sheetnames == ["Findings", "Reconciliation"]
    rows = list(sheets["Findings"].iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["Cause", "price mismatch", "billed without usage"]
    assert rows[2][5] == 8.17
    assert "Findings (2):" in out.output
    assert "anthropic 2026-10-14: billed $8.17 with no usage ingested" in out.output
    js = runner.invoke(cli, ["reconcile", "--workspace", str(ws), "--month", "2026-10", "--json"])
    assert [f["cause"] for f in json.loads(js.output)["findings"]] == [
        "price mismatch",
        "billed without usage",
    ]
    # September is empty; 1..9 October is clean.
    clean = ["reconcile", "--workspace", str(ws), "--since", "2026-10-01", "--until", "2026-10-09"]
    ok = runner.invoke(cli, clean)
    assert ok.exit_code == 0, ok.output
    assert "within tolerance" in ok.output


def _json(ws: Path, *extra: str) -> str:
    out = CliRunner().invoke(cli, ["report", "--workspace", str(ws), "--json", *extra])
    assert out.exit_code == 0, out.output
    return out.output


def test_same_files_twice_give_byte_identical_reports_equal_to_the_files(tmp_path, month):
    ws = tmp_path / "ws"
    store.ingest(ws, [month])
    first = _json(ws, "--month", "2026-10")
    again = CliRunner().invoke(cli, ["ingest", str(month), "--workspace", str(ws)])
    assert again.exit_code == 0
    assert "Nothing changed" in again.output
    assert again.output.count("unchanged: ") == 2
    assert _json(ws, "--month", "2026-10") == first
    book = tmp_path / "r.xlsx"
    args = ["report", "--workspace", str(ws), "--month", "2026-10", "-o", str(book), "-q"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert "Reconciliation" in openpyxl.load_workbook(book, read_only=True).sheetnames
    direct = CliRunner().invoke(cli, ["report", str(month), "--json"])
    assert direct.output == first


KILL_POINTS = ["file-written", "written", "in-transaction"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_mid_ingest_leaves_the_workspace_as_before(tmp_path, month, point):
    ws = tmp_path / "ws"
    store.ingest(ws, [month])
    before = _json(ws)
    november = usage_report(tmp_path / "usage-2026-11.json", range(1, 31), month=11)
    code = (
        "import sys; from pathlib import Path; from costlens.workspace import store; "
        "store.ingest(Path(sys.argv[1]), [Path(sys.argv[2])])"
    )
    env = {**os.environ, store.KILL_HOOK: point}
    done = subprocess.run([sys.executable, "-c", code, str(ws), str(november)], env=env)
    assert done.returncode == -9
    assert _json(ws) == before
    got = store.ingest(ws, [november])  # the interrupted ingest, done again
    assert got.orphans_removed == 2  # its usage and issues files, never recorded
    assert len(got.added) == 1 and _json(ws) != before


def test_two_machines_sharing_sessions_total_as_one_machine(tmp_path):
    a, b, one = tmp_path / "a" / "p", tmp_path / "b" / "p", tmp_path / "one" / "p"
    session_file(a, "s1", [1, 2, 3])
    session_file(a, "s2", [4, 5])  # an older copy of s2 on machine A
    session_file(b, "s2", [4, 5, 6, 7])
    shutil.copy(a / "s1.jsonl", b / "s1.jsonl")  # the same file copied to B
    session_file(b, "s3", [8, 9])
    for s, ns in (("s1", [1, 2, 3]), ("s2", [4, 5, 6, 7]), ("s3", [8, 9])):
        session_file(one, s, ns)
    ws, ws1 = tmp_path / "ws", tmp_path / "ws1"
    store.ingest(ws, [a])
    got = store.ingest(ws, [b])
    assert [u[0] for u in got.unchanged] == [str(b / "s1.jsonl")]
    s2 = next(x for x in got.added if x.path.endswith("s2.jsonl"))
    # B's s2: 8 lines, 4 streaming partials + responses 4 and 5 already stored from A.
    assert (s2.rows_read, s2.rows_duplicate, s2.rows_accepted) == (8, 6, 2)
    store.ingest(ws1, [one])
    two, single = pipeline.run_workspace(ws).summary, pipeline.run_workspace(ws1).summary
    # Responses 1..9 once each: 1000 x 45 input, 100 x 45 output tokens.
    assert two["tokens"]["input_uncached"] == 45_000 and two["tokens"]["output"] == 4_500
    assert two["total_cost"] == Decimal("0.2025")  # 45_000 x $3 + 4_500 x $15, per million
    assert two["tokens"] == single["tokens"] and two["total_cost"] == single["total_cost"]


def test_export_for_the_same_account_and_days_supersedes_the_earlier_one(tmp_path):
    ex = tmp_path / "ex"
    ex.mkdir()
    partial = cost_report(ex / "cost-partial.json", range(1, 16))
    ws = tmp_path / "ws"
    store.ingest(ws, [partial])
    full = cost_report(tmp_path / "cost-full.json", OCT)
    out = CliRunner().invoke(cli, ["ingest", str(full), "--workspace", str(ws)])
    assert out.exit_code == 0, out.output
    # Days 1..15: 4 lines a day. Billed a day: sonnet (1_000_000 + 10_000 d) x 3 +
    # (200_000 + 1_000 d) x 15, haiku 400_000 + 80_000 x 5, per million: 6.8 + 0.045 d.
    # Days 1..15: 15 x 6.8 + 0.045 x 120 = 107.40; days 1..31: 31 x 6.8 + 0.045 x 496 = 233.12.
    assert (
        f"superseded: {full} supersedes 60 row(s) of {partial} (anthropic-cost-report, "
        "account wrkspc_01Acme, 2026-10-01..2026-10-15) with 60 row(s): "
        "billed 107.40 -> 107.40 USD (+0.00)"
    ) in out.output
    assert pipeline.run_workspace(ws).summary["billed_cost"] == Decimal("233.12")


def test_closed_month_refuses_ingest_unless_reopened_with_a_reason(tmp_path, month):
    ws = tmp_path / "ws"
    store.ingest(ws, [month / "usage-2026-10.json"])
    runner = CliRunner()
    assert runner.invoke(cli, ["close", "2026-10", "--workspace", str(ws)]).exit_code == 0
    cost = str(month / "cost-2026-10.json")
    refused = runner.invoke(cli, ["ingest", cost, "--workspace", str(ws)])
    assert refused.exit_code == 1
    assert refused.output.startswith(
        "Error: this ingest touches closed month(s) 2026-10 (closed by "
    )
    assert "give --reopen --reason TEXT (recorded in the ledger)" in refused.output
    args = ["ingest", cost, "--workspace", str(ws), "--reopen", "--reason", "late cost report"]
    ok = runner.invoke(cli, args)
    assert ok.exit_code == 0, ok.output
    assert "reopened: 2026-10" in ok.output
    db = ledger.connect(ws / "ledger.sqlite")
    ev = db.execute("SELECT action, month, reason FROM events ORDER BY id").fetchall()
    assert [tuple(e) for e in ev] == [
        ("close", "2026-10", None),
        ("reopen", "2026-10", "late cost report"),
    ]
    last = db.execute("SELECT who, command FROM imports ORDER BY id DESC").fetchone()
    assert last["command"] == (
        f"costlens ingest {cost} --workspace {ws} --reopen --reason 'late cost report'"
    )
    assert last["who"].count("@") == 1
    status = runner.invoke(cli, ["status", "--workspace", str(ws)])
    assert "anthropic 2026-10-14: bill without usage" in status.output
    assert "reopened 2026-10" in status.output


def test_report_month_follows_the_time_zone_and_cycle_start(tmp_path):
    ws = tmp_path / "ws"
    store.ingest(ws, [usage_report(tmp_path / "u.json", OCT)])
    # Daily UTC buckets start at midnight UTC: in New York (UTC-4 in October) the bucket of
    # 1 October starts on 30 September, so an October cycle from the 5th holds days 5..31
    # UTC minus the 5th (its bucket starts 4 October 20:00 local) = 26 days; sonnet input
    # 26 x 1_000_000 + 10_000 x (sum 6..31 = 481).
    js = json.loads(
        _json(ws, "--month", "2026-10", "--tz", "America/New_York", "--month-start", "5")
    )
    assert js["tokens"]["input_uncached"] == 26_000_000 + 4_810_000 + 26 * 400_000


def test_reconcile_unpriced_model_and_usage_without_a_bill(tmp_path):
    ex = tmp_path / "ex"
    ex.mkdir()
    models = (SONNET, MYSTERY)
    usage_report(ex / "usage.json", OCT, models=models)
    cost_report(ex / "cost.json", range(1, 31), models=models)  # the bill lacks the 31st
    ws = tmp_path / "ws"
    store.ingest(ws, [ex])
    rec = _reconcile(ws)
    got = sorted((f.cause, f.model, f.amount) for f in rec.findings)
    # Mystery: 30 billed days of 400_000 x $1 + 80_000 x $5 per million = $0.80 a day, none
    # computed. The 31st: nothing billed; sonnet computed 1_310_000 x 3 + 231_000 x 15 per
    # million = $7.395 (mystery adds nothing: unpriced).
    assert got == [
        ("unpriced model", "claude-mystery-9-20260901", Decimal("24")),
        ("usage without a bill", None, Decimal("-7.395")),
    ]


def _cur(path: Path) -> Path:
    """CUR 2.0 rows for Claude Haiku 4.5 on Bedrock: input and output per day, in 1K tokens;
    output billed at $0.006 per 1K (table: $5 per million) from 10 October."""
    head = (
        "identity_line_item_id,identity_time_interval,line_item_usage_account_id,"
        "line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,"
        "line_item_product_code,line_item_usage_type,line_item_usage_amount,"
        "line_item_unblended_cost,line_item_currency_code,pricing_unit"
    )
    rows = [head]
    for d in OCT:
        s = f"2026-10-{d:02d}T00:00:00Z"
        e = f"2026-10-{d + 1:02d}T00:00:00Z" if d < 31 else "2026-11-01T00:00:00Z"
        for kind, amount, per_k in (
            ("input", 1000 + d, Decimal("0.001")),
            ("output", 200 + d, Decimal("0.006") if d >= 10 else Decimal("0.005")),
        ):
            cost = Decimal(amount) * per_k
            rows.append(
                f"li-{d}-{kind},{s}/{e},123456789012,Usage,{s},{e},AmazonBedrock,"
                f"USE1-Claude4.5Haiku-{kind}-tokens,{amount},{cost},USD,1K tokens"
            )
    path.write_text("\n".join(rows) + "\n")
    return path


def test_reconcile_cur_line_items_imply_the_unit_price(tmp_path):
    ws = tmp_path / "ws"
    store.ingest(ws, [_cur(tmp_path / "cur.csv")])
    rec = _reconcile(ws)
    assert [(f.cause, f.model) for f in rec.findings] == [
        ("price mismatch", "bedrock/claude-haiku-4-5")
    ]
    # Days 10..31: sum(200 + d) = 22 x 200 + 451 = 4_851 thousand tokens, $0.001 per 1K over.
    f = rec.findings[0]
    assert f.amount == Decimal("4.851")
    assert "output off by +20.0% since 2026-10-10 (bill implies 6.0000 per Mtok, table 5.0000)" in (
        f.message
    )
    lines = rec.table.filter(pl.col("bucket") == "output", pl.col("day") == dt.date(2026, 10, 10))
    assert lines.select("billed", "computed").row(0) == (Decimal("1.260"), Decimal("1.050"))


def test_one_day_price_mismatch_on_a_line_item_is_named(tmp_path):
    ex = tmp_path / "ex"
    ex.mkdir()
    usage_report(ex / "usage.json", OCT)
    cost_report(ex / "cost.json", OCT, {31: Decimal(18)})  # one day, one bucket off
    ws = tmp_path / "ws"
    store.ingest(ws, [ex])
    rec = _reconcile(ws)
    # 31 October: sonnet output 231_000 tokens x $3 per million over the table.
    assert [(f.cause, f.model, f.amount) for f in rec.findings] == [
        ("price mismatch", "claude-sonnet-4-5", Decimal("0.693"))
    ]


def test_the_readme_month_end_example_prints_what_the_readme_shows(tmp_path):
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    shown = readme.split("`reconcile` exits 3 here")[1].split("```\n")[1]
    ws = tmp_path / "books"
    store.ingest(ws, [root / "examples" / "month-end" / "exports"])
    out = CliRunner().invoke(cli, ["reconcile", "--workspace", str(ws), "--month", "2026-10"])
    assert out.exit_code == 3
    assert out.output == shown


def test_a_bill_naming_no_model_still_finds_which_price_is_off(tmp_path):
    ex = tmp_path / "ex"
    ex.mkdir()
    usage_report(ex / "usage.json", [d for d in OCT if d != 14])
    cost_report(ex / "cost.json", OCT, {10: Decimal(18)}, by_description=False)
    ws = tmp_path / "ws"
    store.ingest(ws, [ex])
    rec = _reconcile(ws)
    # The same faults and amounts as the grouped report (see the first test).
    assert sorted((f.cause, f.model, f.amount) for f in rec.findings) == [
        ("billed without usage", None, Decimal("8.072")),
        ("price mismatch", "claude-sonnet-4-5", Decimal("13.911")),
    ]
    assert "claude-sonnet-4-5 output off by +20.0% since 2026-10-10" in rec.findings[0].message


def test_sigkill_during_the_first_ingest_leaves_an_empty_workspace(tmp_path, month):
    ws = tmp_path / "ws"
    code = (
        "import sys; from pathlib import Path; from costlens.workspace import store; "
        "store.ingest(Path(sys.argv[1]), [Path(sys.argv[2])])"
    )
    env = {**os.environ, store.KILL_HOOK: "in-transaction"}
    done = subprocess.run([sys.executable, "-c", code, str(ws), str(month)], env=env)
    assert done.returncode == -9
    status = CliRunner().invoke(cli, ["status", "--workspace", str(ws)])
    assert status.exit_code == 0, status.output
    assert status.output.startswith(f"Workspace {ws}: 0 import(s)\n")
    assert len(store.ingest(ws, [month]).added) == 2


def test_unexplained_findings_come_in_day_order(tmp_path, month):
    """A 10% discount the bill does not show leaves a gap on every day; the per-day findings
    are listed by provider, model and day (they came in group-by order, run to run)."""
    ws, terms = tmp_path / "ws", tmp_path / "terms.toml"
    terms.write_text(
        'schema_version = 1\nterms = "t"\n\n[[discount]]\nname = "ten"\npercent = "10"\n'
        'providers = ["anthropic"]\nfrom = 2025-01-01\nsource = "s"\n'
    )
    store.ingest(ws, [month])
    rep = pipeline.run_workspace(ws, period.window("2026-10"), pricing_paths=[terms])
    rec = reconcile.reconcile(rep.usage, pricing.load([terms]), window="2026-10")
    got = [(f.provider, f.model, f.days[0]) for f in rec.findings if f.cause == "unexplained"]
    assert len(got) > 2 and got == sorted(got)
