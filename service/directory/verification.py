"""The coordinators' listing verification queue: which listings of their scope to check first,
narrowed by province, organization, category and name, and how many are due (the menu's count)."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

import msgspec

from search.text import fold
from service.auth.models import Principal
from service.auth.permissions import Action, organizations_for, scope_of
from service.db import Connection
from service.directory.rules import STALE_AFTER


class QueueFilter(msgspec.Struct, kw_only=True, frozen=True):
    """What the queue is narrowed to; None (or "") is no narrowing."""

    province: str | None = None  # a province code: listings serving it or located in it
    organization_id: uuid.UUID | None = None
    category: str | None = None
    name: str = ""  # part of the listing's or its organization's name, accents optional


@cache
def _folding() -> tuple[str, str]:
    """``translate()``'s two strings: each accented Latin letter (Vietnamese's among them) and the
    plain letter ``fold`` makes of it, so SQL folds names as the search does, without ``unaccent``."""
    accented, plain = [], []
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        letter = chr(code)
        folded = fold(letter)
        if len(folded) == 1 and folded.isascii() and folded != letter.lower():
            accented.append(letter)
            plain.append(folded)
    return "".join(accented), "".join(plain)


def _where(organizations: frozenset[uuid.UUID] | None, narrow: QueueFilter, args: list[Any]) -> str:
    """The WHERE clause over ``service s`` for the scope and the filter, its values appended to ``args``."""

    def bind(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    where = []
    if organizations is not None:
        where.append(f"s.organization_id = ANY({bind(list(organizations))}::uuid[])")
    if narrow.organization_id is not None:
        where.append(f"s.organization_id = {bind(narrow.organization_id)}")
    if narrow.category:
        where.append(f"{bind(narrow.category)} = ANY(s.categories)")
    if narrow.province:
        code = bind(narrow.province)
        where.append(
            f"(EXISTS (SELECT 1 FROM service_area a WHERE a.service_id = s.id AND a.area = {code})"
            " OR EXISTS (SELECT 1 FROM service_at_location sl JOIN location l ON l.id = sl.location_id"
            f" WHERE sl.service_id = s.id AND l.province_code = {code}))"
        )
    if typed := fold(narrow.name).strip():
        pattern = bind("%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        accented, plain = _folding()
        source, target = bind(accented), bind(plain)
        where.append(
            f"(lower(translate(s.name, {source}, {target})) LIKE {pattern}"
            f" OR lower(translate(o.name, {source}, {target})) LIKE {pattern})"
        )
    return " AND ".join(where) or "true"


async def queue_ids(
    conn: Connection,
    *,
    organizations: frozenset[uuid.UUID] | None,
    narrow: QueueFilter,
    limit: int,
    offset: int,
) -> tuple[list[uuid.UUID], int]:
    """Listing ids of ``organizations`` (None: all) matching ``narrow``, stale first: never
    verified, then the longest unverified (ties: the least recently updated). Returns one page of
    ids and the total."""
    args: list[Any] = []
    where = _where(organizations, narrow, args)
    rows = await conn.fetch(
        "SELECT s.id, count(*) OVER () AS total FROM service s JOIN organization o ON o.id = s.organization_id"
        f" WHERE {where} ORDER BY s.last_verified_at ASC NULLS FIRST, s.updated_at ASC, s.id"
        f" LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
        *args,
        limit,
        offset,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [row["id"] for row in rows], total


async def queue_organizations(conn: Connection, organizations: frozenset[uuid.UUID] | None) -> list[tuple[str, str]]:
    """(id, name) of the organizations with listings in scope, by name: the filter's choices."""
    rows = await conn.fetch(
        "SELECT o.id, o.name FROM organization o WHERE ($1::uuid[] IS NULL OR o.id = ANY($1))"
        " AND EXISTS (SELECT 1 FROM service s WHERE s.organization_id = o.id) ORDER BY o.name, o.id",
        list(organizations) if organizations is not None else None,
    )
    return [(str(row["id"]), row["name"]) for row in rows]


async def due_count(conn: Connection, principal: Principal, now: datetime) -> int:
    """How many listings in ``principal``'s scope need verifying (never verified, or not for
    ``STALE_AFTER``): the menu's count; 0 for a role that verifies none, so the menu can ask for anyone."""
    if scope_of(principal, Action.VERIFY_LISTING) is None:
        return 0
    organizations = organizations_for(principal, Action.VERIFY_LISTING)
    count = await conn.fetchval(
        "SELECT count(*) FROM service WHERE ($1::uuid[] IS NULL OR organization_id = ANY($1))"
        " AND (last_verified_at IS NULL OR last_verified_at < $2)",
        list(organizations) if organizations is not None else None,
        now - STALE_AFTER,
    )
    return int(count)
