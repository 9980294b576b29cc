"""One way per language to write days, moments and numbers, on every page: Vietnamese dd/mm/yyyy,
a 24-hour clock and a decimal comma; English "7 Dec 2026" (never the American 12/7/26)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest

from service.web import i18n
from service.web.templates import environment

Speak = Callable[[str], None]
DAY = date(2026, 12, 7)
MOMENT = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)  # 14:05 in Viet Nam
LATE_UTC = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)  # already 8 December in Viet Nam


@pytest.fixture
def speak() -> Iterator[Callable[[str], None]]:
    token = i18n.current.set(i18n.DEFAULT)

    def set_locale(locale: str) -> None:
        i18n.current.set(locale)

    yield set_locale
    i18n.current.reset(token)


@pytest.mark.parametrize(
    ("locale", "day", "moment", "late"),
    [
        ("vi", "07/12/2026", "07/12/2026 14:05", "08/12/2026"),
        ("en", "7 Dec 2026", "7 Dec 2026, 14:05", "8 Dec 2026"),
    ],
)
def test_days_and_moments_have_one_form_per_language(
    speak: Speak, locale: str, day: str, moment: str, late: str
) -> None:
    speak(locale)
    assert i18n.fmt_date(DAY) == day
    assert i18n.fmt_datetime(MOMENT) == moment
    assert i18n.fmt_date(LATE_UTC) == late  # a moment's day is Viet Nam's day


@pytest.mark.parametrize(
    ("locale", "written"),
    [
        ("vi", ["1.234.567", "0,5", "0,0", "1,0", "0,167", "1.235"]),
        ("en", ["1,234,567", "0.5", "0.0", "1.0", "0.167", "1,235"]),
    ],
)
def test_numbers_are_written_in_the_pages_language(speak: Speak, locale: str, written: list[str]) -> None:
    speak(locale)
    values = [
        i18n.fmt_number(1234567),
        i18n.fmt_number(0.5),
        i18n.fmt_number(0, 1),
        i18n.fmt_number(1, 1),
        i18n.fmt_number(1 / 6, 3),
        i18n.fmt_number(1234.6, 0),
    ]
    assert values == written


def test_templates_use_the_same_forms(speak: Speak) -> None:
    template = environment().from_string(
        '{{ d | date }}|{{ m | datetime }}|{{ x | number }}|{{ ngettext("%(num)d case", "%(num)d cases", n) }}'
    )
    speak("vi")
    assert template.render(d=DAY, m=MOMENT, x=2.5, n=1234) == "07/12/2026|07/12/2026 14:05|2,5|1.234 hồ sơ"
    speak("en")
    assert template.render(d=DAY, m=MOMENT, x=2.5, n=1234) == "7 Dec 2026|7 Dec 2026, 14:05|2.5|1,234 cases"


def test_nothing_is_written_for_no_value(speak: Speak) -> None:
    assert i18n.fmt_date(None) == i18n.fmt_datetime(None) == i18n.fmt_number(None) == ""
