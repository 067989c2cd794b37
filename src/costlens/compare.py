"""Compare models on a matched task bundle: a view over the one pipeline (``pipeline.build``
over the matched tasks' attempts) plus a ranking under a stated policy with its verdict (is the
leader separated from the rest, at what confidence; ``ranking``, ``verdict``), the same per kind
of task and per harness, the Pareto frontier, paired per-task deltas, and rank stability under
price scenarios.

comparison = compare([Path("runs/")], usage=[Path("logs/")], policy=load_policy(path))
comparison.verdict["winner"]  # a model, or None when the data does not separate them
comparison.models  # one row per model, ranked, with its reason
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from . import metrics, pipeline, ranking, sessions, stats
from .errors import InputError
from .pipeline import Ingested
from .policy import failure_amount, load_policy
from .results import Comparison, Policy, Scenario
from .schema import TOKEN_BUCKETS
from .verdict import Settings

__all__ = ["Comparison", "Policy", "Scenario", "compare", "compare_ingested", "load_policy"]

# Harness-log readers name their harness by what they read; a costlens run log says it itself.
READER_HARNESS = {
    "inspect-ai": "inspect-ai",
    "swe-agent-traj": "swe-agent",
    "mini-swe-agent-traj": "mini-swe-agent",
    "aider-results": "aider",
}


def compare(
    runs: list[Path],
    usage: list[Path] | tuple[()] = (),
    policy: Policy | None = None,
    pricing_paths: list[Path] | None = None,
    engine: Any = None,
) -> Comparison:
    """Measure every model on the tasks all of them attempted, rank them and test the ranking.
    ``engine``: where the stages after reading run (``pipeline.build``; None: polars)."""
    return compare_ingested(pipeline.read(list(usage), runs), policy, pricing_paths, engine)


def compare_ingested(
    got: Ingested,
    policy: Policy | None = None,
    pricing_paths: list[Path] | None = None,
    engine: Any = None,
) -> Comparison:
    """``compare`` on inputs already read (``pipeline.read``): the pipeline's ``Report`` over
    the matched tasks' attempts, plus the ranking and its verdict, per category and per
    harness, paired deltas and price scenarios."""
    policy = policy or Policy()
    runs = subjects(got.runs)
    matched, excluded = matched_bundle(runs.with_columns(model="subject"))
    if not matched:
        names = ", ".join(sorted(runs["subject"].drop_nulls().unique().to_list())) or "none"
        raise InputError(
            f"no task was attempted by every model ({names}): compare needs a shared task; "
            "pass run logs of the same tasks, or compare the models one bundle at a time"
        )
    runs_m = runs.filter(pl.col("task_id").is_in(matched))
    bundle = replace(got, runs=runs_m.drop("subject"))
    report = pipeline.build(
        bundle, pricing_paths=pricing_paths, review_rate=policy.review_rate, engine=engine
    )
    tr, models = _measured(report, runs_m, policy, intervals=True)
    s = settings(policy)
    overall = ranking.judge(models, tr, policy.rule, s)
    per_cat, cat_verdicts = _by_category(tr, policy, s)
    deltas = paired_deltas(tr)
    scenarios = _stability(bundle, runs_m, overall.ranked, pricing_paths, policy, engine)
    long = sessions.long_sessions(report.usage)
    return Comparison(
        models=overall.ranked,
        tasks=tr,
        excluded=excluded,
        deltas=deltas,
        delta_summary=_delta_summary(deltas, policy),
        pass_k=stats.pass_k(tr),
        scenarios=scenarios,
        sessions=long,
        policy=policy,
        matched_tasks=matched,
        report=report,
        changed_scenarios=scenarios.filter(pl.col("winner_changes"))["scenario"].to_list(),
        verdict=overall.verdict | {"method": stats.PAIRED_METHOD},
        pairs=overall.pairs,
        categories=per_cat,
        category_verdicts=cat_verdicts,
        harnesses=_held_model(models, tr, policy, s),
        session_tasks=sessions.by_task(long),
        session_assumption=sessions.ASSUMPTION,
        interval_methods=stats.INTERVAL_METHODS,
    )


def settings(policy: Policy) -> Settings:
    return Settings(policy.confidence, policy.power, policy.bootstrap, policy.seed)


def _measured(
    report: pipeline.Report, runs_m: pl.DataFrame, policy: Policy, intervals: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Task runs and models under their compare subjects, with failure and all-in costs.

    With harness labels the pipeline's attempts are relabelled and measured again by the same
    metrics functions (the pipeline measures bare models)."""
    att = _relabel(report.attempts, runs_m)
    tr, models = report.tasks, report.models
    if not att["run_model"].equals(report.attempts["run_model"]):
        tr = metrics.task_runs(att.lazy(), policy.review_rate).collect()
        models = metrics.models(tr.lazy()).collect()
    fail = {c: failure_amount(policy, r) for c, r in policy.categories}
    top = failure_amount(policy, policy.rule)
    tr = metrics.with_failure_cost(tr.lazy(), fail, top).collect()
    if intervals:
        first = stats.expected_cost_to_first_success(att)
        models = models.join(first, on="run_model", how="left")
        models = stats.with_intervals(models, tr, b=policy.bootstrap, seed=policy.seed)
    return tr, metrics.all_in(models, tr)


