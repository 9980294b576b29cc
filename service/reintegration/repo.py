"""SQL for survivor cases, consents, plans, milestones, referrals, follow-ups and statistics."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec

from service.db import Connection, assignments, insert_sql, sql_value, update_sql
from service.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed

CODE_ATTEMPTS = 5  # draws of a random case code before giving up (a clash is one in a billion)

# Columns a case write may set; the keys are the only names that reach SQL text.
SURVIVOR_COLUMNS = (
    "assigned_caseworker_id",
    "case_type",
    "identification_status",
    "accompanying_child",
    "sex",
    "birth_year",
    "nationality",
    "languages",
    "home_province",
    "home_commune_enc",
    "returned_from",
    "return_date",
    "risk_level",
    "contact_channel",
    "contact_safe_hours_enc",
    "do_not_contact",
    "status",
    "closure_reason",
    "closed_at",
    "full_name_enc",
    "phone_enc",
    "address_enc",
    "id_document_enc",
    "name_index",
    "deidentified_at",
)
MILESTONE_COLUMNS = ("status", "title_enc", "target_date", "responsible_organization_id", "note_enc")


class CaseRow(msgspec.Struct, frozen=True, kw_only=True):
    """A survivor row as stored: identifiers still encrypted."""

    id: uuid.UUID
    case_code: str
    organization_id: uuid.UUID
    assigned_caseworker_id: uuid.UUID | None
    case_type: str
    identification_status: str
    accompanying_child: bool
    sex: str | None
    birth_year: int | None
    nationality: str
    languages: list[str]
    home_province: str | None
    home_commune_enc: bytes | None
    returned_from: str | None
    return_date: date | None
    risk_level: str
    contact_channel: str | None
    contact_safe_hours_enc: bytes | None
    do_not_contact: bool
    status: str
    closure_reason: str | None
    full_name_enc: bytes | None
    phone_enc: bytes | None
    address_enc: bytes | None
    id_document_enc: bytes | None
    deidentified_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


async def user_in_organization(conn: Connection, user_id: uuid.UUID, organizations: frozenset[uuid.UUID]) -> str | None:
    """The role of an active user belonging to one of ``organizations``, or None."""
    role: str | None = await conn.fetchval(
        "SELECT role FROM app_user WHERE id = $1 AND active AND organization_id = ANY($2::uuid[])",
        user_id,
        list(organizations),
    )
    return role


# -- cases ------------------------------------------------------------------------------------------


async def insert_case(conn: Connection, fields: Mapping[str, Any], code: Callable[[], str]) -> str:
    """Insert the case under a code from ``code()``, drawing again while the code is taken; returns the code."""
    names = ["id", "case_code", "organization_id", "created_by", *[c for c in SURVIVOR_COLUMNS if c in fields]]
    for attempt in range(1, CODE_ATTEMPTS + 1):
        values = {**fields, "case_code": code()}
        try:
            async with conn.transaction():  # a savepoint: a taken code leaves the transaction usable
                await conn.execute(insert_sql("survivor", names), *[sql_value(values[name]) for name in names])
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != "survivor_case_code_key" or attempt == CODE_ATTEMPTS:
                raise
            continue
        return str(values["case_code"])
    raise AssertionError("unreachable")


async def get_case(conn: Connection, survivor_id: uuid.UUID, *, for_update: bool = False) -> CaseRow:
    row = await conn.fetchrow(
        "SELECT * FROM survivor WHERE id = $1" + (" FOR UPDATE" if for_update else ""), survivor_id
    )
    if row is None:
        raise NotFound("No such case")
    return msgspec.convert(dict(row), CaseRow)


async def update_case(
    conn: Connection, survivor_id: uuid.UUID, expected_version: int | None, changes: Mapping[str, Any]
) -> None:
    args: list[Any] = [survivor_id, expected_version]
    sets = [*assignments(SURVIVOR_COLUMNS, changes, args), "version = version + 1", "updated_at = now()"]
    where = "id = $1 AND ($2::int IS NULL OR version = $2)"
    done = await conn.fetchval(update_sql("survivor", sets, where, returning="id"), *args)
    if done is None:
        raise PreconditionFailed("Someone else changed this case; reload it and apply your edit again")


class CaseFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which cases a list may show: a caseworker's caseload or an organization tree, plus filters."""

    assigned_to: uuid.UUID | None = None
    organizations: frozenset[uuid.UUID] | None = None
    status: str | None = None
    case_type: str | None = None
    province: str | None = None
    code_prefix: str | None = None


