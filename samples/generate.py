"""Write deterministic, synthetic sample inputs for costlens.

`python samples/generate.py` rewrites samples/bundle/ and samples/billing/ byte for byte from SEED.
Every record follows a documented vendor shape (OpenAI organization usage/completions, Anthropic
usage_report/messages, Claude Code session JSONL as seen in real transcripts). All values are
invented and all message text is a placeholder. Standard library only.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import string
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20251231
HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "bundle"
PROJECT = BUNDLE / "claude-code" / "projects" / "-work-acme-api"
BILLING = HERE / "billing"
DEC1 = datetime(2025, 12, 1, tzinfo=UTC)
CC_VERSION = "2.0.55"
CWD = "/work/acme-api"
TEXT = "(sample text)"
B62 = string.digits + string.ascii_letters
SONNET, OPUS = "claude-sonnet-4-5", "claude-opus-4-5"
MODEL_IDS = {SONNET: "claude-sonnet-4-5-20250929", OPUS: "claude-opus-4-5-20251101"}
HAIKU = "claude-haiku-4-5-20251001"
TASKS = [f"ACME-{n}" for n in range(101, 121)]
OUTCOMES = {"P": "pass", "F": "fail", "E": "error"}

# fmt: off
# One entry per task (ACME-101..120), one letter per attempt. Hand-written so the story is fixed:
# opus passes 15/20 first attempts and solves every task; sonnet passes 11/20 first attempts and
# never solves ACME-108 or ACME-117.
PLANS = {
    SONNET: "P FP P P FFP P EP FFF P FP P P FEP P FP P FFE P FP P",
    OPUS: "P P FP P P P P FP P P EP P P P P P FFP P FP P",
}
# Repeated runs (run_id r2) of four tasks, for both models: (sonnet plan, opus plan).
R2 = {"ACME-102": ("P", "P"), "ACME-106": ("FP", "P"), "ACME-110": ("P", "FP"),
      "ACME-115": ("FP", "P")}
# Attempt keys are (model, run_id, task, attempt). Each edge case lives in exactly one attempt.
LONG_CONTEXT = {(SONNET, "r1", "ACME-105", 3): 201_843, (SONNET, "r1", "ACME-108", 2): 203_116}
EXACT_200K = (SONNET, "r1", "ACME-117", 1)
SYNTHETIC = (SONNET, "r1", "ACME-107", 1)
TRUNCATED = (SONNET, "r1", "ACME-113", 2)
LISTS_REQUEST_IDS = {(SONNET, "r1", "ACME-104", 1), (OPUS, "r1", "ACME-109", 1),
                     (OPUS, "r1", "ACME-112", 1)}
# Ad-hoc sessions nobody logged in the run log: (start, model, branch).
UNATTRIBUTED = [(datetime(2025, 12, 9, 19, 12, 4, tzinfo=UTC), SONNET, "main"),
                (datetime(2025, 12, 16, 20, 40, 31, tzinfo=UTC), OPUS, "spike/cache-warmup")]
CSV_COLUMNS = ["task_id", "model", "run_id", "attempt", "started_at", "ended_at", "outcome",
               "reprompts", "review_minutes", "session_id", "request_ids"]

# Production API traffic for the billing files, separate from the benchmark bundle.
SON45, HAI45, OPUS41 = MODEL_IDS[SONNET], HAIKU, "claude-opus-4-1-20250805"
GPT5, GPT5M = "gpt-5-2025-08-07", "gpt-5-mini-2025-08-07"
GPT41, O3 = "gpt-4.1-2025-04-14", "o3-2025-04-16"
FINE_TUNED = "ft:gpt-4.1-mini-2025-04-14:acme::B1x2y3z4"  # no public price: costlens must flag it
DAYS = {
    "all": lambda d: True,
    "even": lambda d: d.day % 2 == 0,
    "mon+thu": lambda d: d.weekday() in (0, 3),
    "tue+fri": lambda d: d.weekday() in (1, 4),
    "every3": lambda d: d.day % 3 == 0,
    "few": lambda d: d.day in (3, 4, 10, 17),
    "ft": lambda d: d.day in (4, 5, 11, 12),
}
# model, service_tier, context_window, workspace #, days, then millions of tokens per weekday as
# (low, high): uncached input, cache read, 5m cache write, 1h cache write, output; max web searches
ANTHROPIC_TRAFFIC = [
    (SON45, "standard", "0-200k", 0, "all", (1.5, 3), (25, 45), (2, 4), (0.2, 0.8), (0.8, 2), 150),
    (SON45, "standard", "0-200k", 1, "all", (0.5, 1.2), (8, 20), (0.8, 2), (0, 0), (0.3, 0.7), 0),
    (SON45, "standard", "200k-1M", 0, "even", (0.1, 0.5), (3, 9), (0.3, 1), (0, 0), (0.05, 0.2), 0),
    (SON45, "batch", "0-200k", 1, "mon+thu", (6, 15), (0, 2), (0, 0), (0, 0), (1, 3), 0),
    (SON45, "batch", "200k-1M", 1, "mon+thu", (0.5, 2), (0, 0.5), (0, 0), (0, 0), (0.1, 0.3), 0),
    (HAI45, "standard", "0-200k", 0, "all", (3, 8), (5, 15), (0.3, 1), (0, 0), (0.4, 1.2), 0),
    (HAI45, "standard", "0-200k", 1, "all", (2, 5), (2, 8), (0.2, 0.6), (0, 0), (0.2, 0.8), 0),
    (OPUS41, "standard", "0-200k", 0, "few", (0.2, 0.6), (2, 6), (0.2, 0.5), (0, 0), (0.1, 0.3), 0),
]
# model, project #, batch, service_tier, days, requests, input (millions, cached included),
# cached share of input, output (millions)
OPENAI_TRAFFIC = [
    (GPT5, 0, False, "default", "all", (2_500, 5_000), (25, 55), (0.45, 0.7), (2, 5)),
    (GPT5, 1, False, "default", "all", (800, 1_600), (8, 16), (0.3, 0.6), (0.6, 1.5)),
    (GPT5, 1, True, "default", "tue+fri", (5_000, 12_000), (30, 60), (0, 0.05), (4, 8)),
    (GPT5M, 0, False, "default", "all", (12_000, 30_000), (30, 80), (0.5, 0.75), (3, 8)),
    (GPT41, 1, False, "default", "all", (1_000, 2_500), (5, 14), (0.2, 0.4), (0.5, 1.2)),
    (O3, 0, False, "flex", "every3", (100, 400), (1, 4), (0.1, 0.3), (0.3, 1)),
    (FINE_TUNED, 1, False, "default", "ft", (200, 800), (0.3, 1.2), (0, 0.1), (0.05, 0.2)),
]
# fmt: on


def b62(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(B62) for _ in range(n))


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def ts_ms(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ts_s(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def usage(inp: int, write: int, read: int, ttl: str, out: int, final: bool) -> dict:
    """Anthropic usage as Claude Code logs it. Streamed lines and the final line (the one that
    carries the real output_tokens) use different key orders and extras in real transcripts."""
    w5, w1 = (write, 0) if ttl == "5m" else (0, write)
    head = {"input_tokens": inp, "cache_creation_input_tokens": write}
    head["cache_read_input_tokens"] = read
    if not final:
        split = {"ephemeral_5m_input_tokens": w5, "ephemeral_1h_input_tokens": w1}
        tail = {"service_tier": "standard", "inference_geo": "not_available"}
        return head | {"cache_creation": split, "output_tokens": out} | tail
    return head | {
        "output_tokens": out,
        "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
        "service_tier": "standard",
        "cache_creation": {"ephemeral_1h_input_tokens": w1, "ephemeral_5m_input_tokens": w5},
        "inference_geo": "",
        "iterations": [],
    }


class Session:
    """Accumulates the lines of one Claude Code transcript in file order, with a moving clock."""

    def __init__(self, rng: random.Random, sid: str, branch: str, start: datetime):
        self.rng, self.sid, self.branch = rng, sid, branch
        self.clock = self.first = start  # first is reset to the first line's time
        self.parent: str | None = None
        self.lines: list[str] = []
        self.responses: list[dict] = []  # one per (message.id, requestId), for the summary
        self.truncated = False

    def tick(self, lo: float, hi: float) -> None:
        self.clock += timedelta(milliseconds=self.rng.randint(int(lo * 1000), int(hi * 1000)))

    def head(self) -> dict:
        # The common prefix of every chained line, in the key order of real transcripts.
        head = {"parentUuid": self.parent, "isSidechain": False, "userType": "external", "cwd": CWD}
        return head | {"sessionId": self.sid, "version": CC_VERSION, "gitBranch": self.branch}

    def emit(self, record: dict) -> None:
        self.parent = record.get("uuid", self.parent)  # snapshots carry no uuid and break no chain
        self.lines.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))

    def session_start(self) -> None:
        self.tick(0, 1)  # real first lines land at any millisecond
        self.first, hook = self.clock, new_uuid(self.rng)
        data = {"type": "hook_progress", "hookEvent": "SessionStart"}
        data |= {"hookName": "SessionStart:startup", "command": "(sample hook)"}
        rest = {"type": "progress", "data": data, "parentToolUseID": hook, "toolUseID": hook}
        self.emit(self.head() | rest | {"timestamp": ts_ms(self.clock), "uuid": new_uuid(self.rng)})

    def prompt(self, first: bool = False) -> None:
        """A human turn. Claude Code first writes a file-history snapshot keyed by its uuid."""
        if first:
            self.tick(2, 8)
        else:  # a reprompt: the human reads the result first
            self.tick(30, 240)
        uid = new_uuid(self.rng)
        later = ts_ms(self.clock + timedelta(milliseconds=60))
        snap = {"messageId": uid, "trackedFileBackups": {}, "timestamp": later}
        rec = {"type": "file-history-snapshot", "messageId": uid, "snapshot": snap}
        self.emit(rec | {"isSnapshotUpdate": False})
        rest = {"type": "user", "message": {"role": "user", "content": TEXT}}
        self.emit(self.head() | rest | {"uuid": uid, "timestamp": ts_ms(self.clock)})

    def tool_result(self, tool_id: str) -> None:
        self.tick(0.5, 25)
        block = {"tool_use_id": tool_id, "type": "tool_result", "content": TEXT, "is_error": False}
        result = {"stdout": TEXT, "stderr": "", "interrupted": False, "isImage": False}
        rest = {"type": "user", "message": {"role": "user", "content": [block]}}
        rest |= {"uuid": new_uuid(self.rng), "timestamp": ts_ms(self.clock)}
        self.emit(self.head() | rest | {"toolUseResult": result})

    def response(self, model, inp, write, read, ttl, output, ends_turn, max_lines=3) -> str | None:
        """One API response written as 1-3 lines sharing message.id and requestId (one line per
        content block). Before v2.1.97 only the last line holds the final output_tokens."""
        rng, tool_id = self.rng, None
        mid, rid = "msg_01" + b62(rng, 22), "req_011C" + b62(rng, 20)
        n_lines = min(max_lines, rng.choice((1, 2, 2, 3)))
        placeholder = rng.randint(1, min(30, output - 1))
        self.tick(2, 14)
        for i in range(n_lines):
            last = i == n_lines - 1
            block = {"type": "text", "text": TEXT}
            if last and not ends_turn:
                tool_id = "toolu_01" + b62(rng, 22)
                inputs = {"command": "(sample command)", "description": TEXT}
                block = {"type": "tool_use", "id": tool_id, "name": "Bash", "input": inputs}
            u = usage(inp, write, read, ttl, output if last else placeholder, last and n_lines > 1)
            msg = {"model": model, "id": mid, "type": "message", "role": "assistant"}
            msg |= {"content": [block], "stop_reason": None, "stop_sequence": None, "usage": u}
            rest = {"message": msg, "requestId": rid, "type": "assistant"}
            self.emit(self.head() | rest | {"uuid": new_uuid(rng), "timestamp": ts_ms(self.clock)})
            if not last:
                self.tick(0.3, 2.5)
        total = inp + write + read
        self.responses.append({"model": model, "request_id": rid, "total": total, "lines": n_lines})
        return tool_id

    def synthetic_notice(self) -> None:
        """Claude Code's locally generated error notice: model <synthetic>, usage all zero."""
        self.tick(1, 4)
        zero = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0}
        zero |= {"cache_read_input_tokens": 0, "server_tool_use": {"web_search_requests": 0}}
        zero |= {"service_tier": None, "cache_creation": {"ephemeral_1h_input_tokens": 0}}
        zero["cache_creation"]["ephemeral_5m_input_tokens"] = 0
        msg = {"id": new_uuid(self.rng), "container": None, "model": "<synthetic>"}
        msg |= {"role": "assistant", "stop_reason": "stop_sequence", "stop_sequence": ""}
        msg |= {"type": "message", "usage": zero, "content": [{"type": "text", "text": TEXT}]}
        rest = {"message": msg | {"context_management": None}, "type": "assistant"}
        rest |= {"uuid": new_uuid(self.rng), "timestamp": ts_ms(self.clock)}
        self.emit(self.head() | rest | {"isApiErrorMessage": True})

    def crash(self, model: str, inp: int, write: int, read: int, ttl: str) -> None:
        """The process died while writing the first line of a new response: keep half a line."""
        self.response(model, inp, write, read, ttl, 400, False, max_lines=1)
        self.responses.pop()  # unparseable, so it is not a response a parser can see
        self.lines[-1] = self.lines[-1][: len(self.lines[-1]) // 2]
        self.truncated = True

    def text(self) -> str:
        return "\n".join(self.lines) + ("" if self.truncated else "\n")


def plan_context(rng: random.Random, n: int, target: tuple[int, int] | None) -> list[tuple]:
    """(input, cache_write, cache_read) per main-model request. Each request re-reads the cached
    prefix and writes only the new turn, so cache_read grows by the previous write every turn.
    With a target (index, total input) the writes are scaled so that request hits it exactly."""
    read0 = rng.choice((0, rng.randint(9_000, 14_000)))  # system prompt cached by an earlier run
    writes = [rng.randint(4_000, 9_000) if read0 else rng.randint(16_000, 23_000)]
    writes += [rng.randint(4_000, 12_000) if rng.random() < 0.15 else rng.randint(150, 3_500)]
    writes += [rng.randint(150, 3_500) for _ in range(n - 2)]
    inputs = [rng.randint(1, 10) for _ in range(n)]
    if target:
        idx, total = target
        fixed = inputs[idx] + read0 + writes[0]
        scale = (total - fixed) / sum(writes[1 : idx + 1])
        writes[1 : idx + 1] = [round(w * scale) for w in writes[1 : idx + 1]]
        writes[idx] += total - fixed - sum(writes[1 : idx + 1])
    reads = [read0 + sum(writes[:j]) for j in range(n)]
    return list(zip(inputs, writes, reads, strict=True))


def run_session(rng, sid, model, branch, start, *, reprompts=0, kind="ok", target=None) -> Session:
    """Write one agentic session: a prompt, then tool-call turns; kind is ok, error (the harness
    killed it mid tool call), synthetic (ends on an API error notice) or truncated (crash)."""
    s = Session(rng, sid, branch, start)
    n = 25 if target else rng.randint(4, 25) if kind == "ok" else rng.randint(4, 10)
    ttl = "5m" if rng.random() < 0.2 else "1h"  # Claude Code 2.0.x writes mostly 1h cache entries
    # The exact-200k request ends its session; a long-context target leaves two more turns above it.
    at = None if target is None else (n - 1 if target == 200_000 else n - 3, target)
    ctx = plan_context(rng, n, at)
    prompts_before = set(rng.sample(range(2, n), reprompts))
    haiku_at = rng.randrange(n) if rng.random() < 0.12 else None
    s.session_start()
    s.prompt(first=True)
    for j, (inp, write, read) in enumerate(ctx):
        if j in prompts_before:
            s.prompt()
        if j == haiku_at:  # small uncached side call Claude Code makes to a cheaper model
            s.response(HAIKU, rng.randint(300, 1_500), 0, 0, ttl, rng.randint(20, 150), True, 1)
        last = j == n - 1
        ends_turn = (last and kind == "ok") or (j + 1) in prompts_before
        output = int(50 * 40 ** rng.random())  # 50..2000, skewed toward short turns
        tool = s.response(MODEL_IDS[model], inp, write, read, ttl, output, ends_turn)
        if tool and (not last or kind == "synthetic"):
            s.tool_result(tool)
    if kind == "synthetic":
        s.synthetic_notice()
    if kind == "truncated":
        s.crash(MODEL_IDS[model], 3, rng.randint(300, 2_000), ctx[-1][1] + ctx[-1][2], ttl)
    (PROJECT / f"{sid}.jsonl").write_text(s.text(), encoding="utf-8")
    return s


def plans() -> list[tuple[str, str, str, str]]:
    rows = []
    for model, row in PLANS.items():
        rows += [(model, "r1", t, p) for t, p in zip(TASKS, row.split(), strict=True)]
    for task, pair in R2.items():
        rows += [(model, "r2", task, p) for model, p in zip(PLANS, pair, strict=True)]
    return rows


def first_start(rng: random.Random, model: str, run_id: str, task: str) -> datetime:
    """Tasks are spread over Dec 1-19; sonnet runs in the morning, opus after lunch, r2 later.
    Odd tasks start 2h later so two tasks sharing a day never overlap in time."""
    k = TASKS.index(task)
    day = k * 19 // 20 + (2 if run_id == "r2" else 0)
    hour = {SONNET: 9, OPUS: 13}[model] + 2 * (k % 2) + (5 if run_id == "r2" else 0)
    return DEC1 + timedelta(days=day, hours=hour, seconds=rng.randint(0, 3_000))


def run_attempts(rng: random.Random) -> tuple[list[dict], list[Session]]:
    """Run every planned attempt as one Claude Code session; return run-log rows and sessions."""
    rows, sessions = [], []
    for model, run_id, task, plan in plans():
        clock = first_start(rng, model, run_id, task)
        for i, letter in enumerate(plan, start=1):
            key, sid = (model, run_id, task, i), new_uuid(rng)
            kind = {SYNTHETIC: "synthetic", TRUNCATED: "truncated"}.get(key, "ok")
            kind = "error" if letter == "E" and kind == "ok" else kind
            reprompts = 0 if letter == "E" else rng.choices((0, 1, 2), (70, 22, 8))[0]
            target = 200_000 if key == EXACT_200K else LONG_CONTEXT.get(key)
            branch = f"bench/{task.lower()}-{run_id}"
            s = run_session(rng, sid, model, branch, clock, reprompts=reprompts, kind=kind,
                            target=target)  # fmt: skip
            row = {"task_id": task, "model": model, "run_id": run_id, "attempt": i}
            row["started_at"] = ts_s(s.first - timedelta(seconds=rng.randint(3, 20)))
            row["ended_at"] = ts_s(s.clock + timedelta(seconds=rng.randint(5, 60)))
            row |= {"outcome": OUTCOMES[letter], "reprompts": reprompts}
            if letter != "E" and rng.random() > 0.2:  # reviewers skip some rows
                lo, hi = (2, 25) if letter == "P" else (1, 8)  # a pass takes longer to review
                row["review_minutes"] = round(rng.uniform(lo, hi), 1)
            ids = [r["request_id"] for r in s.responses] if key in LISTS_REQUEST_IDS else []
            rows.append(row | {"session_id": sid, "request_ids": ids})
            sessions.append(s)
            clock = s.clock + timedelta(minutes=rng.randint(2, 15))
    return rows, sessions


def write_run_logs(rows: list[dict]) -> tuple[int, int]:
    """All attempts go to runs.jsonl except opus on ACME-111..120, which a second operator kept as
    CSV: costlens has to merge both logs."""
    rows = sorted(rows, key=lambda r: (r["started_at"], r["model"]))
    in_csv = [r for r in rows if r["model"] == OPUS and r["task_id"] >= "ACME-111"]
    in_jsonl = [r for r in rows if r not in in_csv]
    with (BUNDLE / "runs.jsonl").open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, separators=(",", ":")) + "\n" for r in in_jsonl)
    with (BUNDLE / "runs-opus-part2.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in in_csv:
            writer.writerow(
                {"review_minutes": ""} | r | {"request_ids": ";".join(r["request_ids"])}
            )
    return len(in_jsonl), len(in_csv)


def day_factor(rng: random.Random, day: datetime) -> float:
    return (0.45 if day.weekday() >= 5 else 1.0) * rng.uniform(0.8, 1.2)  # quiet weekends


def millions(rng: random.Random, lo_hi: tuple[float, float], f: float) -> int:
    return int(rng.uniform(*lo_hi) * 1_000_000 * f)


def anthropic_row(rng, f, workspaces, spec) -> dict:
    """One usage_report result, grouped by model, service_tier, context_window and workspace."""
    model, tier, window, ws, _, uncached, read, w5, w1h, out, web = spec
    cache = {"ephemeral_5m_input_tokens": millions(rng, w5, f)}
    cache["ephemeral_1h_input_tokens"] = millions(rng, w1h, f)
    row = {"uncached_input_tokens": millions(rng, uncached, f), "cache_creation": cache}
    row["cache_read_input_tokens"] = millions(rng, read, f)
    row["output_tokens"] = millions(rng, out, f)
    row["server_tool_use"] = {"web_search_requests": int(rng.randint(0, web) * f)}
    row |= {"api_key_id": None, "workspace_id": workspaces[ws], "model": model}
    return row | {"service_tier": tier, "context_window": window}


def openai_row(rng, f, projects, spec) -> dict:
    """One usage/completions result. input_tokens includes cached; all traffic is text."""
    model, project, batch, tier, _, reqs, inp, cached, out = spec
    n_in, n_out = millions(rng, inp, f), millions(rng, out, f)
    n_cached = int(n_in * rng.uniform(*cached))
    row = {"object": "organization.usage.completions.result", "project_id": projects[project]}
    row |= {"api_key_id": None, "user_id": None, "model": model, "batch": batch}
    row |= {"service_tier": tier, "num_model_requests": int(rng.randint(*reqs) * f)}
    row |= {"input_tokens": n_in, "input_cached_tokens": n_cached, "input_cache_write_tokens": 0}
    row |= {"input_uncached_tokens": n_in - n_cached, "output_tokens": n_out}
    row |= {"input_text_tokens": n_in - n_cached, "input_cached_text_tokens": n_cached}
    row |= {"output_text_tokens": n_out, "input_audio_tokens": 0, "input_cached_audio_tokens": 0}
    row |= {"output_audio_tokens": 0, "input_image_tokens": 0, "input_cached_image_tokens": 0}
    return row | {"output_image_tokens": 0}


def anthropic_span(day: datetime) -> dict:
    return {"starting_at": ts_s(day), "ending_at": ts_s(day + timedelta(days=1))}


def openai_span(day: datetime) -> dict:
    start = int(day.timestamp())
    return {"object": "bucket", "start_time": start, "end_time": start + 86_400}


def daily_buckets(rng, traffic, make_row, ids, span, empty_days) -> list[dict]:
    """One 1d bucket per day of December 2025; empty_days report no traffic at all."""
    buckets = []
    for i in range(31):
        day = DEC1 + timedelta(days=i)
        f, todays = day_factor(rng, day), [t for t in traffic if DAYS[t[4]](day)]
        rows = [] if day.day in empty_days else [make_row(rng, f, ids, t) for t in todays]
        buckets.append(span(day) | {"results": rows})
    return buckets


def write_billing(name: str, page: dict) -> int:
    (BILLING / name).write_text(json.dumps(page, indent=2) + "\n", encoding="utf-8")
    return sum(len(bucket["results"]) for bucket in page["data"])


def write_anthropic(rng: random.Random) -> int:
    ws = ["wrkspc_01" + b62(rng, 22) for _ in range(2)]
    data = daily_buckets(rng, ANTHROPIC_TRAFFIC, anthropic_row, ws, anthropic_span, (25, 26, 27))
    page = {"data": data, "has_more": False, "next_page": None}
    return write_billing("anthropic-usage-report-2025-12.json", page)


def write_openai(rng: random.Random) -> int:
    proj = ["proj_" + b62(rng, 24) for _ in range(2)]
    data = daily_buckets(rng, OPENAI_TRAFFIC, openai_row, proj, openai_span, (25,))
    page = {"object": "page", "data": data, "has_more": False, "next_page": None}
    return write_billing("openai-usage-completions-2025-12.json", page)


def summarize(attempts, sessions, n_jsonl, n_csv, n_anthropic, n_openai) -> None:
    responses = [(s.sid, r) for s in sessions for r in s.responses]
    lines = sum(r["lines"] for _, r in responses)
    firsts = [a for a in attempts if a["run_id"] == "r1" and a["attempt"] == 1]
    passes = Counter(a["model"] for a in firsts if a["outcome"] == "pass")
    print(f"attempts: {len(attempts)} ({n_jsonl} in runs.jsonl, {n_csv} in runs-opus-part2.csv)")
    print(f"outcomes: {dict(Counter(a['outcome'] for a in attempts))}")
    print("first-attempt passes (r1): " + ", ".join(f"{m} {passes[m]}/20" for m in PLANS))
    print(f"session files: {len(sessions)} ({len(UNATTRIBUTED)} not in any run log)")
    print(f"responses (unique message.id+requestId): {len(responses)}; by model:")
    for model, n in sorted(Counter(r["model"] for _, r in responses).items()):
        print(f"  {model}: {n}")
    print(f"assistant lines: {lines} real ({lines - len(responses)} repeat an earlier line of the "
          "same response), plus 1 <synthetic> line and 1 truncated line")  # fmt: skip
    print("requests with total input >= 200,000:")
    for sid, r in responses:
        if r["total"] >= 200_000:
            print(f"  {r['request_id']} {r['total']:,} session {sid}")
    print(f"billing rows: anthropic {n_anthropic}, openai {n_openai}")


def main() -> None:
    for d in (BUNDLE, BILLING):  # start clean so stale sessions never survive a change of SEED
        shutil.rmtree(d, ignore_errors=True)
    PROJECT.mkdir(parents=True)
    BILLING.mkdir(parents=True)
    rng = random.Random(SEED)
    attempts, sessions = run_attempts(rng)
    for start, model, branch in UNATTRIBUTED:
        sessions.append(run_session(rng, new_uuid(rng), model, branch, start))
    too_long = [r for s in sessions for r in s.responses if r["total"] > 200_000]
    assert len(too_long) == 3 * len(LONG_CONTEXT), "only the planned sessions may pass 200k"
    n_jsonl, n_csv = write_run_logs(attempts)
    n_anthropic = write_anthropic(random.Random(f"{SEED}-anthropic"))
    n_openai = write_openai(random.Random(f"{SEED}-openai"))
    summarize(attempts, sessions, n_jsonl, n_csv, n_anthropic, n_openai)


if __name__ == "__main__":
    main()
