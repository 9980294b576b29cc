"""Data-subject requests: everything held about one survivor, with who accessed it; and the audit
log as coordinators and admins read it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action, organizations_for
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.pagination import Page, PageParams
from service.reintegration import consent_repo, follow_up_repo, free_text, plan_repo, referral_repo
from service.reintegration.case_models import Consent, Survivor
from service.reintegration.cases import to_consent
from service.reintegration.follow_up_models import FollowUp
from service.reintegration.followups import to_follow_up
from service.reintegration.identity import to_survivor
from service.reintegration.plan_models import Milestone
from service.reintegration.plans import to_milestone, today
from service.reintegration.referral_models import Referral
from service.reintegration.referrals import views
from service.reintegration.scope import audit_case, case_for
from service.reintegration.workflow import Side


class ExportedPlan(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    number: int
    status: str
    notes: str
    created_at: datetime
    milestones: list[Milestone]


class CaseExport(msgspec.Struct, kw_only=True, frozen=True):
    exported_at: datetime
    survivor: Survivor
    consents: list[Consent]
    plans: list[ExportedPlan]
    referrals: list[Referral]
    follow_ups: list[FollowUp]
    access_log: list[audit.AuditEntry]


async def export_case(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> CaseExport:
    case = await case_for(conn, principal, survivor_id, Action.VIEW_CASE)
    await audit_case(conn, principal, case, "export", "survivor", survivor_id)
    now = datetime.now(UTC)
    plan_rows = await plan_repo.plans_of(conn, survivor_id)
    milestones = await plan_repo.milestones(conn, [row["id"] for row in plan_rows])
    plans = [
        ExportedPlan(
            id=p["id"],
            number=p["number"],
            status=p["status"],
            notes=free_text.PLAN.reveal(cipher, p, "notes"),
            created_at=p["created_at"],
            milestones=[to_milestone(cipher, m, today()) for m in milestones if m["plan_id"] == p["id"]],
        )
        for p in plan_rows
    ]
    referral_rows, _ = await referral_repo.list_referrals(
        conn, referral_repo.ReferralFilter(survivor_id=survivor_id), limit=10_000, offset=0
    )
    entries, _ = await audit.entries(conn, survivor_id=survivor_id, organizations=None, limit=10_000, offset=0)
    return CaseExport(
        exported_at=now,
        survivor=to_survivor(cipher, case),
        consents=[to_consent(cipher, row, now) for row in await consent_repo.list_consents(conn, survivor_id)],
        plans=plans,
        referrals=await views(conn, cipher, referral_rows, Side.REFERRER, now),
        follow_ups=[to_follow_up(cipher, row) for row in await follow_up_repo.list_follow_ups(conn, survivor_id)],
        access_log=entries,
    )


async def read_audit(
    conn: Connection,
    principal: Principal,
    paging: PageParams,
    *,
    entity: str | None,
    entity_id: uuid.UUID | None,
    survivor_id: uuid.UUID | None,
) -> Page[audit.AuditEntry]:
    """Admins read all of it; a coordinator the entries of their organization tree."""
    organizations = organizations_for(principal, Action.VIEW_AUDIT)
    items, total = await audit.entries(
        conn,
        survivor_id=survivor_id,
        entity=entity,
        entity_id=entity_id,
        organizations=organizations,
        limit=paging.per_page,
        offset=paging.offset,
    )
    # who looked at whom is itself sensitive: the read is recorded after it, so it does not list itself
    filters = {"entity": entity, "entity_id": entity_id, "survivor_id": survivor_id}
    await audit.record(
        conn,
        principal,
        "audit.read",
        "audit_log",
        None,
        survivor_id=survivor_id,
        organization_id=principal.organization_id,
        details={"filters": {name: value for name, value in filters.items() if value is not None}, "page": paging.page},
    )
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)
