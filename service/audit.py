"""The append-only, hash-chained audit log of every read and write of survivor data."""

from __future__ import annotations

import enum
import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec

from service.db import Connection

# Appends take this lock so the chain has one order; it is held until the transaction commits.
AUDIT_LOCK_ID = 7_460_211_902_134
GENESIS = b"\x00" * 32


class Actor(Protocol):
    """Who acted, as the request's principal tells (auth's ``Principal``): the account and its role,
    and the bearer token or browser session it acted through."""

    @property
    def user_id(self) -> uuid.UUID | None: ...
    @property
    def role(self) -> enum.StrEnum | None: ...
    @property
    def token_id(self) -> uuid.UUID | None: ...
    @property
    def session_id(self) -> uuid.UUID | None: ...


class AuditEntry(msgspec.Struct, kw_only=True, frozen=True):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    entity: str
    entity_id: uuid.UUID | None
    survivor_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    details: dict[str, Any]
    token_id: uuid.UUID | None = None  # the bearer token that acted, if any
    session_id: uuid.UUID | None = None  # the browser session that acted, if any


def entry_hash(prev_hash: bytes, fields: dict[str, Any]) -> bytes:
    """SHA-256 over the previous hash and the entry's canonical JSON (sorted keys)."""
    canonical = msgspec.json.encode(fields, order="sorted")
    return hashlib.sha256(prev_hash + canonical).digest()


def _fields(
    at: datetime,
    actor_id: uuid.UUID | None,
    actor_role: str | None,
    action: str,
    entity: str,
    entity_id: uuid.UUID | None,
    survivor_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    details: dict[str, Any],
    token_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
) -> dict[str, Any]:
    fields = {
        "at": at.astimezone(UTC).isoformat(),
        "actor_id": str(actor_id) if actor_id else None,
        "actor_role": actor_role,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id) if entity_id else None,
        "survivor_id": str(survivor_id) if survivor_id else None,
        "organization_id": str(organization_id) if organization_id else None,
        "details": details,
    }
    # Hashed only when present: entries from before these columns existed hash as they always
    # did, and adding, changing or erasing a credential on any entry changes its hash.
    if token_id:
        fields["token_id"] = str(token_id)
    if session_id:
        fields["session_id"] = str(session_id)
    return fields


async def record(
    conn: Connection,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: uuid.UUID | None,
    *,
    survivor_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry, chained to the last; call inside the transaction that did the work."""
    details = msgspec.to_builtins(details or {})
    await conn.execute("SELECT pg_advisory_xact_lock($1)", AUDIT_LOCK_ID)
    head = await conn.fetchrow("SELECT last_hash FROM audit_head")
    prev_hash = bytes(head["last_hash"]) if head else GENESIS
    # microseconds are what PostgreSQL keeps, so the hash is computed over what is stored
    at = datetime.now(UTC)
    role = actor.role.value if actor.role else None
    fields = _fields(
        at, actor.user_id, role, action, entity, entity_id, survivor_id, organization_id, details,
        actor.token_id, actor.session_id,
    )  # fmt: skip
    digest = entry_hash(prev_hash, fields)
    entry_id = await conn.fetchval(
        "INSERT INTO audit_log (at, actor_id, actor_role, action, entity, entity_id, survivor_id, organization_id,"
        " details, prev_hash, hash, token_id, session_id)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        at,
        actor.user_id,
        role,
        action,
        entity,
        entity_id,
        survivor_id,
        organization_id,
        details,
        prev_hash,
        digest,
        actor.token_id,
        actor.session_id,
    )
    await conn.execute(
        "INSERT INTO audit_head (singleton, last_id, last_hash) VALUES (true, $1, $2)"
        " ON CONFLICT (singleton) DO UPDATE SET last_id = EXCLUDED.last_id, last_hash = EXCLUDED.last_hash",
        entry_id,
        digest,
    )


class ChainReport(msgspec.Struct, frozen=True):
    entries: int
    first_broken_id: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None and self.problem is None


async def verify(conn: Connection, *, batch: int = 5000) -> ChainReport:
    """Walk the chain in id order: a changed row breaks its own hash, a removed one the next
    row's link, a removed tail the stored head."""
    prev_hash, last_id, count = GENESIS, 0, 0
    while True:
        rows = await conn.fetch(
            "SELECT id, at, actor_id, actor_role, action, entity, entity_id, survivor_id, organization_id,"
            " details, prev_hash, hash, token_id, session_id FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
            last_id,
            batch,
        )
        if not rows:
            break
        for row in rows:
            count += 1
            if bytes(row["prev_hash"]) != prev_hash:
                return ChainReport(count, row["id"], "the previous entry was removed or changed")
            fields = _fields(
                row["at"], row["actor_id"], row["actor_role"], row["action"], row["entity"], row["entity_id"],
                row["survivor_id"], row["organization_id"], row["details"], row["token_id"], row["session_id"],
            )  # fmt: skip
            if entry_hash(prev_hash, fields) != bytes(row["hash"]):
                return ChainReport(count, row["id"], "this entry was changed")
            prev_hash, last_id = bytes(row["hash"]), row["id"]
    head = await conn.fetchrow("SELECT last_id, last_hash FROM audit_head")
    if head is None and count:
        return ChainReport(count, None, "the chain head is missing")
    if head is not None and (head["last_id"] != last_id or bytes(head["last_hash"]) != prev_hash):
        return ChainReport(count, None, f"entries after id {last_id} were removed")
    return ChainReport(count, None, None)


async def entries(
    conn: Connection,
    *,
    survivor_id: uuid.UUID | None = None,
    entity: str | None = None,
    entity_id: uuid.UUID | None = None,
    organizations: frozenset[uuid.UUID] | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """Entries newest first, narrowed by subject, entity and (None: all) organizations."""
    rows = await conn.fetch(
        "SELECT id, at, actor_id, actor_role, action, entity, entity_id, survivor_id, organization_id, details,"
        " token_id, session_id, count(*) OVER () AS total FROM audit_log"
        " WHERE ($1::uuid IS NULL OR survivor_id = $1) AND ($2::text IS NULL OR entity = $2)"
        " AND ($3::uuid IS NULL OR entity_id = $3) AND ($4::uuid[] IS NULL OR organization_id = ANY($4))"
        " ORDER BY id DESC LIMIT $5 OFFSET $6",
        survivor_id,
        entity,
        entity_id,
        list(organizations) if organizations is not None else None,
        limit,
        offset,
    )
    return [msgspec.convert(dict(r), AuditEntry) for r in rows], (rows[0]["total"] if rows else 0)
