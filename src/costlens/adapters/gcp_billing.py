"""Google Cloud Billing export rows (BigQuery table exported as CSV or newline-delimited JSON)
for Vertex AI and Gemini API SKUs.

The JSON export keeps BigQuery's nesting (``sku.description``, ``usage.amount``, ``labels`` as a
list of ``{key, value}``); a CSV export comes from a query that flattens it, so both
``sku.description`` and ``sku_description`` spellings are accepted (``COLUMNS``). Times are
BigQuery TIMESTAMPs in UTC (``2026-03-01 08:00:00 UTC`` or ISO 8601).

Only Vertex AI and Gemini API rows of ``cost_type`` ``regular`` become usage; other services,
taxes, adjustments and rounding rows are counted as skipped. The SKU description says the token
direction, model, modality, short / long context and batch / flex (``_names.gcp_sku``). Token
SKUs count single tokens (``usage.unit = "count"``). ``cost`` is the billed cost **gross** of
``credits`` (free trial, committed-use and promotional credits are funding, not the price of the
usage; they are left out). A row that is not tokens (cache storage, grounding) keeps its billed
cost with zero tokens; its SKU names no priced model, so it is unpriced.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import polars as pl

from . import _billing as b
from . import kit
from ._base import first_json_lines, head
from ._lines import decode
from ._names import LABEL, gcp_sku, per_label
from .kit import Read, lineage

NAME = "gcp-billing-export"

COLUMNS: b.Columns = {
    "service_id": ("service.id", "service_id"),
    "service": ("service.description", "service_description"),
    "sku_id": ("sku.id", "sku_id"),
    "sku": ("sku.description", "sku_description"),
    "start": ("usage_start_time",),
    "end": ("usage_end_time",),
    "amount": ("usage.amount", "usage_amount"),
    "unit": ("usage.unit", "usage_unit"),
    "cost": ("cost",),
    "currency": ("currency",),
    "cost_type": ("cost_type",),
    "project": ("project.id", "project_id"),
    "labels": ("labels",),
}
"""Canonical key -> (JSON export path / dotted CSV name, flattened CSV name)."""
REQUIRED = ["service", "sku", "start", "end", "amount", "unit", "cost"]
HINT = "export the standard or detailed billing table with its usage, sku and service fields"
SERVICES = {"Vertex AI": "vertex", "Gemini API": "google"}
"""``service.description`` -> provider (the price tables' route for that service)."""
SERVICE_IDS = {"C7E2-9256-1C43": "Vertex AI", "AEFD-7695-64FA": "Gemini API"}
BUCKET = {"input": "input_uncached", "cache_read": "cache_read", "output": "output"}

_KV = pl.List(pl.Struct({"key": pl.String, "value": pl.String}))
LINE = pl.Struct(
    {
        "service": pl.Struct({"id": pl.String, "description": pl.String}),
        "sku": pl.Struct({"id": pl.String, "description": pl.String}),
        "usage_start_time": pl.String,
        "usage_end_time": pl.String,
        "usage": pl.Struct({"amount": pl.String, "unit": pl.String}),
        "cost": pl.String,
        "currency": pl.String,
        "cost_type": pl.String,
        "project": pl.Struct({"id": pl.String}),
        "labels": _KV,
    }
)


class GcpBillingExport(kit.Reader):
    name: ClassVar[str] = NAME
    kind: ClassVar[str] = "usage"
    dedupe_on: ClassVar[tuple[str, ...]] = ()
    markers: ClassVar[tuple[str, ...]] = tuple(COLUMNS[k][0] for k in REQUIRED)

    def identify(self, path: Path) -> bool:
        if path.suffix == ".csv":
            first = head(path).split("\n", 1)[0]
            return "usage_start_time" in first and (
                "sku.description" in first or "sku_description" in first
            )
        return path.suffix in (".jsonl", ".json") and any(
            "sku" in d and "usage_start_time" in d
            for d in first_json_lines(path, keys=("usage_start_time",))
        )

    def dedupe(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """No row id: a row another file already holds is counted once (an export saved twice,
        or two exports whose dates overlap)."""
        return kit.once_across_files(frame)

    def read(self, path: Path) -> Read:
        flat, issues = _jsonl(path) if path.suffix != ".csv" else _csv(path)
        d = kit.dialect(path) if path.suffix == ".csv" else kit.Dialect()
        service = pl.coalesce(
            "service", pl.col("service_id").replace_strict(SERVICE_IDS, default=None)
        )
        t = flat.with_columns(_service=service).with_columns(_skip=_skip_reason())
        skipped = kit.counted(
            NAME, path, t.filter(pl.col("_skip").is_not_null()), "skipped", "_skip"
        )
        t = t.filter(pl.col("_skip").is_null()).with_columns(
            _label=per_label(pl.col("sku"), lambda s: gcp_sku(s).__dict__, LABEL)
        )
        count, why = b.tokens(kit.decimal_point(pl.col("amount"), d.decimal_comma), pl.col("unit"))
        direction = pl.col("_label").struct.field("direction")
        why = kit.first_reason(
            kit.money_problem(pl.col("cost"), "cost", True, d.decimal_comma),
            pl.when(direction.is_not_null()).then(why),
        )
        cost = kit.money(pl.col("cost"), d.decimal_comma)
        t = t.with_columns(_tokens=count, _why=why, _cost=cost)
        bad = kit.issues(
            t.filter(pl.col("_why").is_not_null()), "rejected", pl.col("_why"), NAME, path
        )
        good = t.filter(pl.col("_why").is_null()).select(_columns(path))
        return Read(rows=good, issues=pl.concat([issues, skipped, bad]))


def _csv(path: Path) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    lf, ragged = kit.scan_csv(path, NAME, kit.dialect(path).separator)
    have = list(lf.collect_schema())
    cols = kit.resolve(path, have, COLUMNS, REQUIRED, "a Cloud Billing export", HINT)
    return b.text(lf, COLUMNS, cols), ragged


def _jsonl(path: Path) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    first = next(iter(first_json_lines(path)), {})
    flat_keys = {k for k, v in first.items() if not isinstance(v, dict)}
    flat_keys |= {f"{k}.{f}" for k, v in first.items() if isinstance(v, dict) for f in v}
    kit.resolve(path, sorted(flat_keys), COLUMNS, REQUIRED, "a Cloud Billing export", HINT)
    lines = pl.scan_lines(path).with_row_index("ln", offset=1)
    rows, issues = decode(NAME, path, LINE, lines)
    return rows.select(
        "ln",
        service_id=pl.col("service").struct.field("id"),
        service=pl.col("service").struct.field("description"),
        sku_id=pl.col("sku").struct.field("id"),
        sku=pl.col("sku").struct.field("description"),
        start="usage_start_time",
        end="usage_end_time",
        amount=pl.col("usage").struct.field("amount"),
        unit=pl.col("usage").struct.field("unit"),
        cost="cost",
        currency="currency",
        cost_type="cost_type",
        project=pl.col("project").struct.field("id"),
        labels=b.kv_json(pl.col("labels")),
    ), issues


def _skip_reason() -> pl.Expr:
    kind = pl.col("cost_type")
    return (
        pl.when(~pl.col("_service").is_in(list(SERVICES)).fill_null(False))
        .then(pl.lit("not a Vertex AI or Gemini API row"))
        .when(kind.is_not_null() & (kind != "regular"))
        .then(pl.format("cost_type '{}' is not usage", kind))
    )


def _columns(path: Path) -> list[pl.Expr]:
    label = pl.col("_label")
    direction = label.struct.field("direction")
    tokens = pl.col("_tokens")
    return [
        *lineage(NAME, path, pl.col("ln")),
        pl.col("_service").replace_strict(SERVICES, default=None).alias("provider"),
        pl.col("sku").alias("model"),
        label.struct.field("model").alias("model_canonical"),
        kit.utc_repeated(pl.col("start")).alias("period_start"),
        kit.utc_repeated(pl.col("end")).alias("period_end"),
        pl.lit(True).alias("aggregated"),
        pl.col("project"),
        label.struct.field("tier").alias("service_tier"),
        label.struct.field("batch").fill_null(False).alias("batch"),
        label.struct.field("context").alias("context_window"),
        *[
            pl.when(direction == d).then(tokens).otherwise(0).alias(bucket)
            for d, bucket in BUCKET.items()
        ],
        pl.lit(0, pl.Int64).alias("cache_write_5m"),
        pl.lit(0, pl.Int64).alias("cache_write_1h"),
        # A "Thinking" output SKU is all reasoning; other output SKUs do not say.
        pl.when(label.struct.field("reasoning")).then(tokens).alias("reasoning"),
        pl.lit(0, pl.Int64).alias("web_search"),
        pl.lit(False).alias("ttl_assumed"),
        pl.col("_cost").alias("billed_cost"),
        pl.col("currency"),
        pl.when(pl.col("labels") != "[]").then("labels").alias("tags"),
    ]
