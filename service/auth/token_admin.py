"""A user's bearer tokens as an administrator sees them: list them (never their hash) and revoke
one, audited (a user revoking their own token goes through the same). Issuing stays in
``service.auth.api.issue_token``."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from service import audit
from service.auth.models import Principal
from service.db import Connection


class TokenInfo(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    live: bool


async def list_tokens(conn: Connection, user_id: uuid.UUID, limit: int = 100) -> list[TokenInfo]:
    """The user's tokens, newest first; ``live`` when neither revoked nor expired."""
    rows = await conn.fetch(
        "SELECT id, label, created_at, expires_at, revoked_at, last_used_at,"
        " (revoked_at IS NULL AND expires_at > now()) AS live"
        " FROM api_token WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2",
        user_id,
        limit,
    )
    return [msgspec.convert(row, TokenInfo, from_attributes=True) for row in rows]


async def revoke_token_of(conn: Connection, principal: Principal, user_id: uuid.UUID, token_id: uuid.UUID) -> bool:
    """Revoke one token of ``user_id`` and audit it; False when the user has no such live token.
    The user id is part of the match so a token id pasted into another user's page changes nothing."""
    status = await conn.execute(
        "UPDATE api_token SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        token_id,
        user_id,
    )
    revoked = status.endswith(" 1")
    if revoked:
        await audit.record(conn, principal, "token.revoke", "api_token", token_id, details={"for_user_id": user_id})
    return revoked
