"""Benchmark costlens side by side with ccusage 20.0.24 on real-shaped inputs.

Every command runs as a child process; wall time, CPU time (user + system) and peak RSS come
from ``os.wait4``. Each is run ``--repeat`` times, costlens and ccusage alternating, and the
best run of each is kept, so a shared machine's noise hits both alike. Token totals of the
two tools must agree on every Claude Code case. Results and history: docs/performance.md.

    python bench/run.py                       # every case
    python bench/run.py --cases folder,cli    # a subset
    python bench/run.py --cases floor         # bench/floor.py: the stack's lower bound

ccusage: ``npm install ccusage@20.0.24`` in a scratch folder and point ``CCUSAGE`` at its
native binary (``node_modules/@ccusage/ccusage-linux-x64/bin/ccusage``); it runs as
tests/fixtures/claude_edge/README.md says: ``ccusage claude daily --offline --json`` with
``TZ=UTC``, an empty ``HOME`` and ``CLAUDE_CONFIG_DIR`` naming the generated folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
CCUSAGE = os.environ.get(
    "CCUSAGE", "/work/ccusage/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage"
)
LENS = [sys.executable, "-m", "costlens"]
CASES = ("cli", "folder", "codex", "billing", "rows", "bigfile", "bigline")


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    out: str


def measure(cmd: list[str], env: dict | None = None) -> Run:
    """Wall, CPU and peak RSS of one child process (fails loudly on a non-zero exit)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, use = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status:
        sys.exit(f"{' '.join(map(str, cmd))} failed with status {status}")
    return Run(wall, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024, out)


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def side_by_side(cmds: dict[str, tuple[list[str], dict | None]], repeat: int) -> dict[str, Run]:
    """Run each command ``repeat`` times, alternating, and keep each one's fastest run."""
    got: dict[str, list[Run]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for name, (cmd, env) in cmds.items():
            got[name].append(measure(cmd, env))
    return {k: best(v) for k, v in got.items()}


def ccusage_env(config_dir: Path) -> dict:
    home = Path("/tmp/costlens-bench-empty-home")
    home.mkdir(exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "TZ": "UTC",
            "CLAUDE_CONFIG_DIR": str(config_dir)}  # fmt: skip


def ccusage_tokens(out: str) -> dict:
    t = json.loads(out)["totals"]
    return {
        k: t[k] for k in ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
    }


def costlens_tokens(out: str) -> dict:
    t = json.loads(out)["tokens"]
    return {
        "inputTokens": t["input_uncached"],
        "outputTokens": t["output"],
        "cacheCreationTokens": t["cache_write_5m"] + t["cache_write_1h"],
        "cacheReadTokens": t["cache_read"],
    }


def generate(what: str, out: Path, *args: str) -> Path:
    if not out.exists():
        subprocess.run([sys.executable, HERE / "generate.py", what, out, *args], check=True)
    return out


def size_mb(root: Path) -> tuple[int, float]:
    files = [f for f in root.rglob("*.jsonl") if f.is_file()]
    return len(files), sum(f.stat().st_size for f in files) / 1e6


def row(case: str, tool: str, r: Run, note: str = "") -> None:
    print(f"| {case} | {tool} | {r.wall:.2f} | {r.cpu:.2f} | {r.rss_mb:.0f} | {note} |", flush=True)


def versus(case: str, config: Path, repeat: int) -> None:
    """costlens ``report --json`` against ccusage ``claude daily`` on one config folder."""
    n, mb = size_mb(config / "projects")
    got = side_by_side(
        {
            "costlens": ([*LENS, "report", str(config / "projects"), "--json", "-q"], None),
            "ccusage": ([CCUSAGE, "claude", "daily", "--offline", "--json"], ccusage_env(config)),
        },
        repeat,
    )
    lens, cc = got["costlens"], got["ccusage"]
    same = costlens_tokens(lens.out) == ccusage_tokens(cc.out)
    label = f"{case} ({n} files, {mb:.0f} MB)"
    row(label, "costlens", lens, f"tokens equal: {same}")
    row(label, "ccusage 20.0.24", cc, "")
    print(f"| {label} | ratio costlens/ccusage | {lens.wall / cc.wall:.2f}x | | "
          f"{lens.rss_mb / cc.rss_mb:.2f}x | |", flush=True)  # fmt: skip
    if not same:
        print(f"costlens {costlens_tokens(lens.out)}\nccusage  {ccusage_tokens(cc.out)}")


def case_cli(data: Path, repeat: int) -> None:
    for flag in ("--version", "--help"):
        row(f"costlens {flag}", "costlens", best([measure([*LENS, flag]) for _ in range(repeat)]))


def case_folder(data: Path, repeat: int) -> None:
    root = generate("claude", data / "claude-5000", "--files", "5000", "--mb", "200")
    versus("projects folder", root, repeat)


def case_codex(data: Path, repeat: int) -> None:
    root = generate("codex", data / "codex-300", "--files", "300")
    n, mb = size_mb(root)
    r = best([measure([*LENS, "report", str(root), "--json", "-q"]) for _ in range(repeat)])
    row(f"codex sessions ({n} files, {mb:.0f} MB)", "costlens", r)


def case_billing(data: Path, repeat: int) -> None:
    """An AWS CUR 2.0 export of 1M line items (no ccusage counterpart)."""
    root = generate("billing", data / "cur-1m", "--rows", "1000000")
    mb = (root / "cur-bedrock.csv").stat().st_size / 1e6
    r = best([measure([*LENS, "report", str(root), "--json", "-q"]) for _ in range(repeat)])
    row(f"AWS CUR export (1,000,000 rows, {mb:.0f} MB)", "costlens", r)


def case_rows(data: Path, repeat: int) -> None:
    for n in (1_000_000, 10_000_000):
        cmd = [sys.executable, HERE / "stages.py", str(n)]
        r = best([measure(cmd) for _ in range(repeat)])
        row(f"{n:,} canonical rows", "price+attribute+aggregate", r, r.out.strip())


def case_bigfile(data: Path, repeat: int) -> None:
    root = generate("bigfile", data / "bigfile-5000", "--mb", "5000")
    versus("one 5 GB log", root, repeat)


def case_bigline(data: Path, repeat: int) -> None:
    root = generate("bigline", data / "bigline-1024", "--mb", "1024")
    versus("a 1 GiB single line", root, repeat)


def case_floor(data: Path, repeat: int) -> None:
    """The stack's lower bound beside ccusage (bench/floor.py; not in the default cases)."""
    cmd = [sys.executable, HERE / "floor.py", "--data", data, "--repeat", str(repeat)]
    subprocess.run(cmd, check=True)


def machine() -> str:
    info = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":")[1].strip() for ln in info if "model name" in ln), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = int(next(ln.split()[1] for ln in meminfo if ln.startswith("MemTotal")))
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (
        f"{platform.platform()}, {os.cpu_count()} cores ({cpu}), {mem / 2**20:.0f} GiB, "
        f"python {platform.python_version()}, load average {load} at start"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA", HERE / "data")))
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    a.data.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, best of {a.repeat}\n")
    print("| case | tool | wall s | CPU s | peak RSS MB | note |\n|---|---|---|---|---|---|")
    for case in a.cases.split(","):
        globals()[f"case_{case}"](a.data, a.repeat)


if __name__ == "__main__":
    main()
