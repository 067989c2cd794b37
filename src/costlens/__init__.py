"""costlens: what a model really costs per finished task.

The library behind the ``costlens`` command::

    import costlens
    report = costlens.run([Path("samples/")])
    print(report.summary["total_cost"])
"""

from typing import TYPE_CHECKING

from .errors import CostlensError

if TYPE_CHECKING:
    from .pipeline import Report, run

__version__ = "0.1.0"
__all__ = ["CostlensError", "Report", "__version__", "run"]


def __getattr__(name: str) -> object:
    # The pipeline (polars, pydantic) loads on first use, so ``costlens --version`` and
    # ``--help`` start in a fraction of a second.
    if name in ("Report", "run"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'costlens' has no attribute {name!r}")
