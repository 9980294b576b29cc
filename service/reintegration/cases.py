"""Case use cases: open, read, list, change, export and de-identify a case; record and withdraw
consent. Each runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from service import audit, places
from service.auth import repo as auth_repo
from service.auth.models import Principal, Role
from service.auth.permissions import Action, check
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.errors import N_, Conflict, FieldError, ValidationFailed
from service.fields import sent_fields
from service.pagination import Page, PageParams
from service.reintegration import case_repo, consent_repo, free_text, referrals, rules
from service.reintegration.case_models import (
    CaseStatus,
    Consent,
    ConsentCreate,
    Survivor,
    SurvivorCreate,
    SurvivorPatch,
    SurvivorSummary,
)
from service.reintegration.identity import (
    IDENTIFIER_COLUMNS,
    contact_columns,
    encrypt_identifiers,
    to_summary,
    to_survivor,
)
from service.reintegration.scope import audit_case, case_filter, case_for, one_of, row_and_case

CASE = "survivor"


def _province(value: str | None, field: str = "home_province") -> str | None:
    if value is None:
        return None
    province = places.resolve(value)
    if province is None:
        raise ValidationFailed("Unknown province", errors=[FieldError(field=field, message=f"unknown: {value}")])
    return province.code


async def _check_assignee(conn: Connection, principal: Principal, user_id: uuid.UUID) -> None:
    """A case may only be assigned to an active caseworker or coordinator of the principal's tree."""
    role = await auth_repo.user_in_organization(conn, user_id, principal.tree)
    if role not in (Role.CASEWORKER, Role.COORDINATOR):
        raise ValidationFailed(
            "Assign the case to a caseworker of your organization",
            errors=[FieldError(field="assigned_caseworker_id", message="not a caseworker you can assign")],
        )


async def create_case(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, data: SurvivorCreate
) -> Survivor:
    check(principal, Action.CREATE_CASE, principal.organization_id)
    assert principal.organization_id is not None
    assignee = data.assigned_caseworker_id
    if assignee is None and principal.role is Role.CASEWORKER:
        assignee = principal.user_id
    if assignee is not None and assignee != principal.user_id:
        await _check_assignee(conn, principal, assignee)
    home = _province(data.home_province)
    former = places.former_province(data.home_province) if data.home_province else None
    prefix = rules.case_prefix(home)
    year = datetime.now(UTC).year
    survivor_id = uuid.uuid4()
    fields: dict[str, Any] = {
        "id": survivor_id,
        "organization_id": principal.organization_id,
        "created_by": principal.user_id,
        **{k: v for k, v in msgspec.structs.asdict(data).items() if k in case_repo.SURVIVOR_COLUMNS},
        "assigned_caseworker_id": assignee,
        "home_province": home,
        "home_former_province": former,
        **contact_columns(cipher, survivor_id, data.contact_preference),
        **encrypt_identifiers(cipher, survivor_id, msgspec.structs.asdict(data)),
    }
    await case_repo.insert_case(conn, fields, lambda: rules.case_code(prefix, year))
    case = await case_repo.get_case(conn, survivor_id)
    await audit_case(
        conn,
        principal,
        case,
        "create",
        CASE,
        survivor_id,
        details={"case_code": case.case_code},
    )
    return to_survivor(cipher, case)