def _case_where(scope: CaseFilter, args: list[Any], alias: str = "s") -> str:
    where = []
    if scope.assigned_to is not None:
        args.append(scope.assigned_to)
        where.append(f"{alias}.assigned_caseworker_id = ${len(args)}")
    if scope.organizations is not None:
        args.append(list(scope.organizations))
        where.append(f"{alias}.organization_id = ANY(${len(args)}::uuid[])")
    for column, value in (("status", scope.status), ("case_type", scope.case_type), ("home_province", scope.province)):
        if value is not None:
            args.append(value)
            where.append(f"{alias}.{column} = ${len(args)}")
    if scope.code_prefix:
        args.append(scope.code_prefix.upper().replace("%", "").replace("_", "") + "%")
        where.append(f"{alias}.case_code LIKE ${len(args)}")
    return " AND ".join(where) or "true"


async def list_cases(conn: Connection, scope: CaseFilter, *, limit: int, offset: int) -> tuple[list[CaseRow], int]:
    args: list[Any] = []
    where = _case_where(scope, args)
    args += [limit, offset]
    rows = await conn.fetch(
        f"SELECT s.*, count(*) OVER () AS total FROM survivor s WHERE {where}"
        f" ORDER BY s.updated_at DESC, s.id LIMIT ${len(args) - 1} OFFSET ${len(args)}",
        *args,
    )
    total = rows[0]["total"] if rows else 0
    return [msgspec.convert(dict(row), CaseRow) for row in rows], total


async def cases_by_name_index(conn: Connection, digest: bytes, scope: CaseFilter) -> list[uuid.UUID]:
    args: list[Any] = [digest]
    where = _case_where(scope, args)
    rows = await conn.fetch("SELECT s.id FROM survivor s WHERE s.name_index = $1 AND " + where, *args)
    return [row["id"] for row in rows]


# -- consents ---------------------------------------------------------------------------------------

_CONSENT_COLUMNS = (
    "id, survivor_id, purpose, organization_id, method, evidence_enc, granted_at, expires_at, withdrawn_at"
)
_CONSENT_BY_ID = f"SELECT {_CONSENT_COLUMNS} FROM consent WHERE id = $1"


