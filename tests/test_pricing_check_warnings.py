"""``costlens pricing check`` warnings: stale ``checked`` dates, names shared across tables."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from conftest import ROOT

from costlens.cli import cli

TABLE = """schema_version = 1
provider = "acme"
currency = "USD"
service_tiers = ["default"]

[[model]]
id = "acme-coder"
aliases = [{aliases}]
  [[model.period]]
  from = 2025-01-01
  source = "https://example.com/prices"
  checked = {checked}
  confidence = "official"
  rates = {{ input = "1", cache_read = "none", cache_write_5m = "none", {write_1h}, output = "2" }}
"""


def _check(tmp_path, aliases: str, checked: str, *extra: str):
    path = tmp_path / "acme.toml"
    text = TABLE.format(aliases=aliases, checked=checked, write_1h='cache_write_1h = "none"')
    path.write_text(text)
    zhipu = ROOT / "pricing" / "zhipu.toml"
    return path, CliRunner().invoke(cli, ["pricing", "check", str(zhipu), str(path), *extra])


def test_an_alias_naming_another_tables_model_is_a_warning(tmp_path):
    path, result = _check(tmp_path, '"glm-4.6"', dt.date.today().isoformat())
    assert result.exit_code == 0
    assert result.output == (
        f"{path}:6: warning: name 'glm-4.6' also names model glm-4.6 in zhipu.toml\n"
        "2 file(s), 0 error(s), 1 warning(s)\n"
    )


def test_a_glob_alias_matching_another_tables_name_is_a_warning(tmp_path):
    path, result = _check(tmp_path, '"glm-4.5-a*"', dt.date.today().isoformat())
    assert result.output == (
        f"{path}:6: warning: alias 'glm-4.5-a*' of acme-coder also matches 'glm-4.5-air' "
        "(glm-4.5-air in zhipu.toml)\n"
        "2 file(s), 0 error(s), 1 warning(s)\n"
    )


def test_a_price_checked_longer_ago_than_stale_days_is_a_warning(tmp_path):
    old = dt.date.today() - dt.timedelta(days=40)
    path, result = _check(tmp_path, "", old.isoformat(), "--stale-days", "30")
    assert f"{path}:9: warning: acme-coder: checked {old}, more than 30 days ago\n" in (
        result.output
    )
    assert result.exit_code == 0
