"""Listings as Meilisearch documents: times as epoch seconds, opening hours as 15-minute slots,
one public point as ``_geo``, and nothing confidential (see ``search.meili`` for why)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from search.documents import SearchDocument
from search.protocol import as_utc

SLOT_MINUTES = 15
WEEK_MINUTES = 7 * 24 * 60
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES


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


def epoch(value: datetime) -> float:
    """Seconds since 1970, a naive time taken as UTC: Meilisearch compares numbers, not dates."""
    return as_utc(value).timestamp()


def _timestamp(value: datetime | None) -> float | None:
    return None if value is None else epoch(value)


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
        "hotline_numbers": doc.hotline_numbers(),
        "hotline_labels": list(doc.hotline_labels),
        "accepting_referrals": doc.accepting_referrals,
        "capacity_available": doc.capacity_available,
        "always_open": doc.always_open,
        "open_slots": open_slots(doc.open_week),
        "last_verified_at": _timestamp(doc.last_verified_at),
        "confirmed_at": _timestamp(doc.confirmed_at),
        "updated_at": _timestamp(doc.updated_at),
    }
    if doc.public_points:
        lat, lon = doc.public_points[0]
        document["_geo"] = {"lat": lat, "lng": lon}
    return document
