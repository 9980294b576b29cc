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
        actors = {r.actor_id for r in revisions if r.actor_id is not None}
        users = await user_names(conn, actors | _mentioned(revisions, "verified_by"))
        organizations = await repo.organization_names(conn, list(_mentioned(revisions, "organization_id")))
    return work.page(
        "partner/history.html",
        service=service,
        revisions=[_revision_view(r, users, organizations) for r in revisions],
        total=total,
        paging=paging,
        **page_links(paging.page, paging.per_page, total),
    )


def _mentioned(revisions: list[Revision], field: str) -> set[uuid.UUID]:
    """The ids a field's changes name (the verifier, the owning organization), to show by name."""
    return {
        uuid.UUID(str(value))
        for revision in revisions
        for value in revision.changes.get(field, [])
        if value is not None
    }


def _revision_view(
    revision: Revision, users: dict[uuid.UUID, str], organizations: dict[uuid.UUID, str]
) -> dict[str, Any]:
    fields = field_labels()
    actions = {
        "create": _("Created"),
        "update": _("Edited"),
        "capacity": _("Beds free updated"),
        "verify": _("Verified"),
    }
    order = {name: position for position, name in enumerate(fields)}
    names = {str(key): name for key, name in (users | organizations).items()}
    who = _("the system") if revision.actor_id is None else users.get(revision.actor_id, _("a former user"))
    return {
        "version": revision.version,
        "action": actions.get(revision.action, revision.action),
        "who": who,
        "at": revision.at,
        "changes": [
            (
                fields.get(name, name),
                display(change[0] if change else None, name, names),
                display(change[1] if change else None, name, names),
            )
            # in the order of the listing form, whatever order they were stored in
            for name, change in sorted(revision.changes.items(), key=lambda item: order.get(item[0], len(order)))
        ],
    }
