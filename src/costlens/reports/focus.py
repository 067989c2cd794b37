"""FOCUS Cost and Usage dataset writer: names the charges ``charges.charges`` computed.

One row per charge (a UTC day of one SKU price for one attempt and account). Column meaning and
the mapping from costlens terms are in docs/focus.md; this module only labels, serialises and
writes (CSV or Parquet by the file's suffix). Unpriced usage is never written with a made-up
cost: FOCUS cost columns cannot be null, so those rows go to ``<name>.not-exported.csv`` beside
the dataset, each with its reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ..errors import OutputError, located
from ..results import Charges
from .atomic import atomic_file
from .csv import safe_text

FOCUS_VERSION = "1.4"

PROVIDERS: dict[str, tuple[str, str, str]] = {
    "anthropic": ("Anthropic", "Anthropic", "Claude API"),
    "openai": ("OpenAI", "OpenAI", "OpenAI API"),
    "google": ("Google", "Google", "Gemini API"),
    "vertex": ("Google Cloud", "Google Cloud", "Vertex AI"),
    "bedrock": ("Amazon Web Services", "Amazon Web Services", "Amazon Bedrock"),
    "azure": ("Microsoft", "Microsoft", "Azure OpenAI"),
    "openrouter": ("OpenRouter", "OpenRouter", "OpenRouter"),
    "deepseek": ("DeepSeek", "DeepSeek", "DeepSeek API"),
    "xai": ("xAI", "xAI", "xAI API"),
    "mistral": ("Mistral AI", "Mistral AI", "Mistral API"),
    "minimax": ("MiniMax", "MiniMax", "MiniMax API"),
    "moonshot": ("Moonshot AI", "Moonshot AI", "Kimi API"),
    "qwen": ("Alibaba Cloud", "Alibaba Cloud", "Model Studio"),
    "zhipu": ("Zhipu AI", "Zhipu AI", "Z.ai API"),
}
"""Price table -> (service provider and invoice issuer, host provider, service name). The
service provider sells the model access and issues the invoice for it; the host runs it."""

DEVELOPERS = {
    "claude": "Anthropic", "gpt": "OpenAI", "o1": "OpenAI", "o3": "OpenAI", "o4": "OpenAI",
    "codex": "OpenAI", "ft:gpt": "OpenAI", "gemini": "Google", "gemma": "Google",
    "llama": "Meta", "mistral": "Mistral AI", "codestral": "Mistral AI",
    "devstral": "Mistral AI", "magistral": "Mistral AI", "deepseek": "DeepSeek",
    "grok": "xAI", "qwen": "Alibaba", "glm": "Zhipu AI", "kimi": "Moonshot AI",
    "minimax": "MiniMax", "nova": "Amazon",
}  # fmt: skip
"""Model id prefix -> SkuPriceDetails ModelDeveloper (left out when no prefix matches)."""

METERS = {
    "input_uncached": ("Input Tokens", "Input", "Uncached"),
    "cache_read": ("Cache Read Input Tokens", "Input", "Read"),
    "cache_write_5m": ("Cache Write Input Tokens", "Input", "Write"),
    "cache_write_1h": ("Cache Write Input Tokens", "Input", "Write"),
    "output": ("Output Tokens", "Output", None),
    "web_search": ("Web Search Calls", None, None),
}
"""Metered column -> (SkuMeter, TokenDirection, TokenCacheAction). Output tokens come from no
cache (no TokenCacheAction); search calls are not tokens (neither property)."""

UNITS = {
    **{k: ("1000000 Tokens", "Tokens") for k in METERS if k != "web_search"},
    "web_search": ("1000 Searches", "Searches"),
}
"""Metered column -> (PricingUnit, ConsumedUnit), as the price tables state the rates."""

FOCUS_COLUMNS = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice",
    "EffectiveCost", "HostProviderName", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
    "PricingQuantity", "PricingUnit", "ServiceCategory", "ServiceName",
    "ServiceProviderName", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails",
    "SkuPriceId", "Tags",
)  # fmt: skip
"""The FOCUS columns written, in the spec's (alphabetical) order, before every ``x_`` one."""

