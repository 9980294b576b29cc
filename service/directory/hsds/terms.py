"""The ``ketnoi`` vocabulary in HSDS: the taxonomy our terms belong to, their stable ids (UUIDv5s of
the profile URI), and the ``attributes`` through which our own fields (populations, capacity,
visibility, province and category codes …) travel on HSDS records."""

from __future__ import annotations

import uuid
from typing import Any

from service.directory import taxonomy
from service.directory.models import Service

HSDS_VERSION = "3.0"
PROFILE_URI = "https://ketnoi.vn/hsds-profile"
VOCABULARY = "ketnoi"
TERM_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROFILE_URI)
TAXONOMY_ID = uuid.uuid5(TERM_NAMESPACE, VOCABULARY)
PROVINCE_NOTE = "Province code (2025 units) or 'national'"
# HSDS 3.1 counts a service's capacity in units: ours is the bed.
BED_UNIT_ID = uuid.uuid5(TERM_NAMESPACE, "unit/bed")
BED_NAMES = ("bed", "beds", "giường", "giuong")


def term_id(code: str) -> uuid.UUID:
    """The HSDS id of a ``ketnoi`` taxonomy term (a category code or one of our field names)."""
    return uuid.uuid5(TERM_NAMESPACE, f"{VOCABULARY}/{code}")


def taxonomy_record() -> dict[str, str]:
    """The HSDS ``taxonomy`` our terms belong to."""
    return {
        "id": str(TAXONOMY_ID),
        "name": VOCABULARY,
        "description": "Kết Nối service kinds (vi name, en description) and the fields of its HSDS profile",
        "uri": PROFILE_URI,
        "version": HSDS_VERSION,
    }


def category_for_term_id(value: str) -> str:
    """A category code given as itself or as its HSDS term id; anything else is returned unchanged
    (the caller's validation then rejects it)."""
    try:
        wanted = uuid.UUID(value)
    except ValueError:
        return value
    return next((code for code in taxonomy.codes() if term_id(code) == wanted), value)


def child_id(parent: uuid.UUID, kind: str, index: int | str) -> str:
    return str(uuid.uuid5(parent, f"{kind}/{index}"))


def _term(code: str, name: str, description: str, parent: str | None = None) -> dict[str, Any]:
    term: dict[str, Any] = {
        "id": str(term_id(code)),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": VOCABULARY,
        "taxonomy_id": str(TAXONOMY_ID),
    }
    if parent is not None:
        term["parent_id"] = str(term_id(parent))
    return term


def field_term(code: str, description: str) -> dict[str, Any]:
    """A term naming one of our own fields (its value travels in the attribute)."""
    return _term(code, code, description)


def attributes_of(
    owner: uuid.UUID, entity: str, pairs: list[tuple[dict[str, Any], str]], owner_id: str | None = None
) -> list[dict[str, Any]]:
    """``attributes`` of one record: each (term, value) linked to the record by id and table."""
    return [
        {
            "id": child_id(owner, "attribute", index),
            "link_id": owner_id or str(owner),
            "link_type": entity,
            "link_entity": entity,
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
            "value": value,
        }
        for index, (term, value) in enumerate(pairs)
    ]


def service_attributes(service: Service) -> list[dict[str, Any]]:
    by_code = {term.code: term for term in taxonomy.terms()}
    pairs: list[tuple[dict[str, Any], str]] = []
    for code in service.categories:
        category = by_code.get(code)
        if category is not None:  # name in Vietnamese, the description carries the English name
            pairs.append((_term(code, category.name_vi, category.name_en, category.parent_code), code))
    for population in service.populations:
        labels = taxonomy.population_labels(population)
        description = " / ".join(labels) if labels else population
        pairs.append((field_term("population", "Who the service is for: " + description), population))
    provinces = [loc.province_code for loc in service.locations] + list(service.service_areas)
    for code in dict.fromkeys(provinces):
        pairs.append((field_term("province", PROVINCE_NOTE), code))
    if service.capacity_total is not None:
        pairs.append((field_term("capacity_total", "Places (beds) in all"), str(service.capacity_total)))
    if service.capacity_available is not None:
        pairs.append((field_term("capacity_available", "Places (beds) free now"), str(service.capacity_available)))
    pairs.append((field_term("accepting_referrals", "Takes referrals now"), flag(service.accepting_referrals)))
    pairs.append((field_term("visibility", "public, or staff (only staff may see it)"), str(service.visibility)))
    pairs.append((field_term("fee", "free, low_cost or paid"), str(service.fee)))
    for gender in service.genders:
        pairs.append((field_term("gender", "Genders the service is for"), gender))
    if service.last_verified_at is not None:
        verified = service.last_verified_at.isoformat()
        pairs.append((field_term("last_verified_at", "When a coordinator last confirmed the listing"), verified))
    return attributes_of(service.id, "service", pairs)


def bed_unit() -> dict[str, str]:
    """The HSDS 3.1 ``unit`` our capacities are counted in."""
    return {"id": str(BED_UNIT_ID), "name": "Giường / Bed", "scheme": VOCABULARY, "identifier": "bed"}


def is_bed(unit: dict[str, Any], unit_id: Any) -> bool:
    """Whether an HSDS 3.1 capacity counts beds: our unit, or one named or identified as a bed."""
    if str(unit_id or unit.get("id") or "") == str(BED_UNIT_ID):
        return True
    names = {str(unit.get(key) or "").strip().lower() for key in ("name", "identifier")}
    return any(name in BED_NAMES or name.endswith("/ bed") for name in names)


def flag(value: bool) -> str:
    return "true" if value else "false"
