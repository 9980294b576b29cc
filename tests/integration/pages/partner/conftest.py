"""Fixtures for the partner pages: the pages in English, and a reader of
a page's form as a browser would submit it (listings are made through the API with
``tests.integration.listings``)."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from tests.integration.pages.conftest import Browser


class _FormReader(HTMLParser):
    """The fields of the first form whose action is ``action``, with the values a browser would send."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        # a browser posts without the #fragment (which only says where the answer opens)
        if tag == "form" and not self.done and (a.get("action") or "").split("#")[0] == self.action:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._select_value, self._first_option = a.get("name"), None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select" and self._select is not None:
            chosen = self._select_value if self._select_value is not None else self._first_option
            self.fields.append((self._select, chosen or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside, self.done = False, True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def form_fields(response: httpx.Response, action: str) -> list[tuple[str, str]]:
    """What submitting the form at ``action`` on this page would send, as (name, value) pairs
    (without the CSRF token, which ``browser.submit`` adds)."""
    reader = _FormReader(action)
    reader.feed(response.text)
    assert reader.done, f"no form posting to {action}"
    return [(k, v) for k, v in reader.fields if k != "_csrf_token"]


def replaced(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    """The form's fields with some single-valued ones changed as a person would type them."""
    return [(k, changes.get(k, v)) for k, v in fields]


@pytest.fixture
async def browser(browser: Browser) -> Browser:
    """The pages in English, so the tests read the msgids whatever the Vietnamese catalog says."""
    browser.client.headers["accept-language"] = "en"
    return browser
