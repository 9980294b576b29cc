"""PostgresSearch: full-text search over the ``search_document`` table in the service's own database.

Matching is an AND of folded words (the last one a prefix) on a GIN index; ranking adds the
weighted word-pair terms, so phrases typed in order come first. Totals, facet counts and the
page are computed from one materialised scan of the matches, in a single statement.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

import asyncpg
import msgspec

from search.documents import SearchDocument
from search.protocol import FACETS, NATIONAL, SearchHit, SearchQuery, SearchResult, Sort
from search.text import document_terms, match_query, rank_query, typed_words

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

_UPSERT = """
INSERT INTO search_document (
    service_id, organization_id, visibility, status, name, organization_name, categories,
    populations, provinces, languages, fee, hotlines, accepting_referrals, capacity_available,
    always_open, open_week, public_lat, public_lon, staff_lat, staff_lon, last_verified_at,
    updated_at, terms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
        $16::text::int4multirange, $17, $18, $19, $20, $21, $22, $23::text::tsvector)
ON CONFLICT (service_id) DO UPDATE SET
    organization_id = EXCLUDED.organization_id, visibility = EXCLUDED.visibility,
    status = EXCLUDED.status, name = EXCLUDED.name, organization_name = EXCLUDED.organization_name,
    categories = EXCLUDED.categories, populations = EXCLUDED.populations,
    provinces = EXCLUDED.provinces, languages = EXCLUDED.languages, fee = EXCLUDED.fee,
    hotlines = EXCLUDED.hotlines, accepting_referrals = EXCLUDED.accepting_referrals,
    capacity_available = EXCLUDED.capacity_available, always_open = EXCLUDED.always_open,
    open_week = EXCLUDED.open_week, public_lat = EXCLUDED.public_lat,
    public_lon = EXCLUDED.public_lon, staff_lat = EXCLUDED.staff_lat,
    staff_lon = EXCLUDED.staff_lon, last_verified_at = EXCLUDED.last_verified_at,
    updated_at = EXCLUDED.updated_at, terms = EXCLUDED.terms
"""

# Weights for ts_rank, in the order {D, C, B, A}.
_RANK_WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"

_HAVERSINE_KM = (
    "(SELECT min(12742.0 * asin(sqrt(power(sin(radians(p.lat - {lat}) / 2), 2)"
    " + cos(radians({lat})) * cos(radians(p.lat)) * power(sin(radians(p.lon - {lon}) / 2), 2))))"
    " FROM unnest(d.{lat_col}, d.{lon_col}) AS p(lat, lon))"
)

_ORDER = {
    Sort.RELEVANCE: "score DESC, distance_km ASC NULLS LAST, service_id",
    Sort.DISTANCE: "distance_km ASC NULLS LAST, score DESC, service_id",
    Sort.UPDATED: "updated_at DESC, service_id",
}

_HIT_COLUMNS = (
    "d.service_id, d.name, d.organization_id, d.organization_name, d.categories, d.populations,"
    " d.provinces, d.hotlines, d.accepting_referrals, d.capacity_available, d.last_verified_at,"
    " d.updated_at, m.distance_km"
)


def _multirange_literal(spans: Sequence[tuple[int, int]]) -> str:
    return "{" + ",".join(f"[{int(start)},{int(end)})" for start, end in spans) + "}"


def document_row(doc: SearchDocument) -> tuple[object, ...]:
    """The bind parameters of one document for ``_UPSERT``."""
    return (
        doc.service_id,
        doc.organization_id,
        doc.visibility,
        doc.status,
        doc.name,
        doc.organization_name,
        doc.categories,
        doc.populations,
        doc.provinces,
        doc.languages,
        doc.fee,
        doc.hotlines,
        doc.accepting_referrals,
        doc.capacity_available,
        doc.always_open,
        _multirange_literal(doc.open_week),
        [lat for lat, _ in doc.public_points],
        [lon for _, lon in doc.public_points],
        [lat for lat, _ in doc.staff_points],
        [lon for _, lon in doc.staff_points],
        doc.last_verified_at,
        doc.updated_at,
        document_terms(doc.weighted_text()),
    )


async def write_documents(conn: Connection, documents: Sequence[SearchDocument]) -> None:
    """Upsert documents on ``conn``: inside the caller's transaction, so search never lags a write."""
    if documents:
        await conn.executemany(_UPSERT, [document_row(doc) for doc in documents])


async def delete_documents(conn: Connection, service_ids: Sequence[uuid.UUID]) -> None:
    await conn.execute("DELETE FROM search_document WHERE service_id = ANY($1::uuid[])", list(service_ids))


class _Sql:
    """Collects WHERE fragments and their bind parameters; fragments are constants of this module."""

    def __init__(self) -> None:
        self.args: list[object] = []
        self.where: list[str] = []

    def bind(self, value: object) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


