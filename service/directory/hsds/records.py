"""Our listings in the Open Referral HSDS 3.0 shape: pure mapping to JSON-ready dicts.

Nested records HSDS wants ids for (phones, schedules, areas …) have none of their own here, so
their ids are UUIDv5s of the listing id and their position: stable as long as the listing is.
Our own fields HSDS has no column for (populations, capacity, visibility, province and category
codes) travel as ``attributes`` whose ``taxonomy_term`` belongs to the ``ketnoi`` vocabulary (``terms``).
Confidential places are redacted here too, whatever the caller did: a viewer who may not see
them gets only the place's province (``rules.redact``), and a note that the address is given on referral.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from service import places
from service.directory import rules
from service.directory.hsds.terms import (
    BED_UNIT_ID,
    PROVINCE_NOTE,
    attributes_of,
    bed_unit,
    child_id,
    field_term,
    flag,
    service_attributes,
)
from service.directory.models import (
    Contact,
    ContactKind,
    Fee,
    Location,
    Organization,
    Service,
    ServiceStatus,
)

COUNTRY = "VN"
VIET_NAM = "Viet Nam"
UTC_OFFSET_HOURS = 7  # Asia/Ho_Chi_Minh, no daylight saving
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PHONE_KINDS = (ContactKind.HOTLINE, ContactKind.PHONE, ContactKind.ZALO)
CONTACT_LABELS = {
    ContactKind.HOTLINE: "Đường dây nóng / Hotline",
    ContactKind.PHONE: "Điện thoại / Phone",
    ContactKind.ZALO: "Zalo",
    ContactKind.EMAIL: "Email",
    ContactKind.FACEBOOK: "Facebook",
}
REDACTED_NOTE = "Địa chỉ được cung cấp khi chuyển gửi / Address given on referral"
CONFIDENTIAL = field_term("confidential", "The address is given only on referral")

STATUS = {
    ServiceStatus.ACTIVE: "active",
    ServiceStatus.INACTIVE: "inactive",
    ServiceStatus.TEMPORARILY_CLOSED: "temporarily closed",
}
FEES = {
    Fee.FREE: "Miễn phí / Free",
    Fee.LOW_COST: "Chi phí thấp / Low cost",
    Fee.PAID: "Có thu phí / Paid",
}
# the one-to-one fields of a service: what a list page (service_list.json) carries
LIST_FIELDS = (
    "id",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "status",
    "application_process",
    "fees_description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "last_modified",
    "organization",
)


def _province_name(code: str) -> str:
    if code == places.NATIONAL:
        return VIET_NAM
    try:
        return places.by_code(code).name
    except KeyError:
        return code


def _location(service: Service, index: int, location: Location, may_see_restricted: bool) -> dict[str, Any]:
    hidden = location.confidential and not may_see_restricted
    province = _province_name(location.province_code)
    hsds: dict[str, Any] = {
        "id": str(location.id),
        "location_type": "physical",
        "organization_id": str(service.organization_id),
    }
    if location.name:
        hsds["name"] = location.name
    if hidden:
        hsds["description"] = f"{province}. {REDACTED_NOTE}"
    else:
        hsds["description"] = province
        if location.lat is not None and location.lon is not None:
            hsds["latitude"] = location.lat
            hsds["longitude"] = location.lon
        if location.street or location.commune:
            hsds["addresses"] = [
                {
                    "id": child_id(location.id, "address", 0),
                    "location_id": str(location.id),
                    "address_1": location.street or "",
                    "city": location.commune,
                    "state_province": province,
                    "postal_code": "",
                    "country": COUNTRY,
                    "address_type": "physical",
                }
            ]
    if location.accessibility:
        hsds["accessibility"] = [
            {
                "id": child_id(location.id, "accessibility", 0),
                "location_id": str(location.id),
                "description": location.accessibility,
            }
        ]
    hsds["attributes"] = attributes_of(
        location.id,
        "location",
        [
            (field_term("province", PROVINCE_NOTE), location.province_code),
            (CONFIDENTIAL, flag(location.confidential)),
        ],
    )
    return {
        "id": child_id(service.id, "service_at_location", index),
        "service_id": str(service.id),
        "location_id": str(location.id),
        "location": hsds,
    }


def _phone(owner: tuple[str, uuid.UUID], index: int, contact: Contact, contact_id: str) -> dict[str, Any]:
    key, owner_id = owner
    phone_id = child_id(owner_id, "phone", index)
    notes = [CONTACT_LABELS[contact.kind]]
    if contact.is_24_7:
        notes.append("24/7")
    elif contact.hours:
        notes.append(contact.hours)
    return {
        "id": phone_id,
        key: str(owner_id),
        "contact_id": contact_id,
        "number": contact.value,
        "type": "text" if contact.kind is ContactKind.ZALO else "voice",
        "description": ", ".join(notes),
        "languages": [
            {"id": child_id(owner_id, f"phone/{index}/language", code), "phone_id": phone_id, "code": code}
            for code in contact.languages
        ],
    }


def _contacts(
    owner: tuple[str, uuid.UUID], contacts: list[Contact]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every contact point as an HSDS ``contact`` (in order, its kind, hours and links as attributes)
    and the phone-like ones also as ``phones``, which is where most HSDS readers look for numbers."""
    key, owner_id = owner
    records: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    for index, contact in enumerate(contacts):
        contact_id = child_id(owner_id, "contact", index)
        record: dict[str, Any] = {"id": contact_id, key: str(owner_id), "name": CONTACT_LABELS[contact.kind]}
        pairs = [(field_term("contact_kind", "hotline, phone, zalo, email or facebook"), str(contact.kind))]
        if contact.hours:
            pairs.append((field_term("hours", "When the contact answers"), contact.hours))
        if contact.is_24_7:
            pairs.append((field_term("open_24_7", "Answers day and night"), flag(True)))
        if contact.kind in PHONE_KINDS:
            record["phones"] = [_phone(owner, index, contact, contact_id)]
            phones.append(record["phones"][0])
        elif contact.kind is ContactKind.EMAIL:
            record["email"] = contact.value
        else:
            pairs.append((field_term("url", "Address of the page"), contact.value))
        if contact.kind not in PHONE_KINDS:  # a phone carries its languages itself
            pairs += [(field_term("language", "Languages the contact answers in"), code) for code in contact.languages]
        record["attributes"] = attributes_of(uuid.UUID(contact_id), "contact", pairs)
        records.append(record)
    return records, phones


