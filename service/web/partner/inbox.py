"""/partner's referral inbox: the referrals sent to the organization, one referral's page, and the
receiving side's actions on it (accept, decline, start, hold, resume, complete, not-complete)."""

from __future__ import annotations

import uuid

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.errors import Conflict, NotFound, ValidationFailed
from service.reintegration import referrals
from service.reintegration.referral_models import ReferralStatus, TransitionRequest
from service.reintegration.referrer import read_with_referrer
from service.reintegration.workflow import (
    DECLINE_REASONS,
    NOT_COMPLETED_REASONS,
    REFERRAL_TRANSITIONS,
    Side,
)
from service.web.forms import convert, domain_errors, text
from service.web.i18n import gettext as _
from service.web.page import Form, PageWork, Paging, Work, page_links
from service.web.words import vocabulary

NOTE_LIMIT = 2000  # TransitionRequest.note's limit


@get("/referrals", name="partner-referrals")
async def referral_inbox(work: Work, paging: Paging, status: FromQuery[str | None] = None) -> Template:
    # what the partner must do first: the referrals awaiting its answer; "all" shows every one
    wanted = ReferralStatus.SENT.value if status is None else status
    chosen = wanted if wanted in {s.value for s in ReferralStatus} else None
    statuses = (chosen,) if chosen else ()
    inbox = await work.run(referrals.list_referrals, paging, statuses=statuses)
    return work.page(
        "partner/referrals.html",
        inbox=inbox,
        status=chosen,
        words=vocabulary(),
        **page_links(paging.page, paging.per_page, inbox.total),
    )


async def _referral_page(
    work: PageWork,
    referral_id: uuid.UUID,
    *,
    status_code: int = 200,
    notice: str | None = None,
    alert: str | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
) -> Template:
    referral, referrer = await work.run(read_with_referrer, referral_id)
    actions = referrals.next_actions(referral, Side.RECEIVER)
    reasons = {"decline": sorted(DECLINE_REASONS), "not-complete": sorted(NOT_COMPLETED_REASONS)}
    return work.page(
        "partner/referral.html",
        status_code,
        referral=referral,
        referrer=referrer,
        actions=actions,
        reasons=reasons,
        words=vocabulary(),
        notice=notice,
        alert=alert,
        errors=errors or {},
        typed=typed or {},
    )


@get("/referrals/{referral_id:uuid}", name="partner-referral")
async def referral_detail(work: Work, referral_id: FromPath[uuid.UUID], done: FromQuery[str | None] = None) -> Template:
    names = vocabulary()["referral_action"]
    notice = _("Done: %(action)s.") % {"action": names[done]} if done in names else None
    return await _referral_page(work, referral_id, notice=notice)


@post("/referrals/{referral_id:uuid}/{action:str}", status_code=303)
async def referral_action(
    work: Work, form: Form, referral_id: FromPath[uuid.UUID], action: FromPath[str]
) -> Redirect | Template:
    transition = REFERRAL_TRANSITIONS.get(action)
    if transition is None or transition.side is not Side.RECEIVER:
        raise NotFound("No such referral action")
    typed = {"reason_code": text(form, "reason_code"), "note": text(form, "note")}
    hints = {"reason_code": _("Choose a reason."), "note": _("At most %(limit)d characters.") % {"limit": NOTE_LIMIT}}
    body, errors = convert(
        {"reason_code": typed["reason_code"] or None, "note": typed["note"]}, TransitionRequest, hints=hints
    )
    try:
        if body is not None:
            await work.run(referrals.transition, referral_id, action, body)
    except ValidationFailed as exc:
        errors = domain_errors(exc, default_field="reason_code")
        if "reason_code" in {error.field for error in exc.errors}:
            errors["reason_code"] = hints["reason_code"]  # the domain lists the codes; the page offers them
    except Conflict:
        return await _referral_page(
            work,
            referral_id,
            status_code=409,
            alert=_(
                "This referral changed before your answer arrived (someone else may have acted first)."
                " Here is where it stands now."
            ),
        )
    if errors:
        return await _referral_page(work, referral_id, status_code=422, errors={action: errors}, typed={action: typed})
    return Redirect(path=f"/partner/referrals/{referral_id}?done={action}", status_code=303)
