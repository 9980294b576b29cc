"""The pages work under their Content-Security-Policy in Chromium: every role's pages load, htmx's
live search and one-tap "beds free" still swap their parts, and the browser reports no violation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.conftest import login

PAGES = {
    None: ["/", "/?q=tam+lanh", "/login"],
    "partner@ketnoi.demo": ["/partner", "/partner/referrals", "/partner/services/new", "/dashboard"],
    "caseworker@ketnoi.demo": ["/cases", "/cases/new", "/dashboard"],
    "coordinator@ketnoi.demo": ["/dashboard", "/dashboard/approvals", "/verify", "/cases"],
    "admin@ketnoi.demo": ["/admin/users", "/admin/organizations"],
}


class Violations:
    """What the browser says it refused because of the policy, or failed to run."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.seen.append(f"script error: {error}"))

    def console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.seen.append(message.text)


@pytest.fixture
def watched(chromium: Browser) -> Iterator[tuple[Page, Violations]]:
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale="vi-VN")
    page = context.new_page()
    yield page, Violations(page)
    context.close()


@pytest.mark.parametrize("email", list(PAGES), ids=lambda e: e or "public")
def test_pages_load_without_a_policy_violation(
    watched: tuple[Page, Violations], live_server: str, email: str | None
) -> None:
    page, violations = watched
    if email:
        login(page, live_server, email)
    for path in PAGES[email]:
        response = page.goto(live_server + path)
        assert response is not None and response.ok, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("networkidle")
    assert violations.seen == []


def test_live_search_and_one_tap_beds_free_work_under_the_policy(
    watched: tuple[Page, Violations], live_server: str
) -> None:
    page, violations = watched
    page.goto(live_server + "/")
    page.fill("#q", "binh yen")
    expect(page.locator("#results .hit").first).to_contain_text("Ngôi Nhà Bình Yên")
    login(page, live_server, "partner@ketnoi.demo")
    page.goto(live_server + "/partner")
    row = page.locator("form[hx-post$='/capacity']").first
    row.locator("input[name=available]").fill("1")
    row.locator("button[type=submit]").click()
    expect(page.locator(".notice[role=status]").first).to_be_visible()  # the row came back through htmx
    assert re.search(r"/partner$", page.url)  # swapped in place, no navigation
    assert violations.seen == []