def build_search_sql(query: SearchQuery) -> tuple[str, list[object]]:
    """The one statement answering ``query``: total, facets and the requested page."""
    sql = _Sql()
    viewer = query.viewer
    if not viewer.sees_restricted:
        if viewer.organization_id is not None:
            own = sql.bind(viewer.organization_id)
            sql.where.append(f"(d.visibility = 'public' OR d.organization_id = {own})")
        else:
            sql.where.append("d.visibility = 'public'")
    sql.where.append("d.status <> 'inactive'")

    tokens = typed_words(query.text)
    match = match_query(tokens)
    score = "0::real"
    if match is not None:
        sql.where.append(f"d.terms @@ {sql.bind(match)}::tsquery")
        score = f"ts_rank('{_RANK_WEIGHTS}', d.terms, {sql.bind(rank_query(tokens))}::tsquery)"
    if query.categories:
        sql.where.append(f"d.categories && {sql.bind(list(query.categories))}::text[]")
    if query.provinces:
        areas = [*query.provinces, NATIONAL]
        sql.where.append(f"d.provinces && {sql.bind(areas)}::text[]")
    if query.populations:
        sql.where.append(f"d.populations && {sql.bind(list(query.populations))}::text[]")
    if query.language:
        sql.where.append(f"{sql.bind(query.language)} = ANY(d.languages)")
    if query.fee:
        sql.where.append(f"d.fee = {sql.bind(query.fee)}")
    if query.open_at_minute is not None:
        sql.where.append(f"(d.always_open OR d.open_week @> {sql.bind(query.open_at_minute)}::int)")
    if query.accepting_referrals is not None:
        sql.where.append(f"d.accepting_referrals = {sql.bind(query.accepting_referrals)}")
    if query.has_capacity is not None:
        if query.has_capacity:
            sql.where.append("d.capacity_available > 0")
        else:
            sql.where.append("coalesce(d.capacity_available, 0) = 0")

    distance = "NULL::double precision"
    outer_where = "true"
    if query.near is not None:
        columns = ("staff_lat", "staff_lon") if viewer.sees_restricted else ("public_lat", "public_lon")
        lat, lon = sql.bind(query.near[0]), sql.bind(query.near[1])
        distance = _HAVERSINE_KM.format(lat=lat, lon=lon, lat_col=columns[0], lon_col=columns[1])
        if query.radius_km is not None:
            outer_where = f"distance_km <= {sql.bind(query.radius_km)}"

    limit = sql.bind(query.per_page)
    offset = sql.bind((query.page - 1) * query.per_page)
    facet_selects = ",\n".join(
        f"(SELECT coalesce(jsonb_object_agg(k, n), '{{}}') FROM"
        f" (SELECT unnest({column}) AS k, count(*) AS n FROM m GROUP BY 1) f) AS facet_{facet}"
        for facet, column in zip(FACETS, ("categories", "provinces", "populations"), strict=True)
    )
    statement = f"""
WITH m AS MATERIALIZED (
    SELECT * FROM (
        SELECT d.service_id, d.categories, d.provinces, d.populations, d.updated_at,
               {score} AS score, {distance} AS distance_km
        FROM search_document d
        WHERE {" AND ".join(sql.where)}
    ) c WHERE {outer_where}
), page AS (
    -- numbered after the LIMIT, so only the page is numbered; the subquery's order carries over
    SELECT p.*, row_number() OVER () AS ordinal FROM (
        SELECT service_id, distance_km FROM m
        ORDER BY {_ORDER[query.sort]} LIMIT {limit} OFFSET {offset}
    ) p
)
SELECT (SELECT count(*) FROM m) AS total,
{facet_selects},
(SELECT coalesce(jsonb_agg(to_jsonb(h) ORDER BY h.ordinal), '[]') FROM (
    SELECT {_HIT_COLUMNS}, m.ordinal FROM page m JOIN search_document d USING (service_id)
) h) AS hits
"""
    return statement, sql.args


class PostgresSearch:
    """The embedded default backend: always consistent, since it reads the system of record."""

    name = "postgres"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def index(self, documents: list[SearchDocument]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await write_documents(conn, documents)

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        async with self._pool.acquire() as conn:
            await delete_documents(conn, service_ids)

    async def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        statement, args = build_search_sql(query)
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(statement, *args)
        assert row is not None
        hits = msgspec.convert(row["hits"], list[SearchHit], strict=False)
        facets = {facet: dict(row[f"facet_{facet}"]) for facet in FACETS}
        return SearchResult(
            hits=hits,
            total=row["total"],
            facets=facets,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    async def ping(self) -> bool:
        async with self._pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT true"))
