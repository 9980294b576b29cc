"""JSON controller of referrals: refer a case to a service, a partner's inbox and the referrals in scope,
one referral with its history, and its transitions (receiver's and referrer's actions)."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from service.db import transact
from service.errors import NotFound
from service.pagination import Page
from service.reintegration import referrals
from service.reintegration.api_params import Cipher, Creates, Paging, Pool, Who
from service.reintegration.referral_models import Referral, ReferralCreate, ReferralStatus, TransitionRequest
from service.reintegration.workflow import REFERRAL_TRANSITIONS


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
        return await creator.created(
            data,
            lambda conn: referrals.create_referral(conn, principal, cipher, data),
            lambda conn, referral_id: referrals.read_referral(conn, principal, cipher, referral_id),
        )

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
