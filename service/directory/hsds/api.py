"""The directory as an Open Referral HSDS 3.0 API (HSDA): ``/``, ``/services``, ``/services/{id}``."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from search.protocol import SearchBackend
from service import rate_limit
from service.auth.models import Principal
from service.directory import repo, rules
from service.directory.hsds import kept, records, terms
from service.directory.listing_search import SearchParams, run_search
from service.directory.listings import readable_service, readable_services
from service.directory.models import Organization, Service
from service.errors import FieldError, ValidationFailed
from service.pagination import MAX_PER_PAGE, PageParams

NDJSON = "application/x-ndjson"
# Anonymous callers may list this many pages per client address and window (a harvester of the
# whole directory needs a handful at 100 a page); signed-in callers are accountable and unlimited.
BUCKET = "hsds-list"
ANONYMOUS_LIMIT = 100
WINDOW = timedelta(minutes=15)
# Which HSDS version each endpoint follows (all under the Kết Nối profile): the root says so.
ENDPOINTS = [
    {"method": "GET", "path": "/api/v1/hsds/services", "version": "3.0", "profile": terms.PROFILE_URI},
    {"method": "POST", "path": "/api/v1/hsds/services", "version": "3.1", "profile": terms.PROFILE_URI},
    {"method": "GET", "path": "/api/v1/hsds/services/{id}", "version": "3.0", "profile": terms.PROFILE_URI},
]


class HsdsFormat(enum.StrEnum):
    JSON = "json"
    NDJSON = "ndjson"


@dataclass
class PageOrLines(Operation):
    """``/services`` answers a JSON page, or with ``format=ndjson`` one service per line: both
    media types belong in its document."""

    def __post_init__(self) -> None:
        found = (self.responses or {}).get("200")
        if isinstance(found, OpenAPIResponse) and found.content is not None:
            found.content[NDJSON] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


# A date-time (RFC 3339; without an offset, UTC): read as a datetime, Litestar would also take a bare
# number (0.5) as seconds since 1970, which the document's date-time does not allow.
DATE_TIME = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)?$"
)


def _date_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:  # of the right shape, but no such moment (year 0, 30 February)
        raise ValidationFailed(
            "modified_after is not a date-time", errors=[FieldError(field="modified_after", message=str(exc))]
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class HsdsQuery(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A search of ``/services``: the GET's query parameters, or the POST's body."""

    q: Annotated[str, msgspec.Meta(max_length=200, description="Words, with or without diacritics")] = ""
    taxonomy_term_id: Annotated[str, msgspec.Meta(max_length=60, description="Category code or term id")] | None = None
    organization_id: uuid.UUID | None = None
    modified_after: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    minimal: bool = False
    full: bool = False
    format: HsdsFormat = HsdsFormat.JSON
    page: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 1
    per_page: Annotated[int, msgspec.Meta(ge=1, le=MAX_PER_PAGE)] = 20