def _organization(service: Service, organization: Organization | None) -> dict[str, Any]:
    if organization is None or organization.id != service.organization_id:
        return {"id": str(service.organization.id), "name": service.organization.name, "description": ""}
    return organization_to_hsds(organization)


def organization_to_hsds(organization: Organization) -> dict[str, Any]:
    """The HSDS ``organization`` record: our kind and verification as attributes, its contacts."""
    hsds: dict[str, Any] = {
        "id": str(organization.id),
        "name": organization.name,
        "description": organization.description,
    }
    if organization.alternate_name:
        hsds["alternate_name"] = organization.alternate_name
    if organization.email:
        hsds["email"] = organization.email
    if organization.website:
        hsds["website"] = organization.website
    if organization.parent_id is not None:
        hsds["parent_organization_id"] = str(organization.parent_id)
    hsds["contacts"], hsds["phones"] = _contacts(("organization_id", organization.id), organization.contacts)
    pairs = [(field_term("organization_kind", "government, ngo, social_work_centre …"), str(organization.kind))]
    if organization.verified_at is not None:
        verified = organization.verified_at.isoformat()
        pairs.append((field_term("verified_at", "When a coordinator last confirmed the organization"), verified))
    hsds["attributes"] = attributes_of(organization.id, "organization", pairs)
    return hsds


