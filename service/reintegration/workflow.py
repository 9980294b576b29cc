"""State machines of plans, milestones and referrals, as data, with the rules around them. No I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from service.errors import Conflict, FieldError, ValidationFailed
from service.reintegration.plan_models import MilestoneStatus, PlanStatus
from service.reintegration.referral_models import ReferralStatus, Urgency


class Side(enum.Enum):
    """Who moves a referral: the organization that received it, or the case's side that sent it."""

    RECEIVER = "receiver"
    REFERRER = "referrer"


DECLINE_REASONS = frozenset({"no_capacity", "not_eligible", "out_of_area", "service_unavailable", "duplicate", "other"})
NOT_COMPLETED_REASONS = frozenset(
    {"couldnt_contact", "survivor_declined", "no_longer_interested", "referred_elsewhere", "other"}
)
WITHDRAW_REASONS = frozenset({"survivor_declined", "no_longer_interested", "referred_elsewhere", "other"})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[ReferralStatus]
    target: ReferralStatus
    side: Side
    # the reason codes this step may carry: codes, never words, since the other side reads them and
    # de-identification keeps them
    reasons: frozenset[str] = frozenset()
    needs_reason: bool = False
    needs_note: bool = False


REFERRAL_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("accept", frozenset({ReferralStatus.SENT}), ReferralStatus.ACCEPTED, Side.RECEIVER),
        Transition(
            "decline",
            frozenset({ReferralStatus.SENT}),
            ReferralStatus.DECLINED,
            Side.RECEIVER,
            reasons=DECLINE_REASONS,
            needs_reason=True,
        ),
        Transition("start", frozenset({ReferralStatus.ACCEPTED}), ReferralStatus.IN_PROGRESS, Side.RECEIVER),
        Transition("hold", frozenset({ReferralStatus.IN_PROGRESS}), ReferralStatus.ON_HOLD, Side.RECEIVER),
        Transition("resume", frozenset({ReferralStatus.ON_HOLD}), ReferralStatus.IN_PROGRESS, Side.RECEIVER),
        # from accepted too: a service given in one visit needs no separate "start" (recorded
        # for it all the same, see ``steps``)
        Transition(
            "complete",
            frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}),
            ReferralStatus.COMPLETED,
            Side.RECEIVER,
        ),
        Transition(
            "not-complete",
            frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.ON_HOLD}),
            ReferralStatus.NOT_COMPLETED,
            Side.RECEIVER,
            reasons=NOT_COMPLETED_REASONS,
            needs_reason=True,
        ),
        Transition("verify", frozenset({ReferralStatus.COMPLETED}), ReferralStatus.VERIFIED, Side.REFERRER),
        Transition(
            "withdraw",
            frozenset(
                {
                    ReferralStatus.DRAFT,
                    ReferralStatus.SENT,
                    ReferralStatus.ACCEPTED,
                    ReferralStatus.IN_PROGRESS,
                    ReferralStatus.ON_HOLD,
                }
            ),
            ReferralStatus.WITHDRAWN,
            Side.REFERRER,
            reasons=WITHDRAW_REASONS,
            needs_note=True,
        ),
    )
}

RESPONSE_TIME = {
    Urgency.EMERGENCY: timedelta(days=1),
    Urgency.URGENT: timedelta(days=3),
    Urgency.ROUTINE: timedelta(days=7),
}
SUMMARY_ACCESS_AFTER_COMPLETION = timedelta(days=30)
ENDED_ACCESS = frozenset({ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN})
COMPLETED_STATES = frozenset({ReferralStatus.COMPLETED, ReferralStatus.VERIFIED, ReferralStatus.NOT_COMPLETED})
# the states a referral is still open in: the ones the referring side may withdraw it from
OPEN_STATES = REFERRAL_TRANSITIONS["withdraw"].sources
# the coded reason of a referral withdrawn because the consent it stood on was withdrawn
CONSENT_WITHDRAWN = "consent_withdrawn"
RECEIVER_TARGETS = frozenset(t.target for t in REFERRAL_TRANSITIONS.values() if t.side is Side.RECEIVER)


def written_by(to_status: str) -> Side:
    """The side that made a history event: the receiver's steps lead to states only it reaches."""
    return Side.RECEIVER if to_status in RECEIVER_TARGETS else Side.REFERRER


def due_at(sent_at: datetime, urgency: Urgency) -> datetime:
    """When the receiving partner must have answered: 1, 3 or 7 days by urgency."""
    return sent_at + RESPONSE_TIME[urgency]


def effective_status(status: ReferralStatus, due: datetime | None, now: datetime) -> ReferralStatus:
    """A referral still unanswered at its due time is expired, whatever the stored status says."""
    if status is ReferralStatus.SENT and due is not None and now >= due:
        return ReferralStatus.EXPIRED
    return status


# ``effective_status`` in SQL, for referral ``r``: the one definition every query filters and counts by
EXPIRED_SQL = f"(r.status = '{ReferralStatus.SENT.value}' AND r.due_at <= now())"
EFFECTIVE_STATUS_SQL = f"CASE WHEN {EXPIRED_SQL} THEN '{ReferralStatus.EXPIRED.value}' ELSE r.status END"


def allowed_actions(status: ReferralStatus, side: Side, *, sharing_live: bool) -> list[str]:
    """The steps ``side`` may take now; none for the receiver once nothing lets it see the referral
    (``sharing_live``: a live consent covers it, or an emergency override still stands)."""
    if side is Side.RECEIVER and not sharing_live:
        return []
    return [t.action for t in REFERRAL_TRANSITIONS.values() if status in t.sources and t.side is side]


