"""Small builders shared by the tests: canonical usage rows made in code."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest
from hypothesis import settings

from costlens import pricing, schema
from costlens.discover import discover

# No timing assertions in unit tests: hypothesis's per-example deadline fails on a loaded machine.
settings.register_profile("costlens", deadline=None)
settings.load_profile("costlens")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = ROOT / "samples"


def usage_row(**values) -> dict:
    """One canonical usage row: a single request on 2025-12-01, zero tokens unless given."""
    row = {c: None for c in schema.USAGE}
    row.update(
        source_format="test",
        source_file="test.jsonl",
        source_line=1,
        provider="anthropic",
        period_start=dt.datetime(2025, 12, 1, 12, tzinfo=dt.UTC),
        aggregated=False,
        batch=False,
        requests=1,
        **{b: 0 for b in schema.TOKEN_BUCKETS},
        reasoning=0,
        web_search=0,
        ttl_assumed=False,
    )
    row.update(values)
    row["period_end"] = row["period_end"] or row["period_start"]
    return row


def usage_frame(*rows: dict) -> pl.LazyFrame:
    return pl.LazyFrame(list(rows), schema=schema.USAGE)


@pytest.fixture(scope="session")
def book() -> pricing.Book:
    return pricing.load()


def price_one(book: pricing.Book, **values) -> dict:
    """Price a single usage row and return the priced row as a dict."""
    return pricing.price(usage_frame(usage_row(**values)), book).collect().row(0, named=True)


GOLDEN = Path(__file__).parent / "golden"


def _portable(df: pl.DataFrame, renames: dict[str, str]) -> str:
    """CSV text with machine-specific path prefixes replaced, so goldens match any checkout."""
    renames = {**renames, str(ROOT) + os.sep: ""}
    text = [c for c, t in df.schema.items() if t == pl.String]
    for old, new in renames.items():
        df = df.with_columns(pl.col(c).str.replace_all(old, new, literal=True) for c in text)
    return df.write_csv()


def check_golden(stem: str, paths: list[Path], renames: dict[str, str] | None = None) -> None:
    """Ingest ``paths`` and compare usage / runs / issues with ``golden/<stem>.<table>.csv``.

    ``COSTLENS_REGEN=1`` rewrites the goldens (review the diff); without it a missing golden
    fails, never silently written.
    """
    got = discover(paths)
    runs = got.runs.with_columns(pl.col("request_ids").list.join(";"))
    # A time taken from the file's modification time depends on the checkout: left out.
    mtime = pl.col("time_source") == "file_mtime"
    usage = got.usage.with_columns(
        pl.when(~mtime).then(pl.col(c)).alias(c) for c in ("period_start", "period_end")
    )
    for name, df in {"usage": usage, "runs": runs, "issues": got.issues}.items():
        if df.is_empty():
            continue
        path = GOLDEN / f"{stem}.{name}.csv"
        text = _portable(df, renames or {})
        if os.environ.get("COSTLENS_REGEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
        assert path.exists(), f"{path} missing: run COSTLENS_REGEN=1 pytest"
        assert text == path.read_text(), f"{stem} {name} differs from {path}"


TERMS_HEAD = 'schema_version = 1\nterms = "Acme Corp negotiated terms"\n'


def terms_file(directory: Path, *blocks: str, name: str = "terms.toml") -> Path:
    """A negotiated-terms file: the schema head, then the [[discount]] / [[credit]] blocks given."""
    path = directory / name
    path.write_text(TERMS_HEAD + "".join(blocks))
    return path
