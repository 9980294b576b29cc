"""The emergency numbers of the public pages: one table, recognised when a searcher types one."""

from __future__ import annotations

import pytest

from service.web.hotlines import HOTLINES, hotline_for


@pytest.mark.parametrize(
    ("typed", "number"),
    [("113", "113"), (" 111 ", "111"), ("1900969680", "1900 969 680"), ("1900.969.680", "1900 969 680")],
)
def test_a_typed_emergency_number_names_its_line(typed: str, number: str) -> None:
    line = hotline_for(typed)
    assert line is not None and line.number == number


@pytest.mark.parametrize("typed", ["0299 555 111", "1111", "11", "goi 113", ""])
def test_only_a_whole_emergency_number_names_a_line(typed: str) -> None:
    assert hotline_for(typed) is None


def test_police_child_protection_and_the_shelter_line_are_offered() -> None:
    assert [line.digits for line in HOTLINES] == ["113", "111", "1900969680"]
