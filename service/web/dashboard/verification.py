"""/verify: the coordinators' queue of listings due for verification, and marking one verified."""

from __future__ import annotations

import uuid

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth.permissions import Action, organizations_for
from service.directory import repo, verification
from service.directory.listings import present, verify_service
from service.web.i18n import gettext as _
from service.web.page import Form, Paging, Pool, Who, Work, page, page_links, safe_next
from service.web.words import listing_status_labels


@get("/", name="verify")
async def verify_queue(
    principal: Who,
    pool: Pool,
    paging: Paging,
    verified: FromQuery[uuid.UUID | None] = None,
) -> Template:
    organizations = organizations_for(principal, Action.VERIFY_LISTING)
    async with pool.acquire() as conn:
        ids, total = await verification.queue_ids(
            conn, organizations=organizations, limit=paging.per_page, offset=paging.offset
        )
        by_id = {s.id: s for s in await repo.get_services(conn, ids)}
    services = [present(principal, by_id[i]) for i in ids if i in by_id]
    notice = None
    if verified is not None:
        async with pool.acquire() as conn:
            done = await repo.get_services(conn, [verified])
        notice = _("“%(name)s” is marked verified.") % {"name": done[0].name} if done else None
    return page(
        "dashboard/verify.html",
        principal,
        services=services,
        total=total,
        paging=paging,
        statuses=listing_status_labels(),
        notice=notice,
        **page_links(paging.page, paging.per_page, total),
    )


@post("/{service_id:uuid}", status_code=303)
async def verify_listing(work: Work, form: Form, service_id: FromPath[uuid.UUID]) -> Redirect:
    await work.act(verify_service, service_id)
    back = safe_next(str(form.get("next", "/verify")))
    if not back.startswith("/verify"):
        back = "/verify"
    separator = "&" if "?" in back else "?"
    return Redirect(path=f"{back}{separator}verified={service_id}", status_code=303)
