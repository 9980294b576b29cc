"""JSON controllers of a case and its consents: open, list, look up by name, read, change, export and
de-identify a case; record, list and withdraw consents. Survivor data goes only to the roles DESIGN.md §4 names."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.auth.principal import account_only
from service.errors import FieldError, ValidationFailed
from service.etags import IfMatch, expected_version, with_etag
from service.idempotency import answered
from service.pagination import Page
from service.reintegration import cases, export
from service.reintegration.api_params import DEPENDENCIES, Creates, Paging, Work
from service.reintegration.case_models import (
    CaseStatus,
    CaseType,
    Consent,
    ConsentCreate,
    NameLookup,
    Survivor,
    SurvivorCreate,
    SurvivorPatch,
    SurvivorSummary,
)


class SurvivorController(Controller):
    path = "/api/v1/survivors"
    tags = ["cases"]
    guards = [account_only]
    dependencies = DEPENDENCIES

    @post(
        "/",
        summary="Open a case (caseworker, coordinator); identifiers are encrypted at rest."
        " Send an Idempotency-Key to make a retry safe",
    )
    async def create(self, work: Work, creator: Creates, data: JSONBody[SurvivorCreate]) -> Response[Survivor]:
        survivor, replayed = await work.create(creator, data, cases.create_case, cases.read_case, data)
        return answered(with_etag(survivor, HTTP_201_CREATED), replayed)

    @get("/", summary="Cases in scope: a caseworker's caseload, a coordinator's organization tree")
    async def list_cases(
        self,
        work: Work,
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
        return await work.run(cases.list_cases, query, paging)

    @post(
        "/lookup",
        status_code=HTTP_200_OK,
        summary="Cases in scope with exactly this name: a body, so the name never sits in a URL or an access log",
    )
    async def lookup(self, work: Work, paging: Paging, data: JSONBody[NameLookup]) -> Page[SurvivorSummary]:
        return await work.run(cases.list_cases, cases.CaseQuery(full_name=data.full_name), paging)

    @get("/{survivor_id:uuid}", summary="One case, identifiers decrypted (in scope only)")
    async def read(self, work: Work, survivor_id: FromPath[uuid.UUID]) -> Response[Survivor]:
        return with_etag(await work.run(cases.read_case, survivor_id))

    @patch("/{survivor_id:uuid}", summary="Change a case; send If-Match to refuse stale edits (412)")
    async def update(
        self, work: Work, survivor_id: FromPath[uuid.UUID], data: JSONBody[SurvivorPatch], if_match: IfMatch
    ) -> Response[Survivor]:
        return with_etag(await work.run(cases.patch_case, survivor_id, expected_version(if_match), data))

    @post(
        "/{survivor_id:uuid}/consents",
        status_code=HTTP_201_CREATED,
        summary="Record a consent; send an Idempotency-Key to make a retry safe",
    )
    async def add_consent(
        self, work: Work, creator: Creates, survivor_id: FromPath[uuid.UUID], data: JSONBody[ConsentCreate]
    ) -> Response[Consent]:
        return await work.created(
            creator,
            data,
            cases.record_consent,
            lambda conn, who, cipher, consent_id: cases.read_consent(conn, who, cipher, survivor_id, consent_id),
            survivor_id,
            data,
        )

    @get("/{survivor_id:uuid}/consents", summary="The case's consents, live or not")
    async def consents(self, work: Work, survivor_id: FromPath[uuid.UUID]) -> list[Consent]:
        return await work.run(cases.list_consents, survivor_id)

    @get("/{survivor_id:uuid}/export", summary="Everything held about the survivor, with its access log")
    async def export_case(self, work: Work, survivor_id: FromPath[uuid.UUID]) -> export.CaseExport:
        return await work.run(export.export_case, survivor_id)

    @post(
        "/{survivor_id:uuid}/deidentify",
        status_code=HTTP_200_OK,
        summary="Remove identifiers, keep history (coordinator)",
    )
    async def deidentify(self, work: Work, survivor_id: FromPath[uuid.UUID]) -> Survivor:
        return await work.run(cases.deidentify_case, survivor_id)


class ConsentController(Controller):
    path = "/api/v1/consents"
    tags = ["cases"]
    guards = [account_only]
    dependencies = DEPENDENCIES

    @post(
        "/{consent_id:uuid}/withdraw", status_code=HTTP_200_OK, summary="Withdraw a consent: stops new sharing at once"
    )
    async def withdraw(self, work: Work, consent_id: FromPath[uuid.UUID]) -> Consent:
        return await work.run(cases.withdraw_consent, consent_id)