async def insert_consent(conn: Connection, fields: Mapping[str, Any]) -> asyncpg.Record:
    row = await conn.fetchrow(
        "INSERT INTO consent (id, survivor_id, purpose, organization_id, method, evidence_enc, expires_at, recorded_by)"
        f" VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_CONSENT_COLUMNS}",
        fields["id"],
        fields["survivor_id"],
        sql_value(fields["purpose"]),
        fields["organization_id"],
        sql_value(fields["method"]),
        fields["evidence_enc"],
        fields["expires_at"],
        fields["recorded_by"],
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


async def organization_choices(conn: Connection) -> list[asyncpg.Record]:
    """Every organization (id, name) with the provinces it has places in: what a consent's
    recipient is picked from (never cut short: the one a survivor named may be the last)."""
    return list(
        await conn.fetch(
            "SELECT o.id, o.name, coalesce(array_agg(DISTINCT l.province_code ORDER BY l.province_code)"
            " FILTER (WHERE l.province_code IS NOT NULL), '{}') AS provinces"
            " FROM organization o LEFT JOIN location l ON l.organization_id = o.id GROUP BY o.id ORDER BY o.name, o.id"
        )
    )


async def organizations_with_consent(conn: Connection, survivor_id: uuid.UUID) -> tuple[bool, set[uuid.UUID]]:
    """(every partner covered, the organizations covered by name) by live referral consents."""
    rows = await conn.fetch(
        "SELECT organization_id FROM consent WHERE survivor_id = $1 AND purpose = 'referral'"
        " AND withdrawn_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
        survivor_id,
    )
    named = {row["organization_id"] for row in rows if row["organization_id"] is not None}
    return any(row["organization_id"] is None for row in rows), named


# -- plans and milestones ---------------------------------------------------------------------------


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


# -- referrals --------------------------------------------------------------------------------------

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
    f" v.name AS service_name, {SHARING_LIVE} AS sharing_live FROM referral r JOIN survivor s ON s.id = r.survivor_id"
    " JOIN service v ON v.id = r.service_id"
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


async def list_referrals(
    conn: Connection, scope: ReferralFilter, *, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    args: list[Any] = []
    where = []
    if scope.receiving_organization is not None:
        args.append(scope.receiving_organization)
        where.append(f"r.receiving_organization_id = ${len(args)}")
    if scope.cases is not None:
        where.append(_case_where(scope.cases, args))
    if scope.survivor_id is not None:
        args.append(scope.survivor_id)
        where.append(f"r.survivor_id = ${len(args)}")
    if scope.statuses:
        # 'expired' is worked out from the due time, never stored
        args.append([s for s in scope.statuses if s != "expired"])
        clause = f"(r.status = ANY(${len(args)}::text[]) AND NOT (r.status = 'sent' AND r.due_at <= now()))"
        if "expired" in scope.statuses:
            clause = f"({clause} OR (r.status = 'sent' AND r.due_at <= now()))"
        where.append(clause)
    if scope.overdue is not None:
        where.append(("" if scope.overdue else "NOT ") + "(r.status = 'sent' AND r.due_at <= now())")
    args += [limit, offset]
    rows = await conn.fetch(
        f"{_REFERRAL_SELECT.replace('SELECT r.*', 'SELECT r.*, count(*) OVER () AS total', 1)}"
        f" WHERE {' AND '.join(where) or 'true'} ORDER BY r.created_at DESC, r.id"
        f" LIMIT ${len(args) - 1} OFFSET ${len(args)}",
        *args,
    )
    return list(rows), (rows[0]["total"] if rows else 0)


async def service_for_referral(conn: Connection, service_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, organization_id, visibility, status, accepting_referrals FROM service WHERE id = $1", service_id
    )
    return row


# -- follow-ups -------------------------------------------------------------------------------------


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


async def list_follow_ups(conn: Connection, survivor_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch("SELECT * FROM follow_up WHERE survivor_id = $1 ORDER BY date, created_at", survivor_id)
    )


# -- matching ---------------------------------------------------------------------------------------


async def match_candidates(
    conn: Connection,
    categories: Sequence[str],
    areas: Sequence[str],
    *,
    sees_restricted: bool,
    own_organization: uuid.UUID | None,
    limit: int = 300,
) -> list[asyncpg.Record]:
    """Listings of these categories serving these areas, as the viewer may see them."""
    coordinates = "sd.staff_lat, sd.staff_lon" if sees_restricted else "sd.public_lat, sd.public_lon"
    return list(
        await conn.fetch(
            f"SELECT s.id AS service_id, s.name, s.organization_id, sd.organization_name, s.categories,"
            f" s.populations, sd.provinces, s.languages, s.genders, s.min_age, s.max_age, s.accepting_referrals,"
            f" s.capacity_available, s.last_verified_at, {coordinates}"
            " FROM search_document sd JOIN service s ON s.id = sd.service_id"
            " WHERE sd.categories && $1::text[] AND sd.provinces && $2::text[] AND s.status = 'active'"
            " AND ($3 OR s.visibility = 'public' OR s.organization_id = $4)"
            " ORDER BY s.id LIMIT $5",
            list(categories),
            list(areas),
            sees_restricted,
            own_organization,
            limit,
        )
    )


# -- dashboard and statistics -----------------------------------------------------------------------


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
    where = [_case_where(scope, args)] if scope is not None else []
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
            " count(*) FILTER (WHERE r.status = 'sent' AND r.due_at <= now()) AS expired,"
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
    where = _case_where(scope, args)
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
        "SELECT CASE WHEN status = 'sent' AND due_at <= now() THEN 'expired' ELSE status END AS key, count(*) AS n"
        " FROM referral WHERE receiving_organization_id = $1 GROUP BY 1 ORDER BY 1",
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
        " CASE WHEN r.status = 'sent' AND r.due_at <= now() THEN 'expired' ELSE r.status END AS status,"
        " count(*) AS referrals FROM referral r JOIN organization o ON o.id = r.receiving_organization_id"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        "milestones": "SELECT m.domain, m.status, count(*) AS milestones FROM milestone m GROUP BY 1, 2 ORDER BY 1, 2",
    }
    statement = await conn.prepare(queries[table])
    return [attribute.name for attribute in statement.get_attributes()], list(await statement.fetch())
