"""The search protocol every backend implements, and the shapes that cross it."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import msgspec

from search.documents import SearchDocument

FACETS = ("category", "province", "population")
NATIONAL = "national"


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    UPDATED = "updated"


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """Who is searching, as far as search needs to know.

    ``sees_restricted``: may see every staff-only listing and exact confidential coordinates.
    ``organization_id``: the viewer's own organization, whose restricted listings it always sees.
    """

    sees_restricted: bool = False
    organization_id: uuid.UUID | None = None


PUBLIC = Viewer()


def as_utc(moment: datetime) -> datetime:
    """``moment`` with a time zone, a naive one taken as UTC, the same for every backend."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """What to find. ``named_categories`` and ``named_populations`` are the kinds the text names
    (``tạm lánh`` → shelter), worked out by the caller that owns the taxonomy; listings of those
    kinds rank higher, none are excluded for it.

    ``organization_ids``: only listings of these organizations (empty: any). ``modified_after``:
    only listings changed strictly after this time (a naive time is taken as UTC).
    ``exhaustive``: rank and count every match, however many (a harvester paging through all of
    them); otherwise a backend may rank a broad query's matches from a uniform sample.
    """

    text: str = ""
    named_categories: tuple[str, ...] = ()
    named_populations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    language: str | None = None
    fee: str | None = None
    open_at_minute: int | None = None  # minute of the week (Monday 00:00 = 0), local time
    accepting_referrals: bool | None = None
    has_capacity: bool | None = None
    organization_ids: tuple[uuid.UUID, ...] = ()
    modified_after: datetime | None = None
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    per_page: int = 20
    viewer: Viewer = PUBLIC
    exhaustive: bool = False


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    service_id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    organization_name: str
    categories: list[str]
    populations: list[str]
    provinces: list[str]
    hotlines: list[str]
    accepting_referrals: bool
    capacity_available: int | None
    last_verified_at: datetime | None
    confirmed_at: datetime | None = None
    updated_at: datetime
    distance_km: float | None = None


class SearchResult(msgspec.Struct, frozen=True, kw_only=True):
    """``estimated``: ``total`` and the facet counts are estimates from a sample of the matches.
    ``pageable``: how many results the pages reach (``total`` unless estimated or capped).
    ``did_you_mean``: the query's words with its slips corrected, when the engine corrected any,
    written with the diacritics of the names found."""

    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]]
    took_ms: float
    estimated: bool = False
    pageable: int | None = None
    did_you_mean: str | None = None

    @property
    def reachable(self) -> int:
        return self.total if self.pageable is None else self.pageable


@runtime_checkable
class SearchBackend(Protocol):
    """What the directory needs from a search engine."""

    name: str

    async def index(self, documents: list[SearchDocument]) -> None: ...

    async def delete(self, service_ids: list[uuid.UUID]) -> None: ...

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def ping(self) -> bool: ...
