"""The notification centre on a 390 × 844 phone, in Vietnamese, with its taps counted: the menu's
unread count leads to the list, one tap on a notification opens the page to act (and marks it
read), and the e-mail settings change in 3 taps. Nothing scrolls sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from service.demo.seed import DEMO_UNREAD_NOTIFICATIONS
from tests.browser.conftest import PHONE, login, screenshot

CASEWORKER = "caseworker@ketnoi.demo"
PARTNER = "partner@ketnoi.demo"


def signed_in(chromium: Browser, live_server: str, email: str) -> Iterator[Page]:
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    login(page, live_server, email)
    yield page
    context.close()


@pytest.fixture
def caseworker(chromium: Browser, live_server: str) -> Iterator[Page]:
    yield from signed_in(chromium, live_server, CASEWORKER)


@pytest.fixture
def partner(chromium: Browser, live_server: str) -> Iterator[Page]:
    yield from signed_in(chromium, live_server, PARTNER)


def assert_no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def unread_in_menu(page: Page) -> int:
    found = re.search(r"\((\d+)\)", page.locator("header nav a[href='/notifications']").inner_text())
    return int(found.group(1)) if found else 0


def test_caseworker_opens_what_needs_her_from_the_menu_in_2_taps(caseworker: Page) -> None:
    # the demo's past steps leave a few unread; the reminder scheduler adds what is due today
    before = unread_in_menu(caseworker)
    assert before >= DEMO_UNREAD_NOTIFICATIONS
    caseworker.locator("header nav a[href='/notifications']").tap()  # 1
    caseworker.wait_for_url(re.compile(r".*/notifications$"))
    unread = caseworker.locator(".notifications li.unread")
    expect(unread.first).to_contain_text("Mới")
    assert_no_sideways_scroll(caseworker)
    screenshot(caseworker, "notifications-phone")
    unread.first.locator("button").tap()  # 2: opens the page to act, read from now on
    # the post and its redirect: waiting for an idle network could return before they began
    caseworker.wait_for_url(lambda url: not url.endswith("/notifications"))
    assert unread_in_menu(caseworker) == before - 1


def test_partner_changes_how_a_kind_reaches_her_in_3_taps(partner: Page, live_server: str) -> None:
    partner.goto(live_server + "/notifications")
    partner.locator("a[href='/notifications/settings']").tap()  # 1
    partner.wait_for_url(re.compile(r".*/notifications/settings$"))
    assert_no_sideways_scroll(partner)
    screenshot(partner, "notification-settings-phone")
    choice = partner.locator("input[name=referral_expired][value=digest]")
    choice.tap()  # 2
    partner.locator("form.notification-settings button[type=submit]").tap()  # 3
    expect(partner.locator("[role=status]")).to_contain_text("Đã lưu cài đặt e-mail của bạn.")
    expect(partner.locator("input[name=referral_expired][value=digest]")).to_be_checked()
    expect(partner.locator("input[name=referral_received][value=immediate]")).to_be_checked()


def test_mark_all_read_empties_the_menus_count_in_2_taps(partner: Page, live_server: str) -> None:
    partner.locator("header nav a[href='/notifications']").tap()  # 1
    partner.wait_for_url(re.compile(r".*/notifications$"))
    partner.locator("form[action='/notifications/read-all'] button").tap()  # 2
    expect(partner.locator("[role=status]")).to_contain_text("đã được đánh dấu là đã đọc")
    expect(partner.locator(".notifications li.unread")).to_have_count(0)
    expect(partner.locator("header nav a[href='/notifications']")).to_have_text("Thông báo")
