"""Times of day as people in Viet Nam type them, normalised to the HH:MM the listings store."""

from __future__ import annotations

import pytest

from service.directory.rules import clock_time


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("7h30", "07:30"),
        ("7:30", "07:30"),
        ("07.30", "07:30"),
        ("0730", "07:30"),
        ("730", "07:30"),
        ("7h", "07:00"),
        ("17h", "17:00"),
        ("17g", "17:00"),
        ("17G", "17:00"),
        ("7 giờ 30", "07:30"),
        ("7 giờ 30 phút", "07:30"),
        ("7h30'", "07:30"),
        ("  07:30 ", "07:30"),
        ("7", "07:00"),
        ("5h chiều", "17:00"),
        ("1 giờ trưa", "13:00"),
        ("24h", "24:00"),
        ("0h", "00:00"),
    ],
)
def test_the_ways_people_write_a_time(typed: str, clock: str) -> None:
    assert clock_time(typed) == clock


@pytest.mark.parametrize("typed", ["", "abc", "25h", "7:75", "24:30", "7h3", "12345", "7-9h"])
def test_what_is_not_a_time(typed: str) -> None:
    assert clock_time(typed) is None
