"""Quick exit leaves no search trail behind and is at hand on every public page, at any scroll.

Someone looking for a shelter on a shared phone may have to leave the page at once: "Back" after
quick exit must not bring the search (and what was typed) back, and the button must not scroll away.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import screenshot

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NEUTRAL = "https://www.google.com/**"


def _context(chromium: Browser, viewport: dict[str, int]) -> BrowserContext:
    context = chromium.new_context(viewport=viewport, locale="vi-VN")  # type: ignore[arg-type]
    # the neutral site is not reachable here: answer it locally so the test needs no network
    context.route(NEUTRAL, lambda route: route.fulfill(status=200, body="neutral"))
    return context


def _typed_search(page: Page, base: str, words: str) -> None:
    page.goto(base + "/")
    # a pause longer than the live search's 300 ms after each key: every keystroke is a search
    page.locator("#q").press_sequentially(words, delay=350)
    page.wait_for_url(re.compile(r"q=nha(\+|%20)tam(\+|%20)lanh"))
    expect(page.locator("#results .hit").first).to_be_visible()


def test_back_after_quick_exit_does_not_return_to_the_search(chromium: Browser, live_server: str) -> None:
    context = _context(chromium, PHONE)
    page = context.new_page()
    _typed_search(page, live_server, "nha tam lanh")
    page.locator("#q").press("Enter")  # submitting the form is a search too, not a new page
    expect(page.locator("#results .hit").first).to_be_visible()
    page.locator("#results .pager a").last.click()  # and so is turning a page of results
    page.wait_for_url(re.compile(r"page=2"))
    assert "htmx-history-cache" not in page.evaluate("Object.keys(sessionStorage)")  # no copy of the page

    page.click("[data-quick-exit]")
    page.wait_for_url(NEUTRAL)
    visited = []
    for _ in range(4):
        page.go_back()
        page.wait_for_timeout(200)
        visited.append(page.url)
    assert not [url for url in visited if url.startswith(live_server) and "q=" in url], visited
    # what the tab's storage still holds for the site, read from a page of it that runs no script
    page.goto(live_server + "/healthz")
    assert "tam" not in page.evaluate("JSON.stringify(sessionStorage)")
    context.close()


def _first_listing(page: Page, base: str) -> str:
    page.goto(base + "/?q=tam+lanh")
    href = page.locator("#results .hit h3 a").first.get_attribute("href")
    assert href
    return href


# What ``selector`` finds that the button overlaps (its text), as the page is scrolled now.
OVERLAPS = """([button, selector]) => {
  const box = button.getBoundingClientRect();
  const hit = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0
      && r.left < box.right && box.left < r.right && r.top < box.bottom && box.top < r.bottom; };
  return [...document.querySelectorAll(selector)]
    .filter(el => !button.contains(el) && hit(el)).map(el => el.tagName + ' ' + el.textContent.trim().slice(0, 30));
}"""
# the page as it opens: the header's links, the heading, the search box and the first results
AT_THE_TOP = "header a, header button, main h1, main input, main .hit"
# scrolled to the end: the last results' pager and the footer's emergency numbers
AT_THE_BOTTOM = "main .pager, footer p"


def _assert_at_hand(page: Page, name: str, viewport: dict[str, int]) -> None:
    button = page.locator("[data-quick-exit]")
    assert page.evaluate(OVERLAPS, [button.element_handle(), AT_THE_TOP]) == [], (name, "at the top")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    box = button.bounding_box()
    assert box is not None, name
    inside = (
        box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] + box["width"] <= viewport["width"]
    )
    assert inside, (name, box)
    assert page.evaluate(OVERLAPS, [button.element_handle(), AT_THE_BOTTOM]) == [], (name, "at the bottom")


def test_quick_exit_stays_in_view_on_every_public_page(chromium: Browser, live_server: str) -> None:
    for viewport in (PHONE, DESKTOP):
        context = _context(chromium, viewport)
        page = context.new_page()
        listing = _first_listing(page, live_server)
        for path in ("/", "/?q=tam+lanh", listing, listing + "/print", "/login"):
            page.goto(live_server + path)
            _assert_at_hand(page, path, viewport)
        if viewport is PHONE:
            page.goto(live_server + "/?q=tam+lanh")
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
            screenshot(page, "quick-exit-phone-scrolled")
        context.close()
