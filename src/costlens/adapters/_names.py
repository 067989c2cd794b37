"""Vendor labels -> model names the price tables resolve, and what else the label says.

Billing exports name a model inside another label: a Bedrock model id or inference profile, an
AWS CUR usage type or Marketplace product name, an Azure meter name, a GCP SKU description.
The rules below are data (patterns and word tables); the functions apply them once per distinct
label. The raw label always stays in ``model``; the derived name goes to ``model_canonical``.

A label for a modality or mode the text price tables do not cover (audio, image, realtime) maps
to a name carrying that mode (``gpt-4o-realtime``, ``gemini-2.5-flash:audio``), which resolves to
no price: the row is unpriced with its reason, never priced at the text rate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

# ---- Bedrock model ids and inference profiles -------------------------------------------------

BEDROCK_GEO = r"(?:us|eu|apac|jp|au|ca|us-gov|global)\."
BEDROCK_VENDOR = r"(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer)\."
BEDROCK_ID = re.compile(
    rf"^(?:arn:aws[\w-]*:bedrock:[^/]*/)?(?:{BEDROCK_GEO})?(?:{BEDROCK_VENDOR})(?P<name>.+?)"
    r"(?:-v\d+(?::\d+)?)?(?::\d+k)?$"
)
"""``us.anthropic.claude-sonnet-4-5-20250929-v1:0`` -> ``claude-sonnet-4-5-20250929``; also
foundation-model and (system) inference-profile ARNs. Application inference profile ARNs name
no model (an opaque id): they stay unmapped."""


def bedrock_model(model_id: str) -> str | None:
    """The model name inside a Bedrock model id, profile id or ARN; None when it names none."""
    m = BEDROCK_ID.match(model_id.strip())
    return m["name"] if m else None


# ---- AWS CUR usage types and Marketplace product names ----------------------------------------

CUR_FIRST_PARTY = re.compile(
    r"^(?P<region>[A-Z]{2,4}\d?)-(?P<model>[A-Za-z][\w.-]*?)-(?P<dir>input-tokens|output-tokens"
    r"|cache-read-input-token-count|cache-write-input-token-count)(?P<suffix>(?:-[a-z0-9]+)*)$"
)
"""First-party style: ``USE1-Claude4.6Sonnet-input-tokens[-cross-region-global|-batch|...]``.
The model token may hold dashes (``USE1-Llama3-3-70B-input-tokens``, the Price List's
``USE1-deepseek.v3.2-mantle-input-tokens-standard``): the token-direction words end it."""

CUR_MARKETPLACE = re.compile(
    r"[:_](?P<dir>InputTokenCount|OutputTokenCount|CacheReadInputTokenCount"
    r"|CacheWriteInputTokenCount|CacheWrite1hInputTokenCount|input_tokens|output_tokens"
    r"|cache_read_input_tokens|cache_write_input_tokens)(?P<suffix>(?:_[A-Za-z0-9]+)*)-Units$"
)
"""Marketplace style: ``USE1-MP:USE1_InputTokenCount_Global-Units`` (model from the product)."""

CUR_DIRECTION = {
    "input-tokens": "input",
    "output-tokens": "output",
    "cache-read-input-token-count": "cache_read",
    "cache-write-input-token-count": "cache_write",
    "InputTokenCount": "input",
    "OutputTokenCount": "output",
    "CacheReadInputTokenCount": "cache_read",
    "CacheWriteInputTokenCount": "cache_write",
    "CacheWrite1hInputTokenCount": "cache_write_1h",
    "input_tokens": "input",
    "output_tokens": "output",
    "cache_read_input_tokens": "cache_read",
    "cache_write_input_tokens": "cache_write",
}

CUR_MODELS = [
    (re.compile(r"^Claude(?P<v>\d+(?:\.\d+)?)(?P<f>Sonnet|Opus|Haiku)$"), "claude-{f}-{v}"),
    (re.compile(r"^Nova(?P<v>\d+(?:\.\d+)?)?(?P<f>Micro|Lite|Pro|Premier)$"), "nova-{v}-{f}"),
    # Meta's Bedrock ids are ``meta.llama3-3-70b-instruct-v1:0``; the usage type drops -instruct.
    (re.compile(r"^Llama(?P<v>\d+(?:-\d+)?)-(?P<s>\d+B)$"), "llama{v}-{s}-instruct"),
    # Latency-optimized inference has its own, higher price: a name no table prices.
    (
        re.compile(r"^Llama(?P<v>\d+(?:-\d+)?)-(?P<s>\d+B)-LatencyOptimized$"),
        "llama{v}-{s}-instruct:latency-optimized",
    ),
    # Bedrock "mantle" (OpenAI-compatible endpoint) types carry the model id itself.
    (re.compile(r"^(?P<id>[a-z][\w]*\.[\w.-]+?)-mantle$"), "{id}"),
]
"""Model token of a first-party usage type -> model name (``Claude4.6Sonnet`` ->
``claude-sonnet-4-6``); dots in versions become dashes, as in the vendors' own ids."""


