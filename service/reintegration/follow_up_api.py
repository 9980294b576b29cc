"""JSON controllers of follow-up visits and of oversight: record and list a case's follow-ups with their
survey scores, the survey's indicators, the dashboard of overdue and missing work, and the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from service import audit
from service.auth.principal import account_only
from service.db import transact
from service.pagination import Page
from service.reintegration import dashboard, export, followups
from service.reintegration.api_params import DEPENDENCIES, Creates, Paging, Pool, Who, Work
from service.reintegration.dashboard_models import Dashboard
from service.reintegration.follow_up_models import FollowUp, FollowUpCreate
from service.reintegration.rules import Scoring, scoring


class CaseFollowUpController(Controller):
    path = "/api/v1/survivors"
    tags = ["cases"]
    guards = [account_only]
    dependencies = DEPENDENCIES

    @post(
        "/{survivor_id:uuid}/follow-ups",
        status_code=HTTP_201_CREATED,
        summary="Record a follow-up visit and its survey; send an Idempotency-Key to make a retry safe",
    )
    async def add_follow_up(
        self, work: Work, creator: Creates, survivor_id: FromPath[uuid.UUID], data: JSONBody[FollowUpCreate]
    ) -> Response[FollowUp]:
        return await work.created(
            creator,
            data,
            followups.record_follow_up,
            lambda conn, who, cipher, follow_up_id: followups.read_follow_up(
                conn, who, cipher, survivor_id, follow_up_id
            ),
            survivor_id,
            data,
        )

    @get("/{survivor_id:uuid}/follow-ups", summary="Follow-ups, oldest first, with scores (the trend)")
    async def follow_ups(self, work: Work, survivor_id: FromPath[uuid.UUID]) -> list[FollowUp]:
        return await work.run(followups.list_follow_ups, survivor_id)


class DashboardController(Controller):
    path = "/api/v1"
    tags = ["dashboard"]
    dependencies = DEPENDENCIES

    @get(
        "/dashboard",
        summary="Overdue, stuck and missing work: caseload, organization tree or inbox",
        guards=[account_only],
    )
    async def dashboard(self, work: Work) -> Dashboard:
        return await work.run(dashboard.dashboard)

    @get("/audit", summary="The audit log (coordinators: their organization tree; admins: all)", guards=[account_only])
    async def audit_log(
        self,
        principal: Who,
        pool: Pool,
        paging: Paging,
        entity: Annotated[str | None, QueryParameter(max_length=40)] = None,
        entity_id: FromQuery[uuid.UUID | None] = None,
        survivor_id: FromQuery[uuid.UUID | None] = None,
    ) -> Page[audit.AuditEntry]:
        return await transact(
            pool, export.read_audit, principal, paging, entity=entity, entity_id=entity_id, survivor_id=survivor_id
        )

    @get("/sustainability/indicators", summary="Survey indicators: dimension, question (vi/en), answers, weight")
    async def indicators(self) -> Scoring:
        return scoring()
