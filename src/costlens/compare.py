"""Compare models on a matched task bundle: metrics, a ranking under a stated policy, the Pareto
frontier, paired per-task deltas, and rank stability under price scenarios.

comparison = compare([Path("runs/")], usage=[Path("logs/")], policy=load_policy(path))
comparison.models  # one row per model, ranked, with its reason
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import polars as pl

from . import metrics, pricing, sessions, stats
from .attribution import attribute
from .errors import InputError, located
from .ingest import Ingested, ingest
from .schema import TOKEN_BUCKETS


@dataclass(frozen=True)
class Scenario:
    """A way to reprice the same usage: ``batch``, ``no_cache``, ``date`` or ``prices``."""

    name: str
    kind: str = "as_logged"
    date: dt.datetime | None = None
    prices: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Policy:
    """How to rank. ``correctness_first``: highest first-attempt success among models whose cost
    per solved task is within ``cost_ceiling``. ``total_cost``: lowest cost per solved task among
    models whose first-attempt success rate reaches ``success_floor``."""

    kind: str = "total_cost"
    cost_ceiling: Decimal | None = None
    success_floor: float | None = None
    review_rate: Decimal | None = None
    scenarios: tuple[Scenario, ...] = (Scenario("batch", "batch"), Scenario("no cache", "no_cache"))
    bootstrap: int = stats.B_DEFAULT
    seed: int = stats.SEED_DEFAULT
    source: str = "default policy"

    def describe(self) -> str:
        if self.kind == "correctness_first":
            ceiling = f"<= {self.cost_ceiling}" if self.cost_ceiling is not None else "no ceiling"
            return (
                f"correctness first: highest first-attempt success, cost per solved task {ceiling}"
            )
        floor = f">= {self.success_floor:.0%}" if self.success_floor is not None else "no floor"
        return f"total cost: lowest cost per solved task, first-attempt success {floor}"


@dataclass(frozen=True)
class Comparison:
    """Every table the compare writers need; money is Decimal, unrounded."""

    models: pl.DataFrame
    tasks: pl.DataFrame
    excluded: pl.DataFrame
    deltas: pl.DataFrame
    delta_summary: pl.DataFrame
    pass_k: pl.DataFrame
    scenarios: pl.DataFrame
    sessions: pl.DataFrame
    policy: Policy
    matched_tasks: list[str] = field(default_factory=list)


def load_policy(path: Path | None, review_rate: Decimal | None = None) -> Policy:
    """Read a policy TOML file (documented in docs/metrics.md); no path is the default policy.
    ``review_rate``, when given, overrides the file's."""
    policy = _read_policy(path) if path else Policy()
    return policy if review_rate is None else replace(policy, review_rate=review_rate)


def _read_policy(path: Path) -> Policy:
    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(located(path, None, f"cannot read the policy ({e})")) from e
    kind = raw.get("policy", "total_cost")
    if kind not in ("correctness_first", "total_cost"):
        raise InputError(
            located(path, None, f"policy must be correctness_first or total_cost, not {kind!r}")
        )
    return Policy(
        kind=kind,
        cost_ceiling=_dec(raw.get("cost_ceiling")),
        success_floor=raw.get("success_floor"),
        review_rate=_dec(raw.get("review_rate")),
        scenarios=_scenarios(raw.get("scenarios", {}), Path(path).parent),
        bootstrap=int(raw.get("bootstrap", stats.B_DEFAULT)),
        seed=int(raw.get("seed", stats.SEED_DEFAULT)),
        source=str(path),
    )


def _dec(v: object) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _scenarios(raw: dict, base: Path) -> tuple[Scenario, ...]:
    out = [Scenario("batch", "batch")] if raw.get("batch", True) else []
    out += [Scenario("no cache", "no_cache")] if raw.get("no_cache", True) else []
    for d in raw.get("dates", []):
        at = dt.datetime.combine(d, dt.time(), dt.UTC) if isinstance(d, dt.date) else None
        out.append(Scenario(f"prices at {d}", "date", date=at))
    for p in raw.get("price_files", []):
        out.append(Scenario(f"prices from {p}", "prices", prices=(base / p,)))
    return tuple(out)


def compare(
    runs: list[Path],
    usage: list[Path] = (),
    policy: Policy = Policy(),
    pricing_paths: list[Path] | None = None,
) -> Comparison:
    """Measure every model on the tasks all of them attempted, rank them and test the ranking."""
    return compare_ingested(ingest(usage, runs), policy, pricing_paths)


