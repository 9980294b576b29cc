"""/verify: the coordinators' queue of listings due for verification — narrowed by province,
organization, category and name, with the numbers to call — and marking one verified; below it,
how the organizations of their tree answered the listing check-ins, by province."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth.permissions import Action, organizations_for
from service.directory import check_ins, repo, verification
from service.directory.listings import present_for_verifying, verify_service
from service.directory.models import ContactKind, Service
from service.directory.verification import QueueFilter
from service.web.i18n import gettext as _
from service.web.page import Form, Paging, Pool, Who, Work, page, page_links, safe_next
from service.web.words import directory_labels, listing_status_labels

CALLABLE = (ContactKind.HOTLINE, ContactKind.PHONE, ContactKind.ZALO)  # numbers a coordinator can ring
NAME_LIMIT = 100


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def queue_filter(q: str | None, province: str | None, organization: str | None, category: str | None) -> QueueFilter:
    """The filter from the query string; an unknown province or category, or a malformed
    organization id (a stale bookmark), narrows nothing rather than failing the page."""
    labels = directory_labels()
    return QueueFilter(
        name=(q or "").strip()[:NAME_LIMIT],
        province=province if province in labels["province"] and province != "national" else None,
        organization_id=_uuid(organization),
        category=category if category in labels["category"] else None,
    )


def filter_query(narrow: QueueFilter) -> dict[str, str]:
    """The filter as query parameters, for the pager, the forms' way back and the clear link."""
    pairs = {
        "q": narrow.name,
        "province": narrow.province or "",
        "organization": str(narrow.organization_id or ""),
        "category": narrow.category or "",
    }
    return {key: value for key, value in pairs.items() if value}


def phones(service: Service) -> list[tuple[str, str]]:
    """(number as written, tel: address) of the listing's phone-like contacts."""
    return [(c.value, "tel:" + re.sub(r"[^0-9+]", "", c.value)) for c in service.contacts if c.kind in CALLABLE]


@get("/", name="verify")
async def verify_queue(
    principal: Who,
    pool: Pool,
    paging: Paging,
    verified: FromQuery[uuid.UUID | None] = None,
    q: FromQuery[str | None] = None,
    province: FromQuery[str | None] = None,
    organization: FromQuery[str | None] = None,
    category: FromQuery[str | None] = None,
) -> Template:
    organizations = organizations_for(principal, Action.VERIFY_LISTING)
    narrow = queue_filter(q, province, organization, category)
    async with pool.acquire() as conn:
        ids, total = await verification.queue_ids(
            conn, organizations=organizations, narrow=narrow, limit=paging.per_page, offset=paging.offset
        )
        by_id = {s.id: s for s in await repo.get_services(conn, ids)}
        choices = await verification.queue_organizations(conn, organizations)
        done = await repo.get_services(conn, [verified]) if verified is not None else []
        answers = await check_ins.answers(conn, organizations)
    services = [present_for_verifying(principal, by_id[i]) for i in ids if i in by_id]
    query = filter_query(narrow)
    here = urlencode({**query, "page": paging.page})
    labels = directory_labels()
    return page(
        "dashboard/verify.html",
        principal,
        services=services,
        phones={s.id: phones(s) for s in services},
        total=total,
        narrow=narrow,
        filtered=bool(query),
        narrowed=sum(key != "q" for key in query),  # how many of the folded-away choices are set
        here=f"/verify?{here}",
        provinces=[(code, name) for code, name in labels["province"].items() if code != "national"],
        categories=sorted(labels["category"].items(), key=lambda item: item[1]),
        organizations=choices,
        statuses=listing_status_labels(),
        check_in_answers=answers,
        province_names=labels["province"],
        notice=_("“%(name)s” is marked verified.") % {"name": done[0].name} if done else None,
        **page_links(paging.page, paging.per_page, total, lambda n: "?" + urlencode({**query, "page": n})),
    )


@post("/{service_id:uuid}", status_code=303)
async def verify_listing(work: Work, form: Form, service_id: FromPath[uuid.UUID]) -> Redirect:
    await work.act(verify_service, service_id)
    back = safe_next(str(form.get("next", "/verify")))
    if not back.startswith("/verify"):
        back = "/verify"
    separator = "&" if "?" in back else "?"
    return Redirect(path=f"{back}{separator}verified={service_id}", status_code=303)
