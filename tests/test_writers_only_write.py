"""Writers only write: no module in ``reports/`` imports a stage that computes, nor a private
name from another module (architecture: Reports may import Schema, errors and the result types)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

REPORTS = ROOT / "src" / "costlens" / "reports"
ALLOWED = {"results", "schema", "errors", "__version__"}


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    tree = ast.parse(path.read_text())
    return [
        (node.level, node.module or "", [a.name for a in node.names])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    ]


@pytest.mark.parametrize("path", sorted(REPORTS.glob("*.py")), ids=lambda p: p.name)
def test_writer_imports_nothing_that_computes(path):
    for level, module, names in _imports(path):
        if level == 2:  # from ..x import y: a costlens module outside reports/
            top = module.split(".")[0] if module else names[0]
            assert top in ALLOWED, f"{path.name} imports costlens.{top}"
        assert not any(n.startswith("_") and n != "__version__" for n in names), (
            f"{path.name} imports a private name {names} from {module}"
        )
        assert not (level == 0 and module.startswith("costlens")), path.name
