"""Run the stages after reading on Apache Spark (``costlens report --engine spark``).

The readers stay local (or are skipped: canonical usage rows are read from Parquet where they
sit, ``read_usage``); pricing, attribution and the aggregations run in the Spark session on the
same Narwhals code as polars (``frames``). Money stays ``decimal(38,12)``: the session is set
so that no Decimal operation loses digits silently (see ``CONF`` and docs/scaling.md).

    engine = SparkEngine.start()                     # local[2], or $COSTLENS_SPARK_REMOTE
    engine = SparkEngine.start("sc://spark-host:15002")   # a Spark Connect server
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from . import frames, schema
from .errors import CostlensError

CONF = {
    # Off: a Decimal product or quotient whose exact type needs more than 38 digits keeps its
    # scale (and fails on overflow) instead of being cut to 6 decimals.
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    # ANSI: overflow and bad casts raise instead of turning into null.
    "spark.sql.ansi.enabled": "true",
    # Timestamps are UTC instants; calendar fields and formatting read them in UTC.
    "spark.sql.session.timeZone": "UTC",
}
LOCAL = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "2g",
}
"""Settings for a local session on a small machine (not applied to a remote one)."""


@dataclass(frozen=True)
class SparkEngine:
    """A Spark session the stages run in (``pipeline.build(..., engine=...)``)."""

    session: Any

    @classmethod
    def start(
        cls,
        remote: str | None = None,
        master: str = "local[2]",
        conf: Mapping[str, str] | None = None,
    ) -> SparkEngine:
        """Connect to ``remote`` (a Spark Connect ``sc://host:port`` address, else
        ``$COSTLENS_SPARK_REMOTE``) or start a local session on ``master``. ``conf``: Spark
        settings over the local defaults (``LOCAL``), e.g. a larger ``spark.driver.memory``
        for tens of millions of rows; on a server, runtime settings only.

        Raises:
            CostlensError: pyspark is not installed, Java is missing for a local session, or
                ``conf`` names a setting that keeps money exact (``CONF``).
        """
        conf = dict(conf or {})
        _refuse_exactness_settings(conf)
        try:
            from pyspark.sql import SparkSession
        except ImportError as e:
            raise CostlensError(
                "--engine spark needs pyspark: pip install 'costlens[spark]'"
            ) from e
        remote = remote or os.environ.get("COSTLENS_SPARK_REMOTE")
        builder = SparkSession.builder
        if remote:
            builder = builder.remote(remote)
        else:
            builder = builder.master(master).appName("costlens")
            for k, v in (LOCAL | conf).items():
                builder = builder.config(k, v)
        for k, v in CONF.items():
            builder = builder.config(k, v)
        try:
            session = builder.getOrCreate()
        except Exception as e:  # Java missing or the server unreachable: say which
            raise CostlensError(f"cannot start Spark ({remote or master}): {_first_line(e)}") from e
        for k, v in CONF.items():  # an existing session keeps its own settings otherwise
            session.conf.set(k, v)
        _set_runtime(session, conf)
        if not remote:  # Spark's own WARN lines are no use to a report reader
            session.sparkContext.setLogLevel("ERROR")
        return cls(session)

    def rows(self, usage: pl.DataFrame) -> frames.Frame:
        """Canonical usage rows read locally, numbered in the order read (``frames.ROW``, as
        on polars), sent to the session (over Arrow)."""
        table = schema.conform(usage.lazy(), schema.USAGE, "spark input")
        numbered = frames.row_index(frames.lazy(table)).to_native().collect()
        return frames.lazy(frames.spark_frame(self.session, numbered))

    def read_usage(self, paths: list[Path]) -> frames.Frame:
        """Canonical usage rows from Parquet files or folders that follow docs/schema.md, read
        by Spark where they sit (a path Spark can read: local, ``s3a://``, ``abfss://`` ...),
        numbered as ``frames.read_usage`` numbers them (``_numbered``).

        Raises:
            CostlensError: a required usage column is missing.
        """
        # As polars reads them: every *.parquet at any depth, no partition columns.
        reader = self.session.read.option("recursiveFileLookup", "true")
        native = reader.option("pathGlobFilter", "*.parquet").parquet(*[str(p) for p in paths])
        have = set(native.columns)
        missing = [c for c in schema.USAGE.required if c not in have]
        if missing:
            where = ", ".join(str(p) for p in paths)
            raise CostlensError(
                f"{where}: no {', '.join(missing)} column(s): not canonical usage rows "
                "(docs/schema.md); write them with costlens report --parquet-dir or a workspace"
            )
        import narwhals as nw

        frame = frames.lazy(_numbered(native))
        absent = {
            c: nw.lit(None).cast(frames.dtype(t)) for c, t in schema.USAGE.items() if c not in have
        }
        return frame.with_columns(**absent) if absent else frame


def _numbered(rows: Any) -> Any:
    """Parquet rows with their input row id (``frames.ROW``): the offset of their file plus
    their place in it (Spark's hidden ``_metadata.file_path`` and ``_metadata.row_index``).
    One small query counts the rows per file; the files are ordered by ``frames.file_key`` as
    ``frames.usage_files`` orders them, so the ids are dense and those of polars. No window
    over all rows: nothing moves the rows to one partition."""
    from pyspark.sql import functions as F

    placed = rows.select(
        "*", F.col("_metadata.file_path").alias("_file"), F.col("_metadata.row_index").alias("_pos")
    )
    counts = placed.groupBy("_file").count().collect()
    ordered = sorted(
        ((r["_file"], r["count"]) for r in counts), key=lambda r: frames.file_key(r[0])
    )
    starts, at = [], 0
    for _, n in ordered:
        starts.append(at)
        at += n
    offsets = pl.DataFrame(
        {"_file": [f for f, _ in ordered], "_from": starts},
        schema={"_file": pl.String, "_from": pl.Int64},
    )
    table = F.broadcast(frames.spark_frame(rows.sparkSession, offsets))
    joined = placed.join(table, on="_file", how="left")
    row = (F.col("_from") + F.col("_pos")).cast("long").alias(frames.ROW)
    return joined.select(*[F.col(f"`{c}`") for c in rows.columns if c != frames.ROW], row)


def _refuse_exactness_settings(conf: Mapping[str, str]) -> None:
    fixed = sorted(k for k in conf if k in CONF)
    if fixed:
        raise CostlensError(
            f"--spark-conf {fixed[0]}: costlens sets it so that money stays exact "
            "(docs/scaling.md); leave it out"
        )


def _set_runtime(session: Any, conf: Mapping[str, str]) -> None:
    """Set ``conf`` on a session that already runs (one a builder's settings may not have
    reached: a server's, or a local one started earlier); a static setting (the driver's
    memory) can only be given when the session starts, and is left as it started."""
    for k, v in conf.items():
        try:
            modifiable = session.conf.isModifiable(k)
        except Exception:  # Spark Connect: no such call; a static key fails on set below
            modifiable = True
        if not modifiable:
            continue
        try:
            session.conf.set(k, v)
        except Exception as e:
            raise CostlensError(f"--spark-conf {k}={v}: {_first_line(e)}") from e


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
