"""Cloud billing exports, cloud logs, OTel spans and containers: golden canonical output, exact
token buckets and billed totals (computed by hand from the fixture rows), identification,
missing-column errors and archive limits.

Regenerate goldens after an intended change with ``COSTLENS_REGEN=1 pytest tests/<this file>``.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from conftest import FIXTURES, check_golden, price_one

from costlens import adapters, archives, schema
from costlens.discover import discover, expand
from costlens.errors import InputError, MissingColumn

CASES = {
    "gemini-response-log": FIXTURES / "gemini_logs" / "responses.jsonl",
    "bedrock-invocation-log": FIXTURES / "bedrock_logs" / "invocations.jsonl",
    "aws-cur2-csv": FIXTURES / "aws_cur" / "cur2-bedrock.csv",
    "aws-cur-legacy-csv": FIXTURES / "aws_cur" / "cur-legacy-bedrock.csv",
    "azure-ea-csv": FIXTURES / "azure_costs" / "ea-cost-details.csv",
    "azure-mca-csv": FIXTURES / "azure_costs" / "mca-cost-details.csv",
    "gcp-billing-csv": FIXTURES / "gcp_billing" / "billing-export.csv",
    "gcp-billing-jsonl": FIXTURES / "gcp_billing" / "billing-export.jsonl",
    "otel-genai-json": FIXTURES / "otel_genai" / "traces.json",
}
BUCKETS = [*schema.TOKEN_BUCKETS, "reasoning"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case):
    check_golden(f"cloud-{case}", [CASES[case]])


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_fixture_is_claimed_by_exactly_its_reader(case):
    assert adapters.identify(CASES[case]).name == _reader(case)


def _reader(case: str) -> str:
    prefixes = {"aws-cur": "aws-cur", "azure": "azure-cost-details", "gcp": "gcp-billing-export"}
    prefixes |= {"otel": "otel-genai-spans"}
    return next((v for k, v in prefixes.items() if case.startswith(k)), case)


def _totals(paths: list[Path]) -> dict:
    usage = discover(paths).usage
    out = {b: usage[b].sum() for b in BUCKETS}
    return out | {"billed": usage["billed_cost"].sum(), "rows": usage.height}


def test_gemini_thoughts_are_output_and_cache_is_inside_prompt():
    t = _totals([CASES["gemini-response-log"]])
    # line 1: 18250 prompt - 16384 cached; line 2: 1200 prompt + 250 tool-use prompt;
    # line 3: 500 (snake_case); stream-1: 800 once (the chunk with the most output is kept).
    assert t["input_uncached"] == 1866 + 1450 + 500 + 800
    assert t["cache_read"] == 16384
    assert t["output"] == (912 + 2304) + 300 + (40 + 60) + 95
    assert t["reasoning"] == 2304 + 60
    assert t["rows"] == 4


def test_bedrock_log_tokens_metadata_and_duplicates():
    usage = discover([CASES["bedrock-invocation-log"]]).usage
    assert usage.height == 3  # the repeated requestId is one record
    assert usage["input_uncached"].sum() == 255 + 1432 + 312
    assert usage["cache_read"].sum() == 18000 + 4096
    assert usage["cache_write_5m"].sum() == 1200
    first = usage.row(0, named=True)
    assert first["session_id"] == "sess-b1"
    assert first["model_canonical"] == "claude-opus-4-5-20251101"
    assert '"task_id":"django__django-11099"' in first["tags"]


def test_cur2_buckets_units_and_billed_cost():
    t = _totals([CASES["aws-cur2-csv"]])
    # 23.000 and 120.5 x 1K input, 0.25 x 1M batch input; li-0001 appears twice (kept once)
    assert t["input_uncached"] == 23_000 + 250_000 + 120_500
    assert t["output"] == 14_267
    assert t["cache_read"] == 812_400
    assert t["cache_write_5m"] == 433_893
    billed = ["0.069", "0.214005", "0.24372", "1.789808625", "0.375", "0.030125", "79.2"]
    assert t["billed"] == sum(Decimal(v) for v in billed)


def test_cur_legacy_names_tags_and_1h_cache_write():
    usage = discover([CASES["aws-cur-legacy-csv"]]).usage
    assert usage["input_uncached"].to_list() == [310_000, 0, 0]
    assert usage["output"].to_list() == [0, 41_500, 0]
    assert usage["cache_write_1h"].to_list() == [0, 0, 2_000]
    assert usage["tags"][0] == '{"user:team":"evals","user:task":"swe-7"}'
    assert usage["billed_cost"].sum() == Decimal("0.5295")


def _parquet_from(csv: Path, target: Path) -> Path:
    """The CUR 2.0 Parquet shape: typed columns, ``resource_tags`` and ``product`` as maps."""
    df = pl.read_csv(csv, infer_schema=False)
    as_map = pl.List(pl.Struct({"key": pl.String, "value": pl.String}))

    def to_map(col: str) -> pl.Series:
        rows = [[{"key": k, "value": v} for k, v in _json(x).items()] for x in df[col]]
        return pl.Series(col, rows, dtype=as_map)

    typed = df.with_columns(
        pl.col("line_item_usage_start_date", "line_item_usage_end_date").str.to_datetime(
            time_zone="UTC"
        ),
        pl.col("line_item_usage_amount", "line_item_unblended_cost").cast(pl.Float64),
        to_map("resource_tags"),
        to_map("product"),
    )
    typed.write_parquet(target)
    return target


def _json(text: str | None) -> dict:
    import json

    return json.loads(text) if text else {}


def test_cur_parquet_matches_the_csv(tmp_path):
    csv = CASES["aws-cur2-csv"]
    parquet = _parquet_from(csv, tmp_path / "cur.parquet")
    assert adapters.identify(parquet).name == "aws-cur"
    assert _totals([parquet]) == _totals([csv])
    tags = discover([parquet]).usage["tags"][0]
    assert tags == '{"user_task":"swe-123"}'


def test_gzip_is_read_in_place_and_named_as_given(tmp_path):
    gz = tmp_path / "cur2-bedrock.csv.gz"
    gz.write_bytes(gzip.compress(CASES["aws-cur2-csv"].read_bytes()))
    got = discover([tmp_path])
    assert got.files == [(str(gz), "aws-cur")]
    assert set(got.usage["source_file"]) == {str(gz)}
    assert _totals([gz]) == _totals([CASES["aws-cur2-csv"]])


def test_zip_members_are_identified_inside(tmp_path):
    z = tmp_path / "exports.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
        f.write(CASES["azure-mca-csv"], "2026/03/mca.csv")
        f.write(CASES["bedrock-invocation-log"], "logs/a.json")
        f.writestr("README.txt", "not data")
        f.writestr("__MACOSX/2026/._mca.csv", "junk")
    got = discover([z])
    assert got.files == [
        (f"{z}!2026/03/mca.csv", "azure-cost-details"),
        (f"{z}!logs/a.json", "bedrock-invocation-log"),
    ]


def test_zip_path_traversal_is_refused(tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("../../etc/cron.d/x.csv", "a,b\n")
    with pytest.raises(InputError) as e:
        expand([z])
    assert str(e.value) == (
        f"{z}: member '../../etc/cron.d/x.csv' points outside the archive; refusing it"
    )


def test_zip_bomb_ratio_and_entry_count_are_limited(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("big.csv", b"0" * (8 * 1024 * 1024))
    with pytest.raises(InputError, match="compression ratio above 250:1"):
        expand([bomb])
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as f:
        for i in range(3):
            f.writestr(f"{i}.csv", "a\n")
    monkeypatch.setattr(archives, "MAX_ENTRIES", 2)
    with pytest.raises(InputError, match=r"has 3 entries \(limit 2\)"):
        expand([many])


def test_total_size_limit(tmp_path, monkeypatch):
    gz = tmp_path / "x.jsonl.gz"
    gz.write_bytes(gzip.compress(os.urandom(4096)))
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(InputError, match="expands beyond 1000 bytes"):
        expand([gz])


@pytest.mark.parametrize(
    ("case", "drop", "message"),
    [
        (
            "aws-cur2-csv",
            "pricing_unit",
            "missing column 'pricing_unit' or 'pricing/unit' (an AWS Cost and Usage Report);"
            " export the Cost and Usage Report (CUR 2.0 or legacy) with its standard columns",
        ),
        (
            "azure-mca-csv",
            "costInBillingCurrency",
            "missing column 'CostInBillingCurrency' or 'Cost' or 'PreTaxCost'"
            " (an Azure cost-details export);"
            " export 'Cost and usage details (actual cost)' from Cost Management as CSV",
        ),
        (
            "gcp-billing-csv",
            "usage.amount",
            "missing column 'usage.amount' or 'usage_amount' (a Cloud Billing export);"
            " export the standard or detailed billing table with its usage, sku and service"
            " fields",
        ),
    ],
)
def test_missing_required_column_names_column_and_file(tmp_path, case, drop, message):
    src = pl.read_csv(CASES[case], infer_schema=False)
    target = tmp_path / CASES[case].name
    src.drop(drop).write_csv(target)
    with pytest.raises(MissingColumn) as e:
        discover([target])
    assert str(e.value) == f"{target}:1: {message}"


def test_gcp_jsonl_without_usage_is_an_error(tmp_path):
    target = tmp_path / "export.jsonl"
    line = '{"service":{"description":"Vertex AI"},"sku":{"description":"x"},'
    target.write_text(line + '"usage_start_time":"2026-03-01 08:00:00 UTC","cost":1}\n')
    with pytest.raises(MissingColumn, match="missing column 'usage_end_time'"):
        discover([target])


def test_cur_row_priced_through_its_canonical_name(book):
    row = price_one(
        book,
        provider="bedrock",
        model="USE1-Claude4.5Sonnet-input-tokens",
        model_canonical="claude-sonnet-4-5",
        aggregated=True,
        requests=None,
        input_uncached=1_000_000,
    )
    assert row["price_status"] == "priced"
    assert row["cost"] == Decimal("3")  # $3 per 1M input tokens


def test_non_text_modality_is_unpriced_never_text_rate(book):
    row = price_one(
        book, provider="google", model="sku text", model_canonical="gemini-2.5-flash:audio"
    )
    assert row["price_status"] == "unpriced"
    assert "gemini-2.5-flash:audio" in row["unpriced_reason"]


def test_container_member_prints_its_origin(tmp_path):
    gz = tmp_path / "a.jsonl.gz"
    with gzip.open(gz, "wb") as f:
        f.write(io.BytesIO(CASES["gemini-response-log"].read_bytes()).read())
    (member,) = expand([gz])
    assert str(member) == str(gz)
    assert pl.scan_lines(member).collect().height == 7  # polars opens the decompressed copy
