"""Referral use cases: refer with consent (or a coordinator's documented emergency override),
answer and progress on the receiving side, verify or withdraw on the referring side."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action, allowed, check, scope_of
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.directory import lookups as directory_lookups
from service.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from service.pagination import Page, PageParams
from service.reintegration import consent_repo, disclosure, free_text, notices, plan_repo, referral_repo, workflow
from service.reintegration.case_repo import CaseRow
from service.reintegration.identity import to_survivor
from service.reintegration.referral_models import (
    Referral,
    ReferralCreate,
    ReferralEvent,
    ReferralStatus,
    TransitionRequest,
)
from service.reintegration.referral_repo import ReferralFilter
from service.reintegration.scope import audit_case, case_filter, case_for, require_login
from service.reintegration.workflow import Side

REFERRAL = "referral"


async def create_referral(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, data: ReferralCreate
) -> Referral:
    case = await case_for(conn, principal, data.survivor_id, Action.REFER)
    if case.status != "open" or case.deidentified_at is not None:
        raise Conflict("Only open cases can be referred")
    service = await directory_lookups.service_for_referral(conn, data.service_id)
    if service is None or service["status"] == "inactive":
        raise ValidationFailed("Unknown service", errors=[FieldError(field="service_id", message="no such service")])
    if not service["accepting_referrals"]:
        raise Conflict("This service is not accepting referrals now")
    if data.milestone_id is not None:
        milestone = await plan_repo.get_milestone(conn, data.milestone_id)
        if milestone["survivor_id"] != case.id:
            raise ValidationFailed(
                "That milestone belongs to another case",
                errors=[FieldError(field="milestone_id", message="not this case's")],
            )
    disclosure.refuse_identifiers(data.shared_summary, to_survivor(cipher, case), "shared_summary")
    receiving = service["organization_id"]
    referral_id = uuid.uuid4()
    consent_id = await consent_repo.live_referral_consent(conn, case.id, receiving)
    override: dict[str, Any] = {}
    if consent_id is None:
        if not data.emergency_override_reason:
            raise Forbidden(
                "No live referral consent covers the receiving organization. Record the survivor's consent first"
                " (or, in an emergency, a coordinator can refer with a documented reason)."
            )
        check(principal, Action.EMERGENCY_OVERRIDE, case.organization_id)
        reason = free_text.REFERRAL.seal(cipher, referral_id, "emergency_reason", data.emergency_override_reason)
        override = {"emergency_reason_enc": reason, "emergency_approved_by": principal.user_id}
    now = datetime.now(UTC)
    await referral_repo.insert_referral(
        conn,
        referral_id,
        {
            "survivor_id": case.id,
            "milestone_id": data.milestone_id,
            "service_id": data.service_id,
            "receiving_organization_id": receiving,
            "referring_organization_id": case.organization_id,
            "created_by": principal.user_id,
            "consent_id": consent_id,
            "urgency": data.urgency,
            "shared_summary_enc": free_text.REFERRAL.seal(cipher, referral_id, "shared_summary", data.shared_summary),
            "status": ReferralStatus.SENT,
            "sent_at": now,
            "due_at": workflow.due_at(now, data.urgency),
            **override,
        },
    )
    await referral_repo.insert_referral_event(
        conn, referral_id, {"to_status": ReferralStatus.SENT, "actor_id": principal.user_id}
    )
    sent = await referral_repo.get_referral(conn, referral_id)
    answer = await view(conn, cipher, sent, Side.REFERRER, now)
    await notices.referral_sent(conn, principal, sent, answer.service_name)
    await audit_case(
        conn,
        principal,
        case,
        "refer",
        REFERRAL,
        referral_id,
        details={"to": str(receiving), "consent": str(consent_id) if consent_id else None, "emergency": bool(override)},
    )
    return answer


async def _side(conn: Connection, principal: Principal, row: asyncpg.Record) -> Side:
    """Which side of this referral the principal is on; 404 when neither."""
    if allowed(principal, Action.RESPOND_TO_REFERRAL, row["receiving_organization_id"]):
        return Side.RECEIVER
    if allowed(principal, Action.REFER, row["case_organization_id"], assigned_to=row["assigned_caseworker_id"]):
        return Side.REFERRER
    raise NotFound("No such referral")


def _event(cipher: PersonalDataCipher, event: asyncpg.Record, side: Side) -> ReferralEvent:
    """A history event as ``side`` sees it: the receiver reads the other side's steps and coded
    reasons, never its notes or who wrote them (a withdrawal note can hold an address)."""
    own = side is Side.REFERRER or workflow.written_by(event["to_status"]) is side
    return ReferralEvent(
        from_status=event["from_status"],
        to_status=event["to_status"],
        actor_id=event["actor_id"] if own else None,
        at=event["at"],
        reason_code=event["reason_code"],
        note=free_text.REFERRAL_EVENT.reveal(cipher, event, "note") if own else "",
    )


async def views(
    conn: Connection, cipher: PersonalDataCipher, rows: Sequence[asyncpg.Record], side: Side, now: datetime
) -> list[Referral]:
    """Referrals as ``side`` sees them, the history of all of them read in one query. Every read of a
    referral, by either side, through the API or the pages, comes here with its row from
    ``referral_repo``, which works out ``sharing_live`` at read time. The listings' names come from
    the directory, all in one query too."""
    if not rows:
        return []
    history: dict[uuid.UUID, list[asyncpg.Record]] = {row["id"]: [] for row in rows}
    for event in await referral_repo.referral_events(conn, list(history)):
        history[event["referral_id"]].append(event)
    names = await directory_lookups.listing_names(conn, (row["service_id"] for row in rows))
    return [_present(cipher, row, side, now, history[row["id"]], names[row["service_id"]]) for row in rows]


async def view(
    conn: Connection, cipher: PersonalDataCipher, row: asyncpg.Record, side: Side, now: datetime
) -> Referral:
    """One referral as ``side`` sees it."""
    (referral,) = await views(conn, cipher, [row], side, now)
    return referral


def _present(
    cipher: PersonalDataCipher,
    row: asyncpg.Record,
    side: Side,
    now: datetime,
    events: Sequence[asyncpg.Record],
    service_name: str,
) -> Referral:
    """The referral of ``row``, with its history ``events``, as ``side`` sees it."""
    status = workflow.effective_status(ReferralStatus(row["status"]), row["due_at"], now)
    receiver = side is Side.RECEIVER
    summary_visible = not receiver or workflow.summary_visible_to_receiver(
        status, row["completed_at"], now, sharing_live=row["sharing_live"]
    )
    return Referral(
        id=row["id"],
        survivor_id=None if receiver else row["survivor_id"],
        case_code=None if receiver else row["case_code"],
        milestone_id=None if receiver else row["milestone_id"],
        service_id=row["service_id"],
        service_name=service_name,
        receiving_organization_id=row["receiving_organization_id"],
        referring_organization_id=row["referring_organization_id"],
        urgency=row["urgency"],
        # opened only when shown; a de-identified case's summary is gone (None)
        shared_summary=free_text.REFERRAL.reveal(cipher, row, "shared_summary") or None if summary_visible else None,
        sharing_live=row["sharing_live"],
        status=status,
        reason_code=row["reason_code"],
        emergency_override=row["emergency_approved_by"] is not None,
        sent_at=row["sent_at"],
        due_at=row["due_at"],
        overdue=status is ReferralStatus.EXPIRED,
        responded_at=row["responded_at"],
        completed_at=row["completed_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        history=[_event(cipher, event, side) for event in events],
    )


def next_actions(referral: Referral, side: Side) -> list[str]:
    """The steps ``side`` may take on ``referral`` now (none for a receiver whose access ended)."""
    return workflow.allowed_actions(referral.status, side, sharing_live=referral.sharing_live)


async def read_referral(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, referral_id: uuid.UUID
) -> Referral:
    require_login(principal, Action.REFER)
    row = await referral_repo.get_referral(conn, referral_id)
    side = await _side(conn, principal, row)
    await audit.record(
        conn,
        principal,
        "read",
        REFERRAL,
        referral_id,
        survivor_id=row["survivor_id"],
        organization_id=row["case_organization_id"],
        details={"side": side.value},
    )
    return await view(conn, cipher, row, side, datetime.now(UTC))


async def transition(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    referral_id: uuid.UUID,
    action: str,
    body: TransitionRequest,
) -> Referral:
    """Move a referral one step; the row lock makes racing requests take turns, so exactly one of
    two simultaneous 'accept's wins and the other gets 409."""
    require_login(principal, Action.REFER)
    row = await referral_repo.get_referral(conn, referral_id, for_update=True)
    side = await _side(conn, principal, row)
    now = datetime.now(UTC)
    status = workflow.effective_status(ReferralStatus(row["status"]), row["due_at"], now)
    move = workflow.check_transition(
        action, status, side, body.reason_code, body.note, sharing_live=row["sharing_live"]
    )
    changes: dict[str, Any] = {"status": move.target, "reason_code": body.reason_code}
    if move.target in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        changes["responded_at"] = now
    if move.target in (ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED):
        changes["completed_at"] = now
    await referral_repo.update_referral(conn, referral_id, changes)
    steps = workflow.steps(action, status)
    for step, source, target in steps:
        event: dict[str, Any] = {"from_status": source, "to_status": target, "actor_id": principal.user_id}
        if step == action:  # the reason and note belong to the step asked for, not to one implied by it
            event["reason_code"] = body.reason_code
            if body.note:  # sealed to its event, so the id comes first
                event["id"] = await referral_repo.next_referral_event_id(conn)
                event["note_enc"] = free_text.REFERRAL_EVENT.seal(cipher, event["id"], "note", body.note)
        await referral_repo.insert_referral_event(conn, referral_id, event)
    moved = await referral_repo.get_referral(conn, referral_id)
    answer = await view(conn, cipher, moved, side, now)
    await notices.referral_moved(conn, principal, moved, move.target, answer.service_name)
    # last: the audit append holds the log's lock until commit, so nothing else runs under it
    for step, _source, target in steps:
        await audit.record(
            conn,
            principal,
            step,
            REFERRAL,
            referral_id,
            survivor_id=row["survivor_id"],
            organization_id=row["case_organization_id"],
            details={"to": target.value},
        )
    return answer


async def list_referrals(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    paging: PageParams,
    *,
    statuses: tuple[str, ...] = (),
    overdue: bool | None = None,
    survivor_id: uuid.UUID | None = None,
) -> Page[Referral]:
    """A partner's inbox, a caseworker's referrals for their cases, a coordinator's for the tree."""
    if scope_of(principal, Action.RESPOND_TO_REFERRAL) is not None:
        scope = ReferralFilter(receiving_organization=principal.organization_id, statuses=statuses, overdue=overdue)
        side = Side.RECEIVER
    else:
        cases = case_filter(principal, Action.REFER)
        scope = ReferralFilter(cases=cases, statuses=statuses, overdue=overdue, survivor_id=survivor_id)
        side = Side.REFERRER
    rows, total = await referral_repo.list_referrals(conn, scope, limit=paging.per_page, offset=paging.offset)
    now = datetime.now(UTC)
    items = await views(conn, cipher, rows, side, now)
    await audit.record(
        conn,
        principal,
        "list",
        REFERRAL,
        None,
        organization_id=principal.organization_id,
        details={"referrals": [str(item.id) for item in items]},
    )
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


