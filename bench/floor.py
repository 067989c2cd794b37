"""The floor of this stack on a Claude Code projects folder, side by side with ccusage.

What is the least a Python + polars program can take to read the usage fields of every line of
the folder that ``bench/run.py``'s folder case reads? Each way below is a whole child process
(Python start, imports, walk, read), measured like run.py's cases (wall, CPU = user + system,
peak RSS, from ``os.wait4``), alternating with ccusage in the same run, best of ``--repeat``.
None of them identifies formats, checks encodings, de-duplicates, prices or reports: they are
lower bounds for ``costlens report``, not rivals of it. Each prints how many usage lines it
decoded and their output-token sum, and these must agree across the ways (the sums are not
ccusage's totals: nothing here removes the repeated lines of a response).

    python bench/floor.py                        # every way, on $BENCH_DATA/claude-5000
    python bench/floor.py --ways start,import,blob --repeat 5

The ways (each includes the ones before it where it says "+"):

- ``start``: the interpreter alone; ``import``: + ``import polars``; ``stack``: + pydantic,
  narwhals and click (what costlens imports besides itself).
- ``walk``: + the walk (``os.walk``, ``.jsonl`` names, sorted).
- ``bytes``: + every file's bytes read into Python (in packs of ``--pack`` MB, dropped after).
- ``blob``: + ``read_ndjson`` of each pack with a narrow explicit schema (every line decoded).
- ``filtered``: + the pack's lines that contain ``"usage"`` picked first (``scan_lines``, a
  literal ``contains``), joined, and only they given to ``read_ndjson``.
- ``linedecode``: + the same lines decoded in place with ``str.json_decode`` (costlens's way).
- ``pipelined``: ``linedecode`` with the next pack read (Python, GIL released in ``read``) while
  polars decodes the one before on another thread.
- ``scan``: ``scan_ndjson`` over the list of paths with the schema (no Python bytes at all).
- ``lines``: ``scan_lines`` over the list of paths, filter, ``str.json_decode``.
- ``*-1t``: the same with ``POLARS_MAX_THREADS=1``.
- ``costlens``: ``costlens report --json`` itself, for comparison.

Results and what they mean for the 0.5x target: docs/performance.md ("The floor").
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
WAYS = (
    "start", "import", "stack", "walk", "bytes", "blob", "filtered", "linedecode", "scan",
    "lines", "pipelined", "linedecode-1t", "pipelined-1t", "costlens",
)  # fmt: skip


def schema():  # type: ignore[no-untyped-def]
    """The usage fields costlens's Claude Code reader decodes (adapters/claude_code.LINE),
    written out here so this floor imports nothing of costlens."""
    import polars as pl

    i = pl.Int64
    split = pl.Struct({"ephemeral_5m_input_tokens": i, "ephemeral_1h_input_tokens": i})
    usage = pl.Struct(
        {"input_tokens": i, "output_tokens": i, "cache_creation_input_tokens": i,
         "cache_read_input_tokens": i, "cache_creation": split, "service_tier": pl.String,
         "speed": pl.String}
    )  # fmt: skip
    message = pl.Struct({"id": pl.String, "model": pl.String, "usage": usage})
    inner = pl.Struct({"timestamp": pl.String, "requestId": pl.String, "message": message})
    return {
        "timestamp": pl.String, "sessionId": pl.String, "requestId": pl.String,
        "isSidechain": pl.Boolean, "message": message,
        "data": pl.Struct({"message": inner}),
    }  # fmt: skip


def walk(root: str) -> list[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out.extend(os.path.join(folder, f) for f in files if f.endswith(".jsonl"))
    return sorted(out)


def packs(paths: list[str], limit: int) -> list[bytes]:
    """The files' bytes joined into packs of about ``limit`` bytes, read one at a time."""
    chunk: list[bytes] = []
    size = 0
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        if not data.endswith(b"\n"):
            data += b"\n"
        chunk.append(data)
        size += len(data)
        if size >= limit:
            yield b"".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield b"".join(chunk)


