"""Searches in Meilisearch's terms: the filter (whitelisted attributes, escaped values, visibility
first), the search request body, and our SearchResult read back from Meilisearch's response."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from search.meili_documents import SLOT_MINUTES, WEEK_MINUTES, epoch
from search.meili_settings import FILTERABLE
from search.protocol import FACETS, NATIONAL, SearchHit, SearchQuery, SearchResult, Sort
from search.text import phone_number

# Meilisearch attribute of each facet in FACETS, in the same order.
FACET_ATTRIBUTES = {"category": "categories", "province": "provinces", "population": "populations"}
assert tuple(FACET_ATTRIBUTES) == FACETS

# What a hit needs, and nothing else: descriptions stay on the server.
RETRIEVE = [
    "id",
    "name",
    "organization_id",
    "organization_name",
    "categories",
    "populations",
    "provinces",
    "hotlines",
    "accepting_referrals",
    "capacity_available",
    "last_verified_at",
    "confirmed_at",
    "updated_at",
    "_geo",
]

# Filter attributes a query may use, mapped from what a SearchQuery field needs: the only names
# build_filter ever writes.
_ATTRIBUTES = frozenset(FILTERABLE)


def quote(value: str) -> str:
    """A Meilisearch filter string literal: double-quoted, with ``\\`` and ``"`` escaped."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attribute(name: str) -> str:
    if name not in _ATTRIBUTES:  # pragma: no cover - a programming error, not user input
        raise ValueError(f"not a filterable attribute: {name!r}")
    return name


def _equals(name: str, value: str) -> str:
    return f"{_attribute(name)} = {quote(value)}"


def _any_of(name: str, values: Iterable[str]) -> str:
    return f"{_attribute(name)} IN [{', '.join(quote(value) for value in values)}]"


def _number(value: float) -> str:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return repr(number)


def visibility_filter(query: SearchQuery) -> str | None:
    """Which listings this viewer may see at all (None: every listing)."""
    viewer = query.viewer
    if viewer.sees_restricted:
        return None
    if viewer.organization_id is not None:
        return f"({_equals('visibility', 'public')} OR {_equals('organization_id', str(viewer.organization_id))})"
    return _equals("visibility", "public")


def build_filter(query: SearchQuery) -> str:
    """The Meilisearch filter for ``query``: clauses joined with AND, visibility always first."""
    clauses: list[str] = []
    visible = visibility_filter(query)
    if visible is not None:
        clauses.append(visible)
    clauses.append(f"{_attribute('status')} != {quote('inactive')}")
    if query.categories:
        clauses.append(_any_of("categories", query.categories))
    if query.provinces:
        areas = list(dict.fromkeys([*query.provinces, NATIONAL]))
        clauses.append(_any_of("provinces", areas))
    if query.populations:
        clauses.append(_any_of("populations", query.populations))
    if query.language:
        clauses.append(_equals("languages", query.language))
    if query.fee:
        clauses.append(_equals("fee", query.fee))
    if query.open_at_minute is not None:
        slot = (int(query.open_at_minute) % WEEK_MINUTES) // SLOT_MINUTES
        clauses.append(f"({_attribute('always_open')} = true OR {_attribute('open_slots')} = {slot})")
    if query.accepting_referrals is not None:
        clauses.append(f"{_attribute('accepting_referrals')} = {'true' if query.accepting_referrals else 'false'}")
    if query.has_capacity is not None:
        capacity = _attribute("capacity_available")
        if query.has_capacity:
            clauses.append(f"{capacity} > 0")
        else:
            clauses.append(f"({capacity} IS NULL OR {capacity} NOT EXISTS OR {capacity} = 0)")
    if query.organization_ids:
        clauses.append(_any_of("organization_id", (str(organization) for organization in query.organization_ids)))
    if query.modified_after is not None:
        clauses.append(f"{_attribute('updated_at')} > {_number(epoch(query.modified_after))}")
    if query.near is not None and query.radius_km is not None:
        lat, lon = query.near
        metres = _number(query.radius_km * 1000)
        clauses.append(f"_geoRadius({_number(lat)}, {_number(lon)}, {metres})")
    return " AND ".join(clauses)


def search_params(query: SearchQuery) -> dict[str, Any]:
    """The body of a Meilisearch search request (camelCase, as the HTTP API takes it).

    ``page``/``hitsPerPage`` make ``totalHits`` exhaustive (up to ``pagination.maxTotalHits``).
    A distance sort falls back to relevance when the query has no point.
    """
    number = phone_number(query.text)
    params: dict[str, Any] = {
        # a number as one quoted phrase: matched whole, with no prefix and no typo allowed
        "q": f'"{number}"' if number else query.text,
        "filter": build_filter(query),
        "facets": list(FACET_ATTRIBUTES.values()),
        "page": max(1, query.page),
        "hitsPerPage": max(0, query.per_page),
        "matchingStrategy": "all",
        "attributesToRetrieve": list(RETRIEVE),
    }
    if query.sort is Sort.DISTANCE and query.near is not None:
        lat, lon = query.near
        params["sort"] = [f"_geoPoint({_number(lat)}, {_number(lon)}):asc"]
    elif query.sort is Sort.UPDATED:
        params["sort"] = ["updated_at:desc"]
    return params


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(h))


def _datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value))


def _hit(hit: Mapping[str, Any], near: tuple[float, float] | None) -> SearchHit:
    distance_km: float | None = None
    if hit.get("_geoDistance") is not None:
        distance_km = round(float(hit["_geoDistance"]) / 1000, 3)
    elif near is not None and isinstance(hit.get("_geo"), Mapping):
        geo = hit["_geo"]
        distance_km = round(_haversine_km(near, (float(geo["lat"]), float(geo["lng"]))), 3)
    updated_at = _datetime(hit.get("updated_at"))
    if updated_at is None:
        raise ValueError(f"hit {hit.get('id')!r} has no updated_at")
    return SearchHit(
        service_id=uuid.UUID(str(hit["id"])),
        name=str(hit["name"]),
        organization_id=uuid.UUID(str(hit["organization_id"])),
        organization_name=str(hit.get("organization_name", "")),
        categories=list(hit.get("categories") or []),
        populations=list(hit.get("populations") or []),
        provinces=list(hit.get("provinces") or []),
        hotlines=list(hit.get("hotlines") or []),
        accepting_referrals=bool(hit.get("accepting_referrals", False)),
        capacity_available=hit.get("capacity_available"),
        last_verified_at=_datetime(hit.get("last_verified_at")),
        confirmed_at=_datetime(hit.get("confirmed_at")),
        updated_at=updated_at,
        distance_km=distance_km,
    )


def to_result(response: Mapping[str, Any], took_ms: float, near: tuple[float, float] | None = None) -> SearchResult:
    """Our SearchResult from Meilisearch's search JSON. Distances come from ``_geoDistance`` (metres,
    present when sorting by ``_geoPoint``), else are worked out from ``_geo`` when ``near`` is given."""
    distribution = response.get("facetDistribution") or {}
    facets = {
        facet: {str(key): int(count) for key, count in (distribution.get(attribute) or {}).items()}
        for facet, attribute in FACET_ATTRIBUTES.items()
    }
    total = response.get("totalHits")
    if total is None:
        total = response.get("estimatedTotalHits", 0)
    return SearchResult(
        hits=[_hit(hit, near) for hit in response.get("hits") or []],
        total=int(total),
        facets=facets,
        took_ms=took_ms,
    )
