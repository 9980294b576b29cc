"""Who may do what (DESIGN.md §4), as data, and the one check every controller calls."""

from __future__ import annotations

import enum
import uuid

from service.auth.models import Principal, Role
from service.errors import Forbidden, NotFound, Unauthorized


class Scope(enum.Enum):
    ANY = "any"  # every record
    OWN_ORG = "own_org"  # records of the principal's own organization


class Action(enum.StrEnum):
    VIEW_RESTRICTED_LISTING = "view_restricted_listing"  # staff-only listings, confidential addresses
    EDIT_LISTING = "edit_listing"
    VIEW_REVISIONS = "view_revisions"
    VERIFY_LISTING = "verify_listing"
    CREATE_ORGANIZATION = "create_organization"
    EDIT_ORGANIZATION = "edit_organization"
    RESTRUCTURE_ORGANIZATION = "restructure_organization"  # kind and parent: who sits under whom
    MANAGE_USERS = "manage_users"


_ALL = Scope.ANY
_OWN = Scope.OWN_ORG

RULES: dict[Action, dict[Role, Scope]] = {
    Action.VIEW_RESTRICTED_LISTING: {
        Role.PARTNER: _OWN,
        Role.CASEWORKER: _ALL,
        Role.COORDINATOR: _ALL,
        Role.ADMIN: _ALL,
    },
    Action.EDIT_LISTING: {Role.PARTNER: _OWN, Role.COORDINATOR: _ALL, Role.ADMIN: _ALL},
    Action.VIEW_REVISIONS: {
        Role.PARTNER: _OWN,
        Role.CASEWORKER: _ALL,
        Role.COORDINATOR: _ALL,
        Role.ADMIN: _ALL,
    },
    Action.VERIFY_LISTING: {Role.COORDINATOR: _ALL, Role.ADMIN: _ALL},
    Action.CREATE_ORGANIZATION: {Role.COORDINATOR: _ALL, Role.ADMIN: _ALL},
    Action.EDIT_ORGANIZATION: {Role.PARTNER: _OWN, Role.COORDINATOR: _ALL, Role.ADMIN: _ALL},
    Action.RESTRUCTURE_ORGANIZATION: {Role.COORDINATOR: _ALL, Role.ADMIN: _ALL},
    Action.MANAGE_USERS: {Role.ADMIN: _ALL},
}


def scope_of(principal: Principal, action: Action) -> Scope | None:
    """How far ``principal`` may do ``action``: everywhere, in its own organization, or not at all."""
    return RULES[action].get(principal.role) if principal.role is not None else None


def allowed(principal: Principal, action: Action, organization_id: uuid.UUID | None = None) -> bool:
    """Whether ``principal`` may do ``action`` on a record of ``organization_id``."""
    scope = scope_of(principal, action)
    if scope is Scope.ANY:
        return True
    if scope is Scope.OWN_ORG:
        return organization_id is not None and organization_id == principal.organization_id
    return False


def check(
    principal: Principal,
    action: Action,
    organization_id: uuid.UUID | None = None,
    *,
    hide: bool = False,
) -> None:
    """Raise unless allowed: 401 for the anonymous, 403 otherwise, or 404 when ``hide`` is set
    because even a refusal would reveal that the record exists."""
    if allowed(principal, action, organization_id):
        return
    if hide:
        raise NotFound("No such resource")
    if not principal.authenticated:
        raise Unauthorized("Log in or send a bearer token")
    raise Forbidden(f"Your role may not {action.value.replace('_', ' ')} here")
