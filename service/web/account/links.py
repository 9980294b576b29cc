"""Pages for a password set through a mailed link: "Forgot password?" (asking for a reset link)
and the set-password page an invitation or a reset link opens (auth/set_password.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from service.auth import set_password
from service.auth.models import ANONYMOUS
from service.auth.set_password import LinkRefused, Refusal
from service.config import Settings
from service.errors import TooManyRequests, ValidationFailed
from service.notify import invitations
from service.web import session
from service.web.menu import landing
from service.web.page import Form, Pool, page

# What a refused link answers: gone for good (410) when it worked once and cannot again, not found
# for a link never issued (or cut short in the mail), forbidden for a deactivated account.
_REFUSED_STATUS = {
    Refusal.UNKNOWN: 404,
    Refusal.USED: 410,
    Refusal.ENDED: 410,
    Refusal.EXPIRED: 410,
    Refusal.INACTIVE: 403,
}


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


@get("/account/forgot-password", name="forgot-password")
async def forgot_password_form() -> Template:
    return page("account/forgot_password.html", ANONYMOUS, sent=False, email="", retry_after=None)


@post("/account/forgot-password")
async def forgot_password(request: Request[Any, Any, Any], pool: Pool, form: Form) -> Template:
    """The same answer whether or not an account uses the address (``request_reset`` also takes
    the same time either way); only asking too often is refused, whoever the address belongs to."""
    email = str(form.get("email", "")).strip()
    try:
        await invitations.request_reset(pool, email, _client(request))
    except TooManyRequests as exc:
        refused = page(
            "account/forgot_password.html", ANONYMOUS, 429, sent=False, email=email, retry_after=exc.retry_after
        )
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    return page("account/forgot_password.html", ANONYMOUS, sent=True, email=email, retry_after=None)


def _refused(exc: LinkRefused) -> Template:
    return page(
        "account/link_refused.html",
        ANONYMOUS,
        _REFUSED_STATUS[exc.reason],
        reason=exc.reason.value,
        invitation=exc.purpose is set_password.Purpose.INVITATION,
    )


@get("/account/set-password", name="set-password")
async def set_password_form(pool: Pool, token: FromQuery[str] = "") -> Template:
    """Opening the link uses nothing (a mail scanner may fetch it first); the form does."""
    try:
        link = await set_password.check(pool, token)
    except LinkRefused as exc:
        return _refused(exc)
    return page("account/set_password.html", ANONYMOUS, token=token, link=link, errors={})


@post("/account/set-password", status_code=303)
async def set_password_submit(
    request: Request[Any, Any, Any], pool: Pool, form: Form, settings: NamedDependency[Settings]
) -> Redirect | Template:
    """Set the password and sign the user in where their role works: the link proved the mailbox
    and the password was just typed twice, so asking for it again would only cost taps. Every
    other session of the account ended with the link's use."""
    token = str(form.get("token", ""))
    try:
        password = set_password.new_password(str(form.get("password", "")), str(form.get("repeat", "")))
        link = await set_password.use(pool, token, password)
    except LinkRefused as exc:
        return _refused(exc)
    except ValidationFailed as exc:
        try:
            link = await set_password.check(pool, token)
        except LinkRefused as refused:
            return _refused(refused)
        errors = {error.field: error.message for error in exc.errors}
        return page("account/set_password.html", ANONYMOUS, 422, token=token, link=link, errors=errors)
    async with pool.acquire() as conn:
        started = await session.start(
            conn, link.user_id, timedelta(hours=settings.session_hours), request.cookies.get(session.COOKIE)
        )
    cookie = session.cookie(started, settings.session_hours)
    return Redirect(path=landing(link.role), status_code=303, cookies=[cookie])


HANDLERS = [forgot_password_form, forgot_password, set_password_form, set_password_submit]
