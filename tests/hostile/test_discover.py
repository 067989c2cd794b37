"""Discover on hostile layouts: copies, walks, archives, links, encodings, long lines.

Every expected number is taken from the input files (line counts, the file's own rows), or is
the same report computed from the clean input; never a counter the code itself adds up.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES

import costlens
from costlens import inputs
from costlens.cli import cli
from costlens.discover import discover
from costlens.errors import StrictModeError, UnrecognisedInput

BUNDLE = SAMPLES / "bundle"
SESSIONS = sorted((BUNDLE / "claude-code").rglob("*.jsonl"))
RUNS = BUNDLE / "runs.jsonl"
ACTIVITY = FIXTURES / "openai_dashboard" / "activity.csv"
RESPONSE_LOG = FIXTURES / "openai_response_log" / "inspect_security_guide.jsonl"


def _kinds(got) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in got.issues.iter_rows(named=True):
        out[r["kind"]] = out.get(r["kind"], 0) + r["count"]
    return out


def _copy(src, dst):
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def test_same_export_twice_and_folder_plus_file_are_read_once(tmp_path):
    a = _copy(ACTIVITY, tmp_path / "exports" / "activity.csv")
    b = _copy(ACTIVITY, tmp_path / "exports" / "activity (1).csv")
    once = discover([ACTIVITY])
    got = discover([tmp_path / "exports", a, b])
    assert got.usage.height == once.usage.height
    assert got.usage["input_uncached"].sum() == once.usage["input_uncached"].sum()
    dupes = got.issues.filter(got.issues["kind"] == "duplicate file")
    # The walk reads "activity (1).csv" first (byte order); the walk's activity.csv and both
    # files named again are the same content.
    assert sorted(dupes["source_file"]) == sorted([str(a), str(a), str(b)])
    assert set(dupes["reason"]) == {f"same content as {b}; read once"}


def test_files_of_one_digest_but_other_bytes_are_both_read(tmp_path, monkeypatch):
    # The digest is a CRC-32 with the size: two files of the same size whose CRCs collide are
    # told apart byte by byte (every CRC made to collide here), and neither is a "duplicate".
    monkeypatch.setattr(inputs, "crc32", lambda data, value=0: 0)
    lines = ACTIVITY.read_text().splitlines(keepends=True)
    a = tmp_path / "a.csv"
    a.write_text("".join(lines))
    b = tmp_path / "b.csv"
    b.write_text("".join([lines[0], *reversed(lines[1:])]))  # same bytes, other order
    assert a.stat().st_size == b.stat().st_size
    once = discover([ACTIVITY])
    got = discover([a, b, tmp_path / "a.csv"])
    assert got.usage.height == 2 * once.usage.height
    dupes = got.issues.filter(got.issues["kind"] == "duplicate file")
    assert dupes["reason"].to_list() == [f"same content as {a}; read once"]


def test_run_log_among_paths_and_named_with_runs_counts_each_attempt_once(tmp_path):
    part2 = BUNDLE / "runs-opus-part2.csv"
    attempts = len(RUNS.read_text().splitlines()) + len(part2.read_text().splitlines()) - 1
    clean = costlens.run([BUNDLE / "claude-code"], runs=[RUNS, part2])
    twice = costlens.run([BUNDLE], runs=[RUNS])
    assert twice.runs.height == attempts
    assert twice.summary["task_cost"] == clean.summary["task_cost"] > 0
    assert twice.summary["attributed_cost"] == clean.summary["attributed_cost"]


def test_a_duplicated_run_log_line_is_one_attempt(tmp_path):
    lines = RUNS.read_text().splitlines()
    doubled = tmp_path / "runs.jsonl"
    doubled.write_text("\n".join([lines[0], *lines]) + "\n")
    clean = costlens.run([BUNDLE / "claude-code"], runs=[RUNS])
    got = costlens.run([BUNDLE / "claude-code"], runs=[doubled])
    assert got.runs.height == len(lines)
    assert got.summary["task_cost"] == clean.summary["task_cost"]
    dup = got.issues.filter(got.issues["kind"] == "duplicate")
    # Reports name a file given directly by its name (never a local path).
    assert dup.filter(dup["source_file"] == doubled.name)["source_line"].to_list() == [2]


def test_walk_lists_files_no_reader_claims_and_goes_on(tmp_path):
    _copy(ACTIVITY, tmp_path / "in" / "activity.csv")
    (tmp_path / "in" / "notes.csv").write_text("when,what\n2026-01-01,lunch\n")
    (tmp_path / "in" / "table.tsv").write_text("a\tb\n1\t2\n")
    got = discover([tmp_path / "in"])
    assert got.usage.height == discover([ACTIVITY]).usage.height
    unread = got.issues.filter(got.issues["kind"] == "not read")
    assert sorted(unread["source_file"]) == [
        str(tmp_path / "in" / "notes.csv"),
        str(tmp_path / "in" / "table.tsv"),
    ]
    assert (str(tmp_path / "in" / "notes.csv"), "(not read)") in got.files
    with pytest.raises(StrictModeError, match=r"^2 file\(s\) not read \(--strict\); first: "):
        costlens.run([tmp_path / "in"], strict=True)


def test_a_file_named_explicitly_that_no_reader_claims_is_an_error_naming_the_closest(tmp_path):
    path = tmp_path / "billing.csv"
    path.write_text("usage_start_time,usage_end_time,cost\n2026-03-01,2026-03-02,1\n")
    with pytest.raises(UnrecognisedInput) as e:
        discover([path])
    assert str(e.value) == (
        f"{path}: no reader recognises this file; closest is gcp-billing-export, which needs"
        " 'service.description' (missing column or field); see docs/formats.md"
    )


def test_upper_case_suffixes_are_found_and_read(tmp_path):
    _copy(ACTIVITY, tmp_path / "in" / "ACTIVITY.CSV")
    got = discover([tmp_path / "in"])
    assert got.files == [(str(tmp_path / "in" / "ACTIVITY.CSV"), "openai-dashboard-activity")]
    assert got.usage.height == discover([ACTIVITY]).usage.height


def test_zip_with_gz_member_nested_zip_and_two_members_of_one_name(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("day.csv", ACTIVITY.read_text().replace("proj_Ab12", "proj_B"))
    outer = tmp_path / "all.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a/activity.csv.gz", gzip.compress(ACTIVITY.read_bytes()))
        z.writestr("b/inner.zip", inner.getvalue())
        z.writestr("same.csv", ACTIVITY.read_text().replace("proj_Ab12", "proj_C"))
        z.writestr("same.csv", ACTIVITY.read_text().replace("proj_Ab12", "proj_D"))
    got = discover([outer])
    assert [f for f, _ in got.files] == [
        f"{outer}!a/activity.csv.gz",
        f"{outer}!b/inner.zip!day.csv",
        f"{outer}!same.csv",
        f"{outer}!same.csv#2",
    ]
    per_file = discover([ACTIVITY]).usage.height
    assert got.usage.height == 4 * per_file


def test_symlink_loop_in_a_walk_ends(tmp_path):
    root = tmp_path / "in"
    _copy(ACTIVITY, root / "sub" / "activity.csv")
    os.symlink(root, root / "sub" / "loop")
    os.symlink(tmp_path / "nowhere.csv", root / "broken.csv")
    got = discover([root])
    assert got.usage.height == discover([ACTIVITY]).usage.height
    unread = got.issues.filter(got.issues["kind"] == "not read")
    assert unread.rows() == [
        (None, str(root / "broken.csv"), None, "not read", "a link to nothing (broken link)", 1)
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_other_encodings_read_as_the_utf8_original(tmp_path, encoding):
    text = ACTIVITY.read_text()
    path = tmp_path / "activity.csv"
    path.write_bytes(text.encode(encoding))
    got, want = discover([path]), discover([ACTIVITY])
    assert got.usage.drop("source_file").equals(want.usage.drop("source_file"))


def test_bom_on_a_jsonl_first_line_keeps_the_line(tmp_path):
    src = RESPONSE_LOG
    path = tmp_path / src.name
    path.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
    assert discover([path]).usage.height == discover([src]).usage.height


def test_a_latin1_byte_and_a_write_cut_inside_a_character(tmp_path):
    src = RESPONSE_LOG
    lines = src.read_bytes().splitlines()
    assert b'"model"' in lines[0]
    latin = lines[0].replace(b'"model"', b'"mod\xe9l":1,"model"', 1)
    cut = "é".encode()[:1]
    path = tmp_path / src.name
    path.write_bytes(b"\n".join([latin, *lines[1:]]) + b"\n" + lines[0][:40] + cut)
    got = discover([path])
    assert got.usage.height == discover([src]).usage.height
    rejected = got.issues.filter(got.issues["kind"] == "rejected")
    assert rejected["source_line"].to_list() == [len(lines) + 1]


def test_an_overlong_line_is_rejected_at_its_line_and_the_rest_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_LINE", 4096)
    monkeypatch.setattr(inputs, "CHUNK", 1024)
    src = RESPONSE_LOG
    lines = src.read_text().splitlines()
    path = tmp_path / src.name
    path.write_text("\n".join([lines[0], '{"x":"' + "y" * 10_000 + '"}', *lines[1:]]) + "\n")
    got = discover([path])
    assert got.usage.height == discover([src]).usage.height
    long = got.issues.filter(got.issues["reason"].str.starts_with("line longer than"))
    assert long["source_line"].to_list() == [2]


@pytest.mark.parametrize("last_newline", [True, False])
def test_the_cleaned_copy_empties_exactly_the_long_lines(tmp_path, monkeypatch, last_newline):
    # Valid UTF-8 with long lines is copied as bytes, less the long lines' bytes; what is left
    # must be the text with those lines emptied (their line breaks kept), found here by hand.
    monkeypatch.setattr(inputs, "MAX_LINE", 4096)
    monkeypatch.setattr(inputs, "CHUNK", 1024)
    lines = ['{"a":1}', "y" * 5000, '{"é":2}', "z" * 9000, "", '{"b":3}', "w" * 4097]
    text = "\n".join(lines) + ("\n" if last_newline else "")
    path = tmp_path / "x.jsonl"
    path.write_text(text, encoding="utf-8")
    s = inputs.survey(path)
    assert s.long_lines == [2, 4, 7]
    kept = [ln if len(ln) <= 4096 else "" for ln in lines]
    expected = "\n".join(kept) + ("\n" if last_newline else "")
    copy = inputs.cleaned(path, s)
    assert Path(os.fspath(copy)).read_text(encoding="utf-8") == expected


def test_deep_json_and_garbage_parquet_are_one_line_errors_or_not_read(tmp_path):
    deep = tmp_path / "in" / "trace.traj"
    deep.parent.mkdir()
    deep.write_text('{"trajectory":' + "[" * 3000 + "]" * 3000 + ',"info":{}}')
    junk = tmp_path / "in" / "cur.parquet"
    junk.write_bytes(b"PAR1" + os.urandom(64))
    got = discover([tmp_path / "in"])
    assert got.usage.height == 0
    unread = dict(
        got.issues.filter(got.issues["kind"] == "not read").select("source_file", "reason").rows()
    )
    for reason in unread.values():
        assert "\n" not in reason
    assert str(junk) in unread


def test_empty_files_among_many_tiny_files(tmp_path):
    # Many small files (bench/many_files.py walks 10,000 for speed): every one is read, each
    # empty one listed as skipped, none lost. Each non-empty file holds one distinct response.
    root = tmp_path / "many"
    root.mkdir()
    line = RESPONSE_LOG.read_text().splitlines()[0]
    for i in range(60):
        (root / f"{i:05}.jsonl").write_text(
            "" if i % 20 == 0 else line.replace('"id":"', f'"id":"{i}-', 1) + "\n"
        )
    got = discover([root])
    empty = got.issues.filter(got.issues["reason"] == "empty file")
    names = sorted(Path(p).name for p in empty["source_file"])
    assert names == ["00000.jsonl", "00020.jsonl", "00040.jsonl"]
    assert got.usage.height == 57
    assert _kinds(got).get("duplicate", 0) == 0


def test_money_total_is_unchanged_by_copies(tmp_path):
    src = FIXTURES / "gcp_billing" / "billing-export.csv"
    a = _copy(src, tmp_path / "x" / "march.csv")
    _copy(src, tmp_path / "x" / "march-again.csv")
    got, want = discover([tmp_path / "x"]), discover([a])
    assert got.usage["billed_cost"].sum() == want.usage["billed_cost"].sum()
    assert isinstance(want.usage["billed_cost"].sum(), Decimal)


def test_json_summary_counts_files_not_read(tmp_path):
    _copy(ACTIVITY, tmp_path / "in" / "activity.csv")
    (tmp_path / "in" / "notes.csv").write_text("when,what\n")
    report = costlens.run([tmp_path / "in"])
    assert json.loads(json.dumps(report.summary["files"])) == {"not_read": 1, "duplicate": 0}


def _claude_tokens(files) -> dict[str, int]:
    """Token totals of Claude Code sessions by the documented rule (docs/formats.md), with json
    only: one record per (message id, request id), the copy with the most tokens kept (the
    final streaming line; then most output, then the first). The files have no sidechains."""
    best: dict[tuple, tuple] = {}
    for f in files:
        for line in f.read_text().splitlines():
            m = json.loads(line).get("message") if line.strip() else None
            if not isinstance(m, dict) or not m.get("usage") or m.get("model") == "<synthetic>":
                continue
            u = m["usage"]
            t = {
                "input_uncached": u.get("input_tokens", 0),
                "cache_read": u.get("cache_read_input_tokens", 0),
                "cache_write": u.get("cache_creation_input_tokens", 0),
                "output": u.get("output_tokens", 0),
            }
            key = (m["id"], json.loads(line)["requestId"])
            rank = (sum(t.values()), t["output"])
            if key not in best or rank > best[key][0]:
                best[key] = (rank, t)
    return {k: sum(t[k] for _, t in best.values()) for k in next(iter(best.values()))[1]}


def test_a_zipped_claude_code_folder_is_read(tmp_path):
    # The batched Claude Code reader opened an archive member by its shown name
    # (``all.zip!projects/...``) and failed; it must open the extracted copy.
    sessions = SESSIONS[:2]
    z = tmp_path / "all.zip"
    with zipfile.ZipFile(z, "w") as out:
        for f in sessions:
            out.write(f, f"projects/-work-acme-api/{f.name}")
    got = discover([z])
    u = got.usage
    tokens = {
        "input_uncached": u["input_uncached"].sum(),
        "cache_read": u["cache_read"].sum(),
        "cache_write": u["cache_write_5m"].sum() + u["cache_write_1h"].sum(),
        "output": u["output"].sum(),
    }
    assert tokens == _claude_tokens(sessions)
    assert set(u["source_file"]) == {f"{z}!projects/-work-acme-api/{f.name}" for f in sessions}


MINI = FIXTURES / "swe_agent" / "mini" / "sonnet45-verified" / "django__django-11099"
# mini-swe-agent's own tests/test_data/local.traj.json: a trajectory saved as a bare list of
# messages (contents emptied here, as in tests/fixtures/real/README.md).
BARE_LIST = [{"role": r, "content": ""} for r in ("system", "user", "assistant", "user")]


def test_bare_list_and_truncated_trajectories_never_stop_a_folder_run(tmp_path):
    whole = MINI / "django__django-11099.traj.json"
    run = tmp_path / "run"
    (run / "a").mkdir(parents=True)
    (run / "b").mkdir()
    (run / "a" / "a.traj.json").write_text(json.dumps(BARE_LIST))
    text = whole.read_text()
    (run / "b" / "b.traj.json").write_text(text[: len(text) // 2])  # the agent was killed
    _copy(whole, run / "c" / whole.name)
    got = discover([run])
    read = got.runs.filter(got.runs["source_file"] == str(run / "c" / whole.name))
    assert read.height == discover([whole]).runs.height  # the whole trajectory is read
    unread = dict(
        got.issues.filter(got.issues["kind"] == "not read").select("source_file", "reason").rows()
    )
    # The bare list is read (an attempt without usage) or listed as not read with its reason.
    bare = str(run / "a" / "a.traj.json")
    assert bare in unread or bare in set(got.runs["source_file"])
    assert unread[str(run / "b" / "b.traj.json")].endswith("is the file complete?")


def test_a_truncated_trajectory_named_explicitly_is_a_one_line_error(tmp_path):
    text = (MINI / "django__django-11099.traj.json").read_text()
    cut = tmp_path / "x.traj.json"
    cut.write_text(text[:100])
    result = CliRunner().invoke(cli, ["report", str(cut), "-q"])
    with pytest.raises(json.JSONDecodeError) as parser:  # where the text ends, by json itself
        json.loads(text[:100])
    assert result.exit_code == 1
    assert (
        result.output == f"Error: {cut}: not valid JSON ({parser.value}); is the file complete?\n"
    )
