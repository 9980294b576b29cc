"""Which cases a principal reaches: a caseworker their caseload, a coordinator their organization
tree. Everything outside answers 404, so a refusal never confirms that a case exists."""

from __future__ import annotations

import uuid

from service.auth.models import Principal
from service.auth.permissions import Action, Scope, allowed, check, scope_of
from service.db import Connection
from service.reintegration import repo
from service.reintegration.repo import CaseFilter, CaseRow


async def tree_of(conn: Connection, principal: Principal) -> frozenset[uuid.UUID]:
    """The principal's organization and those under it (empty without an organization)."""
    if principal.organization_id is None:
        return frozenset()
    return await repo.organization_tree(conn, principal.organization_id)


def require_login(principal: Principal, action: Action) -> None:
    """401 for the anonymous before any record is looked up, so that a real id and a made-up one
    get the same answer."""
    if not principal.authenticated:
        check(principal, action)


async def case_for(
    conn: Connection, principal: Principal, survivor_id: uuid.UUID, action: Action, *, for_update: bool = False
) -> CaseRow:
    """The case, if ``principal`` may do ``action`` on it. 401 for the anonymous; 404 for a case
    the principal cannot see at all; 403 for one it sees but may not do this to."""
    require_login(principal, action)
    case = await repo.get_case(conn, survivor_id, for_update=for_update)
    uses_tree = Scope.ORG_TREE in (scope_of(principal, action), scope_of(principal, Action.VIEW_CASE))
    tree = await tree_of(conn, principal) if uses_tree else frozenset()
    assigned = case.assigned_caseworker_id
    visible = allowed(principal, Action.VIEW_CASE, case.organization_id, assigned_to=assigned, tree=tree)
    check(principal, action, case.organization_id, assigned_to=assigned, tree=tree, hide=not visible)
    return case


async def case_filter(conn: Connection, principal: Principal, action: Action = Action.VIEW_CASE) -> CaseFilter:
    """The cases a list may show this principal; 401/403 for roles with none."""
    scope = scope_of(principal, action)
    if scope is Scope.ASSIGNED:
        return CaseFilter(assigned_to=principal.user_id)
    if scope is Scope.ORG_TREE:
        return CaseFilter(organizations=await tree_of(conn, principal))
    if scope is Scope.ANY:
        return CaseFilter()
    check(principal, action)  # raises: this role has no cases at all
    raise AssertionError("unreachable")