def subjects(runs: pl.DataFrame) -> pl.DataFrame:
    """Runs with ``harness`` filled from the reader where the log does not say it, and
    ``subject``: what compare ranks. The model alone, or ``harness / model`` when the runs name
    more than one harness (an unnamed harness counts as one). Then ``run_id`` is prefixed by the
    harness, so the same model run by two harnesses on one task stays two attempts."""
    reader = pl.col("source_format").replace_strict(READER_HARNESS, default=None)
    runs = runs.with_columns(harness=pl.coalesce("harness", reader))
    if runs["harness"].n_unique() < 2:
        return runs.with_columns(subject=pl.col("model"))
    named = pl.col("harness").fill_null("unnamed harness")
    return runs.with_columns(
        subject=pl.format("{} / {}", named, "model"),
        run_id=pl.format("{}:{}", named, "run_id"),
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


def _relabel(att: pl.DataFrame, runs_m: pl.DataFrame) -> pl.DataFrame:
    """Attempts under their compare subject (``subjects``) instead of the bare model."""
    keys = ["task_id", "run_id", "attempt"]
    label = runs_m.select(*keys, run_model="model", _subject="subject").unique([*keys, "run_model"])
    out = att.join(label, on=[*keys, "run_model"], how="left")
    return out.with_columns(run_model=pl.coalesce("_subject", "run_model")).drop("_subject")


def _by_category(tr: pl.DataFrame, policy: Policy, s: Settings) -> tuple[pl.DataFrame, list]:
    """Each category's ranking under its own rule, on the matched tasks of that category."""
    frames, verdicts = [], []
    for cat in sorted(tr["category"].drop_nulls().unique().to_list()):
        sub = tr.filter(pl.col("category") == cat)
        rule = policy.rule_for(cat)
        j = ranking.judge(_models(sub), sub, rule, s)
        frames.append(j.ranked.select(pl.lit(cat).alias("category"), *CATEGORY_COLUMNS))
        tasks = sub["task_id"].n_unique()
        head = {"category": cat, "rule": rule.describe(), "tasks": tasks}
        verdicts.append(head | j.verdict | {"pairs": j.pairs.to_dicts()})
    return (pl.concat(frames) if frames else pl.DataFrame()), verdicts


CATEGORY_COLUMNS = [
    "rank", "order", "run_model", "eligible", "reason", "tasks", "task_runs",
    "first_attempt_success_rate", "first_attempt_success_rate_ci_low",
    "first_attempt_success_rate_ci_high", "cost_per_solved_task", "review_cost_per_solved_task",
    "failure_cost_per_solved_task", "all_in_cost_per_solved_task",
]  # fmt: skip


def _models(tr: pl.DataFrame) -> pl.DataFrame:
    models = metrics.models(tr.lazy()).collect()
    return metrics.all_in(models.join(stats.rate_intervals(tr), on="run_model"), tr)


def _held_model(models: pl.DataFrame, tr: pl.DataFrame, policy: Policy, s: Settings) -> list:
    """Per model run under several harnesses: the verdict among its harnesses, model fixed."""
    if " / " not in "".join(models["run_model"].to_list()):
        return []
    base = models["run_model"].str.split(" / ").list.last()
    out = []
    for model in sorted(set(base.to_list())):
        mine = models.filter(base == model)
        if mine.height < 2:
            continue
        sub = tr.filter(pl.col("run_model").is_in(mine["run_model"].to_list()))
        j = ranking.judge(mine, sub, policy.rule, s)
        out.append({"model": model, "harnesses": mine["run_model"].to_list()} | j.verdict)
    return out


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
    bundle: Ingested,
    runs_m: pl.DataFrame,
    ranked: pl.DataFrame,
    pricing_paths: list[Path] | None,
    policy: Policy,
    engine: Any = None,
) -> pl.DataFrame:
    """The leader (by point estimate) under each price scenario, flagged where it differs from
    the baseline's. Each scenario is the same pipeline over the bundle's usage as priced there."""
    winner = ranked["run_model"][0] if ranked.height else None
    rows = [("as logged", winner, False, ", ".join(ranked["run_model"]))]
    for s in policy.scenarios:
        report = pipeline.build(
            replace(bundle, usage=_usage_for(bundle, s)),
            pricing_paths=list(s.prices) if s.prices else pricing_paths,
            price_date=s.date,
            review_rate=policy.review_rate,
            engine=engine,
        )
        _, models = _measured(report, runs_m, policy, intervals=False)
        order = ranking.order(models, policy.rule)["run_model"].to_list()
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
