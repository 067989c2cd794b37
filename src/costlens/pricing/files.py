"""Reading price table files: TOML text -> validated ``ProviderFile`` plus header line numbers."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ..errors import PricingError, located
from .format import ProviderFile
from .lines import Loc, header_lines, line_of


@dataclass(frozen=True)
class Source:
    """One parsed pricing file: where it came from, its content and its header lines."""

    path: Path
    data: ProviderFile
    lines: dict[Loc, int]
    overlay: bool = False

    def where(self, loc: Loc, message: str) -> str:
        """``path:line: message`` for the entry at ``loc`` (e.g. ``("model", 2, "period", 0)``)."""
        return located(self.path, line_of(self.lines, loc), message)


def bundled_dir() -> Path:
    """The pricing tables shipped with costlens (wheel) or at the repository top (checkout)."""
    packaged = resources.files("costlens") / "_pricing"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "pricing"


def toml_files(paths: list[Path]) -> list[Path]:
    """The ``*.toml`` files named by ``paths`` (files, or folders read one level deep, sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.glob("*.toml")))
        elif p.exists():
            out.append(p)
        else:
            raise PricingError(f"{p}: no such pricing file or folder")
    return out


def parse(path: Path, overlay: bool = False) -> Source:
    """Read and validate one file; errors name ``path:line``."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        raise PricingError(located(path, getattr(e, "lineno", None), f"not valid TOML: {e}")) from e
    lines = header_lines(text)
    try:
        return Source(path, ProviderFile.model_validate(data), lines, overlay)
    except ValidationError as e:
        first = e.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(str(x) for x in loc)
        raise PricingError(
            located(path, line_of(lines, loc), f"{where}: {first['msg']} (see docs/pricing.md)")
        ) from e
