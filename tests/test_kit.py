"""The adapter kit's parsers: strict counts, money and times (expected values written by hand)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from costlens.adapters import ADAPTERS, kit
from costlens.errors import MissingColumn

UTC = dt.UTC


def _one(expr: pl.Expr, value: object) -> object:
    return pl.DataFrame({"v": [value]}, schema={"v": pl.String}).select(expr)[0, 0]


@pytest.mark.parametrize(
    ("text", "value", "reason"),
    [
        ("59200", 59200, None),
        ("59200.0", 59200, None),
        (" 7 ", 7, None),
        ("9223372036854775807", 9223372036854775807, None),
        (
            "9223372036854775808",
            None,
            "n '9223372036854775808' is too large (at most 9223372036854775807)",
        ),
        ("1,000", None, "n '1,000' has a thousands separator; export plain digits"),
        ("10.5", None, "n '10.5' is not a whole number"),
        ("true", None, "n (text) is not a whole number"),
        ("-3", None, "n '-3' is negative"),
        (
            "1e+20",
            None,
            "n '1e+20' is in scientific notation (may be rounded); export plain digits",
        ),
        ("", None, "n is missing"),
        (None, None, "n is missing"),
    ],
)
def test_count_is_strict(text, value, reason):
    assert _one(kit.count(pl.col("v")), text) == value
    assert _one(kit.count_problem(pl.col("v"), "n", required=True), text) == reason


def test_optional_count_may_be_absent():
    assert _one(kit.count_problem(pl.col("v"), "n"), None) is None


@pytest.mark.parametrize(
    ("text", "comma", "value", "reason"),
    [
        ("1.25", False, Decimal("1.25"), None),
        ("1.2E-5", False, Decimal("0.000012"), None),
        ("-0.5", False, Decimal("-0.5"), None),
        ("1,234.50", False, None, "c '1,234.50' has digit grouping; export plain numbers"),
        ("", False, None, "c is empty"),
        ("abc", False, None, "c (text) is not a number"),
        ("12,5", True, Decimal("12.5"), None),
        ("1.234,50", True, None, "c '1.234,50' has digit grouping; export plain numbers"),
    ],
)
def test_money_is_strict(text, comma, value, reason):
    assert _one(kit.money(pl.col("v"), comma), text) == value
    assert _one(kit.money_problem(pl.col("v"), "c", True, comma), text) == reason


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("2026-03-01T00:00:00Z", dt.datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T00:00:00+05:30", dt.datetime(2026, 2, 28, 18, 30, tzinfo=UTC)),
        (
            "2026-03-01T00:00:00.123456789-08:00",
            dt.datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC),
        ),
        ("2026-03-29T01:30:00+0100", dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        ("2026-03-01 08:00:00 UTC", dt.datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2026-03-01", dt.datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T01:02", dt.datetime(2026, 3, 1, 1, 2, tzinfo=UTC)),
        ("12025-01-01T00:00:00Z", None),
        ("garbage", None),
    ],
)
def test_times_mixed_in_one_column(text, when):
    # Other forms in the same column must not change how this one is read.
    frame = pl.DataFrame({"v": ["2026-01-01T00:00:00Z", text, "2026-01-01"]})
    assert frame.select(kit.utc(pl.col("v")))[1, 0] == when
    # Billing periods are parsed once per distinct text: the same value in any row, with repeats
    # and nulls around it.
    repeated = pl.DataFrame({"v": [text, None, "2026-01-01", text, "garbage", None, text]})
    got = repeated.select(kit.utc_repeated(pl.col("v")))["v"].to_list()
    assert got == [when, None, dt.datetime(2026, 1, 1, tzinfo=UTC), when, None, None, when]


def test_count_value_of_decoded_json():
    assert kit.count_value(Decimal("59200.0"), "n") == (59200, None)
    assert kit.count_value(True, "n") == (None, "n is not a number")
    # The same rules and words as the line readers' count_problem.
    assert kit.count_value(Decimal("10.5"), "n") == (None, "n '10.5' is not a whole number")
    assert kit.count_value(-1, "n") == (None, "n '-1' is negative")
    assert kit.count_value(2**63, "n") == (
        None,
        f"n '{2**63}' is too large (at most 9223372036854775807)",
    )
    assert kit.count_value(Decimal("1E+3"), "n")[1] == (
        "n '1E+3' is in scientific notation (may be rounded); export plain digits"
    )
    assert kit.count_value("", "n") == (None, None)
    assert kit.count_value([1], "n") == (None, "n is not a number")


def test_one_missing_column_wording(tmp_path):
    err = kit.missing(tmp_path / "x.csv", ("a", "b"), "export it unmodified", "an export")
    assert isinstance(err, MissingColumn)
    assert (
        str(err)
        == f"{tmp_path / 'x.csv'}:1: missing column 'a' or 'b' (an export); export it unmodified"
    )


def test_every_reader_declares_the_kit_base():
    assert all(isinstance(a, kit.Reader) for a in ADAPTERS)
    plain = next(a for a in ADAPTERS if not a.dedupe_on)
    frame = pl.DataFrame({"output": [1, 1]})
    kept, dupes = plain.dedupe(frame)
    assert kept.height == 2 and dupes.height == 0


def test_repeated_times_of_no_rows_or_only_nulls():
    for values in ([], [None, None]):
        frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
        got = frame.select(kit.utc_repeated(pl.col("v")))["v"]
        assert got.dtype == pl.Datetime("us", "UTC")
        assert got.to_list() == values
    # A column the file does not have is a null literal.
    absent = pl.DataFrame({"v": [1, 2]}).select(kit.utc_repeated(pl.lit(None, pl.String)))
    assert absent.to_series().to_list() == [None]
