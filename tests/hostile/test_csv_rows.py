"""CSV records with the wrong number of fields: rejected at their line, the rest of the file read.

Expected values come from the files' text (csv module), never from the reader.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES

from costlens.cli import cli
from costlens.discover import discover

GCP = FIXTURES / "gcp_billing" / "billing-export.csv"
CSVS = [
    GCP,
    FIXTURES / "aws_cur" / "cur2-bedrock.csv",
    FIXTURES / "aws_cur" / "cur-legacy-bedrock.csv",
    FIXTURES / "azure_costs" / "mca-cost-details.csv",
    FIXTURES / "azure_costs" / "ea-cost-details.csv",
    FIXTURES / "openai_dashboard" / "activity.csv",
    FIXTURES / "openai_dashboard" / "cost.csv",
    FIXTURES / "litellm" / "spend_logs.csv",
    SAMPLES / "bundle" / "runs-opus-part2.csv",
]


def _accounted(got, name: str) -> int:
    """Rows of a file in usage or attempts, plus its rejected / skipped / duplicate rows."""
    issues = got.issues.filter(
        (got.issues["source_file"] == name)
        & got.issues["kind"].is_in(["rejected", "skipped", "duplicate"])
    )
    return got.usage.height + got.runs.height + int(issues["count"].sum() or 0)


def _sep(path) -> str:
    return "\t" if "\t" in path.read_text().splitlines()[0] else ","


def _widths(path) -> list[int]:
    with path.open(newline="") as f:
        return [len(r) for r in csv.reader(f, delimiter=_sep(path))]


@pytest.mark.parametrize("src", CSVS, ids=lambda p: p.name)
def test_a_record_with_a_field_too_many_is_rejected_at_its_line(tmp_path, src):
    lines = src.read_text().splitlines()
    header = _widths(src)[0]
    path = tmp_path / src.name
    path.write_text("\n".join([lines[0], lines[1] + _sep(src) + "stray", *lines[2:]]) + "\n")
    got = discover([path])
    rejected = got.issues.filter(got.issues["kind"] == "rejected")
    mine = rejected.filter(rejected["reason"].str.contains("fields where the header has"))
    assert mine.select("source_line", "reason").rows() == [
        (
            2,
            f"{header + 1} fields where the header has {header}; quote values that contain "
            "the separator, or re-export the file (cut short?)",
        )
    ]
    records = len(_widths(src)) - 1  # every record of the file is accounted for
    assert _accounted(got, str(path)) == records


def test_gcp_rows_around_bad_records_are_read_with_their_money(tmp_path):
    lines = GCP.read_text().splitlines()
    with GCP.open(newline="") as f:
        rows = list(csv.DictReader(f))
    # Line 3: an unquoted comma inside the SKU description (one field too many); the last
    # line (tax) cut short by a crash. Line 5 stays whole.
    damaged = [lines[0], lines[1], lines[2].replace(" count gemini", " count, gemini", 1)]
    damaged += [*lines[3:-1], lines[-1][:60]]
    path = tmp_path / "march.csv"
    path.write_text("\n".join(damaged) + "\n")
    got = discover([path])
    rejected = got.issues.filter(got.issues["kind"] == "rejected")
    assert rejected["source_line"].to_list() == [3, 9]
    # Billed money: the Gemini usage rows left whole (file lines 2, 4, 5, 6, 7), from the text.
    whole = [r for i, r in enumerate(rows, start=2) if i in (2, 4, 5, 6, 7)]
    gemini = [r for r in whole if r["service.description"] == "Gemini API"]
    assert got.usage["billed_cost"].sum() == sum(Decimal(r["cost"]) for r in gemini)


def test_strict_names_the_file_and_line_of_a_record_with_the_wrong_field_count(tmp_path):
    lines = GCP.read_text().splitlines()
    path = tmp_path / "march.csv"
    path.write_text("\n".join([*lines[:3], lines[3] + ",x", *lines[4:]]) + "\n")
    result = CliRunner().invoke(cli, ["report", str(path), "--strict", "-q"])
    assert result.exit_code == 3
    n = _widths(GCP)[0]
    assert result.output == (
        f"Error: 1 row(s) rejected (--strict); first: {path}:4: {n + 1} fields where the header "
        f"has {n}; quote values that contain the separator, or re-export the file (cut short?)\n"
    )


def test_a_quoted_value_with_separators_and_line_breaks_is_one_field(tmp_path):
    lines = GCP.read_text().splitlines()
    quoted = lines[1].replace(
        "Generate content input token count gemini 2.5 flash short input text",
        '"Generate content input token count gemini 2.5 flash short input text, ""quoted""\nnote"',
    )
    path = tmp_path / "march.csv"
    path.write_text("\n".join([lines[0], quoted, *lines[2:]]) + "\n")
    got = discover([path])
    assert got.issues.filter(got.issues["kind"] == "rejected").height == 0
    assert got.usage.height == discover([GCP]).usage.height
