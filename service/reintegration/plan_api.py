"""JSON controllers of a case's reintegration plan: draft it, its transitions (submit, approve, send back,
review, close, reopen), milestones, the Art. 37 entitlements they cover and the services matched to them."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.auth.principal import account_only
from service.db import transact
from service.reintegration import matching, plans
from service.reintegration.api_params import DEPENDENCIES, Creates, Pool, Who, Work
from service.reintegration.plan_models import (
    Entitlements,
    Milestone,
    MilestoneCreate,
    MilestoneDomain,
    MilestonePatch,
    Plan,
    PlanCreate,
    PlanNote,
    PlanSubmit,
)
from service.reintegration.referral_models import Match


class CasePlanController(Controller):
    path = "/api/v1/survivors"
    tags = ["cases"]
    guards = [account_only]
    dependencies = DEPENDENCIES

    @post(
        "/{survivor_id:uuid}/plans",
        status_code=HTTP_201_CREATED,
        summary="Draft the case's (next) plan; send an Idempotency-Key to make a retry safe",
    )
    async def create_plan(
        self, work: Work, creator: Creates, survivor_id: FromPath[uuid.UUID], data: JSONBody[PlanCreate]
    ) -> Response[Plan]:
        return await work.created(creator, data, plans.create_plan, plans.read_plan, survivor_id, data)

    @get("/{survivor_id:uuid}/plans/current", summary="The current plan with its milestones")
    async def current_plan(self, work: Work, survivor_id: FromPath[uuid.UUID]) -> Plan:
        return await work.run(plans.read_current_plan, survivor_id)

    @get("/{survivor_id:uuid}/entitlements", summary="Art. 37 support regimes due, and which milestones cover them")
    async def entitlements(self, principal: Who, pool: Pool, survivor_id: FromPath[uuid.UUID]) -> Entitlements:
        return await transact(pool, plans.entitlements, principal, survivor_id)

    @post(
        "/{survivor_id:uuid}/entitlements/milestones",
        status_code=HTTP_200_OK,
        summary="Add a planned milestone for every uncovered regime to the current plan",
    )
    async def propose(self, work: Work, survivor_id: FromPath[uuid.UUID]) -> Entitlements:
        return await work.run(plans.propose_entitlement_milestones, survivor_id)

    @get(
        "/{survivor_id:uuid}/matches",
        summary="Ranked services for a milestone (or a domain), with reasons; 400 when neither is named",
    )
    async def matches(
        self,
        principal: Who,
        pool: Pool,
        survivor_id: FromPath[uuid.UUID],
        milestone_id: Annotated[
            uuid.UUID | None,
            QueryParameter(description="The milestone to match (its domain is used); this or `domain` is required"),
        ] = None,
        domain: Annotated[
            MilestoneDomain | None,
            QueryParameter(
                description="The need to match when no milestone is named; this or `milestone_id` is required"
            ),
        ] = None,
    ) -> list[Match]:
        return await transact(pool, matching.matches, principal, survivor_id, milestone_id=milestone_id, domain=domain)


class PlanController(Controller):
    path = "/api/v1"
    tags = ["plans"]
    guards = [account_only]
    dependencies = DEPENDENCIES

    @post("/plans/{plan_id:uuid}/submit", status_code=HTTP_200_OK, summary="Submit with the survivor's agreement")
    async def submit(self, work: Work, plan_id: FromPath[uuid.UUID], data: JSONBody[PlanSubmit]) -> Plan:
        return await work.run(plans.transition_plan, plan_id, "submit", data)

    @post("/plans/{plan_id:uuid}/approve", status_code=HTTP_200_OK, summary="Approve (coordinator)")
    async def approve(self, work: Work, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await work.run(plans.transition_plan, plan_id, "approve", None)

    @post("/plans/{plan_id:uuid}/send-back", status_code=HTTP_200_OK, summary="Send back with a note (coordinator)")
    async def send_back(self, work: Work, plan_id: FromPath[uuid.UUID], data: JSONBody[PlanNote]) -> Plan:
        return await work.run(plans.transition_plan, plan_id, "send-back", data.note)

    @post("/plans/{plan_id:uuid}/review", status_code=HTTP_200_OK, summary="Put an active plan under review")
    async def review(self, work: Work, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await work.run(plans.transition_plan, plan_id, "review", None)

    @post("/plans/{plan_id:uuid}/close", status_code=HTTP_200_OK, summary="Close an active plan")
    async def close(self, work: Work, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await work.run(plans.transition_plan, plan_id, "close", None)

    @post("/plans/{plan_id:uuid}/reopen", status_code=HTTP_200_OK, summary="Reopen a closed plan")
    async def reopen(self, work: Work, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await work.run(plans.transition_plan, plan_id, "reopen", None)

    @post(
        "/plans/{plan_id:uuid}/milestones",
        status_code=HTTP_201_CREATED,
        summary="Add a milestone; send an Idempotency-Key to make a retry safe",
    )
    async def add_milestone(
        self, work: Work, creator: Creates, plan_id: FromPath[uuid.UUID], data: JSONBody[MilestoneCreate]
    ) -> Response[Milestone]:
        return await work.created(creator, data, plans.add_milestone, plans.read_milestone, plan_id, data)

    @patch("/milestones/{milestone_id:uuid}", summary="Move or change a milestone (409 lists allowed states)")
    async def patch_milestone(
        self, work: Work, milestone_id: FromPath[uuid.UUID], data: JSONBody[MilestonePatch]
    ) -> Milestone:
        return await work.run(plans.patch_milestone, milestone_id, data)
