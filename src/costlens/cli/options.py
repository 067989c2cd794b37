"""Options and progress display shared by several commands."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click


def paths_option(
    flag: str, dest: str, help_text: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A repeatable ``FLAG PATH`` option (a file or a folder each time)."""
    path = click.Path(path_type=Path)
    return click.option(flag, dest, multiple=True, metavar="PATH", type=path, help=help_text)


def output_option(
    help_text: str = "Write an Excel workbook.",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o / --output FILE.xlsx``."""
    path = click.Path(path_type=Path)
    return click.option("-o", "--output", metavar="FILE.xlsx", type=path, help=help_text)


ENGINES = ("polars", "spark")


def engine_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--engine polars|spark``, ``--spark-remote sc://HOST:PORT`` and ``--spark-conf
    KEY=VALUE`` (docs/scaling.md)."""
    f = click.option(
        "--spark-conf",
        "spark_conf",
        metavar="KEY=VALUE",
        multiple=True,
        help="With --engine spark: a Spark setting (repeatable), e.g. spark.driver.memory=8g.",
    )(f)
    f = click.option(
        "--spark-remote",
        metavar="sc://HOST:PORT",
        help="With --engine spark: a Spark Connect server (default $COSTLENS_SPARK_REMOTE, "
        "else a local session).",
    )(f)
    return click.option(
        "--engine",
        "engine_name",
        type=click.Choice(ENGINES),
        default="polars",
        show_default=True,
        help="Where pricing, attribution and the aggregations run; readers stay local.",
    )(f)


def start_engine(name: str, remote: str | None, conf: tuple[str, ...] = ()) -> Any:
    """The engine to hand to the pipeline: None for polars, a Spark session for spark."""
    if name == "polars":
        if remote or conf:
            given = "--spark-remote" if remote else "--spark-conf"
            raise click.UsageError(f"{given} goes with --engine spark")
        return None
    from ..spark import SparkEngine

    return SparkEngine.start(remote, conf=_settings(conf))


def _settings(given: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"--spark-conf {item!r}: give KEY=VALUE")
        out[key.strip()] = value
    return out


price_date_option = click.option(
    "--price-date",
    metavar="YYYY-MM-DD",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Reprice all usage at the prices in force on this date (UTC).",
)
"""``--price-date``: every row priced at one day's prices (report and export)."""

fallback_prices_option = click.option(
    "--fallback-prices",
    is_flag=True,
    help="Price models the tables do not know from genai-prices' data (marked third-party).",
)
"""``--fallback-prices``: the optional third-party price layer (report and export)."""


def review_rate_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--review-rate USD_PER_HOUR``, read as Decimal (shared by report and compare)."""
    return click.option(
        "--review-rate",
        metavar="USD_PER_HOUR",
        callback=lambda _ctx, _param, v: parse_review_rate(v),
        help=help_text,
    )


def parse_review_rate(text: str | None) -> Decimal | None:
    """``--review-rate``: a non-negative amount per hour, read as Decimal from its text."""
    if text is None:
        return None
    try:
        rate: Decimal | None = Decimal(text.strip())
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate < 0:
        raise click.BadParameter(f"{text!r} is not an amount per hour such as 90 or 62.50")
    return rate


class Status:
    """What the progress line shows; every method does nothing when there is no terminal."""

    def __init__(self, bar: Any = None) -> None:
        self.bar, self.count = bar, 0
        self.task = bar.add_task("reading", total=None) if bar else None

    def file(self, path: Path) -> None:
        self.count += 1
        self.say(f"read {self.count} files: {path.name}")

    def rows(self, sheet: str, done: int, total: int) -> None:
        self.say(f"writing {sheet}: {done:,} of {total:,} rows")

    def say(self, text: str) -> None:
        if self.bar:
            self.bar.update(self.task, description=text)


@contextlib.contextmanager
def progress(silent: bool) -> Iterator[Status]:
    """A progress line on a terminal's stderr; nothing when piped or quiet."""
    if silent or not sys.stderr.isatty():
        yield Status()
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield Status(bar)
