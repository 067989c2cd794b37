"""Price mismatches: the unit price a bill implies versus the price book's.

Two methods, by what the bill states:

1. **Per line item** (the bill names the token bucket: CUR / GCP / Azure rows carry the tokens
   they bill, an Anthropic cost report line names its token type, an OpenAI Costs line item
   says ``input`` / ``output``): implied unit price = billed / tokens of that bucket that day;
   the factor is billed / computed for the bucket.
2. **Per cell** (one amount per model-day): for each bucket b in turn, suppose only b's price is
   off; the factor that closes day d is ``1 + difference_d / computed_{d,b}``. The bucket whose
   factor is the same on every day that is off is the one whose price is off.

A mismatch is reported when the factor is steady (within ``max(2 x tolerance, 1%)`` of its
median) over at least ``MIN_DAYS`` days that are outside the tolerance, or over fewer days when
the bucket is the only one of its model-day that is off (a partial usage export puts every
bucket off by the same factor instead); other one-day gaps are left unexplained. Python loops
here run per series, never per row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from ..results import Finding
from ..schema import MONEY, TOKEN_BUCKETS
from .finding import dsum, outside, signed

MIN_DAYS = 2
MILLION = Decimal(1_000_000)
_WORDS = [
    ("cache_write_1h", r"(cache[ _-]?(write|creation).*1h|1h.*cache)"),
    ("cache_write_5m", r"cache[ _-]?(write|creation)|ephemeral"),
    ("cache_read", r"cache[ _-]?read|cached[ _-]?input|cache hit"),
    ("output", r"output|completion"),
    ("input_uncached", r"input|prompt"),
]


def billed_bucket() -> pl.Expr:
    """The token bucket a billed row is for: its only non-zero bucket, else its line item's
    words; null when neither says (a money-only total)."""
    nonzero = [pl.col(b).fill_null(0) != 0 for b in TOKEN_BUCKETS]
    single = pl.sum_horizontal(nonzero) == 1
    by_tokens = pl.coalesce(
        [pl.when(nz).then(pl.lit(b)) for nz, b in zip(nonzero, TOKEN_BUCKETS, strict=True)]
    )
    text = pl.col("line_item").str.to_lowercase()
    by_words = pl.coalesce([pl.when(text.str.contains(rx)).then(pl.lit(b)) for b, rx in _WORDS])
    return (
        pl.when(pl.col("billed_cost").is_null())
        .then(None)
        .when(single)
        .then(by_tokens)
        .otherwise(by_words)
    )


def price_mismatches(
    cells: pl.DataFrame, lines: pl.DataFrame, parts: pl.DataFrame, tolerance: Decimal
) -> tuple[list[Finding], pl.DataFrame]:
    """Findings and the amount each explains per (provider, model, day). ``parts``: computed
    tokens and cost per bucket of each model (``_sub``) inside each cell, per day."""
    band = max(2 * tolerance, Decimal("0.01"))
    usable = (
        pl.col("usage_rows").gt(0) & pl.col("billed_rows").gt(0) & pl.col("unpriced_rows").eq(0)
    )
    ok_cells = cells.filter(usable & pl.col("outside"))
    found: list[Finding] = []
    explained: list[dict] = []
    with_lines = set(lines.select("provider", "model").unique().iter_rows())
    for series in _line_series(lines, ok_cells, tolerance):
        _judge(series, band, found, explained)
    for (provider, model), g in _by_model(ok_cells):
        if (provider, model) not in with_lines:
            mine = parts.filter(pl.col("provider") == provider, pl.col("model") == model)
            _judge_cells(provider, model, g, mine, band, found, explained)
    frame = pl.DataFrame(
        explained,
        schema={"provider": pl.String, "model": pl.String, "day": pl.Date, "explained": MONEY},
    )
    return found, frame.group_by("provider", "model", "day").agg(pl.col("explained").sum())


def _line_series(lines: pl.DataFrame, ok_cells: pl.DataFrame, tolerance: Decimal):
    """Off line items on usable days, one series per (provider, model, bucket)."""
    off = (
        lines.join(ok_cells.select("provider", "model", "day"), on=["provider", "model", "day"])
        .filter(pl.col("tokens").fill_null(0) > 0, pl.col("computed").fill_null(0) > 0)
        .with_columns(diff=(pl.col("billed") - pl.col("computed")).cast(MONEY))
        .filter(outside("diff", "billed", tolerance))
        .with_columns(alone=pl.len().over("provider", "model", "day") == 1)
        .sort("provider", "model", "bucket", "day")
    )
    for g in off.partition_by("provider", "model", "bucket", maintain_order=True):
        yield {
            "provider": g["provider"][0],
            "model": g["model"][0],
            "bucket": g["bucket"][0],
            "days": g["day"].to_list(),
            "factors": [b / c for b, c in zip(g["billed"], g["computed"], strict=True)],
            "diffs": g["diff"].to_list(),
            "implied": dsum(g["billed"]) / Decimal(int(g["tokens"].sum())) * MILLION,
            "table": dsum(g["computed"]) / Decimal(int(g["tokens"].sum())) * MILLION,
            "alone": bool(g["alone"].all()),
        }


def _judge_cells(provider, model, g: pl.DataFrame, parts, band, found, explained) -> None:
    """Cell-level bills: try each bucket (of each model, where a cell holds several) as the one
    whose price is off."""
    g = g.sort("day")
    best = None
    for sub in parts["_sub"].unique().sort():
        mine = g.select("day").join(parts.filter(pl.col("_sub") == sub), on="day", how="left")
        for b in TOKEN_BUCKETS:
            costs, toks = mine[f"cost_{b}"].to_list(), mine[b].to_list()
            if any(not c for c in costs):
                continue
            factors = [1 + d / c for d, c in zip(g["difference"], costs, strict=True)]
            spread = _spread(factors)
            if spread is not None and spread <= band and (best is None or spread < best[0]):
                tokens = Decimal(sum(int(t or 0) for t in toks))
                table = sum(costs, Decimal(0)) / tokens * MILLION if tokens else None
                best = (spread, sub, b, factors, table)
    if best is None:
        return
    _, sub, bucket, factors, table = best
    median = _median(factors)
    series = {
        "provider": provider,
        "model": sub,
        "cell": model,
        "bucket": bucket,
        "days": g["day"].to_list(),
        "factors": factors,
        "diffs": g["difference"].to_list(),
        "table": table,
        "implied": table * median if table is not None else None,
    }
    _judge(series, band, found, explained)


def _judge(series: dict, band: Decimal, found: list, explained: list) -> None:
    factors = series["factors"]
    spread = _spread(factors)
    short = len(factors) < MIN_DAYS and not series.get("alone")
    if short or spread is None or spread > band:
        return
    median = _median(factors)
    amount = sum(series["diffs"], Decimal(0))
    found.append(
        Finding(
            "price mismatch",
            series["provider"],
            series["model"],
            amount,
            _message(series, median, amount),
            series["days"],
        )
    )
    cell = series.get("cell", series["model"])
    explained += [
        {"provider": series["provider"], "model": cell, "day": d, "explained": x}
        for d, x in zip(series["days"], series["diffs"], strict=True)
    ]


def _message(s: dict, median: Decimal, amount: Decimal) -> str:
    pct = (median - 1) * 100
    since: dt.date = s["days"][0]
    rates = ""
    if s.get("implied") is not None and s.get("table") is not None:
        rates = f" (bill implies {s['implied']:.4f} per Mtok, table {s['table']:.4f})"
    return (
        f"pricing assumption for {s['provider']} {s['model']} {s['bucket']} off by "
        f"{pct:+.1f}% since {since}{rates}, on {len(s['days'])} day(s): "
        f"{signed(amount)} in the window"
    )


def _spread(factors: list[Decimal]) -> Decimal | None:
    """Largest relative distance of a factor from the median (None when undefined)."""
    if not factors:
        return None
    m = _median(factors)
    if m <= 0:
        return None
    return max(abs(f / m - 1) for f in factors)


def _median(xs: list[Decimal]) -> Decimal:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _by_model(cells: pl.DataFrame):
    return [
        ((g["provider"][0], g["model"][0]), g)
        for g in cells.partition_by("provider", "model", maintain_order=True)
    ]
