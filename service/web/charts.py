"""Geometry of the server-drawn bar charts: (label, value) pairs in, rectangles out.

Pages draw these as inline SVG with no library and no script; the numbers are always in a table
next to the chart as well, so the chart only has to be right, not to be the sole carrier of them.
Bars are horizontal so long names (provinces, services) read without rotation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Bars of one series share a fill; patterns are not needed because every bar is labelled in text.
SERIES_FILLS = ("#0b5cad", "#5b8fc7", "#0a6b2c", "#8a5a00")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    series: int = 0  # index into the chart's series (0 for a plain chart)
    text: str = ""  # what is written at the end of the bar


@dataclass(frozen=True)
class RowLabel:
    text: str
    y: float  # baseline of the label, centred on its bar or group


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    label_width: float
    bars: list[Bar]
    labels: list[RowLabel]

    @property
    def empty(self) -> bool:
        return not self.bars

    def fill(self, bar: Bar) -> str:
        return SERIES_FILLS[bar.series % len(SERIES_FILLS)]


def shorten(text: str, limit: int) -> str:
    """Labels longer than ``limit`` characters end in an ellipsis; the table keeps the full name."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _scale(values: Sequence[float], plot_width: float) -> float:
    """Pixels per unit: the largest value fills the plot; all-zero data draws no bars at all."""
    largest = max((max(v, 0.0) for v in values), default=0.0)
    return plot_width / largest if largest > 0 else 0.0


def bars(
    pairs: Sequence[tuple[str, float]],
    *,
    width: float = 560,
    label_width: float = 180,
    bar_height: float = 18,
    gap: float = 8,
    value_room: float = 48,
    max_label: int = 26,
) -> BarChart:
    """One horizontal bar per pair, in the given order, scaled to the largest value."""
    plot = width - label_width - value_room
    unit = _scale([v for _, v in pairs], plot)
    result: list[Bar] = []
    labels: list[RowLabel] = []
    for index, (label, value) in enumerate(pairs):
        y = gap + index * (bar_height + gap)
        length = round(max(value, 0.0) * unit, 1)
        result.append(Bar(label, value, label_width, y, length, bar_height, 0, _number(value)))
        labels.append(RowLabel(shorten(label, max_label), round(y + bar_height * 0.7, 1)))
    height = gap + len(pairs) * (bar_height + gap)
    return BarChart(width, height, label_width, result, labels)


def grouped_bars(
    groups: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    width: float = 560,
    label_width: float = 180,
    bar_height: float = 12,
    gap: float = 2,
    group_gap: float = 12,
    value_room: float = 110,
    max_label: int = 26,
) -> BarChart:
    """A group of thin bars per row (one per series, e.g. sent / accepted / completed / verified),
    all on one scale; each bar's text names its series, so colour carries no meaning alone."""
    plot = width - label_width - value_room
    unit = _scale([v for _, series in groups for _, v in series], plot)
    result: list[Bar] = []
    labels: list[RowLabel] = []
    y = group_gap
    for label, series in groups:
        top = y
        for index, (name, value) in enumerate(series):
            length = round(max(value, 0.0) * unit, 1)
            result.append(Bar(label, value, label_width, y, length, bar_height, index, f"{name}: {_number(value)}"))
            y += bar_height + gap
        group_height = y - gap - top
        labels.append(RowLabel(shorten(label, max_label), round(top + group_height / 2 + 4, 1)))
        y += group_gap - gap
    return BarChart(width, y, label_width, result, labels)
