"""Negotiated terms: what a finance user states about the prices actually paid.

A terms file (TOML, given with ``--pricing`` like a price table; it is recognised by its
top-level ``terms`` title) states percentage discounts off list (per provider, model family or
account, from a date), committed-use prices, regional uplifts, credits and dated FX rates into a
billing currency. Discounts, uplifts and committed prices become dated modifiers of the
providers' tables, so they are applied in the same interval join as list prices, stack with
batch / flex like any modifier, follow ``--price-date`` and show per row in
``price_modifiers`` (``discount:<name>``, ``uplift:<name>``, ``committed:<name>``). Credits and
FX do not change a row's price: the summary states them beside the computed total.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import PricingError, located
from .credits import drawdown
from .format import BUCKETS, Bucket, Modifier, Override, ProviderFile, Rates, as_utc

_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
ACCOUNT_COLUMNS = ("project", "workspace", "api_key", "user")
"""Usage columns an account-scoped term may name."""


class _Dated(BaseModel):
    model_config = _STRICT
    name: str
    from_: dt.date | dt.datetime = Field(alias="from")
    to: dt.date | dt.datetime | None = None
    source: str
    """Where the term is written: the contract, order form or invoice (and its section)."""
    note: str | None = None


class Discount(_Dated):
    """``percent`` off list for the rows of ``providers`` / ``models`` / ``accounts``."""

    percent: Decimal = Field(gt=0, le=100)
    providers: list[str] = []
    """Price tables it applies to (``anthropic``, ``bedrock``...); empty: every table."""
    models: list[str] = ["*"]
    """Globs over priced model ids (a model family: ``claude-sonnet-*``)."""
    accounts: dict[str, str | list[str]] = {}
    """Usage column (project, workspace, api_key, user) -> value(s) or globs."""
    applies_to: list[Bucket] = list(BUCKETS)  # type: ignore[arg-type]

    @field_validator("accounts")
    @classmethod
    def _known(cls, v: dict) -> dict:
        bad = sorted(set(v) - set(ACCOUNT_COLUMNS))
        if bad:
            raise ValueError(f"accounts keys must be among {list(ACCOUNT_COLUMNS)}, not {bad}")
        return v


class Uplift(Discount):
    """``percent`` added to list where ``when`` matches (a region, residency, a cloud route)."""

    percent: Decimal = Field(gt=0, le=1000)
    when: dict[str, str | bool | list[str]] = {}
    names: list[str] = []


class Committed(_Dated):
    """A committed-use price: these rates replace list for ``model`` of ``provider``."""

    provider: str
    model: str
    rates: Rates


class Credit(_Dated):
    """An amount the provider takes off the bill for usage in ``[from, to)``."""

    amount: Decimal = Field(gt=0)
    currency: str = "USD"
    providers: list[str] = []


class Fx(BaseModel):
    """From ``from`` on, one unit of the price currency is ``rate`` units of the billing one."""

    model_config = _STRICT
    from_: dt.date | dt.datetime = Field(alias="from")
    rate: Decimal = Field(gt=0)
    source: str


class TermsFile(BaseModel):
    """One terms file."""

    model_config = _STRICT
    schema_version: Literal[1]
    terms: str
    """A title: whose terms these are (shown with every listing of them)."""
    billing_currency: str | None = None
    discount: list[Discount] = []
    uplift: list[Uplift] = []
    committed: list[Committed] = []
    credit: list[Credit] = []
    fx: list[Fx] = []


def is_terms(path: Path) -> bool:
    """A ``.toml`` file with a top-level ``terms`` title (price tables have none)."""
    try:
        return "terms" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the price-table parser reports it with its line


def parse_terms(path: Path) -> TermsFile:
    """Read and validate a terms file. Raises PricingError naming the file and the field."""
    data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    try:
        return TermsFile.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise PricingError(located(path, None, f"{where}: {err['msg']}")) from None


def modifiers(t: TermsFile, providers: dict[str, ProviderFile], path: Path) -> dict[str, list]:
    """Provider -> the modifiers this file's discounts, uplifts and committed prices add."""
    out: dict[str, list[Modifier]] = {p: [] for p in providers}
    for d in [*t.discount, *t.uplift]:
        kind = "uplift" if isinstance(d, Uplift) else "discount"
        for p in _providers(d.providers, providers, path, d.name):
            out[p].append(_scaled(kind, d))
    for c in t.committed:
        (p,) = _providers([c.provider], providers, path, c.name)
        if c.model not in {m.id for m in providers[p].model}:
            raise PricingError(located(path, None, f"committed {c.name}: {p} has no {c.model}"))
        override = Override(model=c.model, rates=c.rates)
        out[p].append(_modifier(f"committed:{c.name}", c, models=[c.model], override=[override]))
    return {p: m for p, m in out.items() if m}


