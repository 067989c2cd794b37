"""Stage 6: writers only. Nothing is computed here except rounding for presentation."""

from .atomic import atomic_dir, atomic_file
from .charts import write_chart_files
from .csv import write_csv_dir, write_parquet_dir
from .excel import write_workbook
from .jsonout import summary_json

__all__ = [
    "atomic_dir",
    "atomic_file",
    "summary_json",
    "write_chart_files",
    "write_csv_dir",
    "write_parquet_dir",
    "write_workbook",
]
