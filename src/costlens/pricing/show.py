"""What ``costlens pricing show`` and ``costlens pricing diff`` print, as plain data."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import subprocess
import tempfile
from pathlib import Path

from ..errors import PricingError
from .book import ALIAS, Book, load
from .files import bundled_dir
from .format import BUCKETS, Model, Period, Rates, as_utc

_END = dt.datetime.max.replace(tzinfo=dt.UTC)


def show_model(book: Book, name: str, at: dt.datetime | None = None) -> dict:
    """The model a name resolves to (at ``at``), with its periods and modifiers.

    Raises:
        PricingError: the name resolves to no model.
    """
    model_id = _resolve_at(book, name, at)
    f, m = book.models[model_id]
    periods = [p for i, p in enumerate(m.period) if at is None or _in_force(m, i, at)]
    mods = [
        x
        for x in f.modifier
        if any(fnmatch.fnmatchcase(m.id, g) for g in x.models)
        and (at is None or (x.start <= at < (as_utc(x.to) if x.to else _END)))
    ]
    return {
        "name": name,
        "model": m.id,
        "provider": f.provider,
        "currency": f.currency,
        "file": str(book.origin.get((f.provider, "model", m.id), "")),
        "periods": [_period(m, p) for p in periods],
        "modifiers": [_modifier(x) for x in mods],
        "errata": [e.model_dump(mode="json") for e in f.erratum if e.model == m.id],
    }


def _resolve_at(book: Book, name: str, at: dt.datetime | None) -> str:
    key = book.resolve(name)
    if key is None:
        raise PricingError(f"{name}: unknown model (no id or alias matches)")
    if not key.startswith(ALIAS):
        return key
    targets = [(t, m) for k, t, m in book.alias_targets() if k == key]
    when = at or dt.datetime.now(dt.UTC)
    live = [m for t, m in targets if t <= when]
    if not live:
        raise PricingError(f"{name}: the alias names no model at {when:%Y-%m-%d}")
    return live[-1]


def _in_force(m: Model, i: int, at: dt.datetime) -> bool:
    return m.period[i].start <= at < _end(m, i)


def _end(m: Model, i: int) -> dt.datetime:
    p = m.period[i]
    if p.to:
        return as_utc(p.to)
    return m.period[i + 1].start if i + 1 < len(m.period) else _END


def _rates(r: Rates) -> dict[str, str | None]:
    return {b: None if getattr(r, b) is None else str(getattr(r, b)) for b in BUCKETS}


def _period(m: Model, p: Period) -> dict:
    i = m.period.index(p)
    end = _end(m, i)
    return {
        "from": p.start.isoformat(),
        "to": None if end == _END else end.isoformat(),
        "source": p.source,
        "checked": p.checked.isoformat(),
        "confidence": p.confidence,
        "note": p.note,
        "rates": _rates(p.rates),
        "fees": {k: str(v) for k, v in p.fees.model_dump().items() if v is not None},
        "tiers": [{"label": t.label, "rates": _rates(t.rates)} for t in p.tier],
    }


def _modifier(x) -> dict:
    effect = f"x{x.scale} on {', '.join(x.applies_to)}" if x.scale is not None else "rates"
    if x.override:
        effect += f"; published rates for {', '.join(o.model for o in x.override)}"
    return {
        "name": x.name,
        "from": x.start.isoformat(),
        "to": as_utc(x.to).isoformat() if x.to else None,
        "when": x.when,
        "names": x.names,
        "window": [w.model_dump() for w in x.window],
        "effect": effect,
        "excludes": x.excludes,
        "source": x.source,
    }


def load_revision(spec: str, layers: list[Path] | None = None) -> Book:
    """Tables from a folder or file, else from ``pricing/`` at a git revision; ``layers``
    (tables or terms files) are layered over them."""
    layers = layers or []
    path = Path(spec)
    if path.exists():
        return load([path, *layers], bundled=False)
    repo = bundled_dir().parent
    names = _git(repo, "ls-tree", "--name-only", spec, "pricing/").split()
    with tempfile.TemporaryDirectory(prefix="costlens-pricing-") as tmp:
        for name in [n for n in names if n.endswith(".toml")]:
            text = _git(repo, "show", f"{spec}:{name}")
            (Path(tmp) / Path(name).name).write_text(text, encoding="utf-8")
        try:
            return load([Path(tmp), *layers], bundled=False)
        except PricingError as e:
            # Name the revision, not the scratch folder it was unpacked into.
            raise PricingError(str(e).replace(tmp + os.sep, f"{spec}:pricing/")) from e


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        msg = f"{args[-1]}: not a folder, file or git revision ({done.stderr.strip()})"
        raise PricingError(msg)
    return done.stdout


def diff_books(old: Book, new: Book, today: dt.date) -> list[dict]:
    """Every (model, interval, field) whose price differs, with the past months it touches."""
    out = []
    for model_id in sorted(set(old.models) | set(new.models)):
        a, b = _timeline(old, model_id), _timeline(new, model_id)
        cuts = sorted({t for t, _ in a} | {t for t, _ in b})
        for lo, hi in zip(cuts, [*cuts[1:], _END], strict=True):
            before, after = _state(a, lo), _state(b, lo)
            for what in sorted(set(before) | set(after)):
                if before.get(what) != after.get(what):
                    out.append(_change(model_id, what, before, after, lo, hi, today))
    return out + _modifier_changes(old, new, today)


def _modifier_changes(old: Book, new: Book, today: dt.date) -> list[dict]:
    """Modifiers (negotiated terms among them) added, removed or changed, per provider."""
    out = []
    for p in sorted(set(old.providers) | set(new.providers)):
        a, b = _mods(old, p), _mods(new, p)
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                name, start, end = key
                hi = as_utc(end) if end else _END
                before, after = {"effect": a.get(key, "-")}, {"effect": b.get(key, "-")}
                change = _change(f"{p} modifier {name}", "effect", before, after, start, hi, today)
                out.append(change)
    return out


def _mods(book: Book, provider: str) -> dict[tuple, str]:
    f = book.providers.get(provider)
    mods = f.modifier if f else []
    return {(m.name, m.start, m.to): _modifier(m)["effect"] for m in mods}


def _timeline(book: Book, model_id: str) -> list[tuple[dt.datetime, dict]]:
    """(start, flattened prices) per period, plus an empty state where a period ends."""
    if model_id not in book.models:
        return []
    _, m = book.models[model_id]
    out = []
    for i, p in enumerate(m.period):
        flat = {f"rates.{k}": v for k, v in _rates(p.rates).items()}
        flat |= {f"fees.{k}": str(v) for k, v in p.fees.model_dump().items() if v is not None}
        for t in p.tier:
            flat |= {f"{t.label} {k}": v for k, v in _rates(t.rates).items()}
        out.append((p.start, flat))
        if _end(m, i) != _END and (i + 1 == len(m.period) or _end(m, i) < m.period[i + 1].start):
            out.append((_end(m, i), {}))
    return out


def _state(timeline: list[tuple[dt.datetime, dict]], at: dt.datetime) -> dict:
    live = [s for t, s in timeline if t <= at]
    return live[-1] if live else {}


def _change(model_id, what, before, after, lo, hi, today) -> dict:
    return {
        "model": model_id,
        "what": what,
        "old": before.get(what, "-"),
        "new": after.get(what, "-"),
        "span": f"{lo:%Y-%m-%d} to {'open' if hi == _END else f'{hi:%Y-%m-%d}'}",
        "months": _past_months(lo, hi, today),
    }


def _past_months(lo: dt.datetime, hi: dt.datetime, today: dt.date) -> list[str]:
    """Calendar months in ``[lo, hi)`` that have started by ``today`` (already reported)."""
    months, y, m = [], lo.year, lo.month
    last = min(hi - dt.timedelta(microseconds=1), as_utc(today))
    while (y, m) <= (last.year, last.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
