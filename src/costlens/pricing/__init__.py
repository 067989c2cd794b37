"""Versioned, dated price tables (``book``) and the engine that applies them (``engine``).

``price`` (from ``billed``) is the stage's entry point: it sets money-only rows apart as
``billed`` before the engine prices the rest.
"""

from . import terms
from .billed import price
from .book import Book, Override, bundled_dir, load
from .engine import PRICED

__all__ = ["PRICED", "Book", "Override", "bundled_dir", "load", "price", "terms"]