@dataclass(frozen=True)
class Label:
    """What a billing label says: model, token direction and pricing context."""

    model: str | None = None
    direction: str | None = None
    """``input``, ``output``, ``cache_read``, ``cache_write`` (TTL unknown), ``cache_write_1h``;
    None for a non-token line (storage, provisioned throughput, training, search...)."""
    batch: bool = False
    tier: str | None = None
    context: str | None = None
    reasoning: bool = False


def _cur_model(token: str) -> str | None:
    for pattern, template in CUR_MODELS:
        m = pattern.match(token)
        if m:
            # Version dots become dashes (``Claude4.6`` -> ``4-6``); a mantle id stays as written.
            parts = {
                k: (v or "").lower() if k == "id" else _version(v) for k, v in m.groupdict().items()
            }
            return re.sub(r"--+", "-", template.format(**parts)).strip("-")
    return None


def _version(v: str | None) -> str:
    return re.sub(r"\.0$", "", v or "").lower().replace(".", "-")


def _suffix_flags(words: list[str]) -> dict:
    low = [w.lower() for w in words]
    tier = next((t for t in ("flex", "priority") if t in low), None)
    return {
        "batch": "batch" in low,
        "tier": tier,
        "context": "long" if ("lctx" in low or "longcontext" in low) else None,
    }


def cur_usage_type(usage_type: str, product_name: str | None) -> Label:
    """Parse a Bedrock usage type; Marketplace types take the model from the product name."""
    m = CUR_FIRST_PARTY.match(usage_type)
    if m:
        words = [w for w in m["suffix"].split("-") if w]
        return Label(_cur_model(m["model"]), CUR_DIRECTION[m["dir"]], **_suffix_flags(words))
    m = CUR_MARKETPLACE.search(usage_type)
    if m:
        words = [w for w in m["suffix"].split("_") if w]
        return Label(product_model(product_name), CUR_DIRECTION[m["dir"]], **_suffix_flags(words))
    return Label()


def product_model(product_name: str | None) -> str | None:
    """``Claude Sonnet 4.5 (Amazon Bedrock Edition)`` -> ``claude-sonnet-4-5``."""
    if not product_name:
        return None
    base = re.sub(r"\s*\(Amazon Bedrock Edition\)\s*$", "", product_name.strip())
    return re.sub(r"[\s.]+", "-", base.lower()) or None


# ---- Azure OpenAI meter names -----------------------------------------------------------------

AZURE_WORDS: dict[str, tuple[str, str]] = {
    **{w: ("dir", "input") for w in ("inp", "inpt", "input", "in")},
    **{w: ("dir", "output") for w in ("outp", "outpt", "opt", "output", "out")},
    **{w: ("cached", "yes") for w in ("cchd", "cd", "cached", "cch")},
    **{w: ("scope", w) for w in ("glbl", "global", "gl", "regnl", "rgnl", "regional")},
    **{w: ("scope", w) for w in ("dzone", "dz", "dzn", "datazone")},
    **{w: ("unit", w) for w in ("tokens", "token", "1m", "1k")},
    "batch": ("batch", "yes"),
    "pp": ("tier", "priority"),
    "rt": ("realtime", "realtime"),
    "aud": ("modality", "audio"),
    "img": ("modality", "image"),
    "txt": ("modality", "text"),
}
"""Meter-name words (lower-cased) that are not part of the model name, and what they mean."""

