"""Follow-up visits and the reintegration-sustainability scores they carry."""

from __future__ import annotations

import uuid

import asyncpg

from service.auth.models import Principal
from service.auth.permissions import Action
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.errors import FieldError, ValidationFailed
from service.reintegration import contact, follow_up_repo, free_text, rules
from service.reintegration.follow_up_models import FollowUp, FollowUpCreate, FollowUpMethod, Scores
from service.reintegration.scope import audit_case, case_for, one_of


def to_follow_up(cipher: PersonalDataCipher, row: asyncpg.Record) -> FollowUp:
    return FollowUp(
        id=row["id"],
        survivor_id=row["survivor_id"],
        date=row["date"],
        method=FollowUpMethod(row["method"]),
        notes=free_text.FOLLOW_UP.reveal(cipher, row, "notes"),
        indicators=dict(row["indicators"]),
        scores=Scores(
            economic=row["economic"], social=row["social"], psychosocial=row["psychosocial"], composite=row["composite"]
        ),
        scoring_version=row["scoring_version"],
        created_at=row["created_at"],
        contact_override_reason=free_text.FOLLOW_UP.reveal(cipher, row, "contact_override_reason") or None,
        next_date=row["next_date"],
    )


async def record_follow_up(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, data: FollowUpCreate
) -> FollowUp:
    case = await case_for(conn, principal, survivor_id, Action.EDIT_CASE)
    overridden = await contact.check_contact(conn, principal, case, data.method, data.contact_override_reason)
    rules.validate_answers(data.indicators)
    if data.next_date is not None and data.next_date <= data.date:
        raise ValidationFailed(
            "The next follow-up comes after this one",
            errors=[FieldError(field="next_date", message="must be after the date of this follow-up")],
        )
    scores = rules.score(data.indicators)
    follow_up_id = uuid.uuid4()
    await follow_up_repo.insert_follow_up(
        conn,
        {
            "id": follow_up_id,
            "survivor_id": survivor_id,
            "date": data.date,
            "method": data.method,
            "notes_enc": free_text.FOLLOW_UP.seal(cipher, follow_up_id, "notes", data.notes),
            "indicators": data.indicators,
            "economic": scores.economic,
            "social": scores.social,
            "psychosocial": scores.psychosocial,
            "composite": scores.composite,
            "scoring_version": rules.scoring().version,
            "recorded_by": principal.user_id,
            "next_date": data.next_date,
        },
    )
    await audit_case(conn, principal, case, "create", "follow_up", follow_up_id)
    if overridden is not None and data.contact_override_reason is not None:
        await contact.record_override(
            conn, principal, cipher, case, follow_up_id, overridden, data.method, data.contact_override_reason
        )
    rows = await follow_up_repo.list_follow_ups(conn, survivor_id)
    return to_follow_up(cipher, next(row for row in rows if row["id"] == follow_up_id))


async def list_follow_ups(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> list[FollowUp]:
    """Oldest first, so the scores read as a trend."""
    case = await case_for(conn, principal, survivor_id, Action.VIEW_CASE)
    rows = await follow_up_repo.list_follow_ups(conn, survivor_id)
    await audit_case(conn, principal, case, "read", "follow_up", None)
    return [to_follow_up(cipher, row) for row in rows]


async def read_follow_up(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, follow_up_id: uuid.UUID
) -> FollowUp:
    """One follow-up of the case, as ``list_follow_ups`` shows it (scope and audit included)."""
    return one_of(await list_follow_ups(conn, principal, cipher, survivor_id), follow_up_id, "No such follow-up")
