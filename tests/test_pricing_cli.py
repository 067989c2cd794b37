"""`costlens pricing check | show | diff` and `--pricing` layering, through the CLI."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D

from click.testing import CliRunner
from conftest import price_one

from costlens import pricing
from costlens.cli import cli
from costlens.pricing import format as format_

OVERLAP = """schema_version = 1
provider = "acme"
currency = "USD"
service_tiers = ["standard"]

[[model]]
id = "acme-1"
  [[model.period]]
  from = 2025-01-01
  to = 2025-03-01
  source = "https://example.com/prices"
  checked = 2025-01-01
  confidence = "official"
  rates = { input = "1", cache_read = "0.1", cache_write_5m = "none", cache_write_1h = "none", output = "2" }
  [[model.period]]
  from = 2025-02-01
  source = "https://example.com/prices"
  checked = 2025-01-01
  confidence = "official"
  rates = { input = "1", cache_read = "0.1", output = "2" }
"""  # noqa: E501


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_check_reports_a_planted_overlap_at_its_line(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(OVERLAP)
    result = invoke("pricing", "check", str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    # The first [[model.period]] header is on line 8 of the file.
    assert f"{path}:8: error: acme-1: period overlaps the next one (starts 2025-02-01)" in lines
    assert (
        f"{path}:15: warning: acme-1: rates has no 'cache_write_5m' (give a rate or \"none\")"
        in lines
    )


def test_load_refuses_the_overlap_with_file_and_line(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(OVERLAP)
    result = invoke("report", str(tmp_path), "--pricing", str(path), "--json")
    assert result.exit_code == 1
    assert f"{path}:8: acme-1: period overlaps the next one" in result.output


def test_bundled_tables_have_no_errors():
    result = invoke("pricing", "check", "--stale-days", "100000")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("0 error(s), 0 warning(s)")


def test_show_a_moving_alias_at_a_date_as_json():
    result = invoke("pricing", "show", "deepseek-chat", "--at", "2025-03-01", "--json")
    shown = json.loads(result.output)
    assert shown["model"] == "deepseek-v3"
    assert [p["rates"]["input"] for p in shown["periods"]] == ["0.27"]
    assert [m["name"] for m in shown["modifiers"]] == ["off-peak"]


def test_diff_lists_moved_rates_and_the_months_they_change(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(pricing.bundled_dir(), old)
    shutil.copytree(pricing.bundled_dir(), new)
    text = (new / "openai.toml").read_text()
    (new / "openai.toml").write_text(text.replace('cache_read = "2.50"', 'cache_read = "0.50"'))
    result = invoke("pricing", "diff", str(old), str(new))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "o3 rates.cache_read: 2.50 -> 0.50 (2025-04-16 to 2025-06-10; 2025-04, 2025-05, 2025-06)",
        "1 change(s)",
    ]


def test_pricing_layer_replaces_a_model_and_is_listed(tmp_path):
    layer = tmp_path / "negotiated.toml"
    layer.write_text(
        """schema_version = 1
provider = "anthropic"

[[model]]
id = "claude-haiku-4-5"
  [[model.period]]
  from = 2025-10-15
  source = "contract 2025-10"
  checked = 2025-10-15
  confidence = "official"
  rates = { input = "0.80", cache_write_5m = "1", cache_write_1h = "1.60", cache_read = "0.08", output = "4" }
