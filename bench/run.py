"""Benchmark costlens against ccusage 20.0.24 on a generated Claude Code folder.

Measures wall time and peak RSS of each command as a child process (``os.wait4``), and checks
that both report the same token totals. Targets (2-core machine) live in bench/README.md.

    python bench/run.py --files 500 --responses 1000      # ~500k responses, ~1 GB
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
CCUSAGE = os.environ.get("CCUSAGE", "ccusage")


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        sys.exit(f"{cmd[0]} failed with status {status}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def ccusage_tokens(out: str) -> dict:
    t = json.loads(out)["totals"]
    keys = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
    return {k: t[k] for k in keys}


def costlens_tokens(out: str) -> dict:
    t = json.loads(out)["tokens"]
    return {
        "inputTokens": t["input_uncached"],
        "outputTokens": t["output"],
        "cacheCreationTokens": t["cache_write_5m"] + t["cache_write_1h"],
        "cacheReadTokens": t["cache_read"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--responses", type=int, default=1000)
    ap.add_argument("--data", type=Path, default=HERE / "data")
    args = ap.parse_args()
    root = args.data / f"claude-{args.files}x{args.responses}"
    if not root.exists():
        subprocess.run(
            [
                sys.executable,
                HERE / "generate.py",
                root,
                "--files",
                str(args.files),
                "--responses",
                str(args.responses),
            ],
            check=True,
        )
    size = sum(f.stat().st_size for f in root.rglob("*.jsonl")) / 1e6
    lens = [sys.executable, "-m", "costlens"]
    t1, m1, o1 = measure([*lens, "report", str(root / "projects"), "--json", "-q"])
    env = {**os.environ, "CLAUDE_CONFIG_DIR": str(root), "TZ": "UTC"}
    t2, m2, o2 = measure([CCUSAGE, "claude", "daily", "--offline", "--json"], env)
    same = costlens_tokens(o1) == ccusage_tokens(o2)
    print(f"input: {size:.0f} MB in {args.files} files")
    print(f"costlens: {t1:6.2f} s  {m1:7.0f} MB peak RSS")
    print(f"ccusage : {t2:6.2f} s  {m2:7.0f} MB peak RSS")
    print(f"token totals equal: {same}")


if __name__ == "__main__":
    main()
