"""SQL for follow-ups: the scored visits of a case and a coordinator's contact override."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from service.db import Connection, insert_sql, sql_value

# the columns a new follow-up writes: never the plain notes the request carried
_INSERTED = (
    "id",
    "survivor_id",
    "date",
    "method",
    "notes_enc",
    "indicators",
    "economic",
    "social",
    "psychosocial",
    "composite",
    "scoring_version",
    "recorded_by",
    "next_date",
)


async def insert_follow_up(conn: Connection, fields: Mapping[str, Any]) -> None:
    await conn.execute(insert_sql("follow_up", _INSERTED), *(sql_value(fields[c]) for c in _INSERTED))


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
