"""Organizations: creating one and changing it (a move under another parent is checked at both
ends and audited; a rename redoes its listings' search documents). The JSON API and the admin pages
both come here."""

from __future__ import annotations

import uuid

import msgspec

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.db import Connection
from service.directory import repo, search_index
from service.directory.models import Organization, OrganizationCreate, OrganizationPatch
from service.errors import FieldError, ValidationFailed
from service.fields import sent_fields


async def create_organization(
    conn: Connection,
    principal: Principal,
    data: OrganizationCreate,
    *,
    organization_id: uuid.UUID | None = None,
) -> Organization:
    # a coordinator founds organizations only under one of their tree; a root takes an admin
    check(principal, Action.CREATE_ORGANIZATION, data.parent_id)
    organization_id = organization_id or uuid.uuid4()
    await repo.insert_organization(conn, organization_id, msgspec.structs.asdict(data))
    await repo.replace_contacts(conn, data.contacts, organization_id=organization_id)
    # where it sits decides who reaches what is filed under it, as a move does
    await audit.record(
        conn,
        principal,
        "organization.create",
        "organization",
        organization_id,
        organization_id=organization_id,
        details={"parent_id": data.parent_id, "kind": data.kind},
    )
    return await repo.get_organization(conn, organization_id)


async def patch_organization(
    conn: Connection,
    principal: Principal,
    organization_id: uuid.UUID,
    expected_version: int | None,
    patch: OrganizationPatch,
) -> Organization:
    current = await repo.get_organization(conn, organization_id, for_update=True)
    check(principal, Action.EDIT_ORGANIZATION, organization_id)
    changes = sent_fields(patch)
    # a move: the organization and the parent it is put under both in the mover's tree (no parent,
    # a root: admins only)
    if "parent_id" in changes or "kind" in changes:
        check(principal, Action.RESTRUCTURE_ORGANIZATION, organization_id)
    if "parent_id" in changes:
        check(principal, Action.RESTRUCTURE_ORGANIZATION, changes["parent_id"])
    before = {"parent_id": current.parent_id, "kind": current.kind}
    after = before | {key: changes[key] for key in before if key in changes}
    parent_id = changes.get("parent_id")
    if parent_id is not None and await repo.parent_cycle(conn, organization_id, parent_id):
        raise ValidationFailed(
            "An organization cannot sit under itself",
            errors=[FieldError(field="parent_id", message="would create a cycle")],
        )
    await repo.update_organization(conn, organization_id, expected_version, changes)
    if after != before:
        await audit.record(
            conn,
            principal,
            "organization.move",
            "organization",
            organization_id,
            organization_id=organization_id,
            details={"before": before, "after": after},
        )
    if "contacts" in changes:
        await repo.replace_contacts(conn, changes["contacts"], organization_id=organization_id)
    if changes.get("name", current.name) != current.name:
        await search_index.reindex_organizations(conn, [organization_id])
    return await repo.get_organization(conn, organization_id)