def service_to_hsds(
    service: Service, may_see_restricted: bool, organization: Organization | None = None
) -> dict[str, Any]:
    """The HSDS 3.0 ``service`` record (compiled schema, fully nested) as this viewer may see it.

    ``organization`` adds the organization's description, email and website; without it the
    nested organization has only the id and name the listing carries.
    """
    service = rules.redact(service, may_see_restricted=may_see_restricted)
    sid = service.id
    hsds: dict[str, Any] = {
        "id": str(sid),
        "organization_id": str(service.organization_id),
        "name": service.name,
        "description": service.description,
        "status": STATUS[service.status],
        "application_process": service.application_process,
        "fees_description": FEES[service.fee],
        "eligibility_description": service.eligibility_description,
        "last_modified": service.updated_at.isoformat(),
    }
    if service.alternate_name:
        hsds["alternate_name"] = service.alternate_name
    if service.min_age is not None:
        hsds["minimum_age"] = service.min_age
    if service.max_age is not None:
        hsds["maximum_age"] = service.max_age
    if service.last_verified_at is not None:
        hsds["assured_date"] = service.last_verified_at.date().isoformat()
    hsds["organization"] = _organization(service, organization)
    hsds["contacts"], hsds["phones"] = _contacts(("service_id", sid), service.contacts)
    entries = service.schedules
    hsds["schedules"] = [
        {
            "id": child_id(sid, "schedule", index),
            "service_id": str(sid),
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(WEEKDAYS[entries[day].weekday - 1] for day in run),
            "opens_at": entries[run[0]].opens_at,
            "closes_at": entries[run[0]].closes_at,
            "timezone": UTC_OFFSET_HOURS,
        }
        for index, run in enumerate(schedule_runs([(entry.opens_at, entry.closes_at) for entry in entries]))
    ]
    hsds["service_areas"] = [
        {
            "id": child_id(sid, "service_area", code),
            "service_id": str(sid),
            "name": _province_name(code),
            "extent_type": "province" if code != places.NATIONAL else "country",
            "description": code,
        }
        for code in service.service_areas
    ]
    hsds["service_at_locations"] = [
        _location(service, index, location, may_see_restricted) for index, location in enumerate(service.locations)
    ]
    hsds["languages"] = [
        {"id": child_id(sid, "language", code), "service_id": str(sid), "code": code} for code in service.languages
    ]
    hsds["required_documents"] = [
        {"id": child_id(sid, "required_document", index), "service_id": str(sid), "document": document}
        for index, document in enumerate(service.required_documents)
    ]
    if service.capacity_total is not None or service.capacity_available is not None:
        hsds["capacities"] = [_capacity(service)]
    hsds["attributes"] = service_attributes(service)
    return hsds


def schedule_runs(hours: list[tuple[str, str]]) -> list[list[int]]:
    """Positions of weekly entries written as one HSDS schedule each run: neighbours open the same
    hours share one row (``byday`` ``TH,FR``), as HSDS publishers write them, so an imported
    schedule goes back out as the one row it was."""
    runs: list[list[int]] = []
    for index, pair in enumerate(hours):
        if runs and hours[runs[-1][0]] == pair:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _capacity(service: Service) -> dict[str, Any]:
    """Beds as HSDS 3.1's ``service_capacity`` (free ones as ``available``, all as ``maximum``)."""
    capacity: dict[str, Any] = {
        "id": child_id(service.id, "service_capacity", 0),
        "service_id": str(service.id),
        "unit_id": str(BED_UNIT_ID),
        "unit": bed_unit(),
        "available": service.capacity_available if service.capacity_available is not None else 0,
        "description": "Giường còn trống / Beds free",
        "updated": service.updated_at.isoformat(),
    }
    if service.capacity_total is not None:
        capacity["maximum"] = service.capacity_total
    return capacity


def list_item(record: dict[str, Any], minimal: bool = False) -> dict[str, Any]:
    """A full service record cut to what a list page carries (``service_list.json``); ``minimal``
    keeps only id, name, status (HSDS requires it) and the organization."""
    fields = ("id", "name", "status", "organization") if minimal else LIST_FIELDS
    return {key: record[key] for key in fields if key in record}


def hsds_list_page(items: list[dict[str, Any]], total: int, page: int, per_page: int) -> dict[str, Any]:
    """The HSDS API ``Page`` wrapper around ``contents``."""
    total_pages = math.ceil(total / per_page) if per_page > 0 else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(items),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not items,
        "contents": items,
    }
