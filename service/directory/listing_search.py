"""Searching the listings: the search's parameters (one provider for the API, the pages and the HSDS
list), their validation into a backend query, and the page of summaries a principal gets back."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar.params import FromQuery, QueryParameter

from search.protocol import SearchBackend, SearchQuery, Sort
from search.synonyms import with_synonyms
from search.text import typed_words
from service import places
from service.auth.models import Principal
from service.directory import rules, taxonomy
from service.directory.models import (
    Facets,
    Fee,
    OrganizationRef,
    Population,
    SearchPage,
    ServiceSummary,
    Understood,
)
from service.errors import FieldError, ValidationFailed
from service.pagination import PageParams

LANGUAGE = re.compile(r"[a-z]{2,3}")
NEAR = re.compile(r"-?\d+(\.\d+)?,-?\d+(\.\d+)?")
# the same rules as the parameters' documented patterns, where an empty field (a form's) means unset
LANGUAGE_FIELD = f"^({LANGUAGE.pattern})?$"
NEAR_FIELD = f"^({NEAR.pattern})?$"


class SearchParams(msgspec.Struct, frozen=True, kw_only=True):
    """A search as the endpoints take it; a field left out filters nothing."""

    q: str = ""
    category: list[str] = []
    province: list[str] = []
    population: list[Population] = []
    language: str | None = None
    fee: Fee | None = None
    open_now: bool | None = None
    accepting_referrals: bool | None = None
    has_capacity: bool | None = None
    near: str | None = None
    radius_km: float | None = None
    sort: Sort = Sort.RELEVANCE
    organization_id: list[uuid.UUID] = []
    modified_after: datetime | None = None  # set by the HSDS API; not a parameter of the search endpoint


def search_params(
    q: Annotated[str, QueryParameter(max_length=200, description="Words, with or without diacritics")] = "",
    category: Annotated[list[str] | None, QueryParameter(description="Taxonomy code; repeatable")] = None,
    province: Annotated[
        list[str] | None, QueryParameter(description="Code, current or former name; repeatable")
    ] = None,
    population: Annotated[list[Population] | None, QueryParameter(description="Repeatable")] = None,
    language: Annotated[
        str | None,
        QueryParameter(
            max_length=3, pattern=LANGUAGE_FIELD, description="ISO 639 code in lower case (vi, en, km); empty: any"
        ),
    ] = None,
    fee: FromQuery[Fee | None] = None,
    open_now: Annotated[bool | None, QueryParameter(description="Open now in Asia/Ho_Chi_Minh time")] = None,
    accepting_referrals: FromQuery[bool | None] = None,
    has_capacity: Annotated[bool | None, QueryParameter(description="Beds free (capacity_available > 0)")] = None,
    near: Annotated[
        str | None,
        QueryParameter(
            max_length=60,
            pattern=NEAR_FIELD,
            description="lat,lon in decimal degrees, e.g. 10.03,105.78 (latitude -90..90, longitude -180..180);"
            " needed by radius_km and by sort=distance; empty: anywhere",
        ),
    ] = None,
    radius_km: Annotated[
        float | None,
        QueryParameter(
            gt=0,
            le=2000,
            # Litestar takes a bound of 0 for no bound: the document states it explicitly
            schema_extra={"exclusive_minimum": 0},
            description="Kilometres around `near`; only together with near",
        ),
    ] = None,
    sort: Annotated[Sort, QueryParameter(description="`distance` only together with near")] = Sort.RELEVANCE,
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
    (``exhaustive``: see ``SearchQuery``). A province named in the words, when no province filter is
    set, becomes that filter (its services and national ones) and leaves the other words to match."""
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
    text = params.q
    if not provinces and (place := places.find_in_text(params.q)) is not None:
        text, provinces = place.rest, [place.province.code]
    named_categories, named_populations = rules.named_kinds(with_synonyms(typed_words(text)))
    return SearchQuery(
        text=text,
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


async def run_search(
    search: SearchBackend, params: SearchParams, paging: PageParams, principal: Principal, *, exhaustive: bool = False
) -> SearchPage:
    """Search as ``principal``: the API answer, the search page and the HSDS list all come from here."""
    now = datetime.now(UTC)
    query = build_query(params, paging, principal, now, exhaustive=exhaustive)
    place = query.provinces[0] if query.provinces and not params.province else None
    result = await search.search(query)
    if place is not None and result.total == 0:
        # the place was a word of something else, or has nothing of this kind: search the words
        place = None
        result = await search.search(msgspec.structs.replace(query, text=params.q, provinces=()))
    did_you_mean = result.did_you_mean
    if did_you_mean is not None and place is not None:
        did_you_mean = f"{did_you_mean} {places.by_code(place).name}"
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
            confirmed_at=hit.confirmed_at,
            stale=rules.is_stale(rules.last_word(hit.last_verified_at, hit.confirmed_at), now),
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
        understood=Understood(province=place, did_you_mean=did_you_mean),
    )