CUSTOM_COLUMNS = (
    "x_CostSource", "x_TaskId", "x_RunId", "x_Attempt", "x_RunModel", "x_ReportedModel",
    "x_ProjectName", "x_WorkspaceId", "x_AttributionMethod", "x_UnattributedCause",
    "x_PriceSource", "x_PriceConfidence", "x_PricePeriodStart", "x_PricingVersion",
    "x_NegotiatedTerms", "x_SourceFormat", "x_SourceTags",
)  # fmt: skip

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""FOCUS date/time format: ISO 8601 in UTC with a Z."""


def focus_frame(ch: Charges) -> pl.DataFrame:
    """The charges as FOCUS columns (then ``x_`` ones), typed: Decimal money, UTC times."""
    c = ch.charges
    meter = pl.col("metered")
    day = pl.col("day")
    month = day.dt.truncate("1mo")
    return c.select(
        BilledCost=pl.col("billed_cost"),
        BillingAccountId=pl.lit(ch.billing_account),
        BillingAccountName=pl.lit(None, pl.String),
        BillingCurrency=pl.col("currency"),
        BillingPeriodEnd=month.dt.offset_by("1mo"),
        BillingPeriodStart=month,
        ChargeCategory=pl.lit("Usage"),
        ChargeClass=pl.lit(None, pl.String),
        ChargeDescription=pl.concat_str(
            pl.col("model_id"), pl.lit(" "), _lookup(meter, METERS, 0).str.to_lowercase()
        ),
        ChargeFrequency=pl.lit("Usage-Based"),
        ChargePeriodEnd=day.dt.offset_by("1d"),
        ChargePeriodStart=day,
        ConsumedQuantity=pl.col("consumed").cast(pl.Decimal(38, 0)),
        ConsumedUnit=_lookup(meter, UNITS, 1),
        ContractedCost=pl.col("contracted_cost"),
        ContractedUnitPrice=pl.col("contracted_unit_price"),
        EffectiveCost=pl.col("billed_cost"),
        HostProviderName=_provider(1),
        InvoiceIssuerName=_provider(0),
        ListCost=pl.col("list_cost"),
        ListUnitPrice=pl.col("list_unit_price"),
        PricingQuantity=pl.col("pricing_quantity"),
        PricingUnit=_lookup(meter, UNITS, 0),
        ServiceCategory=pl.lit("AI and Machine Learning"),
        ServiceName=_provider(2),
        ServiceProviderName=_provider(0),
        ServiceSubcategory=pl.lit("Generative AI"),
        SkuId=pl.col("sku"),
        SkuMeter=_lookup(meter, METERS, 0),
        SkuPriceDetails=_sku_price_details(),
        SkuPriceId=pl.col("sku_price"),
        Tags=_tags(c),
        x_CostSource=pl.col("cost_source"),
        x_TaskId=pl.col("task_id"),
        x_RunId=pl.col("run_id"),
        x_Attempt=pl.col("attempt"),
        x_RunModel=pl.col("run_model"),
        x_ReportedModel=pl.col("model"),
        x_ProjectName=pl.col("project"),
        x_WorkspaceId=pl.col("workspace"),
        x_AttributionMethod=pl.col("attribution_method"),
        x_UnattributedCause=pl.col("unattributed_cause"),
        x_PriceSource=pl.col("price_source").cast(pl.String),
        x_PriceConfidence=pl.col("price_confidence").cast(pl.String),
        x_PricePeriodStart=pl.col("price_period_from"),
        x_PricingVersion=pl.col("pricing_version").cast(pl.String),
        x_NegotiatedTerms=pl.when(pl.col("terms") != "").then("terms"),
        x_SourceFormat=pl.col("source_format"),
        x_SourceTags=pl.col("tags"),
    )


def _lookup(key: pl.Expr, table: dict, i: int) -> pl.Expr:
    return key.replace_strict({k: v[i] for k, v in table.items()}, default=None)


def _provider(i: int) -> pl.Expr:
    names = {k: v[i] for k, v in PROVIDERS.items()}
    return pl.col("provider").replace_strict(names, default=pl.col("provider"))


def _sku_price_details() -> pl.Expr:
    """FOCUS-defined keys (ModelId, ModelDeveloper, TokenDirection, TokenCacheAction), then
    ``x_`` keys for what also sets the price (tier, modifiers, cache-write lifetime)."""
    meter = pl.col("metered")
    fields = [
        pl.col("model_id").alias("ModelId"),
        _developer().alias("ModelDeveloper"),
        _lookup(meter, METERS, 1).alias("TokenDirection"),
        _lookup(meter, METERS, 2).alias("TokenCacheAction"),
        meter.replace_strict({"cache_write_5m": "5m", "cache_write_1h": "1h"}, default=None).alias(
            "x_CacheLifetime"
        ),
        pl.col("price_tier").cast(pl.String).alias("x_PriceTier"),
        pl.col("list_modifiers").alias("x_PriceModifiers"),
    ]
    return _json_object(fields)


def _developer() -> pl.Expr:
    model = pl.col("model_id").str.to_lowercase().str.replace(r"^[a-z]+\.", "")
    out = pl.lit(None, pl.String)
    for prefix, name in sorted(DEVELOPERS.items(), key=lambda kv: -len(kv[0])):
        out = pl.when(model.str.starts_with(prefix)).then(pl.lit(name)).otherwise(out)
    return out


def _json_object(fields: list[pl.Expr]) -> pl.Expr:
    """A JSON object of the non-null, non-empty fields (keys in the given order)."""
    pieces = []
    for f in fields:
        name = f.meta.output_name()
        one = pl.struct(f).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")
        pieces.append(pl.when(f.is_not_null() & (f.cast(pl.String) != "")).then(one).alias(name))
    inner = pl.concat_str(pieces, separator=",", ignore_nulls=True)
    return pl.concat_str(pl.lit("{"), inner, pl.lit("}"))


def _tags(c: pl.DataFrame) -> pl.Expr:
    """costlens' own keys (prefixed ``costlens/``) plus the source's tags when they are a JSON
    object; null when there are none."""
    own = [
        pl.col("task_id").alias("costlens/task"),
        pl.col("run_id").alias("costlens/run"),
        pl.col("attempt").alias("costlens/attempt"),
        pl.col("project").alias("costlens/project"),
    ]
    ours = _json_object(own).str.strip_prefix("{").str.strip_suffix("}")
    theirs = pl.col("tags").replace_strict(_source_tags(c), default=None, return_dtype=pl.String)
    inner = pl.concat_str(
        [pl.when(ours != "").then(ours), theirs], separator=",", ignore_nulls=True
    )
    return pl.when(inner != "").then(pl.concat_str(pl.lit("{"), inner, pl.lit("}")))


def _source_tags(c: pl.DataFrame) -> dict[str, str | None]:
    """Each distinct source tag text -> its key/values re-serialised (once per distinct text,
    not per row); text that is not a JSON object of them stays only in ``x_SourceTags``."""
    out: dict[str, str | None] = {}
    for text in c["tags"].drop_nulls().unique().to_list():
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        ok = isinstance(obj, dict) and obj and not any(k.startswith("costlens/") for k in obj)
        out[text] = json.dumps(obj, ensure_ascii=False)[1:-1] if ok else None
    return out


def write_focus(ch: Charges, target: Path) -> list[Path]:
    """Write the dataset to ``target`` (``.csv`` or ``.parquet``) and, when any usage was left
    out, ``<stem>.not-exported.csv`` beside it. Returns the files written.

    Raises:
        OutputError: the suffix is neither ``.csv`` nor ``.parquet``.
    """
    kind = target.suffix.lower()
    if kind not in (".csv", ".parquet"):
        raise OutputError(located(target, None, "name a .csv or .parquet file for the dataset"))
    frame = focus_frame(ch)
    with atomic_file(target) as tmp:
        if kind == ".parquet":
            frame.write_parquet(tmp)
        else:
            _csv(frame).write_csv(tmp)
    written = [target]
    if ch.omitted.height:
        beside = target.with_name(f"{target.stem}.not-exported.csv")
        with atomic_file(beside) as tmp:
            _csv(ch.omitted).write_csv(tmp)
        written.append(beside)
    return written


def _csv(df: pl.DataFrame) -> pl.DataFrame:
    """Times as FOCUS date/times; text a spreadsheet would run as a formula escaped."""
    times = [c for c, t in df.schema.items() if isinstance(t, pl.Datetime)]
    df = df.with_columns(pl.col(c).dt.strftime(TIME_FORMAT) for c in times)
    json_cols = {"SkuPriceDetails", "Tags"}
    text = [c for c, t in df.schema.items() if t == pl.String and c not in json_cols]
    return safe_text(df.select(text)).hstack(df.drop(text)).select(df.columns)
