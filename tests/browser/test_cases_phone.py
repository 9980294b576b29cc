"""The caseworker's task on a 390 × 844 phone, in Vietnamese, walked end to end with its taps
counted: open a case, record consent, draft a plan with a milestone, find matching services, refer,
record a follow-up with the next date (issue 15, proof for the cases room). A tap is a tap on a
link, button or field; a drop-down list is two (open it, pick); typing in a field already tapped
is not counted. Screenshots of the case list, a case, the matches and the referral form land in
test-artifacts/screenshots/phone-cases-*.png; none of these pages scrolls sideways at 360 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import PHONE, login, screenshot

CASEWORKER = "caseworker@ketnoi.demo"


class Taps:
    """Counts the taps of a walk, so the number in the test's name is the one the walk takes."""

    def __init__(self) -> None:
        self.count = 0

    def tap(self, target: Locator) -> None:
        target.tap()
        self.count += 1

    def pick(self, select: Locator, value: str) -> None:
        select.select_option(value)
        self.count += 2


@pytest.fixture
def caseworker(chromium: Browser, live_server: str) -> Iterator[Page]:
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    login(page, live_server, CASEWORKER)
    yield page
    context.close()


def no_sideways_scroll(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    page.set_viewport_size(PHONE["viewport"])


def test_caseworker_walks_a_new_case_to_its_next_follow_up_in_24_taps(caseworker: Page, live_server: str) -> None:
    page, taps = caseworker, Taps()
    assert page.url.endswith("/cases")  # the caseworker lands on the case list
    screenshot(page, "phone-cases-list")
    no_sideways_scroll(page)

    # open a case: countries and languages typed by name
    taps.tap(page.get_by_role("link", name="Hồ sơ mới"))
    taps.pick(page.locator("#f-case_type"), "trafficking_victim")
    for name, typed in (
        ("home_province", "Sóc Trăng"),
        ("languages", "Tiếng Việt, Tiếng Khmer"),
        ("returned_from", "Campuchia"),
    ):
        taps.tap(page.locator(f"#f-{name}"))
        page.locator(f"#f-{name}").fill(typed)
    taps.tap(page.locator("#case-form button[type=submit]"))
    expect(page.locator("#profile")).to_contain_text("Campuchia")
    expect(page.locator("#profile")).to_contain_text("Tiếng Việt, Tiếng Khmer")
    expect(page.locator("#profile")).to_contain_text("trước đây là Sóc Trăng")

    # record consent to refer to any partner
    taps.pick(page.locator("#f-organization_id"), "all")
    taps.tap(page.locator("#record-consent button[type=submit]"))
    expect(page.locator("#consents")).to_contain_text("Tất cả tổ chức đối tác")

    # draft a plan and add a milestone
    taps.tap(page.locator("#draft-plan button[type=submit]"))
    taps.pick(page.locator("#f-domain"), "essential_needs_shelter")
    taps.tap(page.locator("#f-title"))
    page.locator("#f-title").fill("Chỗ ở an toàn trong tháng đầu")
    taps.tap(page.locator("#add-milestone button[type=submit]"))
    expect(page.locator("#plan")).to_contain_text("Chỗ ở an toàn trong tháng đầu")
    screenshot(page, "phone-cases-case")
    no_sideways_scroll(page)

    # find matching services: measured from former Sóc Trăng's centre, reasons in sentences
    taps.tap(page.locator("#plan a[href*='/matches']"))  # "Tìm dịch vụ" of the milestone
    expect(page.locator("#distance-note")).to_contain_text("Sóc Trăng cũ")
    screenshot(page, "phone-cases-matches")
    no_sideways_scroll(page)

    # refer to the best accepting match
    taps.tap(page.locator("ol.hits a.button").first)
    expect(page.locator("#consent-status")).to_have_class("notice")
    taps.tap(page.locator("#f-shared_summary"))
    page.locator("#f-shared_summary").fill("Phụ nữ 25 tuổi vừa trở về, cần chỗ ở an toàn trong tháng đầu.")
    screenshot(page, "phone-cases-referral-form")
    no_sideways_scroll(page)
    taps.tap(page.get_by_role("button", name="Gửi yêu cầu chuyển gửi"))
    expect(page).to_have_url(re.compile(r"/referrals/[0-9a-f-]{36}"))

    # back on the case, a follow-up that plans the next one
    taps.tap(page.get_by_role("link", name="Quay lại hồ sơ"))
    taps.pick(page.locator("#f-fu_method"), "office_visit")
    taps.tap(page.locator("#f-fu_next_date"))
    page.locator("#f-fu_next_date").fill((date.today() + timedelta(days=30)).isoformat())
    taps.tap(page.locator("#record-follow-up button[type=submit]"))
    expect(page.locator("#next-follow-up")).to_contain_text("Lần theo dõi tiếp theo dự kiến vào")
    assert taps.count == 24


def test_the_consent_recipient_list_narrows_as_the_caseworker_types(caseworker: Page, live_server: str) -> None:
    page = caseworker
    page.locator("table.stack tbody a").first.tap()
    box = page.locator("#f-recipient-filter")
    expect(box).to_be_visible()  # shown only when app.js runs: the one script every page loads
    everyone = page.locator("#f-organization_id option").count()
    box.fill("binh yen")
    assert page.locator("#f-organization_id option").count() < everyone
    organizations = page.locator("#f-organization_id optgroup option").all_text_contents()
    assert organizations and all("Bình Yên" in name for name in organizations), organizations
