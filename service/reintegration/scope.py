"""Which cases a principal reaches: a caseworker their caseload, a coordinator their organization
tree. Everything outside answers 404, so a refusal never confirms that a case exists."""

from __future__ import annotations

import uuid

from service.auth.models import Principal
from service.auth.permissions import Action, Scope, allowed, check, organizations_for, scope_of
from service.db import Connection
from service.reintegration import case_repo
from service.reintegration.case_repo import CaseFilter, CaseRow


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
    case = await case_repo.get_case(conn, survivor_id, for_update=for_update)
    assigned = case.assigned_caseworker_id
    visible = allowed(principal, Action.VIEW_CASE, case.organization_id, assigned_to=assigned)
    check(principal, action, case.organization_id, assigned_to=assigned, hide=not visible)
    return case


def case_filter(principal: Principal, action: Action = Action.VIEW_CASE) -> CaseFilter:
    """The cases a list may show this principal; 401/403 for roles with none."""
    if scope_of(principal, action) is Scope.ASSIGNED:
        return CaseFilter(assigned_to=principal.user_id)
    organizations = organizations_for(principal, action)
    return CaseFilter() if organizations is None else CaseFilter(organizations=organizations)
