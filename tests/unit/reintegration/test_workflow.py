"""Referral, plan and milestone state machines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from service.errors import Conflict, ValidationFailed
from service.reintegration import workflow
from service.reintegration.plan_models import MilestoneStatus, PlanStatus
from service.reintegration.referral_models import ReferralStatus, Urgency
from service.reintegration.workflow import Side

R = ReferralStatus
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.mark.parametrize(("urgency", "days"), [(Urgency.EMERGENCY, 1), (Urgency.URGENT, 3), (Urgency.ROUTINE, 7)])
def test_response_is_due_in_1_3_or_7_days(urgency: Urgency, days: int) -> None:
    assert workflow.due_at(NOW, urgency) == NOW + timedelta(days=days)


def test_a_sent_referral_past_its_due_time_is_expired() -> None:
    assert workflow.effective_status(R.SENT, NOW, NOW) is R.EXPIRED
    assert workflow.effective_status(R.SENT, NOW + timedelta(seconds=1), NOW) is R.SENT
    assert workflow.effective_status(R.ACCEPTED, NOW - timedelta(days=9), NOW) is R.ACCEPTED


# (status, side) -> the actions allowed, exactly as DESIGN.md §3 draws the referral flow
ALLOWED = {
    (R.SENT, Side.RECEIVER): ["accept", "decline"],
    (R.SENT, Side.REFERRER): ["withdraw"],
    (R.ACCEPTED, Side.RECEIVER): ["start", "complete", "not-complete"],
    (R.IN_PROGRESS, Side.RECEIVER): ["hold", "complete", "not-complete"],
    (R.ON_HOLD, Side.RECEIVER): ["resume", "not-complete"],
    (R.ON_HOLD, Side.REFERRER): ["withdraw"],
    (R.COMPLETED, Side.REFERRER): ["verify"],
    (R.COMPLETED, Side.RECEIVER): [],
    (R.DECLINED, Side.REFERRER): [],
    (R.EXPIRED, Side.RECEIVER): [],
    (R.VERIFIED, Side.REFERRER): [],
    (R.WITHDRAWN, Side.RECEIVER): [],
}


@pytest.mark.parametrize(("status", "side"), list(ALLOWED))
def test_allowed_actions_follow_the_design(status: ReferralStatus, side: Side) -> None:
    assert workflow.allowed_actions(status, side, sharing_live=True) == ALLOWED[(status, side)]


@pytest.mark.parametrize("status", [R.SENT, R.ACCEPTED, R.IN_PROGRESS, R.ON_HOLD])
def test_the_receiver_has_no_step_once_sharing_ended(status: ReferralStatus) -> None:
    assert workflow.allowed_actions(status, Side.RECEIVER, sharing_live=False) == []
    assert workflow.allowed_actions(status, Side.REFERRER, sharing_live=False) == ["withdraw"]
    with pytest.raises(Conflict) as caught:
        workflow.check_transition("decline", status, Side.RECEIVER, "other", "", sharing_live=False)
    assert caught.value.allowed == []


def test_an_invalid_transition_is_a_conflict_naming_the_allowed_ones() -> None:
    with pytest.raises(Conflict) as caught:
        workflow.check_transition("complete", R.SENT, Side.RECEIVER, None, "", sharing_live=True)
    assert caught.value.allowed == ["accept", "decline"]


def test_the_other_side_cannot_take_a_step() -> None:
    with pytest.raises(Conflict):
        workflow.check_transition("accept", R.SENT, Side.REFERRER, None, "", sharing_live=True)


@pytest.mark.parametrize(
    ("action", "status", "reason"),
    [
        ("decline", R.SENT, None),
        ("decline", R.SENT, "bored"),
        ("not-complete", R.IN_PROGRESS, "no_capacity"),
        ("accept", R.SENT, "other"),  # a step without reasons takes none
    ],
)
def test_declining_and_not_completing_need_a_coded_reason(
    action: str, status: ReferralStatus, reason: str | None
) -> None:
    with pytest.raises(ValidationFailed):
        workflow.check_transition(action, status, Side.RECEIVER, reason, "", sharing_live=True)


def test_withdrawing_needs_a_note() -> None:
    with pytest.raises(ValidationFailed):
        workflow.check_transition("withdraw", R.SENT, Side.REFERRER, None, "  ", sharing_live=True)
    moved = workflow.check_transition("withdraw", R.SENT, Side.REFERRER, None, "moved away", sharing_live=True)
    assert moved.target is R.WITHDRAWN
    coded = workflow.check_transition("withdraw", R.SENT, Side.REFERRER, "other", "moved away", sharing_live=True)
    assert coded.target is R.WITHDRAWN
    with pytest.raises(ValidationFailed):
        workflow.check_transition("withdraw", R.SENT, Side.REFERRER, "12 Lê Lợi", "moved away", sharing_live=True)


def test_the_partner_sees_the_summary_until_access_ends() -> None:
    def visible(status: ReferralStatus, completed_at: datetime | None, now: datetime, live: bool = True) -> bool:
        return workflow.summary_visible_to_receiver(status, completed_at, now, sharing_live=live)

    assert visible(R.ACCEPTED, None, NOW)
    for ended in (R.DECLINED, R.EXPIRED, R.WITHDRAWN):
        assert not visible(ended, None, NOW)
    assert visible(R.COMPLETED, NOW - timedelta(days=30), NOW)
    assert not visible(R.VERIFIED, NOW - timedelta(days=31), NOW)
    assert not visible(R.ACCEPTED, None, NOW, live=False)  # the consent is gone
    assert not visible(R.COMPLETED, NOW - timedelta(days=1), NOW, live=False)


def test_plan_transitions() -> None:
    assert workflow.check_plan_transition("submit", PlanStatus.DRAFT) is PlanStatus.PENDING_APPROVAL
    assert workflow.check_plan_transition("approve", PlanStatus.UNDER_REVIEW) is PlanStatus.ACTIVE
    assert workflow.check_plan_transition("reopen", PlanStatus.CLOSED) is PlanStatus.ACTIVE
    with pytest.raises(Conflict) as caught:
        workflow.check_plan_transition("close", PlanStatus.DRAFT)
    assert caught.value.allowed == ["submit"]


def test_milestone_transitions_and_deferral_back_to_planned() -> None:
    workflow.check_milestone_transition(MilestoneStatus.DEFERRED, MilestoneStatus.PLANNED)
    workflow.check_milestone_transition(MilestoneStatus.IN_PROGRESS, MilestoneStatus.PARTIALLY_ACHIEVED)
    with pytest.raises(Conflict):
        workflow.check_milestone_transition(MilestoneStatus.ACHIEVED, MilestoneStatus.IN_PROGRESS)


def test_overdue_means_past_target_and_still_open() -> None:
    today = date(2026, 11, 22)
    assert workflow.milestone_overdue(MilestoneStatus.PLANNED, date(2026, 11, 21), today)
    assert not workflow.milestone_overdue(MilestoneStatus.PLANNED, today, today)
    assert not workflow.milestone_overdue(MilestoneStatus.ACHIEVED, date(2026, 1, 1), today)
    assert not workflow.milestone_overdue(MilestoneStatus.IN_PROGRESS, None, today)


def test_completing_an_accepted_referral_records_its_start_first() -> None:
    assert workflow.steps("complete", R.ACCEPTED) == [
        ("start", R.ACCEPTED, R.IN_PROGRESS),
        ("complete", R.IN_PROGRESS, R.COMPLETED),
    ]
    assert workflow.steps("complete", R.IN_PROGRESS) == [("complete", R.IN_PROGRESS, R.COMPLETED)]
    assert workflow.steps("accept", R.SENT) == [("accept", R.SENT, R.ACCEPTED)]
