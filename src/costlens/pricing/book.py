"""Price tables: TOML files, one per provider, validated with pydantic. See docs/pricing.md.

Rates are decimal strings per 1M tokens, read with ``tomllib`` (``parse_float=Decimal``) so no
number ever passes through a float. Every period names its source, the date it was checked and a
confidence. Periods are ``[from, to)``: a period ends where the next one starts.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import re
import tomllib
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import PricingError, located

BUCKETS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output")
"""Rate names, one per canonical token bucket (``input`` prices ``input_uncached``)."""

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Rates(BaseModel):
    """USD (or the file's currency) per 1M tokens, for each token bucket."""

    model_config = _STRICT
    input: Decimal
    cache_read: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    output: Decimal

    @field_validator("*")
    @classmethod
    def _exact(cls, v: Decimal) -> Decimal:
        # Six decimals per 1M tokens is 12 per token: the scale costlens computes money at.
        if v < 0 or v.as_tuple().exponent < -6:  # type: ignore[operator]
            raise ValueError("rates must be >= 0 with at most 6 decimal places")
        return v


class Tier(BaseModel):
    """A whole-request cliff: above the threshold every bucket of the request pays ``rates``."""

    model_config = _STRICT
    input_total_above: int = Field(gt=0)
    """Threshold on the request's total input, cache reads and writes included."""
    compare: Literal[">", ">="] = ">"
    rates: Rates


class Period(BaseModel):
    """Rates in force from ``from_`` until the next period starts (or ``to``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    from_: dt.date | dt.datetime = Field(alias="from")
    to: dt.date | dt.datetime | None = None
    source: str
    checked: dt.date
    confidence: Literal["official", "secondary", "estimated"]
    note: str | None = None
    rates: Rates
    tier: list[Tier] = []

    @property
    def start(self) -> dt.datetime:
        return as_utc(self.from_)


class Model(BaseModel):
    """One priced model id, with its aliases and dated price periods."""

    model_config = _STRICT
    id: str
    aliases: list[str] = []
    """Exact names or globs (``*``) that resolve to this id."""
    period: list[Period]

    @model_validator(mode="after")
    def _ordered(self) -> Model:
        starts = [p.start for p in self.period]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError(f"model {self.id}: periods must be in order with distinct 'from'")
        return self


class Modifier(BaseModel):
    """A dated multiplier on some buckets, for rows matching ``when`` (e.g. batch = 50%)."""

    model_config = _STRICT
    name: str
    when: dict[str, str | bool]
    """Canonical usage columns and the value that switches the modifier on."""
    from_: dt.date = Field(alias="from")
    scale: Decimal
    applies_to: list[Literal[BUCKETS]] = list(BUCKETS)  # type: ignore[valid-type]
    models: list[str] = ["*"]
    source: str


class ProviderFile(BaseModel):
    """One ``pricing/<provider>.toml`` file."""

    model_config = _STRICT
    schema_version: Literal[1]
    provider: str
    currency: str
    service_tiers: list[str]
    """Service tiers the base rates cover (``standard``, ``default``...). A row served on any
    other tier, with no modifier for it, is unpriced rather than priced at the wrong rate."""
    model: list[Model]
    modifier: list[Modifier] = []

    @property
    def known_tiers(self) -> list[str]:
        named = [str(m.when["service_tier"]) for m in self.modifier if "service_tier" in m.when]
        return [*self.service_tiers, *named]


def as_utc(d: dt.date | dt.datetime) -> dt.datetime:
    """A period boundary as an aware UTC datetime (a bare date means 00:00 UTC)."""
    if isinstance(d, dt.datetime):
        return d if d.tzinfo else d.replace(tzinfo=dt.UTC)
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)


_SNAPSHOT = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")
_ROUTE = re.compile(r"^(anthropic|openai|azure|bedrock|vertex_ai|openrouter)/")


class Book:
    """All loaded provider files, plus the digest that identifies them."""

    def __init__(self, files: dict[Path, ProviderFile], digest: str):
        self.files = files
        self.version = digest

    @cached_property
    def models(self) -> dict[str, tuple[ProviderFile, Model]]:
        return {m.id: (f, m) for f in self.files.values() for m in f.model}

    @cached_property
    def _exact(self) -> dict[str, str]:
        names = {m.id: m.id for _, m in self.models.values()}
        for _, m in self.models.values():
            names.update({a: m.id for a in m.aliases if "*" not in a})
        return names

    def resolve(self, name: str) -> str | None:
        """The priced model id for a reported model name, or None when unknown."""
        n = _ROUTE.sub("", name.strip().lower())
        for candidate in (n, _SNAPSHOT.sub("", n)):
            if candidate in self._exact:
                return self._exact[candidate]
        for _, m in self.models.values():
            if any(fnmatch.fnmatchcase(n, a) for a in m.aliases if "*" in a):
                return m.id
        return None


def bundled_dir() -> Path:
    """The pricing tables shipped with costlens (wheel) or at the repository top (checkout)."""
    packaged = resources.files("costlens") / "_pricing"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "pricing"


def load(paths: list[Path] | None = None) -> Book:
    """Load and validate price tables (the bundled ones when ``paths`` is None)."""
    files = sorted(_toml_files(paths or [bundled_dir()]))
    if not files:
        raise PricingError(f"{paths}: no pricing *.toml files found")
    parsed = {p: _parse(p) for p in files}
    digest = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in files))
    return Book(parsed, "sha256:" + digest.hexdigest()[:16])


def _toml_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out.extend(p.glob("*.toml") if p.is_dir() else [p])
    return out


def _parse(path: Path) -> ProviderFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        return ProviderFile.model_validate(data)
    except tomllib.TOMLDecodeError as e:
        raise PricingError(located(path, getattr(e, "lineno", None), f"not valid TOML: {e}")) from e
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise PricingError(located(path, None, f"{where}: {first['msg']}")) from e
