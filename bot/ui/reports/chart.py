"""The report's chart: appeals by category and by month, this quarter against the previous one, as one PNG.

Drawn headless with matplotlib's object API (a `Figure` on an Agg canvas, never pyplot, so no figure is kept in a
global registry) in the current gettext locale: category names from bot.ui.labels, month and quarter names from
Babel. DejaVu Sans, matplotlib's default font, has Cyrillic and the Kazakh letters.

matplotlib is not thread-safe, so drawing holds a lock: call `chart_png` from a worker thread
(`await asyncio.to_thread(chart_png, comparison)`, which carries the gettext locale along) or directly; concurrent
calls wait for one another instead of corrupting shared state. The same input gives the same bytes (the PNG
carries no timestamp or software version).
"""

from __future__ import annotations

import io
import textwrap
import threading

from aiogram.utils.i18n import gettext as _

from bot.services.report_figures import Comparison
from bot.ui import labels
from bot.ui.reports.cards import number, quarter_months, quarter_short
from bot.ui.reports.plotting import Axes, Figure, FigureCanvasAgg, FuncFormatter, MaxNLocator, Patch
from models import Category

WIDTH, HEIGHT, DPI = 12, 7, 100  # 1200 × 700 pixels
CURRENT = "#1565c0"
PREVIOUS = "#b0bec5"
LABEL_WIDTH = 20  # characters of a category name per line
_LOCK = threading.Lock()

__all__ = ["chart_png"]


def chart_png(comparison: Comparison) -> bytes:
    """The chart as PNG bytes, 1200 × 700 pixels."""
    with _LOCK:
        figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
        FigureCanvasAgg(figure)
        try:
            _draw(figure, comparison)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        finally:
            figure.clear()
    return buffer.getvalue()


def _draw(figure: Figure, comparison: Comparison) -> None:
    now, before = comparison.current, comparison.previous
    current_name, previous_name = quarter_short(now.quarter), quarter_short(before.quarter)
    figure.suptitle(
        _("Appeals: {quarter} against {previous}").format(quarter=current_name, previous=previous_name),
        fontsize=18,
        fontweight="bold",
    )
    # Fixed margins rather than a layout engine: half the time, and the same frame whatever the labels.
    figure.subplots_adjust(left=0.175, right=0.985, top=0.86, bottom=0.16, wspace=0.16)
    by_category, by_month = figure.subplots(1, 2, width_ratios=[1.3, 1])
    _categories(by_category, now.by_category, before.by_category)
    _fit_category_names(figure, by_category)
    _months(by_month, now.quarter, now.by_month, before.quarter, before.by_month)
    figure.legend(
        handles=[Patch(color=CURRENT, label=current_name), Patch(color=PREVIOUS, label=previous_name)],
        loc="lower center",
        ncols=2,
        fontsize=14,
        frameon=False,
    )


def _category_name(code: str) -> str:
    try:
        return labels.category(code)
    except ValueError:
        return code


def _categories(axes: Axes, now: dict[str, int], before: dict[str, int]) -> None:
    known = [category.value for category in Category]
    codes = [code for code in known if now.get(code) or before.get(code)]
    codes += sorted(code for code in {*now, *before} if code not in known and (now.get(code) or before.get(code)))
    if not codes:
        codes = known
    positions = range(len(codes))
    height = 0.4
    current = axes.barh([p - height / 2 for p in positions], [now.get(c, 0) for c in codes], height, color=CURRENT)
    earlier = axes.barh([p + height / 2 for p in positions], [before.get(c, 0) for c in codes], height, color=PREVIOUS)
    names = [textwrap.fill(_category_name(c), LABEL_WIDTH, break_long_words=False) for c in codes]
    axes.set_yticks(list(positions), names, fontsize=12)
    axes.invert_yaxis()
    axes.set_title(_("By category"), fontsize=15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: number(int(value))))
    axes.tick_params(axis="x", labelsize=11)
    for bars in (current, earlier):
        axes.bar_label(bars, labels=[number(int(bar.get_width())) for bar in bars], padding=3, fontsize=11)
    axes.margins(x=0.15)
    _plain(axes)


def _fit_category_names(figure: Figure, axes: Axes) -> None:
    """Move the left edge so the longest category name (in whatever language) fits, measuring only those labels."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    widest = max(label.get_window_extent(renderer).width for label in axes.get_yticklabels())
    left = (widest + 16) / (WIDTH * DPI)
    figure.subplots_adjust(left=min(max(left, 0.08), 0.4))


def _months(axes: Axes, quarter: str, now: list[int], earlier_quarter: str, before: list[int]) -> None:
    names = quarter_months(earlier_quarter) + quarter_months(quarter)
    values = list(before[:3]) + list(now[:3])
    colors = [PREVIOUS] * 3 + [CURRENT] * 3
    bars = axes.bar(range(6), values, 0.7, color=colors)
    axes.set_xticks(range(6), names, fontsize=11, rotation=25, ha="right", rotation_mode="anchor")
    axes.set_title(_("By month"), fontsize=15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: number(int(value))))
    axes.tick_params(axis="y", labelsize=11)
    axes.bar_label(bars, labels=[number(v) for v in values], padding=3, fontsize=11)
    axes.axvline(2.5, color="#90a4ae", linewidth=1, linestyle="--")
    axes.margins(y=0.15)
    _plain(axes)


def _plain(axes: Axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
