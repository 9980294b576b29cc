"""Bar geometry of the server-drawn charts."""

from __future__ import annotations

import itertools

from service.web import i18n
from service.web.charts import bars, grouped_bars, shorten


def test_bars_scale_to_the_largest_value_and_keep_order() -> None:
    chart = bars([("Cần Thơ", 4), ("Hà Nội", 2), ("Quảng Ninh", 0)], width=400, label_width=100, value_room=50)
    plot = 400 - 100 - 50
    assert [b.label for b in chart.bars] == ["Cần Thơ", "Hà Nội", "Quảng Ninh"]
    assert [b.width for b in chart.bars] == [plot, plot / 2, 0]
    assert all(b.x == 100 for b in chart.bars)
    assert [b.text for b in chart.bars] == ["4", "2", "0"]


def test_bars_stack_downwards_without_overlap_inside_the_chart() -> None:
    chart = bars([("a", 1), ("b", 2), ("c", 3)], bar_height=10, gap=5)
    tops = [b.y for b in chart.bars]
    assert tops == sorted(tops)
    assert all(later - earlier >= 10 for earlier, later in itertools.pairwise(tops))
    assert chart.bars[-1].y + chart.bars[-1].height <= chart.height
    assert all(b.x + b.width <= chart.width for b in chart.bars)
    assert [label.y for label in chart.labels] == sorted(label.y for label in chart.labels)


def test_all_zero_or_no_data_draws_nothing() -> None:
    assert all(b.width == 0 for b in bars([("a", 0), ("b", 0)]).bars)
    empty = bars([])
    assert empty.empty and empty.bars == [] and empty.height > 0


def test_negative_values_draw_no_bar() -> None:
    chart = bars([("a", -3), ("b", 3)])
    assert chart.bars[0].width == 0 and chart.bars[1].width > 0


def test_long_labels_are_shortened_but_the_bar_keeps_the_full_name() -> None:
    name = "Trung tâm Công tác xã hội tỉnh Quảng Ninh"
    chart = bars([(name, 1)], max_label=20)
    assert chart.labels[0].text.endswith("…") and len(chart.labels[0].text) <= 20
    assert chart.bars[0].label == name
    assert shorten("ngắn", 20) == "ngắn"


def test_grouped_bars_share_one_scale_and_name_their_series() -> None:
    chart = grouped_bars(
        [("Nhà Bình Yên", [("Sent", 10), ("Accepted", 5)]), ("OSSO", [("Sent", 2), ("Accepted", 0)])],
        width=500,
        label_width=150,
        value_room=100,
    )
    plot = 500 - 150 - 100
    assert [b.width for b in chart.bars] == [plot, plot / 2, plot / 5, 0]
    assert [b.series for b in chart.bars] == [0, 1, 0, 1]
    assert [b.text for b in chart.bars] == ["Sent: 10", "Accepted: 5", "Sent: 2", "Accepted: 0"]
    assert len(chart.labels) == 2
    # the second group starts below the whole first group
    assert chart.bars[2].y > chart.bars[1].y + chart.bars[1].height
    assert chart.fill(chart.bars[0]) != chart.fill(chart.bars[1])


def test_values_are_written_compactly_in_the_pages_number_format() -> None:
    assert [b.text for b in bars([("x", 2.5), ("y", 3.0), ("z", 1234)]).bars] == ["2,5", "3", "1.234"]
    token = i18n.current.set("en")
    try:
        assert [b.text for b in bars([("x", 2.5), ("y", 3.0)]).bars] == ["2.5", "3"]
    finally:
        i18n.current.reset(token)
