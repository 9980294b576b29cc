"""The administrator's and every user's shared tasks on a 390 × 844 phone in Vietnamese: a login
lands on the role's work, the menu fits the screen, an admin creates a user and revokes a token,
and switching language keeps the page. Taps are counted from the page a login lands on (typing
into a field is not a tap; choosing from a list is one)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, login, screenshot

NARROWEST = {**PHONE, "viewport": {"width": 360, "height": 740}}


def _phone(chromium: Browser, device: dict[str, object] = PHONE) -> Page:
    return chromium.new_context(**device).new_page()  # type: ignore[arg-type]


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"
    # nor is anything cut off inside a heading (a long email address as a title)
    cut = page.evaluate("[...document.querySelectorAll('h1, h2')].filter(h => h.scrollWidth > h.clientWidth).length")
    assert cut == 0, f"{cut} headings run off the screen on {page.url}"


def test_admin_creates_a_user_and_revokes_a_token_in_8_taps(chromium: Browser, live_server: str) -> None:
    admin = _phone(chromium)
    login(admin, live_server, "admin@ketnoi.demo")
    assert admin.url.endswith("/admin/users")  # the admin lands on the users
    email = f"can.bo.{uuid.uuid4().hex[:6]}@ketnoi.demo"

    admin.get_by_role("link", name="Người dùng mới").tap()  # tap 1: the form is below the list
    expect(admin.locator("#f-email")).to_be_in_viewport()
    # a refused submit first (not counted): the summary at the top links to the field to fix
    admin.fill("#f-email", email)
    admin.locator("form[action='/admin/users'] button[type=submit]").tap()
    summary = admin.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#f-role']")).to_be_visible()
    screenshot(admin, "phone-admin-new-user-errors")

    admin.fill("#f-display_name", "Chị Hoa")
    admin.select_option("#f-role", "partner")  # tap 2
    admin.select_option("#f-organization_id", label="Ngôi Nhà Bình Yên Cần Thơ")  # tap 3
    admin.fill("#f-password", "mat-khau-tam-2026")
    admin.locator("form[action='/admin/users'] button[type=submit]").tap()  # tap 4
    admin.wait_for_url(re.compile(r".*/admin/users/[0-9a-f-]{36}.*"))
    expect(admin.locator("#f-display_name")).to_have_value("Chị Hoa")
    _no_sideways_scroll(admin)
    screenshot(admin, "phone-admin-user")

    admin.get_by_role("link", name="Mã truy cập của người dùng này").tap()  # tap 5
    admin.fill("#f-label", "Đồng bộ Zalo")
    admin.fill("#f-hours", "24")
    admin.fill("#f-reason", "Kết nối hộp chuyển gửi với phần mềm của tổ chức")
    admin.locator("form[action$='/tokens'] button[type=submit]").tap()  # tap 6
    expect(admin.locator("#issued-token")).not_to_have_value("")
    _no_sideways_scroll(admin)
    screenshot(admin, "phone-admin-token-issued")

    admin.locator("details.confirm summary").first.tap()  # tap 7
    admin.locator("details.confirm[open] button[type=submit]").tap()  # tap 8
    expect(admin.locator("body")).to_contain_text("Đã thu hồi")
    _no_sideways_scroll(admin)
    screenshot(admin, "phone-admin-token-revoked")


@pytest.mark.parametrize(
    ("email", "lands", "counted"),
    [
        ("partner@ketnoi.demo", "/partner/referrals", r"Hộp chuyển gửi \(\d+\)"),
        ("coordinator@ketnoi.demo", "/dashboard", r"Phê duyệt \(\d+\)"),
        ("caseworker@ketnoi.demo", "/cases", None),
        ("admin@ketnoi.demo", "/admin/users", r"Xác minh \(\d+\)"),
    ],
)
def test_a_login_lands_on_the_roles_work_in_1_tap_and_the_menu_fits_a_phone(
    chromium: Browser, live_server: str, email: str, lands: str, counted: str | None
) -> None:
    phone = _phone(chromium, NARROWEST)
    login(phone, live_server, email)  # the tap on "Đăng nhập"
    assert phone.url.removeprefix(live_server).split("?")[0] == lands
    nav = phone.locator("header nav")
    if counted:
        expect(nav).to_contain_text(re.compile(counted))
    box = phone.locator("header.top").bounding_box()
    assert box is not None and box["width"] <= 360
    for link in nav.locator("a").all():  # every menu entry whole on the screen
        link_box = link.bounding_box()
        assert link_box is not None and link_box["x"] >= 0 and link_box["x"] + link_box["width"] <= 360
    _no_sideways_scroll(phone)
    screenshot(phone, f"phone-menu-{email.split('@')[0]}")


def test_language_switch_keeps_the_page_in_1_tap(chromium: Browser, live_server: str) -> None:
    phone = _phone(chromium)
    login(phone, live_server, "admin@ketnoi.demo")
    phone.goto(live_server + "/admin/organizations?page=2")
    phone.get_by_role("button", name="English").tap()  # tap 1
    phone.wait_for_load_state("networkidle")
    assert phone.url == live_server + "/admin/organizations?page=2"
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("h1")).to_have_text("Organizations")
    phone.get_by_role("button", name="Tiếng Việt").tap()
    phone.wait_for_load_state("networkidle")
    assert phone.url == live_server + "/admin/organizations?page=2"
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
