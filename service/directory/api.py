"""JSON controllers of the directory: search, listings, organizations, places and taxonomy (the
reading and writing they do is in ``listings``, ``listing_search`` and ``organizations``)."""

from __future__ import annotations

import uuid
from typing import Annotated

import asyncpg
from litestar import Controller, Response, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from search.protocol import SearchBackend
from service import places
from service.auth.models import Principal
from service.auth.principal import account_only
from service.db import transact
from service.directory import listings, organizations, repo, rules, taxonomy
from service.directory.listing_search import SearchParams, run_search, search_params
from service.directory.models import (
    CapacityUpdate,
    Organization,
    OrganizationCreate,
    OrganizationPatch,
    Revision,
    SearchPage,
    Service,
    ServiceCreate,
    ServicePatch,
    TaxonomyTerm,
)
from service.etags import IfMatch, expected_version, with_etag
from service.idempotency import Creator, answered
from service.pagination import Page, PageParams


def listing_response(principal: Principal, shown: Service, status_code: int = 200) -> Response[Service]:
    """A listing as ``listings.present`` showed it to ``principal``, its ETag naming the view: the public's
    (confidential places redacted) never matches the staff's."""
    full = rules.may_see_restricted(principal, shown.organization_id)
    return with_etag(shown, status_code, None if full else "public")


class ReferenceController(Controller):
    path = "/api/v1"
    tags = ["places and taxonomy"]

    @get("/provinces", summary="The 34 provinces in force since 2025-07-01, with former names")
    async def provinces(self) -> list[places.Province]:
        return list(places.provinces())

    @get("/taxonomy", summary="Service categories (vi and en)")
    async def taxonomy(self) -> list[TaxonomyTerm]:
        return list(taxonomy.terms())


class ServiceController(Controller):
    path = "/api/v1/services"
    tags = ["directory"]
    dependencies = {"params": Provide(search_params, sync_to_thread=False)}

    @get("/", summary="Search the directory (public; staff see restricted listings)")
    async def search(
        self,
        principal: NamedDependency[Principal],
        search: NamedDependency[SearchBackend],
        params: NamedDependency[SearchParams],
        paging: NamedDependency[PageParams],
    ) -> SearchPage:
        return await run_search(search, params, paging, principal)

    @get("/{service_id:uuid}", summary="One listing (ETag = version)")
    async def get_service(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
    ) -> Response[Service]:
        async with pool.acquire() as conn:
            return listing_response(principal, await listings.readable_service(conn, principal, service_id))

    @post(
        "/",
        summary="Create a listing (partner of the organization, coordinator, admin);"
        " send an Idempotency-Key to make a retry safe",
        guards=[account_only],
    )
    async def create_service(
        self,
        creator: NamedDependency[Creator],
        principal: NamedDependency[Principal],
        data: JSONBody[ServiceCreate],
    ) -> Response[Service]:
        service, replayed = await creator.create(
            data,
            lambda conn: listings.create_service(conn, principal, data),
            repo.get_service,
        )
        return answered(listing_response(principal, listings.present(principal, service), HTTP_201_CREATED), replayed)

    @patch(
        "/{service_id:uuid}",
        summary="Change a listing (partner of the organization, coordinator, admin);"
        " send If-Match to refuse stale edits (412)",
        guards=[account_only],
    )
    async def patch_service(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
        data: JSONBody[ServicePatch],
        if_match: IfMatch,
    ) -> Response[Service]:
        expected = expected_version(if_match)
        service = await transact(pool, listings.patch_service, principal, service_id, expected, data)
        return listing_response(principal, listings.present(principal, service))

    @put(
        "/{service_id:uuid}/capacity",
        summary="Set beds free (partner of the organization, coordinator)",
        guards=[account_only],
    )
    async def set_capacity(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
        data: JSONBody[CapacityUpdate],
    ) -> Response[Service]:
        service = await transact(pool, listings.set_capacity, principal, service_id, data.available)
        return listing_response(principal, listings.present(principal, service))

    @post(
        "/{service_id:uuid}/verify",
        status_code=200,
        summary="Mark a listing verified now (coordinator, admin)",
        guards=[account_only],
    )
    async def verify(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
    ) -> Response[Service]:
        service = await transact(pool, listings.verify_service, principal, service_id)
        return listing_response(principal, listings.present(principal, service))

    @get("/{service_id:uuid}/revisions", summary="Who changed what, when (staff roles)", guards=[account_only])
    async def revisions(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
        paging: NamedDependency[PageParams],
    ) -> Page[Revision]:
        async with pool.acquire() as conn:
            items, total = await listings.revisions(
                conn, principal, service_id, limit=paging.per_page, offset=paging.offset
            )
        return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


class OrganizationController(Controller):
    path = "/api/v1/organizations"
    tags = ["directory"]

    @get("/", summary="List organizations (public)")
    async def list_organizations(
        self,
        pool: NamedDependency[asyncpg.Pool],
        paging: NamedDependency[PageParams],
        q: Annotated[str | None, QueryParameter(max_length=200, description="Part of the name")] = None,
    ) -> Page[Organization]:
        async with pool.acquire() as conn:
            items, total = await repo.list_organizations(conn, query=q, limit=paging.per_page, offset=paging.offset)
        return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)

    @get("/{organization_id:uuid}", summary="One organization (ETag = version)")
    async def get_organization(
        self, pool: NamedDependency[asyncpg.Pool], organization_id: FromPath[uuid.UUID]
    ) -> Response[Organization]:
        async with pool.acquire() as conn:
            return with_etag(await repo.get_organization(conn, organization_id))

    @post(
        "/",
        summary="Create an organization (coordinator, admin); send an Idempotency-Key to make a retry safe",
        guards=[account_only],
    )
    async def create_organization(
        self,
        creator: NamedDependency[Creator],
        principal: NamedDependency[Principal],
        data: JSONBody[OrganizationCreate],
    ) -> Response[Organization]:
        organization, replayed = await creator.create(
            data,
            lambda conn: organizations.create_organization(conn, principal, data),
            repo.get_organization,
        )
        return answered(with_etag(organization, HTTP_201_CREATED), replayed)

    @patch(
        "/{organization_id:uuid}",
        summary="Change an organization (its partners, coordinator, admin)",
        guards=[account_only],
    )
    async def patch_organization(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        organization_id: FromPath[uuid.UUID],
        data: JSONBody[OrganizationPatch],
        if_match: IfMatch,
    ) -> Response[Organization]:
        expected = expected_version(if_match)
        organization = await transact(
            pool, organizations.patch_organization, principal, organization_id, expected, data
        )
        return with_etag(organization)
