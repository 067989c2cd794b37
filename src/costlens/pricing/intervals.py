"""Interval joins: the table entry of a row's key in force at the row's time.

An entry is in force on ``[_from, next _from of the same key)``. This replaces as-of joins,
which need both sides sorted on time and silently return wrong matches on unsorted input (and
which Spark has no public form of): an equi-join on the key plus the range filter
``lo <= at < hi`` gives the same answer whatever the row order. The tables are small (price
periods, aliases, time-zone offsets) and built in polars; on Spark they are broadcast, so the
join never shuffles the usage rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import narwhals as nw
import polars as pl

from .. import frames
from ..frames import Frame

_UTC = pl.Datetime("us", "UTC")


def during(rows: Frame, table: pl.DataFrame, key: str, at: str = "_at") -> Frame:
    """Left-join to each row of ``rows`` the ``table`` entry of its ``key`` in force at ``at``;
    no entry: the table's columns null.

    Each key's timeline is covered end to end (an empty entry before its first ``_from``), so
    the left equi-join on the key followed by the range filter keeps exactly one row per
    input row (a null ``at`` keeps the leading empty entry).
    """
    spans = _spans(table, key)
    lo, hi, t = nw.col("_lo"), nw.col("_hi"), nw.col(at)
    inside = (lo <= t).fill_null(True) & (t < hi).fill_null(True)
    first = lo.is_null() & nw.col("_lead")
    keep = nw.col("_lead").is_null() | nw.when(t.is_null()).then(first).otherwise(inside)
    joined = frames.join_small(rows, spans, [key])
    return joined.filter(keep).drop("_lo", "_hi", "_lead")


def _spans(table: pl.DataFrame, key: str) -> pl.DataFrame:
    """``table`` with ``[_lo, _hi)`` per entry (null: unbounded) and a leading empty entry per
    key whose other columns are null, so rows before a key's first entry match nothing."""
    entries = table.sort(key, "_from").with_columns(
        _lo=pl.col("_from"), _hi=pl.col("_from").shift(-1).over(key), _lead=pl.lit(False)
    )
    lead = entries.group_by(key).agg(_hi=pl.col("_from").min(), _lead=pl.lit(True))
    return pl.concat([entries, lead], how="diagonal_relaxed").drop("_from")


def local_time(rows: Frame, col: str, tz: str, out: str) -> Frame:
    """``rows`` plus ``out``: the UTC timestamp ``col`` moved by ``tz``'s offset in force at it,
    so its calendar fields (hour, weekday, date) read as the wall clock in ``tz``.

    Spark keeps one time zone per session, not per column, so the offset comes from a small
    table of ``tz``'s offsets per UTC year (from the system's zoneinfo), interval-joined.
    """
    if tz == "UTC":
        return rows.with_columns(nw.col(col).alias(out))
    table = _offsets(tz)
    keyed = rows.with_columns(_tz_year=nw.col(col).dt.year().cast(nw.Int32), _tz_at=nw.col(col))
    joined = during(keyed, table, "_tz_year", at="_tz_at")
    shifted = nw.col(col)
    for minutes in table["_off"].unique().sort().to_list():
        step = nw.col(col) + nw.lit(dt.timedelta(minutes=minutes))
        shifted = nw.when(nw.col("_off") == minutes).then(step).otherwise(shifted)
    return joined.with_columns(shifted.alias(out)).drop("_tz_year", "_tz_at", "_off")


@functools.lru_cache(maxsize=16)
def _offsets(tz: str) -> pl.DataFrame:
    """Per UTC year 1970-2100: the offset (minutes) in force from each instant it changes."""
    zone = ZoneInfo(tz)
    rows: list[tuple[int, dt.datetime, int]] = []
    for year in range(1970, 2101):
        t = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
        rows.append((year, t, _minutes(zone, t)))
        for day in range(1, 367):
            u = dt.datetime(year, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day)
            if u.year != year:
                break
            if _minutes(zone, u) != rows[-1][2]:
                change = _first_change(zone, u - dt.timedelta(days=1), u)
                rows.append((year, change, _minutes(zone, change)))
    return pl.DataFrame(
        rows, schema={"_tz_year": pl.Int32, "_from": _UTC, "_off": pl.Int64}, orient="row"
    )


def _minutes(zone: ZoneInfo, t: dt.datetime) -> int:
    off = t.astimezone(zone).utcoffset() or dt.timedelta(0)
    return int(off.total_seconds() // 60)


def _first_change(zone: ZoneInfo, a: dt.datetime, b: dt.datetime) -> dt.datetime:
    """The first second in ``(a, b]`` whose offset differs from ``a``'s (bisection)."""
    before = _minutes(zone, a)
    while b - a > dt.timedelta(seconds=1):
        mid = a + (b - a) / 2
        mid = mid.replace(microsecond=0)
        if _minutes(zone, mid) == before:
            a = mid
        else:
            b = mid
    return b
