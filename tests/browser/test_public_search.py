"""The public search page in a real browser: live results, no-JS fallback, quick exit, weight."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHROMIUM_ARGS, screenshot


def test_live_search_shows_results_while_typing(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.fill("#q", "binh yen")
    expect(page.locator("#results .hit").first).to_contain_text("Ngôi Nhà Bình Yên")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["binh yen"]  # htmx put it in the address bar
    screenshot(page, "search")


def test_search_works_without_javascript(chromium: Browser, live_server: str) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.fill("#q", "tam lanh")
    page.click("details.filters > summary")  # the filters wait behind one control
    page.check("input[name=has_capacity]")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["tam lanh"] and query["has_capacity"] == ["true"]
    expect(page.locator(".hit").first).to_contain_text("tạm lánh")
    context.close()


def test_hotlines_are_tap_to_call(page: Page, live_server: str) -> None:
    page.goto(live_server + "/?q=111")
    expect(page.locator("a.tel[href='tel:111']").first).to_be_visible()


def test_the_page_is_light_and_talks_to_no_other_host(page: Page, live_server: str) -> None:
    hosts: set[str] = set()
    sizes: dict[str, int] = {}

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        hosts.add(urlsplit(response.url).netloc)
        body = response.body()
        sizes[response.url] = len(body)

    page.on("response", on_response)
    page.goto(live_server + "/?q=tam+lanh")
    page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(live_server).netloc}
    document = sum(size for url, size in sizes.items() if "/static/" not in url)
    assert document < 100_000, sizes  # the page itself; static files are cached after the first visit


def test_quick_exit_leaves_and_replaces_history(chromium: Browser, live_server: str) -> None:
    context = chromium.new_context()
    page = context.new_page()
    # the neutral site is not reachable here: answer it locally so the test needs no network
    context.route("https://www.google.com/**", lambda route: route.fulfill(status=200, body="neutral"))
    page.goto(live_server + "/?q=111")
    page.click("[data-quick-exit]")
    page.wait_for_url("https://www.google.com/**")
    page.go_back()
    assert not page.url.startswith(live_server + "/?q=111")
    context.close()


def test_vietnamese_by_default_and_english_on_request(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    assert page.get_attribute("html", "lang") == "vi"
    page.click("a[href^='/lang/en']")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    page.goto(live_server + "/services/" + _first_service(page, live_server))
    assert page.get_attribute("html", "lang") == "en"


def _first_service(page: Page, base: str) -> str:
    page.goto(base + "/?q=binh+yen")
    href = page.locator("#results .hit h3 a").first.get_attribute("href")
    assert href
    return href.rsplit("/", 1)[-1]


def test_listing_page_and_its_printable_version(page: Page, live_server: str) -> None:
    service_id = _first_service(page, live_server)
    page.goto(f"{live_server}/services/{service_id}")
    expect(page.locator("h1")).to_contain_text("Bình Yên")
    assert "(địa chỉ bảo mật)" not in page.content()  # the public never sees the confidential street
    screenshot(page, "service")
    page.goto(f"{live_server}/services/{service_id}/print")
    expect(page.locator("h1")).to_contain_text("Bình Yên")


def test_chromium_flags_keep_it_offline() -> None:
    assert "--disable-background-networking" in CHROMIUM_ARGS


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.type !== 'submit')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


def test_every_field_has_a_label_and_the_keyboard_reaches_the_search(page: Page, live_server: str) -> None:
    for path in ("/", "/login", "/?q=tam+lanh"):
        page.goto(live_server + path)
        assert page.evaluate(UNLABELLED) == [], path
    page.goto(live_server + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
