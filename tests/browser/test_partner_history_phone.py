"""A partner reads what changed in a listing on a 390 × 844 phone, in Vietnamese: each change in
words (names, not codes; dates as dd/mm/yyyy), in stacked cards that never scroll sideways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, login, screenshot

PARTNER = "partner@ketnoi.demo"


@pytest.fixture
def partner(chromium: Browser, live_server: str) -> Iterator[Page]:
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    login(page, live_server, PARTNER)
    yield page
    context.close()


def test_partner_reads_a_listings_history_in_1_tap(partner: Page, live_server: str) -> None:
    partner.goto(live_server + "/partner")
    partner.locator("a[href$='/history']").first.tap()  # 1
    expect(partner.locator("h1")).to_contain_text("Lịch sử")
    history = partner.locator("ol.timeline")
    expect(history).to_contain_text("Loại dịch vụ")
    expect(history).not_to_contain_text("province_code")
    expect(history).not_to_contain_text("is_24_7")
    assert partner.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(partner, "partner-history-phone")
