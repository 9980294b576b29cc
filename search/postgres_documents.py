"""The ``search_document`` rows PostgresSearch reads: one listing's row built from its
SearchDocument, upserted (with its facet set) or deleted inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

import asyncpg

from search.documents import SearchDocument
from search.text import match_terms, rank_terms

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

_UPSERT = """
WITH wanted AS (
    -- sorted and distinct, so the same values in another order are the same facet set
    SELECT ARRAY(SELECT DISTINCT unnest($7::text[]) ORDER BY 1) AS categories,
           ARRAY(SELECT DISTINCT unnest($9::text[]) ORDER BY 1) AS provinces,
           ARRAY(SELECT DISTINCT unnest($8::text[]) ORDER BY 1) AS populations
), existing AS (
    -- nearly always there already: read, not locked, so writers of listings alike do not queue
    SELECT s.id FROM search_facet_set s JOIN wanted w USING (categories, provinces, populations)
), added AS (
    -- a new combination; DO UPDATE (not NOTHING) returns the id when a concurrent writer adds it first
    INSERT INTO search_facet_set (categories, provinces, populations)
    SELECT categories, provinces, populations FROM wanted WHERE NOT EXISTS (SELECT 1 FROM existing)
    ON CONFLICT ON CONSTRAINT search_facet_set_values_key DO UPDATE SET categories = EXCLUDED.categories
    RETURNING id
), facet_set AS (
    SELECT id FROM existing UNION ALL SELECT id FROM added
)
INSERT INTO search_document (
    service_id, organization_id, visibility, status, name, organization_name, categories,
    populations, provinces, languages, fee, hotlines, accepting_referrals, capacity_available,
    always_open, open_week, public_lat, public_lon, staff_lat, staff_lon, last_verified_at,
    confirmed_at, updated_at, terms, name_terms, public_box, staff_box, facet_set)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
       $16::text::int4multirange, $17, $18, $19, $20, $21, $22, $23, $24::text::tsvector, $25::text::tsvector,
       $26::text::box, $27::text::box, facet_set.id
FROM facet_set
ON CONFLICT (service_id) DO UPDATE SET
    organization_id = EXCLUDED.organization_id, visibility = EXCLUDED.visibility,
    status = EXCLUDED.status, name = EXCLUDED.name, organization_name = EXCLUDED.organization_name,
    categories = EXCLUDED.categories, populations = EXCLUDED.populations,
    provinces = EXCLUDED.provinces, facet_set = EXCLUDED.facet_set, languages = EXCLUDED.languages,
    fee = EXCLUDED.fee, hotlines = EXCLUDED.hotlines, accepting_referrals = EXCLUDED.accepting_referrals,
    capacity_available = EXCLUDED.capacity_available, always_open = EXCLUDED.always_open,
    open_week = EXCLUDED.open_week, public_lat = EXCLUDED.public_lat,
    public_lon = EXCLUDED.public_lon, staff_lat = EXCLUDED.staff_lat,
    staff_lon = EXCLUDED.staff_lon, public_box = EXCLUDED.public_box, staff_box = EXCLUDED.staff_box,
    last_verified_at = EXCLUDED.last_verified_at, confirmed_at = EXCLUDED.confirmed_at,
    updated_at = EXCLUDED.updated_at, terms = EXCLUDED.terms, name_terms = EXCLUDED.name_terms
"""


def _multirange_literal(spans: Sequence[tuple[int, int]]) -> str:
    return "{" + ",".join(f"[{int(start)},{int(end)})" for start, end in spans) + "}"


def _box_literal(points: Sequence[tuple[float, float]]) -> str | None:
    """The bounding box of (lat, lon) points as a PostgreSQL box literal, or None without points."""
    if not points:
        return None
    lats, lons = [lat for lat, _ in points], [lon for _, lon in points]
    return f"(({max(lats)},{max(lons)}),({min(lats)},{min(lons)}))"


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
        doc.confirmed_at,
        doc.updated_at,
        match_terms(doc.all_text()),
        rank_terms(doc.name_text()),
        _box_literal(doc.public_points),
        _box_literal(doc.staff_points),
    )


async def write_documents(conn: Connection, documents: Sequence[SearchDocument]) -> None:
    """Upsert documents on ``conn``: inside the caller's transaction, so search never lags a write."""
    if documents:
        await conn.executemany(_UPSERT, [document_row(doc) for doc in documents])


async def delete_documents(conn: Connection, service_ids: Sequence[uuid.UUID]) -> None:
    await conn.execute("DELETE FROM search_document WHERE service_id = ANY($1::uuid[])", list(service_ids))
