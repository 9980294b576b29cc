"""Bar geometry of the server-drawn charts."""

from __future__ import annotations

import itertools

from service.web import i18n
from service.web.charts import bars, grouped_bars, shorten, unique_labels


def test_bars_scale_to_the_largest_value_and_keep_order() -> None:
    chart = bars([("Cần Thơ", 4), ("Hà Nội", 2), ("Quảng Ninh", 0)], width=400, value_room=50)
    plot = 400 - 50
    assert [b.label for b in chart.bars] == ["Cần Thơ", "Hà Nội", "Quảng Ninh"]
    assert [b.width for b in chart.bars] == [plot, plot / 2, 0]
    assert all(b.x == 0 for b in chart.bars)
    assert [b.text for b in chart.bars] == ["4", "2", "0"]


def test_bars_stack_downwards_without_overlap_inside_the_chart() -> None:
    chart = bars([("a", 1), ("b", 2), ("c", 3)], bar_height=10, gap=5)
    tops = [b.y for b in chart.bars]
    assert tops == sorted(tops)
    assert all(later - earlier >= 10 for earlier, later in itertools.pairwise(tops))
    assert chart.bars[-1].y + chart.bars[-1].height <= chart.height
    assert all(b.x + b.width <= chart.width for b in chart.bars)
    assert [label.y for label in chart.labels] == sorted(label.y for label in chart.labels)
    # each name sits above its own bar, below the bar before it
    assert all(label.y < bar.y for label, bar in zip(chart.labels, chart.bars, strict=True))
    assert all(bar.y + bar.height < label.y for bar, label in zip(chart.bars, chart.labels[1:], strict=False))


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
    assert chart.labels[0].full == name  # for the label's <title>
    assert chart.bars[0].label == name
    assert shorten("ngắn", 20) == "ngắn"


def test_grouped_bars_share_one_scale_and_name_their_series() -> None:
    chart = grouped_bars(
        [("Nhà Bình Yên", [("Sent", 10), ("Accepted", 5)]), ("OSSO", [("Sent", 2), ("Accepted", 0)])],
        width=500,
        value_room=100,
    )
    plot = 500 - 100
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


def test_labels_that_would_shorten_alike_keep_what_tells_them_apart() -> None:
    names = [
        "Tư vấn pháp lý miễn phí · Trung tâm Trợ giúp pháp lý Nhà nước tỉnh Cần Thơ",
        "Tư vấn pháp lý miễn phí · Trung tâm Trợ giúp pháp lý Nhà nước tỉnh Sóc Trăng",
        "Tư vấn pháp lý miễn phí · Trung tâm Trợ giúp pháp lý Nhà nước tỉnh Sóc Trăng",
        "Nhà tạm lánh",
    ]
    labels = unique_labels(names, 40)
    assert len(set(labels)) == 4 and all(len(label) <= 40 for label in labels)
    assert labels[0].startswith("Tư vấn pháp lý") and labels[0].endswith("Cần Thơ")
    assert labels[1].endswith("Sóc Trăng (1)") and labels[2].endswith("Sóc Trăng (2)")
    assert labels[3] == "Nhà tạm lánh"  # short and unlike the others: as it is
    chart = grouped_bars([(name, [("Sent", 1)]) for name in names], max_label=40)
    assert [label.text for label in chart.labels] == labels
