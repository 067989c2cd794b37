"""Azure cost exports under every header set Azure has shipped (issue 8, item 9).

The header lines in ``tests/fixtures/real/azure_costs/`` are real export headers that OpenCost
keeps as test data (provenance in ``tests/fixtures/real/README.md``): Enterprise Agreement
PascalCase, MCA camelCase, the legacy pay-as-you-go set (``UsageDateTime``, ``PreTaxCost``),
that set with a UTF-8 byte-order mark, German headers (``Name der Verbrauchseinheit
(MeterName)``), and a header mixing German and camelCase names. Their data rows are not Azure
OpenAI meters (OpenCost's samples are load balancers and VMs), so the reader must skip each one
with its reason. For an Azure OpenAI row under each header, the test writes the row of the
hand-written EA fixture (``tests/fixtures/azure_costs/ea-cost-details.csv``, first line) into the
columns each header names, and expects what that row states: 950 x 1K output tokens, 9.5 USD.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import polars as pl
import pytest
from conftest import FIXTURES

import costlens
from costlens.adapters import identify
from costlens.adapters.azure_costs import english_names

REAL = FIXTURES / "real" / "azure_costs"
SETS = ["BOM", "Enterprise", "EnterpriseCamel", "German", "PayAsYouGo", "YA"]

# The first row of tests/fixtures/azure_costs/ea-cost-details.csv, by English column name.
ROW = {
    "date": "2026-03-01",
    "metername": "gpt 4o 1120 Outp Global",
    "metercategory": "Cognitive Services",
    "metersubcategory": "Azure OpenAI",
    "unitofmeasure": "1K",
    "quantity": "950",
    "cost": "9.5",
    "currency": "USD",
}
SYNONYMS = {
    "date": ("date", "usagedatetime"),
    "quantity": ("quantity", "usagequantity"),
    "cost": ("costinbillingcurrency", "pretaxcost"),
    "currency": ("billingcurrency", "billingcurrencycode", "currency"),
}


def _header(name: str) -> list[str]:
    text = (REAL / f"{name}.csv").read_text(encoding="utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


def _value(column: str) -> str:
    english = english_names([column]).get(column, column).lower()
    for key, names in SYNONYMS.items():
        if english in names:
            return ROW[key]
    return ROW.get(english, "")


@pytest.mark.parametrize("name", SETS)
def test_real_header_set_is_identified_and_its_rows_accounted_for(name):
    path = REAL / f"{name}.csv"
    assert identify(path).name == "azure-cost-details"
    rows = len(list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))) - 1
    report = costlens.run([path])
    skipped = report.issues.filter(pl.col("kind") == "skipped")
    assert skipped.select("reason", "count").rows() == [("not an Azure OpenAI meter", rows)]
    assert report.summary["rows"]["rejected"] == 0


@pytest.mark.parametrize("name", SETS)
def test_an_azure_openai_row_reads_the_same_under_every_header_set(tmp_path, name):
    header = _header(name)
    path = tmp_path / f"{name}.csv"
    with open(path, "w", newline="", encoding="utf-8-sig" if name == "BOM" else "utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")  # CRLF, as the real exports
        w.writerow(header)
        w.writerow([_value(c) for c in header])
    row = costlens.run([path]).usage.row(0, named=True)
    assert (row["output"], row["input_uncached"], row["model_canonical"]) == (950_000, 0, "gpt-4o")
    assert (row["billed_cost"], row["currency"]) == (D("9.5"), "USD")


def test_a_folder_mixing_header_sets_reads_every_file(tmp_path):
    for name in SETS:
        (tmp_path / f"{name}.csv").write_bytes((REAL / f"{name}.csv").read_bytes())
    report = costlens.run([tmp_path])
    assert sorted(r for _, r in report.files) == ["azure-cost-details"] * len(SETS)
    assert report.summary["rows"]["skipped"] == len(SETS)  # one sample row each
