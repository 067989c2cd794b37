"""Human column headers and display kinds for the workbook; CSV, Parquet and JSON keep the
machine names. A sheet shows the columns listed for it, in that order; a column not listed is
still in the CSV / Parquet table of the same name.

Kinds: ``text``, ``int``, ``money`` (cents), ``micro`` (money to 1e-6), ``rate`` (currency per
1M tokens), ``pct`` (a 0..1 share), ``num`` (a float), ``secs`` (seconds), ``time`` (a UTC
timestamp), ``date``, ``bool`` (yes / blank), ``lower`` (a lower-bound flag, shown as words).
"""

from __future__ import annotations

TOKEN_HEADERS = {
    "input_uncached": ("Input tokens (uncached)", "int"),
    "cache_read": ("Cache read tokens", "int"),
    "cache_write_5m": ("Cache write tokens (5 min)", "int"),
    "cache_write_1h": ("Cache write tokens (1 h)", "int"),
    "output": ("Output tokens", "int"),
    "reasoning": ("of which reasoning", "int"),
}

COMMON: dict[str, tuple[str, str]] = {
    "run_model": ("Model under test", "text"),
    "model": ("Model", "text"),
    "model_key": ("Model", "text"),
    "model_id": ("Priced as", "text"),
    "provider": ("Provider", "text"),
    "task_id": ("Task", "text"),
    "run_id": ("Run", "text"),
    "attempt": ("Attempt", "int"),
    "attempts": ("Attempts", "int"),
    "tasks": ("Tasks", "int"),
    "task_runs": ("Task runs", "int"),
    "requests": ("Requests", "int"),
    "rows": ("Rows", "int"),
    "unpriced_rows": ("Unpriced rows", "int"),
    "unpriced_requests": ("Unpriced requests", "int"),
    "cost": ("Cost", "money"),
    "cost_exact": ("Cost (exact)", "text"),
    "billed_cost": ("Billed cost", "micro"),
    "cost_lower_bound": ("Cost complete?", "lower"),
    **TOKEN_HEADERS,
}

MODELS = [
    ("run_model", "Model under test", "text"),
    ("tasks", "Tasks", "int"),
    ("task_runs", "Task runs", "int"),
    ("first_attempt_success_rate", "First-attempt success", "pct"),
    ("solve_rate", "Solved", "pct"),
    ("mean_reprompts", "Reprompts per run", "num"),
    ("total_cost", "Total cost", "money"),
    ("cost_per_task", "Cost per task run", "money"),
    ("cost_per_solved_task", "Cost per solved task", "money"),
    ("review_cost", "Review cost", "money"),
    ("cost_per_solved_task_with_review", "Per solved task incl. review", "money"),
    ("median_wall_seconds", "Median time (s)", "secs"),
    ("p90_wall_seconds", "p90 time (s)", "secs"),
    ("unpriced_requests", "Unpriced requests", "int"),
    ("cost_lower_bound", "Cost complete?", "lower"),
]

MODEL_STATS = [
    ("run_model", "Model under test", "text"),
    ("task_runs", "Task runs", "int"),
    ("first_attempt_success_rate", "First-attempt success", "pct"),
    ("first_attempt_success_rate_ci_low", "First-attempt 95% low", "pct"),
    ("first_attempt_success_rate_ci_high", "First-attempt 95% high", "pct"),
    ("solve_rate", "Solved", "pct"),
    ("solve_rate_ci_low", "Solved 95% low", "pct"),
    ("solve_rate_ci_high", "Solved 95% high", "pct"),
    ("cost_per_task", "Cost per task run", "micro"),
    ("cost_per_task_ci_low", "Per task run 95% low", "micro"),
    ("cost_per_task_ci_high", "Per task run 95% high", "micro"),
    ("cost_per_solved_task", "Cost per solved task", "micro"),
    ("cost_per_solved_task_ci_low", "Per solved task 95% low", "micro"),
    ("cost_per_solved_task_ci_high", "Per solved task 95% high", "micro"),
    ("expected_cost_to_first_success", "Expected cost to first success", "micro"),
]

TASKS = [
    ("task_id", "Task", "text"),
    ("run_model", "Model under test", "text"),
    ("run_id", "Run", "text"),
    ("attempts", "Attempts", "int"),
    ("first_attempt_success", "First attempt passed", "bool"),
    ("solved", "Solved", "bool"),
    ("reprompts", "Reprompts", "int"),
    ("wall_seconds", "Time (s)", "secs"),
    ("requests", "Requests", "int"),
    *[(k, h, kind) for k, (h, kind) in TOKEN_HEADERS.items()],
    ("cost", "Cost", "money"),
    ("review_cost", "Review cost", "money"),
    ("unpriced_requests", "Unpriced requests", "int"),
]

MONTHS = [
    ("month", "Month", "text"),
    ("model_key", "Model", "text"),
    ("requests", "Requests", "int"),
    *[(k, h, kind) for k, (h, kind) in TOKEN_HEADERS.items()],
    ("cost", "Cost", "money"),
]

