"""Pages every user meets: log in, log out, switch language (and, from account/links.py, the pages of
a password set through a mailed link)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Router, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth import repo as auth_repo
from service.auth.login import authenticate
from service.auth.models import ANONYMOUS
from service.config import Settings
from service.errors import TooManyRequests, Unauthorized
from service.web import i18n, session
from service.web.account import links
from service.web.menu import landing
from service.web.page import PAGE_DEPENDENCIES, Form, Pool, Who, Work, page, safe_next


@get("/login", name="login")
async def login_form(principal: Who, next: FromQuery[str | None] = None) -> Template:
    # no ?next= stays empty, so the login lands where the user's role works (menu.landing)
    return page("account/login.html", principal, next=safe_next(next) if next else "", error=None, email="")


@post("/login", status_code=303)
async def login(
    request: Request[Any, Any, Any], pool: Pool, settings: NamedDependency[Settings]
) -> Redirect | Template:
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    asked = str(form.get("next", ""))
    client = request.client.host if request.client else "unknown"
    try:
        user = await authenticate(pool, email, password, client)
    except (Unauthorized, TooManyRequests) as exc:
        status = 429 if isinstance(exc, TooManyRequests) else 401
        kept = safe_next(asked) if asked else ""
        refused = page("account/login.html", ANONYMOUS, status, next=kept, error=exc.detail, email=email)
        if isinstance(exc, TooManyRequests):
            refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    async with pool.acquire() as conn:
        token = await session.start(
            conn, user.id, timedelta(hours=settings.session_hours), request.cookies.get(session.COOKIE)
        )
    target = safe_next(asked) if asked else landing(user.role)
    return Redirect(path=target, status_code=303, cookies=[session.cookie(token, settings.session_hours)])


@post("/logout", status_code=303)
async def logout(request: Request[Any, Any, Any], pool: Pool) -> Redirect:
    async with pool.acquire() as conn:
        await session.end(conn, request.cookies.get(session.COOKIE))
    return Redirect(path="/", status_code=303, cookies=[Cookie(key=session.COOKIE, value="", max_age=0)])


def _language_switch(request: Request[Any, Any, Any], locale: str, next: str | None) -> tuple[str, Redirect]:
    """The chosen language and the answer going back to the same page in it: the page it came from
    (the Referer, which follows a search's address as it is typed), else the page named by
    ``next`` (for a browser that sends no Referer, or a proxy that changes the site's address)."""
    chosen = locale if locale in i18n.LOCALES else i18n.DEFAULT
    site, referer = str(request.base_url).rstrip("/"), request.headers.get("referer", "")
    back = safe_next(referer[len(site) :] if referer.startswith(site + "/") else next)
    return chosen, Redirect(path=back, status_code=303, cookies=[i18n.language_cookie(chosen)])


@get("/lang/{locale:str}")
async def switch_language(
    request: Request[Any, Any, Any], locale: FromPath[str], next: FromQuery[str | None] = None
) -> Redirect:
    """The public's language link: only a cookie changes, as befits a GET."""
    return _language_switch(request, locale, next)[1]


@post("/lang/{locale:str}", status_code=303)
async def choose_language(request: Request[Any, Any, Any], work: Work, form: Form, locale: FromPath[str]) -> Redirect:
    """A signed-in user's language button: the pages and their mail follow, in the language they
    read in (app_user.locale) — a change of what is stored, so a POST with its CSRF token."""
    chosen, back = _language_switch(request, locale, str(form.get("next") or "") or None)
    if work.principal.user_id is not None:
        async with work.pool.acquire() as conn:
            await auth_repo.set_locale(conn, work.principal.user_id, chosen)
    return back


router = Router(
    path="/",
    route_handlers=[login_form, login, logout, switch_language, choose_language, *links.HANDLERS],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
