"""Invitations and password resets on a 390 × 844 phone in Vietnamese (issue 16, point 4): the
admin creates a user without a password, the mail reaches the live server's Maildir (the embedded
transport), the user opens its link on their phone, sets a password and is in; "Quên mật khẩu?"
does the same for someone locked out. The invitee's taps are counted from the mail (opening its
link is one); typing is not a tap."""

from __future__ import annotations

import email
import mailbox
import re
import time
import uuid
from email.policy import default
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, axe_violations, login, screenshot

NEW_PASSWORD = "mưa rào chiều thứ bảy"


def _phone(chromium: Browser) -> Page:
    # bypass_csp: so axe-core can be injected to check the pages (tests/browser/conftest.py)
    return chromium.new_context(**PHONE, bypass_csp=True).new_page()


def _mailed_links(maildir: Path, to: str, base: str) -> list[str]:
    """The set-password links of every mail to ``to`` in the live server's Maildir."""
    links = []
    for stored in mailbox.Maildir(maildir, factory=None, create=False) if maildir.exists() else []:
        message = email.message_from_bytes(bytes(stored), policy=default)
        if to in str(message["To"]):
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            links += re.findall(re.escape(base) + r"/account/set-password\?token=[\w-]+", body.get_content())
    return links


def _new_link(maildir: Path, to: str, base: str, before: list[str], timeout_s: float = 15.0) -> str:
    """The link of the mail to ``to`` that was not there ``before``, waiting for the mail worker."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        new = [link for link in _mailed_links(maildir, to, base) if link not in before]
        if new:
            assert len(new) == 1, new
            return new[0]
        time.sleep(0.2)
    raise AssertionError(f"no new set-password mail to {to} in {maildir}")


def _create_user(chromium: Browser, base: str, address: str, role: str, password: str = "") -> Page:
    """The admin creates a user on the phone (with no password: invited); their page as it answers."""
    admin = _phone(chromium)
    login(admin, base, "admin@ketnoi.demo")
    admin.get_by_role("link", name="Người dùng mới").tap()
    admin.fill("#f-email", address)
    admin.fill("#f-display_name", "Chị Lan")
    admin.select_option("#f-role", role)
    admin.select_option("#f-organization_id", label="Ngôi Nhà Bình Yên Cần Thơ")
    admin.fill("#f-password", password)
    admin.locator("form[action='/admin/users'] button[type=submit]").tap()
    admin.wait_for_url(re.compile(r".*/admin/users/[0-9a-f-]{36}\?saved=created"))
    return admin


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"


def test_an_invited_partner_opens_the_mail_sets_a_password_and_is_in_in_2_taps(
    chromium: Browser, live_server: str, live_data_dir: Path
) -> None:
    maildir, address = live_data_dir / "mail", f"doi.tac.{uuid.uuid4().hex[:6]}@ketnoi.demo"
    admin = _create_user(chromium, live_server, address, "partner")  # no password: the admin invents none
    expect(admin.locator("body")).to_contain_text("gửi thư kèm liên kết để họ đặt mật khẩu")
    expect(admin.locator("body")).to_contain_text("Đã mời")
    _no_sideways_scroll(admin)
    screenshot(admin, "phone-admin-user-invited")

    link = _new_link(maildir, address, live_server, [])
    invitee = _phone(chromium)
    invitee.goto(link)  # tap 1: the link in the mail
    expect(invitee.locator("h1")).to_have_text("Đặt mật khẩu")
    expect(invitee.locator("body")).to_contain_text(address)
    _no_sideways_scroll(invitee)
    assert axe_violations(invitee) == []
    screenshot(invitee, "phone-set-password")
    invitee.fill("#password", NEW_PASSWORD)
    invitee.fill("#repeat", NEW_PASSWORD)
    invitee.locator("form[action='/account/set-password'] button[type=submit]").tap()  # tap 2
    invitee.wait_for_url(f"{live_server}/partner/referrals")  # signed in, where a partner works
    expect(invitee.locator("form[action='/logout']")).to_be_attached()

    # the link worked once: opened again, it says so and what to do
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("Liên kết này không dùng được")
    expect(invitee.locator("body")).to_contain_text("Liên kết này đã được dùng")
    _no_sideways_scroll(invitee)
    assert axe_violations(invitee) == []
    screenshot(invitee, "phone-set-password-link-used")

    # and the new password is theirs to log in with
    again = _phone(chromium)
    again.goto(f"{live_server}/login")
    again.fill("#email", address)
    again.fill("#password", NEW_PASSWORD)
    again.locator("form[action='/login'] button[type=submit]").tap()
    again.wait_for_url(f"{live_server}/partner/referrals")


def test_a_caseworker_who_forgot_the_password_gets_back_in_in_4_taps(
    chromium: Browser, live_server: str, live_data_dir: Path
) -> None:
    maildir, address = live_data_dir / "mail", f"can.bo.{uuid.uuid4().hex[:6]}@ketnoi.demo"
    _create_user(chromium, live_server, address, "caseworker", password="mat-khau-cu-da-quen")
    phone = _phone(chromium)
    phone.goto(f"{live_server}/login")
    phone.get_by_role("link", name="Quên mật khẩu?").tap()  # tap 1
    phone.fill("#email", address)
    phone.locator("form[action='/account/forgot-password'] button[type=submit]").tap()  # tap 2
    expect(phone.locator(".notice")).to_contain_text(address)
    _no_sideways_scroll(phone)
    screenshot(phone, "phone-forgot-password-sent")

    phone.goto(_new_link(maildir, address, live_server, []))  # tap 3: the link in the mail
    submit = phone.locator("form[action='/account/set-password'] button[type=submit]")
    phone.fill("#password", "ngắn")
    phone.fill("#repeat", "ngắn")
    submit.evaluate("button => { button.form.noValidate = true }")  # past the phone's own check
    submit.tap()  # refused (not counted): the rule is said in words
    expect(phone.locator(".alert")).to_contain_text("Mật khẩu cần từ 10 đến 200 ký tự")
    _no_sideways_scroll(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "phone-set-password-refused")
    phone.fill("#password", NEW_PASSWORD)
    phone.fill("#repeat", NEW_PASSWORD)
    submit.tap()  # tap 4
    phone.wait_for_url(f"{live_server}/cases")
