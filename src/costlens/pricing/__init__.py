"""Versioned, dated price tables (``book``) and the engine that applies them (``engine``)."""

from .book import Book, Override, bundled_dir, load
from .engine import PRICED, price

__all__ = ["PRICED", "Book", "Override", "bundled_dir", "load", "price"]
