"""The browsable API reference at ``/schema`` works where the service has no internet: with every
host but the service's own blocked, Chromium renders the operations, under the page's policy."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route, expect


def test_the_api_reference_renders_its_operations_offline(live_server: str, context: BrowserContext) -> None:
    own = urlsplit(live_server).netloc
    elsewhere: list[str] = []

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).netloc in (own, ""):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    page: Page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: _note_refusal(m, refused))
    page.on("pageerror", lambda error: refused.append(f"script error: {error}"))

    page.goto(f"{live_server}/schema")

    # the title from the document, then an operation of each kind: a public one and a token's
    expect(page.locator("h1").first).to_contain_text("Kết Nối API", timeout=30_000)
    for summary in ("Search the directory (public; staff see restricted listings)", "List users (admin)"):
        expect(page.get_by_role("heading", name=summary)).to_be_visible()
    assert not [url for url in elsewhere if "redoc" in url or url.endswith(".js")], elsewhere
    # Redoc's attribution logo, the one address its bundle names, is refused by the page's policy and
    # left out (the bundle hides it when it fails): nothing leaves the service
    assert [text for text in refused if "cdn.redoc.ly/redoc/logo-mini.svg" not in text] == [], refused


def _note_refusal(message: ConsoleMessage, refused: list[str]) -> None:
    if "Content Security Policy" in message.text or "Refused to" in message.text:
        refused.append(message.text)