async def awaiting_answer_count(conn: Connection, principal: Principal) -> int:
    """How many referrals wait for ``principal``'s organization to answer (the partner menu's
    count); 0 for a role that answers none, so the menu can ask for anyone."""
    if scope_of(principal, Action.RESPOND_TO_REFERRAL) is None or principal.organization_id is None:
        return 0
    return await referral_repo.count_awaiting_answer(conn, principal.organization_id)


async def end_sharing_under(
    conn: Connection, principal: Principal, case: CaseRow, consent_id: uuid.UUID
) -> list[uuid.UUID]:
    """Right after ``consent_id`` was withdrawn, in the same transaction: withdraw every open
    referral that nothing lets its receiver see any more (the ones under that consent, and emergency
    referrals to an organization it covered), each with the coded reason in its history and an
    audit entry. The receiver then sees "consent withdrawn" and has no step left; the referring
    side sees the same on the case. Returns the referrals ended."""
    now = datetime.now(UTC)
    ended = []
    for row in await referral_repo.referrals_losing_consent(conn, consent_id, workflow.OPEN_STATES):
        reason = workflow.CONSENT_WITHDRAWN
        await referral_repo.update_referral(
            conn, row["id"], {"status": ReferralStatus.WITHDRAWN, "reason_code": reason}
        )
        await referral_repo.insert_referral_event(
            conn,
            row["id"],
            {
                "from_status": workflow.effective_status(ReferralStatus(row["status"]), row["due_at"], now),
                "to_status": ReferralStatus.WITHDRAWN,
                "actor_id": principal.user_id,
                "reason_code": reason,
            },
        )
        ended.append(row["id"])
    for referral_id in ended:  # last: the audit append holds the log's lock until commit
        await audit_case(
            conn,
            principal,
            case,
            "end_sharing",
            REFERRAL,
            referral_id,
            details={"reason": workflow.CONSENT_WITHDRAWN, "consent": str(consent_id)},
        )
    return ended
