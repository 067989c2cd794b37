"""Versioned, dated price tables (``book``) and the engine that applies them (``engine``).

``price`` (from ``billed``) is the stage's entry point: it sets money-only rows apart as
``billed`` before the engine prices the rest (polars in and out); ``price_rows`` is the same on
a frame of either engine (``costlens.frames``).
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import fallback, terms
    from .billed import price, price_rows
    from .book import Book, Override, bundled_dir, load
    from .engine import PRICED

__all__ = [
    "PRICED", "Book", "Override", "bundled_dir", "fallback", "load", "price", "price_rows", "terms",
]  # fmt: skip

_HOME = {
    "price": "billed",
    "price_rows": "billed",
    "PRICED": "engine",
    "Book": "book",
    "Override": "book",
}
_HOME |= {"bundled_dir": "book", "load": "book"}


def __getattr__(name: str) -> object:
    # Loaded on first use: ``costlens pricing --help`` needs none of polars or pydantic.
    if name in _HOME:
        return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    if name in ("terms", "fallback"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
