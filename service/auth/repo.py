"""SQL for users, bearer tokens and the login throttle."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from service.auth.models import Principal, Role, User
from service.auth.permissions import RULES, Scope
from service.db import Connection, assignments, update_sql
from service.errors import Conflict, FieldError, NotFound, ValidationFailed

_USER_COLUMNS = "id, email, role, organization_id, display_name, active, created_at, updated_at, work_phone"
_USER_BY_ID = f"SELECT {_USER_COLUMNS} FROM app_user WHERE id = $1"
# Columns a PATCH may set: the only names that ever reach the SQL text.
_USER_PATCHABLE = ("email", "password_hash", "role", "organization_id", "display_name", "active", "work_phone")


def _translate(exc: asyncpg.IntegrityConstraintViolationError) -> Exception:
    constraint = getattr(exc, "constraint_name", None)
    if constraint == "app_user_email_key":
        return Conflict("A user with this email already exists")
    if constraint == "app_user_org_required":
        return ValidationFailed(
            "This role belongs to an organization",
            errors=[FieldError(field="organization_id", message="required for partners, caseworkers, coordinators")],
        )
    if constraint == "app_user_work_phone_shape":
        return ValidationFailed(
            "Not a phone number", errors=[FieldError(field="work_phone", message="not a phone number")]
        )
    if constraint == "app_user_organization_id_fkey":
        return ValidationFailed(
            "Unknown organization", errors=[FieldError(field="organization_id", message="no such organization")]
        )
    return exc


async def create_user(
    conn: Connection,
    *,
    email: str,
    password_hash: str | None,
    role: Role,
    organization_id: uuid.UUID | None,
    display_name: str,
    active: bool = True,
    work_phone: str | None = None,
) -> User:
    try:
        row = await conn.fetchrow(
            "INSERT INTO app_user (id, email, password_hash, role, organization_id, display_name, active, work_phone)"
            f" VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_USER_COLUMNS}",
            uuid.uuid4(),
            email,
            password_hash,
            role.value,
            organization_id,
            display_name,
            active,
            work_phone,
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise _translate(exc) from exc
    return msgspec.convert(row, User, from_attributes=True)


async def get_user(conn: Connection, user_id: uuid.UUID) -> User:
    row = await conn.fetchrow(_USER_BY_ID, user_id)
    if row is None:
        raise NotFound("No such user")
    return msgspec.convert(row, User, from_attributes=True)


async def list_users(conn: Connection, *, limit: int, offset: int) -> tuple[list[User], int]:
    rows = await conn.fetch(
        f"SELECT {_USER_COLUMNS}, count(*) OVER () AS total FROM app_user ORDER BY lower(email) LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    total = rows[0]["total"] if rows else await conn.fetchval("SELECT count(*) FROM app_user")
    return [msgspec.convert(r, User, from_attributes=True) for r in rows], total


async def user_in_organization(conn: Connection, user_id: uuid.UUID, organizations: frozenset[uuid.UUID]) -> str | None:
    """The role of an active user belonging to one of ``organizations``, or None."""
    role: str | None = await conn.fetchval(
        "SELECT role FROM app_user WHERE id = $1 AND active AND organization_id = ANY($2::uuid[])",
        user_id,
        list(organizations),
    )
    return role


async def update_user(conn: Connection, user_id: uuid.UUID, changes: Mapping[str, Any]) -> User:
    args: list[Any] = [user_id]
    sets = [*assignments(_USER_PATCHABLE, changes, args), "updated_at = now()"]
    try:
        row = await conn.fetchrow(update_sql("app_user", sets, "id = $1", returning=_USER_COLUMNS), *args)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise _translate(exc) from exc
    if row is None:
        raise NotFound("No such user")
    if changes.get("active") is False or "password_hash" in changes:
        await revoke_user_access(conn, user_id)
    return msgspec.convert(row, User, from_attributes=True)


async def set_locale(conn: Connection, user_id: uuid.UUID, locale: str) -> None:
    """The language the user's mail is written in: the one they last chose on the pages."""
    await conn.execute("UPDATE app_user SET locale = $2 WHERE id = $1 AND locale <> $2", user_id, locale)


