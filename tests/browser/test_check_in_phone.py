"""A listing check-in on a 390 × 844 phone in Vietnamese (issue 16, point 3): the demo partner's
shelter listing was last verified 160 days ago, the scheduler's tick mails its partner (to the live
server's Maildir), and the partner confirms it from the mail in 2 taps (the link, the one button);
the listing then shows both dates, and the used link says so. "Needs changes" takes the partner
through the log-in to the edit form. Taps are counted from the mail; typing is not a tap."""

from __future__ import annotations

import asyncio
import email
import mailbox
import re
import time
from concurrent.futures import ThreadPoolExecutor
from email.policy import default
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from service.config import Settings
from service.db import create_pool, database_url
from service.directory import check_ins
from service.reintegration.scheduler import tick
from tests.browser.conftest import DEMO_PASSWORD, PHONE, axe_violations, screenshot

PARTNER = "partner@ketnoi.demo"
SHELTER = "Ngôi Nhà Bình Yên – nhà tạm lánh%"


def _phone(chromium: Browser) -> Page:
    # bypass_csp: so axe-core can be injected to check the pages (tests/browser/conftest.py)
    return chromium.new_context(**PHONE, bypass_csp=True).new_page()


def _ask_about_the_shelter(settings: Settings) -> None:
    """Age the shelter's verification past the check-in's 150 days and tick as the scheduler does
    (the live server's own ticks are a minute apart; a tick beside one of them waits its turn)."""

    async def run() -> None:
        pool = await create_pool(database_url(settings), min_size=1, max_size=2)
        try:
            await pool.execute(
                "UPDATE service SET last_verified_at = now() - interval '160 days', confirmed_at = NULL"
                " WHERE name LIKE $1",
                SHELTER,
            )
            for _ in range(50):  # the live server's own tick holds the lock for a moment at most
                if await tick(pool, check_in_policy=check_ins.policy(settings)) is not None:
                    return
                await asyncio.sleep(0.2)
            raise AssertionError("the live server's scheduler kept the tick's lock")
        finally:
            await pool.close()

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, run()).result()


def _mailed_links(maildir: Path, base: str) -> set[str]:
    """The check-in links of every mail to the demo partner in the live server's Maildir."""
    links: set[str] = set()
    for stored in mailbox.Maildir(maildir, factory=None, create=False) if maildir.exists() else []:
        message = email.message_from_bytes(bytes(stored), policy=default)
        if PARTNER in str(message["To"]):
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            links |= set(re.findall(re.escape(base) + r"/check-in\?token=[\w-]+&answer=\w+", body.get_content()))
    return links


def _asked(live_server: str, maildir: Path, settings: Settings, timeout_s: float = 15.0) -> dict[str, str]:
    """Ask about the shelter; the new mail's two links by answer, once the mail worker has sent it."""
    before = _mailed_links(maildir, live_server)
    _ask_about_the_shelter(settings)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if new := _mailed_links(maildir, live_server) - before:
            assert len(new) == 2, new
            return {link.rsplit("=", 1)[1]: link for link in new}
        time.sleep(0.2)
    raise AssertionError(f"no new check-in mail to {PARTNER} in {maildir}")


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"


def test_a_partner_confirms_a_listing_from_the_check_in_mail_in_2_taps(
    chromium: Browser, live_server: str, live_data_dir: Path, live_settings: dict[str, Settings]
) -> None:
    links = _asked(live_server, live_data_dir / "mail", live_settings["settings"])

    phone = _phone(chromium)
    phone.goto(links["right"])  # tap 1: "Vẫn đúng" in the mail
    expect(phone.locator("h1")).to_have_text("Thông tin dịch vụ này còn đúng không?")
    expect(phone.locator(".check-in-listing")).to_contain_text("Ngôi Nhà Bình Yên")
    _no_sideways_scroll(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "phone-check-in")
    phone.get_by_role("button", name="Vâng, vẫn đúng").tap()  # tap 2
    expect(phone.locator("h1")).to_have_text("Cảm ơn bạn: thông tin dịch vụ đã được xác nhận")
    _no_sideways_scroll(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "phone-check-in-confirmed")

    # the listing shows the organization's confirmation beside the coordinator's verification
    phone.get_by_role("link", name="Xem thông tin dịch vụ").tap()
    expect(phone.locator("main")).to_contain_text("Tổ chức đã xác nhận ngày")
    expect(phone.locator("main")).to_contain_text("Đã xác minh ngày")

    # the link worked once: opened again, it says so and what to do
    phone.goto(links["right"])
    expect(phone.locator("h1")).to_have_text("Liên kết này không dùng được")
    expect(phone.locator(".alert")).to_contain_text("đã được trả lời")
    _no_sideways_scroll(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "phone-check-in-link-used")


def test_needs_changes_opens_the_edit_form_after_logging_in_in_2_taps(
    chromium: Browser, live_server: str, live_data_dir: Path, live_settings: dict[str, Settings]
) -> None:
    links = _asked(live_server, live_data_dir / "mail", live_settings["settings"])
    phone = _phone(chromium)
    phone.goto(links["change"])  # tap 1: "Cần sửa" in the mail
    expect(phone.locator("form[action='/login']")).to_be_visible()
    phone.fill("#email", PARTNER)
    phone.fill("#password", DEMO_PASSWORD)
    phone.locator("form[action='/login'] button[type=submit]").tap()  # tap 2
    phone.wait_for_url(re.compile(r".*/partner/services/[0-9a-f-]{36}$"))
    expect(phone.locator("#f-name")).to_have_value(re.compile("Ngôi Nhà Bình Yên"))
    _no_sideways_scroll(phone)
