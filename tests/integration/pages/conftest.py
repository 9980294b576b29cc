"""Page tests through the real app: a browser-like client that keeps cookies, logs in through the
form and sends the CSRF token like the pages do."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.integration.conftest import PASSWORD, Actor


class Browser:
    """An httpx client that behaves like a browser with cookies; forms carry the CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken") or ""

    async def submit(self, url: str, data: dict[str, Any] | list[tuple[str, str]] | None = None) -> httpx.Response:
        """POST a form the way a page does (fetching a page first if no CSRF cookie was set yet)."""
        if not self.csrf():
            await self.get("/login")
        pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
        form: dict[str, list[str]] = {"_csrf_token": [self.csrf()]}
        for key, value in pairs:
            form.setdefault(key, []).append(str(value))
        return await self.client.post(url, data=form)

    async def login(self, actor: Actor | str, password: str = PASSWORD) -> httpx.Response:
        email = actor if isinstance(actor, str) else actor.email
        response = await self.submit("/login", {"email": email, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        return response


def text(response: httpx.Response) -> str:
    """The page's visible text, roughly: tags removed, spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


@pytest.fixture
async def browser(app: Litestar) -> AsyncIterator[Browser]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver", follow_redirects=False) as client:
        yield Browser(client)
