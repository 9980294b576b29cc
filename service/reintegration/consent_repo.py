"""SQL for a survivor's consents: recording and withdrawing them, and the live consents that let a
referral go to an organization or a follow-up contact the survivor."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from service.db import Connection, insert_sql, sql_value
from service.errors import NotFound

_CONSENT_COLUMNS = (
    "id, survivor_id, purpose, organization_id, method, evidence_enc, granted_at, expires_at, withdrawn_at"
)
_CONSENT_BY_ID = f"SELECT {_CONSENT_COLUMNS} FROM consent WHERE id = $1"


# the columns a new consent writes: never the plain evidence the request carried
_INSERTED = ("id", "survivor_id", "purpose", "organization_id", "method", "evidence_enc", "expires_at", "recorded_by")


async def insert_consent(conn: Connection, fields: Mapping[str, Any]) -> asyncpg.Record:
    row = await conn.fetchrow(
        insert_sql("consent", _INSERTED, returning=_CONSENT_COLUMNS), *(sql_value(fields[c]) for c in _INSERTED)
    )
    assert row is not None
    return row


async def list_consents(conn: Connection, survivor_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"SELECT {_CONSENT_COLUMNS} FROM consent WHERE survivor_id = $1 ORDER BY granted_at DESC", survivor_id
        )
    )


async def get_consent(conn: Connection, consent_id: uuid.UUID) -> asyncpg.Record:
    row = await conn.fetchrow(_CONSENT_BY_ID, consent_id)
    if row is None:
        raise NotFound("No such consent")
    return row


async def withdraw_consent(conn: Connection, consent_id: uuid.UUID, user_id: uuid.UUID | None) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE consent SET withdrawn_at = coalesce(withdrawn_at, now()), withdrawn_by = coalesce(withdrawn_by, $2)"
        f" WHERE id = $1 RETURNING {_CONSENT_COLUMNS}",
        consent_id,
        user_id,
    )
    assert row is not None
    return row


async def live_referral_consent(
    conn: Connection, survivor_id: uuid.UUID, organization_id: uuid.UUID
) -> uuid.UUID | None:
    """A live referral consent covering this organization, locked against withdrawal until commit:
    a withdrawal racing this transaction waits for it, or wins and is seen here."""
    consent_id: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM consent WHERE survivor_id = $1 AND purpose = 'referral'"
        " AND (organization_id = $2 OR organization_id IS NULL)"
        " AND withdrawn_at IS NULL AND (expires_at IS NULL OR expires_at > now())"
        " ORDER BY organization_id NULLS LAST, granted_at DESC LIMIT 1 FOR SHARE",
        survivor_id,
        organization_id,
    )
    return consent_id


async def organizations_with_consent(conn: Connection, survivor_id: uuid.UUID) -> tuple[bool, set[uuid.UUID]]:
    """(every partner covered, the organizations covered by name) by live referral consents."""
    rows = await conn.fetch(
        "SELECT organization_id FROM consent WHERE survivor_id = $1 AND purpose = 'referral'"
        " AND withdrawn_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
        survivor_id,
    )
    named = {row["organization_id"] for row in rows if row["organization_id"] is not None}
    return any(row["organization_id"] is None for row in rows), named


async def live_follow_up_consent(conn: Connection, survivor_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    """Whether a live follow-up consent lets ``organization_id`` contact the survivor, locked against
    withdrawal until commit (as ``live_referral_consent``)."""
    consent_id = await conn.fetchval(
        "SELECT id FROM consent WHERE survivor_id = $1 AND purpose = 'follow_up_contact'"
        " AND (organization_id = $2 OR organization_id IS NULL)"
        " AND withdrawn_at IS NULL AND (expires_at IS NULL OR expires_at > now()) LIMIT 1 FOR SHARE",
        survivor_id,
        organization_id,
    )
    return consent_id is not None
