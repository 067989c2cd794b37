"""Polars expressions for modifiers: when one applies to a row, and what it does per bucket.

Python runs once per modifier (building expressions); the rows are only touched by polars.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import polars as pl

from .. import schema
from ..schema import MONEY
from .format import DAYS, Modifier, ProviderFile, Window, as_utc

_GLOB = ("*", "?", "[")


@dataclass(frozen=True)
class Hit:
    """One modifier entry and the boolean expression saying it applies to a row."""

    mod: Modifier
    provider: str
    expr: pl.Expr

    def override(self, bucket: str, unit: Decimal) -> pl.Expr | None:
        """This modifier's explicit rate per unit (token or call) for ``bucket`` (null: none)."""
        table = {
            f"{o.model}|{o.tier or 0}": str(cast(Decimal, o.rates.get(bucket)) / unit)
            for o in self.mod.override
            if bucket in type(o.rates).model_fields and o.rates.get(bucket) is not None
        }
        if not table:
            return None
        key = pl.concat_str(pl.col("model_id"), pl.lit("|"), pl.col("_tier_above").cast(pl.String))
        value = key.replace_strict(table, default=None, return_dtype=pl.String)
        return pl.when(self.expr).then(value.cast(MONEY))


def hits(providers: dict[str, ProviderFile]) -> list[Hit]:
    """An applicability expression for every modifier entry of every provider."""
    out = []
    for name, f in providers.items():
        for mod in f.modifier:
            out.append(Hit(mod, name, _applies(mod, _model_ids(f, mod))))
    return out


def _model_ids(f: ProviderFile, mod: Modifier) -> list[str]:
    ids = [m.id for m in f.model if any(fnmatch.fnmatchcase(m.id, g) for g in mod.models)]
    if mod.scale is None:
        # Without a scale the modifier only has the published rates it lists.
        ids = [i for i in ids if i in {o.model for o in mod.override}]
    return ids


def _applies(mod: Modifier, ids: list[str]) -> pl.Expr:
    at = pl.col("_at")
    hit = pl.col("model_id").is_in(ids) & (at >= pl.lit(mod.start, schema.UTC_TIME))
    if mod.to is not None:
        hit = hit & (at < pl.lit(as_utc(mod.to), schema.UTC_TIME))
    for column, value in mod.when.items():
        hit = hit & _matches(pl.col(column), value)
    if mod.names:
        hit = hit & _matches(pl.col("model").str.to_lowercase(), mod.names)
    if mod.window:
        hit = hit & pl.any_horizontal(*[_in_window(w) for w in mod.window])
    return hit.fill_null(False)


def _matches(col: pl.Expr, value: str | bool | list[str]) -> pl.Expr:
    if isinstance(value, bool):
        return col == pl.lit(value)
    values = [value] if isinstance(value, str) else value
    plain = [v for v in values if not any(c in v for c in _GLOB)]
    globs = [_regex(v) for v in values if v not in plain]
    test = col.is_in(plain) if plain else pl.lit(False)
    if globs:
        test = test | col.str.contains("|".join(f"(?:{g})" for g in globs))
    return test


def _regex(glob: str) -> str:
    """A glob as an anchored regex the Rust engine accepts (``fnmatch.translate`` emits ``\\Z``)."""
    parts = {"*": ".*", "?": "."}
    return "^" + "".join(parts.get(c) or re.escape(c) for c in glob) + "$"


def _in_window(w: Window) -> pl.Expr:
    """The row's time, in the window's time zone, is inside the daily window on a listed day."""
    local = pl.col("_at").dt.convert_time_zone(w.tz)
    minute = local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32)
    day = local.dt.weekday()  # 1 = Monday
    start, end = _minutes(w.start), _minutes(w.end)
    on = day.is_in([DAYS.index(d) + 1 for d in w.days])
    if start < end:
        return on & (minute >= start) & (minute < end)
    # Past midnight: the early-morning part belongs to the window that began the day before.
    day_before = day.is_in([(DAYS.index(d) + 1) % 7 + 1 for d in w.days])
    return (on & (minute >= start)) | (day_before & (minute < end))


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def scale_lit(value: Decimal) -> pl.Expr:
    return pl.lit(value, MONEY)
