"""Azure Cost Management cost-details exports (CSV) for Azure OpenAI meters.

Enterprise Agreement exports name columns in PascalCase (``MeterName``, ``CostInBillingCurrency``),
Microsoft Customer Agreement exports in camelCase (``meterName``, ``costInBillingCurrency``), and
some mix both: columns are matched case-insensitively through the declared ``COLUMNS``. ``Date``
is a UTC day written ``MM/dd/yyyy`` (older exports) or ISO ``yyyy-MM-dd``; each row is an
aggregated bucket ``[day, day + 1)``.

Only Azure OpenAI rows become usage (``MeterSubCategory`` or ``ProductName`` mentions OpenAI);
other resources and non-usage charges (purchases, refunds, reservations) are counted as skipped.
``Quantity`` is in ``UnitOfMeasure`` (``1K`` on older meters, ``1M`` on newer ones), scaled
exactly to whole tokens. The meter name says the model, the direction (input, cached input,
output), the deployment scope and batch (see ``_names.azure_meter``).
``CostInBillingCurrency`` (EA legacy: ``Cost``) is the billed cost, in ``BillingCurrency``.

Header sets Azure has shipped (the real header lines OpenCost keeps as test data,
``pkg/cloud/azure/resources/billingexports/headersets/``): the EA / MCA cost details above; the
legacy pay-as-you-go usage export (``UsageDateTime``, ``UsageQuantity``, ``PreTaxCost``,
``Currency``, ``SubscriptionGuid``, ``InstanceId``); and exports whose headers are localised with
the English name in parentheses (German: ``Name der Verbrauchseinheit (MeterName)``,
``Maßeinheit (UnitOfMeasure)``), sometimes mixed with plain names in one header. A localised
header is read by the name in its parentheses. Each file is resolved on its own, so a folder may
mix header sets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import polars as pl

from . import _billing as b
from . import kit
from ._base import head
from ._names import LABEL, azure_meter, per_label
from .kit import Read, lineage

NAME = "azure-cost-details"

COLUMNS: b.Columns = {
    "date": ("Date", "UsageDate", "UsageDateTime"),
    "meter": ("MeterName",),
    "category": ("MeterCategory",),
    "subcategory": ("MeterSubCategory",),
    "product": ("ProductName", "Product"),
    "unit": ("UnitOfMeasure",),
    "quantity": ("Quantity", "UsageQuantity"),
    "cost": ("CostInBillingCurrency", "Cost", "PreTaxCost"),
    "currency": ("BillingCurrency", "BillingCurrencyCode", "Currency"),
    "charge_type": ("ChargeType",),
    "subscription": ("SubscriptionId", "SubscriptionGuid"),
    "resource_group": ("ResourceGroup", "ResourceGroupName"),
    "resource": ("ResourceId", "InstanceId", "InstanceName"),
    "tags": ("Tags",),
}
"""Canonical key -> candidate columns (matched case-insensitively: EA PascalCase and MCA
camelCase are the same names)."""
REQUIRED = ["date", "meter", "unit", "quantity", "cost"]
HINT = "export 'Cost and usage details (actual cost)' from Cost Management as CSV"
BUCKET = {"input": "input_uncached", "cache_read": "cache_read", "output": "output"}


class AzureCostDetails(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = tuple(COLUMNS[k][0] for k in REQUIRED)

    def identify(self, path: Path) -> bool:
        first = head(path).split("\n", 1)[0].lower()
        return path.suffix == ".csv" and "metername" in first and "unitofmeasure" in first

    def dedupe(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """No row id: a row another file already holds is counted once (an export saved twice,
        or two exports whose dates overlap)."""
        return kit.once_across_files(frame)

    def read(self, path: Path) -> Read:
        # Line numbers assume one record per line (header = line 1).
        d = kit.dialect(path)
        lf, ragged = kit.scan_csv(path, NAME, d.separator, encoding="utf8-lossy")
        lf = lf.rename(english_names(list(lf.collect_schema())))
        have = list(lf.collect_schema())
        cols = kit.resolve(path, have, COLUMNS, REQUIRED, "an Azure cost-details export", HINT)
        t = b.text(lf, COLUMNS, cols).with_columns(_skip=_skip_reason())
        skipped = kit.counted(
            NAME, path, t.filter(pl.col("_skip").is_not_null()), "skipped", "_skip"
        )
        t = t.filter(pl.col("_skip").is_null()).with_columns(
            _label=per_label(pl.col("meter"), lambda m: azure_meter(m).__dict__, LABEL),
            _day=_day(pl.col("date")),
        )
        count, why = b.tokens(
            kit.decimal_point(pl.col("quantity"), d.decimal_comma), pl.col("unit")
        )
        direction = pl.col("_label").struct.field("direction")
        why = kit.first_reason(
            kit.money_problem(pl.col("cost"), cols["cost"], True, d.decimal_comma),
            pl.when(pl.col("_day").is_null()).then(
                pl.format("unreadable Date '{}' (want MM/dd/yyyy or yyyy-MM-dd)", "date")
            ),
            pl.when(direction.is_not_null()).then(why),
        )
        t = t.with_columns(
            _tokens=count, _why=why, _cost=kit.money(pl.col("cost"), d.decimal_comma)
        )
        bad = kit.issues(
            t.filter(pl.col("_why").is_not_null()), "rejected", pl.col("_why"), NAME, path
        )
        good = t.filter(pl.col("_why").is_null()).select(_columns(path))
        return Read(rows=good, issues=pl.concat([ragged, skipped, bad]))


LOCALISED = re.compile(r"^.*\((?P<name>[A-Za-z0-9]+)\)\s*$")
"""A localised header with its English column name in parentheses."""


def english_names(columns: list[str]) -> dict[str, str]:
    """``{localised header: English name}`` for headers such as ``Maßeinheit (UnitOfMeasure)``
    (an English name the file already has as a plain header is left alone)."""
    plain = {c.lower().lstrip("\ufeff").strip() for c in columns}
    out: dict[str, str] = {}
    for c in columns:
        m = LOCALISED.match(c.lstrip("\ufeff"))
        if m and m["name"].lower() not in plain and m["name"] not in out.values():
            out[c] = m["name"]
    return out


def _skip_reason() -> pl.Expr:
    openai = pl.concat_str("subcategory", "product", separator=" ", ignore_nulls=True)
    charge = pl.col("charge_type")
    return (
        pl.when(~openai.str.contains("(?i)openai").fill_null(False))
        .then(pl.lit("not an Azure OpenAI meter"))
        .when(charge.is_not_null() & (charge.str.to_lowercase() != "usage"))
        .then(pl.format("charge type '{}' is not usage", charge))
    )


def _day(text: pl.Expr) -> pl.Expr:
    """The UTC day a ``Date`` cell names (``MM/dd/yyyy``, ISO date, or ISO date-time)."""
    us = text.str.strptime(pl.Date, "%m/%d/%Y", strict=False)
    iso = text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return pl.coalesce(us, iso).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _columns(path: Path) -> list[pl.Expr]:
    label = pl.col("_label")
    direction = label.struct.field("direction")
    tags = pl.col("tags").str.strip_chars()
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.lit("azure").alias("provider"),
        pl.col("meter").alias("model"),
        label.struct.field("model").alias("model_canonical"),
        pl.col("_day").alias("period_start"),
        pl.col("_day").dt.offset_by("1d").alias("period_end"),
        pl.lit(True).alias("aggregated"),
        pl.col("subscription").alias("project"),
        pl.col("resource_group").alias("workspace"),
        label.struct.field("tier").alias("service_tier"),
        label.struct.field("batch").fill_null(False).alias("batch"),
        *[
            pl.when(direction == d).then(pl.col("_tokens")).otherwise(0).alias(bucket)
            for d, bucket in BUCKET.items()
        ],
        pl.lit(0, pl.Int64).alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        pl.lit(0, pl.Int64).alias("web_search"),
        pl.lit(False).alias("ttl_assumed"),
        pl.col("_cost").alias("billed_cost"),
        pl.col("currency"),
        # Older exports drop the outer braces of the tag object: put them back.
        pl.when(tags.str.starts_with("{") | (tags == ""))
        .then(tags)
        .otherwise(pl.concat_str(pl.lit("{"), tags, pl.lit("}")))
        .alias("tags"),
    ]
