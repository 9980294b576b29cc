"""SQL for referrals and their history: the row each side reads (with whether sharing is still
live, worked out at read time), its events, and the filtered lists of an inbox or a caseload."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec

from service.db import Connection, assignments, insert_sql, sql_value, update_sql
from service.errors import NotFound
from service.reintegration.case_repo import CaseFilter, case_where
from service.reintegration.workflow import EXPIRED_SQL

# Whether the receiving partner may still see and act on referral ``r``, worked out at every read:
# a live referral consent covers its receiver, or it went under a coordinator's emergency override
# and the survivor has not since withdrawn a consent covering that receiver (she has spoken).
_COVERS_RECEIVER = (
    "c.survivor_id = r.survivor_id AND c.purpose = 'referral'"
    " AND (c.organization_id = r.receiving_organization_id OR c.organization_id IS NULL)"
)
SHARING_LIVE = (
    f"(EXISTS (SELECT 1 FROM consent c WHERE {_COVERS_RECEIVER} AND c.withdrawn_at IS NULL"
    " AND (c.expires_at IS NULL OR c.expires_at > now()))"
    " OR (r.emergency_approved_by IS NOT NULL"
    f" AND NOT EXISTS (SELECT 1 FROM consent c WHERE {_COVERS_RECEIVER} AND c.withdrawn_at >= r.created_at)))"
)
_REFERRAL_SELECT = (
    f"SELECT r.*, s.case_code, s.assigned_caseworker_id, s.organization_id AS case_organization_id,"
    f" {SHARING_LIVE} AS sharing_live FROM referral r JOIN survivor s ON s.id = r.survivor_id"
)


async def insert_referral(conn: Connection, referral_id: uuid.UUID, fields: Mapping[str, Any]) -> None:
    names = list(fields)
    args = [referral_id, *(sql_value(fields[name]) for name in names)]
    await conn.execute(insert_sql("referral", ["id", *names]), *args)


async def get_referral(conn: Connection, referral_id: uuid.UUID, *, for_update: bool = False) -> asyncpg.Record:
    row = await conn.fetchrow(
        _REFERRAL_SELECT + " WHERE r.id = $1" + (" FOR UPDATE OF r" if for_update else ""), referral_id
    )
    if row is None:
        raise NotFound("No such referral")
    return row


async def update_referral(conn: Connection, referral_id: uuid.UUID, changes: Mapping[str, Any]) -> None:
    allowed = ("status", "reason_code", "responded_at", "completed_at")
    args: list[Any] = [referral_id]
    sets = [*assignments(allowed, changes, args), "updated_at = now()"]
    await conn.execute(update_sql("referral", sets, "id = $1"), *args)


async def next_referral_event_id(conn: Connection) -> int:
    """The id the next event will have: a note is sealed to its event before the event is written."""
    return int(await conn.fetchval("SELECT nextval(pg_get_serial_sequence('referral_event', 'id'))"))


async def insert_referral_event(conn: Connection, referral_id: uuid.UUID, event: Mapping[str, Any]) -> None:
    """An event; with a note, ``event`` holds its ``id`` (``next_referral_event_id``) and ``note_enc``."""
    await conn.execute(
        "INSERT INTO referral_event (id, referral_id, from_status, to_status, actor_id, reason_code, note_enc)"
        " OVERRIDING SYSTEM VALUE"
        " VALUES (coalesce($1, nextval(pg_get_serial_sequence('referral_event', 'id'))), $2, $3, $4, $5, $6, $7)",
        event.get("id"),
        referral_id,
        sql_value(event.get("from_status")),
        sql_value(event["to_status"]),
        event.get("actor_id"),
        event.get("reason_code"),
        event.get("note_enc"),
    )


async def referral_events(conn: Connection, referral_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "SELECT * FROM referral_event WHERE referral_id = ANY($1::uuid[]) ORDER BY id", list(referral_ids)
        )
    )


async def referrals_losing_consent(
    conn: Connection, consent_id: uuid.UUID, open_states: frozenset[str]
) -> list[asyncpg.Record]:
    """After ``consent_id`` was withdrawn: the open referrals of its case to an organization it
    covered that nothing lets the receiver see any more, locked for the caller to end."""
    return list(
        await conn.fetch(
            "SELECT r.id, r.status, r.due_at FROM referral r JOIN consent w ON w.id = $1"
            " WHERE r.survivor_id = w.survivor_id AND w.purpose = 'referral'"
            " AND (w.organization_id IS NULL OR w.organization_id = r.receiving_organization_id)"
            f" AND r.status = ANY($2::text[]) AND NOT {SHARING_LIVE} ORDER BY r.created_at, r.id FOR UPDATE OF r",
            consent_id,
            list(open_states),
        )
    )


class ReferralFilter(msgspec.Struct, frozen=True, kw_only=True):
    receiving_organization: uuid.UUID | None = None
    cases: CaseFilter | None = None
    survivor_id: uuid.UUID | None = None
    statuses: tuple[str, ...] = ()
    overdue: bool | None = None


async def count_awaiting_answer(conn: Connection, organization_id: uuid.UUID) -> int:
    """Referrals sent to ``organization_id`` that still wait for its answer (not yet expired)."""
    count = await conn.fetchval(
        f"SELECT count(*) FROM referral r WHERE r.receiving_organization_id = $1 AND r.status = 'sent'"
        f" AND NOT {EXPIRED_SQL}",
        organization_id,
    )
    return int(count)


async def list_referrals(
    conn: Connection, scope: ReferralFilter, *, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    args: list[Any] = []
    where = []
    if scope.receiving_organization is not None:
        args.append(scope.receiving_organization)
        where.append(f"r.receiving_organization_id = ${len(args)}")
    if scope.cases is not None:
        where.append(case_where(scope.cases, args))
    if scope.survivor_id is not None:
        args.append(scope.survivor_id)
        where.append(f"r.survivor_id = ${len(args)}")
    if scope.statuses:
        # 'expired' is worked out from the due time, never stored
        args.append([s for s in scope.statuses if s != "expired"])
        clause = f"(r.status = ANY(${len(args)}::text[]) AND NOT {EXPIRED_SQL})"
        if "expired" in scope.statuses:
            clause = f"({clause} OR {EXPIRED_SQL})"
        where.append(clause)
    if scope.overdue is not None:
        where.append(("" if scope.overdue else "NOT ") + EXPIRED_SQL)
    args += [limit, offset]
    rows = await conn.fetch(
        f"{_REFERRAL_SELECT.replace('SELECT r.*', 'SELECT r.*, count(*) OVER () AS total', 1)}"
        f" WHERE {' AND '.join(where) or 'true'} ORDER BY r.created_at DESC, r.id"
        f" LIMIT ${len(args) - 1} OFFSET ${len(args)}",
        *args,
    )
    return list(rows), (rows[0]["total"] if rows else 0)
