"""What a caseworker should do next, first things first: the overdue milestones, the follow-ups
that are due (or soon) and the referrals still waiting for a partner's answer, over the cases the
principal may see. It heads their case list, which is where they land after signing in."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import msgspec

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.directory import lookups as directory_lookups
from service.fields import Timestamp
from service.reintegration import rollup_repo
from service.reintegration.dashboard import DUE_SOON_DAYS, overdue_milestones
from service.reintegration.dashboard_models import DueFollowUp, OverdueMilestone
from service.reintegration.plans import today
from service.reintegration.scope import case_filter

LIMIT = 20  # a phone-length list; the dashboard and the case list hold the rest


class WaitingReferral(msgspec.Struct, kw_only=True, frozen=True):
    referral_id: uuid.UUID
    survivor_id: uuid.UUID
    case_code: str
    service_name: str
    organization_name: str
    due_at: Timestamp | None


class ToDo(msgspec.Struct, kw_only=True, frozen=True):
    today: date
    overdue_milestones: list[OverdueMilestone]
    follow_ups_due: list[DueFollowUp]
    referrals_waiting: list[WaitingReferral]

    @property
    def empty(self) -> bool:
        return not (self.overdue_milestones or self.follow_ups_due or self.referrals_waiting)


async def to_do(conn: Connection, principal: Principal, cipher: PersonalDataCipher) -> ToDo:
    """The principal's work in order of urgency; reading the milestone titles is audited."""
    scope = case_filter(principal, Action.VIEW_CASE)
    on = today()
    # the counters only serve the dashboard's totals: this short list needs none
    overdue, _total = await rollup_repo.overdue_milestones(conn, scope, {}, on, LIMIT)
    due, _due_total = await rollup_repo.follow_ups_due(conn, scope, on + timedelta(days=DUE_SOON_DAYS), LIMIT)
    waiting = await rollup_repo.referrals_waiting(conn, scope, LIMIT)
    listings = await directory_lookups.listing_names(conn, (r["service_id"] for r in waiting))
    partners = await directory_lookups.organization_names(conn, (r["receiving_organization_id"] for r in waiting))
    await audit.record(conn, principal, "read", "worklist", None, organization_id=principal.organization_id, details={})
    return ToDo(
        today=on,
        overdue_milestones=overdue_milestones(cipher, overdue),
        follow_ups_due=[
            DueFollowUp(survivor_id=r["survivor_id"], case_code=r["case_code"], next_date=r["next_date"]) for r in due
        ],
        referrals_waiting=[
            WaitingReferral(
                referral_id=r["id"],
                survivor_id=r["survivor_id"],
                case_code=r["case_code"],
                service_name=listings[r["service_id"]],
                organization_name=partners[r["receiving_organization_id"]],
                due_at=r["due_at"],
            )
            for r in waiting
        ],
    )
