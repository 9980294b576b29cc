"""MeiliSearch: the directory's search on a Meilisearch server (meilisearch-python-sdk AsyncClient).

Everything Meilisearch-specific stays in this module: the SDK's pydantic models never leave it, and
what crosses the boundary is our msgspec ``SearchDocument``/``SearchQuery``/``SearchResult``. The
pure functions (``index_settings``, ``to_meili_document``, ``build_filter``, ``search_params``,
``to_result``) hold all the mapping and are unit-tested without a server; ``MeiliSearch`` only moves
their output over the wire.

Semantics follow ``search.postgres.PostgresSearch``:

- Visibility: public viewers see ``visibility = "public"`` only; a partner (``organization_id`` set)
  also sees its own organization's listings; staff (``sees_restricted``) see everything. Listings with
  status ``inactive`` are never found. The visibility clause is always the first in the filter.
- Filters are built from whitelisted attribute names only, and every value is a double-quoted string
  with ``\\`` and ``"`` escaped (or a number/boolean this module formats itself): no user text is ever
  interpolated raw. A province filter always includes ``national``.
- Times (``updated_at``, ``last_verified_at``) are stored as seconds since the epoch, so
  ``modified_after`` is the range filter ``updated_at > <seconds>``. Both sides come from the same
  microsecond timestamps and ``repr`` of a float reads back as the same double, so a listing changed
  exactly at ``modified_after`` is left out, as in PostgreSQL.
- Opening hours: ``open_week`` spans ``[start, end)`` (minutes of the week) are stored as
  ``open_slots``, the list of 15-minute slots (``minute // 15``, 0..671) the spans touch, so
  ``open_at_minute`` becomes ``open_slots = <slot>``. A span that starts or ends inside a slot marks
  the whole slot (a listing may be shown as open up to 14 minutes early or late; no listing that is
  open is ever left out). Spans running past the end of the week wrap to Monday.
- Location: ``_geo`` is the listing's first *public* point. Staff points are never sent to Meilisearch,
  so distances here are from public points for every viewer (PostgresSearch uses exact points for
  staff, and the nearest of all points).
- Text: Meilisearch normalises case and diacritics itself, so no folded copies are stored; matching
  requires every word (``matchingStrategy: all``) with the last as a prefix, like PostgresSearch.
  ``named_categories`` has no boost here: category labels are searchable in the second rank, and the
  vi/en synonyms make "tạm lánh" and "shelter" match the same labels.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from search.documents import SearchDocument
from search.protocol import FACETS, NATIONAL, SearchHit, SearchQuery, SearchResult, Sort, as_utc
from search.text import fold

SLOT_MINUTES = 15
WEEK_MINUTES = 7 * 24 * 60
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES

# Meilisearch attribute of each facet in FACETS, in the same order.
FACET_ATTRIBUTES = {"category": "categories", "province": "provinces", "population": "populations"}
assert tuple(FACET_ATTRIBUTES) == FACETS

SEARCHABLE = [
    "name",
    "alternate_name",
    "organization_name",
    "category_labels",
    "population_labels",
    "place_names",
    "hotline_labels",
    "hotlines",
    "description",
    "eligibility",
]

FILTERABLE = [
    "visibility",
    "organization_id",
    "status",
    "categories",
    "provinces",
    "populations",
    "languages",
    "fee",
    "accepting_referrals",
    "capacity_available",
    "always_open",
    "open_slots",
    "updated_at",
    "_geo",
]

SORTABLE = ["_geo", "updated_at"]

# "sort" right after "words": a distance or date order decides among listings matching every word,
# while relevance (no sort parameter) falls through to typo/proximity/attribute/exactness.
RANKING_RULES = ["words", "sort", "typo", "proximity", "attribute", "exactness"]

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
    "updated_at",
    "_geo",
]

# Groups of words people use for the same kind of service, in Vietnamese (with and without marks)
# and English. Place names (current, former, colloquial) come from the caller, who owns them.
SERVICE_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("nhà tạm lánh", "tạm lánh", "shelter"),
    ("đường dây nóng", "hotline"),
    ("trợ giúp pháp lý", "legal aid"),
    ("tư vấn tâm lý", "counselling", "counseling"),
    ("y tế", "medical", "health care"),
    ("việc làm", "employment", "jobs"),
    ("học nghề", "vocational training"),
    ("mua bán người", "human trafficking", "trafficking"),
    ("bạo lực gia đình", "domestic violence"),
    ("TP.HCM", "TPHCM", "Hồ Chí Minh", "Sài Gòn"),
)

# Filter attributes a query may use, mapped from what a SearchQuery field needs: the only names
# build_filter ever writes.
_ATTRIBUTES = frozenset(FILTERABLE)


# --- settings -------------------------------------------------------------------------------------


def merge_synonyms(groups: Iterable[Iterable[str]]) -> dict[str, list[str]]:
    """Meilisearch's synonym map from groups of equivalent terms: every term (lower-cased, and also
    without diacritics) maps to all the others. Groups sharing a term are merged."""
    merged: list[set[str]] = []
    for group in groups:
        terms = {variant for term in group if term.strip() for variant in _variants(term)}
        if not terms:
            continue
        overlapping = [existing for existing in merged if existing & terms]
        for existing in overlapping:
            terms |= existing
            merged.remove(existing)
        merged.append(terms)
    return {term: sorted(group - {term}) for group in merged for term in sorted(group) if len(group) > 1}


def _variants(term: str) -> set[str]:
    spelled = " ".join(term.lower().split())
    return {spelled, " ".join(fold(spelled).split())}


def index_settings(synonyms: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """The index settings, as Meilisearch's JSON (camelCase).

    ``synonyms``: extra groups from the caller, such as former ⇄ current province names; each key and
    its values become synonyms of one another, merged with the built-in service words.
    """
    groups: list[Sequence[str]] = list(SERVICE_SYNONYMS)
    for key, values in (synonyms or {}).items():
        groups.append([key, *values])
    return {
        "searchableAttributes": list(SEARCHABLE),
        "filterableAttributes": list(FILTERABLE),
        "sortableAttributes": list(SORTABLE),
        "displayedAttributes": ["*"],  # documents hold nothing confidential (see to_meili_document)
        "rankingRules": list(RANKING_RULES),
        "localizedAttributes": [
            {"locales": ["vie"], "attributePatterns": ["place_names"]},
            {
                "locales": ["vie", "eng"],
                "attributePatterns": [
                    "name",
                    "alternate_name",
                    "organization_name",
                    "category_labels",
                    "population_labels",
                    "hotline_labels",
                    "description",
                    "eligibility",
                ],
            },
        ],
        "faceting": {"maxValuesPerFacet": 300},
        "pagination": {"maxTotalHits": 10000},
        "synonyms": merge_synonyms(groups),
        "typoTolerance": {"enabled": True, "disableOnAttributes": ["hotlines"]},
    }


# --- documents ------------------------------------------------------------------------------------


def open_slots(spans: Sequence[tuple[int, int]]) -> list[int]:
    """The 15-minute slots of the week that ``[start, end)`` minute spans touch, sorted."""
    slots: set[int] = set()
    for start, end in spans:
        if end <= start:
            continue
        if end - start >= WEEK_MINUTES:
            return list(range(WEEK_SLOTS))
        first, last = start // SLOT_MINUTES, (end - 1) // SLOT_MINUTES
        slots.update(slot % WEEK_SLOTS for slot in range(first, last + 1))
    return sorted(slots)


def _epoch(value: datetime) -> float:
    """Seconds since 1970, a naive time taken as UTC: Meilisearch compares numbers, not dates."""
    return as_utc(value).timestamp()


def _timestamp(value: datetime | None) -> float | None:
    return None if value is None else _epoch(value)


def to_meili_document(doc: SearchDocument) -> dict[str, Any]:
    """One listing as a Meilisearch document. ``staff_points`` (exact, possibly confidential
    coordinates) are never included; ``_geo`` is the first public point, or absent."""
    document: dict[str, Any] = {
        "id": str(doc.service_id),
        "organization_id": str(doc.organization_id),
        "visibility": doc.visibility,
        "status": doc.status,
        "name": doc.name,
        "alternate_name": doc.alternate_name,
        "organization_name": doc.organization_name,
        "description": doc.description,
        "eligibility": doc.eligibility,
        "categories": list(doc.categories),
        "category_labels": list(doc.category_labels),
        "populations": list(doc.populations),
        "population_labels": list(doc.population_labels),
        "provinces": list(doc.provinces),
        "place_names": list(doc.place_names),
        "languages": list(doc.languages),
        "fee": doc.fee,
        "hotlines": list(doc.hotlines),
        "hotline_labels": list(doc.hotline_labels),
        "accepting_referrals": doc.accepting_referrals,
        "capacity_available": doc.capacity_available,
        "always_open": doc.always_open,
        "open_slots": open_slots(doc.open_week),
        "last_verified_at": _timestamp(doc.last_verified_at),
        "updated_at": _timestamp(doc.updated_at),
    }
    if doc.public_points:
        lat, lon = doc.public_points[0]
        document["_geo"] = {"lat": lat, "lng": lon}
    return document


# --- queries --------------------------------------------------------------------------------------


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
        clauses.append(f"{_attribute('updated_at')} > {_number(_epoch(query.modified_after))}")
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
    params: dict[str, Any] = {
        "q": query.text,
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


# --- the backend ----------------------------------------------------------------------------------


class MeiliSearch:
    """Search on a Meilisearch server. ``index``/``delete`` wait for their task and raise when it
    fails (the outbox that calls them retries); ``search`` raises on any error; ``ping`` never raises.
    """

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        index_uid: str = "services",
        synonyms: Mapping[str, Sequence[str]] | None = None,
        task_timeout_ms: int = 120_000,
        client: Any = None,
    ) -> None:
        # The SDK's AsyncClient is typed, but its index and model types are pydantic generics that
        # must not leak past this module; held as Any so nothing here depends on them structurally.
        if client is None:
            from meilisearch_python_sdk import AsyncClient

            client = AsyncClient(url, api_key)
        self._client: Any = client
        self.index_uid = index_uid
        self._synonyms = synonyms
        self._task_timeout_ms = task_timeout_ms

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _wait(self, task: Any) -> None:
        await self._client.wait_for_task(task.task_uid, timeout_in_ms=self._task_timeout_ms, raise_for_status=True)

    def _settings(self) -> Any:
        from meilisearch_python_sdk.models.settings import MeilisearchSettings

        return MeilisearchSettings.model_validate(index_settings(self._synonyms))

    async def _prepare(self, uid: str) -> None:
        """Create ``uid`` (primary key ``id``) if missing, and apply the settings."""
        if await self._client.get_raw_index(uid) is None:
            await self._client.create_index(uid, primary_key="id", wait=True, timeout_in_ms=self._task_timeout_ms)
        await self._wait(await self._client.index(uid).update_settings(self._settings()))

    async def setup(self) -> None:
        """Create the index if needed and bring its settings up to date."""
        await self._prepare(self.index_uid)

    async def index(self, documents: list[SearchDocument]) -> None:
        await self._add(self.index_uid, documents)

    async def _add(self, uid: str, documents: Sequence[SearchDocument]) -> None:
        if documents:
            payload = [to_meili_document(doc) for doc in documents]
            await self._wait(await self._client.index(uid).add_documents(payload, primary_key="id"))

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        if service_ids:
            ids = [str(service_id) for service_id in service_ids]
            await self._wait(await self._client.index(self.index_uid).delete_documents(ids))

    async def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        params = search_params(query)
        results = await self._client.index(self.index_uid).search(
            params["q"],
            filter=params["filter"] or None,
            facets=params["facets"],
            page=params["page"],
            hits_per_page=params["hitsPerPage"],
            matching_strategy=params["matchingStrategy"],
            attributes_to_retrieve=params["attributesToRetrieve"],
            sort=params.get("sort"),
        )
        response: dict[str, Any] = results.model_dump(by_alias=True)
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return to_result(response, took_ms, near=query.near)

    async def ping(self) -> bool:
        try:
            health = await self._client.health()
        except Exception:
            return False
        return getattr(health, "status", None) == "available"

    async def rebuild(
        self, documents_batches: Iterable[Sequence[SearchDocument]] | AsyncIterable[Sequence[SearchDocument]]
    ) -> None:
        """Build ``<uid>_new`` from scratch, then swap it in: searches keep hitting the old index,
        complete, until the swap, which Meilisearch applies atomically. The old index is deleted after.
        """
        fresh = f"{self.index_uid}_new"
        await self._client.delete_index_if_exists(fresh)  # a leftover of an interrupted rebuild
        await self._prepare(fresh)
        if isinstance(documents_batches, AsyncIterable):
            async for batch in documents_batches:
                await self._add(fresh, batch)
        else:
            for batch in documents_batches:
                await self._add(fresh, batch)
        if await self._client.get_raw_index(self.index_uid) is None:
            await self._client.create_index(
                self.index_uid, primary_key="id", wait=True, timeout_in_ms=self._task_timeout_ms
            )
        await self._wait(await self._client.swap_indexes([(self.index_uid, fresh)]))
        await self._client.delete_index_if_exists(fresh)  # now holding the old documents
