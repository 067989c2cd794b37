"""Identification shortcuts (issue 11) give the answers a full look would give.

Two shortcuts keep a folder of thousands of session files cheap: a reader looking for certain
JSON keys parses only head lines that name one of them, and a file where a format's files live
(``Reader.layout``) is taken by that reader when its head agrees. Each must leave every decision
as it was: checked here over every fixture and sample file in the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from costlens import adapters
from costlens.adapters import _base
from costlens.errors import UnrecognisedInput

ROOT = FIXTURES.parent.parent
SUFFIXES = (".json", ".jsonl", ".csv", ".parquet", ".eval", ".traj")
FILES = sorted(
    p
    for base in (FIXTURES, ROOT / "samples")
    for p in base.rglob("*")
    if p.is_file() and p.suffix in SUFFIXES
)


def _claims(path: Path) -> list[str]:
    return [a.name for a in adapters.ADAPTERS if a.identify(path)]


def _fresh() -> None:
    _base.head.cache_clear()
    _base._head.cache_clear()


def test_there_are_files_to_check():
    assert len(FILES) > 50


def test_key_filter_matches_parsing_every_line(monkeypatch):
    _fresh()
    filtered = {p: _claims(p) for p in FILES}
    init = _base._Head.__init__

    def parse_all(self, path):  # identification as before the filter: every head line parsed
        init(self, path)
        self.escaped = True  # the filter's own way out

    monkeypatch.setattr(_base._Head, "__init__", parse_all)
    _fresh()
    full = {p: _claims(p) for p in FILES}
    _fresh()
    assert filtered == full


def test_layout_shortcut_matches_asking_every_reader():
    for p in FILES:
        claims = _claims(p)
        if len(claims) == 1:
            assert adapters.identify(p).name == claims[0], p
        else:
            with pytest.raises(UnrecognisedInput if not claims else Exception):
                adapters.identify(p)


CODEX_META = (
    '{"timestamp":"2026-05-13T09:00:00.000Z","type":"session_meta",'
    '"%s":{"id":"019e0000-aaaa","cwd":"/w"}}\n'
)


def test_a_key_spelled_with_escapes_is_still_seen(tmp_path):
    # JSON lets a key be written with \u escapes; the key filter must not hide such a line.
    f = tmp_path / "s.jsonl"
    f.write_text(CODEX_META % "p\\u0061yload")
    _fresh()
    assert adapters.identify(f).name == "codex-rollout"


def test_a_file_in_claude_codes_layout_that_is_not_claude_code_is_identified_in_full(tmp_path):
    # A Codex rollout copied into a Claude Code projects folder: the layout's guess is refused
    # by the Claude Code reader's look at the head, and the file is read as what it is.
    f = tmp_path / "projects" / "-home-me-app" / "copied.jsonl"
    f.parent.mkdir(parents=True)
    f.write_text(CODEX_META % "payload")
    _fresh()
    assert adapters.identify(f).name == "codex-rollout"


def test_layouts():
    claude = next(a for a in adapters.ADAPTERS if a.name == "claude-code")
    codex = next(a for a in adapters.ADAPTERS if a.name == "codex-rollout")
    assert claude.layout and codex.layout
    assert claude.layout.search("/h/.claude/projects/-h-app/0b1c.jsonl")
    assert claude.layout.search("/h/.claude/projects/-h-app/0b1c/subagents/agent-a1.jsonl")
    assert not claude.layout.search("/h/.claude/projects/-h-app/notes/0b1c.jsonl")
    assert not claude.layout.search("/h/projects/usage.csv")
    assert codex.layout.search("/h/.codex/sessions/2026/05/13/rollout-2026-05-13T09-00-00-x.jsonl")
    assert not codex.layout.search("/h/rollout-notes.txt")
