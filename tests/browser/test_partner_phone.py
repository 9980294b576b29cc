"""The partner's tasks on a 390 × 844 phone, in Vietnamese, each walked end to end with its taps
counted (a tap: a click on a link, button, radio or field; typing in a field already tapped is
not counted): beds free, opening hours typed as people write them, a referral answered and
completed. None of the partner's pages scrolls sideways at 360 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, login, screenshot

PARTNER = "partner@ketnoi.demo"
EDIT = "tr a[href^='/partner/services/']:not([href$='/history'])"  # a listing's "Sửa" link


@pytest.fixture
def partner(chromium: Browser, live_server: str) -> Iterator[Page]:
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    login(page, live_server, PARTNER)
    yield page
    context.close()


def test_partner_updates_beds_free_in_2_taps(partner: Page, live_server: str) -> None:
    partner.goto(live_server + "/partner")
    beds = partner.locator("input[name=available]").first
    beds.tap()  # 1
    beds.fill("3")
    beds.locator("xpath=ancestor::form").locator("button[type=submit]").tap()  # 2
    expect(beds.locator("xpath=ancestor::form")).to_contain_text("Đã lưu")
    expect(partner.locator("input[name=available]").first).to_have_value("3")


def test_partner_edits_hours_typing_7h30_and_17h_in_6_taps(partner: Page, live_server: str) -> None:
    partner.goto(live_server + "/partner")
    partner.locator(EDIT).first.tap()  # 1
    partner.wait_for_url(re.compile(r".*/partner/services/[0-9a-f-]{36}$"))
    expect(partner.locator("legend", has_text="Thứ Hai")).to_be_visible()
    partner.locator("#f-day_1_mode").tap()  # 2: Monday open at given hours
    partner.locator("#f-day_1_opens_0").tap()  # 3
    partner.locator("#f-day_1_opens_0").fill("7h30")
    partner.locator("#f-day_1_closes_0").tap()  # 4
    partner.locator("#f-day_1_closes_0").fill("17h")
    partner.locator("#f-day_7_mode_closed").tap()  # 5: Sunday closed, one tap
    expect(partner.locator("#f-day_7_opens_0")).to_be_hidden()
    assert partner.locator("#f-day_1_opens_0").get_attribute("inputmode") == "text"
    screenshot(partner, "partner-hours-phone")
    partner.locator("form button[type=submit]").last.tap()  # 6: save
    expect(partner.locator("[role=status]")).to_contain_text("Đã lưu")
    expect(partner.locator("#f-day_1_opens_0")).to_have_value("07:30")
    expect(partner.locator("#f-day_1_closes_0")).to_have_value("17:00")
    expect(partner.locator("#f-day_7_mode_closed")).to_be_checked()


def test_a_wrong_time_is_listed_at_the_top_and_its_link_leads_to_the_field(partner: Page, live_server: str) -> None:
    partner.goto(live_server + "/partner")
    partner.locator(EDIT).first.tap()
    partner.wait_for_url(re.compile(r".*/partner/services/[0-9a-f-]{36}$"))
    partner.locator("#f-day_1_mode").tap()
    partner.locator("#f-day_1_opens_0").fill("7h75")
    partner.locator("#f-day_1_closes_0").fill("17h")
    partner.locator("form button[type=submit]").last.tap()
    summary = partner.locator(".error-summary")
    expect(summary).to_contain_text("Chưa lưu: 1 ô cần sửa")
    expect(summary).to_be_focused()
    screenshot(partner, "partner-hours-error-phone")
    summary.locator("a[href='#f-day_1_opens_0']").tap()
    expect(partner.locator("#f-day_1_opens_0")).to_be_in_viewport()


def test_partner_answers_a_referral_and_completes_it_in_3_taps(partner: Page, live_server: str) -> None:
    partner.goto(live_server + "/partner/referrals")
    expect(partner.locator("a[aria-current=page]")).to_contain_text("Chờ bạn trả lời")
    screenshot(partner, "partner-inbox-phone")
    first = partner.locator("table a[href^='/partner/referrals/']").first
    if first.count() == 0:
        pytest.skip("the demo data has no referral awaiting this partner's answer")
    first.tap()  # 1
    expect(partner.locator("body")).to_contain_text("Nơi chuyển gửi")
    screenshot(partner, "partner-referral-phone")
    partner.locator("form[action$='/accept'] button[type=submit]").tap()  # 2
    partner.wait_for_url(re.compile(r".*done=accept"))
    partner.locator("form[action$='/complete'] button[type=submit]").tap()  # 3: no separate 'start'
    partner.wait_for_url(re.compile(r".*done=complete"))
    expect(partner.locator("dl.facts").first).to_contain_text("Đã hoàn thành")


def test_partner_adds_languages_by_name_in_4_taps(partner: Page, live_server: str) -> None:
    """Common languages are boxes named in Vietnamese; another is typed by name (suggested as
    you type) and comes back as its name, never a code."""
    partner.goto(live_server + "/partner")
    partner.locator(EDIT).first.tap()  # 1
    partner.wait_for_url(re.compile(r".*/partner/services/[0-9a-f-]{36}$"))
    languages = partner.locator("#f-languages")
    expect(languages.locator("legend")).to_have_text("Ngôn ngữ sử dụng")
    english = languages.get_by_label("Tiếng Anh")
    english.tap()  # 2
    other = partner.locator("#f-languages_other")
    assert other.get_attribute("list") == "language-names"
    other.tap()  # 3
    other.fill("tiếng nga")
    languages.scroll_into_view_if_needed()
    screenshot(partner, "partner-languages-phone")
    partner.locator("form button[type=submit]").last.tap()  # 4: save
    expect(partner.locator("[role=status]")).to_contain_text("Đã lưu")
    expect(languages.get_by_label("Tiếng Anh")).to_be_checked()
    expect(other).to_have_value("Tiếng Nga")
    assert partner.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_referral_shows_the_caseworkers_work_phone_to_tap_in_1_tap(partner: Page, live_server: str) -> None:
    partner.goto(live_server + "/partner/referrals?status=all")
    links = partner.locator("table a[href^='/partner/referrals/']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in hrefs:  # the first one the demo caseworker (not the coordinator) sent
        partner.goto(live_server + str(href))  # 1
        if "Cán bộ hỗ trợ Cần Thơ" in partner.locator("dl.referrer").inner_text():
            break
    else:
        pytest.fail("no demo referral from the demo caseworker")
    who = partner.locator("dl.referrer")
    expect(who.locator("a[href='tel:02995550101']")).to_have_text("0299 555 0101")  # the caseworker's
    expect(who.locator("a[href='tel:02995550100']")).to_have_text("0299 555 0100")  # the Women's Union's
    screenshot(partner, "partner-referrer-phone")


@pytest.mark.parametrize("path", ["/partner", "/partner/referrals", "/partner/referrals?status=all"])
def test_partner_pages_do_not_scroll_sideways_at_360_px(chromium: Browser, live_server: str, path: str) -> None:
    context = chromium.new_context(**(PHONE | {"viewport": {"width": 360, "height": 800}}))
    page = context.new_page()
    login(page, live_server, PARTNER)
    page.goto(live_server + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
