"""The same input gives the same workbook, byte for byte: the ``created`` document property is
the data's as-of time (the last usage timestamp), never the clock."""

from __future__ import annotations

import datetime as dt
import time

import openpyxl
from conftest import SAMPLES

from costlens import pipeline, reports


def test_writing_the_same_report_twice_gives_the_same_bytes(tmp_path):
    report = pipeline.run([SAMPLES / "bundle"], model_stats=False)
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    reports.write_workbook(report, first)
    time.sleep(1.1)  # a clock-stamped property would differ by now (whole seconds)
    reports.write_workbook(report, second)
    assert first.read_bytes() == second.read_bytes()
    # The last response in the bundle (samples/README.md: all runs end by 2025-12-19 UTC).
    created = openpyxl.load_workbook(first, read_only=True).properties.created
    assert created is not None and created.date() <= dt.date(2025, 12, 19)
    assert created == report.summary["period_end"].replace(tzinfo=None, microsecond=0)