def steps(action: str, status: ReferralStatus) -> list[tuple[str, ReferralStatus, ReferralStatus]]:
    """The (action, from, to) steps one allowed ``action`` records: completing an accepted referral
    records its start first, so its history and audit read as every other completed one."""
    target = REFERRAL_TRANSITIONS[action].target
    if action == "complete" and status is ReferralStatus.ACCEPTED:
        return [("start", status, ReferralStatus.IN_PROGRESS), (action, ReferralStatus.IN_PROGRESS, target)]
    return [(action, status, target)]


def check_transition(
    action: str, status: ReferralStatus, side: Side, reason_code: str | None, note: str, *, sharing_live: bool
) -> Transition:
    """The transition ``action`` from ``status`` by ``side``, or a 409 naming the allowed ones."""
    transition = REFERRAL_TRANSITIONS[action]
    allowed = allowed_actions(status, side, sharing_live=sharing_live)
    if action not in allowed:
        raise Conflict(f"A referral that is {status.value} cannot be '{action}' by you now", allowed=allowed)
    if (reason_code is None and transition.needs_reason) or (
        reason_code is not None and reason_code not in transition.reasons
    ):
        codes = ", ".join(sorted(transition.reasons))
        raise ValidationFailed(
            "A reason is required" if reason_code is None else "Not a reason code of this step",
            errors=[FieldError(field="reason_code", message=f"one of {codes}" if codes else "this step takes none")],
        )
    if transition.needs_note and not note.strip():
        raise ValidationFailed("Say why", errors=[FieldError(field="note", message="required")])
    return transition


def summary_visible_to_receiver(
    status: ReferralStatus, completed_at: datetime | None, now: datetime, *, sharing_live: bool
) -> bool:
    """The receiving partner sees the shared summary until the referral is declined, expired or
    withdrawn, and for 30 days after completion; never once no live consent (nor a standing
    emergency override) covers it."""
    if status in ENDED_ACCESS or not sharing_live:
        return False
    if status in COMPLETED_STATES and completed_at is not None:
        return now - completed_at <= SUMMARY_ACCESS_AFTER_COMPLETION
    return True


# -- plans ----------------------------------------------------------------------------------------

PLAN_TRANSITIONS: dict[str, tuple[frozenset[PlanStatus], PlanStatus]] = {
    "submit": (frozenset({PlanStatus.DRAFT}), PlanStatus.PENDING_APPROVAL),
    "approve": (frozenset({PlanStatus.PENDING_APPROVAL, PlanStatus.UNDER_REVIEW}), PlanStatus.ACTIVE),
    "send-back": (frozenset({PlanStatus.PENDING_APPROVAL, PlanStatus.UNDER_REVIEW}), PlanStatus.DRAFT),
    "review": (frozenset({PlanStatus.ACTIVE}), PlanStatus.UNDER_REVIEW),
    "close": (frozenset({PlanStatus.ACTIVE}), PlanStatus.CLOSED),
    "reopen": (frozenset({PlanStatus.CLOSED}), PlanStatus.ACTIVE),
}
COORDINATOR_PLAN_ACTIONS = frozenset({"approve", "send-back"})
EDITABLE_PLAN_STATES = frozenset({PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW})


def check_plan_transition(action: str, status: PlanStatus) -> PlanStatus:
    sources, target = PLAN_TRANSITIONS[action]
    if status not in sources:
        allowed = [name for name, (src, _) in PLAN_TRANSITIONS.items() if status in src]
        raise Conflict(f"A plan that is {status.value} cannot be '{action}'", allowed=allowed)
    return target


# -- milestones -----------------------------------------------------------------------------------

MILESTONE_TRANSITIONS: dict[MilestoneStatus, frozenset[MilestoneStatus]] = {
    MilestoneStatus.PLANNED: frozenset(
        {MilestoneStatus.IN_PROGRESS, MilestoneStatus.DEFERRED, MilestoneStatus.CANCELLED}
    ),
    MilestoneStatus.IN_PROGRESS: frozenset(
        {
            MilestoneStatus.ACHIEVED,
            MilestoneStatus.PARTIALLY_ACHIEVED,
            MilestoneStatus.NOT_ACHIEVED,
            MilestoneStatus.DEFERRED,
            MilestoneStatus.CANCELLED,
        }
    ),
    MilestoneStatus.DEFERRED: frozenset({MilestoneStatus.PLANNED, MilestoneStatus.CANCELLED}),
    MilestoneStatus.ACHIEVED: frozenset(),
    MilestoneStatus.PARTIALLY_ACHIEVED: frozenset(),
    MilestoneStatus.NOT_ACHIEVED: frozenset(),
    MilestoneStatus.CANCELLED: frozenset(),
}
OPEN_MILESTONE_STATES = frozenset({MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS})


def check_milestone_transition(current: MilestoneStatus, target: MilestoneStatus) -> None:
    if target != current and target not in MILESTONE_TRANSITIONS[current]:
        allowed = sorted(status.value for status in MILESTONE_TRANSITIONS[current])
        raise Conflict(f"A milestone that is {current.value} cannot become {target.value}", allowed=allowed)


def milestone_overdue(status: MilestoneStatus, target: date | None, today: date) -> bool:
    """Overdue: the target date has passed while the milestone is still planned or in progress."""
    return status in OPEN_MILESTONE_STATES and target is not None and target < today
