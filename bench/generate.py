"""Generate a large synthetic Claude Code ``projects/`` folder for benchmarks.

Shaped like real logs (see tests/fixtures/claude_code/spotter): per response 1-3 assistant lines
with the same message.id / requestId, about 70% of lines without usage (progress, user turns),
and ~1 KB of placeholder content per line. Deterministic for a given seed.

    python bench/generate.py bench/data/claude --files 500 --responses 1000
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

FILLER = "x" * 900
MODELS = ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"]


def _assistant(rng: random.Random, sid: str, n: int, part: int, out: int, ts: str) -> str:
    usage = {
        "input_tokens": rng.randint(1, 9),
        "cache_creation_input_tokens": 2000,
        "cache_read_input_tokens": 1000 * n,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 2000},
        "output_tokens": out,
        "service_tier": "standard",
    }
    line = {
        "parentUuid": None, "isSidechain": False, "userType": "external", "cwd": "/work/x",
        "sessionId": sid, "version": "2.1.38", "gitBranch": "main", "type": "assistant",
        "message": {"model": MODELS[n % 3], "id": f"msg_{sid[:8]}{n:06d}", "type": "message",
                    "role": "assistant", "content": [{"type": "text", "text": FILLER}],
                    "usage": usage},
        "requestId": f"req_{sid[:8]}{n:06d}", "uuid": f"{sid}-{n}-{part}", "timestamp": ts,
    }  # fmt: skip
    return json.dumps(line, separators=(",", ":"))


def _other(sid: str, n: int, ts: str) -> str:
    line = {"type": "progress", "sessionId": sid, "data": {"type": "hook_progress",
            "command": FILLER}, "timestamp": ts, "uuid": f"p-{sid}-{n}"}  # fmt: skip
    return json.dumps(line, separators=(",", ":"))


def session(rng: random.Random, sid: str, responses: int) -> list[str]:
    lines = []
    for n in range(responses):
        ts = f"2025-12-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00.000Z"
        parts = rng.randint(1, 3)
        final = rng.randint(50, 2000)
        for p in range(parts):
            lines.append(_assistant(rng, sid, n, p, final if p == parts - 1 else 1, ts))
        lines.extend(_other(sid, n * 10 + k, ts) for k in range(rng.randint(2, 5)))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--responses", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    folder = args.out / "projects" / "-work-bench"
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(args.files):
        sid = f"{rng.getrandbits(128):032x}"
        (folder / f"{sid}.jsonl").write_text("\n".join(session(rng, sid, args.responses)) + "\n")
    print(f"wrote {args.files} files to {folder}")


if __name__ == "__main__":
    main()
