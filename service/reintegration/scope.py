"""Which cases a principal reaches: a caseworker their caseload, a coordinator their organization
tree. Everything outside answers 404, so a refusal never confirms that a case exists. Also what is
said once for every record of a case: finding its case, one of a case's records by id, and the audit
entry of what was done to it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import asyncpg

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action, Scope, allowed, check, organizations_for, scope_of
from service.db import Connection
from service.errors import NotFound
from service.idempotency import Identified
from service.reintegration import case_repo
from service.reintegration.case_repo import CaseFilter, CaseRow

T = TypeVar("T", bound=Identified)


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


async def row_and_case(
    conn: Connection, principal: Principal, action: Action, fetch: Callable[[], Awaitable[asyncpg.Record]]
) -> tuple[asyncpg.Record, CaseRow]:
    """A record of a case (fetched only once the principal is known, as in ``case_for``) and its
    case, if ``principal`` may do ``action`` on that case."""
    require_login(principal, action)
    row = await fetch()
    return row, await case_for(conn, principal, row["survivor_id"], action)


def one_of(records: Iterable[T], record_id: uuid.UUID, missing: str) -> T:
    """The record with this id among a case's ``records`` (as its list shows them); 404 otherwise."""
    for record in records:
        if record.id == record_id:
            return record
    raise NotFound(missing)


async def audit_case(
    conn: Connection,
    principal: Principal,
    case: CaseRow,
    action: str,
    entity: str,
    entity_id: uuid.UUID | None,
    *,
    details: dict[str, Any] | None = None,
) -> None:
    """The audit entry of ``action`` on a record of ``case``, filed under the case and its organization."""
    await audit.record(
        conn,
        principal,
        action,
        entity,
        entity_id,
        survivor_id=case.id,
        organization_id=case.organization_id,
        details=details,
    )


def case_filter(principal: Principal, action: Action = Action.VIEW_CASE) -> CaseFilter:
    """The cases a list may show this principal; 401/403 for roles with none."""
    if scope_of(principal, action) is Scope.ASSIGNED:
        return CaseFilter(assigned_to=principal.user_id)
    organizations = organizations_for(principal, action)
    return CaseFilter() if organizations is None else CaseFilter(organizations=organizations)
