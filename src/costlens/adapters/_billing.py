"""Shared reading of cloud billing exports (GCP, AWS CUR, Azure): tables of text cells.

Every cell is read as text so money and quantities become ``Decimal`` without passing through a
float. Column mappings are data: a canonical key names the candidate source columns in order
(current name first, legacy names after). Token quantities are scaled by a declared unit table
and must come out as whole tokens.
"""

from __future__ import annotations

import polars as pl

from .kit import Columns

UNIT_TOKENS: dict[str, int] = {
    "count": 1,
    "token": 1,
    "tokens": 1,
    "1k": 1_000,
    "1k tokens": 1_000,
    "1000 tokens": 1_000,
    "1m": 1_000_000,
    "1m tokens": 1_000_000,
    "1000000 tokens": 1_000_000,
}
"""Quantity unit (lower-cased) -> tokens per unit. A unit not listed here is never guessed: the
row is rejected with the unit named."""


def text(lf: pl.LazyFrame, spec: Columns, columns: dict[str, str], *extra: pl.Expr) -> pl.LazyFrame:
    """Every key of ``spec`` as a text column (null when the file lacks it), plus ``ln``."""
    have = lf.collect_schema()
    return lf.select(
        pl.col("ln"),
        *[
            (
                _as_text(columns[k], have[columns[k]]) if k in columns else pl.lit(None, pl.String)
            ).alias(k)
            for k in spec
        ],
        *extra,
    )


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
        return kv_json(pl.col(column))
    if isinstance(dtype, pl.Struct):
        return pl.col(column).struct.json_encode()
    return pl.col(column).cast(pl.String)


def kv_json(expr: pl.Expr) -> pl.Expr:
    """A list of ``{key, value}`` structs (Parquet maps, BigQuery labels) as JSON object text."""
    key = _quoted(pl.element().struct.field("key").cast(pl.String))
    value = _quoted(pl.element().struct.field("value").cast(pl.String))
    joined = expr.list.eval(pl.format("{}:{}", key, value)).list.join(",")
    return pl.when(expr.list.len() > 0).then(pl.concat_str(pl.lit("{"), joined, pl.lit("}")))


def _quoted(expr: pl.Expr) -> pl.Expr:
    escaped = expr.str.replace_all("\\", "\\\\", literal=True).str.replace_all(
        '"', '\\"', literal=True
    )
    return pl.format('"{}"', escaped)


def tokens(quantity: pl.Expr, unit: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Whole tokens from a quantity in its unit, and the reason when that is impossible."""
    per = (
        unit.str.strip_chars()
        .str.to_lowercase()
        .replace_strict(UNIT_TOKENS, default=None, return_dtype=pl.Int64)
    )
    exact = quantity.str.strip_chars().cast(pl.Decimal(38, 12), strict=False) * per
    whole = exact.cast(pl.Int64, strict=False)
    reason = (
        pl.when(per.is_null())
        .then(pl.format("unknown quantity unit '{}' (known: {})", unit, pl.lit(_known())))
        .when(exact.is_null())
        .then(pl.format("quantity '{}' is not a number", quantity))
        .when(whole != exact)
        .then(pl.format("quantity {} {} is not a whole number of tokens", quantity, unit))
    )
    return whole, reason


def _known() -> str:
    return ", ".join(sorted(UNIT_TOKENS))
