"""The admins' mail page, /admin/mail: the outbox's backlog (queued, dead, the oldest queued
message's age), the dead messages (kind, the recipient's address, attempts, the last error, when
queued — never the link, which may hold a one-time token) and "Retry", per message or for all
(audited: ``notify.status.retry_dead_by``)."""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from service.notify import status
from service.web.account.notifications import kind_words
from service.web.page import Form, Work

SHOWN = 200  # dead messages listed; "Retry all" covers every one, shown or not


@get("/mail", name="admin-mail")
async def mail_page(work: Work, retried: FromQuery[int | None] = None) -> Template:
    async with work.pool.acquire() as conn:
        backlog = await status.backlog(conn)
        dead = await status.dead_messages(conn, SHOWN)
    response = work.page(
        "admin/mail.html", backlog=backlog, dead=dead, kinds=kind_words(), retried=retried, shown=SHOWN
    )
    response.headers["Cache-Control"] = "no-store"  # recipients' addresses
    return response


@post("/mail/retry", status_code=303)
async def retry_mail(work: Work, form: Form) -> Redirect:
    """Queue one dead message (``id``) or, without one, every dead message again."""
    ident = form.get("id")
    ids = [int(ident)] if isinstance(ident, str) and ident.isdigit() else None
    count = await work.act(status.retry_dead_by, ids)
    return Redirect(path=f"/admin/mail?retried={count}", status_code=303)