def tally(frames) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(usage lines, output tokens) of decoded lines: direct and agent-progress usage."""
    import polars as pl

    df = pl.concat(frames, how="vertical")
    direct = pl.col("message").struct.field("usage")
    inner = pl.col("data").struct.field("message").struct.field("message").struct.field("usage")
    u = pl.coalesce(direct, inner)
    got = df.filter(u.is_not_null()).select(n=pl.len(), out=u.struct.field("output_tokens").sum())
    return got["n"].item(), got["out"].item()


def child(way: str, root: str, pack_mb: float) -> None:
    if way == "start":
        return print("0 0")
    import polars as pl

    if way == "stack":
        import click  # noqa: F401
        import narwhals  # noqa: F401
        import pydantic  # noqa: F401
    if way in ("import", "stack"):
        return print("0 0")
    paths = walk(root)
    if way == "walk":
        return print(f"{len(paths)} 0")
    sch = schema()
    has = pl.col("line").str.contains('"usage"', literal=True)
    limit = int(pack_mb * 2**20)
    if way == "scan":
        return print(*tally([pl.scan_ndjson(paths, schema=sch).collect()]))
    if way == "lines":
        lf = pl.scan_lines(paths, name="line").filter(has)
        rec = lf.select(r=pl.col("line").str.json_decode(pl.Struct(sch))).unnest("r")
        return print(*tally([rec.collect(engine="streaming")]))
    if way == "pipelined":
        return print(*tally(pipelined(paths, limit, has, sch)))
    frames, size = [], 0
    for blob in packs(paths, limit):
        size += len(blob)
        if way == "bytes":
            continue
        if way == "blob":
            frames.append(pl.read_ndjson(blob, schema=sch))
            continue
        lines = pl.scan_lines(blob, name="line").filter(has)
        if way == "filtered":
            joined = lines.select(pl.col("line").str.join("\n")).collect().item()
            frames.append(pl.read_ndjson(joined.encode(), schema=sch))
        else:  # linedecode
            rec = lines.select(r=pl.col("line").str.json_decode(pl.Struct(sch))).unnest("r")
            frames.append(rec.collect())
    print(*(tally(frames) if frames else (size, 0)))


def pipelined(paths: list[str], limit: int, has, sch) -> list:  # type: ignore[no-untyped-def]
    """Each pack decoded on a worker thread while the main thread reads the next one."""
    from concurrent.futures import ThreadPoolExecutor

    import polars as pl

    def decode(blob: bytes):  # type: ignore[no-untyped-def]
        lines = pl.scan_lines(blob, name="line").filter(has)
        return lines.select(r=pl.col("line").str.json_decode(pl.Struct(sch))).unnest("r").collect()

    out, pending = [], []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for blob in packs(paths, limit):
            pending.append(pool.submit(decode, blob))
            if len(pending) > 2:  # at most three packs' bytes alive at once
                out.append(pending.pop(0).result())
        return out + [f.result() for f in pending]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA", HERE / "data")))
    ap.add_argument("--ways", default=",".join(WAYS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pack", type=float, default=16, help="MB per pack (bytes, blob, ...)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    root = a.data / "claude-5000"
    if a.child:
        return child(a.child, str(root / "projects"), a.pack)
    sys.path.insert(0, str(HERE))
    import run  # bench/run.py: measure, ccusage

    run.generate("claude", root, "--files", "5000", "--mb", "200")
    print(f"machine: {run.machine()}")
    print(f"folder: {root} ({run.size_mb(root / 'projects')[0]} files), best of {a.repeat}\n")
    floor(a, root, run)


def floor(a: argparse.Namespace, root: Path, run) -> None:  # type: ignore[no-untyped-def]
    cmds = {"ccusage 20.0.24": ([run.CCUSAGE, "claude", "daily", "--offline", "--json"],
                                run.ccusage_env(root))}  # fmt: skip
    for way in a.ways.split(","):
        if way == "costlens":  # the real thing, for comparison
            cmds[way] = ([*run.LENS, "report", str(root / "projects"), "--json", "-q"], None)
            continue
        env = None
        if way.endswith("-1t"):
            env = {**os.environ, "POLARS_MAX_THREADS": "1"}
        base = way.removesuffix("-1t")
        cmd = [sys.executable, __file__, "--child", base, "--pack", str(a.pack)]
        cmds[way] = ([*cmd, "--data", str(a.data)], env)
    got = run.side_by_side(cmds, a.repeat)
    cc = got["ccusage 20.0.24"]
    print("| way | wall s | CPU s | peak RSS MB | wall / ccusage | RSS / ccusage | usage lines, "
          "output tokens |\n|---|---|---|---|---|---|---|")  # fmt: skip
    for way, r in got.items():
        note = "" if way.startswith("ccusage") or way == "costlens" else r.out.strip()
        print(f"| {way} | {r.wall:.2f} | {r.cpu:.2f} | {r.rss_mb:.0f} | {r.wall / cc.wall:.2f}x "
              f"| {r.rss_mb / cc.rss_mb:.2f}x | {note} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
