"""Schemas are declared once; a stage that gets or makes a frame without a required column says
which stage and which column, and optional columns are the declared ones only."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import usage_frame, usage_row

from costlens import pipeline, schema
from costlens.pipeline import Ingested
from costlens.schema import SchemaError


def test_a_missing_required_column_names_the_stage_and_the_column():
    rows = usage_frame(usage_row()).drop("period_start", "aggregated")
    with pytest.raises(SchemaError) as e:
        schema.conform(rows, schema.USAGE, "x.jsonl: reader demo")
    assert str(e.value) == (
        "x.jsonl: reader demo: produced no period_start, aggregated column(s), required by the "
        "usage schema (schema.py); set them, or declare them optional there"
    )


def test_only_declared_optional_columns_are_filled_with_typed_nulls():
    rows = usage_frame(usage_row(model="m")).drop("billed_cost", "model")
    got = schema.conform(rows, schema.USAGE, "test").collect()
    assert got.schema == pl.Schema(schema.USAGE)
    assert got["billed_cost"].to_list() == [None]
    assert got["model"].to_list() == [None]
    assert "period_start" not in schema.USAGE.optional


def test_every_stage_schema_is_the_one_before_plus_its_own_columns():
    assert list(schema.PRICED)[: len(schema.USAGE)] == list(schema.USAGE)
    assert list(schema.ATTRIBUTED)[: len(schema.PRICED)] == list(schema.PRICED)
    assert not schema.PRICED.optional and not schema.ATTRIBUTED.optional


def test_build_refuses_runs_that_do_not_follow_the_runs_schema():
    got = Ingested(
        usage=usage_frame(usage_row()).collect(),
        runs=pl.DataFrame(schema=schema.RUNS).drop("outcome"),
        issues=pl.DataFrame(schema=schema.ISSUES),
        files=[],
    )
    with pytest.raises(SchemaError, match=r"^build input \(runs\): .*missing=\['outcome'\]"):
        pipeline.build(got)
