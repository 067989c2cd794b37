"""AWS Cost and Usage Report rows for Amazon Bedrock (CUR 2.0 and legacy; CSV or Parquet).

CUR 2.0 names columns ``line_item_usage_type``; the legacy CSV names them ``lineItem/UsageType``
(legacy Parquet uses the CUR 2.0 style). Both are accepted, through the declared ``COLUMNS``.
A ``.csv.gz`` export is read in place (see ``_container``).

Only Bedrock rows become usage (product code ``AmazonBedrock*`` or a Marketplace product named
"... (Amazon Bedrock Edition)"); other services and non-usage line items (tax, credits, refunds,
fees) are counted as skipped, by reason. Each Bedrock row is an aggregated bucket with one token
direction, read from the usage type (both naming families, see ``_names``): its
``line_item_usage_amount`` is in the row's ``pricing_unit`` (1K or 1M tokens), scaled exactly to
whole tokens. ``line_item_unblended_cost`` is the billed cost, gross of credits and discounts
(these are separate line items). A Bedrock row that is not tokens (provisioned throughput,
training...) keeps its billed cost with zero tokens; its usage type names no model, so it is
unpriced.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from .. import schema
from . import _billing as b
from . import kit
from ._base import head
from ._names import LABEL, cur_usage_type, per_label
from .kit import Read, lineage

NAME = "aws-cur"

COLUMNS: b.Columns = {
    "start": ("line_item_usage_start_date", "lineItem/UsageStartDate"),
    "end": ("line_item_usage_end_date", "lineItem/UsageEndDate"),
    "product_code": ("line_item_product_code", "lineItem/ProductCode"),
    "usage_type": ("line_item_usage_type", "lineItem/UsageType"),
    "amount": ("line_item_usage_amount", "lineItem/UsageAmount"),
    "unit": ("pricing_unit", "pricing/unit"),
    "cost": ("line_item_unblended_cost", "lineItem/UnblendedCost"),
    "currency": ("line_item_currency_code", "lineItem/CurrencyCode"),
    "line_item_type": ("line_item_line_item_type", "lineItem/LineItemType"),
    "account": ("line_item_usage_account_id", "lineItem/UsageAccountId"),
    "principal": ("line_item_iam_principal",),
    "product_name": ("product_product_name", "product/ProductName"),
    "product": ("product",),
    "tags": ("resource_tags",),
    "line_item_id": ("identity_line_item_id", "identity/LineItemId"),
    "interval": ("identity_time_interval", "identity/TimeInterval"),
}
"""Canonical key -> (CUR 2.0 name, legacy CSV name)."""
REQUIRED = ["start", "end", "product_code", "usage_type", "amount", "unit", "cost"]
LEGACY_TAGS = ("resourceTags/", "resource_tags_")
"""Prefixes of the one-column-per-tag layout (legacy CSV and legacy Parquet)."""
USAGE_LINE_ITEMS = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")
HINT = "export the Cost and Usage Report (CUR 2.0 or legacy) with its standard columns"
BUCKET = {
    "input": "input_uncached",
    "output": "output",
    "cache_read": "cache_read",
    "cache_write": "cache_write_5m",
    "cache_write_1h": "cache_write_1h",
}
"""Usage-type direction -> token bucket. A cache write without a stated TTL is priced as 5m."""


class AwsCur(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ("request_id",)
    markers: ClassVar[tuple[str, ...]] = tuple(COLUMNS[k][0] for k in REQUIRED)

    def identify(self, path: Path) -> bool:
        if path.suffix == ".parquet":
            return "line_item_usage_type" in pl.read_parquet_schema(path)
        first = head(path).split("\n", 1)[0]
        return path.suffix == ".csv" and (
            "line_item_usage_type" in first or "lineItem/UsageType" in first
        )

    def read(self, path: Path) -> Read:
        lf, ragged = _scan(path)
        have = list(lf.collect_schema())
        cols = kit.resolve(path, have, COLUMNS, REQUIRED, "an AWS Cost and Usage Report", HINT)
        legacy = [c for c in have if c.startswith(LEGACY_TAGS)]
        t = b.text(lf, COLUMNS, cols, _legacy_tags(legacy)).with_columns(_product_name())
        item = pl.col("line_item_type")
        is_usage = item.is_null() | item.is_in(USAGE_LINE_ITEMS)
        bedrock = pl.col("product_code").str.starts_with("AmazonBedrock") | pl.col(
            "_pname"
        ).str.ends_with("(Amazon Bedrock Edition)")
        t = t.with_columns(_skip=_skip_reason(bedrock.fill_null(False), is_usage))
        d = kit.dialect(path) if path.suffix == ".csv" else kit.Dialect()
        return kit.adding(_rows(path, t, cols["cost"], d), ragged)


def _scan(path: Path) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    if path.suffix == ".parquet":
        lf = pl.scan_parquet(path).with_row_index("ln", offset=1)
        return lf, schema.empty(schema.ISSUES)
    # Line numbers assume one record per line (header = line 1), as CUR writes them.
    return kit.scan_csv(path, NAME, kit.dialect(path).separator)


def _legacy_tags(columns: list[str]) -> pl.Expr:
    """One-column-per-tag layouts as one JSON object of the tags a row has."""
    if not columns:
        return pl.lit(None, pl.String).alias("_legacy_tags")
    pairs = [
        pl.when(pl.col(c).is_not_null() & (pl.col(c).cast(pl.String) != "")).then(
            pl.format('"{}":"{}"', pl.lit(c.split("/", 1)[-1]), pl.col(c).cast(pl.String))
        )
        for c in columns
    ]
    joined = pl.concat_str(pairs, separator=",", ignore_nulls=True)
    wrapped = pl.concat_str(pl.lit("{"), joined, pl.lit("}"))
    return pl.when(joined != "").then(wrapped).alias("_legacy_tags")


def _product_name() -> pl.Expr:
    """The product name: its own column, or the ``product`` map's ``product_name`` (CUR 2.0)."""
    in_map = kit.per_distinct(pl.col("product"), lambda m: m.str.json_path_match("$.product_name"))
    return pl.coalesce("product_name", in_map).alias("_pname")


