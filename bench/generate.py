"""Generate benchmark inputs shaped like real use (deterministic for a seed).

    python bench/generate.py claude OUT --files 5000 --mb 200   # a Claude Code config dir
    python bench/generate.py bigfile OUT --mb 5000              # one long session file
    python bench/generate.py bigline OUT --mb 1024              # one session with a 1 GiB line
    python bench/generate.py codex OUT --files 300              # ~/.codex/sessions tree
    python bench/generate.py billing OUT --rows 1000000         # an AWS CUR 2.0 export

Shapes follow the real Claude Code 2.1.x folders in /work/shared/samples-public (marot/spotter,
MIT) and docs/performance.md: session sizes are log-normal (many files of a few KB, a tail of a
few MB); a response is logged on 1-5 assistant lines with the same ``message.id`` /
``requestId`` (37/49/8/5/1 %, as in spotter session 4d5611e5); about 80% of lines carry no usage
(progress, user tool results, system, snapshots); about 40% of sessions start sub-agents whose
files sit at ``<session>/subagents/agent-<id>.jsonl`` (sidechain lines, some replaying the
parent's message under a new request id) and whose responses the parent also logs in
``agent_progress`` lines; about 5% of sessions are resumed copies that replay an earlier
session's lines. Field layout copies the real lines; all text is placeholder.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"]
MODEL_WEIGHTS = [0.55, 0.35, 0.10]
PARTS = [1, 2, 3, 4, 5]
PART_WEIGHTS = [37, 49, 8, 5, 1]
START = datetime(2026, 1, 5, tzinfo=UTC)
VERSION = "2.1.39"
BYTES_PER_RESPONSE = 14_500  # measured on this generator's output, to aim at --mb


def _dump(obj: dict) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _text(rng: random.Random, median: int, cap: int = 60_000) -> str:
    """Placeholder content with a log-normal length (real tool output is heavy-tailed)."""
    return "x" * min(cap, int(rng.lognormvariate(math.log(median), 1.3)))


class Session:
    """Writes one session's lines (and its sub-agent files) in Claude Code's layout."""

    def __init__(self, rng: random.Random, sid: str, cwd: str, t: datetime) -> None:
        self.rng, self.sid, self.cwd, self.t = rng, sid, cwd, t
        self.lines: list[str] = []
        self.agents: dict[str, list[str]] = {}
        self.responses: list[tuple[str, str]] = []  # (message.id, requestId) of the main chain
        self.last: dict = {}

    def _base(self, kind: str, side: bool, agent: str | None) -> dict:
        d = {"parentUuid": self._uuid(), "isSidechain": side, "userType": "external",
             "cwd": self.cwd, "sessionId": self.sid, "version": VERSION,
             "gitBranch": "main"}  # fmt: skip
        if agent:
            d["agentId"] = agent
        d["type"] = kind
        return d

    def _uuid(self) -> str:
        r = self.rng.getrandbits(128)
        return (
            f"{r:032x}"[:8]
            + "-"
            + f"{r:032x}"[8:12]
            + "-4"
            + f"{r:032x}"[13:16]
            + "-8abc-"
            + f"{r:032x}"[20:]
        )

    def _tick(self, lo: float, hi: float) -> str:
        self.t += timedelta(seconds=self.rng.uniform(lo, hi))
        return _ts(self.t)

    def _usage(self, out: int, first: bool) -> dict:
        r = self.rng
        write = r.choice([0, 0, r.randint(200, 30_000)])
        return {
            "input_tokens": r.randint(1, 12) if not first else r.randint(3, 5000),
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": r.randint(5_000, 150_000),
            "cache_creation": {"ephemeral_5m_input_tokens": write, "ephemeral_1h_input_tokens": 0},
            "output_tokens": out,
            "service_tier": "standard",
            "inference_geo": "global",
        }

    def response(self, side: bool, agent: str | None, out: list[str]) -> dict:
        """One API response logged on 1-5 lines; returns the final assistant record."""
        r = self.rng
        mid = "msg_01" + "".join(
            r.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", k=22)
        )
        req = "req_011C" + "".join(
            r.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789", k=20)
        )
        model = "claude-haiku-4-5-20251001" if agent else r.choices(MODELS, MODEL_WEIGHTS)[0]
        parts = r.choices(PARTS, PART_WEIGHTS)[0]
        usage = self._usage(r.randint(1, 9), first=not self.responses)
        rec: dict = {}
        for p in range(parts):
            if p == parts - 1:
                usage = {**usage, "output_tokens": r.randint(20, 4000)}
            rec = self._base("assistant", side, agent)
            rec["message"] = {
                "model": model, "id": mid, "type": "message", "role": "assistant",
                "content": [{"type": "text", "text": _text(r, 120)}],
                "stop_reason": None, "stop_sequence": None, "usage": dict(usage),
            }  # fmt: skip
            rec.update(requestId=req, uuid=self._uuid(), timestamp=self._tick(0.2, 3))
            out.append(_dump(rec))
        if not side:
            self.responses.append((mid, req))
            self.last = rec
        return rec

    def others(self, side: bool, agent: str | None, out: list[str]) -> None:
        """The lines between responses: a tool result and progress lines, none with usage."""
        r = self.rng
        u = self._base("user", side, agent)
        u["message"] = {"role": "user", "content": [{"tool_use_id": "toolu_01" + "x" * 22,
                        "type": "tool_result", "content": _text(r, 400)}]}  # fmt: skip
        u.update(uuid=self._uuid(), timestamp=self._tick(0.5, 20))
        out.append(_dump(u))
        for _ in range(r.choices([0, 2, 5, 10, 20], [15, 25, 30, 20, 10])[0]):
            p = self._base("progress", side, agent)
            p["data"] = {"type": "hook_progress", "hookEvent": "PostToolUse",
                         "hookName": "PostToolUse:Read", "command": _text(r, 60, 400)}  # fmt: skip
            p.update(parentToolUseID="toolu_01" + "y" * 22, toolUseID="toolu_01" + "y" * 22,
                     timestamp=self._tick(0, 1), uuid=self._uuid())  # fmt: skip
            out.append(_dump(p))
        if r.random() < 0.03:
            s = self._base("system", side, agent)
            s.update(subtype="stop_hook_summary", hookCount=2, level="suggestion",
                     timestamp=self._tick(0, 1), uuid=self._uuid())  # fmt: skip
            out.append(_dump(s))

    def agent(self) -> None:
        """A sub-agent: its own file, plus agent_progress lines in the parent for its replies."""
        r = self.rng
        aid = f"a{r.getrandbits(28):07x}"
        lines: list[str] = []
        if self.responses and r.random() < 0.3:  # replay of the parent's message, new request
            rep = {**self.last, "isSidechain": True, "agentId": aid}
            rep["requestId"] = rep["requestId"][:-4] + "Rply"
            lines.append(_dump(rep))
        for _ in range(max(1, int(r.lognormvariate(math.log(6), 0.9)))):
            rec = self.response(True, aid, lines)
            self.others(True, aid, lines)
            if r.random() < 0.5:
                prog = self._base("progress", False, None)
                prog["data"] = {"message": {"type": "assistant", "message": rec["message"],
                                "requestId": rec["requestId"], "uuid": rec["uuid"],
                                "timestamp": rec["timestamp"]},
                                "normalizedMessages": [], "type": "agent_progress",
                                "prompt": "(placeholder)", "agentId": aid}  # fmt: skip
                prog.update(toolUseID="agent_" + rec["message"]["id"], timestamp=rec["timestamp"],
                            uuid=self._uuid())  # fmt: skip
                self.lines.append(_dump(prog))
        self.agents[f"agent-{aid}.jsonl"] = lines

    def build(self, responses: int) -> None:
        r = self.rng
        snap = {"type": "file-history-snapshot", "messageId": self._uuid(),
                "snapshot": {"messageId": self._uuid(), "trackedFileBackups": {},
                             "timestamp": _ts(self.t)}, "isSnapshotUpdate": False}  # fmt: skip
        self.lines.append(_dump(snap))
        for _ in range(responses):
            self.response(False, None, self.lines)
            self.others(False, None, self.lines)
            if r.random() < 0.004:
                self.agent()


def claude(out: Path, files: int, mb: float, seed: int) -> None:
    """A ``projects/`` folder of about ``files`` files and ``mb`` MB."""
    rng = random.Random(seed)
    sessions = max(1, int(files / 1.6))  # ~0.6 sub-agent files per session on average
    mean = max(1.0, mb * 1e6 / BYTES_PER_RESPONSE / sessions)
    sigma = 1.4
    median = mean / math.exp(sigma * sigma / 2)
    projects = [f"-home-dev-src-proj{i:02d}" for i in range(max(1, sessions // 150))]
    written: list[list[str]] = []
    n_files = 0
    for _ in range(sessions):
        sid = "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}".format(
            *(rng.getrandbits(b) for b in (32, 16, 12, 12, 48))
        )
        project = rng.choice(projects)
        s = Session(
            rng,
            sid,
            "/home/dev/src/" + project[-6:],
            START + timedelta(hours=rng.uniform(0, 24 * 55)),
        )
        if written and rng.random() < 0.05:  # a resumed session replays an earlier one
            old = rng.choice(written)
            s.lines.extend(old[: rng.randint(1, len(old))])
        s.build(min(4000, max(1, int(rng.lognormvariate(math.log(median), sigma)))))
        if rng.random() < 0.35 and not s.agents:
            for _ in range(rng.choice([1, 1, 2, 3])):
                s.agent()
        folder = out / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{sid}.jsonl").write_text("\n".join(s.lines) + "\n")
        for name, lines in s.agents.items():
            sub = folder / sid / "subagents"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / name).write_text("\n".join(lines) + "\n")
        n_files += 1 + len(s.agents)
        if len(written) < 50:
            written.append(s.lines)
    size = sum(f.stat().st_size for f in (out / "projects").rglob("*.jsonl"))
    print(f"wrote {n_files} files, {size / 1e6:.0f} MB under {out / 'projects'}")


def _single(out: Path, name: str, number: int, n: int, seed: int) -> tuple[Path, Session]:
    """A session of ``n`` responses in its own project folder ``-home-dev-src-<name>``."""
    folder = out / "projects" / f"-home-dev-src-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    sid = f"0b1a5e55-0000-4000-8000-{number:012d}"
    s = Session(random.Random(seed), sid, f"/home/dev/src/{name}", START)
    s.build(n)
    return folder / f"{sid}.jsonl", s


def bigfile(out: Path, mb: float, seed: int) -> None:
    """One session file of ``mb`` MB (a long-running agent).

    One block of 2,000 responses (~30 MB) is built once and written again and again, each
    copy with its own message and request ids (the block number in their prefix, so no copy
    is a replay of another); the copies share their timestamps. ~1 min for 5 GB where
    building every line took ~30 min.
    """
    path, s = _single(out, "big", 1, 2000, seed)
    s.agents.clear()
    block = "\n".join(s.lines) + "\n"
    assert '"msg_00' not in block and '"req_00' not in block
    target, done, k = mb * 1e6, 0, 0
    with open(path, "w") as f:
        while done < target:
            ids = f"{k:04x}"
            copy = block.replace('"msg_01', f'"msg_0{ids}').replace('"req_011C', f'"req_0{ids}')
            f.write(copy)
            done += len(copy)
            k += 1
    print(f"wrote {path.stat().st_size / 1e6:.0f} MB to {path}")


def bigline(out: Path, mb: float, seed: int) -> None:
    """A small session whose one user line holds ``mb`` MiB of text (a pasted log)."""
    path, s = _single(out, "line", 2, 50, seed)
    u = s._base("user", False, None)
    u["message"] = {"role": "user", "content": "@@BODY@@"}
    u.update(uuid=s._uuid(), timestamp=s._tick(1, 2))
    head, tail = _dump(u).split("@@BODY@@")
    with open(path, "w") as f:
        f.write("\n".join(s.lines[:60]) + "\n" + head)
        block = "y" * (1 << 20)
        for _ in range(int(mb)):
            f.write(block)
        f.write(tail + "\n" + "\n".join(s.lines[60:]) + "\n")
    print(f"wrote a {int(mb)} MiB line to {path.parent}")


def codex(out: Path, files: int, seed: int) -> None:
    """Codex CLI rollouts: session_meta, turn_context, response items, cumulative token_count."""
    rng = random.Random(seed)
    for i in range(files):
        t = START + timedelta(hours=rng.uniform(0, 24 * 55))
        sid = f"019e{i:04x}-aaaa-7bbb-8ccc-{rng.getrandbits(48):012x}"
        day = out / "sessions" / t.strftime("%Y/%m/%d")
        day.mkdir(parents=True, exist_ok=True)
        meta = {"id": sid, "timestamp": _ts(t), "cwd": "/home/dev/src",
                "originator": "codex_cli_rs", "cli_version": "0.150.0", "instructions": None,
                "model_provider": "openai"}  # fmt: skip
        lines = [_dump({"timestamp": _ts(t), "type": "session_meta", "payload": meta})]
        model = rng.choice(["gpt-5-codex", "gpt-5", "gpt-5-mini"])
        lines.append(_dump({"timestamp": _ts(t), "type": "turn_context", "payload": {
            "cwd": "/home/dev/src", "approval_policy": "on-request", "model": model,
            "effort": "medium", "summary": "auto"}}))  # fmt: skip
        tot = {"input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0,
               "reasoning_output_tokens": 0, "total_tokens": 0}  # fmt: skip
        for _ in range(max(1, int(rng.lognormvariate(math.log(30), 1.0)))):
            t += timedelta(seconds=rng.uniform(2, 60))
            item = {"type": "function_call_output", "call_id": "call_x", "output": _text(rng, 500)}
            lines.append(_dump({"timestamp": _ts(t), "type": "response_item", "payload": item}))
            last = {
                "input_tokens": rng.randint(2000, 90000),
                "output_tokens": rng.randint(10, 3000),
            }
            last["cached_input_tokens"] = rng.randint(0, last["input_tokens"])
            last["reasoning_output_tokens"] = rng.randint(0, last["output_tokens"])
            last["total_tokens"] = last["input_tokens"] + last["output_tokens"]
            tot = {k: tot[k] + last[k] for k in tot}
            info = {
                "total_token_usage": dict(tot),
                "last_token_usage": last,
                "model_context_window": 272000,
            }
            event = {"type": "token_count", "info": info, "rate_limits": None}
            lines.append(_dump({"timestamp": _ts(t), "type": "event_msg", "payload": event}))
            if rng.random() < 0.3:  # re-emitted unchanged total
                lines.append(lines[-1])
        name = f"rollout-{t.strftime('%Y-%m-%dT%H-%M-%S')}-{sid}.jsonl"
        (day / name).write_text("\n".join(lines) + "\n")
    print(f"wrote {files} rollouts under {out / 'sessions'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["claude", "bigfile", "bigline", "codex", "billing"])
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--mb", type=float, default=200)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    if a.what == "claude":
        claude(a.out, a.files, a.mb, a.seed)
    elif a.what == "bigfile":
        bigfile(a.out, a.mb, a.seed)
    elif a.what == "bigline":
        bigline(a.out, a.mb, a.seed)
    elif a.what == "billing":
        from billing import cur  # bench/billing.py (polars, column-wise)

        cur(a.out, a.rows, a.seed)
    else:
        codex(a.out, a.files, a.seed)


if __name__ == "__main__":
    main()
