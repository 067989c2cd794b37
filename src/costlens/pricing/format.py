"""The price table file format: pydantic models for one ``pricing/<provider>.toml`` file.

Rates are decimal strings per 1M tokens, read with ``tomllib`` (``parse_float=Decimal``) so no
number ever passes through a float. Every period names its source, the date it was checked and a
confidence. Structural rules that span entries (order, overlap, gaps, duplicate aliases) are
checked in ``check.py`` so that each finding can name its ``file:line``.

``pricing/schema.json`` is generated from these models for editors:
``python -m costlens.pricing.format > pricing/schema.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .. import schema

BUCKETS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output")
"""Rate names, one per canonical token bucket (``input`` prices ``input_uncached``)."""
FEES = schema.FEES
"""Per-call fees, priced per 1,000 calls; each is a canonical usage count column."""
NONE = "none"
"""An explicit "no price": tokens in that bucket make the row unpriced (never $0)."""

Bucket = Literal["input", "cache_read", "cache_write_5m", "cache_write_1h", "output", "web_search"]
Rate = Decimal | Literal["none"] | None
_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _check_rate(v: Rate) -> Rate:
    # Six decimals per 1M tokens is 12 per token: the scale costlens computes money at.
    if isinstance(v, Decimal) and (v < 0 or v.as_tuple().exponent < -6):  # type: ignore[operator]
        raise ValueError("rates must be >= 0 with at most 6 decimal places")
    return v


class Rates(BaseModel):
    """Price per 1M tokens for each bucket: a decimal string, or ``"none"`` (not offered).

    A bucket left out has no rate either; ``costlens pricing check`` reports it, so that every
    "no price" in a table is a decision someone wrote down.
    """

    model_config = _STRICT
    input: Rate = None
    cache_read: Rate = None
    cache_write_5m: Rate = None
    cache_write_1h: Rate = None
    output: Rate = None

    @field_validator("*")
    @classmethod
    def _exact(cls, v: Rate) -> Rate:
        return _check_rate(v)

    def get(self, bucket: str) -> Decimal | None:
        """The rate as a Decimal, or None when the bucket is missing or ``"none"``."""
        v = getattr(self, bucket)
        return v if isinstance(v, Decimal) else None


class Fees(BaseModel):
    """Per-call fees per 1,000 calls (web search). Modifiers leave them alone unless named."""

    model_config = _STRICT
    web_search: Rate = None

    @field_validator("*")
    @classmethod
    def _exact(cls, v: Rate) -> Rate:
        return _check_rate(v)


class Tier(BaseModel):
    """A whole-request cliff: above the threshold every bucket of the request pays ``rates``."""

    model_config = _STRICT
    input_total_above: int = Field(gt=0)
    """Threshold on the request's total input, cache reads and writes included."""
    compare: Literal[">", ">="] = ">"
    rates: Rates

    @property
    def label(self) -> str:
        return f"input {self.compare} {self.input_total_above}"


class Period(BaseModel):
    """Rates in force from ``from`` until ``to`` or the next period's ``from``: ``[from, to)``."""

    model_config = _STRICT
    from_: dt.date | dt.datetime = Field(alias="from")
    to: dt.date | dt.datetime | None = None
    source: str
    checked: dt.date
    confidence: Literal["official", "secondary", "estimated"]
    note: str | None = None
    rates: Rates
    fees: Fees = Fees()
    tier: list[Tier] = []
    """Cliffs in ascending order of threshold; the highest one a request passes applies."""

    @model_validator(mode="after")
    def _tiers_ascend(self) -> Period:
        limits = [t.input_total_above for t in self.tier]
        if limits != sorted(set(limits)):
            raise ValueError("tiers must be in ascending order of input_total_above")
        return self

    @property
    def start(self) -> dt.datetime:
        return as_utc(self.from_)


class Model(BaseModel):
    """One priced model id, with its aliases and dated price periods."""

    model_config = _STRICT
    id: str
    aliases: list[str] = []
    """Exact names or globs (``*``, ``?``) that resolve to this id, compared lower-cased."""
    period: list[Period]


class Target(BaseModel):
    """From ``from`` on, the moving alias resolves to ``model``."""

    model_config = _STRICT
    model: str
    from_: dt.date | dt.datetime = Field(alias="from")
    source: str
    note: str | None = None


class Alias(BaseModel):
    """A moving alias (``gpt-4o``, ``deepseek-chat``): which model it meant, by date."""

    model_config = _STRICT
    name: str
    target: list[Target] = Field(min_length=1)


