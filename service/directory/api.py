"""JSON controllers of the directory: search, listings, organizations, places and taxonomy."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import asyncpg
import msgspec
from litestar import Controller, Response, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from search.protocol import SearchBackend, SearchQuery, Sort
from service import places
from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.db import Connection, transact
from service.directory import commands, repo, rules, taxonomy
from service.directory.models import (
    CapacityUpdate,
    Facets,
    Fee,
    Organization,
    OrganizationCreate,
    OrganizationPatch,
    OrganizationRef,
    Population,
    Revision,
    SearchPage,
    Service,
    ServiceCreate,
    ServicePatch,
    ServiceSummary,
    TaxonomyTerm,
    Visibility,
)
from service.errors import FieldError, NotFound, ValidationFailed
from service.idempotency import Creator, answered
from service.pagination import Page, PageParams

IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", required=False, description='ETag of the version you edited, e.g. "3"'),
]


Versioned = TypeVar("Versioned", Service, Organization)


def with_etag(body: Versioned, status_code: int = 200) -> Response[Versioned]:
    return Response(body, status_code=status_code, headers={"ETag": rules.etag(body.version)})


def listing_response(principal: Principal, shown: Service, status_code: int = 200) -> Response[Service]:
    """A listing as ``present`` showed it to ``principal``, its ETag naming the view: the public's
    (confidential places redacted) never matches the staff's."""
    full = rules.may_see_restricted(principal, shown.organization_id)
    tag = rules.etag(shown.version, None if full else "public")
    return Response(shown, status_code=status_code, headers={"ETag": tag})


LANGUAGE = re.compile(r"[a-z]{2,3}")
NEAR = re.compile(r"-?\d+(\.\d+)?,-?\d+(\.\d+)?")


class SearchParams(msgspec.Struct, frozen=True, kw_only=True):
    q: str
    category: list[str]
    province: list[str]
    population: list[Population]
    language: str | None
    fee: Fee | None
    open_now: bool | None
    accepting_referrals: bool | None
    has_capacity: bool | None
    near: str | None
    radius_km: float | None
    sort: Sort
    organization_id: list[uuid.UUID] = []
    modified_after: datetime | None = None  # set by the HSDS API; not a parameter of the search endpoint


def search_params(
    q: Annotated[str, QueryParameter(max_length=200, description="Words, with or without diacritics")] = "",
    category: Annotated[list[str] | None, QueryParameter(description="Taxonomy code; repeatable")] = None,
    province: Annotated[
        list[str] | None, QueryParameter(description="Code, current or former name; repeatable")
    ] = None,
    population: Annotated[list[Population] | None, QueryParameter(description="Repeatable")] = None,
    language: Annotated[str | None, QueryParameter(max_length=3, description="ISO 639 code")] = None,
    fee: FromQuery[Fee | None] = None,
    open_now: Annotated[bool | None, QueryParameter(description="Open now in Asia/Ho_Chi_Minh time")] = None,
    accepting_referrals: FromQuery[bool | None] = None,
    has_capacity: Annotated[bool | None, QueryParameter(description="Beds free (capacity_available > 0)")] = None,
    near: Annotated[str | None, QueryParameter(max_length=60, description="lat,lon")] = None,
    radius_km: Annotated[float | None, QueryParameter(gt=0, le=2000)] = None,
    sort: FromQuery[Sort] = Sort.RELEVANCE,
    organization_id: Annotated[
        list[uuid.UUID] | None, QueryParameter(description="Only this organization's listings; repeatable")
    ] = None,
) -> SearchParams:
    # an empty field is an unset one: plain forms (and htmx) send every input, filled or not
    return SearchParams(
        q=q,
        category=[c for c in category or [] if c],
        province=[p for p in province or [] if p.strip()],
        population=population or [],
        language=language or None,
        fee=fee,
        open_now=open_now,
        accepting_referrals=accepting_referrals,
        has_capacity=has_capacity,
        near=near or None,
        radius_km=radius_km,
        sort=sort,
        organization_id=organization_id or [],
    )


