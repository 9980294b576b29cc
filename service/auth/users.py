"""Creating and changing accounts: the one way the users API, the admin pages and ``ketnoi
create-user`` do it. Each is audited with what it set, in the same transaction: an account's role
and organization decide whose cases it reads, and a password set by someone else lets them sign in
as its owner."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from service import audit
from service.auth import repo
from service.auth.models import Principal, User, UserCreate, UserPatch
from service.auth.secrets import hash_password
from service.db import Connection, transact
from service.errors import FieldError, ValidationFailed
from service.fields import sent_fields

# Mails a new account without a password its set-password link, in the transaction that creates it
# (notify/invitations.py: auth sends no mail itself, so the caller hands it in).
Invite = Callable[[Connection, Principal, User], Awaitable[None]]


def _access(user: User) -> dict[str, Any]:
    """What of an account decides what it may read, and the work number partners call it on (a
    changed number would send their calls elsewhere), as the audit log keeps it."""
    return {
        "email": user.email,
        "role": user.role.value,
        "organization_id": str(user.organization_id) if user.organization_id else None,
        "active": user.active,
        "work_phone": user.work_phone,
    }


async def create_user(
    pool: asyncpg.Pool, actor: Principal, data: UserCreate, *, created_with: str, invite: Invite | None = None
) -> User:
    """A new account, audited with its role, organization and ``created_with`` (API, admin page,
    or the command line naming the operating-system user). Without a password it is created with
    none and ``invite`` mails its owner a link to set one, in the same transaction: an account
    nobody can ever reach is not created."""
    if data.password is None and invite is None:
        raise ValidationFailed("A password is required", errors=[FieldError(field="password", message="required")])
    # before the transaction: argon2 takes a while
    password_hash = await hash_password(data.password) if data.password is not None else None

    async def insert(conn: Connection) -> User:
        user = await repo.create_user(
            conn,
            email=data.email,
            password_hash=password_hash,
            role=data.role,
            organization_id=data.organization_id,
            display_name=data.display_name,
            active=data.active,
            work_phone=data.work_phone,
        )
        details = {**_access(user), "created_with": created_with, "invited": password_hash is None}
        await audit.record(
            conn, actor, "user.create", "app_user", user.id, organization_id=user.organization_id, details=details
        )
        if password_hash is None and invite is not None:
            await invite(conn, actor, user)
        return user

    return await transact(pool, insert)


async def change_user(pool: asyncpg.Pool, actor: Principal, user_id: uuid.UUID, patch: UserPatch) -> User:
    """Apply the fields ``patch`` carried, audited with the account's access before and after and
    whether a new password was set (never the password). A new password or a deactivation ends the
    user's sessions and tokens (``repo.update_user``)."""
    changes = sent_fields(patch)
    if "password" in changes:
        changes["password_hash"] = await hash_password(changes.pop("password"))

    async def update(conn: Connection) -> User:
        before = await repo.get_user(conn, user_id)
        if not changes:
            return before
        after = await repo.update_user(conn, user_id, changes)
        details = {"before": _access(before), "after": _access(after), "password_set": "password_hash" in changes}
        await audit.record(
            conn, actor, "user.change", "app_user", user_id, organization_id=after.organization_id, details=details
        )
        return after

    return await transact(pool, update)
