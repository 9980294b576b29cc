"""/partner/services/{id}/history: a listing's revisions, who made each and what changed."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from service.directory import listings, repo
from service.directory.models import Revision
from service.web.i18n import gettext as _
from service.web.page import Paging, Work, page_links, user_names
from service.web.partner.listing_changes import display, field_labels


@get("/services/{service_id:uuid}/history", name="partner-service-history")
async def service_history(work: Work, paging: Paging, service_id: FromPath[uuid.UUID]) -> Template:
    principal = work.principal
    async with work.pool.acquire() as conn:
        revisions, total = await listings.revisions(
            conn, principal, service_id, limit=paging.per_page, offset=paging.offset
        )
        service = listings.present(principal, await repo.get_service(conn, service_id))
        names = await user_names(conn, {r.actor_id for r in revisions if r.actor_id is not None})
    return work.page(
        "partner/history.html",
        service=service,
        revisions=[_revision_view(r, names) for r in revisions],
        total=total,
        paging=paging,
        **page_links(paging.page, paging.per_page, total),
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
            (
                fields.get(name, name),
                display(change[0] if change else None, name),
                display(change[1] if change else None, name),
            )
            for name, change in revision.changes.items()
        ],
    }
