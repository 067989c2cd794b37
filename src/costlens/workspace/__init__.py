"""The monthly workspace: stored canonical rows, the import ledger, closed months, reconcile.

    ws = Path("costlens-data")
    store.ingest(ws, [Path("exports/2026-10")])
    bundle = rows.load(ws, period.window(month="2026-10"))

Layout, ledger schema and rules: docs/workspace.md.
"""

from __future__ import annotations

from .layout import DEFAULT_DIR, ENV, Window, resolve
from .ledger import WorkspaceError

__all__ = ["DEFAULT_DIR", "ENV", "Window", "WorkspaceError", "resolve"]