class Window(BaseModel):
    """A daily time window in a stated time zone, optionally on some weekdays only.

    ``start`` is inclusive and ``end`` exclusive; a window with ``end <= start`` runs past
    midnight (the weekday is the one the window starts on).
    """

    model_config = _STRICT
    tz: str = "UTC"
    start: str
    end: str
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = list(DAYS)  # type: ignore[arg-type]

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError("times are 'HH:MM' (00:00 to 24:00)")
        return v


class Override(BaseModel):
    """Published rates of a modifier for one model: they win over ``scale`` (rounding kept)."""

    model_config = _STRICT
    model: str
    tier: int | None = None
    """``input_total_above`` of the period tier these rates replace (none: the base rates)."""
    rates: Rates


class Modifier(BaseModel):
    """A dated price modifier (batch, flex, priority, residency, region, fast, off-peak).

    It applies to a row of one of ``models`` when every ``when`` column matches, the reported
    name matches ``names`` (if given), the row's time is in ``[from, to)`` and in one of the
    ``window``s (if given). Per bucket, the final rate is the one explicit override rate among
    the modifiers that apply (or the base / tier rate) times the ``scale`` of every other one.
    """

    model_config = _STRICT
    name: str
    when: dict[str, str | bool | list[str]] = {}
    """Canonical usage column -> value (or list of values; ``*`` globs allowed in strings)."""
    names: list[str] = []
    """Globs on the reported model name (lower-cased), e.g. ``us.anthropic.*``."""
    window: list[Window] = []
    from_: dt.date | dt.datetime = Field(alias="from")
    to: dt.date | dt.datetime | None = None
    scale: Decimal | None = None
    applies_to: list[Bucket] = list(BUCKETS)  # type: ignore[arg-type]
    models: list[str] = ["*"]
    """Globs over model ids of this file. Without ``scale``, only models with an override."""
    excludes: list[str] = []
    """Modifiers this one does not combine with: a row hit by both is unpriced."""
    source: str
    checked: dt.date | None = None
    confidence: Literal["official", "secondary", "estimated"] = "official"
    note: str | None = None
    override: list[Override] = []

    @model_validator(mode="after")
    def _has_effect(self) -> Modifier:
        if self.scale is None and not self.override:
            raise ValueError(f"modifier {self.name}: give a scale, override rates, or both")
        return self

    @property
    def start(self) -> dt.datetime:
        return as_utc(self.from_)


class Erratum(BaseModel):
    """A corrected number: the wrong value, when it was fixed and why, kept for audit."""

    model_config = _STRICT
    model: str
    period_from: dt.date | dt.datetime
    field: str
    """Dotted path inside the period, e.g. ``rates.cache_read``."""
    was: str
    now: str
    date: dt.date
    reason: str


class ProviderFile(BaseModel):
    """One ``pricing/<provider>.toml`` file (or a ``--pricing`` overlay for a provider)."""

    model_config = _STRICT
    schema_version: Literal[1]
    provider: str
    route: bool = False
    """A cloud route (Bedrock, Vertex, Azure): its names are matched after first-party ones."""
    first_party: list[str] = []
    """For a route: first-party tables whose models the cloud bills at their own list price
    (Vertex: ``google``). A name the route's own table does not hold is looked up there."""
    currency: str | None = None
    service_tiers: list[str] | None = None
    """Service tiers the base rates cover (``standard``, ``default``...). A row served on any
    other tier, with no modifier for it, is unpriced rather than priced at the wrong rate.
    Required in a bundled file; an overlay may leave it (and ``currency``) out."""
    model: list[Model] = []
    modifier: list[Modifier] = []
    alias: list[Alias] = []
    erratum: list[Erratum] = []


def as_utc(d: dt.date | dt.datetime) -> dt.datetime:
    """A boundary as an aware UTC datetime (a bare date means 00:00 UTC)."""
    if isinstance(d, dt.datetime):
        return d if d.tzinfo else d.replace(tzinfo=dt.UTC)
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)


def json_schema() -> str:
    """The JSON Schema of a provider file, as committed in ``pricing/schema.json``."""
    schema = ProviderFile.model_json_schema(by_alias=True)
    schema["$comment"] = (
        "DO NOT EDIT: generated from src/costlens/pricing/format.py by "
        "`python -m costlens.pricing.format > pricing/schema.json`"
    )
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(json_schema(), end="")
