"""The ``--by`` views: on a Claude Code folder alone, token totals per day, session and project
equal ccusage's (recorded outputs in tests/fixtures/claude_edge; per-session counts from the
fixture's black-box ccusage re-implementation, which matches the recorded outputs)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from collections import defaultdict

import polars as pl
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLES

import costlens
from costlens.cli import cli
from costlens.views import Calendar, usage_view

EDGE = FIXTURES / "claude_edge"
KEYS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
BUNDLE = SAMPLES / "bundle" / "claude-code"


def _reference():
    spec = importlib.util.spec_from_file_location("ccref", EDGE / "ccusage_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _ours(view: pl.DataFrame, key: str) -> dict[str, tuple[int, ...]]:
    per = view.group_by(key).agg(
        pl.col("input_uncached").sum(),
        pl.col("output").sum(),
        (pl.col("cache_write_5m") + pl.col("cache_write_1h")).sum(),
        pl.col("cache_read").sum(),
    )
    return {str(r[0]): tuple(r[1:]) for r in per.iter_rows()}


def _ccusage_sessions(root) -> dict[str, tuple[int, ...]]:
    ref = _reference()
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for e in ref.dedupe(ref.load([str(root)], dt.UTC), mode="daily"):
        u = e["message"]["usage"]
        for i, k in enumerate(("input", "output", "cc_total", "cr")):
            out[e["sess"]][i] += u[k]
    return {k: tuple(v) for k, v in out.items()}


def _spotter(tmp_path):
    src = ROOT.parent / "shared" / "samples-public" / "claude-code-spotter"
    if not src.exists():
        pytest.skip(f"{src} is not beside this checkout")
    shutil.copytree(src, tmp_path / "projects" / "spotter")
    return tmp_path / "projects"


@pytest.fixture(scope="module")
def bundle():
    return costlens.run([BUNDLE], by=("day", "session", "project"), model_stats=False)


def test_days_equal_ccusage_daily(bundle):
    days = json.loads((EDGE / "ccusage-samples-daily.json").read_text())["daily"]
    expected = {d["date"]: tuple(d[k] for k in KEYS) for d in days}
    assert _ours(bundle.views["day"], "day") == expected


def test_sessions_equal_ccusage(bundle):
    assert _ours(bundle.views["session"], "session") == _ccusage_sessions(BUNDLE)


def test_projects_add_up_to_ccusage_totals(bundle):
    totals = json.loads((EDGE / "ccusage-samples-daily.json").read_text())["totals"]
    assert list(_ours(bundle.views["project"], "project")) == ["-work-acme-api"]
    assert _ours(bundle.views["project"], "project")["-work-acme-api"] == tuple(
        totals[k] for k in KEYS
    )


def test_spotter_sessions_and_days_equal_ccusage(tmp_path):
    root = _spotter(tmp_path)
    report = costlens.run([root], by=("day", "session", "project"), model_stats=False)
    recorded = json.loads((EDGE / "ccusage-spotter-daily.json").read_text())
    assert _ours(report.views["day"], "day") == {
        d["date"]: tuple(d[k] for k in KEYS) for d in recorded["daily"]
    }
    assert _ours(report.views["session"], "session") == _ccusage_sessions(root.parent)
    assert _ours(report.views["project"], "project") == {
        "spotter": tuple(recorded["totals"][k] for k in KEYS)
    }


def test_subagent_usage_is_in_its_parent_session_and_shown_apart(tmp_path):
    report = costlens.run([_spotter(tmp_path)], by=("session",), model_stats=False)
    usage = report.usage
    side = usage.filter(pl.col("sidechain"))
    view = report.views["session"]
    assert view["subagent_output"].sum() == side["output"].sum() > 0
    parents = set(side["session_id"].unique())
    assert parents <= set(view["session"])


def test_week_and_billing_month_cut_on_the_local_calendar():
    at = [
        dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 15, 1, tzinfo=dt.UTC),
    ]
    usage = pl.LazyFrame(
        {
            "period_start": at,
            "model": ["m", "m"],
            "model_id": [None, None],
            "sidechain": [False, False],
            "requests": [1, 1],
            **{c: [1, 1] for c in ("input_uncached", "cache_read", "cache_write_5m")},
            **{c: [1, 1] for c in ("cache_write_1h", "output", "reasoning")},
            "cost": pl.Series([None, None], dtype=pl.Decimal(38, 12)),
            "price_status": ["unpriced", "unpriced"],
            "part": [1, 1],
        }
    )
    # 2026-03-14 is a Saturday. In Tokyo both are 15 March (a Sunday).
    weeks = usage_view(usage, "week", Calendar("UTC", 7, 1)).collect()["week"].to_list()
    assert [str(w) for w in weeks] == ["2026-03-08", "2026-03-15"]
    tokyo = usage_view(usage, "month", Calendar("Asia/Tokyo", 1, 15)).collect()
    assert tokyo["month"].to_list() == ["2026-03"] and tokyo["requests"].to_list() == [2]
    utc = usage_view(usage, "month", Calendar("UTC", 1, 15)).collect()
    assert utc["month"].to_list() == ["2026-02", "2026-03"]
    assert utc["cost"].to_list() == [None, None]  # nothing priced: no cost, never 0
    assert utc["cost_lower_bound"].to_list() == [True, True]


def test_agent_logs_alone_print_a_table_per_day_and_model():
    result = CliRunner().invoke(cli, ["report", str(BUNDLE)])
    assert result.exit_code == 0, result.output
    assert "Usage by day" in result.output
    assert "│ 2025-12-01 │ claude-opus-4-5 " in result.output


def test_unknown_time_zone_is_refused():
    result = CliRunner().invoke(cli, ["report", str(BUNDLE), "--tz", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "'Mars/Olympus' is not a time zone name such as UTC or Europe/Berlin" in result.output
