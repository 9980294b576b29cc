"""JSON controllers of reintegration: cases, consents, plans, milestones, entitlements, matches,
referrals, follow-ups, dashboard, audit. Survivor data goes only to the roles DESIGN.md §4 names."""

from __future__ import annotations

import uuid
from typing import Annotated

import asyncpg
from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service import audit
from service.auth.models import Principal
from service.crypto import PersonalDataCipher
from service.db import transact
from service.directory.rules import etag, expected_version
from service.errors import FieldError, NotFound, ValidationFailed
from service.idempotency import Creator, answered
from service.pagination import Page, PageParams
from service.reintegration import cases, dashboard, export, followups, matching, plans, referrals
from service.reintegration.models import (
    CaseStatus,
    CaseType,
    Consent,
    ConsentCreate,
    Dashboard,
    Entitlements,
    FollowUp,
    FollowUpCreate,
    Match,
    Milestone,
    MilestoneCreate,
    MilestoneDomain,
    MilestonePatch,
    NameLookup,
    Plan,
    PlanCreate,
    PlanNote,
    PlanSubmit,
    Referral,
    ReferralCreate,
    ReferralStatus,
    Survivor,
    SurvivorCreate,
    SurvivorPatch,
    SurvivorSummary,
    TransitionRequest,
)
from service.reintegration.rules import Scoring, scoring
from service.reintegration.workflow import REFERRAL_TRANSITIONS

Pool = NamedDependency[asyncpg.Pool]
Who = NamedDependency[Principal]
Cipher = NamedDependency[PersonalDataCipher]
Paging = NamedDependency[PageParams]
Creates = NamedDependency[Creator]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False)]


def with_etag(survivor: Survivor, status_code: int = HTTP_200_OK) -> Response[Survivor]:
    return Response(survivor, status_code=status_code, headers={"ETag": etag(survivor.version)})


