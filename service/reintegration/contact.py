"""May a follow-up reach out to the survivor? Phoning her, visiting her home or writing to her
online needs her live follow-up consent (DESIGN §3: consent per purpose; silence is not consent)
and never happens when she asked not to be contacted, unless a coordinator of the case's tree
records why. A visit she makes to the office reaches out to no one and needs neither."""

from __future__ import annotations

import uuid

from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.errors import N_, FieldError, ValidationFailed
from service.reintegration import consent_repo, follow_up_repo, free_text
from service.reintegration.case_repo import CaseRow
from service.reintegration.follow_up_models import FollowUpMethod
from service.reintegration.scope import audit_case

CONTACT_METHODS = frozenset({FollowUpMethod.PHONE, FollowUpMethod.HOME_VISIT, FollowUpMethod.ONLINE})
# why contact is refused, as coded in the audit and worded next to the form's method field
REFUSALS = {
    "do_not_contact": N_("The survivor asked not to be contacted; only a coordinator can override, with a reason."),
    "no_consent": N_("No live follow-up consent: record it first, or a coordinator can override with a reason."),
}
# the refusal's title: a missing consent is no objection of hers, and must not read as one
TITLES = {
    "do_not_contact": N_("This follow-up would contact the survivor against her wishes"),
    "no_consent": N_("This follow-up would contact the survivor without her consent"),
}


async def _refusal(conn: Connection, case: CaseRow) -> str | None:
    if case.do_not_contact:
        return "do_not_contact"
    if not await consent_repo.live_follow_up_consent(conn, case.id, case.organization_id):
        return "no_consent"
    return None


async def check_contact(
    conn: Connection, principal: Principal, case: CaseRow, method: FollowUpMethod, override_reason: str | None
) -> str | None:
    """Refuse a follow-up that would reach out to the survivor against her wishes (422 on
    ``method``; 403 when someone other than a coordinator overrides). Returns the refusal's code
    when a coordinator's ``override_reason`` lets it through, None when no override was needed."""
    if method not in CONTACT_METHODS:
        return None
    refusal = await _refusal(conn, case)
    if refusal is None:
        return None
    if override_reason is None:
        raise ValidationFailed(TITLES[refusal], errors=[FieldError(field="method", message=REFUSALS[refusal])])
    if not override_reason.strip():
        raise ValidationFailed(
            N_("Say why the survivor is contacted anyway"),
            errors=[FieldError(field="contact_override_reason", message="required")],
        )
    check(principal, Action.EMERGENCY_OVERRIDE, case.organization_id)
    return refusal


async def record_override(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    case: CaseRow,
    follow_up_id: uuid.UUID,
    refusal: str,
    method: FollowUpMethod,
    reason: str,
) -> None:
    """Keep who overrode and why (encrypted) on the follow-up, and audit it (the reason stays out of
    the audit log: it is free text about the survivor)."""
    sealed = free_text.FOLLOW_UP.seal(cipher, follow_up_id, "contact_override_reason", reason.strip())
    await follow_up_repo.set_contact_override(conn, follow_up_id, principal.user_id, sealed)
    await audit_case(
        conn,
        principal,
        case,
        "contact_override",
        "follow_up",
        follow_up_id,
        details={"method": method.value, "refused_because": refusal},
    )