async def read_case(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> Survivor:
    case = await case_for(conn, principal, survivor_id, Action.VIEW_CASE)
    await audit_case(conn, principal, case, "read", CASE, survivor_id)
    return to_survivor(cipher, case)


class CaseQuery(msgspec.Struct, frozen=True, kw_only=True):
    status: str | None = None
    case_type: str | None = None
    province: str | None = None
    q: str | None = None  # start of a case code
    full_name: str | None = None  # exact name, looked up through the blind index


async def list_cases(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, query: CaseQuery, paging: PageParams
) -> Page[SurvivorSummary]:
    scope = msgspec.structs.replace(
        case_filter(principal),
        status=query.status,
        case_type=query.case_type,
        province=_province(query.province, "province"),
        code_prefix=query.q,
    )
    if query.full_name:
        digest = cipher.name_index(query.full_name)
        ids = await case_repo.cases_by_name_index(conn, digest, scope) if digest else []
        rows = [await case_repo.get_case(conn, survivor_id) for survivor_id in ids]
        total = len(rows)
        rows = rows[paging.offset : paging.offset + paging.per_page]
    else:
        rows, total = await case_repo.list_cases(conn, scope, limit=paging.per_page, offset=paging.offset)
    await audit.record(
        conn,
        principal,
        "list",
        CASE,
        None,
        organization_id=principal.organization_id,
        details={"cases": [str(row.id) for row in rows], "by_name": bool(query.full_name)},
    )
    return Page(items=[to_summary(row) for row in rows], total=total, page=paging.page, per_page=paging.per_page)


async def patch_case(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    survivor_id: uuid.UUID,
    expected_version: int | None,
    patch: SurvivorPatch,
) -> Survivor:
    case = await case_for(conn, principal, survivor_id, Action.EDIT_CASE, for_update=True)
    if case.deidentified_at is not None:
        raise Conflict("This case was de-identified; it can no longer be changed")
    sent = sent_fields(patch)
    changes: dict[str, Any] = {k: v for k, v in sent.items() if k in case_repo.SURVIVOR_COLUMNS}
    if "home_province" in sent:
        changes["home_province"] = _province(sent["home_province"])
        changes["home_former_province"] = places.former_province(sent["home_province"] or "") or None
    if "contact_preference" in sent:
        changes.update(contact_columns(cipher, survivor_id, sent["contact_preference"]))
    if sent.get("assigned_caseworker_id") is not None:
        await _check_assignee(conn, principal, sent["assigned_caseworker_id"])
    if "status" in sent:
        closing = sent["status"] is CaseStatus.CLOSED
        if closing and not sent.get("closure_reason"):
            raise ValidationFailed(
                "Say why the case closes", errors=[FieldError(field="closure_reason", message="required")]
            )
        changes["closed_at"] = datetime.now(UTC) if closing else None
        changes["closure_reason"] = sent.get("closure_reason") if closing else None
    changes.update(encrypt_identifiers(cipher, survivor_id, sent))
    await case_repo.update_case(conn, survivor_id, expected_version, changes)
    # identifiers are named, never their values
    await audit_case(
        conn,
        principal,
        case,
        "update",
        CASE,
        survivor_id,
        details={"fields": sorted(sent)},
    )
    return to_survivor(cipher, await case_repo.get_case(conn, survivor_id))


# -- consent ----------------------------------------------------------------------------------------


def to_consent(cipher: PersonalDataCipher, row: Any, now: datetime) -> Consent:
    fields = {k: v for k, v in dict(row).items() if k != "evidence_enc"}
    consent = msgspec.convert({**fields, "evidence": free_text.CONSENT.reveal(cipher, row, "evidence")}, Consent)
    live = consent.withdrawn_at is None and (consent.expires_at is None or consent.expires_at > now)
    return msgspec.structs.replace(consent, live=live)


async def record_consent(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, data: ConsentCreate
) -> Consent:
    case = await case_for(conn, principal, survivor_id, Action.EDIT_CASE)
    now = datetime.now(UTC)
    if data.expires_at is not None and data.expires_at <= now:
        raise ValidationFailed(
            "Consent would already have expired",
            errors=[FieldError(field="expires_at", message="must be in the future")],
        )
    if data.organization_id is not None and not await conn.fetchval(
        "SELECT true FROM organization WHERE id = $1", data.organization_id
    ):
        raise ValidationFailed(
            "Unknown organization", errors=[FieldError(field="organization_id", message="no such organization")]
        )
    consent_id = uuid.uuid4()
    row = await consent_repo.insert_consent(
        conn,
        {
            **msgspec.structs.asdict(data),
            "id": consent_id,
            "evidence_enc": free_text.CONSENT.seal(cipher, consent_id, "evidence", data.evidence),
            "survivor_id": survivor_id,
            "recorded_by": principal.user_id,
        },
    )
    await audit_case(
        conn,
        principal,
        case,
        "record_consent",
        "consent",
        row["id"],
        details={"purpose": data.purpose.value, "recipient": str(data.organization_id or "all partners")},
    )
    return to_consent(cipher, row, now)


async def list_consents(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> list[Consent]:
    case = await case_for(conn, principal, survivor_id, Action.VIEW_CASE)
    rows = await consent_repo.list_consents(conn, survivor_id)
    await audit_case(conn, principal, case, "read", "consent", None)
    now = datetime.now(UTC)
    return [to_consent(cipher, row, now) for row in rows]


async def read_consent(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, consent_id: uuid.UUID
) -> Consent:
    """One consent of the case, as ``list_consents`` shows it (scope and audit included)."""
    return one_of(await list_consents(conn, principal, cipher, survivor_id), consent_id, "No such consent in this case")


async def withdraw_consent(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, consent_id: uuid.UUID
) -> Consent:
    consent, case = await row_and_case(
        conn, principal, Action.EDIT_CASE, lambda: consent_repo.get_consent(conn, consent_id)
    )
    if consent["withdrawn_at"] is not None:
        raise Conflict("This consent was already withdrawn")
    row = await consent_repo.withdraw_consent(conn, consent_id, principal.user_id)
    # in this transaction: no moment in which the consent is gone and a partner still sees the case
    ended = await referrals.end_sharing_under(conn, principal, case, consent_id)
    await audit_case(
        conn,
        principal,
        case,
        "withdraw_consent",
        "consent",
        consent_id,
        details={"referrals_ended": [str(referral_id) for referral_id in ended]},
    )
    return to_consent(cipher, row, datetime.now(UTC))


# -- data-subject requests --------------------------------------------------------------------------


async def deidentify_case(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> Survivor:
    """Remove every identifier and every free text that could name the survivor (``free_text``
    lists them all), and the birth year and contact channel; keep the coded history (types,
    statuses, coded reasons, dates, scores) for statistics. Only a closed case: work still going on
    needs its notes."""
    case = await case_for(conn, principal, survivor_id, Action.DEIDENTIFY_CASE, for_update=True)
    if case.deidentified_at is not None:
        raise Conflict("This case is already de-identified")
    if case.status == CaseStatus.OPEN:
        raise Conflict(N_("Close the case first: only a closed case can be de-identified"))
    cleared: dict[str, Any] = dict.fromkeys(IDENTIFIER_COLUMNS.values())
    cleared.update(
        name_index=None,
        contact_channel=None,
        birth_year=None,
        deidentified_at=datetime.now(UTC),
    )
    await case_repo.update_case(conn, survivor_id, None, cleared)
    await free_text.clear_case(conn, survivor_id)
    await audit_case(conn, principal, case, "deidentify", CASE, survivor_id)
    return to_survivor(cipher, await case_repo.get_case(conn, survivor_id))