class SurvivorController(Controller):
    path = "/api/v1/survivors"
    tags = ["cases"]

    @post(
        "/",
        summary="Open a case (caseworker, coordinator); identifiers are encrypted at rest."
        " Send an Idempotency-Key to make a retry safe",
    )
    async def create(
        self,
        creator: Creates,
        principal: Who,
        cipher: Cipher,
        data: JSONBody[SurvivorCreate],
    ) -> Response[Survivor]:
        survivor, replayed = await creator.create(
            data,
            lambda conn: cases.create_case(conn, principal, cipher, data),
            lambda conn, survivor_id: cases.read_case(conn, principal, cipher, survivor_id),
        )
        return answered(with_etag(survivor, HTTP_201_CREATED), replayed)

    @get("/", summary="Cases in scope: a caseworker's caseload, a coordinator's organization tree")
    async def list_cases(
        self,
        principal: Who,
        pool: Pool,
        cipher: Cipher,
        paging: Paging,
        status: FromQuery[CaseStatus | None] = None,
        case_type: FromQuery[CaseType | None] = None,
        province: Annotated[str | None, QueryParameter(max_length=60)] = None,
        q: Annotated[str | None, QueryParameter(max_length=30, description="Start of a case code")] = None,
        full_name: Annotated[
            str | None, QueryParameter(description="Refused: a name goes in the body of POST /api/v1/survivors/lookup")
        ] = None,
    ) -> Page[SurvivorSummary]:
        if full_name is not None:
            # a name in a URL ends up in access logs, proxies and browser history: refuse it
            # loudly rather than ignore it and answer with every case
            raise ValidationFailed(
                "Names are not accepted in URLs",
                errors=[FieldError(field="full_name", message="send it to POST /api/v1/survivors/lookup")],
            )
        query = cases.CaseQuery(status=status, case_type=case_type, province=province, q=q)
        return await transact(pool, cases.list_cases, principal, cipher, query, paging)

    @post(
        "/lookup",
        status_code=HTTP_200_OK,
        summary="Cases in scope with exactly this name: a body, so the name never sits in a URL or an access log",
    )
    async def lookup(
        self, principal: Who, pool: Pool, cipher: Cipher, paging: Paging, data: JSONBody[NameLookup]
    ) -> Page[SurvivorSummary]:
        query = cases.CaseQuery(full_name=data.full_name)
        return await transact(pool, cases.list_cases, principal, cipher, query, paging)

    @get("/{survivor_id:uuid}", summary="One case, identifiers decrypted (in scope only)")
    async def read(
        self, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
    ) -> Response[Survivor]:
        return with_etag(await transact(pool, cases.read_case, principal, cipher, survivor_id))

    @patch("/{survivor_id:uuid}", summary="Change a case; send If-Match to refuse stale edits (412)")
    async def update(
        self,
        principal: Who,
        pool: Pool,
        cipher: Cipher,
        survivor_id: FromPath[uuid.UUID],
        data: JSONBody[SurvivorPatch],
        if_match: IfMatch,
    ) -> Response[Survivor]:
        version = expected_version(if_match)
        return with_etag(await transact(pool, cases.patch_case, principal, cipher, survivor_id, version, data))

    @post(
        "/{survivor_id:uuid}/consents",
        status_code=HTTP_201_CREATED,
        summary="Record a consent; send an Idempotency-Key to make a retry safe",
    )
    async def add_consent(
        self,
        creator: Creates,
        principal: Who,
        cipher: Cipher,
        survivor_id: FromPath[uuid.UUID],
        data: JSONBody[ConsentCreate],
    ) -> Response[Consent]:
        consent, replayed = await creator.create(
            data,
            lambda conn: cases.record_consent(conn, principal, cipher, survivor_id, data),
            lambda conn, consent_id: cases.read_consent(conn, principal, cipher, survivor_id, consent_id),
        )
        return answered(Response(consent, status_code=HTTP_201_CREATED), replayed)

    @get("/{survivor_id:uuid}/consents", summary="The case's consents, live or not")
    async def consents(
        self, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
    ) -> list[Consent]:
        return await transact(pool, cases.list_consents, principal, cipher, survivor_id)

    @post(
        "/{survivor_id:uuid}/plans",
        status_code=HTTP_201_CREATED,
        summary="Draft the case's (next) plan; send an Idempotency-Key to make a retry safe",
    )
    async def create_plan(
        self,
        creator: Creates,
        principal: Who,
        cipher: Cipher,
        survivor_id: FromPath[uuid.UUID],
        data: JSONBody[PlanCreate],
    ) -> Response[Plan]:
        plan, replayed = await creator.create(
            data,
            lambda conn: plans.create_plan(conn, principal, cipher, survivor_id, data),
            lambda conn, plan_id: plans.read_plan(conn, principal, cipher, plan_id),
        )
        return answered(Response(plan, status_code=HTTP_201_CREATED), replayed)

    @get("/{survivor_id:uuid}/plans/current", summary="The current plan with its milestones")
    async def current_plan(self, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]) -> Plan:
        return await transact(pool, plans.read_current_plan, principal, cipher, survivor_id)

    @get("/{survivor_id:uuid}/entitlements", summary="Art. 37 support regimes due, and which milestones cover them")
    async def entitlements(self, principal: Who, pool: Pool, survivor_id: FromPath[uuid.UUID]) -> Entitlements:
        return await transact(pool, plans.entitlements, principal, survivor_id)

    @post(
        "/{survivor_id:uuid}/entitlements/milestones",
        status_code=HTTP_200_OK,
        summary="Add a planned milestone for every uncovered regime to the current plan",
    )
    async def propose(
        self, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
    ) -> Entitlements:
        return await transact(pool, plans.propose_entitlement_milestones, principal, cipher, survivor_id)

    @get("/{survivor_id:uuid}/matches", summary="Ranked services for a milestone (or a domain), with reasons")
    async def matches(
        self,
        principal: Who,
        pool: Pool,
        survivor_id: FromPath[uuid.UUID],
        milestone_id: FromQuery[uuid.UUID | None] = None,
        domain: FromQuery[MilestoneDomain | None] = None,
    ) -> list[Match]:
        return await transact(pool, matching.matches, principal, survivor_id, milestone_id=milestone_id, domain=domain)

    @post(
        "/{survivor_id:uuid}/follow-ups",
        status_code=HTTP_201_CREATED,
        summary="Record a follow-up visit and its survey; send an Idempotency-Key to make a retry safe",
    )
    async def add_follow_up(
        self,
        creator: Creates,
        principal: Who,
        cipher: Cipher,
        survivor_id: FromPath[uuid.UUID],
        data: JSONBody[FollowUpCreate],
    ) -> Response[FollowUp]:
        follow_up, replayed = await creator.create(
            data,
            lambda conn: followups.record_follow_up(conn, principal, cipher, survivor_id, data),
            lambda conn, follow_up_id: followups.read_follow_up(conn, principal, cipher, survivor_id, follow_up_id),
        )
        return answered(Response(follow_up, status_code=HTTP_201_CREATED), replayed)

    @get("/{survivor_id:uuid}/follow-ups", summary="Follow-ups, oldest first, with scores (the trend)")
    async def follow_ups(
        self, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
    ) -> list[FollowUp]:
        return await transact(pool, followups.list_follow_ups, principal, cipher, survivor_id)

    @get("/{survivor_id:uuid}/export", summary="Everything held about the survivor, with its access log")
    async def export_case(
        self, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
    ) -> export.CaseExport:
        return await transact(pool, export.export_case, principal, cipher, survivor_id)

    @post(
        "/{survivor_id:uuid}/deidentify",
        status_code=HTTP_200_OK,
        summary="Remove identifiers, keep history (coordinator)",
    )
    async def deidentify(
        self, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
    ) -> Survivor:
        return await transact(pool, cases.deidentify_case, principal, cipher, survivor_id)


