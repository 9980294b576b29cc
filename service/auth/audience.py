"""The users ``permissions.allowed`` lets do an action on a record, found in the database: the same
rules (``permissions.RULES``) read the other way round, so that whoever is told about a record is
exactly whoever may open it, and nobody outside that scope."""

from __future__ import annotations

import uuid

from service.auth.models import Role
from service.auth.permissions import RULES, Action, Scope
from service.db import Connection

# One branch per scope, each with the roles that have it for the action as a bind parameter, so
# each reads only its accounts through an index (by role, organization or id) instead of one
# OR-ed filter over every account. A record of an organization sits in the tree of a user of that
# organization or of any above it.
_ALLOWED = """
WITH RECURSIVE above AS (
    SELECT id, parent_id FROM organization WHERE id = $1
    UNION SELECT o.id, o.parent_id FROM organization o JOIN above a ON o.id = a.parent_id
)
SELECT u.id, u.role FROM app_user u WHERE u.active AND u.role = ANY($2::text[])
UNION
SELECT u.id, u.role FROM app_user u WHERE u.active AND u.role = ANY($3::text[]) AND u.organization_id = $1
UNION
SELECT u.id, u.role FROM app_user u JOIN above a ON u.organization_id = a.id
WHERE u.active AND u.role = ANY($4::text[])
UNION
SELECT u.id, u.role FROM app_user u WHERE u.active AND u.role = ANY($5::text[]) AND u.id = $6
"""


def roles_with(action: Action, scope: Scope) -> list[str]:
    """The roles that may do ``action`` with ``scope`` (a bind parameter of a query choosing users)."""
    return sorted(role.value for role, has in RULES[action].items() if has is scope)


async def users_allowed(
    conn: Connection,
    action: Action,
    organization_id: uuid.UUID | None,
    *,
    assigned_to: uuid.UUID | None = None,
) -> dict[uuid.UUID, Role]:
    """The active users who may do ``action`` on a record of ``organization_id`` (assigned to
    ``assigned_to``), with their roles: every ``u`` for which ``allowed(principal of u, action,
    organization_id, assigned_to=assigned_to)`` holds."""
    rows = await conn.fetch(
        _ALLOWED,
        organization_id,
        roles_with(action, Scope.ANY),
        roles_with(action, Scope.OWN_ORG),
        roles_with(action, Scope.ORG_TREE),
        roles_with(action, Scope.ASSIGNED),
        assigned_to,
    )
    return {row["id"]: Role(row["role"]) for row in rows}