AZURE_VERSION = re.compile(r"^\d{4}$")
"""A 4-digit model version code (``gpt 4o 1120``): dropped, since prices are per model family."""


def azure_meter(meter: str) -> Label:
    """Parse an Azure OpenAI meter name (``GPT 5 Mini cchd Inpt Glbl``)."""
    said: dict[str, str] = {}
    model: list[str] = []
    for word in re.split(r"[\s-]+", meter.strip()):
        kind = AZURE_WORDS.get(word.lower())
        if kind:
            said[kind[0]] = kind[1]
        elif not AZURE_VERSION.match(word):
            model.append(word.lower())
    name = "-".join(model)
    if name and name[0].isdigit():
        name = "gpt-" + name
    for mode in (said.get("realtime"), said.get("modality")):
        if mode and mode != "text":
            name = f"{name}-{mode}"
    direction = said.get("dir")
    if direction == "input" and "cached" in said:
        direction = "cache_read"
    return Label(
        name or None, direction, batch="batch" in said, tier=said.get("tier"), context=None
    )


# ---- GCP Cloud Billing SKU descriptions --------------------------------------------------------

GCP_MODEL = re.compile(
    r"\b(?P<m>(?:gemini|gemma)[\s-]*\d+(?:\.\d+)?(?:[\s-]+(?:pro|flash|lite|ultra|nano|preview))*)\b",
    re.I,
)
GCP_DIRECTION = [
    # Vertex names cached input "<model> GA Input Text Caching" (SKU A1C1-77CC-6FAE, charged at
    # the cache rate); its "... Caching Storage" sibling is per token-hour (GCP_NOT_TOKENS).
    (
        re.compile(r"\bcached (?:content )?input\b|\bcache(?:d)? (?:read|hit)\b|\bcaching\b", re.I),
        "cache_read",
    ),
    (re.compile(r"\boutput\b", re.I), "output"),
    (re.compile(r"\binput\b", re.I), "input"),
]
"""First match wins: a cached-input SKU also says "input"."""
GCP_NOT_TOKENS = re.compile(r"storage|token hours|grounding|search|character|tuning|training", re.I)
GCP_MODALITY = re.compile(r"\b(text|image|audio|video)\b", re.I)
GCP_CONTEXT = re.compile(r"\b(short|long)\b", re.I)


def gcp_sku(description: str) -> Label:
    """Parse a Vertex AI / Gemini API SKU description (direction, model, modality, context)."""
    if GCP_NOT_TOKENS.search(description):
        return Label()
    m = GCP_MODEL.search(description)
    direction = next((d for p, d in GCP_DIRECTION if p.search(description)), None)
    if not m or not direction:
        return Label()
    name = re.sub(r"[\s-]+", "-", m["m"].lower())
    modality = GCP_MODALITY.search(description)
    if modality and modality[1].lower() != "text":
        name = f"{name}:{modality[1].lower()}"
    context = GCP_CONTEXT.search(description)
    low = description.lower()
    tier = next((t for t in ("flex", "priority") if t in low), None)
    return Label(
        name,
        direction,
        batch="batch" in low,
        tier=tier,
        context=context[1].lower() if context else None,
        reasoning="thinking" in low,
    )


# ---- applying the rules: once per distinct label, never per row ------------------------------

LABEL = pl.Struct(
    {
        "model": pl.String,
        "direction": pl.String,
        "batch": pl.Boolean,
        "tier": pl.String,
        "context": pl.String,
        "reasoning": pl.Boolean,
    }
)


def per_label(expr: pl.Expr, parse: Callable[[str], object], dtype: pl.DataType) -> pl.Expr:
    """Apply ``parse`` to each distinct value of ``expr`` (per batch) and map the results back."""

    def batch(s: pl.Series) -> pl.Series:
        values = s.unique().drop_nulls().to_list()
        found = [_plain(parse(v)) for v in values]
        table = pl.DataFrame({"_v": values, "_r": found}, schema={"_v": s.dtype, "_r": dtype})
        return s.to_frame("_v").join(table, on="_v", how="left", maintain_order="left")["_r"]

    return expr.map_batches(batch, return_dtype=dtype, is_elementwise=True)


def _plain(value: object) -> object:
    return value.__dict__ if isinstance(value, Label) else value
