"""The price book: bundled tables, with the user's ``--pricing`` files layered over them.

A layer replaces whole entries, never single numbers: a model with the same id, every modifier
with the same name, a moving alias with the same name. What a layer replaced or added is kept in
``Book.overrides`` so that every report can list it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import PricingError, located
from . import check, terms
from .files import Source, bundled_dir, parse, toml_files
from .format import BUCKETS, Model, ProviderFile, as_utc

__all__ = ["BUCKETS", "Book", "Override", "as_utc", "bundled_dir", "load"]

_SNAPSHOT = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")
_PREFIX = re.compile(
    r"^(anthropic|openai|openrouter|google|gemini|models|deepseek|xai|x-ai|mistral|mistralai"
    r"|moonshot|moonshotai|zai|z-ai|zhipu|zhipuai|dashscope|qwen|alibaba|minimax|meta-llama)/"
)
"""First-party and gateway prefixes (LiteLLM ``xai/``, OpenRouter ``x-ai/``...), dropped one at
a time: ``openrouter/qwen/qwen3-coder`` is looked up as itself, ``qwen/qwen3-coder``, then
``qwen3-coder`` (an OpenRouter slug priced in openrouter.toml is found at the second step)."""
_ROUTE_PREFIX = re.compile(r"^(bedrock|vertex_ai|vertex|azure_ai|azure)/")
_ROUTE_OF_PREFIX = {
    "bedrock": "bedrock",
    "vertex_ai": "vertex",
    "vertex": "vertex",
    "azure_ai": "azure",
    "azure": "azure",
}
ALIAS = "alias:"
"""Prefix of a resolution that names a moving alias (resolved by date in the engine)."""


@dataclass(frozen=True)
class Override:
    """One entry a ``--pricing`` layer replaced or added."""

    kind: str
    provider: str
    name: str
    action: str
    file: str


class Book:
    """All providers' merged tables, the files they came from and the digest identifying them."""

    def __init__(
        self, sources: list[Source], terms_files: Sequence[tuple[Path, terms.TermsFile]] = ()
    ):
        self.sources = sources
        self.fallback = False
        """Price rows of models the book does not know from genai-prices (``fallback.py``)."""
        self.providers: dict[str, ProviderFile] = {}
        self.origin: dict[tuple[str, str, str], Path] = {}
        self.overrides: list[Override] = []
        for src in sources:
            self._layer(src)
        self.terms = [t for _, t in terms_files]
        self.terms_listing = [r for path, t in terms_files for r in terms.listing(t, path)]
        for path, t in terms_files:
            self._add_terms(path, t)
        paths = [s.path for s in sources] + [p for p, _ in terms_files]
        digest = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in paths))
        self.version = "sha256:" + digest.hexdigest()[:16]

    def _add_terms(self, path: Path, t: terms.TermsFile) -> None:
        """Discounts, uplifts and committed prices join the providers' dated modifiers."""
        for p, mods in terms.modifiers(t, self.providers, path).items():
            f = self.providers[p]
            self.providers[p] = f.model_copy(update={"modifier": [*f.modifier, *mods]})
            for m in mods:
                self.origin[(p, "modifier", m.name)] = path
                self.overrides.append(Override("terms", p, m.name, "added", str(path)))

    def table_of(self) -> dict[str, str]:
        """Priced model id -> the provider whose table holds it."""
        return {m: f.provider for m, (f, _) in self.models.items()}

    @property
    def files(self) -> dict[str, ProviderFile]:
        """Merged tables by provider (kept for callers of the first pricing cut)."""
        return self.providers

    def _layer(self, src: Source) -> None:
        f = src.data
        base = self.providers.get(f.provider)
        if base is None:
            if f.currency is None or f.service_tiers is None:
                msg = f"provider '{f.provider}' is new: give 'currency' and 'service_tiers'"
                raise PricingError(located(src.path, None, msg))
            self.providers[f.provider] = f
            replaced, added = [], sorted(_entries(f))
        else:
            if f.currency not in (None, base.currency):
                msg = f"currency {f.currency} differs from the bundled {base.currency}"
                raise PricingError(located(src.path, None, msg))
            self.providers[f.provider] = _merge(base, f)
            replaced, added = (
                sorted(_entries(f) & _entries(base)),
                sorted(_entries(f) - _entries(base)),
            )
        for kind, name in [*replaced, *added]:
            self.origin[(f.provider, kind, name)] = src.path
        if src.overlay:
            self.overrides += [
                Override(k, f.provider, n, "replaced", str(src.path)) for k, n in replaced
            ]
            self.overrides += [Override(k, f.provider, n, "added", str(src.path)) for k, n in added]

    @cached_property
    def models(self) -> dict[str, tuple[ProviderFile, Model]]:
        """Every model id -> (its provider's merged table, the model)."""
        return {m.id: (f, m) for f in self.providers.values() for m in f.model}

    @cached_property
    def _names(self) -> dict[str, tuple[dict[str, str], list[tuple[str, str]]]]:
        """Per provider: exact lower-cased name -> target, and (glob, target) pairs."""
        out = {}
        for p, f in self.providers.items():
            exact = {a.name.lower(): ALIAS + f"{p}:{a.name}" for a in f.alias}
            globs = []
            for m in f.model:
                exact.setdefault(m.id.lower(), m.id)
                for a in m.aliases:
                    if any(c in a for c in "*?"):
                        globs.append((a.lower(), m.id))
                    else:
                        exact.setdefault(a.lower(), m.id)
            out[p] = (exact, globs)
        return out

    def resolve(self, name: str, provider: str | None = None) -> str | None:
        """The model id (or ``alias:<provider>:<name>``) a reported name means, or None.

        A cloud route named by a prefix (``bedrock/``, ``vertex_ai/``, ``azure/``) or by the
        row's provider restricts the search to that route's table, then to the first-party
        tables the route declares it bills at list (``first_party``); otherwise first-party
        tables are searched before route tables. Exact names and aliases win over the name
        without a dated snapshot suffix, which wins over glob aliases.
        """
        n = name.strip().lower()
        route = _ROUTE_PREFIX.match(n)
        hint = _ROUTE_OF_PREFIX[route.group(1)] if route else (provider or "").lower()
        order = self._order(hint)
        for candidate in name_candidates(n):
            found = self._lookup(order, candidate)
            if found:
                return found
        return None

    def _order(self, hint: str) -> list[str]:
        f = self.providers.get(hint)
        if f is not None and f.route:
            # Gemini on Vertex: the route's own table first, then the vendor's list it bills at.
            return [hint, *(p for p in f.first_party if p in self.providers)]
        first = [p for p, f in self.providers.items() if not f.route]
        return first + [p for p, f in self.providers.items() if f.route]

    def _lookup(self, order: list[str], n: str) -> str | None:
        for candidate in dict.fromkeys([n, _SNAPSHOT.sub("", n)]):
            for p in order:
                if candidate in self._names[p][0]:
                    return self._names[p][0][candidate]
        for p in order:
            for glob, target in self._names[p][1]:
                if fnmatch.fnmatchcase(n, glob):
                    return target
        return None

    def alias_targets(self) -> list[tuple[str, dt.datetime, str]]:
        """(``alias:<provider>:<name>``, from, model id) for every moving alias target."""
        return [
            (ALIAS + f"{p}:{a.name}", as_utc(t.from_), t.model)
            for p, f in self.providers.items()
            for a in f.alias
            for t in a.target
        ]