class HsdsController(Controller):
    path = "/api/v1/hsds"
    tags = ["hsds"]

    @get("/", summary="About this HSDS API: version, profile, OpenAPI document")
    async def about(self) -> dict[str, Any]:
        return {
            "version": terms.HSDS_VERSION,
            "profile": terms.PROFILE_URI,
            "openapi_url": "/schema/openapi.json",
            "endpoints": ENDPOINTS,
        }

    @get(
        "/services",
        summary="Services in HSDS 3.0 (public; staff see restricted listings)",
        # The handler returns encoded bytes: document what they hold, not a string.
        responses={200: ResponseSpec(dict[str, Any], generate_examples=False, description="A page of HSDS services")},
        operation_class=PageOrLines,
    )
    async def services(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        search: NamedDependency[SearchBackend],
        paging: NamedDependency[PageParams],
        q: Annotated[str, QueryParameter(max_length=200, description="Words, with or without diacritics")] = "",
        taxonomy_term_id: Annotated[
            str | None, QueryParameter(max_length=60, description="Category code (or its HSDS term id)")
        ] = None,
        organization_id: FromQuery[uuid.UUID | None] = None,
        modified_after: Annotated[
            str | None,
            QueryParameter(
                pattern=DATE_TIME,
                description="Only services changed after this: a date-time (2026-01-31T00:00:00+07:00;"
                " without an offset, UTC)",
            ),
        ] = None,
        minimal: Annotated[bool, QueryParameter(description="Only id, name, status and organization")] = False,
        full: Annotated[bool, QueryParameter(description="Fully nested services instead of one-to-one fields")] = False,
        format: Annotated[
            HsdsFormat, QueryParameter(description="json (a page) or ndjson (one full service per line)")
        ] = HsdsFormat.JSON,
    ) -> Response[bytes]:
        return await _services(
            request,
            principal,
            pool,
            search,
            HsdsQuery(
                q=q,
                taxonomy_term_id=taxonomy_term_id,
                organization_id=organization_id,
                modified_after=_date_time(modified_after),
                minimal=minimal,
                full=full,
                format=format,
                page=paging.page,
                per_page=paging.per_page,
            ),
        )

    @post(
        "/services",
        summary="Services in HSDS 3.1's POST search: the query in the body, out of URLs and logs",
        status_code=200,
        responses={200: ResponseSpec(dict[str, Any], generate_examples=False, description="A page of HSDS services")},
        operation_class=PageOrLines,
    )
    async def search_services(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        search: NamedDependency[SearchBackend],
        data: JSONBody[HsdsQuery],
    ) -> Response[bytes]:
        """The same search, paging and answer as ``GET /services``, for a query that names what
        a survivor needs (it would otherwise stay in access logs and browser history)."""
        return await _services(request, principal, pool, search, data)

    @get("/services/{service_id:uuid}", summary="One service in HSDS 3.0, fully nested")
    async def service(
        self,
        principal: NamedDependency[Principal],
        pool: NamedDependency[asyncpg.Pool],
        service_id: FromPath[uuid.UUID],
    ) -> dict[str, Any]:
        async with pool.acquire() as conn:
            service = await readable_service(conn, principal, service_id)
            organizations = await repo.get_organizations(conn, [service.organization_id])
            [record] = await kept.onto_services(
                conn, principal, [_record(principal, service, organizations.get(service.organization_id))]
            )
        return record


def _record(principal: Principal, service: Service, organization: Organization | None) -> dict[str, Any]:
    may_see = rules.may_see_restricted(principal, service.organization_id)
    return records.service_to_hsds(service, may_see, organization)


async def _services(
    request: Request[Any, Any, Any],
    principal: Principal,
    pool: asyncpg.Pool,
    search: SearchBackend,
    query: HsdsQuery,
) -> Response[bytes]:
    """Search as the viewer does, every filter inside the search so pages and ``total_items``
    count only matching services, then load the page's listings and their organizations in
    one query each (``readable_services``): a page costs the same few queries at any size."""
    if not principal.authenticated:
        client = request.client.host if request.client else "unknown"
        async with pool.acquire() as conn:
            await rate_limit.spend(conn, BUCKET, rate_limit.address_key(client), ANONYMOUS_LIMIT, WINDOW)
    category = [terms.category_for_term_id(query.taxonomy_term_id)] if query.taxonomy_term_id else []
    params = SearchParams(
        q=query.q,
        category=category,
        organization_id=[query.organization_id] if query.organization_id is not None else [],
        modified_after=query.modified_after,
    )
    # a harvester pages through every match, so nothing may be left to a sample
    paging = PageParams(page=query.page, per_page=query.per_page)
    found = await run_search(search, params, paging, principal, exhaustive=True)
    async with pool.acquire() as conn:
        # a listing deleted or hidden since the search index saw it is left out
        services = await readable_services(conn, principal, [summary.id for summary in found.items])
        organizations = await repo.get_organizations(conn, list({s.organization_id for s in services}))
        nested = await kept.onto_services(
            conn,
            principal,
            [_record(principal, service, organizations.get(service.organization_id)) for service in services],
        )
    if query.format is HsdsFormat.NDJSON:
        body = b"".join(msgspec.json.encode(record) + b"\n" for record in nested)
        return Response(body, media_type=NDJSON)
    contents = nested if query.full and not query.minimal else [records.list_item(r, query.minimal) for r in nested]
    page = records.hsds_list_page(contents, found.total, found.page, found.per_page)
    return Response(msgspec.json.encode(page), media_type="application/json")