USAGE = [
    ("period_start", "Time (UTC)", "time"),
    ("source_file", "File", "text"),
    ("source_line", "Line", "int"),
    ("provider", "Provider", "text"),
    ("model", "Model (as logged)", "text"),
    ("model_id", "Priced as", "text"),
    ("session_id", "Session", "text"),
    ("project", "Project", "text"),
    ("requests", "Requests", "int"),
    *[(k, h, kind) for k, (h, kind) in TOKEN_HEADERS.items()],
    ("price_status", "Price status", "text"),
    ("unpriced_reason", "Why unpriced", "text"),
    ("cost", "Cost", "micro"),
    ("billed_cost", "Billed cost", "micro"),
    ("task_id", "Task", "text"),
    ("run_model", "Model under test", "text"),
    ("attribution_method", "Joined by", "text"),
    ("unattributed_cause", "Why unattributed", "text"),
]

UNATTRIBUTED = [
    ("unattributed_cause", "Why unattributed", "text"),
    ("model", "Model", "text"),
    ("rows", "Rows", "int"),
    ("unpriced_rows", "Unpriced rows", "int"),
    ("cost", "Cost", "money"),
]

PRICING = [
    ("provider", "Provider", "text"),
    ("model_id", "Model", "text"),
    ("price_period_from", "Prices from", "date"),
    ("price_tier", "Tier", "text"),
    ("price_modifiers", "Modifiers", "text"),
    ("input_per_mtok", "Input per 1M", "rate"),
    ("cache_read_per_mtok", "Cache read per 1M", "rate"),
    ("cache_write_5m_per_mtok", "Cache write 5 min per 1M", "rate"),
    ("cache_write_1h_per_mtok", "Cache write 1 h per 1M", "rate"),
    ("output_per_mtok", "Output per 1M", "rate"),
    ("rows", "Rows priced", "int"),
    ("cost", "Cost", "money"),
    # Present only when a terms file changes prices (pricing/applied.py).
    ("terms", "Negotiated terms", "text"),
    ("list_cost", "Cost at list", "money"),
    ("terms_effect", "Terms change", "money"),
    ("checked", "Checked", "text"),
    ("confidence", "Confidence", "text"),
    ("source", "Source", "text"),
    ("file", "Price table", "text"),
]

CREDITS = [
    ("credit", "Credit", "text"),
    ("date", "Day (UTC)", "date"),
    ("cost", "Cost that day", "money"),
    ("applied", "Paid by the credit", "money"),
    ("balance", "Balance after the day", "money"),
]

QUALITY = [
    ("kind", "Kind", "text"),
    ("source_format", "Format", "text"),
    ("reason", "Reason", "text"),
    ("count", "Rows", "int"),
    ("examples", "Examples (file:line)", "text"),
]

INPUTS = [("file", "File", "text"), ("reader", "Read as", "text")]

VIEW_KEYS = {
    "day": ("Day", "date"),
    "week": ("Week from", "date"),
    "month": ("Month", "text"),
    "session": ("Session", "text"),
    "project": ("Project", "text"),
    "model": ("Model", "text"),
    "key": ("API key", "text"),
}


def view(by: str) -> list[tuple[str, str, str]]:
    """Columns of a ``--by`` view sheet."""
    head = [(by, *VIEW_KEYS[by])] + ([] if by == "model" else [("model", "Model", "text")])
    span = [("first_activity", "First", "time"), ("last_activity", "Last", "time")]
    return [
        *head,
        *(span if by in ("session", "project") else []),
        ("requests", "Requests", "int"),
        *[(k, h, kind) for k, (h, kind) in TOKEN_HEADERS.items()],
        ("cost", "Cost", "money"),
        ("subagent_requests", "Sub-agent requests", "int"),
        ("subagent_cost", "Sub-agent cost", "money"),
        ("unpriced_rows", "Unpriced rows", "int"),
        ("cost_lower_bound", "Cost complete?", "lower"),
    ]


VIEW_TITLES = {
    "day": "By day",
    "week": "By week",
    "month": "By month",
    "session": "By session",
    "project": "By project",
    "model": "By model",
    "key": "By API key",
}


_SHARE_WORDS = ("rate", "success", "solved", "pass_", "share", "_ci_")


def auto(schema: dict) -> list[tuple[str, str, str]]:
    """Headers and kinds for a table without a declared layout: known names from ``COMMON``,
    others in words, the kind read from the column's type and name."""
    import polars as pl

    out = []
    for c, t in schema.items():
        if c in COMMON:
            out.append((c, *COMMON[c]))
            continue
        header = c.replace("_", " ").replace("ci low", "95% low").replace("ci high", "95% high")
        header = header[:1].upper() + header[1:]
        if isinstance(t, pl.Decimal):
            kind = "micro" if "per_" in c or "expected" in c else "money"
        elif t == pl.Boolean:
            kind = "bool"
        elif t.is_integer():
            kind = "int"
        elif t.is_float():
            share = any(w in c for w in _SHARE_WORDS) and "cost" not in c
            kind = "pct" if share else ("micro" if "cost" in c else "num")
        elif isinstance(t, pl.Datetime):
            kind = "time"
        else:
            kind = "text"
        out.append((c, header, kind))
    return out