async def credentials(conn: Connection, email: str) -> tuple[User, str | None] | None:
    """The user with this address and their password hash (None: invited, no password set yet)."""
    row = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS}, password_hash FROM app_user WHERE lower(email) = lower($1)", email
    )
    if row is None:
        return None
    return msgspec.convert(row, User, from_attributes=True), row["password_hash"]


async def insert_token(
    conn: Connection, *, user_id: uuid.UUID, digest: bytes, expires_at: datetime, label: str
) -> uuid.UUID:
    token_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO api_token (id, user_id, token_hash, expires_at, label) VALUES ($1, $2, $3, $4, $5)",
        token_id,
        user_id,
        digest,
        expires_at,
        label,
    )
    return token_id


# What a principal is made of, read from ``app_user u`` in the query that finds the user: the
# organization tree comes in the same round trip, so every request sees the tree as it stands.
# Every authenticated request resolves its principal: only the roles whose powers reach a tree
# (coordinators) pay for walking it. Role names are the enum's own, never input.
_TREE_ROLES = ", ".join(
    sorted({f"'{role.value}'" for rule in RULES.values() for role, scope in rule.items() if scope is Scope.ORG_TREE})
)
PRINCIPAL_COLUMNS = (
    "u.id AS user_id, u.role, u.organization_id, u.email,"
    f" CASE WHEN u.role IN ({_TREE_ROLES}) THEN"
    " ARRAY(WITH RECURSIVE tree AS (SELECT id FROM organization WHERE id = u.organization_id"
    " UNION SELECT o.id FROM organization o JOIN tree t ON o.parent_id = t.id) SELECT id FROM tree)"
    " ELSE '{}'::uuid[] END AS tree"
)


def principal_of(row: asyncpg.Record, **extra: Any) -> Principal:
    """The principal of a row selected with ``PRINCIPAL_COLUMNS`` (``extra``: how it signed in)."""
    return Principal(
        user_id=row["user_id"],
        role=Role(row["role"]),
        organization_id=row["organization_id"],
        email=row["email"],
        tree=frozenset(row["tree"]),
        **extra,
    )


async def principal_for_user(conn: Connection, user_id: uuid.UUID) -> Principal:
    """An active user as a principal, for work done outside a request (demo data, commands)."""
    row = await conn.fetchrow(f"SELECT {PRINCIPAL_COLUMNS} FROM app_user u WHERE u.id = $1 AND u.active", user_id)
    if row is None:
        raise NotFound("No such active user")
    return principal_of(row)


async def principal_for_token(conn: Connection, digest: bytes) -> Principal | None:
    """The active user behind a live token, touching ``last_used_at`` at most every ten minutes."""
    row = await conn.fetchrow(
        "SELECT t.id AS token_id, t.last_used_at < now() - interval '10 minutes' AS touch,"
        f" {PRINCIPAL_COLUMNS}"
        " FROM api_token t JOIN app_user u ON u.id = t.user_id"
        " WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.active",
        digest,
    )
    if row is None:
        return None
    if row["touch"] is not False:
        await conn.execute("UPDATE api_token SET last_used_at = now() WHERE id = $1", row["token_id"])
    return principal_of(row, token_id=row["token_id"])


async def revoke_user_access(conn: Connection, user_id: uuid.UUID) -> None:
    """Sign the user out everywhere: bearer tokens revoked, browser sessions ended (a session taken
    before a new password was set must not outlive it), open set-password links ended."""
    await conn.execute("UPDATE api_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", user_id)
    await conn.execute("DELETE FROM web_session WHERE user_id = $1", user_id)
    await end_set_password_links(conn, user_id)


async def end_set_password_links(conn: Connection, user_id: uuid.UUID) -> None:
    """End the user's open set-password links (auth/set_password.py): only the newest may work."""
    await conn.execute(
        "UPDATE set_password_link SET ended_at = now() WHERE user_id = $1 AND used_at IS NULL AND ended_at IS NULL",
        user_id,
    )
