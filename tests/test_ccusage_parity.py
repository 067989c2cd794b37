"""Token totals agree with ccusage 20.0.24 (`ccusage claude daily --offline --json`, TZ=UTC).

The reference outputs were recorded from the real binary (tests/fixtures/claude_edge/README.md
says how and lists ccusage's rules). costlens reads a few shapes ccusage silently drops; each
such deliberate difference is listed below with its reason and its tokens, read by hand from the
fixture lines.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import polars as pl
import pytest
from conftest import FIXTURES, ROOT, SAMPLES

from costlens.discover import discover

EDGE = FIXTURES / "claude_edge"
KEYS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")

# (input, output, cache creation, cache read) of lines costlens keeps and ccusage drops.
READ_BY_COSTLENS_ONLY = {
    "A7: JSON written with a space after colons ('\"usage\": {')": (9, 900, 900, 9000),
    "Q2: a null field ('\"cwd\":null') elsewhere in the line": (1, 12, 10, 100),
    "Q3: a whole number written as 13.0": (1, 13, 10, 100),
    "Q4: a timestamp with microseconds": (1, 14, 10, 100),
    "Q5: no timestamp (dated by the file's modification time, issue 8)": (1, 15, 10, 100),
    "Q6: an unparseable client version": (1, 16, 10, 100),
    "Q10: a key repeated in the line": (1, 20, 10, 100),
}
# ...and lines ccusage counts that costlens does not: a local notice is not an API call.
READ_BY_CCUSAGE_ONLY = {"A4: a <synthetic> notice that states usage": (7, 11, 0, 0)}


def _ours(paths) -> dict[str, int]:
    t = discover(paths).usage.select(
        pl.col("input_uncached").sum(),
        pl.col("output").sum(),
        (pl.col("cache_write_5m") + pl.col("cache_write_1h")).sum(),
        pl.col("cache_read").sum(),
    )
    return dict(zip(KEYS, t.row(0), strict=True))


def _ccusage(name: str) -> dict[str, int]:
    totals = json.loads((EDGE / name).read_text())["totals"]
    return {k: totals[k] for k in KEYS}


def _ours_by_day(paths) -> dict[str, tuple[int, ...]]:
    daily = (
        discover(paths)
        .usage.group_by(date=pl.col("period_start").dt.strftime("%Y-%m-%d"))
        .agg(
            pl.col("input_uncached").sum(),
            pl.col("output").sum(),
            (pl.col("cache_write_5m") + pl.col("cache_write_1h")).sum(),
            pl.col("cache_read").sum(),
        )
    )
    return {r[0]: tuple(r[1:]) for r in daily.iter_rows()}


def _ccusage_by_day(name: str) -> dict[str, tuple[int, ...]]:
    days = json.loads((EDGE / name).read_text())["daily"]
    return {d["date"]: tuple(d[k] for k in KEYS) for d in days}


def test_sample_bundle_equals_ccusage_per_day():
    paths = [SAMPLES / "bundle" / "claude-code"]
    assert _ours_by_day(paths) == _ccusage_by_day("ccusage-samples-daily.json")


def test_spotter_equals_ccusage_per_day(tmp_path):
    """All 19 real spotter transcripts (shared/ sits beside the checkout), as ccusage read them."""
    src = ROOT.parent / "shared" / "samples-public" / "claude-code-spotter"
    if not src.exists():
        pytest.skip(f"{src} is not beside this checkout")
    shutil.copytree(src, tmp_path / "projects" / "spotter")
    assert _ours_by_day([tmp_path / "projects"]) == _ccusage_by_day("ccusage-spotter-daily.json")


def test_edge_cases_equal_ccusage_but_for_the_listed_differences():
    expected = Counter(_ccusage("ccusage-daily.json"))
    for extra in READ_BY_COSTLENS_ONLY.values():
        expected.update(dict(zip(KEYS, extra, strict=True)))
    for missing in READ_BY_CCUSAGE_ONLY.values():
        expected.subtract(dict(zip(KEYS, missing, strict=True)))
    assert _ours([EDGE / "projects"]) == dict(expected)
