"""The pages a listing check-in's mail links to (directory/check_ins.py): "Is this still right?".

Opening a link changes nothing: a mail scanner or a link preview may fetch it before the partner
does. "Still right" opens a page with one button that confirms (a POST, with the page's CSRF token
like every form); "Needs changes" goes on to the listing's edit form, which asks to log in. A link
that does not work — altered, expired, already answered — gets a page saying so and what to do."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from service.auth.models import Principal
from service.config import Settings
from service.directory import check_ins
from service.directory.check_in_links import LinkRefused, Refusal
from service.web.page import Form, Pool, Who, page

# Gone for good (410) when the link worked once and cannot again; not found for a link never
# issued here (or cut short); forbidden when its owner may no longer answer for the listing.
_REFUSED_STATUS = {
    Refusal.UNKNOWN: 404,
    Refusal.EXPIRED: 410,
    Refusal.USED: 410,
    Refusal.ENDED: 410,
    Refusal.NOT_ALLOWED: 403,
}


def _key(settings: Settings) -> bytes:
    return check_ins.policy(settings).key


def _refused(principal: Principal, exc: LinkRefused) -> Template:
    answered_at = exc.answered_at if isinstance(exc, check_ins.AlreadyAnswered) else None
    return page(
        "account/check_in_refused.html",
        principal,
        _REFUSED_STATUS[exc.reason],
        reason=exc.reason.value,
        answered_at=answered_at,
    )


@get("/check-in", name="check-in")
async def check_in_page(
    principal: Who,
    pool: Pool,
    settings: NamedDependency[Settings],
    token: FromQuery[str] = "",
    answer: FromQuery[str] = "",
) -> Template | Redirect:
    """The question with its one confirming button; "Needs changes" (``answer=change``) goes on
    to the edit form. Neither answers anything by being opened."""
    try:
        check_in = await check_ins.check(pool, _key(settings), token)
    except LinkRefused as exc:
        return _refused(principal, exc)
    if answer == "change":
        return Redirect(path=f"/partner/services/{check_in.service_id}", status_code=303)
    return page("account/check_in.html", principal, check_in=check_in, token=token)


@post("/check-in", status_code=200)
async def check_in_confirm(principal: Who, pool: Pool, settings: NamedDependency[Settings], form: Form) -> Template:
    """Confirm the listing as its partner, once: the signed token says who answers, so no log-in
    is asked for (the link's mailbox is the partner's own)."""
    token = str(form.get("token", ""))
    try:
        check_in = await check_ins.confirm(pool, _key(settings), token)
    except LinkRefused as exc:
        return _refused(principal, exc)
    return page("account/check_in_done.html", principal, check_in=check_in)


HANDLERS = [check_in_page, check_in_confirm]
