"""Directory writes. Each runs inside one transaction (via ``db.transact``) and keeps the
listing, its revision history and its search document in step."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.db import Connection
from service.directory import repo, rules, search_index
from service.directory.models import (
    Organization,
    OrganizationCreate,
    OrganizationPatch,
    Service,
    ServiceCreate,
    ServicePatch,
    Visibility,
)
from service.errors import FieldError, PreconditionFailed, ValidationFailed
from service.fields import sent_fields

_NESTED = ("locations", "service_areas", "contacts", "schedules")
_UNTRACKED = ("id", "organization", "version", "created_at", "updated_at", "stale")


def tracked_view(service: Service) -> dict[str, Any]:
    """The listing as its revision history compares it (location ids are storage detail)."""
    view = msgspec.to_builtins(service)
    for key in _UNTRACKED:
        view.pop(key, None)
    for location in view["locations"]:
        location.pop("id", None)
    return dict(view)


async def _write_nested(conn: Connection, service_id: uuid.UUID, org_id: uuid.UUID, fields: dict[str, Any]) -> None:
    if "locations" in fields:
        await repo.replace_locations(conn, service_id, org_id, fields["locations"])
    if "service_areas" in fields:
        await repo.replace_areas(conn, service_id, fields["service_areas"])
    if "contacts" in fields:
        await repo.replace_contacts(conn, fields["contacts"], service_id=service_id)
    if "schedules" in fields:
        await repo.replace_schedules(conn, service_id, fields["schedules"])


def _normalized(fields: dict[str, Any]) -> dict[str, Any]:
    if "locations" in fields:
        fields["locations"] = rules.normalize_locations(fields["locations"])
    if "service_areas" in fields:
        fields["service_areas"] = rules.normalize_areas(fields["service_areas"])
    return fields


async def _finish(
    conn: Connection, service_id: uuid.UUID, action: str, actor: Principal, before: dict[str, Any]
) -> Service:
    service = await repo.get_service(conn, service_id)
    changes = rules.diff(before, tracked_view(service))
    await repo.insert_revision(conn, service_id, service.version, action, actor.user_id, changes)
    await search_index.index_listings(conn, [service])
    return service


def prepared_listing(data: ServiceCreate) -> dict[str, Any]:
    """A new listing's fields, normalised (province names to codes) and checked across fields."""
    fields = _normalized(msgspec.structs.asdict(data))
    rules.check_listing(fields)
    return fields


async def create_service(
    conn: Connection, principal: Principal, data: ServiceCreate, *, service_id: uuid.UUID | None = None
) -> Service:
    """Create a listing; ``service_id`` is for imports and demo data that keep stable ids."""
    check(principal, Action.EDIT_LISTING, data.organization_id)
    fields = prepared_listing(data)
    service_id = service_id or uuid.uuid4()
    await repo.insert_service(conn, service_id, data.organization_id, fields)
    await _write_nested(conn, service_id, data.organization_id, fields)
    return await _finish(conn, service_id, "create", principal, {})


async def _editable(conn: Connection, principal: Principal, service_id: uuid.UUID) -> Service:
    """The listing, locked for this transaction, if ``principal`` may edit it; a listing the
    principal may not even see answers 404."""
    current = await repo.get_service(conn, service_id, for_update=True)
    hidden = current.visibility is Visibility.STAFF and not rules.may_see_restricted(principal, current.organization_id)
    check(principal, Action.EDIT_LISTING, current.organization_id, hide=hidden)
    return current


async def patch_service(
    conn: Connection,
    principal: Principal,
    service_id: uuid.UUID,
    expected_version: int | None,
    patch: ServicePatch,
) -> Service:
    current = await _editable(conn, principal, service_id)
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed(
            f"This listing is at version {current.version}, you edited version {expected_version};"
            " reload it and apply your edit again"
        )
    changes = _normalized(sent_fields(patch))
    before = tracked_view(current)
    rules.check_listing({**before, **changes})
    scalars = {k: v for k, v in changes.items() if k not in _NESTED}
    await repo.update_service(conn, service_id, expected_version, scalars)
    await _write_nested(conn, service_id, current.organization_id, changes)
    return await _finish(conn, service_id, "update", principal, before)


async def set_capacity(conn: Connection, principal: Principal, service_id: uuid.UUID, available: int) -> Service:
    current = await _editable(conn, principal, service_id)
    if current.capacity_total is not None and available > current.capacity_total:
        raise ValidationFailed(
            "More beds free than the listing has",
            errors=[FieldError(field="available", message=f"at most {current.capacity_total}")],
        )
    await repo.update_service(conn, service_id, None, {"capacity_available": available})
    return await _finish(conn, service_id, "capacity", principal, tracked_view(current))


async def verify_service(conn: Connection, principal: Principal, service_id: uuid.UUID) -> Service:
    current = await repo.get_service(conn, service_id, for_update=True)
    # a staff-only listing is 404 to those who may not see it, as everywhere else
    hidden = current.visibility is Visibility.STAFF and not rules.may_see_restricted(principal, current.organization_id)
    check(principal, Action.VERIFY_LISTING, current.organization_id, hide=hidden)
    assert principal.user_id is not None
    await repo.mark_verified(conn, service_id, principal.user_id)
    return await _finish(conn, service_id, "verify", principal, tracked_view(current))


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
