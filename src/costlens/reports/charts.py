"""The workbook's charts (native Excel charts over a "Chart data" sheet) and the same four as
PNG / SVG files (``--charts DIR``, matplotlib when it is installed).

The data are ``Report.charts`` (computed in ``views.chart_tables``): daily spend by model,
monthly spend by provider, cost per solved task against first-attempt success per model under
test, and the token mix per model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from ..errors import OutputError
from .sheets import Book

TITLES = {
    "daily_spend_by_model": "Daily spend by model",
    "monthly_spend_by_provider": "Monthly spend by provider",
    "cost_vs_success": "Cost per solved task vs first-attempt success",
    "token_mix_by_model": "Token mix by model",
}
MIX = {
    "input_uncached": "Uncached input",
    "cache_read": "Cache read",
    "cache_write": "Cache write",
    "output": "Output",
}


def add_charts(book: Book, data: dict[str, pl.DataFrame]) -> Callable[[], None]:
    """Add the Charts sheet now; return the call that writes "Chart data" (the last tab)."""
    ws = book.sheet("Charts")
    ws.fit_to_pages(1, 0)
    place = [(0, 0), (0, 9), (22, 0), (22, 9)]
    layout: list[tuple[str, int, int]] = []
    col = 0
    for name in TITLES:
        df = data.get(name)
        if df is None or df.is_empty() or df.width < 2:
            continue
        layout.append((name, col, df.height))
        col += df.width + 1
    for (name, c0, n), (r, c) in zip(layout, place, strict=False):
        chart = _chart(book, name, data[name], c0, n)
        chart.set_size({"width": 620, "height": 400})
        ws.insert_chart(r, c, chart)
    if not layout:
        ws.write_string(0, 0, "No usage to chart.", book.fmt["note"])

    def write_data() -> None:
        sheet = book.sheet("Chart data")
        for name, c0, _n in layout:
            df = data[name]
            for j, column in enumerate(df.columns):
                sheet.write_string(0, c0 + j, MIX.get(column, column), book.fmt["header"])
                kind = "text" if j == 0 else _kind(name)
                for i, v in enumerate(df[column].to_list(), start=1):
                    book.write_value(sheet, i, c0 + j, v, kind)
                sheet.set_column(c0 + j, c0 + j, 14 if j else 22)

    return write_data


def _kind(name: str) -> str:
    return "int" if name == "token_mix_by_model" else "money"


def _chart(book: Book, name: str, df: pl.DataFrame, c0: int, n: int):
    ref = "'Chart data'"
    cats = [ref, 1, c0, n, c0]
    if name == "cost_vs_success":
        chart = book.wb.add_chart({"type": "scatter"})
        for i in range(n):
            chart.add_series(
                {
                    "name": [ref, i + 1, c0],
                    "categories": [ref, i + 1, c0 + 2, i + 1, c0 + 2],
                    "values": [ref, i + 1, c0 + 1, i + 1, c0 + 1],
                    "marker": {"type": "circle", "size": 9},
                    "data_labels": {"series_name": True, "position": "right"},
                }
            )
        chart.set_x_axis({"name": "First-attempt success", "num_format": "0%", "min": 0, "max": 1})
        chart.set_y_axis({"name": "Cost per solved task", "num_format": '"$"#,##0.00'})
    else:
        kind = "bar" if name == "token_mix_by_model" else "column"
        chart = book.wb.add_chart({"type": kind, "subtype": "stacked"})
        for j in range(1, df.width):
            chart.add_series(
                {
                    "name": [ref, 0, c0 + j],
                    "categories": cats,
                    "values": [ref, 1, c0 + j, n, c0 + j],
                    "gap": 60,
                }
            )
        money = {"num_format": '"$"#,##0', "name": "Spend"}
        tokens = {"num_format": '#,##0,," M"', "name": "Tokens"}
        (chart.set_x_axis if kind == "bar" else chart.set_y_axis)(
            tokens if kind == "bar" else money
        )
    chart.set_title({"name": TITLES[name], "name_font": {"size": 12}})
    chart.set_legend({"position": "bottom"})
    return chart


def write_chart_files(data: dict[str, pl.DataFrame], target: Path) -> list[Path]:
    """The four charts as PNG and SVG files in ``target`` (created).

    Raises:
        OutputError: matplotlib is not installed (``pip install 'costlens[charts]'``).
    """
    try:
        import matplotlib
    except ImportError as e:
        raise OutputError(
            "--charts needs matplotlib: pip install 'costlens[charts]' (the workbook's own "
            "charts need nothing more)"
        ) from e

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, title in TITLES.items():
        df = data.get(name)
        if df is None or df.is_empty() or df.width < 2:
            continue
        fig, ax = plt.subplots(figsize=(9, 5), dpi=110)
        _plot(ax, name, df)
        ax.set_title(title)
        fig.tight_layout()
        for ext in ("png", "svg"):
            path = target / f"{name}.{ext}"
            fig.savefig(path, metadata=_metadata(ext))
            written.append(path)
        plt.close(fig)
    return written


def _metadata(ext: str) -> dict:
    # No creation date (files are reproducible) and costlens named as the writer.
    return {"Software": "costlens"} if ext == "png" else {"Creator": "costlens", "Date": None}


def _plot(ax, name: str, df: pl.DataFrame) -> None:
    if name == "cost_vs_success":
        for model, cost, rate in df.iter_rows():
            ax.scatter([rate], [cost], s=60)
            ax.annotate(model, (rate, cost), xytext=(6, 4), textcoords="offset points")
        ax.set_xlabel("First-attempt success")
        ax.set_ylabel("Cost per solved task (USD)")
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda v, _p: f"{v:.0%}")
        return
    labels = [str(v) for v in df[df.columns[0]].to_list()]
    bottom = [0.0] * df.height
    horizontal = name == "token_mix_by_model"
    for column in df.columns[1:]:
        values = [float(v or 0) for v in df[column].to_list()]
        draw = ax.barh if horizontal else ax.bar
        kw = {"left": bottom} if horizontal else {"bottom": bottom}
        draw(labels, values, label=MIX.get(column, column), **kw)
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    ax.legend(fontsize=8)
    if horizontal:
        ax.set_xlabel("Tokens")
    else:
        ax.set_ylabel("Spend (USD)")
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
