"""Who may do what (DESIGN.md §4), as data, and the one check every controller calls."""

from __future__ import annotations

import enum
import uuid

from service.auth.models import Principal, Role
from service.errors import Forbidden, NotFound, Unauthorized


class Scope(enum.Enum):
    ANY = "any"  # every record
    OWN_ORG = "own_org"  # records of the principal's own organization
    ORG_TREE = "org_tree"  # records of the principal's organization and those under it
    ASSIGNED = "assigned"  # records assigned to the principal (a caseworker's caseload)


class Action(enum.StrEnum):
    VIEW_RESTRICTED_LISTING = "view_restricted_listing"  # staff-only listings, confidential addresses
    EDIT_LISTING = "edit_listing"
    VIEW_REVISIONS = "view_revisions"
    VERIFY_LISTING = "verify_listing"
    CREATE_ORGANIZATION = "create_organization"
    EDIT_ORGANIZATION = "edit_organization"
    RESTRUCTURE_ORGANIZATION = "restructure_organization"  # kind and parent: who sits under whom
    MANAGE_USERS = "manage_users"
    CREATE_CASE = "create_case"
    VIEW_CASE = "view_case"  # and everything recorded in it: consents, plans, follow-ups
    EDIT_CASE = "edit_case"
    REFER = "refer"
    APPROVE_PLAN = "approve_plan"
    EMERGENCY_OVERRIDE = "emergency_override"  # refer without consent, with a reason
    DEIDENTIFY_CASE = "deidentify_case"
    RESPOND_TO_REFERRAL = "respond_to_referral"  # the receiving side's transitions and view
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_AUDIT = "view_audit"


RULES: dict[Action, dict[Role, Scope]] = {
    Action.VIEW_RESTRICTED_LISTING: {
        Role.PARTNER: Scope.OWN_ORG,
        Role.CASEWORKER: Scope.ANY,
        Role.COORDINATOR: Scope.ANY,
        Role.ADMIN: Scope.ANY,
    },
    # a coordinator's powers end at their organization tree: listings, verification, organizations
    Action.EDIT_LISTING: {Role.PARTNER: Scope.OWN_ORG, Role.COORDINATOR: Scope.ORG_TREE, Role.ADMIN: Scope.ANY},
    Action.VIEW_REVISIONS: {
        Role.PARTNER: Scope.OWN_ORG,
        Role.CASEWORKER: Scope.ANY,
        Role.COORDINATOR: Scope.ANY,
        Role.ADMIN: Scope.ANY,
    },
    Action.VERIFY_LISTING: {Role.COORDINATOR: Scope.ORG_TREE, Role.ADMIN: Scope.ANY},
    Action.CREATE_ORGANIZATION: {Role.COORDINATOR: Scope.ORG_TREE, Role.ADMIN: Scope.ANY},  # checked on the new parent
    Action.EDIT_ORGANIZATION: {Role.PARTNER: Scope.OWN_ORG, Role.COORDINATOR: Scope.ORG_TREE, Role.ADMIN: Scope.ANY},
    # checked on the organization and on its new parent: a move needs both ends in the tree
    Action.RESTRUCTURE_ORGANIZATION: {Role.COORDINATOR: Scope.ORG_TREE, Role.ADMIN: Scope.ANY},
    Action.MANAGE_USERS: {Role.ADMIN: Scope.ANY},
    # survivor data: caseworkers their caseload, coordinators their organization tree, nobody else
    Action.CREATE_CASE: {Role.CASEWORKER: Scope.OWN_ORG, Role.COORDINATOR: Scope.OWN_ORG},
    Action.VIEW_CASE: {Role.CASEWORKER: Scope.ASSIGNED, Role.COORDINATOR: Scope.ORG_TREE},
    Action.EDIT_CASE: {Role.CASEWORKER: Scope.ASSIGNED, Role.COORDINATOR: Scope.ORG_TREE},
    Action.REFER: {Role.CASEWORKER: Scope.ASSIGNED, Role.COORDINATOR: Scope.ORG_TREE},
    Action.APPROVE_PLAN: {Role.COORDINATOR: Scope.ORG_TREE},
    Action.EMERGENCY_OVERRIDE: {Role.COORDINATOR: Scope.ORG_TREE},
    Action.DEIDENTIFY_CASE: {Role.COORDINATOR: Scope.ORG_TREE},
    Action.RESPOND_TO_REFERRAL: {Role.PARTNER: Scope.OWN_ORG},
    Action.VIEW_DASHBOARD: {
        Role.PARTNER: Scope.OWN_ORG,
        Role.CASEWORKER: Scope.ASSIGNED,
        Role.COORDINATOR: Scope.ORG_TREE,
    },
    Action.VIEW_AUDIT: {Role.COORDINATOR: Scope.ORG_TREE, Role.ADMIN: Scope.ANY},
}


def reads_survivor_data(role: Role) -> bool:
    """Whether ``role`` reads anything of a survivor: cases, or the referral summaries addressed to
    its organization. A token for such an account, minted by someone else, lets its holder read
    that as its owner."""
    return any(role in RULES[action] for action in (Action.VIEW_CASE, Action.RESPOND_TO_REFERRAL))


def scope_of(principal: Principal, action: Action) -> Scope | None:
    """How far ``principal`` may do ``action``: everywhere, in its own organization, or not at all."""
    return RULES[action].get(principal.role) if principal.role is not None else None


def organizations_for(principal: Principal, action: Action) -> frozenset[uuid.UUID] | None:
    """The organizations whose records ``principal`` may do ``action`` on, for a list to show:
    None for all of them; 401/403 for a role that may do it nowhere (or only on assigned records,
    which a list narrows by assignee instead)."""
    scope = scope_of(principal, action)
    if scope is Scope.ANY:
        return None
    if scope is Scope.ORG_TREE:
        return principal.tree
    if scope is Scope.OWN_ORG and principal.organization_id is not None:
        return frozenset({principal.organization_id})
    check(principal, action)  # raises: no organization's records at all
    raise AssertionError("unreachable")


def allowed(
    principal: Principal,
    action: Action,
    organization_id: uuid.UUID | None = None,
    *,
    assigned_to: uuid.UUID | None = None,
) -> bool:
    """Whether ``principal`` may do ``action`` on a record of ``organization_id`` (assigned to
    ``assigned_to``)."""
    scope = scope_of(principal, action)
    if scope is Scope.ANY:
        return True
    if scope is Scope.OWN_ORG:
        return organization_id is not None and organization_id == principal.organization_id
    if scope is Scope.ORG_TREE:
        return organization_id is not None and organization_id in principal.tree
    if scope is Scope.ASSIGNED:
        return assigned_to is not None and assigned_to == principal.user_id
    return False


def check(
    principal: Principal,
    action: Action,
    organization_id: uuid.UUID | None = None,
    *,
    assigned_to: uuid.UUID | None = None,
    hide: bool = False,
) -> None:
    """Raise unless allowed: 401 for the anonymous, 403 otherwise, or 404 when ``hide`` is set
    because even a refusal would reveal that the record exists."""
    if allowed(principal, action, organization_id, assigned_to=assigned_to):
        return
    if hide:
        raise NotFound("No such resource")
    if not principal.authenticated:
        raise Unauthorized("Log in or send a bearer token")
    raise Forbidden(f"Your role may not {action.value.replace('_', ' ')} here")
