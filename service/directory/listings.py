"""Listings: reading one as a principal may see it, its revisions, and the writes. Each write runs
inside one transaction (via ``db.transact``) and keeps the listing, its revision history and its
search document in step. The JSON API and the pages both come here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.db import Connection
from service.directory import repo, rules, search_index
from service.directory.models import Revision, Service, ServiceCreate, ServicePatch, Visibility
from service.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed
from service.fields import sent_fields

_NESTED = ("locations", "service_areas", "contacts", "schedules")
# a confirmation is a revision of its own ("confirm"), not a change of the listing
_UNTRACKED = ("id", "organization", "version", "created_at", "updated_at", "stale", "confirmed_at", "confirmed_by")


def tracked_view(service: Service) -> dict[str, Any]:
    """The listing as its revision history compares it (location ids are storage detail)."""
    view = msgspec.to_builtins(service)
    for key in _UNTRACKED:
        view.pop(key, None)
    for location in view["locations"]:
        location.pop("id", None)
    return dict(view)


def _hidden(principal: Principal, organization_id: uuid.UUID, visibility: Visibility | str) -> bool:
    """Whether a listing is hidden from ``principal``: staff-only, and not theirs to see (404, never 403)."""
    return visibility == Visibility.STAFF and not rules.may_see_restricted(principal, organization_id)


def present(principal: Principal, service: Service) -> Service:
    """A listing as ``principal`` sees it: confidential locations redacted, staleness worked out now."""
    may_see = rules.may_see_restricted(principal, service.organization_id)
    return msgspec.structs.replace(
        rules.redact(service, may_see_restricted=may_see),
        # the organization's confirmation counts as much as a verification for the public wording
        stale=rules.is_stale(rules.last_word(service.last_verified_at, service.confirmed_at), datetime.now(UTC)),
    )


def present_for_verifying(principal: Principal, service: Service) -> Service:
    """A listing as the coordinators' queue shows it: stale by their verification alone, since the
    organization's own confirmation does not replace a coordinator's check."""
    return msgspec.structs.replace(
        present(principal, service), stale=rules.is_stale(service.last_verified_at, datetime.now(UTC))
    )


async def readable_service(conn: Connection, principal: Principal, service_id: uuid.UUID) -> Service:
    """The listing if ``principal`` may read it: staff-only listings are 404 to outsiders."""
    service = await repo.get_service(conn, service_id)
    if _hidden(principal, service.organization_id, service.visibility):
        raise NotFound("No such service")
    return present(principal, service)


async def readable_services(conn: Connection, principal: Principal, service_ids: Sequence[uuid.UUID]) -> list[Service]:
    """``readable_service`` for many listings in one query: those ``principal`` may read, in the
    order of ``service_ids`` (missing and hidden ones left out)."""
    found = {service.id: service for service in await repo.get_services(conn, service_ids)}
    return [
        present(principal, service)
        for service_id in service_ids
        if (service := found.get(service_id)) is not None
        and not _hidden(principal, service.organization_id, service.visibility)
    ]


async def revisions(
    conn: Connection, principal: Principal, service_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[Revision], int]:
    """A page of the listing's revisions and their total, if ``principal`` may view them (the API's
    revisions and the partner's history page both ask here)."""
    found = await repo.organization_of_service(conn, service_id)
    if found is None:
        raise NotFound("No such service")
    organization_id, visibility = found
    check(principal, Action.VIEW_REVISIONS, organization_id, hide=_hidden(principal, organization_id, visibility))
    return await repo.list_revisions(conn, service_id, limit=limit, offset=offset)


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
    hidden = _hidden(principal, current.organization_id, current.visibility)
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
    hidden = _hidden(principal, current.organization_id, current.visibility)
    check(principal, Action.VERIFY_LISTING, current.organization_id, hide=hidden)
    assert principal.user_id is not None
    await repo.mark_verified(conn, service_id, principal.user_id)
    return await _finish(conn, service_id, "verify", principal, tracked_view(current))


async def confirm_service(conn: Connection, principal: Principal, service_id: uuid.UUID) -> Service:
    """The listing's organization says it is still right (a check-in's answer): recorded apart
    from a coordinator's verification, by someone who may edit the listing."""
    current = await _editable(conn, principal, service_id)
    assert principal.user_id is not None
    await repo.mark_confirmed(conn, service_id, principal.user_id)
    return await _finish(conn, service_id, "confirm", principal, tracked_view(current))
