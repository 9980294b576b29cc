"""Languages of the pages: Vietnamese first, English on request. The locale of a request lives in
a ContextVar set by ``LocaleMiddleware``; gettext and Babel formatting read it."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from service.catalogs import translations as translations  # the pages read it from here
from service.clock import LOCAL_TZ

LOCALES = ("vi", "en")
DEFAULT = "vi"
COOKIE = "kn_lang"

current: ContextVar[str] = ContextVar("locale", default=DEFAULT)


def gettext(message: str) -> str:
    return translations(current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current.get()).ngettext(singular, plural, n)


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """?lang= first, then the remembered choice, then the browser's languages, then Vietnamese."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LOCALES:
            return candidate
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return DEFAULT


def language_cookie(locale: str) -> Cookie:
    return Cookie(key=COOKIE, value=locale, max_age=365 * 86400, httponly=True, samesite="lax")


class LocaleMiddleware:
    """Sets the request's locale for everything that runs while it is served."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(
            pair.split("=", 1) for pair in scope.get("query_string", b"").decode("latin-1").split("&") if "=" in pair
        )
        cookies = dict(item.strip().split("=", 1) for item in headers.get("cookie", "").split(";") if "=" in item)
        token = current.set(negotiate(query.get("lang"), cookies.get(COOKIE), headers.get("accept-language")))
        try:
            await self.app(scope, receive, send)
        finally:
            current.reset(token)


# -- formatting, in Viet Nam time ----------------------------------------------------------------


@cache
def _babel_locale(locale: str) -> Locale:
    # Locale.parse builds a new Locale (and its data view) on every call; one per language, not per value
    return Locale.parse(locale)


# One way to write a day and a moment per language, on every page: numeric day-month-year and a
# 24-hour clock in Vietnamese (07/12/2026 14:05), the month's name in English so it cannot be read
# the American way (7 Dec 2026, 14:05).
DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
DATETIME_PATTERNS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    locale = current.get()
    return format_date(value, format=DATE_PATTERNS[locale], locale=_babel_locale(locale))


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    locale = current.get()
    return format_datetime(value, format=DATETIME_PATTERNS[locale], tzinfo=LOCAL_TZ, locale=_babel_locale(locale))


def fmt_number(value: Any, decimals: int | None = None) -> str:
    """A number as the page's language writes it (1.234,5 in Vietnamese, 1,234.5 in English);
    with ``decimals``, always that many digits after the separator (0,0 … 1,0 for score bands)."""
    if value is None:
        return ""
    return _decimal(value, current.get(), decimals)


@lru_cache(maxsize=4096)
def _decimal(value: Any, locale: str, decimals: int | None) -> str:
    """Babel's formatting parses its pattern on every call; a page shows the same counts again
    and again (facets, totals), so their text is kept."""
    pattern = None if decimals is None else "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, format=pattern, locale=_babel_locale(locale))