def build_query(
    params: SearchParams, paging: PageParams, principal: Principal, now: datetime, *, exhaustive: bool = False
) -> SearchQuery:
    """Validate the filters against the reference data and turn them into a backend query
    (``exhaustive``: see ``SearchQuery``)."""
    errors: list[FieldError] = []
    unknown = [code for code in params.category if code not in taxonomy.codes()]
    if unknown:
        errors.append(FieldError(field="category", message=f"unknown category: {', '.join(unknown)}"))
    provinces: list[str] = []
    try:
        provinces = rules.normalize_areas(params.province, field="province")
    except ValidationFailed as exc:
        errors += exc.errors
    if params.language is not None and not LANGUAGE.fullmatch(params.language):
        errors.append(FieldError(field="language", message="an ISO 639 code such as vi or km"))
    near: tuple[float, float] | None = None
    if params.near is not None:
        if not NEAR.fullmatch(params.near):
            errors.append(FieldError(field="near", message="lat,lon in degrees, e.g. 10.03,105.78"))
        else:
            lat, lon = (float(part) for part in params.near.split(","))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                errors.append(FieldError(field="near", message="latitude or longitude out of range"))
            near = (lat, lon)
    if params.radius_km is not None and near is None:
        errors.append(FieldError(field="radius_km", message="needs near=lat,lon"))
    if params.sort is Sort.DISTANCE and near is None:
        errors.append(FieldError(field="sort", message="sorting by distance needs near=lat,lon"))
    if errors:
        raise ValidationFailed("Invalid search filters", errors=errors)
    named_categories, named_populations = rules.named_kinds(params.q)
    return SearchQuery(
        text=params.q,
        named_categories=named_categories,
        named_populations=named_populations,
        categories=tuple(params.category),
        provinces=tuple(provinces),
        populations=tuple(p.value for p in params.population),
        language=params.language,
        fee=params.fee.value if params.fee else None,
        open_at_minute=rules.minute_of_week(now) if params.open_now else None,
        accepting_referrals=params.accepting_referrals,
        has_capacity=params.has_capacity,
        organization_ids=tuple(params.organization_id),
        modified_after=params.modified_after,
        near=near,
        radius_km=params.radius_km,
        sort=params.sort,
        page=paging.page,
        per_page=paging.per_page,
        viewer=rules.viewer(principal),
        exhaustive=exhaustive,
    )


def present(principal: Principal, service: Service) -> Service:
    """A listing as ``principal`` sees it: confidential locations redacted, staleness worked out now."""
    may_see = rules.may_see_restricted(principal, service.organization_id)
    return msgspec.structs.replace(
        rules.redact(service, may_see_restricted=may_see),
        stale=rules.is_stale(service.last_verified_at, datetime.now(UTC)),
    )


def _readable(principal: Principal, service: Service) -> bool:
    return service.visibility is not Visibility.STAFF or rules.may_see_restricted(principal, service.organization_id)


async def readable_service(conn: Connection, principal: Principal, service_id: uuid.UUID) -> Service:
    """The listing if ``principal`` may read it: staff-only listings are 404 to outsiders."""
    service = await repo.get_service(conn, service_id)
    if not _readable(principal, service):
        raise NotFound("No such service")
    return present(principal, service)


async def readable_services(conn: Connection, principal: Principal, service_ids: Sequence[uuid.UUID]) -> list[Service]:
    """``readable_service`` for many listings in one query: those ``principal`` may read, in the
    order of ``service_ids`` (missing and hidden ones left out)."""
    found = {service.id: service for service in await repo.get_services(conn, service_ids)}
    return [
        present(principal, service)
        for service_id in service_ids
        if (service := found.get(service_id)) is not None and _readable(principal, service)
    ]


