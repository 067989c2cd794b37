"""Spark engine over Spark Connect: a real server (``COSTLENS_SPARK_CONNECT=sc://host:port``)
gives the same JSON, byte for byte, and the same tables as the default polars engine.

Opt-in: skipped unless ``COSTLENS_SPARK_CONNECT`` names a running server, for example the one
pyspark ships (docs/scaling.md has the recipe)::

    spark-submit --class org.apache.spark.sql.connect.service.SparkConnectServer \\
        --master 'local[2]' spark-internal &
    COSTLENS_SPARK_CONNECT=sc://localhost:15002 pytest tests/test_spark_connect.py

The generated month is read by the server from this machine's disk (``--usage-parquet``), so
the server must see the test's temporary folder (a server on this machine does).
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
import spark_month
from click.testing import CliRunner
from conftest import SAMPLES

from costlens.cli import cli

REMOTE = os.environ.get("COSTLENS_SPARK_CONNECT", "")
if not REMOTE:
    pytest.skip(
        "Spark Connect tests run with COSTLENS_SPARK_CONNECT=sc://...", allow_module_level=True
    )
pytest.importorskip("pyspark.sql.connect.session")  # the spark-connect extra (grpcio, ...)

pytestmark = pytest.mark.spark


def _report(*args: str) -> str:
    got = CliRunner().invoke(cli, ["report", *args, "--json", "-q"], catch_exceptions=False)
    assert got.exit_code == 0, got.output
    return got.output


def test_bundled_samples_over_spark_connect_give_byte_identical_json():
    """The rows are read here and sent to the server (Arrow over gRPC)."""
    inputs = [str(SAMPLES / "bundle"), str(SAMPLES / "billing")]
    assert _report(*inputs, "--engine", "spark", "--spark-remote", REMOTE) == _report(*inputs)


def test_generated_month_over_spark_connect_gives_equal_json_and_tables(tmp_path: Path):
    """Canonical rows read by the server itself (``--usage-parquet``)."""
    rows, runs = spark_month.write(tmp_path / "month", 3_000)
    args = ["--usage-parquet", str(rows), "--runs", str(runs), "--by", "day", "--by", "key"]
    args += ["--tz", "Europe/Berlin", "--month-start", "15"]
    out_pl, out_sc = tmp_path / "polars", tmp_path / "connect"
    polars_json = _report(*args, "--parquet-dir", str(out_pl))
    remote = ["--engine", "spark", "--spark-remote", REMOTE]
    assert _report(*args, "--parquet-dir", str(out_sc), *remote) == polars_json
    # Rows read: the generated input's own count.
    assert f'"read": {pl.read_parquet(rows).height}' in polars_json
    for table in ("tasks", "models", "months", "unattributed", "pricing", "by_day", "by_key"):
        a = pl.read_parquet(out_pl / f"{table}.parquet")
        assert a.equals(pl.read_parquet(out_sc / f"{table}.parquet")), table
