"""SQL for survivor cases: the stored row, writes under a fresh case code or a version check, and
the filters of case lists (a caseload or an organization tree) that other reintegration SQL reuses."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec

from service.db import Connection, assignments, insert_sql, sql_value, update_sql
from service.errors import NotFound, PreconditionFailed

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
    "home_former_province",
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
    home_former_province: str | None
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


def case_where(scope: CaseFilter, args: list[Any], alias: str = "s") -> str:
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
    where = case_where(scope, args)
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
    where = case_where(scope, args)
    rows = await conn.fetch("SELECT s.id FROM survivor s WHERE s.name_index = $1 AND " + where, *args)
    return [row["id"] for row in rows]
