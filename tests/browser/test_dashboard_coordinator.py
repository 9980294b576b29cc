"""The coordinator's work on a phone (390 × 844, Vietnamese): approve a plan, verify a listing, find an
overdue milestone — each reached from the dashboard or the menu, counted in taps."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import login, screenshot

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "vi-VN",
}


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(**PHONE)
    yield context.new_page()
    context.close()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def in_first_screen(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and 0 <= box["y"] < 844, (selector, box)


def test_coordinator_approves_a_plan_verifies_a_listing_and_finds_an_overdue_milestone_in_8_taps(
    live_server: str, phone: Page
) -> None:
    page = phone
    login(page, live_server, "coordinator@ketnoi.demo")
    page.goto(live_server + "/dashboard")
    taps = 0

    # 1: the dashboard's first lines say what waits, with counts
    waiting = page.locator(".work-links a[href='/dashboard/approvals']")
    in_first_screen(page, ".work-links a[href='/dashboard/approvals']")
    pending = int(re.sub(r"\D", "", waiting.locator(".badge").inner_text()))
    assert pending > 0
    screenshot(page, "dashboard-phone")
    waiting.click()
    taps += 1
    plan = page.locator("section.hit").first
    expect(plan.locator("dl.facts .badge")).to_have_text(re.compile("^(Có|Chưa ghi nhận sự đồng ý)$"))  # agreed?
    expect(plan.locator(".plan-milestones li").first).to_contain_text("Hạn:")  # a milestone with its date
    no_sideways_scroll(page)
    screenshot(page, "approvals-phone")
    # 2, 3: approve, then confirm
    plan.locator("details.confirm > summary").click()
    taps += 1
    plan.locator("details.confirm button[type=submit]").click()
    taps += 1
    expect(page.locator("p.notice")).to_be_visible()
    assert page.locator("section.hit").count() == pending - 1

    # 4: the menu's verification queue; 5: search a name typed without accents
    page.locator("nav a[href='/verify']").click()
    taps += 1
    page.fill("#f-q", "tu van hon nhan")
    page.locator("form.queue-filter button[type=submit]").click()
    taps += 1
    row = page.locator("table.stack tbody tr").first
    expect(row).to_contain_text("Tư vấn hôn nhân")
    expect(row.locator("a[href^='tel:']").first).to_be_visible()  # the number to call
    no_sideways_scroll(page)
    screenshot(page, "verify-phone")
    name = row.locator("th a").first.inner_text()
    # 6: mark it verified; the queue comes back with the same search
    row.locator("button[type=submit]").click()
    taps += 1
    expect(page.locator("p.notice")).to_contain_text(name)
    assert page.input_value("#f-q") == "tu van hon nhan"

    # 7: back to the dashboard; 8: the overdue milestone opens the case at the milestone
    page.locator("nav a[href='/dashboard']").click()
    taps += 1
    overdue = page.locator("#h-overdue ~ table a[href*='#m-'], section[aria-labelledby='h-overdue'] a[href*='#m-']")
    expect(overdue.first).to_be_visible()
    row_text = page.locator("section[aria-labelledby='h-overdue'] tbody tr").first.inner_text()
    # "N ngày quá hạn" (the case room words it "Quá hạn N ngày": one msgid, either order)
    assert re.search(r"\d+ ngày quá hạn|Quá hạn \d+ ngày", row_text), row_text
    href = overdue.first.get_attribute("href")
    assert href is not None
    overdue.first.click()
    taps += 1
    milestone = page.locator("#" + href.split("#", 1)[1])
    expect(milestone).to_be_visible()
    expect(milestone).to_contain_text("Quá hạn")
    box = milestone.bounding_box()
    assert box is not None and -1 <= box["y"] < 844  # scrolled to (to the subpixel), not the top of the case
    screenshot(page, "overdue-milestone-phone")
    assert taps == 8
