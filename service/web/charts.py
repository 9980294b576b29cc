"""Geometry of the server-drawn charts: the dashboard's bar charts ((label, value) pairs in,
rectangles out) and a case's follow-up scores as lines.

Pages draw these as inline SVG with no library and no script; the numbers are always in a table
next to the chart as well, so the chart only has to be right, not to be the sole carrier of them.
Bars are horizontal, each under its name, so long names (provinces, services) read without
rotation, also on a phone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from service.reintegration.follow_up_models import FollowUp
from service.web.i18n import fmt_number

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
    text: str  # as drawn: shortened, and unlike any other label of the chart
    y: float  # baseline of the label, just above its bar or group
    full: str = ""  # the whole name, for the label's tooltip and screen readers


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
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


def _middle(text: str, limit: int) -> str:
    """``text`` cut in the middle: its start and its end (where names of the same kind differ —
    "… Cần Thơ", "… Sóc Trăng") around an ellipsis."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head].rstrip() + "…" + text[len(text) - (limit - 1 - head) :].lstrip()


def unique_labels(texts: Sequence[str], limit: int) -> list[str]:
    """Each text at most ``limit`` characters, no two alike: shortened at the end, or in the middle
    when that would make two the same, numbered when even that does (or the names are equal)."""
    short = [shorten(t, limit) for t in texts]
    clashing = Counter(short)
    short = [_middle(t, limit) if clashing[s] > 1 else s for t, s in zip(texts, short, strict=True)]
    clashing, seen = Counter(short), Counter[str]()
    result = []
    for text, label in zip(texts, short, strict=True):
        if clashing[label] > 1:
            seen[label] += 1
            suffix = f" ({seen[label]})"
            label = _middle(text, limit - len(suffix)) + suffix
        result.append(label)
    return result


def _number(value: float) -> str:
    # as the page's tables write it (a decimal comma in Vietnamese)
    return fmt_number(value)


def _scale(values: Sequence[float], plot_width: float) -> float:
    """Pixels per unit: the largest value fills the plot; all-zero data draws no bars at all."""
    largest = max((max(v, 0.0) for v in values), default=0.0)
    return plot_width / largest if largest > 0 else 0.0


# Names sit on a line of their own above their bar (or group), across the chart's whole width: a
# phone shrinks the chart to about 0.9 of its size, and a name beside the bar would leave it
# either unreadably small or cut to a few letters.
LABEL_HEIGHT = 16  # the name's line above a bar or group
LABEL_BASELINE = 12


def bars(
    pairs: Sequence[tuple[str, float]],
    *,
    width: float = 400,
    bar_height: float = 18,
    gap: float = 10,
    value_room: float = 48,
    max_label: int = 44,  # what 13px bold fits in 400 units
) -> BarChart:
    """One horizontal bar per pair, in the given order, scaled to the largest value, its name above it."""
    unit = _scale([v for _, v in pairs], width - value_room)
    names = unique_labels([label for label, _ in pairs], max_label)
    result: list[Bar] = []
    labels: list[RowLabel] = []
    row = LABEL_HEIGHT + bar_height + gap
    for index, ((label, value), name) in enumerate(zip(pairs, names, strict=True)):
        top = gap + index * row
        length = round(max(value, 0.0) * unit, 1)
        result.append(Bar(label, value, 0, top + LABEL_HEIGHT, length, bar_height, 0, _number(value)))
        labels.append(RowLabel(name, top + LABEL_BASELINE, label))
    return BarChart(width, gap + len(pairs) * row, result, labels)


def grouped_bars(
    groups: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    width: float = 400,
    bar_height: float = 12,
    gap: float = 2,
    group_gap: float = 12,
    value_room: float = 110,
    max_label: int = 44,  # what 13px bold fits in 400 units
) -> BarChart:
    """A group of thin bars per row (one per series, e.g. sent / accepted / completed / verified),
    all on one scale, the group's name above it; each bar's text names its series, so colour
    carries no meaning alone."""
    unit = _scale([v for _, series in groups for _, v in series], width - value_room)
    names = unique_labels([label for label, _ in groups], max_label)
    result: list[Bar] = []
    labels: list[RowLabel] = []
    y = group_gap
    for (label, series), name in zip(groups, names, strict=True):
        labels.append(RowLabel(name, y + LABEL_BASELINE, label))
        y += LABEL_HEIGHT
        for index, (series_name, value) in enumerate(series):
            length = round(max(value, 0.0) * unit, 1)
            result.append(Bar(label, value, 0, y, length, bar_height, index, f"{series_name}: {_number(value)}"))
            y += bar_height + gap
        y += group_gap - gap
    return BarChart(width, y, result, labels)


# -- a case's follow-up scores as lines -------------------------------------------------------------

# A server-drawn SVG, no script; each series has its own dash and marker so that colour is never
# the only difference.
SCORE_WIDTH, SCORE_HEIGHT = 560, 240
SCORE_LEFT, SCORE_RIGHT, SCORE_TOP, SCORE_BOTTOM = 48, 44, 16, 40
SCORE_SERIES = (
    ("economic", "#0b5cad", ""),
    ("social", "#0a6b2c", "6 4"),
    ("psychosocial", "#8a1c00", "2 3"),
    ("composite", "#1b1b1f", "10 3 2 3"),
)


@dataclass
class ScoreSeries:
    key: str
    colour: str
    dash: str
    points: list[tuple[float, float]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass
class ScoreChart:
    """The follow-up scores over time as lines (unlike BarChart, the dashboard's bars)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[ScoreSeries]
    ticks: list[tuple[float, date]]
    levels: list[tuple[float, int]]


def score_chart(follow_ups: list[FollowUp]) -> ScoreChart | None:
    """Scores (0-1) over time, dates spaced by their real distance apart."""
    if not follow_ups:
        return None
    plot_w = SCORE_WIDTH - SCORE_LEFT - SCORE_RIGHT
    plot_h = SCORE_HEIGHT - SCORE_TOP - SCORE_BOTTOM
    first, last = follow_ups[0].date, follow_ups[-1].date
    span = (last - first).days

    def x_of(day: date) -> float:
        return round(SCORE_LEFT + (plot_w * (day - first).days / span if span else plot_w / 2), 1)

    def y_of(value: float) -> float:
        return round(SCORE_TOP + plot_h * (1 - max(0.0, min(1.0, value))), 1)

    series = []
    for key, colour, dash in SCORE_SERIES:
        points = [(x_of(f.date), y_of(value)) for f in follow_ups if (value := getattr(f.scores, key)) is not None]
        series.append(ScoreSeries(key=key, colour=colour, dash=dash, points=points))
    seen: dict[date, float] = {}
    for f in follow_ups:
        seen.setdefault(f.date, x_of(f.date))
    return ScoreChart(
        width=SCORE_WIDTH,
        height=SCORE_HEIGHT,
        left=SCORE_LEFT,
        right=SCORE_WIDTH - SCORE_RIGHT,
        top=SCORE_TOP,
        bottom=SCORE_HEIGHT - SCORE_BOTTOM,
        series=series,
        ticks=[(x, day) for day, x in seen.items()],
        levels=[(y_of(level / 100), level) for level in (0, 50, 100)],
    )
