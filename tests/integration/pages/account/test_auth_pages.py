"""Logging in and out of the pages, CSRF, language, error pages."""

from __future__ import annotations

import httpx

from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser, text


async def test_login_rotates_the_session_and_logout_ends_it(browser: Browser, actors: Actors) -> None:
    browser.client.cookies.set("kn_session", "planted-by-an-attacker", domain="testserver.local")
    await browser.login(actors.partner)
    token = browser.client.cookies.get("kn_session")
    assert token and token != "planted-by-an-attacker"
    home = await browser.get("/")
    assert "My listings" in home.text or "Dịch vụ của tôi" in home.text
    await browser.login(actors.partner)
    assert browser.client.cookies.get("kn_session") != token  # a new token at every login
    out = await browser.submit("/logout")
    assert out.status_code == 303
    browser.client.cookies.clear()
    browser.client.cookies.set("kn_session", token, domain="testserver.local")
    assert "/logout" not in (await browser.get("/")).text  # the old token is dead


async def test_wrong_password_shows_the_form_again(browser: Browser, actors: Actors) -> None:
    response = await browser.submit("/login", {"email": actors.partner.email, "password": "nope", "next": "/"})
    assert response.status_code == 401
    assert 'name="email"' in response.text and actors.partner.email in response.text


async def test_forms_without_the_csrf_token_are_refused(browser: Browser, actors: Actors) -> None:
    await browser.get("/login")
    response = await browser.client.post("/login", data={"email": actors.partner.email, "password": "x"})
    assert response.status_code == 403


async def test_login_redirects_only_within_the_site(browser: Browser, actors: Actors) -> None:
    response = await browser.submit(
        "/login", {"email": actors.partner.email, "password": "correct horse battery staple", "next": "//evil.example"}
    )
    assert response.headers["location"] == "/"


async def test_language_switch_is_remembered(browser: Browser) -> None:
    english = await browser.get("/lang/en", headers={"referer": "https://testserver/?q=111"})
    assert english.status_code == 303 and english.headers["location"] == "/?q=111"
    assert (await browser.get("/")).text.count('lang="en"') == 1
    await browser.get("/lang/vi")
    assert '<html lang="vi">' in (await browser.get("/")).text


async def test_vietnamese_is_the_default(client: httpx.AsyncClient) -> None:
    assert '<html lang="vi">' in (await client.get("/")).text
    assert '<html lang="en">' in (await client.get("/", headers={"accept-language": "en-US,en;q=0.9"})).text


async def test_unknown_pages_get_an_html_404_in_the_layout(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Kết Nối" in text(response)
    api = await client.get("/api/v1/no-such-thing")
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_language_switch_keeps_the_page_without_a_referer(browser: Browser, actors: Actors) -> None:
    await browser.login(actors.admin)
    page = await browser.get("/admin/organizations?page=1")
    assert 'name="next" value="/admin/organizations?page=1"' in page.text  # the signed-in language button
    switched = await browser.submit("/lang/en", {"next": "/admin/organizations?page=1"})
    assert switched.headers["location"] == "/admin/organizations?page=1"
    assert (await browser.submit("/lang/vi", {"next": "//evil.example"})).headers["location"] == "/"
    browser.client.cookies.delete("kn_session")
    public = await browser.get("/?q=111")
    assert 'href="/lang/en?next=/%3Fq%3D111"' in public.text  # the public's link, a plain GET
    assert (await browser.get("/lang/vi?next=//evil.example")).headers["location"] == "/"
