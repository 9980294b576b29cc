"""SQL for reintegration plans (numbered per case, one current) and their milestones."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from service.db import Connection, assignments, sql_value, update_sql
from service.errors import FieldError, NotFound, ValidationFailed

MILESTONE_COLUMNS = ("status", "title_enc", "target_date", "responsible_organization_id", "note_enc")


async def insert_plan(
    conn: Connection, plan_id: uuid.UUID, survivor_id: uuid.UUID, notes_enc: bytes | None, created_by: uuid.UUID | None
) -> None:
    await conn.execute("UPDATE plan SET is_current = false WHERE survivor_id = $1 AND is_current", survivor_id)
    await conn.execute(
        "INSERT INTO plan (id, survivor_id, number, notes_enc, created_by)"
        " VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM plan WHERE survivor_id = $2), $3, $4)",
        plan_id,
        survivor_id,
        notes_enc,
        created_by,
    )


async def get_plan(conn: Connection, plan_id: uuid.UUID, *, for_update: bool = False) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM plan WHERE id = $1" + (" FOR UPDATE" if for_update else ""), plan_id)
    if row is None:
        raise NotFound("No such plan")
    return row


async def plans_of(conn: Connection, survivor_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM plan WHERE survivor_id = $1 ORDER BY number", survivor_id))


async def current_plan(conn: Connection, survivor_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM plan WHERE survivor_id = $1 AND is_current", survivor_id
    )
    return row


async def update_plan(conn: Connection, plan_id: uuid.UUID, changes: Mapping[str, Any]) -> None:
    allowed = (
        "status",
        "survivor_agreed_at",
        "agreement_method",
        "submitted_at",
        "approved_at",
        "approved_by",
        "review_note_enc",
    )
    args: list[Any] = [plan_id]
    sets = [*assignments(allowed, changes, args), "version = version + 1", "updated_at = now()"]
    await conn.execute(update_sql("plan", sets, "id = $1"), *args)


async def insert_milestone(conn: Connection, plan_id: uuid.UUID, fields: Mapping[str, Any]) -> None:
    try:
        await conn.execute(
            "INSERT INTO milestone (id, plan_id, domain, title_enc, target_date, responsible_organization_id,"
            " entitlement) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            fields["id"],
            plan_id,
            sql_value(fields["domain"]),
            fields["title_enc"],
            fields.get("target_date"),
            fields.get("responsible_organization_id"),
            fields.get("entitlement"),
        )
    except asyncpg.ForeignKeyViolationError as exc:
        raise ValidationFailed(
            "Unknown organization",
            errors=[FieldError(field="responsible_organization_id", message="no such organization")],
        ) from exc


async def milestones(conn: Connection, plan_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT * FROM milestone WHERE plan_id = ANY($1::uuid[]) ORDER BY target_date NULLS LAST, created_at",
            list(plan_ids),
        )
    )


async def get_milestone(conn: Connection, milestone_id: uuid.UUID, *, for_update: bool = False) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT m.*, p.survivor_id, p.status AS plan_status FROM milestone m JOIN plan p ON p.id = m.plan_id"
        " WHERE m.id = $1" + (" FOR UPDATE OF m" if for_update else ""),
        milestone_id,
    )
    if row is None:
        raise NotFound("No such milestone")
    return row


async def update_milestone(conn: Connection, milestone_id: uuid.UUID, changes: Mapping[str, Any]) -> None:
    args: list[Any] = [milestone_id]
    sets = [*assignments(MILESTONE_COLUMNS, changes, args), "updated_at = now()"]
    try:
        await conn.execute(update_sql("milestone", sets, "id = $1"), *args)
    except asyncpg.ForeignKeyViolationError as exc:
        raise ValidationFailed(
            "Unknown organization",
            errors=[FieldError(field="responsible_organization_id", message="no such organization")],
        ) from exc
