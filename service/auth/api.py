"""JSON controllers: bearer tokens, the current user, and user administration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service import audit
from service.auth import repo, token_admin, users
from service.auth.login import authenticate
from service.auth.models import (
    IssuedToken,
    Principal,
    TokenRequest,
    TokenUser,
    User,
    UserCreate,
    UserPatch,
)
from service.auth.permissions import Action, check, reads_survivor_data
from service.auth.principal import account_only
from service.auth.secrets import new_token, token_digest
from service.config import Settings
from service.db import Connection, transact
from service.errors import N_, FieldError, Unauthorized, ValidationFailed
from service.pagination import Page, PageParams


async def issue_token(
    pool: asyncpg.Pool,
    issuer: Principal,
    user: User,
    ttl: timedelta,
    label: str,
    *,
    reason: str = "",
    issued_with: str,
) -> IssuedToken:
    """A new bearer token for ``user``, audited in the same transaction: who issued it (``issuer``;
    the anonymous principal for the command line), for whom, its label, expiry and reason, and how
    (``issued_with``: "api login", "admin page", "cli"). A token for an account that reads survivor
    data (``reads_survivor_data``), issued by anyone but its owner, is refused without a reason."""
    reason = reason.strip()
    if issuer.user_id != user.id and reads_survivor_data(user.role) and not reason:
        raise ValidationFailed(
            N_("This token would let its holder read survivor data as its owner; give the reason"),
            errors=[FieldError(field="reason", message="required for a token of an account that reads survivor data")],
        )
    token = new_token()
    expires_at = datetime.now(UTC) + ttl

    async def insert(conn: Connection) -> None:
        token_id = await repo.insert_token(
            conn, user_id=user.id, digest=token_digest(token), expires_at=expires_at, label=label
        )
        details = {
            "for_user_id": str(user.id),
            "for_email": user.email,
            "for_role": user.role.value,
            "label": label,
            "expires_at": expires_at.isoformat(),
            "reason": reason,
            "issued_with": issued_with,
        }
        await audit.record(
            conn, issuer, "token.issue", "api_token", token_id, organization_id=user.organization_id, details=details
        )

    await transact(pool, insert)
    return IssuedToken(
        token=token,
        expires_at=expires_at,
        user=TokenUser(id=user.id, email=user.email, role=user.role, organization_id=user.organization_id),
    )


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/tokens", status_code=HTTP_201_CREATED, summary="Exchange email and password for a bearer token")
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TokenRequest],
        pool: NamedDependency[asyncpg.Pool],
        settings: NamedDependency[Settings],
    ) -> IssuedToken:
        client = request.client.host if request.client else "unknown"
        user = await authenticate(pool, data.email, data.password, client)
        # the user issues it to themselves: no session or token of theirs acted yet
        self_issued = Principal(user_id=user.id, role=user.role, organization_id=user.organization_id, email=user.email)
        ttl = timedelta(hours=settings.token_ttl_hours)
        return await issue_token(pool, self_issued, user, ttl, "api login", issued_with="api login")

    @delete(
        "/auth/tokens/current",
        status_code=HTTP_204_NO_CONTENT,
        summary="Revoke the token of this request",
        guards=[account_only],
    )
    async def revoke_current(self, principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool]) -> None:
        if principal.token_id is None or principal.user_id is None:
            raise Unauthorized("Send the bearer token to revoke")
        await transact(pool, token_admin.revoke_token_of, principal, principal.user_id, principal.token_id)

    @get("/me", summary="The current user", guards=[account_only])
    async def me(self, principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool]) -> User:
        if principal.user_id is None:
            raise Unauthorized("Log in or send a bearer token")
        async with pool.acquire() as conn:
            return await repo.get_user(conn, principal.user_id)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    guards = [account_only]

    @get("/", summary="List users (admin)")
    async def list_users(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        paging: NamedDependency[PageParams],
    ) -> Page[User]:
        check(principal, Action.MANAGE_USERS)
        async with pool.acquire() as conn:
            items, total = await repo.list_users(conn, limit=paging.per_page, offset=paging.offset)
        return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Create a user (admin); without a password they are mailed a 72-hour link to set one",
    )
    async def create_user(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        invite: NamedDependency[users.Invite],
        data: JSONBody[UserCreate],
    ) -> User:
        check(principal, Action.MANAGE_USERS)
        return await users.create_user(pool, principal, data, created_with="api", invite=invite)

    @get("/{user_id:uuid}", summary="One user (admin)")
    async def get_user(
        self, principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool], user_id: FromPath[uuid.UUID]
    ) -> User:
        check(principal, Action.MANAGE_USERS, hide=True)
        async with pool.acquire() as conn:
            return await repo.get_user(conn, user_id)

    @patch("/{user_id:uuid}", summary="Change a user (admin); deactivation or a new password revokes tokens")
    async def patch_user(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[UserPatch],
    ) -> User:
        check(principal, Action.MANAGE_USERS, hide=True)
        return await users.change_user(pool, principal, user_id, data)