def _providers(names: list[str], providers: dict, path: Path, term: str) -> list[str]:
    unknown = [n for n in names if n not in providers]
    if unknown:
        msg = f"{term}: no price table for provider {unknown[0]!r} (known: {sorted(providers)})"
        raise PricingError(located(path, None, msg))
    return names or list(providers)


def _scaled(kind: str, d: Discount) -> Modifier:
    sign = 1 if kind == "uplift" else -1
    scale = 1 + sign * d.percent / 100
    when = {**d.accounts, **(d.when if isinstance(d, Uplift) else {})}
    names = d.names if isinstance(d, Uplift) else []
    extra = dict(when=when, names=names, models=d.models, applies_to=d.applies_to)
    return _modifier(f"{kind}:{d.name}", d, scale=scale, **extra)


def _modifier(name: str, d: _Dated, **fields: object) -> Modifier:
    return Modifier.model_validate(
        {"name": name, "from": d.from_, "to": d.to, "source": d.source, "note": d.note, **fields}
    )


def listing(t: TermsFile, path: Path) -> list[dict]:
    """Every term of the file as plain records, for the summary and the Pricing sheet."""
    rows = [_row("discount", d, percent=str(d.percent), providers=d.providers) for d in t.discount]
    rows += [_row("uplift", u, percent=str(u.percent), providers=u.providers) for u in t.uplift]
    rows += [_row("committed", c, providers=[c.provider], model=c.model) for c in t.committed]
    rows += [_row("credit", c, amount=str(c.amount), currency=c.currency) for c in t.credit]
    return [{"terms": t.terms, "file": str(path), **r} for r in rows]


def _row(kind: str, d: _Dated, **extra: object) -> dict:
    to = d.to.isoformat() if d.to else None
    return {"kind": kind, "name": d.name, "from": d.from_.isoformat(), "to": to,
            "source": d.source, **extra}  # fmt: skip


def fx_table(terms: list[TermsFile]) -> pl.DataFrame | None:
    """(from, rate) of the billing currency, sorted; None when no file states one."""
    stated = [t for t in terms if t.billing_currency]
    if not stated:
        return None
    rows = [(as_utc(f.from_), f.rate) for t in stated for f in t.fx]
    return pl.DataFrame(
        rows, schema={"fx_from": pl.Datetime("us", "UTC"), "fx_rate": pl.Decimal(38, 12)},
        orient="row",
    ).sort("fx_from")  # fmt: skip


def billing(usage: pl.DataFrame, book_terms: list[TermsFile], table_of: dict[str, str]) -> dict:
    """What the terms say beside the computed total: credits drawn, FX into a billing currency.

    ``table_of`` maps a priced model id to its price table's provider. Credits draw down in
    date order over their providers' priced rows in their windows (``credits.py``); the FX
    total converts each priced row at the rate in force at its time (rows before the first
    rate stay out, counted in ``fx_unconverted_rows``).
    """
    priced = usage.filter(pl.col("price_status") == "priced")
    out: dict = {}
    stated = [c for t in book_terms for c in t.credit]
    credits = drawdown(usage, stated, table_of) if stated else []
    if credits:
        applied = sum((c["applied"] for c in credits), Decimal(0))
        out["credits"] = credits
        out["credits_applied"] = applied
    fx = fx_table(book_terms)
    if fx is not None:
        out |= _converted(priced, fx, next(t.billing_currency for t in book_terms if t.fx))
    return out


def _converted(priced: pl.DataFrame, fx: pl.DataFrame, currency: str | None) -> dict:
    rows = priced.select("period_start", "cost").sort("period_start")
    joined = rows.join_asof(fx, left_on="period_start", right_on="fx_from")
    done = joined.filter(pl.col("fx_rate").is_not_null())
    total = (done["cost"] * done["fx_rate"]).sum()
    return {
        "billing_currency": currency,
        "total_cost_billing": Decimal(total) if total is not None else Decimal(0),
        "fx_unconverted_rows": joined.height - done.height,
    }