async def run_search(
    search: SearchBackend, params: SearchParams, paging: PageParams, principal: Principal, *, exhaustive: bool = False
) -> SearchPage:
    """Search as ``principal``: the API answer, the search page and the HSDS list all come from here."""
    now = datetime.now(UTC)
    result = await search.search(build_query(params, paging, principal, now, exhaustive=exhaustive))
    items = [
        ServiceSummary(
            id=hit.service_id,
            name=hit.name,
            organization=OrganizationRef(id=hit.organization_id, name=hit.organization_name),
            categories=hit.categories,
            populations=hit.populations,
            provinces=hit.provinces,
            hotlines=hit.hotlines,
            accepting_referrals=hit.accepting_referrals,
            capacity_available=hit.capacity_available,
            last_verified_at=hit.last_verified_at,
            stale=rules.is_stale(hit.last_verified_at, now),
            distance_km=round(hit.distance_km, 2) if hit.distance_km is not None else None,
        )
        for hit in result.hits
    ]
    return SearchPage(
        items=items,
        total=result.total,
        page=paging.page,
        per_page=paging.per_page,
        facets=Facets(**result.facets),
        took_ms=result.took_ms,
        estimated=result.estimated,
        pageable=result.reachable,
    )


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
            return listing_response(principal, await readable_service(conn, principal, service_id))

    @post(
        "/",
        summary="Create a listing (partner of the organization, coordinator, admin);"
        " send an Idempotency-Key to make a retry safe",
    )
    async def create_service(
        self,
        creator: NamedDependency[Creator],
        principal: NamedDependency[Principal],
        data: JSONBody[ServiceCreate],
    ) -> Response[Service]:
        service, replayed = await creator.create(
            data,
            lambda conn: commands.create_service(conn, principal, data),
            repo.get_service,
        )
        return answered(listing_response(principal, present(principal, service), HTTP_201_CREATED), replayed)

    @patch("/{service_id:uuid}", summary="Change a listing; send If-Match to refuse stale edits (412)")
    async def patch_service(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
        data: JSONBody[ServicePatch],
        if_match: IfMatch,
    ) -> Response[Service]:
        expected = rules.expected_version(if_match)
        service = await transact(pool, commands.patch_service, principal, service_id, expected, data)
        return listing_response(principal, present(principal, service))

    @put("/{service_id:uuid}/capacity", summary="Set beds free (partner of the organization, coordinator)")
    async def set_capacity(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
        data: JSONBody[CapacityUpdate],
    ) -> Response[Service]:
        service = await transact(pool, commands.set_capacity, principal, service_id, data.available)
        return listing_response(principal, present(principal, service))

    @post("/{service_id:uuid}/verify", status_code=200, summary="Mark a listing verified now (coordinator, admin)")
    async def verify(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
    ) -> Response[Service]:
        service = await transact(pool, commands.verify_service, principal, service_id)
        return listing_response(principal, present(principal, service))

    @get("/{service_id:uuid}/revisions", summary="Who changed what, when (staff roles)")
    async def revisions(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
        paging: NamedDependency[PageParams],
    ) -> Page[Revision]:
        async with pool.acquire() as conn:
            found = await repo.organization_of_service(conn, service_id)
            if found is None:
                raise NotFound("No such service")
            organization_id, visibility = found
            hidden = visibility == Visibility.STAFF and not rules.may_see_restricted(principal, organization_id)
            check(principal, Action.VIEW_REVISIONS, organization_id, hide=hidden)
            items, total = await repo.list_revisions(conn, service_id, limit=paging.per_page, offset=paging.offset)
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

    @post("/", summary="Create an organization (coordinator, admin); send an Idempotency-Key to make a retry safe")
    async def create_organization(
        self,
        creator: NamedDependency[Creator],
        principal: NamedDependency[Principal],
        data: JSONBody[OrganizationCreate],
    ) -> Response[Organization]:
        organization, replayed = await creator.create(
            data,
            lambda conn: commands.create_organization(conn, principal, data),
            repo.get_organization,
        )
        return answered(with_etag(organization, HTTP_201_CREATED), replayed)

    @patch("/{organization_id:uuid}", summary="Change an organization (its partners, coordinator, admin)")
    async def patch_organization(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        organization_id: FromPath[uuid.UUID],
        data: JSONBody[OrganizationPatch],
        if_match: IfMatch,
    ) -> Response[Organization]:
        expected = rules.expected_version(if_match)
        organization = await transact(pool, commands.patch_organization, principal, organization_id, expected, data)
        return with_etag(organization)
