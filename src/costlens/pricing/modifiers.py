"""Modifiers: when one applies to a row (a Narwhals expression, run by either engine), and
what it does per bucket (polars, on the small table of distinct rate combinations).

Python runs once per modifier (building expressions); the rows are only touched by the engine.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import narwhals as nw
import polars as pl

from .. import frames
from ..frames import Frame
from ..schema import MONEY
from . import intervals
from .format import DAYS, Modifier, ProviderFile, Window, as_utc

_GLOB = ("*", "?", "[")


@dataclass(frozen=True)
class Hit:
    """One modifier entry and the boolean expression saying it applies to a row (a Narwhals
    expression over usage rows, or a polars one over the rate combinations)."""

    mod: Modifier
    provider: str
    expr: Any

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


def local_times(rows: Frame, providers: dict[str, ProviderFile]) -> Frame:
    """``rows`` plus the wall-clock time of ``_at`` in each time zone a modifier window names
    (``_local_<tz>``), which ``hits`` reads. Only the rows of the models those windows cover get
    one (the others are null: their window test is false anyway); ``rows``: persisted, with
    the input row id ``frames.ROW``."""
    zones: dict[str, set[str]] = {}
    for f in providers.values():
        for m in f.modifier:
            for w in m.window:
                zones.setdefault(w.tz, set()).update(_model_ids(f, m))
    for tz, ids in sorted(zones.items()):
        some = rows.filter(nw.col("model_id").is_in(sorted(ids))).select(frames.ROW, "_at")
        local = intervals.local_time(some, "_at", tz, _local(tz)).select(frames.ROW, _local(tz))
        rows = frames.attach(rows, local, frames.ROW)
    return rows


def _local(tz: str) -> str:
    return f"_local_{tz}"


def hits(providers: dict[str, ProviderFile]) -> list[Hit]:
    """An applicability expression for every modifier entry of every provider (over rows that
    went through ``local_times``)."""
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


def _applies(mod: Modifier, ids: list[str]) -> nw.Expr:
    at = nw.col("_at")
    hit = nw.col("model_id").is_in(ids) & (at >= nw.lit(mod.start, frames.UTC_TIME))
    if mod.to is not None:
        hit = hit & (at < nw.lit(as_utc(mod.to), frames.UTC_TIME))
    for column, value in mod.when.items():
        hit = hit & _matches(nw.col(column), value)
    if mod.names:
        hit = hit & _matches(nw.col("model").str.to_lowercase(), mod.names)
    if mod.window:
        hit = hit & nw.any_horizontal(*[_in_window(w) for w in mod.window], ignore_nulls=False)
    return hit.fill_null(False)


def _matches(col: nw.Expr, value: str | bool | list[str]) -> nw.Expr:
    if isinstance(value, bool):
        return col == nw.lit(value)
    values = [value] if isinstance(value, str) else value
    plain = [v for v in values if not any(c in v for c in _GLOB)]
    globs = [_regex(v) for v in values if v not in plain]
    test = col.is_in(plain) if plain else nw.lit(False)
    if globs:
        test = test | col.str.contains("|".join(f"(?:{g})" for g in globs))
    return test


def _regex(glob: str) -> str:
    """A glob as an anchored regex the Rust engine accepts (``fnmatch.translate`` emits ``\\Z``)."""
    parts = {"*": ".*", "?": "."}
    return "^" + "".join(parts.get(c) or re.escape(c) for c in glob) + "$"


def _in_window(w: Window) -> nw.Expr:
    """The row's time, in the window's time zone, is inside the daily window on a listed day."""
    local = nw.col(_local(w.tz))
    minute = local.dt.hour().cast(nw.Int32) * 60 + local.dt.minute().cast(nw.Int32)
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