def compare_ingested(
    got: Ingested, policy: Policy = Policy(), pricing_paths: list[Path] | None = None
) -> Comparison:
    """``compare`` on inputs already read (``ingest``)."""
    matched, excluded = matched_bundle(got.runs)
    if not matched:
        models = ", ".join(sorted(got.runs["model"].drop_nulls().unique().to_list())) or "none"
        raise InputError(
            f"no task was attempted by every model ({models}): compare needs a shared task; "
            "pass run logs of the same tasks, or compare the models one bundle at a time"
        )
    runs_m = got.runs.filter(pl.col("task_id").is_in(matched))
    base = Scenario("as logged")
    usage_rows, tr, models = _measure(got, runs_m, base, pricing_paths, policy)
    ranked = _rank(models, policy)
    deltas = paired_deltas(tr)
    return Comparison(
        models=ranked,
        tasks=tr,
        excluded=excluded,
        deltas=deltas,
        delta_summary=_delta_summary(deltas, policy),
        pass_k=stats.pass_k(tr),
        scenarios=_stability(got, runs_m, ranked, pricing_paths, policy),
        sessions=sessions.long_sessions(usage_rows),
        policy=policy,
        matched_tasks=matched,
    )


def matched_bundle(runs: pl.DataFrame) -> tuple[list[str], pl.DataFrame]:
    """Tasks every model attempted, and (model, task, reason) for each task left out."""
    models = sorted(runs["model"].unique().to_list())
    have = runs.select("model", "task_id").unique()
    counts = have.group_by("task_id").agg(pl.col("model"))
    full = counts.filter(pl.col("model").list.len() == len(models))
    matched = sorted(full["task_id"].to_list())
    missing = pl.lit(models).list.set_difference(pl.col("model")).list.join(", ")
    reason = counts.with_columns(reason=pl.format("not attempted by {}", missing))
    excluded = (
        have.join(reason.drop("model"), on="task_id")
        .filter(~pl.col("task_id").is_in(matched))
        .select(pl.col("model").alias("run_model"), "task_id", "reason")
        .sort("run_model", "task_id")
    )
    return matched, excluded


def _usage_for(got: Ingested, s: Scenario) -> pl.LazyFrame:
    u = got.usage.lazy()
    if s.kind == "batch":
        return u.with_columns(batch=pl.lit(True))
    if s.kind == "no_cache":
        cached = [b for b in TOKEN_BUCKETS if b.startswith("cache_")]
        return u.with_columns(
            input_uncached=pl.sum_horizontal("input_uncached", *cached),
            **{b: pl.lit(0, pl.Int64) for b in cached},
        )
    return u


def _attributed(got, runs_m, s: Scenario, pricing_paths) -> pl.DataFrame:
    book = pricing.load(list(s.prices) if s.prices else pricing_paths)
    priced = pricing.price(_usage_for(got, s), book, s.date)
    return attribute(priced, runs_m.lazy(), book.resolve).collect()


def _measure(got, runs_m, s, pricing_paths, policy) -> tuple:
    usage = _attributed(got, runs_m, s, pricing_paths)
    att = metrics.attempts(usage.lazy(), runs_m.lazy()).collect()
    tr = metrics.task_runs(att.lazy(), policy.review_rate).collect()
    models = metrics.models(tr.lazy()).collect()
    models = models.join(stats.expected_cost_to_first_success(att), on="run_model", how="left")
    models = stats.with_intervals(models, tr, b=policy.bootstrap, seed=policy.seed)
    return usage, tr, models


def _cost_col(policy: Policy) -> str:
    return "cost_per_solved_task_with_review" if policy.review_rate else "cost_per_solved_task"


