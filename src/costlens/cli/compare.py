"""``costlens compare``: rank models on a matched task bundle."""

from __future__ import annotations

from pathlib import Path

import click

from .options import engine_options, output_option, paths_option, review_rate_option, start_engine


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@paths_option(
    "--usage", "usage_paths", "Usage exports or agent logs (file or folder) to join to the runs."
)
@click.option(
    "--policy",
    "policy_path",
    metavar="FILE.toml",
    type=click.Path(path_type=Path),
    help="How to rank: policy TOML file (docs/metrics.md); default lowest cost per solved task.",
)
@output_option()
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON on stdout.")
@review_rate_option("Hourly rate for review_minutes; overrides the policy's review_rate.")
@engine_options
def compare(
    runs,
    usage_paths,
    policy_path,
    output,
    as_json,
    review_rate,
    engine_name,
    spark_remote,
    spark_conf,
):
    """Compare models on the tasks every one of them attempted.

    RUNS are run logs (costlens, Inspect AI, aider, SWE-agent, mini-swe-agent) or folders.
    Ranks the models under the policy (per category too, when the run logs say one), says
    whether the data separates them at the policy's confidence (the verdict, with the matched
    tasks a difference of the observed size would need), marks the Pareto frontier and
    reprices under price scenarios to show whether the leader holds.

    \b
    Example:
        costlens compare runs/ --usage ~/.claude/projects --policy policy.toml -o compare.xlsx
    """
    from .. import compare as lib
    from .. import outputs
    from ..reports.compare_out import compare_json, write_compare_workbook

    outputs.check([*runs, *usage_paths], [output], [])
    policy = lib.load_policy(policy_path, review_rate=review_rate)
    engine = start_engine(engine_name, spark_remote, spark_conf)
    result = lib.compare(list(runs), list(usage_paths), policy, engine=engine)
    if output:
        write_compare_workbook(result, output)
    if as_json:
        click.echo(compare_json(result))
    else:
        _render(result, output)


def _render(result, output: Path | None) -> None:
    from rich.console import Console

    console = Console()
    console.print(f"Policy: {result.policy.describe()}")
    console.print(f"Matched tasks: {len(result.matched_tasks)}; left out: {result.excluded.height}")
    ranks = result.models["rank"].to_list()
    for r in result.models.iter_rows(named=True):
        tie = "=" if ranks.count(r["rank"]) > 1 else ""
        console.print(f"{tie}{r['rank']}. {r['run_model']}: {r['reason']}", markup=False)
    v = result.verdict
    console.print(f"Verdict: {v['sentence']}.", markup=False)
    console.print(f"Recommended: {v['recommended'] or 'none'}", markup=False)
    for c in result.category_verdicts:
        text = f"Category {c['category']} ({c['tasks']} tasks, {c['rule']}): "
        console.print(text + f"{c['recommended'] or 'none'}; {c['why']}.", markup=False)
    for h in result.harnesses:
        console.print(f"Harnesses for {h['model']}: {h['sentence']}.", markup=False)
    for r in result.scenarios.filter("winner_changes").iter_rows(named=True):
        console.print(f"Leader changes under '{r['scenario']}': {r['winner']}")
    if output:
        console.print(f"Wrote {output}")
