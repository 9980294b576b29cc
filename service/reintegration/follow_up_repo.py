"""SQL for follow-ups: the scored visits of a case and a coordinator's contact override."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from service.db import Connection, sql_value


async def insert_follow_up(conn: Connection, fields: Mapping[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO follow_up (id, survivor_id, date, method, notes_enc, indicators, economic, social, psychosocial,"
        " composite, scoring_version, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        fields["id"],
        fields["survivor_id"],
        fields["date"],
        sql_value(fields["method"]),
        fields["notes_enc"],
        dict(fields["indicators"]),
        fields["economic"],
        fields["social"],
        fields["psychosocial"],
        fields["composite"],
        fields["scoring_version"],
        fields["recorded_by"],
    )


async def set_contact_override(
    conn: Connection, follow_up_id: uuid.UUID, coordinator_id: uuid.UUID | None, reason_enc: bytes | None
) -> None:
    await conn.execute(
        "UPDATE follow_up SET contact_override_by = $2, contact_override_reason_enc = $3 WHERE id = $1",
        follow_up_id,
        coordinator_id,
        reason_enc,
    )


async def list_follow_ups(conn: Connection, survivor_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch("SELECT * FROM follow_up WHERE survivor_id = $1 ORDER BY date, created_at", survivor_id)
    )
