"""CSV cells a spreadsheet would run as formulas are written as text, and read back exactly."""

from __future__ import annotations

import pytest

from service.export_files import neutral, restored

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+84 292 3820 000",
        "-Nhà tạm lánh",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "'=quoted",
        "''+84",
        "'",
        "'plain",
        "",
        "Hoa Sen",
    ],
)
def test_every_text_survives_the_round_trip_and_none_is_written_as_a_formula(text: str) -> None:
    written = neutral(text)
    assert not written.startswith(FORMULA_STARTS)
    assert restored(written) == text


@pytest.mark.parametrize("text", ["'hello'", "'", "Hoa Sen", "0292 3820 000"])
def test_text_of_another_publisher_is_read_as_it_is(text: str) -> None:
    assert restored(text) == text
