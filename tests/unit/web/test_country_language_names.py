"""Countries and languages: one table each, named in the page's language, and typed names (with or
without marks, in either language) read back to the codes the records hold."""

from __future__ import annotations

import pytest

from service.web import i18n, words
from service.web.templates import environment


@pytest.mark.parametrize(
    ("typed", "code"),
    [("KH", "KH"), ("kh", "KH"), ("Campuchia", "KH"), ("campuchia", "KH"), ("Cambodia", "KH"), ("Hàn Quốc", "KR")],
)
def test_a_country_is_read_from_its_code_or_name(typed: str, code: str) -> None:
    assert words.country_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [("vi", "vi"), ("Tiếng Việt", "vi"), ("tieng viet", "vi"), ("Việt", "vi"), ("Khmer", "km"), ("H'Mông", "hmn")],
)
def test_a_language_is_read_from_its_code_or_name(typed: str, code: str) -> None:
    assert words.language_code(typed) == code


def test_unknown_names_read_as_nothing() -> None:
    assert words.country_code("Atlantis") is None
    assert words.language_code("Klingon") is None


def test_no_two_codes_share_a_name() -> None:
    for table, read in ((words.COUNTRIES, words.country_code), (words.LANGUAGES, words.language_code)):
        for code, names in table.items():
            assert all(read(name) == code for name in (code, *names)), code


def test_pages_show_names_in_their_language() -> None:
    template = environment().from_string("{{ c | country }} / {{ langs | languages }}")
    token = i18n.current.set("vi")
    try:
        assert template.render(c="KH", langs=["vi", "km"]) == "Campuchia / Tiếng Việt, Tiếng Khmer"
        i18n.current.set("en")
        assert template.render(c="KH", langs=["vi", "km"]) == "Cambodia / Vietnamese, Khmer"
    finally:
        i18n.current.reset(token)


def test_a_code_outside_the_table_stays_readable() -> None:
    assert words.country_name("ZZ") == "ZZ"
    assert words.country_name(None) == ""