"""  # noqa: E501
    )
    book = pricing.load([layer])
    row = price_one(book, model="claude-haiku-4-5-20251001", output=1_000_000)
    assert row["cost"] == D(4)
    assert row["price_file"] == "negotiated.toml"
    assert [vars(o) for o in book.overrides] == [
        {
            "kind": "model",
            "provider": "anthropic",
            "name": "claude-haiku-4-5",
            "action": "replaced",
            "file": str(layer),
        }
    ]
    # Other Anthropic models and modifiers still come from the bundled table.
    assert price_one(book, model="claude-opus-4-5", output=1_000_000)["cost"] == D(25)


def test_schema_json_is_generated_from_the_models():
    committed = (pricing.bundled_dir() / "schema.json").read_text()
    assert committed == format_.json_schema(), (
        "pricing/schema.json is stale: python -m costlens.pricing.format > pricing/schema.json"
    )


def test_check_points_at_the_period_that_breaks_the_order(tmp_path):
    path = tmp_path / "acme.toml"
    # The second period starts on the first one's date: the error names the second (line 14).
    path.write_text(OVERLAP.replace("  to = 2025-03-01\n", "").replace("2025-02-01", "2025-01-01"))
    result = invoke("pricing", "check", str(path))
    assert result.exit_code == 1
    assert (
        f"{path}:14: error: acme-1: period starts 2025-01-01 00:00, not after the one before it"
        in result.output.splitlines()
    )


ERRATUM = """schema_version = 1
provider = "acme"
currency = "USD"
service_tiers = ["standard"]

[[model]]
id = "acme-1"
  [[model.period]]
  from = 2025-01-01
  source = "https://example.com/prices"
  checked = 2025-01-01
  confidence = "official"
  rates = { input = "1", cache_read = "0.25", cache_write_5m = "none", cache_write_1h = "none", output = "2" }

[[erratum]]
model = "acme-1"
period_from = 2025-01-01
field = "rates.cache_read"
was = "0.10"
now = "NOW"
date = 2025-06-01
reason = "the launch page showed the wrong cached rate"
"""  # noqa: E501


def test_an_erratum_keeps_the_wrong_number_and_must_match_the_table(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(ERRATUM.replace("NOW", "0.25"))
    assert invoke("pricing", "check", str(path)).exit_code == 0
    shown = json.loads(invoke("pricing", "show", "acme-1", "--json", "--pricing", str(path)).output)
    assert shown["errata"][0]["was"] == "0.10"
    assert shown["errata"][0]["reason"] == "the launch page showed the wrong cached rate"
    path.write_text(ERRATUM.replace("NOW", "0.30"))
    result = invoke("pricing", "check", str(path))
    assert result.exit_code == 1
    assert f"{path}:15: error: erratum: rates.cache_read is 0.25, erratum says 0.30" in (
        result.output.splitlines()
    )


MISTYPED_WHEN = """schema_version = 1
provider = "acme"
currency = "USD"
service_tiers = ["standard"]

[[model]]
id = "acme-1"
  [[model.period]]
  from = 2025-01-01
  source = "https://example.com/prices"
  checked = 2025-01-01
  confidence = "official"
  rates = { input = "1", cache_read = "0.1", cache_write_5m = "none", cache_write_1h = "none", output = "2" }

[[modifier]]
name = "eu"
when = { regoin = "eu" }
from = 2025-01-01
scale = "1.1"
source = "https://example.com/prices"

[[modifier]]
name = "batch"
when = { batch = "yes" }
from = 2025-01-01
scale = "0.5"
source = "https://example.com/prices"
"""  # noqa: E501


def test_a_mistyped_modifier_condition_is_an_error_at_its_line(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(MISTYPED_WHEN)
    result = invoke("pricing", "check", str(path), "--stale-days", "100000")
    assert result.exit_code == 1
    assert result.output == (
        f"{path}:15: error: modifier eu: when key 'regoin' is not a usage column (such as batch, "
        "service_tier, inference_geo, speed; all are in docs/schema.md)\n"
        f"{path}:22: error: modifier batch: when batch must be true or false\n"
        "1 file(s), 2 error(s), 0 warning(s)\n"
    )


def test_report_refuses_the_mistyped_condition_instead_of_crashing(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(MISTYPED_WHEN)
    result = invoke("report", "samples/billing", "--pricing", str(path), "-q")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}:15: modifier eu: when key 'regoin' is not a usage column (such as batch, "
        "service_tier, inference_geo, speed; all are in docs/schema.md) (run `costlens pricing "
        "check` for all findings)\n"
    )
