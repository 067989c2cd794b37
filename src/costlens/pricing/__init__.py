"""Versioned, dated price tables (``book``) and the engine that applies them (``engine``)."""

from .book import Book, bundled_dir, load
from .engine import PRICED, price

__all__ = ["PRICED", "Book", "bundled_dir", "load", "price"]
