"""``--spark-conf`` is checked before any Spark starts: these run without pyspark or Java."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import SAMPLES

from costlens.cli import cli


def _run(*args: str):
    return CliRunner().invoke(cli, ["report", str(SAMPLES / "bundle"), "--json", "-q", *args])


def test_spark_conf_without_the_spark_engine_is_a_usage_error():
    got = _run("--spark-conf", "spark.driver.memory=8g")
    assert got.exit_code == 2
    assert got.output.splitlines()[-1] == "Error: --spark-conf goes with --engine spark"


def test_spark_conf_needs_key_and_value():
    got = _run("--engine", "spark", "--spark-conf", "spark.driver.memory")
    assert got.exit_code == 2
    assert got.output.splitlines()[-1] == (
        "Error: --spark-conf 'spark.driver.memory': give KEY=VALUE"
    )


def test_spark_conf_cannot_turn_off_exact_money():
    got = _run("--engine", "spark", "--spark-conf", "spark.sql.ansi.enabled=false")
    assert got.exit_code == 1
    assert got.output.strip() == (
        "Error: --spark-conf spark.sql.ansi.enabled: costlens sets it so that money stays "
        "exact (docs/scaling.md); leave it out"
    )
