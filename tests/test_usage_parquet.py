"""Canonical usage rows from Parquet (``report --usage-parquet``) on polars: the input row id
(``usage_row``) and negotiated terms that change rates. The Spark side of both is in
tests/test_spark.py (the same inputs, compared with these results)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from conftest import terms_file, usage_frame, usage_row

from costlens import frames, pipeline, schema
from costlens.cli import cli

M = 1_000_000

TERMS = """
[[discount]]
name = "haiku-volume"
percent = "20"
providers = ["anthropic"]
models = ["claude-haiku-*"]
from = 2025-01-01
source = "Anthropic order form 2025-01"

[[uplift]]
name = "eu-residency"
percent = "10"
providers = ["anthropic"]
when = { inference_geo = "eu" }
from = 2025-01-01
source = "Anthropic DPA pricing annex"

[[committed]]
name = "gpt-5-commit"
provider = "openai"
model = "gpt-5"
from = 2025-11-01
rates = { input = "1", output = "8" }
source = "OpenAI commit agreement 2025-11"
"""


def terms_rows(folder: Path) -> tuple[Path, Path]:
    """A money-only line first (so row ids are not the priced rows' order), then one row per
    term, a row two terms apply to, an unknown model. (Parquet file, terms file)."""
    rows = usage_frame(
        usage_row(source_line=1, model="claude-haiku-4-5", input_uncached=None, output=None,
                  cache_read=None, cache_write_5m=None, cache_write_1h=None,
                  billed_cost=D(3), currency="USD"),
        usage_row(source_line=2, model="claude-haiku-4-5", output=M),
        usage_row(source_line=3, model="claude-sonnet-4-5", output=M, inference_geo="eu"),
        usage_row(source_line=4, provider="openai", model="gpt-5", input_uncached=M, output=M),
        usage_row(source_line=5, model="claude-haiku-4-5", output=2 * M, inference_geo="eu"),
        usage_row(source_line=6, model="acme-coder-9", output=M),
    ).collect()  # fmt: skip
    path = folder / "rows.parquet"
    rows.write_parquet(path)
    return path, terms_file(folder, TERMS)


def report(*args: str) -> str:
    got = CliRunner().invoke(cli, ["report", *args, "--json", "-q"], catch_exceptions=False)
    assert got.exit_code == 0, got.output
    return got.output


def expected_terms() -> dict[str, tuple[int, D, D]]:
    """By hand, per term: (rows, cost with terms, cost at list). List rates per 1M: Haiku 4.5
    $5 output, Sonnet 4.5 $15 output, GPT-5 $1.25 input / $10 output; committed GPT-5 $1 / $8.
    Row 2: 5 x 0.8 = 4 (list 5); row 3: 15 x 1.1 = 16.5 (list 15); row 4: 1 + 8 = 9 (list
    11.25); row 5, both terms: 2 x 5 x 0.8 x 1.1 = 8.8 (list 10)."""
    return {
        "haiku-volume": (2, D(4) + D("8.8"), D(5) + D(10)),
        "eu-residency": (2, D("16.5") + D("8.8"), D(15) + D(10)),
        "gpt-5-commit": (1, D(9), D("11.25")),
    }


def test_rows_from_parquet_are_numbered_in_path_text_order(tmp_path):
    """``a b`` < ``a-b`` < ``a/b`` < ``a/c`` as text (Path order would put ``a/b`` first);
    hidden names (``_SUCCESS``, ``.tmp/``) are skipped as Spark skips them."""
    names = ["a/c.parquet", "a/b/x.parquet", "a-b/x.parquet", "a b/x.parquet"]
    hidden = ["a/_tmp.parquet", "a/.tmp/x.parquet"]
    for k, name in enumerate(names + hidden):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        rows = [usage_row(source_file=name, source_line=i + 1) for i in range(k + 2)]
        usage_frame(*rows).collect().write_parquet(tmp_path / name, row_group_size=2)
    got = frames.to_polars(frames.read_usage([tmp_path]))
    order = ["a b/x.parquet", "a-b/x.parquet", "a/b/x.parquet", "a/c.parquet"]
    lines = [(n, i + 1) for n in order for i in range(names.index(n) + 2)]
    assert got["usage_row"].to_list() == list(range(len(lines)))
    assert list(zip(got["source_file"], got["source_line"], strict=True)) == lines
    assert set(got.columns) == {"usage_row", *schema.USAGE}


def test_terms_over_usage_parquet_state_list_costs_by_hand(tmp_path):
    rows, terms = terms_rows(tmp_path)
    out = tmp_path / "out"
    got = json.loads(report("--usage-parquet", str(rows), "--pricing", str(terms),
                            "--parquet-dir", str(out)))  # fmt: skip
    listed = {t["name"]: (t["rows"], D(t["cost"]), D(t["list_cost"])) for t in got["pricing_terms"]}
    assert listed == expected_terms()
    assert D(got["total_cost"]) == D(4) + D("16.5") + D(9) + D("8.8")
    pricing = pl.read_parquet(out / "pricing.parquet")
    haiku = pricing.filter(pl.col("price_modifiers") == "discount:haiku-volume").row(0, named=True)
    assert (haiku["cost"], haiku["list_cost"]) == (D(4), D(5))
    assert haiku["terms_effect"] == D(-1)


def test_row_ids_follow_the_input_with_money_only_rows_among_them(tmp_path):
    rows, terms = terms_rows(tmp_path)
    got = pipeline.run_parquet([rows], pricing_paths=[terms]).usage.sort("usage_row")
    assert got["usage_row"].to_list() == [0, 1, 2, 3, 4, 5]
    assert got["source_line"].to_list() == [1, 2, 3, 4, 5, 6]
    assert got["price_status"].cast(pl.String).to_list()[:2] == ["billed", "priced"]
