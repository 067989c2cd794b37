"""The command line on hostile input: exact one-line errors, exit codes, no leaks.

Exit codes (README): 0 success, 1 input, 2 usage, 3 --strict refused, 4 output not writable.
"""

from __future__ import annotations

import json
import re
import xml.dom.minidom
import zipfile

import openpyxl
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES

from costlens.cli import cli

MARKER = "PROMPT-MARKER-7f3a"
CLAUDE = FIXTURES / "claude_code" / "one_response.jsonl"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_exit_codes_usage_input_strict_output(tmp_path):
    assert invoke("report", "--no-such-option", str(tmp_path)).exit_code == 2
    assert invoke("report", str(tmp_path / "missing.jsonl")).exit_code == 1
    log = tmp_path / "p" / "s.jsonl"
    log.parent.mkdir()
    log.write_text(CLAUDE.read_text() + CLAUDE.read_text().splitlines()[0][:50] + "\n")
    assert invoke("report", str(tmp_path / "p"), "--strict", "-q").exit_code == 3
    assert invoke("report", str(tmp_path / "p"), "-o", str(tmp_path)).exit_code == 4
    assert invoke("report", str(tmp_path / "p"), "-q").exit_code == 0


def test_output_naming_an_input_is_refused_and_the_input_kept(tmp_path):
    log = tmp_path / "s.jsonl"
    log.write_text(CLAUDE.read_text())
    result = invoke("report", str(log), "-o", str(log))
    assert result.exit_code == 4
    assert result.output == f"Error: {log}: is one of the inputs; writing it would overwrite it\n"
    assert log.read_text() == CLAUDE.read_text()


def test_a_workbook_inside_an_input_folder_can_be_written_again(tmp_path):
    """The same command run twice: last run's report.xlsx sits in the logs folder, but no
    folder walk reads .xlsx, so it is no input; a .csv there would be read, so it is one."""
    (tmp_path / "s.jsonl").write_text(CLAUDE.read_text())
    book = tmp_path / "report.xlsx"
    for _ in range(2):
        assert invoke("report", str(tmp_path), "-q", "-o", str(book)).exit_code == 0
    table = tmp_path / "focus.csv"
    table.write_text("a,b\n")
    result = invoke("export", "focus", str(tmp_path), "-o", str(table))
    assert result.exit_code == 4
    assert result.output == f"Error: {table}: is one of the inputs; writing it would overwrite it\n"


def test_output_folder_and_csv_dir_file_are_refused(tmp_path):
    log = tmp_path / "s.jsonl"
    log.write_text(CLAUDE.read_text())
    result = invoke("report", str(log), "-o", str(tmp_path))
    assert result.output == f"Error: {tmp_path}: is a folder; name a file such as report.xlsx\n"
    result = invoke("report", str(log), "--csv-dir", str(log))
    assert result.exit_code == 4
    assert result.output == f"Error: {log}: is a file; name a folder to write the tables into\n"


def test_a_newline_in_a_file_name_cannot_split_the_error(tmp_path):
    junk = tmp_path / "evil\nError: all good.csv"
    junk.write_text("a,b\n1,2\n")
    result = invoke("report", str(junk))
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"Error: {tmp_path}/evil\\nError: all good.csv: ")


def test_a_model_named_like_markup_is_printed_as_text(tmp_path):
    runs = tmp_path / "runs.csv"
    head = (SAMPLES / "bundle" / "runs-opus-part2.csv").read_text().splitlines()[:2]
    runs.write_text(head[0] + "\n" + head[1].replace("claude-opus-4-5", "[/bold]") + "\n")
    result = invoke("report", str(runs))
    assert result.exit_code == 0
    assert "[/bold]" in result.output


def test_message_text_never_reaches_output_or_errors(tmp_path):
    first = json.loads(CLAUDE.read_text().splitlines()[0])
    as_string = {**first, "message": f"{MARKER} a prompt written as a plain string"}
    content = json.loads(json.dumps(first))
    content["message"]["content"] = [{"type": "text", "text": MARKER}]
    folder = tmp_path / "projects" / "p"
    folder.mkdir(parents=True)
    (folder / "s.jsonl").write_text(
        "\n".join(
            [
                json.dumps(as_string),
                json.dumps(content),
                json.dumps(content)[:120] + MARKER,  # a line that fails to parse
                '{"message": {"content": "'
                + MARKER
                + '", "usage": {"input_tokens": "'
                + MARKER
                + '"}}}',
            ]
        )
        + "\n"
    )
    csv = tmp_path / "csv"
    for args in (["--json"], ["-q", "--csv-dir", str(csv)], ["--strict"], []):
        result = CliRunner().invoke(cli, ["report", str(tmp_path / "projects"), *args])
        assert MARKER not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    for f in csv.glob("*"):
        assert MARKER not in f.read_text()


def _controlled(root):
    """A Claude Code session whose model name, run-log task id and file name hold control
    characters (a terminal escape among them); returns (session, run log, model, task id)."""
    session = SAMPLES / "bundle" / "claude-code" / "projects" / "-work-acme-api"
    session = session / "8babe6b9-8483-47af-91e3-ebd73458d13e.jsonl"
    model, task = "claude-sonnet-4-5\x01\x1b[31m", "ACME\x00-101\x08x"
    lines = []
    for line in session.read_text().splitlines():
        d = json.loads(line)
        if isinstance(d.get("message"), dict) and d["message"].get("model"):
            d["message"]["model"] = model
        lines.append(json.dumps(d))
    root.mkdir()
    log = root / "s\x07ession.jsonl"
    log.write_text("\n".join(lines) + "\n")
    run = json.loads((SAMPLES / "bundle" / "runs.jsonl").read_text().splitlines()[0])
    runs = root.parent / "runs.jsonl"
    runs.write_text(json.dumps(run | {"task_id": task}) + "\n")
    return log, runs, model, task


def _unescaped(text: str) -> str:
    """OOXML's ``_xHHHH_`` escapes (how a workbook stores a control character) decoded."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def test_control_characters_in_names_keep_the_workbook_valid(tmp_path):
    log, runs, model, task = _controlled(tmp_path / "in")
    out = tmp_path / "r.xlsx"
    result = invoke("report", str(tmp_path / "in"), "--runs", str(runs), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:  # every part is well-formed XML (no raw control character)
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                xml.dom.minidom.parseString(z.read(name))
    book = openpyxl.load_workbook(out)
    cells = {
        _unescaped(v)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    }
    assert {model, task, f"in/{log.name}"} <= cells  # the names kept, escaped in the file


def test_control_characters_in_names_never_reach_the_terminal(tmp_path):
    _, runs, _, _ = _controlled(tmp_path / "in")
    result = invoke("report", str(tmp_path / "in"), "--runs", str(runs))
    assert result.exit_code == 0, result.output
    assert "claude-sonnet-4-5\\x01\\x1b[31m" in result.output
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", result.output)