class ConsentController(Controller):
    path = "/api/v1/consents"
    tags = ["cases"]

    @post(
        "/{consent_id:uuid}/withdraw", status_code=HTTP_200_OK, summary="Withdraw a consent: stops new sharing at once"
    )
    async def withdraw(self, principal: Who, pool: Pool, cipher: Cipher, consent_id: FromPath[uuid.UUID]) -> Consent:
        return await transact(pool, cases.withdraw_consent, principal, cipher, consent_id)


class PlanController(Controller):
    path = "/api/v1"
    tags = ["plans"]

    @post("/plans/{plan_id:uuid}/submit", status_code=HTTP_200_OK, summary="Submit with the survivor's agreement")
    async def submit(
        self, principal: Who, pool: Pool, cipher: Cipher, plan_id: FromPath[uuid.UUID], data: JSONBody[PlanSubmit]
    ) -> Plan:
        return await transact(pool, plans.transition_plan, principal, cipher, plan_id, "submit", data)

    @post("/plans/{plan_id:uuid}/approve", status_code=HTTP_200_OK, summary="Approve (coordinator)")
    async def approve(self, principal: Who, pool: Pool, cipher: Cipher, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await transact(pool, plans.transition_plan, principal, cipher, plan_id, "approve", None)

    @post("/plans/{plan_id:uuid}/send-back", status_code=HTTP_200_OK, summary="Send back with a note (coordinator)")
    async def send_back(
        self, principal: Who, pool: Pool, cipher: Cipher, plan_id: FromPath[uuid.UUID], data: JSONBody[PlanNote]
    ) -> Plan:
        return await transact(pool, plans.transition_plan, principal, cipher, plan_id, "send-back", data.note)

    @post("/plans/{plan_id:uuid}/review", status_code=HTTP_200_OK, summary="Put an active plan under review")
    async def review(self, principal: Who, pool: Pool, cipher: Cipher, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await transact(pool, plans.transition_plan, principal, cipher, plan_id, "review", None)

    @post("/plans/{plan_id:uuid}/close", status_code=HTTP_200_OK, summary="Close an active plan")
    async def close(self, principal: Who, pool: Pool, cipher: Cipher, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await transact(pool, plans.transition_plan, principal, cipher, plan_id, "close", None)

    @post("/plans/{plan_id:uuid}/reopen", status_code=HTTP_200_OK, summary="Reopen a closed plan")
    async def reopen(self, principal: Who, pool: Pool, cipher: Cipher, plan_id: FromPath[uuid.UUID]) -> Plan:
        return await transact(pool, plans.transition_plan, principal, cipher, plan_id, "reopen", None)

    @post(
        "/plans/{plan_id:uuid}/milestones",
        status_code=HTTP_201_CREATED,
        summary="Add a milestone; send an Idempotency-Key to make a retry safe",
    )
    async def add_milestone(
        self,
        creator: Creates,
        principal: Who,
        cipher: Cipher,
        plan_id: FromPath[uuid.UUID],
        data: JSONBody[MilestoneCreate],
    ) -> Response[Milestone]:
        milestone, replayed = await creator.create(
            data,
            lambda conn: plans.add_milestone(conn, principal, cipher, plan_id, data),
            lambda conn, milestone_id: plans.read_milestone(conn, principal, cipher, milestone_id),
        )
        return answered(Response(milestone, status_code=HTTP_201_CREATED), replayed)

    @patch("/milestones/{milestone_id:uuid}", summary="Move or change a milestone (409 lists allowed states)")
    async def patch_milestone(
        self,
        principal: Who,
        pool: Pool,
        cipher: Cipher,
        milestone_id: FromPath[uuid.UUID],
        data: JSONBody[MilestonePatch],
    ) -> Milestone:
        return await transact(pool, plans.patch_milestone, principal, cipher, milestone_id, data)


class ReferralController(Controller):
    path = "/api/v1/referrals"
    tags = ["referrals"]

    @post(
        "/",
        summary="Refer (403 without a live consent covering the receiving organization)."
        " Send an Idempotency-Key to make a retry safe",
    )
    async def create(
        self,
        creator: Creates,
        principal: Who,
        cipher: Cipher,
        data: JSONBody[ReferralCreate],
    ) -> Response[Referral]:
        referral, replayed = await creator.create(
            data,
            lambda conn: referrals.create_referral(conn, principal, cipher, data),
            lambda conn, referral_id: referrals.read_referral(conn, principal, cipher, referral_id),
        )
        return answered(Response(referral, status_code=HTTP_201_CREATED), replayed)

    @get("/", summary="A partner's inbox; a caseworker's or coordinator's referrals in scope")
    async def list_referrals(
        self,
        principal: Who,
        pool: Pool,
        cipher: Cipher,
        paging: Paging,
        status: FromQuery[list[ReferralStatus] | None] = None,
        overdue: FromQuery[bool | None] = None,
    ) -> Page[Referral]:
        statuses = tuple(s.value for s in status or [])
        return await transact(
            pool, referrals.list_referrals, principal, cipher, paging, statuses=statuses, overdue=overdue
        )

    @get("/{referral_id:uuid}", summary="One referral with its history (partners see the shared summary only)")
    async def read(self, principal: Who, pool: Pool, cipher: Cipher, referral_id: FromPath[uuid.UUID]) -> Referral:
        return await transact(pool, referrals.read_referral, principal, cipher, referral_id)

    @post(
        "/{referral_id:uuid}/{action:str}",
        status_code=HTTP_200_OK,
        summary="accept, decline, start, hold, resume, complete, not-complete (receiver); verify, withdraw (referrer)",
    )
    async def move(
        self,
        principal: Who,
        pool: Pool,
        cipher: Cipher,
        referral_id: FromPath[uuid.UUID],
        action: FromPath[str],
        data: JSONBody[TransitionRequest | None] = None,
    ) -> Referral:
        if action not in REFERRAL_TRANSITIONS:
            raise NotFound("No such referral action")
        body = data or TransitionRequest()
        return await transact(pool, referrals.transition, principal, cipher, referral_id, action, body)


class DashboardController(Controller):
    path = "/api/v1"
    tags = ["dashboard"]

    @get("/dashboard", summary="Overdue, stuck and missing work: caseload, organization tree or inbox")
    async def dashboard(self, principal: Who, pool: Pool, cipher: Cipher) -> Dashboard:
        return await transact(pool, dashboard.dashboard, principal, cipher)

    @get("/audit", summary="The audit log (coordinators: their organization tree; admins: all)")
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
