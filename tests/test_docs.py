"""The docs are a tested contract.

- docs/cli.md and README.md's synopsis are generated from the commands (``costlens.cli.reference``)
  and must match them;
- every option has help text;
- every ``costlens`` command in a ``sh`` block of README.md or docs/*.md runs on the bundled
  samples (found in the markdown here, so a new example is covered without touching this file).
  A line ending in ``# your files`` needs files that are not in the repository: it must parse
  (command and options exist), and is not run.
"""

from __future__ import annotations

import re
import shlex

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from costlens.cli import cli, reference

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
YOUR_FILES = "# your files"
STALE = f"is out of date with the commands' --help: run `{reference.REGENERATE}` to regenerate"


def test_docs_cli_md_matches_the_commands():
    assert (ROOT / "docs" / "cli.md").read_text() == reference.cli_md(), f"docs/cli.md {STALE}"


def test_readme_synopsis_matches_the_commands():
    readme = (ROOT / "README.md").read_text()
    assert readme == reference.with_readme_block(readme), f"README.md's synopsis {STALE}"


@pytest.mark.parametrize(
    "path", [" ".join(p) for p, _ in reference.commands()], ids=lambda p: p or "costlens"
)
def test_every_option_has_help_text(path):
    command = dict((" ".join(p), c) for p, c in reference.commands())[path]
    missing = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert not missing, f"costlens {path}: options without help text: {missing}"


def shown_commands() -> list[tuple[str, int, str]]:
    """(file, line, command) for each ``costlens`` command in a ``sh`` block, outside the
    generated synopsis. Only the costlens part of a shell line is kept (``... && costlens x |
    jq``)."""
    found = []
    for doc in DOCS:
        in_sh = in_synopsis = False
        for number, line in enumerate(doc.read_text().splitlines(), start=1):
            in_synopsis = (in_synopsis or line == reference.README_START) and (
                line != reference.README_END
            )
            if line.startswith("```"):
                in_sh = not in_sh and line.strip() in ("```sh", "```bash", "```console")
            elif in_sh and not in_synopsis:
                found += [(doc.name, number, c) for c in _costlens_parts(line)]
    return found


def _costlens_parts(line: str) -> list[str]:
    parts = re.split(r"\s*(?:&&|\|\|?|;)\s*", line.split(YOUR_FILES)[0].strip())
    out = [re.sub(r"^\S*costlens\s", "costlens ", p) for p in parts]
    mark = f"  {YOUR_FILES}" if YOUR_FILES in line else ""
    return [p + mark for p in out if p.startswith("costlens ")]


def test_the_readme_examples_are_found():
    got = [c for f, _, c in shown_commands() if f == "README.md"]
    assert "costlens report samples/ -o report.xlsx" in got  # the quick start
    assert any(c.startswith("costlens compare ") and "-o compare.xlsx" in c for c in got)


@pytest.fixture
def samples_cwd(tmp_path, monkeypatch):
    """A scratch folder where ``samples/`` is the bundled samples, so outputs land in it."""
    (tmp_path / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("doc", "line", "command"), shown_commands(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_documented_command_runs(doc, line, command, samples_cwd):
    args = shlex.split(command.removesuffix(f"  {YOUR_FILES}"))[1:]
    if command.endswith(YOUR_FILES):
        return _parse_only(args)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, (
        f"{doc}:{line}: {command}\n{result.output}\n(documented commands run on the samples; "
        f"end a line that needs files not in the repository with '{YOUR_FILES}')"
    )
    for target in _outputs(args):
        assert (samples_cwd / target).exists(), f"{doc}:{line}: wrote no {target}"


def _parse_only(args: list[str]) -> None:
    """Parse the command line without running it: ``--help`` is handled before the command
    runs, and an unknown command or option still fails the parse (exit code 2)."""
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output


def _outputs(args: list[str]) -> list[str]:
    flags = {"-o", "--output", "--csv-dir", "--parquet-dir"}
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a in flags]


def test_the_readme_starts_with_the_two_quick_start_commands():
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert blocks[:2] == [
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/costlens report "
        "samples/ -o report.xlsx",
        "python3 -m venv .venv && .venv/bin/pip install -q '.[test]' && .venv/bin/python -m pytest "
        "-n auto",
    ]


def test_the_readme_python_example_runs(samples_cwd, capsys):
    blocks = re.findall(r"```python\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert blocks, "README.md has no python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert re.match(r"\d+\.\d+ shape: \(2, ", capsys.readouterr().out)  # total, 2-model table
