"""A generated month of canonical usage rows and its run log, written outside the repository
(Parquet, docs/schema.md), for the engine-equality tests. Polars expressions, seeded by hash.

August 2025 on purpose: DeepSeek's off-peak window (Asia/Shanghai, a modifier with a time zone
and an override rate) was in force, Sonnet 4 had its 200k long-context cliff, GPT-5 launched on
the 7th (rows before it are unpriced with a reason). The mix also has batch and priority rows,
an unknown model, money-only cost lines, and aggregated daily report rows shared out by key.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl

from costlens import schema

START = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
MODELS = [
    ("anthropic", "claude-sonnet-4-20250514"),
    ("anthropic", "claude-opus-4-1-20250805"),
    ("anthropic", "claude-3-5-haiku-20241022"),
    ("openai", "gpt-5"),
    ("openai", "o3"),
    ("deepseek", "deepseek-chat"),
    ("deepseek", "deepseek-reasoner"),
    ("anthropic", "claude-made-up-9"),
]
KEYS = ["key-a", "key-b", "key-c"]


def usage(n: int) -> pl.DataFrame:
    """``n`` request rows plus ~1 % money-only lines and 3 aggregated rows a day."""
    i = pl.int_range(n, dtype=pl.Int64)
    h = i.hash(11)
    m = (h % len(MODELS)).cast(pl.Int64)
    secs = (h // 97 % (31 * 86_400)).cast(pl.Int64)
    big = (h // 7 % 50) == 0  # 2 %: past a 200k cliff
    frame = pl.select(
        i.alias("_i"), m.alias("_m"), secs.alias("_s"), big.alias("_big"), h.alias("_h")
    )
    frame = frame.with_columns(
        provider=pl.col("_m").replace_strict(range(len(MODELS)), [p for p, _ in MODELS]),
        model=pl.col("_m").replace_strict(range(len(MODELS)), [x for _, x in MODELS]),
        period_start=pl.lit(START) + pl.duration(seconds=pl.col("_s")),
        session_id=pl.format("s{}", pl.col("_i") // 50),
        request_id=pl.format("req_{}", pl.col("_i")),
        source_format=pl.lit("generated"),
        source_file=pl.format("month/s{}.jsonl", pl.col("_i") // 50),
        source_line=pl.col("_i") % 50 + 1,
        aggregated=pl.lit(False),
        sidechain=(pl.col("_h") // 3 % 5) == 0,
        batch=(pl.col("_h") // 11 % 10) == 0,
        service_tier=pl.when((pl.col("_h") // 13 % 9) == 0).then(pl.lit("priority")),
        api_key=pl.lit(KEYS).list.get((pl.col("_h") // 17 % 3).cast(pl.Int64)),
        requests=pl.lit(1, pl.Int64),
        input_uncached=pl.when("_big")
        .then(210_000 + pl.col("_s") % 9_000)
        .otherwise(pl.col("_s") % 7_001),
        cache_read=pl.col("_s") % 120_007,
        cache_write_5m=pl.col("_s") % 3_001,
        cache_write_1h=pl.col("_s") % 5 * 101,
        output=pl.col("_s") % 4_003 + 1,
        reasoning=pl.col("_s") % 3,
        web_search=pl.when(pl.col("_m") == 3).then(pl.col("_s") % 3).otherwise(0),
    ).with_columns(period_end="period_start")
    return pl.concat([frame, _money_only(n), _aggregated()], how="diagonal_relaxed").pipe(_usage)


def _money_only(n: int) -> pl.DataFrame:
    """Cost lines that state money only (no tokens): billed, never priced."""
    k = max(1, n // 100)
    i = pl.int_range(k, dtype=pl.Int64)
    return pl.select(
        source_format=pl.lit("generated-costs"),
        source_file=pl.lit("month/costs.csv"),
        source_line=i + 2,
        provider=pl.lit("openai"),
        model=pl.lit("gpt-5"),
        period_start=pl.lit(START) + pl.duration(hours=i % (31 * 24)),
        aggregated=pl.lit(True),
        billed_cost=(pl.lit(Decimal("0.000000000001"), schema.MONEY) * (i * 7_919_003 + 13)).cast(
            schema.MONEY
        ),
        currency=pl.lit("USD"),
    ).with_columns(period_end=pl.col("period_start") + pl.duration(hours=1))


def _aggregated() -> pl.DataFrame:
    """Daily report rows per key for Sonnet 4: shared out across the attempts of that key."""
    days = pl.int_range(31, dtype=pl.Int64)
    frame = pl.select(d=days).join(pl.DataFrame({"api_key": KEYS}), how="cross")
    return frame.select(
        source_format=pl.lit("anthropic-usage-report"),
        source_file=pl.lit("month/usage-report.json"),
        source_line=pl.int_range(pl.len(), dtype=pl.Int64) + 1,
        provider=pl.lit("anthropic"),
        model=pl.lit("claude-sonnet-4-20250514"),
        period_start=pl.lit(START) + pl.duration(days=pl.col("d")),
        period_end=pl.lit(START) + pl.duration(days=pl.col("d") + 1),
        aggregated=pl.lit(True),
        api_key="api_key",
        requests=pl.col("d") * 3 + 7,
        input_uncached=pl.col("d") * 1_234_567 + 89,
        cache_read=pl.col("d") * 98_765 + 1,
        cache_write_5m=pl.col("d") * 4_321,
        cache_write_1h=pl.lit(0, pl.Int64),
        output=pl.col("d") * 54_321 + 3,
    )


def _usage(frame: pl.DataFrame) -> pl.DataFrame:
    return schema.conform(frame.lazy(), schema.USAGE).collect()


def runs(n: int) -> pl.DataFrame:
    """One attempt per 3 sessions (by session id), plus attempts by key over the month that
    take the aggregated rows' shares (some with own tokens by request id, some without)."""
    sessions = max(1, n // 50)
    s = pl.int_range(0, sessions, 3, dtype=pl.Int64)
    by_session = (
        pl.select(s.alias("_s"))
        .with_columns(
            task_id=pl.format("T{}", pl.col("_s") // 9),
            model=pl.lit("claude-sonnet-4-20250514"),
            run_id=pl.lit("r1"),
            attempt=pl.col("_s") // 3 % 3 + 1,
            started_at=pl.lit(START) + pl.duration(hours=pl.col("_s") % 700),
            outcome=pl.when(pl.col("_s") % 4 == 0).then(pl.lit("fail")).otherwise(pl.lit("pass")),
            session_id=pl.format("s{}", pl.col("_s")),
            reprompts=pl.col("_s") % 2,
            review_minutes=(pl.col("_s") % 7).cast(pl.Decimal(38, 6)),
            request_ids=pl.concat_list(pl.format("req_{}", pl.col("_s") * 50 + 1)),
        )
        .with_columns(ended_at=pl.col("started_at") + pl.duration(hours=5))
    )
    by_key = pl.DataFrame(
        {
            "task_id": ["K1", "K2", "K3", "K4"],
            "model": ["claude-sonnet-4-20250514"] * 4,
            "run_id": ["r2"] * 4,
            "attempt": [1, 1, 1, 1],
            "started_at": [
                START,
                START + dt.timedelta(days=3),
                START,
                START + dt.timedelta(days=20),
            ],
            "ended_at": [START + dt.timedelta(days=10), START + dt.timedelta(days=31)] * 2,
            "outcome": ["pass", "fail", "pass", "pass"],
            "reprompts": [0, 1, 0, 2],
            "api_key": ["key-a", "key-a", "key-b", "key-b"],
            "request_ids": [["req_2"], [], ["req_4"], []],
        }
    )
    frame = pl.concat([by_session.drop("_s"), by_key], how="diagonal_relaxed").with_columns(
        source_format=pl.lit("costlens-runlog-jsonl"),
        source_file=pl.lit("month/runs.jsonl"),
        source_line=pl.int_range(pl.len(), dtype=pl.Int64) + 1,
    )
    return schema.conform(frame.lazy(), schema.RUNS).collect()


SPLIT = ("a/b/rows.parquet", "a-b/rows.parquet", "a b/rows.parquet", "a/rows.parquet")
"""Nested files whose order differs by ``Path`` (``a/b`` before ``a-b``) and by text."""


def write(folder: Path, n: int, split: bool = False) -> tuple[Path, Path]:
    """``usage.parquet`` (canonical rows) and ``runs.jsonl`` (a costlens run log) in ``folder``;
    with ``split``, the rows in ``usage/`` over the nested ``SPLIT`` files (small row groups)
    and a ``_SUCCESS`` marker, as a Spark job leaves them."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = folder / ("usage" if split else "usage.parquet")
    if split:
        _write_split(usage(n), rows)
    else:
        usage(n).write_parquet(rows)
    log = folder / "runs.jsonl"
    _write_runlog(runs(n), log)
    return rows, log


def _write_runlog(r: pl.DataFrame, path: Path) -> None:
    """The run log as costlens' own JSONL format reads it (every field text, as documented)."""
    out = r.select(
        "task_id", "model", "run_id", "outcome", "session_id", "request_ids", "api_key",
        attempt=pl.col("attempt").cast(pl.String),
        reprompts=pl.col("reprompts").cast(pl.String),
        started_at=pl.col("started_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ended_at=pl.col("ended_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        review_minutes=pl.col("review_minutes").cast(pl.Int64).cast(pl.String),
    )  # fmt: skip
    out.write_ndjson(path)


def _write_split(rows: pl.DataFrame, folder: Path) -> None:
    size = -(-rows.height // len(SPLIT))
    for k, name in enumerate(SPLIT):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        rows.slice(k * size, size).write_parquet(folder / name, row_group_size=500)
    (folder / "_SUCCESS").write_text("")
