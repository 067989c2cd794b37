"""costlens: what a model really costs per finished task.

The library behind the ``costlens`` command::

    import costlens
    report = costlens.run([Path("samples/")])
    print(report.summary["total_cost"])
"""

from .errors import CostlensError
from .pipeline import Report, run

__version__ = "0.1.0"
__all__ = ["CostlensError", "Report", "__version__", "run"]
