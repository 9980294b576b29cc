"""Cookies are marked ``Secure`` and HSTS is sent according to how the request arrived (HTTPS, or
``X-Forwarded-Proto: https`` from a trusted proxy) or an explicit ``KETNOI_SECURE_COOKIES`` — never
according to where the database is. ``ketnoi serve`` hands its workers a database URL, so an
embedded demo opened over plain http from another device on the office network must still log in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service.app import create_app
from service.config import Settings
from service.crypto import new_key
from service.web.session import COOKIE
from tests.integration.conftest import DATA_KEY, PASSWORD, Actors, serving
from tests.integration.security.conftest import CSRF_COOKIE


def served(database_url: str, secure_cookies: bool | None = None) -> Litestar:
    """The app as a ``ketnoi serve`` worker builds it: always with a database URL."""
    return create_app(
        Settings(
            database_url=database_url,
            data_key=DATA_KEY,
            secret_key=new_key(),
            secure_cookies=secure_cookies,
            pool_min_size=1,
            pool_max_size=2,
        )
    )


def secure_flags(response: httpx.Response) -> dict[str, bool]:
    """Each cookie the response sets, and whether it is marked Secure."""
    flags = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        flags[name] = "secure" in {part.strip().lower() for part in header.split(";")}
    return flags


async def log_in(client: httpx.AsyncClient, email: str, headers: dict[str, str] | None = None) -> httpx.Response:
    form = await client.get("/login", headers=headers)
    csrf = form.cookies[CSRF_COOKIE]
    response = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/"},
        headers={**(headers or {}), "cookie": f"{CSRF_COOKIE}={csrf}", "x-csrftoken": csrf},
    )
    assert response.status_code == 303, response.text[:300]
    response.extensions["form"] = form
    return response


@pytest.fixture
async def auto(database_url: str) -> AsyncIterator[Litestar]:
    async with serving(served(database_url)) as application:
        yield application


async def test_plain_http_gets_cookies_a_browser_keeps(auto: Litestar, actors: Actors) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=auto), base_url="http://192.168.1.20:8000") as c:
        response = await log_in(c, actors.partner.email or "")
        form = response.extensions["form"]
        assert secure_flags(form) == {CSRF_COOKIE: False}
        assert secure_flags(response)[COOKIE] is False
        assert "strict-transport-security" not in response.headers
        assert "strict-transport-security" not in form.headers


async def test_https_gets_secure_cookies_and_hsts(auto: Litestar, actors: Actors) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=auto), base_url="https://ketnoi.example") as c:
        response = await log_in(c, actors.partner.email or "")
        assert secure_flags(response.extensions["form"]) == {CSRF_COOKIE: True}
        assert secure_flags(response)[COOKIE] is True
        assert response.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize(("proxy", "secure"), [("127.0.0.1", True), ("10.9.9.9", False)])
async def test_a_trusted_proxy_saying_https_counts(auto: Litestar, actors: Actors, proxy: str, secure: bool) -> None:
    """Behind a proxy, as ``ketnoi serve`` runs it (uvicorn's proxy headers, FORWARDED_ALLOW_IPS):
    ``X-Forwarded-Proto`` is believed only from a trusted proxy's address."""
    stack = ProxyHeadersMiddleware(auto, trusted_hosts=proxy)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=stack, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ketnoi.internal") as c:
        response = await log_in(c, actors.partner.email or "", headers={"x-forwarded-proto": "https"})
        assert secure_flags(response)[COOKIE] is secure
        assert ("strict-transport-security" in response.headers) is secure


@pytest.mark.parametrize(("setting", "base"), [(True, "http://ketnoi.internal"), (False, "https://ketnoi.example")])
async def test_the_explicit_setting_wins(database_url: str, actors: Actors, setting: bool, base: str) -> None:
    application = served(database_url, secure_cookies=setting)
    async with (
        serving(application),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url=base) as c,
    ):
        response = await log_in(c, actors.partner.email or "")
        assert secure_flags(response.extensions["form"]) == {CSRF_COOKIE: setting}
        assert secure_flags(response)[COOKIE] is setting
        assert ("strict-transport-security" in response.headers) is setting
