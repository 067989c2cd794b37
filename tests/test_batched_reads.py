"""Files read many at a time (issue 11): packs of files read as one query.

Codex: each file's cumulative totals, model and session stay its own, exactly as if the file
were read alone. Claude Code: a cleaned copy of a file (costlens.inputs) is what is read.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
from conftest import FIXTURES

from costlens.discover import discover

TURN = '{"timestamp":"2026-05-13T09:00:00.000Z","type":"turn_context","payload":{"model":"gpt-5"}}'
META = '{"timestamp":"2026-05-13T09:00:00.000Z","type":"session_meta","payload":{"id":"sess-a"}}'


def _count(t: str, inp: int, out: int) -> str:
    usage = f'{{"input_tokens":{inp},"cached_input_tokens":0,"output_tokens":{out}}}'
    return (
        f'{{"timestamp":"{t}","type":"event_msg","payload":{{"type":"token_count",'
        f'"info":{{"total_token_usage":{usage}}}}}}}'
    )


def test_totals_model_and_session_do_not_carry_into_the_next_file(tmp_path: Path):
    a = tmp_path / "rollout-a.jsonl"
    a.write_text("\n".join([META, TURN, _count("2026-05-13T09:01:00.000Z", 1000, 100)]) + "\n")
    # b has no session_meta and no turn_context, and a smaller running total than a's
    b = tmp_path / "rollout-b.jsonl"
    b.write_text(_count("2026-05-13T10:00:00.000Z", 300, 30) + "\n")
    u = discover([a, b]).usage.sort("source_file")
    assert u["input_uncached"].to_list() == [1000, 300]  # b's is not 300 - 1000 (went down)
    assert u["output"].to_list() == [100, 30]
    assert u["model"].to_list() == ["gpt-5", None]
    assert u["session_id"].to_list() == ["sess-a", None]


def test_fixtures_read_together_give_what_each_gives_alone():
    files = sorted((FIXTURES / "codex").glob("*.jsonl"))
    both = discover(files)
    alone = [discover([f]) for f in files]
    key = ["source_file", "source_line"]
    assert both.usage.sort(key).equals(pl.concat([g.usage for g in alone]).sort(key))
    issues = pl.concat([g.issues for g in alone])
    assert both.issues.sort([*key, "reason"]).equals(issues.sort([*key, "reason"]))
    # counts from the fixture files: 3 and 2 lines with usage; 5 and 1 lines without
    assert both.usage.height == 3 + 2
    skipped = both.issues.filter(pl.col("reason") == "line carries no usage")["count"].sum()
    assert skipped == 5 + 1


CLAUDE_LINE = (
    '{"type":"assistant","sessionId":"s1","uuid":"u1","timestamp":"2026-02-12T16:02:27.718Z",'
    '"requestId":"req_1","message":{"id":"msg_1","model":"claude-sonnet-4-5-20250929",'
    '"usage":{"input_tokens":%d,"output_tokens":7}}}\n'
)


def test_a_cleaned_copy_is_what_a_batched_reader_reads(tmp_path):
    # A file with a byte-order mark is read from a cleaned copy (costlens.inputs) that prints
    # as the original; the packs of the batched readers must open the copy, not the original
    # (whose first line, mark included, is not a JSON object).
    folder = tmp_path / "projects" / "-home-me-app"
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + (CLAUDE_LINE % 11).encode())
    (folder / "b.jsonl").write_text(
        CLAUDE_LINE.replace("req_1", "req_2").replace("msg_1", "msg_2") % 13
    )
    got = discover([tmp_path / "projects"])
    assert sorted(got.usage["input_uncached"].to_list()) == [11, 13]
    assert got.issues.filter(pl.col("kind") == "rejected").height == 0


def test_a_record_without_time_is_dated_by_its_own_file(tmp_path):
    # Rows of several files are read in one query; a record with no timestamp takes its own
    # file's modification time, not that of the first file of the pack.
    folder = tmp_path / "projects" / "-home-me-app"
    folder.mkdir(parents=True)
    line = CLAUDE_LINE.replace('"timestamp":"2026-02-12T16:02:27.718Z",', "")
    when = {"a.jsonl": 1_700_000_000, "b.jsonl": 1_750_000_000}
    for i, (name, t) in enumerate(when.items()):
        f = folder / name
        f.write_text(line.replace("req_1", f"req_{i}").replace("msg_1", f"msg_{i}") % 5)
        os.utime(f, (t, t))
    got = discover([tmp_path / "projects"]).usage.sort("source_file")
    stamps = [int(t.timestamp()) for t in got["period_start"]]
    assert stamps == list(when.values())
    assert set(got["time_source"]) == {"file_mtime"}


def test_files_read_in_pieces_give_what_they_give_whole(monkeypatch):
    # A file of PACK_BYTES or more is read in pieces cut at line ends (here pieces of ~300
    # bytes): cumulative Codex totals, line numbers and issues are those of the whole file.
    from costlens.adapters import _packs

    files = sorted((FIXTURES / "codex").glob("*.jsonl"))
    whole = discover(files)
    monkeypatch.setattr(_packs, "PACK_BYTES", 300)
    assert all(f.stat().st_size >= 300 for f in files)
    pieces = discover(files)
    assert pieces.usage.equals(whole.usage)
    assert pieces.issues.equals(whole.issues)