def _rank(models: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """Order models under the policy; say for each why it sits where it does."""
    cost, fas = pl.col(_cost_col(policy)), pl.col("first_attempt_success_rate")
    cost_txt = cost.round(2).cast(pl.Decimal(38, 2)).cast(pl.String)
    fas_txt = pl.format("{}%", (fas * 100).round(1))
    if policy.kind == "correctness_first":
        ok = cost.is_not_null() & (
            cost <= policy.cost_ceiling if policy.cost_ceiling is not None else pl.lit(True)
        )
        keys, desc = [~ok, fas, cost], [False, True, False]
        why_out = pl.format("cost per solved task {} is above the ceiling", cost_txt)
    else:
        floor = policy.success_floor
        ok = cost.is_not_null() & (fas >= floor if floor is not None else pl.lit(True))
        keys, desc = [~ok, cost, fas], [False, False, True]
        why_out = pl.format("first-attempt success {} is below the floor", fas_txt)
    why_in = pl.format("first-attempt success {}, cost per solved task {}", fas_txt, cost_txt)
    out = models.with_columns(_ok=ok.fill_null(False)).sort(keys, descending=desc, nulls_last=True)
    return out.with_columns(
        rank=pl.int_range(1, pl.len() + 1).cast(pl.Int64),
        eligible=pl.col("_ok"),
        reason=pl.when(pl.col("_ok")).then(why_in).otherwise(why_out),
        pareto=pareto(out, _cost_col(policy)),
    ).drop("_ok")


def pareto(models: pl.DataFrame, cost_col: str) -> pl.Series:
    """True for models no other model beats on both cost per solved task and success."""
    pts = models.select(c=pl.col(cost_col).cast(pl.Float64), s="first_attempt_success_rate")
    pairs = pts.with_row_index("i").join(pts.with_row_index("j"), how="cross")
    dominated = (
        pairs.filter(
            (pl.col("i") != pl.col("j"))
            & (pl.col("c_right") <= pl.col("c"))
            & (pl.col("s_right") >= pl.col("s"))
            & ((pl.col("c_right") < pl.col("c")) | (pl.col("s_right") > pl.col("s")))
        )["i"]
        .unique()
        .to_list()
    )
    ok = pts["c"].is_not_null()
    return pl.Series("pareto", [o and i not in dominated for i, o in enumerate(ok)])


def paired_deltas(tr: pl.DataFrame) -> pl.DataFrame:
    """Per task and model pair (a, b): a's mean per task run minus b's, matched by task."""
    per = tr.group_by("run_model", "task_id").agg(
        cost=pl.col("cost").mean().cast(pl.Float64),
        first=pl.col("first_attempt_success").cast(pl.Float64).mean(),
        solved=pl.col("solved").cast(pl.Float64).mean(),
    )
    pairs = per.join(per, on="task_id", suffix="_b").filter(
        pl.col("run_model") < pl.col("run_model_b")
    )
    return pairs.select(
        pair=pl.format("{} - {}", "run_model", "run_model_b"),
        model_a="run_model",
        model_b="run_model_b",
        task_id="task_id",
        delta_cost=pl.col("cost") - pl.col("cost_b"),
        delta_first_attempt_success=pl.col("first") - pl.col("first_b"),
        delta_solved=pl.col("solved") - pl.col("solved_b"),
    ).sort("pair", "task_id")


_DELTAS = ["delta_cost", "delta_first_attempt_success", "delta_solved"]


def _delta_summary(deltas: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    sums = deltas.with_columns(one=pl.lit(1.0))
    ratios = {d: (d, "one") for d in _DELTAS}
    ci = stats.bootstrap(sums, "pair", ratios, b=policy.bootstrap, seed=policy.seed)
    means = deltas.group_by("pair").agg(
        *[pl.mean(d) for d in _DELTAS], tasks=pl.len().cast(pl.Int64)
    )
    long = means.unpivot(index=["pair", "tasks"], variable_name="statistic", value_name="mean")
    return long.join(ci, on=["pair", "statistic"], how="left").sort("pair", "statistic")


def _stability(got, runs_m, ranked, pricing_paths, policy) -> pl.DataFrame:
    """The winner under each price scenario, flagged where it differs from the baseline's."""
    winner = ranked["run_model"][0] if ranked.height else None
    rows = [("as logged", winner, False, ", ".join(ranked["run_model"]))]
    quick = replace(policy, bootstrap=1)
    for s in policy.scenarios:
        _, _, models = _measure(got, runs_m, s, pricing_paths, quick)
        order = _rank(models, policy)["run_model"].to_list()
        rows.append(
            (
                s.name,
                order[0] if order else None,
                bool(order) and order[0] != winner,
                ", ".join(order),
            )
        )
    return pl.DataFrame(
        rows, schema=["scenario", "winner", "winner_changes", "ranking"], orient="row"
    )
