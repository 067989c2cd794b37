"""The engine layer: the few operations that differ between polars and Spark, and nothing else.

The row stages (pricing, attribution, the aggregations over usage) are written once against
Narwhals' lazy API (``nw.LazyFrame``) and run on whichever engine holds the frame: polars (the
default) or PySpark. What Narwhals cannot say the same way on both lives here, as small
engine-specific helpers with no business rule in them: the input row id (``ROW``), putting a
small lookup table beside a big frame (Spark broadcasts it), collecting a result to polars,
and the schema types (Spark has no categorical, so the row stages carry labels as text and the
polars boundary casts them back). See docs/scaling.md.

Money arithmetic on the row side is restricted to what is exact on both engines: integer x
``Decimal(38, 12)``, sums and comparisons (Spark runs with
``spark.sql.decimalOperations.allowPrecisionLoss=false``, see ``costlens.spark``). Anything that
rounds (a Decimal times a Decimal scale, a division) runs on small tables in polars, for both
engines, so its digits cannot differ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import narwhals as nw
import polars as pl

from . import schema

Frame = nw.LazyFrame[Any]
"""A lazy frame of either engine."""

MONEY = nw.Decimal(38, 12)
UTC_TIME = nw.Datetime("us", "UTC")
UTC = pl.Datetime("us", "UTC")
_MICROS_PER_DAY = 86_400_000_000


class Engine(Protocol):
    """Where the stages after reading run when not on local polars (``costlens.spark``)."""

    def rows(self, usage: pl.DataFrame) -> Frame:
        """Usage rows read locally, numbered as read (``ROW``), moved into the engine."""
        ...

    def read_usage(self, paths: list[Path]) -> Frame:
        """Canonical usage rows from Parquet, read and numbered by the engine as
        ``read_usage`` numbers them (``ROW``)."""
        ...


def read_usage(paths: list[Path]) -> Frame:
    """Canonical usage rows from Parquet files or folders (docs/schema.md) on polars: absent
    optional columns become typed nulls; a missing required one is an error naming it. The
    rows are numbered (``ROW``) in file order (``usage_files``), then row order in a file."""
    files = usage_files(paths)
    # The scan numbers the rows itself: filters on the numbered rows (pricing's money-only
    # split) still reach the scan and skip row groups by their statistics.
    scan = pl.scan_parquet(files, row_index_name=ROW) if files else schema.empty(_NUMBERED)
    where = ", ".join(str(p) for p in paths)
    return lazy(schema.conform(scan, _NUMBERED, f"{where}: canonical usage rows"))


def usage_files(paths: list[Path]) -> list[str]:
    """The Parquet files under ``paths`` (a file as given; a folder's ``*.parquet`` at any depth,
    hidden names skipped as Spark skips them), ordered by ``file_key``: the order both engines
    number rows in (``SparkEngine.read_usage`` sorts Spark's file list by the same key)."""
    return sorted((str(f) for p in paths for f in _parquet_under(p)), key=file_key)


def _parquet_under(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    found = [f for f in path.rglob("*.parquet") if f.is_file()]  # Spark names folders x.parquet
    return [f for f in found if not any(_hidden(n) for n in f.relative_to(path).parts)]


def _hidden(name: str) -> bool:
    """A name Spark's file listing leaves out (``_SUCCESS``, ``.crc`` files, ``_tmp`` folders;
    ``_`` names with ``=`` are partition folders)."""
    return name.startswith(".") or (name.startswith("_") and "=" not in name)


def file_key(path: str) -> str:
    """The text files are ordered by, the same for a local path and Spark's URI of that file
    (``file:///a/b%20c.parquet`` and ``b c.parquet`` in folder ``/a``): the absolute path, or
    for a remote file its decoded URI. Plain text order, not ``Path`` order (which compares
    folder names part by part: ``a/b`` before ``a-b``, where text puts ``a-b`` first)."""
    if "://" not in path and not path.startswith("file:"):
        return os.path.abspath(path)
    uri = urlsplit(path)
    return unquote(uri.path) if uri.scheme == "file" else unquote(path)


def lazy(native: Any) -> Frame:
    """Wrap a polars (Lazy)Frame or a Spark DataFrame (or pass a ``Frame`` through)."""
    if isinstance(native, nw.LazyFrame):
        return native
    if isinstance(native, pl.DataFrame):
        native = native.lazy()
    return nw.from_native(native).lazy()


def is_spark(frame: Frame) -> bool:
    return frame.implementation.is_spark_like()


ROW = "usage_row"
"""The input row id: assigned once where rows enter the engine, dense (0 .. n-1) and in input
order on both engines, carried through pricing and attribution (docs/scaling.md). Polars:
``row_index`` of the rows as read; Spark: ``SparkEngine.rows`` numbers local rows before
sending them, ``SparkEngine.read_usage`` from each file's offset plus the row's place in it."""


def row_index(frame: Frame, name: str = ROW) -> Frame:
    """A polars ``frame`` with its rows numbered 0, 1, ... in row order as Int64 ``name``. Only
    for polars: a Spark frame has no row order to number by (its ids come from where the rows
    entered the engine, ``ROW``)."""
    native = frame.to_native()
    if not isinstance(native, pl.LazyFrame):
        raise TypeError("internal: Spark rows are numbered where they enter (frames.ROW)")
    return lazy(native.with_row_index(name).with_columns(pl.col(name).cast(pl.Int64)))


_NUMBERED = schema.Columns(
    "usage", {ROW: pl.Int64(), **schema.USAGE}, optional=schema.USAGE.optional
)
"""Canonical usage rows with their input row id."""


def union_in_order(frame: Frame, rest: Frame, key: str) -> Frame:
    """The rows of ``frame`` and ``rest`` (same columns). Polars: in ``key`` order, given both
    in ``key`` order (the smaller ``rest`` is collected and merged in, the wide rows are not
    sorted); Spark: a union, with no order."""
    native, small = frame.to_native(), rest.to_native()
    if not isinstance(native, pl.LazyFrame):
        return nw.concat([frame, rest])
    got = small.collect()
    return frame if got.height == 0 else lazy(native.merge_sorted(got.lazy(), key))


def beside(frame: Frame, table: pl.DataFrame | pl.LazyFrame) -> Frame:
    """A small polars table in ``frame``'s engine (Spark: a local relation, broadcast in joins)."""
    table = table.collect() if isinstance(table, pl.LazyFrame) else table
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return lazy(table.lazy())
    from pyspark.sql import functions as F

    return lazy(F.broadcast(spark_frame(native.sparkSession, table)))


def spark_frame(session: Any, table: pl.DataFrame) -> Any:
    """``table`` as a Spark DataFrame, over Arrow. An empty table goes with its schema: Spark
    Connect cannot infer one from no rows (a workspace month with no run-log attempts)."""
    arrow = spark_ready(table).to_arrow()
    if arrow.num_rows:
        return session.createDataFrame(arrow)
    from pyspark.sql.pandas.types import from_arrow_schema

    return session.createDataFrame([], schema=from_arrow_schema(arrow.schema))


def spark_ready(table: pl.DataFrame) -> pl.DataFrame:
    """Spark takes no unsigned, categorical or large-string Arrow types: plain ones instead."""
    casts: dict[str, pl.DataType] = {}
    for name, dtype in table.schema.items():
        if dtype in (pl.UInt32, pl.UInt64):
            casts[name] = pl.Int64()
        elif dtype == pl.Categorical:
            casts[name] = pl.String()
    return table.cast(casts) if casts else table  # type: ignore[arg-type]


def persist(frame: Frame) -> Frame:
    """Compute ``frame`` once for several readers (polars collects it). Spark checkpoints it
    locally: computed now, kept on the executors, and its plan cut to a scan, so the queries
    that read it later are planned against a short plan (a cached frame keeps its whole
    lineage, and Spark re-analyses the long plan of every query that reads it)."""
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return lazy(native.collect().lazy())
    return lazy(native.localCheckpoint(eager=True))


def join_small(
    frame: Frame,
    table: pl.DataFrame,
    on: list[str],
    how: str = "left",
    nulls_equal: bool = False,
) -> Frame:
    """Join a small polars ``table`` (``beside``) to ``frame`` on ``on``; with ``nulls_equal`` a
    null key matches a null key.

    Polars keeps ``frame``'s row order (measured cheaper than an unordered join when the right
    side is small, and a narrow frame that keeps the row order attaches without a sort) and
    matches nulls natively. Narwhals joins have no ``nulls_equal``: on Spark both sides join on
    keys with nulls replaced by a marker no real key takes."""
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return lazy(
            native.join(
                table.lazy(),
                on=on,
                how=how,  # type: ignore[arg-type]
                maintain_order="left",
                nulls_equal=nulls_equal,
            )
        )
    if not nulls_equal:
        return frame.join(beside(frame, table), on=on, how=how)  # type: ignore[arg-type]
    marked = {k: _marker(frame.collect_schema()[k]) for k in on}
    right = table.with_columns(
        [pl.col(k).fill_null(v).alias(f"_j_{k}") for k, v in marked.items()]
    ).drop(on)
    left = frame.with_columns([nw.col(k).fill_null(v).alias(f"_j_{k}") for k, v in marked.items()])
    keys = [f"_j_{k}" for k in on]
    return left.join(beside(frame, right), on=keys, how=how).drop(keys)  # type: ignore[arg-type]


def _marker(dtype: Any) -> Any:
    """A value no real key takes, in the key's type."""
    if dtype == nw.String:
        return "\x00"
    return -(2**30) if dtype == nw.Int32 else -(2**62)


def attach(frame: Frame, columns: Frame, key: str) -> Frame:
    """``frame`` plus every other column of ``columns`` (at most one row per ``key``; a key it
    lacks gets nulls): a left join on ``key`` that keeps ``frame``'s rows and order.

    The stages compute on narrow frames (a key and the few columns a rule reads) and attach the
    results to the wide rows once. Polars gathers nothing from the wide side: ``columns`` in
    the same key order (a narrow frame that kept the row order) is placed beside ``frame`` as it
    is, otherwise only the key column is joined. Pass a materialised ``frame`` (``persist``)."""
    native, right = frame.to_native(), columns.to_native()
    if not isinstance(native, pl.LazyFrame):
        return frame.join(columns, on=key, how="left")
    left, got = native.collect(), right.collect()
    if got.height == left.height and not got[key].equals(left[key]):
        got = got.sort(key)  # the same keys in another order: a narrow sort, cheaper than a join
    if got.height != left.height or not got[key].equals(left[key]):
        keys = left.lazy().select(key)
        got = keys.join(got.lazy(), on=key, how="left", maintain_order="left").collect()
    return lazy(pl.concat([left, got.drop(key)], how="horizontal"))


def splice(frame: Frame, parts: Frame, key: str, part: str) -> Frame:
    """``frame`` with each row whose ``key`` occurs in ``parts`` replaced by those parts (same
    columns). Polars: in ``key`` order (then ``part``), given ``frame`` in ``key`` order, without
    sorting the wide rows (the few parts are sorted and merged in); Spark output has no order."""
    native, right = frame.to_native(), parts.to_native()
    if not isinstance(native, pl.LazyFrame):
        keep = frame.join(parts.select(key).unique(), on=key, how="anti")
        return nw.concat([keep, parts])
    got = right.sort(key, part).collect()
    if got.height == 0:
        return frame
    kept = native.filter(~pl.col(key).is_in(got[key].unique().implode()))
    return lazy(kept.merge_sorted(got.lazy(), key))


def to_polars(frame: Frame) -> pl.DataFrame:
    """Collect to a polars DataFrame (a Spark result comes over Arrow, Decimals intact)."""
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return native.collect()
    got = pl.from_arrow(native.toArrow())
    assert isinstance(got, pl.DataFrame)
    # Spark's timestamps come back in its session zone's spelling; ours are UTC instants.
    times = {c: UTC for c, t in got.schema.items() if isinstance(t, pl.Datetime)}
    return got.cast(times) if times else got  # type: ignore[arg-type]


def to_lazy_polars(frame: Frame) -> pl.LazyFrame:
    """A polars LazyFrame: still lazy on polars, collected from Spark."""
    native = frame.to_native()
    return native if isinstance(native, pl.LazyFrame) else to_polars(frame).lazy()


def dtype(t: pl.DataType) -> Any:
    """The Narwhals dtype of a schema type (a categorical label is text on the row side)."""
    if isinstance(t, pl.Categorical):
        return nw.String()
    if isinstance(t, pl.Decimal):
        return nw.Decimal(t.precision, t.scale)
    if isinstance(t, pl.Datetime):
        return nw.Datetime(t.time_unit, t.time_zone)  # type: ignore[arg-type]
    if isinstance(t, pl.List):
        return nw.List(dtype(t.inner))  # type: ignore[arg-type]
    return getattr(nw, type(t).__name__)()


def conform(frame: Frame, columns: Mapping[str, pl.DataType], stage: str) -> Frame:
    """Select ``columns`` in order, cast to their (row-side) types; absent ones are an error.
    Labels (categorical in the schema) stay categorical on polars (4 bytes a row, no string
    work when the stages join or cast them) and are text on Spark, which has no categorical."""
    have = set(frame.collect_schema().names())
    missing = [c for c in columns if c not in have]
    if missing:
        raise schema.SchemaError(f"{stage}: missing column(s) {', '.join(missing)}")
    label = nw.String() if is_spark(frame) else nw.Categorical()
    types = {c: label if isinstance(t, pl.Categorical) else dtype(t) for c, t in columns.items()}
    return frame.select([nw.col(c).cast(t) for c, t in types.items()])


def to_schema(df: pl.DataFrame | pl.LazyFrame, columns: Mapping[str, pl.DataType], stage: str):
    """A polars result in the declared schema's exact types (labels back to categorical)."""
    return schema.conform(df.lazy(), columns, stage)


def wide_int(frame: Frame) -> Any:
    """An integer type wide enough for money in 1e-12 units times a weight: polars' Int128,
    Spark's Decimal(38, 0) (Spark has no 128-bit integer; Decimal(38, 0) sums and products
    stay exact, with ``allowPrecisionLoss`` off)."""
    return nw.Decimal(38, 0) if is_spark(frame) else nw.Int128()


def floor_div(frame: Frame, outputs: Mapping[str, tuple[str, str]]) -> Frame:
    """``frame`` plus ``out = floor(num / den)`` for each ``out: (num, den)`` of wide integers
    (``wide_int``), exact: polars' integer floor division; on Spark its integral ``div``
    (toward zero, as a long: a quotient past 2**63 raises under ANSI mode, never wraps),
    stepped down by one where the remainder is negative. ``den`` must be positive."""
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        cols = [(pl.col(n) // pl.col(d)).alias(o) for o, (n, d) in outputs.items()]
        return lazy(native.with_columns(cols))
    from pyspark.sql import functions as F

    for out, (num, den) in outputs.items():
        q = F.expr(f"`{num}` div `{den}`").cast("decimal(38,0)")
        below = F.when(F.expr(f"`{num}` % `{den}`") < 0, F.lit(1)).otherwise(F.lit(0))
        native = native.withColumn(out, (q - below).cast("decimal(38,0)"))
    return lazy(native)


def epoch_micros(col: str) -> nw.Expr:
    """Microseconds since 1970-01-01 UTC of a UTC timestamp, from its calendar fields (the
    same integer on both engines; Narwhals' ``timestamp()`` has no Spark translation)."""
    c = nw.col(col)
    y = c.dt.year().cast(nw.Int64)
    leaps = (y - 1969) // 4 - (y - 1901) // 100 + (y - 1601) // 400
    days = (y - 1970) * 365 + leaps + c.dt.ordinal_day().cast(nw.Int64) - 1
    secs = (
        c.dt.hour().cast(nw.Int64) * 3600
        + c.dt.minute().cast(nw.Int64) * 60
        + c.dt.second().cast(nw.Int64)
    )
    return days * _MICROS_PER_DAY + secs * 1_000_000 + c.dt.microsecond().cast(nw.Int64)
