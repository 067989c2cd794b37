"""A large AWS Cost and Usage Report (CUR 2.0 CSV) with Bedrock token line items.

    python bench/generate.py billing OUT --rows 1000000

The columns are those of ``tests/fixtures/aws_cur/cur2-bedrock.csv`` (CUR 2.0 names, ``product``
and ``resource_tags`` as the JSON maps the CSV export writes); usage types follow the documented
first-party Bedrock families seen there (``USE1-Claude4.6Sonnet-input-tokens``,
``...-output-tokens``, ``...-cache-read-input-token-count``, ``...-cache-write-input-token-count``),
amounts in 1K tokens. One line item per (day, account, model, direction, task tag), over
two months, a few models dominating, ~3% of rows other services (EC2) that costlens skips.
Built column-wise with polars, so 1M rows take seconds.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

MODELS = ["Claude4.6Sonnet", "Claude4.5Haiku", "Claude4.5Opus", "Claude4.5Sonnet"]
MODEL_WEIGHTS = [55, 25, 12, 8]
DIRECTIONS = [
    ("input-tokens", 0.003),
    ("output-tokens", 0.015),
    ("cache-read-input-token-count", 0.0003),
    ("cache-write-input-token-count", 0.00375),
]
COLUMNS = [
    "identity_line_item_id", "identity_time_interval", "bill_billing_period_start_date",
    "line_item_usage_account_id", "line_item_line_item_type", "line_item_usage_start_date",
    "line_item_usage_end_date", "line_item_product_code", "line_item_usage_type",
    "line_item_operation", "line_item_resource_id", "line_item_usage_amount",
    "line_item_unblended_rate", "line_item_unblended_cost", "line_item_currency_code",
    "pricing_unit", "product", "resource_tags", "line_item_iam_principal",
]  # fmt: skip


def _pick(h: pl.Expr, choices: list[str], weights: list[int]) -> pl.Expr:
    """A weighted choice per row from a hash column."""
    cut, out, total = 0, pl.lit(choices[-1]), sum(weights)
    bounds = []
    for c, w in zip(choices, weights, strict=True):
        cut += w
        bounds.append((cut, c))
    for bound, c in reversed(bounds[:-1]):
        out = pl.when(h % total < bound).then(pl.lit(c)).otherwise(out)
    return out


def cur(out: Path, rows: int, seed: int) -> Path:
    """Write ``rows`` line items to ``OUT/cur-bedrock.csv``."""
    i = pl.int_range(rows, dtype=pl.Int64)
    h = i.hash(seed)
    day = (h // 7 % 59).alias("_day")
    direction = (h // 11 % 4).alias("_dir")
    other = (h // 13 % 100) < 3
    frame = pl.select(i.alias("_i"), h.alias("_h"), day, direction, other.alias("_other"))
    start = pl.datetime(2026, 3, 1, time_zone="UTC") + pl.duration(days=pl.col("_day"))
    stamp = lambda e: e.dt.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    model = _pick(pl.col("_h") // 17, MODELS, MODEL_WEIGHTS)
    suffix = pl.col("_dir").replace_strict(list(range(4)), [d for d, _ in DIRECTIONS])
    rate = pl.col("_dir").replace_strict(list(range(4)), [r for _, r in DIRECTIONS])
    amount = (pl.col("_h") // 19 % 500_000).cast(pl.Float64) / 1000 + 0.001
    bedrock = pl.concat_str(pl.lit("USE1-"), model, pl.lit("-"), suffix)
    frame = frame.with_columns(
        identity_line_item_id=pl.format("li-{}", pl.col("_i")),
        identity_time_interval=pl.concat_str(
            stamp(start), pl.lit("/"), stamp(start + pl.duration(days=1))
        ),
        bill_billing_period_start_date=stamp(start.dt.truncate("1mo")),
        line_item_usage_account_id=pl.format("1234567890{}", pl.col("_h") // 23 % 10 + 10),
        line_item_line_item_type=pl.lit("Usage"),
        line_item_usage_start_date=stamp(start),
        line_item_usage_end_date=stamp(start + pl.duration(days=1)),
        line_item_product_code=pl.when("_other")
        .then(pl.lit("AmazonEC2"))
        .otherwise(pl.lit("AmazonBedrock")),
        line_item_usage_type=pl.when("_other")
        .then(pl.lit("USE1-BoxUsage:t3.micro"))
        .otherwise(bedrock),
        line_item_operation=pl.when("_other")
        .then(pl.lit("RunInstances"))
        .otherwise(pl.lit("InvokeModelInference")),
        line_item_resource_id=pl.lit(""),
        line_item_usage_amount=amount.round(3),
        line_item_unblended_rate=pl.when("_other").then(pl.lit(0.0104)).otherwise(rate),
        line_item_currency_code=pl.lit("USD"),
        pricing_unit=pl.when("_other").then(pl.lit("Hrs")).otherwise(pl.lit("1K tokens")),
        product=pl.when("_other")
        .then(pl.lit('{"product_name":"Amazon Elastic Compute Cloud","region":"us-east-1"}'))
        .otherwise(pl.lit('{"product_name":"Amazon Bedrock","region":"us-east-1"}')),
        resource_tags=pl.format('{{"user_task":"swe-{}"}}', pl.col("_h") // 29 % 20_000),
        line_item_iam_principal=pl.lit("arn:aws:iam::123456789012:role/eval-runner"),
    ).with_columns(
        line_item_unblended_cost=(
            pl.col("line_item_usage_amount") * pl.col("line_item_unblended_rate")
        ).round(6)
    )
    out.mkdir(parents=True, exist_ok=True)
    target = out / "cur-bedrock.csv"
    frame.select(COLUMNS).write_csv(target)
    print(f"wrote {rows:,} CUR 2.0 line items to {target}")
    return target
