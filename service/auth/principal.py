"""Resolving the principal of a request from its bearer token, once per request, and the guard of
the operations only an account may call."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from service.auth import repo
from service.auth.models import ANONYMOUS, Principal
from service.auth.secrets import token_digest
from service.errors import Unauthorized


async def principal_from_request(request: ASGIConnection[Any, Any, Any, Any], pool: asyncpg.Pool) -> Principal:
    """Who sent ``request``, looked up once: ``account_only`` and the ``principal`` dependency both ask."""
    known: Principal | None = request.state.get("api_principal")
    if known is None:
        known = await _resolve(request, pool)
        request.state["api_principal"] = known
    return known


async def account_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The guard of an operation only an account may call: the anonymous get 401 before anything of
    the request (body, parameters, headers such as If-Match) is read, so a client learns first that
    it must log in. ``service.api_contract`` declares the bearer requirement of every operation
    this guards."""
    # Litestar's automatic OPTIONS answer inherits the guards of the handler it was made for
    if connection.scope.get("method") == "OPTIONS":
        return
    principal = await principal_from_request(connection, connection.app.state.pool)
    if not principal.authenticated:
        raise Unauthorized("Log in or send a bearer token")


async def _resolve(request: ASGIConnection[Any, Any, Any, Any], pool: asyncpg.Pool) -> Principal:
    """No ``Authorization`` header means the public; a bad or expired token is a 401, never a
    silent downgrade to public."""
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'")
    async with pool.acquire() as conn:
        principal = await repo.principal_for_token(conn, token_digest(token.strip()))
    if principal is None:
        raise Unauthorized("The token is unknown, expired or revoked")
    return principal