def _skip_reason(bedrock: pl.Expr, is_usage: pl.Expr) -> pl.Expr:
    return (
        pl.when(~bedrock)
        .then(pl.lit("not an Amazon Bedrock row"))
        .when(~is_usage)
        .then(pl.format("line item type '{}' is not usage", pl.col("line_item_type")))
    )


def _rows(path: Path, t: pl.LazyFrame, cost: str, d: kit.Dialect) -> Read:
    key = pl.concat_str("usage_type", pl.col("_pname").fill_null(""), separator="\x1f")
    skipped = kit.counted(NAME, path, t.filter(pl.col("_skip").is_not_null()), "skipped", "_skip")
    t = t.filter(pl.col("_skip").is_null()).with_columns(_label=per_label(key, _label, LABEL))
    label = pl.col("_label")
    direction = label.struct.field("direction")
    count, why = b.tokens(kit.decimal_point(pl.col("amount"), d.decimal_comma), pl.col("unit"))
    why = kit.first_reason(
        kit.money_problem(pl.col("cost"), cost, True, d.decimal_comma),
        pl.when(direction.is_not_null()).then(why),
    )
    t = t.with_columns(_tokens=count, _why=why, _cost=kit.money(pl.col("cost"), d.decimal_comma))
    bad = kit.issues(t.filter(pl.col("_why").is_not_null()), "rejected", pl.col("_why"), NAME, path)
    good = t.filter(pl.col("_why").is_null()).select(_columns(path))
    return Read(rows=good, issues=pl.concat([skipped, bad]))


def _label(key: str) -> dict:
    usage_type, _, product = key.partition("\x1f")
    return cur_usage_type(usage_type, product or None).__dict__


def _columns(path: Path) -> list[pl.Expr]:
    label = pl.col("_label")
    direction = label.struct.field("direction")
    marketplace = pl.col("usage_type").str.contains("-MP:", literal=True)
    buckets = [
        pl.when(direction == d).then(pl.col("_tokens")).otherwise(0).alias(bucket)
        for d, bucket in BUCKET.items()
        if bucket != "cache_write_5m"
    ]
    write_5m = pl.when(direction == "cache_write").then(pl.col("_tokens")).otherwise(0)
    record = pl.concat_str("line_item_id", "interval", separator="@")
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("bedrock").alias("provider"),
        pl.when(marketplace).then(pl.col("_pname")).otherwise("usage_type").alias("model"),
        label.struct.field("model").alias("model_canonical"),
        kit.utc_repeated(pl.col("start")).alias("period_start"),
        kit.utc_repeated(pl.col("end")).alias("period_end"),
        pl.lit(True).alias("aggregated"),
        record.alias("request_id"),
        pl.col("account").alias("project"),
        pl.col("principal").alias("user"),
        label.struct.field("tier").alias("service_tier"),
        label.struct.field("batch").fill_null(False).alias("batch"),
        label.struct.field("context").alias("context_window"),
        *buckets,
        write_5m.alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("web_search"),
        (direction == "cache_write").fill_null(False).alias("ttl_assumed"),
        pl.col("_cost").alias("billed_cost"),
        pl.col("currency"),
        pl.coalesce("tags", "_legacy_tags").alias("tags"),
    ]
