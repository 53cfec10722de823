"""The report's charts as PNG bytes: matplotlib's Agg canvas (no display, no pyplot state), German titles and
labelled axes, the Okabe–Ito palette (told apart with every common colour vision deficiency)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.report.data import SMALL, shown
from bot.report.suppress import Mark
from bot.report.tables import Cell, Table

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DPI = 100
MAX_CELL_TEXTS = 240  # a bigger grid is read by its colours (and the table); every text costs time to draw


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})  # Agg: matplotlib renders PNG with it
    return buffer.getvalue()


def _margins(fig: Figure, labels: list[str], width: float, height: float, right: float = 0.4) -> None:
    """Room for the labels, set by hand: a layout engine would draw every chart twice (once only to measure it)."""
    longest = max((len(label) for label in labels), default=4)
    fig.subplots_adjust(
        left=min(0.6, (0.25 + 0.075 * longest) / width),
        right=1 - right / width,
        bottom=0.6 / height,
        top=1 - 0.45 / height,
    )


def _drawn(cell: Cell) -> int:
    """A hidden count has no bar (its length would show the number): it stays empty, labelled "< 5" or "•"."""
    if not isinstance(cell, int) or 0 < cell < SMALL:
        return 0
    return cell


def _label(cell: Cell) -> str:
    return cell.value if isinstance(cell, Mark) else shown(cell if isinstance(cell, int) else 0)


def bars(table: Table, series: list[str], xlabel: str) -> bytes:
    """Horizontal bars: one group per row of the table, one bar per series (this quarter, a year before)."""
    count_columns = [table.columns.index(name) for name in series]
    rows = table.chart_rows if table.chart_rows is not None else table.rows
    labels = [str(row[0]) for row in rows][::-1]
    height = max(2.4, 0.42 * len(labels) * max(1, len(series)) + 1.4)
    fig = Figure(figsize=(8.5, height), dpi=DPI)
    _margins(fig, labels, 8.5, height)
    ax = fig.add_subplot()
    width = 0.8 / len(series)
    for i, (name, column) in enumerate(zip(series, count_columns, strict=True)):
        cells = [row[column] for row in rows][::-1]
        offsets = [y + (len(series) - 1 - 2 * i) * width / 2 for y in range(len(labels))]
        drawn = [_drawn(cell) for cell in cells]
        ax.barh(offsets, drawn, height=width, color=OKABE_ITO[i], label=name)
        for y, cell, length in zip(offsets, cells, drawn, strict=True):
            ax.annotate(_label(cell), (length, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(xlabel)
    ax.set_title(table.title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(5.0, ax.get_xlim()[1] * 1.12))  # room for the labels at the bars' ends
    if len(series) > 1:
        ax.legend(loc="lower right")
    if not labels:
        ax.text(0.5, 0.5, "keine Daten", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def waits(series: dict[str, list[int | None]], labels: list[str], title: str) -> bytes:
    """Waiting times in hours: one bar per series (median and 90th percentile, of this quarter and a year before)."""
    height = max(3.8, 0.28 * len(labels) * len(series) + 1.6)
    fig = Figure(figsize=(8.5, height), dpi=DPI)
    _margins(fig, labels, 8.5, height)
    ax = fig.add_subplot()
    width = 0.8 / len(series)
    for i, (name, minutes) in enumerate(series.items()):
        values = [(m or 0) / 60 for m in minutes][::-1]
        offsets = [y + (len(series) - 1 - 2 * i) * width / 2 for y in range(len(labels))]
        ax.barh(offsets, values, height=width, color=OKABE_ITO[i], label=name)
    ax.set_xlim(0, max(1.0, ax.get_xlim()[1]))
    ax.set_yticks(range(len(labels)), labels[::-1])
    ax.set_xlabel("Stunden")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def funnel(nodes: list[str], languages: list[str], share: dict[tuple[str, str], float | str], title: str) -> bytes:
    """Where conversations end: the share that stopped at each dialog step, by language (cividis: colour-blind safe);
    cells whose counts are hidden (their mark as text) are grey and say so, cells nobody reached stay empty."""
    width, height = max(6.0, 0.8 * len(languages) + 4.5), max(3.0, 0.3 * len(nodes) + 2.2)
    fig = Figure(figsize=(width, height), dpi=DPI)
    _margins(fig, nodes, width, height, right=0.2)
    fig.subplots_adjust(bottom=1.3 / height)  # the language names stand slanted
    ax = fig.add_subplot()
    if not nodes:
        ax.text(0.5, 0.5, "keine Daten", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title)
        return _png(fig)
    grid = [[share.get((node, lang)) for lang in languages] for node in nodes]
    data = [[v * 100 if isinstance(v, float) else float("nan") for v in row] for row in grid]
    image = ax.imshow(data, cmap="cividis", vmin=0, vmax=100, aspect="auto")
    ax.set_facecolor("#DDDDDD")
    for y, row in enumerate(grid if len(nodes) * len(languages) <= MAX_CELL_TEXTS else []):
        for x, value in enumerate(row):
            if (nodes[y], languages[x]) not in share:
                continue  # nobody in this language came here
            text = value if isinstance(value, str) else f"{value:.0%}".replace("%", " %")
            colour = "white" if isinstance(value, float) and value < 0.6 else "black"
            ax.text(x, y, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(len(languages)), languages, rotation=30, ha="right")
    ax.set_yticks(range(len(nodes)), nodes, fontsize=8)
    ax.set_xlabel("Sprache")
    ax.set_ylabel("Dialogschritt")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="dort aufgehört (%)")
    return _png(fig)
