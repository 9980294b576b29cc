"""The directory as the public sees it: search (live with htmx, plain form without JavaScript), a
listing in full, and its printable one-page version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode

import asyncpg
from litestar import Request, Router, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from search.protocol import SearchBackend
from service import places
from service.auth.models import Principal
from service.auth.permissions import Action, allowed
from service.clock import LOCAL_TZ
from service.directory import rules
from service.directory.listing_search import SearchParams, run_search, search_params
from service.directory.listings import readable_service
from service.directory.models import SearchPage, Service, ServiceSummary
from service.pagination import PageParams
from service.web.hotlines import hotline_for
from service.web.page import PAGE_DEPENDENCIES, Pool, Who, page
from service.web.words import directory_labels


class Choice(NamedTuple):
    """One checkbox of a facet: its code, its name, how many results have it, whether it is ticked."""

    code: str
    name: str
    found: int
    checked: bool


class Hit(NamedTuple):
    """One result with its codes already named, so the template's loop only prints."""

    item: ServiceSummary
    categories: list[str]
    provinces: str
    tel: list[tuple[str, str]]


def facet_choices(names: dict[str, str], counts: dict[str, int], ticked: Sequence[str]) -> list[Choice]:
    return [Choice(code, name, counts.get(code, 0), code in ticked) for code, name in names.items()]


def hits(results: SearchPage, names: dict[str, Any]) -> list[Hit]:
    """Name each result's codes in Python: per-item lookups in the template cost a Jinja call each."""
    category, province = names["category"], names["province"]
    return [
        Hit(
            item=item,
            categories=[category.get(code, code) for code in item.categories],
            provinces=", ".join(province.get(code, code) for code in item.provinces),
            tel=[(number.replace(" ", ""), number) for number in item.hotlines],
        )
        for item in results.items
    ]


def can_refer(principal: Principal) -> bool:
    return allowed(principal, Action.CREATE_CASE, principal.organization_id)


def filters_in_use(params: SearchParams) -> int:
    """How many choices of the "Filters" panel are ticked: its button says so while it is closed."""
    ticks = [params.open_now, params.accepting_referrals, params.has_capacity, params.language]
    return len(params.category) + len(params.population) + sum(1 for tick in ticks if tick)


def _page_url(request: Request[Any, Any, Any], number: int) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", str(number))]
    return "/?" + urlencode(query)


def _search_url(request: Request[Any, Any, Any], q: str) -> str:
    """This search from its first page, with other words."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("q", "page")]
    return "/?" + urlencode([("q", q), *query])


class PlaceChip(NamedTuple):
    """The province read in the words, and the same search without it."""

    name: str
    remove: str


def place_chip(request: Request[Any, Any, Any], params: SearchParams, results: SearchPage) -> PlaceChip | None:
    code = results.understood.province
    place = places.find_in_text(params.q) if code else None
    if code is None or place is None:
        return None
    return PlaceChip(name=places.by_code(code).name, remove=_search_url(request, place.rest))


@get("/", name="search")
async def search_page(
    request: Request[Any, Any, Any],
    principal: Who,
    search: NamedDependency[SearchBackend],
    params: NamedDependency[SearchParams],
    paging: NamedDependency[PageParams],
) -> Template:
    # a distance only from a point the searcher gave ("near me"): a province's centre is not where anyone is
    results = await run_search(search, params, paging, principal)
    names = directory_labels()
    facets = results.facets
    context: dict[str, Any] = {
        "params": params,
        "results": results,
        "hits": hits(results, names),
        "labels": names,
        "previous_page": _page_url(request, results.page - 1) if results.page > 1 else None,
        "next_page": _page_url(request, results.page + 1)
        if results.pageable > results.page * results.per_page
        else None,
        "can_refer": can_refer(principal),
        "category_choices": facet_choices(names["category"], facets.category, params.category),
        "population_choices": facet_choices(names["population"], facets.population, params.population),
        "filters_used": filters_in_use(params),
        "hotline": hotline_for(params.q),
        "place": place_chip(request, params, results),
        "did_you_mean": results.understood.did_you_mean,
        "did_you_mean_url": _search_url(request, results.understood.did_you_mean or ""),
    }
    # htmx asks for the results only, as the person types (with the filters' counts swapped in out of
    # band, partials/results.html); everyone else gets the whole page
    if request.headers.get("hx-request") and not request.headers.get("hx-boosted"):
        return page("public/partials/results.html", principal, swapped=True, **context)
    return page("public/search.html", principal, swapped=False, **context)


async def _service(pool: asyncpg.Pool, principal: Principal, service_id: uuid.UUID) -> Service:
    async with pool.acquire() as conn:
        return await readable_service(conn, principal, service_id)


@get("/services/{service_id:uuid}", name="service")
async def service_page(principal: Who, pool: Pool, service_id: FromPath[uuid.UUID]) -> Template:
    service = await _service(pool, principal, service_id)
    return page(
        "public/service.html",
        principal,
        service=service,
        labels=directory_labels(),
        can_refer=can_refer(principal),
        may_edit=allowed(principal, Action.EDIT_LISTING, service.organization_id),
        open_now=rules.is_open_at(service, datetime.now(LOCAL_TZ)),
    )


@get("/services/{service_id:uuid}/print", name="service-print")
async def service_print(principal: Who, pool: Pool, service_id: FromPath[uuid.UUID]) -> Template:
    service = await _service(pool, principal, service_id)
    return page("public/print.html", principal, service=service, labels=directory_labels())


router = Router(
    path="/",
    route_handlers=[search_page, service_page, service_print],
    dependencies={
        **PAGE_DEPENDENCIES,
        "params": Provide(search_params, sync_to_thread=False),
    },
    include_in_schema=False,
)
