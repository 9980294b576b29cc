"""Browser sessions in PostgreSQL (so any replica serves any request): a random token in an
HttpOnly cookie, its SHA-256 in ``web_session``. Logging in always issues a new token."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from service import audit
from service.auth.models import ANONYMOUS, Principal
from service.auth.repo import PRINCIPAL_COLUMNS, principal_of
from service.db import Connection

COOKIE = "kn_session"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def start(conn: Connection, user_id: uuid.UUID, lifetime: timedelta, previous: str | None) -> str:
    """A fresh session for ``user_id``; the one the browser had before (if any) ends here. The
    sign-in is audited as the session itself, so the session id stamped on later entries leads back
    to it even after the session row is gone."""
    async with conn.transaction():
        if previous:
            await conn.execute("DELETE FROM web_session WHERE token_hash = $1", _digest(previous))
        await conn.execute("DELETE FROM web_session WHERE expires_at < now()")
        token = secrets.token_urlsafe(32)
        await conn.execute(
            "INSERT INTO web_session (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            _digest(token),
            user_id,
            datetime.now(UTC) + lifetime,
        )
        signed_in = await principal_for(conn, token)
        assert signed_in is not None, "a session just started belongs to an active user"
        await audit.record(conn, signed_in, "session.start", "app_user", user_id)
    return token


def cookie(token: str, hours: int) -> Cookie:
    """The cookie carrying a session's token, for ``hours`` (the session's lifetime)."""
    return Cookie(
        key=COOKIE,
        value=token,
        max_age=hours * 3600,
        httponly=True,
        secure=False,  # marked Secure by security_headers when the request came over HTTPS
        samesite="lax",
    )


async def end(conn: Connection, token: str | None) -> None:
    if token:
        await conn.execute("DELETE FROM web_session WHERE token_hash = $1", _digest(token))


async def principal_for(conn: Connection, token: str) -> Principal | None:
    row = await conn.fetchrow(
        f"SELECT s.id AS session_id, {PRINCIPAL_COLUMNS} FROM web_session s JOIN app_user u ON u.id = s.user_id"
        " WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active",
        _digest(token),
    )
    if row is None:
        return None
    return principal_of(row, session_id=row["session_id"])


async def principal_from_cookie(request: ASGIConnection[Any, Any, Any, Any], pool: asyncpg.Pool) -> Principal:
    """Pages act as the session's user; no cookie, or a stale one, is the public."""
    token = request.cookies.get(COOKIE)
    if not token:
        return ANONYMOUS
    async with pool.acquire() as conn:
        return await principal_for(conn, token) or ANONYMOUS
