"""HSDS 3.0 records → our organizations and listings: the inverse of ``records.py``, pure.

Records written by Kết Nối come back exactly (our fields ride on ``ketnoi`` attributes). Records
from other HSDS publishers are read as far as HSDS says what we need: a place's province from its
address, a service area's province from its name, a contact's kind from being a phone; what is
missing takes the API's defaults. A record that cannot make a valid listing raises ``RecordError``
with every reason, so the importer can report it and go on.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

import msgspec

from service import places
from service.directory import taxonomy
from service.directory.hsds import kept, records, schedules, terms
from service.directory.hsds.package import where
from service.directory.listings import prepared_listing
from service.directory.models import (
    ContactKind,
    Fee,
    OrganizationCreate,
    OrganizationKind,
    ServiceCreate,
    ServiceStatus,
)
from service.errors import ValidationFailed

# Our own fields, carried as attributes whose term is one of these codes in the ketnoi vocabulary.
FIELD_CODES = (
    "population",
    "province",
    "capacity_total",
    "capacity_available",
    "accepting_referrals",
    "visibility",
    "fee",
    "gender",
    "last_verified_at",
    "confidential",
    "contact_kind",
    "hours",
    "open_24_7",
    "url",
    "language",
    "organization_kind",
    "verified_at",
)
STATUSES = {
    "active": ServiceStatus.ACTIVE,
    "inactive": ServiceStatus.INACTIVE,
    "defunct": ServiceStatus.INACTIVE,
    "temporarily closed": ServiceStatus.TEMPORARILY_CLOSED,
}
FEE_WORDS = {label: fee for fee, label in records.FEES.items()}


class RecordError(Exception):
    """A record that cannot become a valid listing or organization; ``reasons`` says why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class ImportedOrganization(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    data: OrganizationCreate
    verified_at: datetime | None
    kept: list[kept.Kept]  # what HSDS has and our columns do not
    warnings: list[str]  # values left out, each ``file:line column: why``


class ImportedService(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    data: ServiceCreate
    fields: dict[str, Any]  # validated and normalised, as ``prepared_listing`` returns them
    location_ids: list[uuid.UUID]  # the HSDS ids of ``fields["locations"]``, in order
    last_verified_at: datetime | None
    last_modified: datetime | None
    kept: list[kept.Kept]  # what HSDS has and our columns do not
    warnings: list[str]  # values left out, each ``file:line column: why``


def _known_terms() -> dict[str, str]:
    codes = [*taxonomy.codes(), *FIELD_CODES]
    return {str(terms.term_id(code)): code for code in codes}


_TERMS = _known_terms()


def _code(attribute: dict[str, Any]) -> str | None:
    term = attribute.get("taxonomy_term") or {}
    if term.get("taxonomy") == terms.VOCABULARY and term.get("code"):
        return str(term["code"])
    return _TERMS.get(str(attribute.get("taxonomy_term_id", "")))


def attribute_values(record: dict[str, Any]) -> dict[str, list[str]]:
    """A record's ketnoi attributes as code → values, in order; other vocabularies are ignored."""
    values: dict[str, list[str]] = defaultdict(list)
    for attribute in record.get("attributes") or []:
        code = _code(attribute)
        if code is not None:
            values[code].append(str(attribute.get("value") or ""))
    return values


def _one(values: dict[str, list[str]], code: str) -> str | None:
    found = values.get(code)
    return found[0] if found else None


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("true", "1", "yes")


def _timestamp(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(), tzinfo=UTC)
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _whole(value: Any) -> int | None:
    """An age or a count of beds, which HSDS types as a number."""
    if value in (None, ""):
        return None
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationFailed):
        return [f"{error.field}: {error.message}" for error in exc.errors] or [exc.detail]
    return [str(exc)]


def _converted(cls: type[Any], data: dict[str, Any]) -> Any:
    try:
        return msgspec.convert(data, cls)
    except msgspec.ValidationError as exc:
        raise RecordError([str(exc)]) from exc


def organization_from_hsds(record: dict[str, Any], files: dict[str, str]) -> ImportedOrganization:
    values = attribute_values(record)
    sources = _contact_sources(record)
    try:
        organization_id = uuid.UUID(str(record.get("id")))
        parent = record.get("parent_organization_id")
        data = {
            "name": record.get("name") or "",
            "alternate_name": record.get("alternate_name") or None,
            "description": record.get("description") or "",
            "kind": _one(values, "organization_kind") or OrganizationKind.NGO,
            "parent_id": str(uuid.UUID(str(parent))) if parent else None,
            "email": record.get("email") or None,
            "website": record.get("website") or None,
            "contacts": [_contact(contact, phone) for contact, phone in sources],
        }
        verified_at = _timestamp(_one(values, "verified_at"))
    except (ValueError, TypeError) as exc:
        raise RecordError([str(exc)]) from exc
    warnings: list[str] = []
    rows = kept.Rows(files, {str(record.get("id"))}, warnings)  # its contacts name no place we write
    return ImportedOrganization(
        id=organization_id,
        data=_converted(OrganizationCreate, data),
        verified_at=verified_at,
        kept=[
            *kept.of_record("organization", record),
            *kept.details("contact_detail", [rows.contact(contact, phone) for contact, phone in sources]),
        ],
        warnings=warnings,
    )


def _contact(record: dict[str, Any] | None, phone: dict[str, Any] | None) -> dict[str, Any]:
    record = record or {"attributes": (phone or {}).get("attributes") or []}
    values = attribute_values(record)
    kind = _one(values, "contact_kind")
    if kind is None:
        kind = ContactKind.PHONE if phone else ContactKind.EMAIL if record.get("email") else None
    if kind is None:
        raise ValueError(f"contact {record.get('id')} has neither a phone, an email nor a ketnoi contact_kind")
    if phone is not None:
        value = str(phone.get("number") or "").strip().strip("\"'").strip()  # some tools quote numbers
        languages = [language.get("code") for language in phone.get("languages") or []]
    else:
        value = record.get("email") or _one(values, "url") or ""
        languages = values.get("language", [])
    return {
        "kind": kind,
        "value": value,
        "hours": _one(values, "hours") or "",
        "is_24_7": _flag(_one(values, "open_24_7"), False),
        "languages": [code for code in languages if code],
    }


def _contact_sources(record: dict[str, Any]) -> list[kept.Source]:
    """Contact points in order: each HSDS contact (with its phone), then phones no contact holds."""
    phones = list(record.get("phones") or [])
    by_contact: dict[Any, dict[str, Any]] = {}
    for phone in phones:
        by_contact.setdefault(phone.get("contact_id"), phone)
    sources: list[kept.Source] = []
    for contact in record.get("contacts") or []:
        nested = contact.get("phones") or []
        sources.append((contact, nested[0] if nested else by_contact.get(contact.get("id"))))
    known = {contact.get("id") for contact in record.get("contacts") or []}
    sources += [(None, phone) for phone in phones if phone.get("contact_id") not in known]
    return sources


def _location(
    sal: dict[str, Any], files: dict[str, str], warnings: list[str]
) -> tuple[uuid.UUID, dict[str, Any]] | None:
    """The place of one ``service_at_location``, or None (with a warning) when it has no province
    of Viet Nam: the listing is imported without it."""
    location = sal.get("location") or {}
    values = attribute_values(location)
    addresses = location.get("addresses") or []
    address = addresses[0] if addresses else {}
    province = _one(values, "province") or address.get("state_province") or ""
    if places.resolve(province) is None:
        at = where(files, "location", location) if location else where(files, "service_at_location", sal)
        reason = f"{province!r} is not a province of Viet Nam; kept as written, not searched"
        warnings.append(f"{at} state_province: {reason}")
        return None
    lat, lon = location.get("latitude"), location.get("longitude")
    if lat in (None, "") or lon in (None, ""):  # a place has both coordinates or neither
        lat = lon = None
    access = location.get("accessibility") or []
    return uuid.UUID(str(location.get("id") or sal.get("location_id"))), {
        "name": location.get("name") or "",
        "street": address.get("address_1") or "",
        "commune": address.get("city") or "",
        "province_code": province,
        "lat": float(lat) if lat not in (None, "") else None,
        "lon": float(lon) if lon not in (None, "") else None,
        "confidential": _confidential(values),
        "accessibility": access[0].get("description") or "" if access else "",
    }


def _confidential(location_values: dict[str, list[str]]) -> bool:
    """Whether a place's address is given only on referral (our attribute on its location, whose
    ``attribute_values`` these are)."""
    return _flag(_one(location_values, "confidential"), False)


def _areas(records_: list[dict[str, Any]], files: dict[str, str], warnings: list[str]) -> list[str | None]:
    """Each service area as a province code (or national), or None when it names no province:
    then it is not one of ours (it is kept as HSDS wrote it)."""
    areas: list[str | None] = []
    for record in records_:
        code = str(record.get("description") or "")
        name = str(record.get("name") or code)
        if record.get("extent_type") == "country":
            areas.append(places.NATIONAL)
        elif code == places.NATIONAL or places.resolve(code) is not None:
            areas.append(code)
        elif places.resolve(name) is not None:
            areas.append(name)
        else:
            at = where(files, "service_area", record)
            warnings.append(f"{at} name: {name[:60]!r} is not a province of Viet Nam; kept as written, not searched")
            areas.append(None)
    return areas


def _capacity(values: dict[str, list[str]], record: dict[str, Any]) -> tuple[int | None, int | None]:
    """Beds in all and free: our attributes, or else HSDS 3.1's ``service_capacity`` in beds."""
    total, available = _one(values, "capacity_total"), _one(values, "capacity_available")
    if total or available:
        return int(total) if total else None, int(available) if available else None
    for capacity in record.get("capacities") or []:
        if terms.is_bed(capacity.get("unit") or {}, capacity.get("unit_id")):
            maximum, free = capacity.get("maximum"), capacity.get("available")
            return _whole(maximum), _whole(free)
    return None, None


def _fee(values: dict[str, list[str]], description: str) -> str:
    return _one(values, "fee") or FEE_WORDS.get(description.strip(), Fee.FREE if not description else Fee.PAID)


def _categories(values: dict[str, list[str]]) -> list[str]:
    return [code for code in values if code in taxonomy.codes()]


def _checked(
    data: dict[str, Any], sources: list[kept.Source], warnings: list[str]
) -> tuple[ServiceCreate, dict[str, Any], list[kept.Source]]:
    """The listing checked as the API checks it; a contact the checks refuse is optional, so it is
    left out with a warning (the rest must pass). Returns the sources of the contacts kept too."""
    create: ServiceCreate = _converted(ServiceCreate, data)
    try:
        return create, prepared_listing(create), sources
    except ValidationFailed as exc:
        matches = [_CONTACT.match(error.field) for error in exc.errors]
        if not matches or None in matches:
            raise RecordError(_problems(exc)) from exc
        refused = {int(m[1]) for m in matches if m is not None}
        for error in exc.errors:
            warnings.append(f"{error.field}: {error.message}; the contact is left out")
    data = data | {"contacts": [c for index, c in enumerate(data["contacts"]) if index not in refused]}
    return _checked(data, [s for index, s in enumerate(sources) if index not in refused], warnings)


_CONTACT = re.compile(r"^contacts\[(\d+)\]")


def service_from_hsds(record: dict[str, Any], files: dict[str, str]) -> ImportedService:
    """One HSDS ``service`` (fully nested) as a listing ready to write, or ``RecordError``."""
    values = attribute_values(record)
    reasons: list[str] = []
    warnings: list[str] = []
    try:
        service_id = uuid.UUID(str(record.get("id")))
        organization_id = uuid.UUID(str(record.get("organization_id") or (record.get("organization") or {}).get("id")))
        sals = record.get("service_at_locations") or []
        found = [(sal, _location(sal, files, warnings)) for sal in sals]
        located = [(sal, place) for sal, place in found if place is not None]
        areas = _areas(record.get("service_areas") or [], files, warnings)
        days, day_sources = schedules.read(record.get("schedules") or [], files, warnings)
        sources = _contact_sources(record)
        status = str(record.get("status") or "active")
        if status not in STATUSES:
            reasons.append(f"status {status!r} is not an HSDS status")
        capacity_total, capacity_available = _capacity(values, record)
        data = {
            "organization_id": str(organization_id),
            "name": record.get("name") or "",
            "alternate_name": record.get("alternate_name") or None,
            "description": record.get("description") or "",
            "status": STATUSES.get(status, ServiceStatus.ACTIVE),
            "categories": _categories(values),
            "populations": values.get("population", []),
            "eligibility_description": record.get("eligibility_description") or "",
            "min_age": _whole(record.get("minimum_age")),
            "max_age": _whole(record.get("maximum_age")),
            "genders": values.get("gender", []),
            "languages": [language.get("code") for language in record.get("languages") or []],
            "fee": _fee(values, str(record.get("fees_description") or "")),
            "application_process": record.get("application_process") or "",
            "required_documents": [doc.get("document") or "" for doc in record.get("required_documents") or []],
            "accepting_referrals": _flag(_one(values, "accepting_referrals"), True),
            "capacity_total": capacity_total,
            "capacity_available": capacity_available,
            "visibility": _one(values, "visibility") or "public",
            "locations": [location for _, (_, location) in located],
            "service_areas": [area for area in areas if area is not None],
            "contacts": [_contact(contact, phone) for contact, phone in sources],
            "schedules": days,
        }
        last_verified = _timestamp(_one(values, "last_verified_at") or record.get("assured_date"))
        last_modified = _timestamp(record.get("last_modified"))
    except (ValueError, TypeError) as exc:
        raise RecordError([*reasons, str(exc)]) from exc
    if reasons:
        raise RecordError(reasons)
    create, fields, sources = _checked(data, sources, warnings)
    return ImportedService(
        id=service_id,
        data=create,
        fields=fields,
        location_ids=[location_id for _, (location_id, _) in located],
        last_verified_at=last_verified,
        last_modified=last_modified,
        kept=kept.of_listing(
            record,
            files,
            (found, areas, schedules.runs(days, day_sources), sources),
            [_confidential(attribute_values(sal.get("location") or {})) for sal, place in found if place is None],
            warnings,
        ),
        warnings=warnings,
    )
