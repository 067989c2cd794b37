"""Structural checks over price table files, each finding located at ``file:line``.

Errors (overlapping or unordered periods, duplicate names, errata that do not match the table,
bad time zones) make a table unusable: ``load`` refuses it. Warnings (gaps, buckets with neither
a rate nor an explicit ``"none"``, stale ``checked`` dates) are reported by
``costlens pricing check``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from .. import schema
from ..errors import PricingError
from .defaults import STALE_DAYS
from .files import Source, bundled_dir, parse, toml_files
from .format import BUCKETS, Model, Modifier, Period, Rates, as_utc
from .terms import is_terms, parse_terms

"""An open period or modifier whose ``checked`` date is older than this is reported stale."""


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    text: str
    """``path:line: message``."""

    def __str__(self) -> str:
        path_line, _, message = self.text.partition(": ")
        return f"{path_line}: {self.level}: {message}"


def check(src: Source, today: dt.date | None = None, stale_days: int = STALE_DAYS) -> list[Finding]:
    """Every finding for one file, errors and warnings, in file order."""
    out = [*_models(src), *_aliases(src), *_modifiers(src), *_errata(src)]
    out += _stale(src, today or dt.date.today(), stale_days)
    out += _incomplete(src)
    return out


def errors(src: Source) -> list[Finding]:
    """The findings that make a file unusable."""
    found = [*_models(src), *_aliases(src), *_modifiers(src), *_errata(src)]
    return [f for f in found if f.level == "error"]


def _err(src: Source, loc: tuple, message: str) -> Finding:
    return Finding("error", src.where(loc, message))


def _warn(src: Source, loc: tuple, message: str) -> Finding:
    return Finding("warning", src.where(loc, message))


def _models(src: Source) -> Iterator[Finding]:
    if src.data.first_party and not src.data.route:
        yield _err(src, ("first_party",), "first_party is only meaningful in a route table")
    seen: dict[str, str] = {}
    for i, m in enumerate(src.data.model):
        for name in [m.id, *m.aliases]:
            key = name.lower()
            if key in seen and seen[key] != m.id:
                yield _err(src, ("model", i), f"name '{name}' also names model {seen[key]}")
            seen.setdefault(key, m.id)
        yield from _periods(src, i, m)


def _periods(src: Source, i: int, m: Model) -> Iterator[Finding]:
    for j, p in enumerate(m.period):
        loc = ("model", i, "period", j)
        end = as_utc(p.to) if p.to else None
        if end is not None and end <= p.start:
            yield _err(src, loc, f"{m.id}: period ends ({end:%Y-%m-%d %H:%M}) before it starts")
        if j + 1 == len(m.period):
            continue
        nxt = m.period[j + 1].start
        if nxt <= p.start:
            # The later entry is the one that breaks the order: point at it.
            where = ("model", i, "period", j + 1)
            when = f"{nxt:%Y-%m-%d %H:%M}"
            yield _err(src, where, f"{m.id}: period starts {when}, not after the one before it")
        elif end is not None and end > nxt:
            yield _err(src, loc, f"{m.id}: period overlaps the next one (starts {nxt:%Y-%m-%d})")
        elif end is not None and end < nxt:
            yield _warn(src, loc, f"{m.id}: gap, no price from {end:%Y-%m-%d} to {nxt:%Y-%m-%d}")


def _aliases(src: Source) -> Iterator[Finding]:
    ids = {m.id for m in src.data.model}
    names = {n.lower() for m in src.data.model for n in [m.id, *m.aliases]}
    for i, a in enumerate(src.data.alias):
        if a.name.lower() in names:
            yield _err(src, ("alias", i), f"moving alias '{a.name}' is also a model name")
        starts = [as_utc(t.from_) for t in a.target]
        if starts != sorted(set(starts)):
            yield _err(src, ("alias", i), f"alias {a.name}: targets out of order")
        for j, t in enumerate(a.target):
            if t.model not in ids:
                yield _err(src, ("alias", i, "target", j), f"unknown model '{t.model}'")


def _modifiers(src: Source) -> Iterator[Finding]:
    ids = [m.id for m in src.data.model]
    tiers = {m.id: {t.input_total_above for p in m.period for t in p.tier} for m in src.data.model}
    for i, mod in enumerate(src.data.modifier):
        loc = ("modifier", i)
        if not [x for x in ids if any(fnmatch.fnmatchcase(x, g) for g in mod.models)]:
            yield _warn(src, loc, f"modifier {mod.name}: 'models' matches no model of this file")
        yield from _when(src, loc, mod)
        for w in mod.window:
            if w.tz not in zoneinfo.available_timezones() and w.tz != "UTC":
                yield _err(src, loc, f"modifier {mod.name}: unknown time zone '{w.tz}'")
        for j, o in enumerate(mod.override):
            if o.model not in ids:
                yield _err(src, (*loc, "override", j), f"override for unknown model '{o.model}'")
            elif o.tier is not None and o.tier not in tiers[o.model]:
                yield _err(src, (*loc, "override", j), f"{o.model} has no tier above {o.tier}")
    yield from _modifier_overlaps(src)


def _when(src: Source, loc: tuple, mod: Modifier) -> Iterator[Finding]:
    """Each ``when`` key must be a usage column (else pricing fails on every report), and its
    value must fit the column: true / false for a flag, text (or a list of texts) otherwise."""
    for column, value in mod.when.items():
        dtype = schema.USAGE.get(column)
        if dtype is None:
            yield _err(
                src,
                loc,
                f"modifier {mod.name}: when key '{column}' is not a usage column (such as "
                "batch, service_tier, inference_geo, speed; all are in docs/schema.md)",
            )
        elif isinstance(value, bool) != (dtype == pl.Boolean):
            want = "true or false" if dtype == pl.Boolean else "a text or a list of texts"
            yield _err(src, loc, f"modifier {mod.name}: when {column} must be {want}")


def _modifier_overlaps(src: Source) -> Iterator[Finding]:
    mods = src.data.modifier
    for i, a in enumerate(mods):
        for b in mods[i + 1 :]:
            if (a.name, a.when, a.names, a.window) != (b.name, b.when, b.names, b.window):
                continue
            a_end = as_utc(a.to) if a.to else dt.datetime.max.replace(tzinfo=dt.UTC)
            b_end = as_utc(b.to) if b.to else dt.datetime.max.replace(tzinfo=dt.UTC)
            if a.start < b_end and b.start < a_end and _same_models(src, a.models, b.models):
                yield _err(src, ("modifier", i), f"modifier {a.name} overlaps a later entry")


def _same_models(src: Source, a: list[str], b: list[str]) -> bool:
    ids = [m.id for m in src.data.model]
    hit = {x for x in ids if any(fnmatch.fnmatchcase(x, g) for g in a)}
    return any(x in hit for x in ids if any(fnmatch.fnmatchcase(x, g) for g in b))


def _errata(src: Source) -> Iterator[Finding]:
    models = {m.id: m for m in src.data.model}
    for i, e in enumerate(src.data.erratum):
        period = _period_at(models.get(e.model), as_utc(e.period_from))
        if period is None:
            yield _err(
                src, ("erratum", i), f"erratum: {e.model} has no period from {e.period_from}"
            )
            continue
        value = _dotted(period, e.field)
        if value is None or str(value) != e.now:
            yield _err(src, ("erratum", i), f"erratum: {e.field} is {value}, erratum says {e.now}")


def _period_at(m: Model | None, start: dt.datetime) -> Period | None:
    return next((p for p in m.period if p.start == start), None) if m else None


def _dotted(obj: object, path: str) -> object:
    for part in path.split("."):
        obj = getattr(obj, part, None)
    return obj


def _stale(src: Source, today: dt.date, days: int) -> Iterator[Finding]:
    limit = today - dt.timedelta(days=days)
    for i, m in enumerate(src.data.model):
        last = m.period[-1] if m.period else None
        if last and last.to is None and last.checked < limit:
            where = ("model", i, "period", len(m.period) - 1)
            yield _warn(src, where, f"{m.id}: checked {last.checked}, more than {days} days ago")
    for i, mod in enumerate(src.data.modifier):
        if mod.to is None and mod.checked and mod.checked < limit:
            yield _warn(src, ("modifier", i), f"modifier {mod.name}: checked {mod.checked}, stale")


def _incomplete(src: Source) -> Iterator[Finding]:
    for i, m in enumerate(src.data.model):
        for j, p in enumerate(m.period):
            loc = ("model", i, "period", j)
            for label, rates in [("rates", p.rates), *((t.label, t.rates) for t in p.tier)]:
                for b in _missing(rates):
                    yield _warn(src, loc, f"{m.id}: {label} has no '{b}' (give a rate or \"none\")")


def _missing(rates: Rates) -> list[str]:
    return [b for b in BUCKETS if getattr(rates, b) is None]


def check_paths(paths: list[Path], stale_days: int = STALE_DAYS) -> tuple[int, list[Finding]]:
    """``costlens pricing check``: (files read, every finding) for the tables at ``paths`` (the
    bundled ones when empty)."""
    files = toml_files(paths or [bundled_dir()])
    # Terms files are checked by reading them: their mistakes are errors at their file.
    terms_files = [p for p in files if is_terms(p)]
    found = [f for p in terms_files if (f := _terms_error(p))]
    sources = [parse(p) for p in files if p not in terms_files]
    found += [f for s in sources for f in check(s, stale_days=stale_days)]
    return len(files), found + list(_shared_names(sources))


def _terms_error(path: Path) -> Finding | None:
    try:
        parse_terms(path)
    except PricingError as e:
        return Finding("error", str(e))
    return None


def _shared_names(sources: list[Source]) -> Iterator[Finding]:
    """A name two first-party tables give to different models (route tables reuse first-party
    names on purpose: the route decides). Which one a row gets depends on file order, so it is
    reported at the later entry; a glob alias that matches another table's name counts too."""
    seen: dict[str, tuple[str, Path]] = {}
    globs: list[tuple[str, str, Source, int]] = []
    for src in (s for s in sources if not s.data.route):
        for i, m in enumerate(src.data.model):
            for name in (n.lower() for n in [m.id, *m.aliases]):
                if any(c in name for c in "*?"):
                    globs.append((name, m.id, src, i))
                    continue
                other = seen.setdefault(name, (m.id, src.path))
                if other[0] != m.id:
                    msg = f"name '{name}' also names model {other[0]} in {other[1].name}"
                    yield _warn(src, ("model", i), msg)
    for glob, model, src, i in globs:
        hits = [
            f"'{name}' ({other} in {where.name})"
            for name, (other, where) in seen.items()
            if other != model and where != src.path and fnmatch.fnmatchcase(name, glob)
        ]
        if hits:
            msg = f"alias '{glob}' of {model} also matches {', '.join(hits)}"
            yield _warn(src, ("model", i), msg)
