"""/partner/services/{id}/history: a listing's revisions, who made each and what changed."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from service.auth import repo as auth_repo
from service.db import Connection
from service.directory import listings, repo
from service.directory.models import Revision
from service.errors import NotFound
from service.pagination import PageParams
from service.web.i18n import gettext as _
from service.web.page import Pool, Who, page
from service.web.partner.listing_form import display, field_labels


async def _actor_names(conn: Connection, actor_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    names: dict[uuid.UUID, str] = {}
    for actor_id in actor_ids:
        try:
            user = await auth_repo.get_user(conn, actor_id)
        except NotFound:
            continue
        names[actor_id] = user.display_name or user.email
    return names


@get("/services/{service_id:uuid}/history", name="partner-service-history")
async def service_history(
    principal: Who,
    pool: Pool,
    paging: NamedDependency[PageParams],
    service_id: FromPath[uuid.UUID],
) -> Template:
    async with pool.acquire() as conn:
        revisions, total = await listings.revisions(
            conn, principal, service_id, limit=paging.per_page, offset=paging.offset
        )
        service = listings.present(principal, await repo.get_service(conn, service_id))
        names = await _actor_names(conn, {r.actor_id for r in revisions if r.actor_id is not None})
    return page(
        "partner/history.html",
        principal,
        service=service,
        revisions=[_revision_view(r, names) for r in revisions],
        total=total,
        paging=paging,
        previous_page=paging.page - 1 if paging.page > 1 else None,
        next_page=paging.page + 1 if total > paging.page * paging.per_page else None,
    )


def _revision_view(revision: Revision, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    fields = field_labels()
    actions = {
        "create": _("Created"),
        "update": _("Edited"),
        "capacity": _("Beds free updated"),
        "verify": _("Verified"),
    }
    return {
        "version": revision.version,
        "action": actions.get(revision.action, revision.action),
        "who": names.get(revision.actor_id, str(revision.actor_id)) if revision.actor_id else _("the system"),
        "at": revision.at,
        "changes": [
            (fields.get(name, name), display(change[0] if change else None), display(change[1] if change else None))
            for name, change in revision.changes.items()
        ],
    }
