"""Compare models on a matched task bundle: a view over the one pipeline (``pipeline.build``
over the matched tasks' attempts) plus a ranking under a stated policy (``ranking``), the Pareto
frontier, paired per-task deltas, and rank stability under price scenarios.

comparison = compare([Path("runs/")], usage=[Path("logs/")], policy=load_policy(path))
comparison.models  # one row per model, ranked, with its reason
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import polars as pl

from . import pipeline, ranking, sessions, stats
from .errors import InputError, located
from .pipeline import Ingested
from .results import Comparison, Policy, Scenario
from .schema import TOKEN_BUCKETS


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
    return compare_ingested(pipeline.read(usage, runs), policy, pricing_paths)


def compare_ingested(
    got: Ingested, policy: Policy = Policy(), pricing_paths: list[Path] | None = None
) -> Comparison:
    """``compare`` on inputs already read (``pipeline.read``): the pipeline's ``Report`` over
    the matched tasks' attempts, plus the ranking, paired deltas and price scenarios."""
    matched, excluded = matched_bundle(got.runs)
    if not matched:
        models = ", ".join(sorted(got.runs["model"].drop_nulls().unique().to_list())) or "none"
        raise InputError(
            f"no task was attempted by every model ({models}): compare needs a shared task; "
            "pass run logs of the same tasks, or compare the models one bundle at a time"
        )
    bundle = replace(got, runs=got.runs.filter(pl.col("task_id").is_in(matched)))
    report = pipeline.build(bundle, pricing_paths=pricing_paths, review_rate=policy.review_rate)
    ranked = ranking.rank(_with_stats(report, policy), policy)
    deltas = paired_deltas(report.tasks)
    scenarios = _stability(bundle, ranked, pricing_paths, policy)
    return Comparison(
        models=ranked,
        tasks=report.tasks,
        excluded=excluded,
        deltas=deltas,
        delta_summary=_delta_summary(deltas, policy),
        pass_k=stats.pass_k(report.tasks),
        scenarios=scenarios,
        sessions=sessions.long_sessions(report.usage),
        policy=policy,
        matched_tasks=matched,
        report=report,
        changed_scenarios=scenarios.filter(pl.col("winner_changes"))["scenario"].to_list(),
    )


def _with_stats(report: pipeline.Report, policy: Policy) -> pl.DataFrame:
    """The report's per-model table plus expected cost to first success and intervals."""
    first = stats.expected_cost_to_first_success(report.attempts)
    models = report.models.join(first, on="run_model", how="left")
    return stats.with_intervals(models, report.tasks, b=policy.bootstrap, seed=policy.seed)


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


def _usage_for(got: Ingested, s: Scenario) -> pl.DataFrame:
    """The bundle's usage as the scenario would have logged it."""
    u = got.usage
    if s.kind == "batch":
        return u.with_columns(batch=pl.lit(True))
    if s.kind == "no_cache":
        cached = [b for b in TOKEN_BUCKETS if b.startswith("cache_")]
        return u.with_columns(
            input_uncached=pl.sum_horizontal("input_uncached", *cached),
            **{b: pl.lit(0, pl.Int64) for b in cached},
        )
    return u


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


def _stability(
    bundle: Ingested, ranked: pl.DataFrame, pricing_paths: list[Path] | None, policy: Policy
) -> pl.DataFrame:
    """The winner under each price scenario, flagged where it differs from the baseline's.
    Each scenario is the same pipeline over the bundle's usage as the scenario prices it."""
    winner = ranked["run_model"][0] if ranked.height else None
    rows = [("as logged", winner, False, ", ".join(ranked["run_model"]))]
    for s in policy.scenarios:
        report = pipeline.build(
            replace(bundle, usage=_usage_for(bundle, s)),
            pricing_paths=list(s.prices) if s.prices else pricing_paths,
            price_date=s.date,
            review_rate=policy.review_rate,
        )
        order = ranking.rank(report.models, policy)["run_model"].to_list()
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
