"""Reading the compare policy file, and what a failed task costs under a rule.

policy = load_policy(Path("policy.toml"))
policy.rule_for("bug-fix").criterion  # "first_attempt_success_rate"

The file is documented in docs/metrics.md. Top-level keys are the overall rule (and the default of
every category); ``[categories.<name>]`` tables override them for the tasks of that category. The
records themselves (``Policy``, ``Rule``, ``Scenario``) live in ``results``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import stats
from .errors import InputError, located
from .results import Policy, Rule, Scenario

KINDS = ("correctness_first", "total_cost")
RULE_KEYS = ("policy", "cost_ceiling", "success_floor", "failure_cost", "failure_minutes")


def failure_amount(policy: Policy, rule: Rule) -> Decimal | None:
    """What one failed task run costs under ``rule``; None when the policy sets nothing.

    Raises:
        InputError: minutes are given but no rate to price them.
    """
    if rule.failure_cost is not None:
        return rule.failure_cost
    if rule.failure_minutes is None:
        return None
    rate = policy.failure_rate if policy.failure_rate is not None else policy.review_rate
    if rate is None:
        raise InputError(
            located(policy.source, None, "failure_minutes needs failure_rate or review_rate")
            + " (set one in the policy, or pass --review-rate)"
        )
    return rule.failure_minutes * rate / 60


def load_policy(path: Path | None, review_rate: Decimal | None = None) -> Policy:
    """Read a policy TOML file (documented in docs/metrics.md); no path is the default policy.
    ``review_rate``, when given, overrides the file's."""
    policy = _read_policy(Path(path)) if path else Policy()
    return policy if review_rate is None else replace(policy, review_rate=review_rate)


def _read_policy(path: Path) -> Policy:
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(located(path, None, f"cannot read the policy ({e})")) from e
    top = _rule(raw, Rule(), path, "")
    cats = raw.get("categories", {})
    if not isinstance(cats, dict) or not all(isinstance(v, dict) for v in cats.values()):
        raise InputError(located(path, None, "[categories.<name>] must be tables of rule keys"))
    return Policy(
        kind=top.kind,
        cost_ceiling=top.cost_ceiling,
        success_floor=top.success_floor,
        review_rate=_dec(raw, "review_rate", path),
        scenarios=_scenarios(raw.get("scenarios", {}), path.parent),
        bootstrap=int(raw.get("bootstrap", stats.B_DEFAULT)),
        seed=int(raw.get("seed", stats.SEED_DEFAULT)),
        source=str(path),
        failure_cost=top.failure_cost,
        failure_minutes=top.failure_minutes,
        failure_rate=_dec(raw, "failure_rate", path),
        confidence=_share(raw, "confidence", 0.95, path),
        power=_share(raw, "power", stats.POWER_DEFAULT, path),
        categories=tuple(
            (name, _rule(v, top, path, f"categories.{name}.")) for name, v in sorted(cats.items())
        ),
    )


def _rule(raw: dict, default: Rule, path: Path, where: str) -> Rule:
    kind = raw.get("policy", default.kind)
    if kind not in KINDS:
        raise InputError(
            located(
                path, None, f"{where}policy must be correctness_first or total_cost, not {kind!r}"
            )
        )
    unknown = sorted(k for k in raw if where and k not in RULE_KEYS)
    if unknown:
        raise InputError(
            located(
                path,
                None,
                f"[{where.rstrip('.')}]: unknown key {unknown[0]!r}; "
                f"a category takes {', '.join(RULE_KEYS)}",
            )
        )
    floor = raw.get("success_floor", default.success_floor)
    return Rule(
        kind=kind,
        cost_ceiling=_dec(raw, "cost_ceiling", path, where, default.cost_ceiling),
        success_floor=None if floor is None else float(floor),
        failure_cost=_dec(raw, "failure_cost", path, where, default.failure_cost),
        failure_minutes=_dec(raw, "failure_minutes", path, where, default.failure_minutes),
    )


def _dec(
    raw: dict, key: str, path: Path, where: str = "", default: Decimal | None = None
) -> Decimal | None:
    v = raw.get(key)
    if v is None:
        return default
    try:
        return Decimal(str(v))
    except InvalidOperation as e:
        raise InputError(located(path, None, f"{where}{key} must be an amount, not {v!r}")) from e


def _share(raw: dict, key: str, default: float, path: Path) -> float:
    v = raw.get(key, default)
    if not isinstance(v, int | float) or not 0 < v < 1:
        raise InputError(located(path, None, f"{key} must be a number between 0 and 1, not {v!r}"))
    return float(v)


def _scenarios(raw: dict, base: Path) -> tuple[Scenario, ...]:
    out = [Scenario("batch", "batch")] if raw.get("batch", True) else []
    out += [Scenario("no cache", "no_cache")] if raw.get("no_cache", True) else []
    for d in raw.get("dates", []):
        at = dt.datetime.combine(d, dt.time(), dt.UTC) if isinstance(d, dt.date) else None
        out.append(Scenario(f"prices at {d}", "date", date=at))
    for p in raw.get("price_files", []):
        out.append(Scenario(f"prices from {p}", "prices", prices=(base / p,)))
    return tuple(out)
