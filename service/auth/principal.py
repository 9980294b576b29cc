"""Resolving the principal of a request from its bearer token."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Request

from service.auth import repo
from service.auth.models import ANONYMOUS, Principal
from service.auth.secrets import token_digest
from service.errors import Unauthorized


async def principal_from_request(request: Request[Any, Any, Any], pool: asyncpg.Pool) -> Principal:
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
