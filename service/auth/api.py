"""JSON controllers: bearer tokens, the current user, and user administration."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from service.auth import repo
from service.auth.login import authenticate
from service.auth.models import IssuedToken, Principal, TokenRequest, TokenUser, User, UserCreate, UserPatch
from service.auth.permissions import Action, check
from service.auth.secrets import hash_password, new_token, token_digest
from service.config import Settings
from service.db import transact
from service.errors import Unauthorized
from service.pagination import Page, PageParams


async def issue_token(pool: asyncpg.Pool, user: User, ttl: timedelta, label: str) -> IssuedToken:
    token = new_token()
    expires_at = datetime.now(UTC) + ttl
    await transact(
        pool, repo.insert_token, user_id=user.id, digest=token_digest(token), expires_at=expires_at, label=label
    )
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
        return await issue_token(pool, user, timedelta(hours=settings.token_ttl_hours), label="api login")

    @delete("/auth/tokens/current", status_code=HTTP_204_NO_CONTENT, summary="Revoke the token of this request")
    async def revoke_current(self, principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool]) -> None:
        if principal.token_id is None:
            raise Unauthorized("Send the bearer token to revoke")
        await transact(pool, repo.revoke_token, principal.token_id)

    @get("/me", summary="The current user")
    async def me(self, principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool]) -> User:
        if principal.user_id is None:
            raise Unauthorized("Log in or send a bearer token")
        async with pool.acquire() as conn:
            return await repo.get_user(conn, principal.user_id)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]

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

    @post("/", status_code=HTTP_201_CREATED, summary="Create a user (admin)")
    async def create_user(
        self, principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool], data: JSONBody[UserCreate]
    ) -> User:
        check(principal, Action.MANAGE_USERS)
        password_hash = await hash_password(data.password)
        return await transact(
            pool,
            repo.create_user,
            email=data.email,
            password_hash=password_hash,
            role=data.role,
            organization_id=data.organization_id,
            display_name=data.display_name,
            active=data.active,
        )

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
        changes = msgspec.structs.asdict(data)
        changes = {key: value for key, value in changes.items() if value is not msgspec.UNSET}
        if "password" in changes:
            changes["password_hash"] = await hash_password(changes.pop("password"))
        if not changes:
            async with pool.acquire() as conn:
                return await repo.get_user(conn, user_id)
        return await transact(pool, repo.update_user, user_id, changes)
