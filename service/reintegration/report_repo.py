"""SQL for the dashboard's live aggregates and the de-identified statistics export: partner
outcomes, emergency overrides, a partner's inbox counts, whole-database tables."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from service.db import Connection
from service.reintegration.case_repo import CaseFilter, case_where
from service.reintegration.workflow import EFFECTIVE_STATUS_SQL, EXPIRED_SQL


async def use_report_memory(conn: Connection) -> None:
    """Give the rest of this transaction's statements room to hash and sort in memory: the
    dashboard's aggregates over a whole organization tree outgrow the 4 MB default and spill to disk."""
    await conn.execute("SET LOCAL work_mem = '32MB'")


async def partner_outcomes(
    conn: Connection, scope: CaseFilter | None, receiving: uuid.UUID | None, limit: int
) -> list[asyncpg.Record]:
    """Per receiving organization and service, the ``limit`` with most referrals: how they went,
    and the median days to answer. Counting is one hashed pass; the medians (a sort each) are
    worked out for the listed groups only."""
    args: list[Any] = []
    where = [case_where(scope, args)] if scope is not None else []
    if receiving is not None:
        args.append(receiving)
        where.append(f"r.receiving_organization_id = ${len(args)}")
    scoped = "FROM referral r JOIN survivor s ON s.id = r.survivor_id" if scope is not None else "FROM referral r"
    condition = " AND ".join(where) or "true"
    args.append(limit)
    return list(
        await conn.fetch(
            "WITH top AS MATERIALIZED ("
            " SELECT r.receiving_organization_id AS organization_id, r.service_id, count(*) AS sent,"
            " count(*) FILTER (WHERE r.responded_at IS NOT NULL AND r.status <> 'declined') AS accepted,"
            " count(*) FILTER (WHERE r.status = 'declined') AS declined,"
            f" count(*) FILTER (WHERE {EXPIRED_SQL}) AS expired,"
            " count(*) FILTER (WHERE r.status IN ('completed', 'verified')) AS completed,"
            " count(*) FILTER (WHERE r.status = 'verified') AS verified"
            f" {scoped} WHERE {condition} GROUP BY 1, 2 ORDER BY sent DESC, 1, 2 LIMIT ${len(args)})"
            " SELECT t.organization_id, o.name AS organization_name, t.service_id, v.name AS service_name, t.sent,"
            " t.accepted, t.declined, t.expired, t.completed, t.verified, (SELECT percentile_cont(0.5) WITHIN GROUP"
            " (ORDER BY extract(epoch FROM r.responded_at - r.sent_at) / 86400)"
            f" {scoped} WHERE r.receiving_organization_id = t.organization_id AND r.service_id = t.service_id"
            f" AND {condition}) AS median_days_to_answer"
            " FROM top t JOIN organization o ON o.id = t.organization_id JOIN service v ON v.id = t.service_id"
            " ORDER BY t.sent DESC, o.name, v.name",
            *args,
        )
    )


async def emergency_overrides(conn: Connection, scope: CaseFilter, limit: int) -> list[asyncpg.Record]:
    args: list[Any] = []
    where = case_where(scope, args)
    args.append(limit)
    return list(
        await conn.fetch(
            "SELECT r.id, s.case_code, r.emergency_reason_enc, r.emergency_approved_by, r.created_at FROM referral r"
            f" JOIN survivor s ON s.id = r.survivor_id WHERE r.emergency_approved_by IS NOT NULL AND {where}"
            f" ORDER BY r.created_at DESC LIMIT ${len(args)}",
            *args,
        )
    )


async def inbox_counts(conn: Connection, organization_id: uuid.UUID) -> list[tuple[str, int]]:
    rows = await conn.fetch(
        f"SELECT {EFFECTIVE_STATUS_SQL} AS key, count(*) AS n"
        " FROM referral r WHERE r.receiving_organization_id = $1 GROUP BY 1 ORDER BY 1",
        organization_id,
    )
    return [(row["key"], row["n"]) for row in rows]


async def statistics_rows(conn: Connection, table: str) -> tuple[list[str], list[asyncpg.Record]]:
    """Whole-database aggregates for de-identified export (column names, rows); the table name
    picks a fixed query."""
    queries = {
        "cases": "SELECT coalesce(home_province, 'unknown') AS province, case_type, status, count(*) AS cases"
        " FROM survivor GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        "referrals": "SELECT o.name AS receiving_organization, r.urgency,"
        f" {EFFECTIVE_STATUS_SQL} AS status,"
        " count(*) AS referrals FROM referral r JOIN organization o ON o.id = r.receiving_organization_id"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        "milestones": "SELECT m.domain, m.status, count(*) AS milestones FROM milestone m GROUP BY 1, 2 ORDER BY 1, 2",
    }
    statement = await conn.prepare(queries[table])
    return [attribute.name for attribute in statement.get_attributes()], list(await statement.fetch())