def name_candidates(name: str) -> list[str]:
    """The name, then with one prefix after another dropped, then without a route prefix."""
    out = [name]
    while (shorter := _PREFIX.sub("", out[-1], count=1)) != out[-1]:
        out.append(shorter)
    return list(dict.fromkeys([*out, *(_ROUTE_PREFIX.sub("", c) for c in out)]))


def _merge(base: ProviderFile, layer: ProviderFile) -> ProviderFile:
    ids = {m.id for m in layer.model}
    mods = {m.name for m in layer.modifier}
    aliases = {a.name for a in layer.alias}
    tiers = list(dict.fromkeys([*(base.service_tiers or []), *(layer.service_tiers or [])]))
    return base.model_copy(
        update={
            "model": [m for m in base.model if m.id not in ids] + layer.model,
            "modifier": [m for m in base.modifier if m.name not in mods] + layer.modifier,
            "alias": [a for a in base.alias if a.name not in aliases] + layer.alias,
            "erratum": base.erratum + layer.erratum,
            "service_tiers": tiers,
        }
    )


def _entries(f: ProviderFile) -> set[tuple[str, str]]:
    return (
        {("model", m.id) for m in f.model}
        | {("modifier", m.name) for m in f.modifier}
        | {("alias", a.name) for a in f.alias}
    )


def load(paths: list[Path] | None = None, *, bundled: bool = True, fallback: bool = False) -> Book:
    """Load the bundled tables and layer ``paths`` (files or folders) over them.

    Args:
        paths: the user's pricing files or folders (``--pricing``), applied in order.
        bundled: start from the bundled tables; ``False`` loads ``paths`` alone.
        fallback: price models the tables do not know from genai-prices (third-party).

    Raises:
        PricingError: a file is malformed, or a structural check fails (``path:line``).
    """
    base = toml_files([bundled_dir()]) if bundled else []
    overlays = toml_files(paths or [])
    # A terms file (negotiated discounts, credits, FX) rides along with the price tables.
    terms_paths = [p for p in overlays if terms.is_terms(p)]
    overlays = [p for p in overlays if p not in terms_paths]
    if not base and not overlays:
        raise PricingError(f"{paths}: no pricing *.toml files found")
    sources = [parse(p) for p in base] + [parse(p, overlay=bundled) for p in overlays]
    for src in sources:
        bad = check.errors(src)
        if bad:
            raise PricingError(f"{bad[0].text} (run `costlens pricing check` for all findings)")
    book = Book(sources, [(p, terms.parse_terms(p)) for p in terms_paths])
    book.fallback = fallback
    return book
