"""Exports without a row id (GCP billing, Azure cost details) given twice or with overlapping
dates: each charge counted once, the copies reported as duplicates, the counts adding up.

Expected money and counts come from the files' text (csv module).
"""

from __future__ import annotations

import csv
from decimal import Decimal

from conftest import FIXTURES

from costlens.adapters.kit import SAME_ROW
from costlens.discover import discover

GCP = FIXTURES / "gcp_billing" / "billing-export.csv"
AZURE = FIXTURES / "azure_costs" / "mca-cost-details.csv"


def _write(path, header: str, rows: list[str]):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _gcp_usage_cost(lines: list[str]) -> Decimal:
    """Cost of the Gemini / Vertex usage rows (not tax, not other services), from the text."""
    rows = csv.DictReader(lines)
    return sum(
        (
            Decimal(r["cost"])
            for r in rows
            if r["service.description"] in ("Gemini API", "Vertex AI")
            and r["cost_type"] == "regular"
        ),
        Decimal(0),
    )


def _duplicates(got) -> dict[str, int]:
    dup = got.issues.filter(got.issues["reason"] == SAME_ROW)
    return {f: int(n) for f, n in dup.group_by("source_file").agg(dup["count"].sum()).rows()}


def test_gcp_exports_with_overlapping_dates_count_each_row_once(tmp_path):
    header, *rows = GCP.read_text().splitlines()
    first = _write(tmp_path / "in" / "a-first.csv", header, rows[:5])
    second = _write(tmp_path / "in" / "b-second.csv", header, rows[2:])  # rows 3-5 in both
    got = discover([tmp_path / "in"])
    assert got.usage["billed_cost"].sum() == _gcp_usage_cost([header, *rows])
    shared = [r for r in rows[2:5] if ",Gemini API," in r]
    assert _duplicates(got) == {str(second): len(shared)}
    usage_rows = sum(1 for r in rows if ",Gemini API," in r and r.endswith(",regular"))
    assert got.usage.height == usage_rows
    skipped = got.issues.filter(got.issues["kind"] == "skipped")["count"].sum()
    assert got.usage.height + len(shared) + skipped == len(rows[:5]) + len(rows[2:])
    assert set(got.usage["source_file"]) == {str(first), str(second)}


def test_the_same_gcp_export_saved_twice_differently_is_counted_once(tmp_path):
    header, *rows = GCP.read_text().splitlines()
    _write(tmp_path / "in" / "march.csv", header, rows)
    # Downloaded again: rows in another order, CRLF line ends (its bytes differ, not its rows).
    again = tmp_path / "in" / "march (1).csv"
    again.write_bytes(("\r\n".join([header, *reversed(rows)]) + "\r\n").encode())
    got = discover([tmp_path / "in"])
    assert got.usage["billed_cost"].sum() == _gcp_usage_cost([header, *rows])
    assert sum(_duplicates(got).values()) == got.usage.height  # every row once more, dropped
    assert len(set(got.usage["source_file"])) == 1  # one file's rows (the first walked) kept


def test_identical_rows_within_one_file_are_separate_charges(tmp_path):
    header, *rows = GCP.read_text().splitlines()
    twice = _write(tmp_path / "in" / "a.csv", header, [rows[0], rows[0], rows[1]])
    once = _write(tmp_path / "in" / "b.csv", header, [rows[0], rows[1]])
    got = discover([tmp_path / "in"])
    # rows[0] twice in one file: two charges; b.csv's copies of both rows are duplicates.
    assert got.usage.height == 3
    assert _duplicates(got) == {str(once): 2}
    assert got.usage["billed_cost"].sum() == _gcp_usage_cost([header, rows[0], rows[0], rows[1]])
    assert set(got.usage["source_file"]) == {str(twice)}


def test_azure_exports_with_overlapping_dates_count_each_row_once(tmp_path):
    header, *rows = AZURE.read_text().splitlines()
    whole = discover([AZURE])
    _write(tmp_path / "in" / "a.csv", header, rows[:4])
    second = _write(tmp_path / "in" / "b.csv", header, rows[1:])
    got = discover([tmp_path / "in"])
    read = set(whole.usage["source_line"])  # the file lines the reader takes as usage
    shared = [i for i in range(3, 5 + 1) if i in read]  # file lines 3-5 are in both files
    assert _duplicates(got) == {str(second): len(shared)}
    with AZURE.open(newline="") as f:
        cost = [Decimal(r["costInBillingCurrency"]) for r in csv.DictReader(f)]
    assert got.usage["billed_cost"].sum() == sum(c for i, c in enumerate(cost, 2) if i in read)
    skipped = whole.issues.filter(whole.issues["kind"] == "skipped")["count"].sum()
    assert whole.usage.height + skipped == len(rows)  # the file's rows all accounted for
