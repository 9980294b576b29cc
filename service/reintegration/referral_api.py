"""JSON controller of referrals: refer a case to a service, a partner's inbox and the referrals in scope,
one referral with its history, and its transitions (receiver's and referrer's actions)."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from service.auth.principal import account_only
from service.errors import NotFound
from service.pagination import Page
from service.reintegration import referrals
from service.reintegration.api_params import DEPENDENCIES, Creates, Paging, Work
from service.reintegration.referral_models import Referral, ReferralCreate, ReferralStatus, TransitionRequest
from service.reintegration.workflow import REFERRAL_TRANSITIONS


class ReferralController(Controller):
    path = "/api/v1/referrals"
    tags = ["referrals"]
    guards = [account_only]
    dependencies = DEPENDENCIES

    @post(
        "/",
        summary="Refer (403 without a live consent covering the receiving organization)."
        " Send an Idempotency-Key to make a retry safe",
    )
    async def create(self, work: Work, creator: Creates, data: JSONBody[ReferralCreate]) -> Response[Referral]:
        return await work.created(creator, data, referrals.create_referral, referrals.read_referral, data)

    @get("/", summary="A partner's inbox; a caseworker's or coordinator's referrals in scope")
    async def list_referrals(
        self,
        work: Work,
        paging: Paging,
        status: FromQuery[list[ReferralStatus] | None] = None,
        overdue: FromQuery[bool | None] = None,
    ) -> Page[Referral]:
        statuses = tuple(s.value for s in status or [])
        return await work.run(referrals.list_referrals, paging, statuses=statuses, overdue=overdue)

    @get("/{referral_id:uuid}", summary="One referral with its history (partners see the shared summary only)")
    async def read(self, work: Work, referral_id: FromPath[uuid.UUID]) -> Referral:
        return await work.run(referrals.read_referral, referral_id)

    @post(
        "/{referral_id:uuid}/{action:str}",
        status_code=HTTP_200_OK,
        summary="accept, decline, start, hold, resume, complete, not-complete (receiver); verify, withdraw (referrer)",
    )
    async def move(
        self,
        work: Work,
        referral_id: FromPath[uuid.UUID],
        action: FromPath[str],
        data: JSONBody[TransitionRequest | None] = None,
    ) -> Referral:
        if action not in REFERRAL_TRANSITIONS:
            raise NotFound("No such referral action")
        body = data or TransitionRequest()
        return await work.run(referrals.transition, referral_id, action, body)
