"""Survivor free text — consent evidence, plan and review notes, milestone titles and notes,
referral summaries, emergency reasons and event notes, follow-up notes and contact-override
reasons, home commune and safe hours — kept encrypted like the identifiers (``service.crypto``),
each ciphertext bound to its row and field: sealed on the way in, opened only for what a view shows.

A text column ``x`` of the tables below is stored as ``x_enc``; an empty text is stored as NULL
and reads back as "". Migration 0015 encrypted the texts written before (``encrypt_clear_rows``).
"""

from __future__ import annotations

from typing import Any

from service.crypto import PersonalDataCipher
from service.db import Connection


class Sealed:
    """One table's texts: their fields, the id type its rows are bound to, and how its rows are
    found from their case (a condition on ``$1``, the survivor id)."""

    def __init__(self, table: str, fields: tuple[str, ...], of_case: str, id_type: str = "uuid") -> None:
        self.table, self.fields, self.of_case, self.id_type = table, fields, of_case, id_type

    def _field(self, field: str) -> str:
        return f"{self.table}.{field}"

    def seal(self, cipher: PersonalDataCipher, record: Any, field: str, text: str | None) -> bytes | None:
        assert field in self.fields, field
        return cipher.encrypt(text, record=str(record), field=self._field(field))

    def reveal(self, cipher: PersonalDataCipher, row: Any, field: str, *, record: Any = None) -> str:
        """The text of ``row``'s ``field`` ("" when none); ``record`` when the row's id has another name."""
        assert field in self.fields, field
        text = cipher.decrypt(
            row[f"{field}_enc"], record=str(row["id"] if record is None else record), field=self._field(field)
        )
        return text or ""


CASE = Sealed("survivor", ("home_commune", "contact_safe_hours"), "id = $1")
CONSENT = Sealed("consent", ("evidence",), "survivor_id = $1")
PLAN = Sealed("plan", ("notes", "review_note"), "survivor_id = $1")
MILESTONE = Sealed("milestone", ("title", "note"), "plan_id IN (SELECT id FROM plan WHERE survivor_id = $1)")
REFERRAL = Sealed("referral", ("shared_summary", "emergency_reason"), "survivor_id = $1")
REFERRAL_EVENT = Sealed(
    "referral_event", ("note",), "referral_id IN (SELECT id FROM referral WHERE survivor_id = $1)", id_type="bigint"
)
FOLLOW_UP = Sealed("follow_up", ("notes", "contact_override_reason"), "survivor_id = $1")
ALL = (CASE, CONSENT, PLAN, MILESTONE, REFERRAL, REFERRAL_EVENT, FOLLOW_UP)


async def clear_case(conn: Connection, survivor_id: Any) -> None:
    """De-identification: every free text of the case gone, in every table that holds one."""
    for sealed in ALL:
        cleared = ", ".join(f"{field}_enc = NULL" for field in sealed.fields)
        await conn.execute(f"UPDATE {sealed.table} SET {cleared} WHERE {sealed.of_case}", survivor_id)


BATCH = 2_000
# The clear columns migration 0015 found, fixed here: a text sealed from the start in a later
# migration has no clear column to encrypt.
MIGRATION_0015: tuple[tuple[Sealed, tuple[str, ...]], ...] = (
    (CASE, ("home_commune", "contact_safe_hours")),
    (CONSENT, ("evidence",)),
    (PLAN, ("notes", "review_note")),
    (MILESTONE, ("title", "note")),
    (REFERRAL, ("shared_summary", "emergency_reason")),
    (REFERRAL_EVENT, ("note",)),
    (FOLLOW_UP, ("notes",)),
)


async def encrypt_clear_rows(conn: Connection, cipher: PersonalDataCipher, batch: int = BATCH) -> int:
    """Migration 0015's step: encrypt every clear text into its ``_enc`` column, ``batch`` rows at a
    time, in the migration's transaction (so a failure leaves nothing half done, and the lock keeps
    replicas out). Rows already encrypted are skipped, so running it again changes nothing.
    Returns how many rows were encrypted."""
    done = 0
    for sealed, fields in MIGRATION_0015:
        table = sealed.table
        pending = " OR ".join(f"({f} <> '' AND {f}_enc IS NULL)" for f in fields)
        batch_sql = (
            f"SELECT id, {', '.join(fields)} FROM {table} WHERE ({pending})"
            f" AND ($1::{sealed.id_type} IS NULL OR id > $1) ORDER BY id LIMIT $2"
        )
        targets = ", ".join(f"{f}_enc = coalesce(t.{f}_enc, u.{f})" for f in fields)
        arrays = ", ".join(f"${n}::bytea[]" for n in range(2, len(fields) + 2))
        update = (
            f"UPDATE {table} t SET {targets} FROM unnest($1::{sealed.id_type}[], {arrays})"
            f" AS u(id, {', '.join(fields)}) WHERE t.id = u.id"
        )
        last = None
        while rows := await conn.fetch(batch_sql, last, batch):
            columns = [[sealed.seal(cipher, row["id"], f, row[f]) for row in rows] for f in fields]
            await conn.execute(update, [row["id"] for row in rows], *columns)
            done += len(rows)
            last = rows[-1]["id"]
    return done
