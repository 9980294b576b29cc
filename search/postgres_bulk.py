"""Bulk loading of search documents with COPY, for imports and generated data: the same rows
``write_documents`` upserts one statement at a time, staged in a temporary table and merged at once."""

from __future__ import annotations

from collections.abc import Sequence

from search.postgres_documents import Connection

# In ``document_row`` order; the ones sent as text are cast to their type when merged.
_COLUMNS = (
    "service_id",
    "organization_id",
    "visibility",
    "status",
    "name",
    "organization_name",
    "categories",
    "populations",
    "provinces",
    "languages",
    "fee",
    "hotlines",
    "accepting_referrals",
    "capacity_available",
    "always_open",
    "open_week",
    "public_lat",
    "public_lon",
    "staff_lat",
    "staff_lon",
    "last_verified_at",
    "confirmed_at",
    "updated_at",
    "terms",
    "name_terms",
    "public_box",
    "staff_box",
)
_AS_TEXT = {
    "open_week": "int4multirange",
    "terms": "tsvector",
    "name_terms": "tsvector",
    "public_box": "box",
    "staff_box": "box",
}
# Facet sets hold sorted, distinct values, exactly as ``write_documents`` makes them.
_FACET_VALUES = (
    "ARRAY(SELECT DISTINCT unnest(s.categories) ORDER BY 1) AS categories,"
    " ARRAY(SELECT DISTINCT unnest(s.provinces) ORDER BY 1) AS provinces,"
    " ARRAY(SELECT DISTINCT unnest(s.populations) ORDER BY 1) AS populations"
)


async def copy_documents(conn: Connection, documents: Sequence[tuple[object, ...]]) -> None:
    """Insert or replace ``documents`` (each as ``document_row`` makes it) inside the caller's
    transaction."""
    if not documents:
        return
    staged = ", ".join(f"NULL::text AS {c}" if c in _AS_TEXT else c for c in _COLUMNS)
    await conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS staged_document ON COMMIT DROP AS SELECT {staged}"
        " FROM search_document WITH NO DATA"
    )
    await conn.execute("TRUNCATE staged_document")
    await conn.copy_records_to_table("staged_document", columns=_COLUMNS, records=documents)
    await conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS staged_facets ON COMMIT DROP AS"
        f" SELECT s.service_id, {_FACET_VALUES} FROM staged_document s WITH NO DATA"
    )
    await conn.execute("TRUNCATE staged_facets")
    await conn.execute(f"INSERT INTO staged_facets SELECT s.service_id, {_FACET_VALUES} FROM staged_document s")
    await conn.execute(
        "INSERT INTO search_facet_set (categories, provinces, populations)"
        " SELECT DISTINCT categories, provinces, populations FROM staged_facets"
        " ON CONFLICT ON CONSTRAINT search_facet_set_values_key DO NOTHING"
    )
    values = ", ".join(f"s.{c}::{_AS_TEXT[c]}" if c in _AS_TEXT else f"s.{c}" for c in _COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_COLUMNS[1:], "facet_set"))
    await conn.execute(
        f"INSERT INTO search_document ({', '.join(_COLUMNS)}, facet_set) SELECT {values}, f.id"
        " FROM staged_document s JOIN staged_facets sf ON sf.service_id = s.service_id"
        " JOIN search_facet_set f ON f.categories = sf.categories AND f.provinces = sf.provinces"
        " AND f.populations = sf.populations"
        f" ON CONFLICT (service_id) DO UPDATE SET {updates}"
    )
