"""Each input file is opened twice at most (issue 11), and every one of its lines is accounted for.

The survey reads a file's bytes and identification looks at the head the survey read; the
reader then reads the file (a reader of many files at once joins them into packs). The line
counts below come from the files' text, not from costlens.
"""

from __future__ import annotations

import builtins
import os
import shutil
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from conftest import FIXTURES, SAMPLES

from costlens.adapters import _packs
from costlens.discover import discover

SESSIONS = [FIXTURES / "claude_edge" / "projects", SAMPLES / "bundle" / "claude-code"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for i, src in enumerate(SESSIONS):
        shutil.copytree(src, tmp_path / "projects" / f"p{i}")
    return tmp_path / "projects"


def _lines(root: Path) -> int:
    """Lines that are not blank, counted from the files' text."""
    return sum(
        sum(1 for ln in f.read_text().split("\n") if ln.strip()) for f in root.rglob("*.jsonl")
    )


def _opens(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    seen: Counter[str] = Counter()
    real = builtins.open

    def counting(file, *a, **k):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, os.PathLike)):
            seen[os.fspath(file)] += 1
        return real(file, *a, **k)

    monkeypatch.setattr(builtins, "open", counting)
    return seen


def _accounted(got) -> int:  # type: ignore[no-untyped-def]
    """Lines behind the rows: kept usage rows' lines, plus every issue's count."""
    lines = got.usage.select("source_file", "source_line").unique().height
    issues = got.issues.filter(pl.col("kind") != "duplicate file")
    return lines + int(issues["count"].sum())


def test_each_file_is_opened_by_the_survey_and_its_reader_only(folder, monkeypatch):
    files = sorted(str(f) for f in folder.rglob("*.jsonl"))
    assert len(files) >= 10
    expected = _lines(folder)
    opened = _opens(monkeypatch)
    got = discover([folder])
    assert {f: opened[f] for f in files} == {f: 2 for f in files}  # survey, pack
    assert _accounted(got) == expected
    assert set(got.usage["source_format"]) == {"claude-code"}


@pytest.mark.parametrize("pack", [16_000, 100_000])
def test_other_packs_give_the_same_rows(folder, monkeypatch, pack):
    # Small packs: a few files a pack, and the files larger than a pack (up to 65 KB here)
    # read in pieces cut at line ends. Rows, line numbers and issues must not depend on how
    # the lines were grouped.
    whole = discover([folder])
    monkeypatch.setattr(_packs, "PACK_BYTES", pack)
    split = discover([folder])
    key = ["source_file", "source_line", "response_id"]
    assert split.usage.sort(key).equals(whole.usage.sort(key))
    assert split.issues.equals(whole.issues)
    assert _accounted(split) == _lines(folder)
