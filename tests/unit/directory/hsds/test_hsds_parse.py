"""HSDS records back into listings: our own records come back exactly; other publishers' records
are read as far as HSDS allows; a record that cannot make a valid listing says every reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from service.directory.hsds import records as hsds
from service.directory.hsds.parse import RecordError, organization_from_hsds, service_from_hsds
from service.directory.models import (
    Contact,
    ContactKind,
    Fee,
    Organization,
    OrganizationKind,
    Schedule,
    Service,
    ServiceStatus,
    Visibility,
)
from tests.unit.directory.hsds.test_hsds import ORG, listing


def listing_fields(service: Service) -> dict[str, Any]:
    """What an import must reproduce: everything but storage detail (ids, versions, times)."""
    view = msgspec.to_builtins(service)
    for key in (
        "id",
        "organization",
        "version",
        "created_at",
        "updated_at",
        "stale",
        "last_verified_at",
        "verified_by",
        "confirmed_at",  # the organization's check-in answer, like a verification, is not imported
        "confirmed_by",
    ):
        view.pop(key)
    for location in view["locations"]:
        location.pop("id")
    return dict(view)


def round_trip(service: Service) -> dict[str, Any]:
    imported = service_from_hsds(hsds.service_to_hsds(service, may_see_restricted=True), {})
    assert imported.id == service.id
    assert imported.location_ids == [location.id for location in service.locations]
    assert imported.last_verified_at == service.last_verified_at
    assert imported.last_modified == service.updated_at
    return dict(msgspec.to_builtins(imported.fields))


EVERY_CONTACT = [
    Contact(kind=ContactKind.EMAIL, value="a@example.org", hours="Giờ hành chính", is_24_7=False, languages=["vi"]),
    Contact(kind=ContactKind.HOTLINE, value="1800 1567", hours="", is_24_7=True, languages=["vi", "en"]),
    Contact(kind=ContactKind.FACEBOOK, value="https://facebook.com/hoasen", hours="", is_24_7=False, languages=[]),
    Contact(kind=ContactKind.ZALO, value="0912 345 678", hours="8-17h", is_24_7=False, languages=["km"]),
    Contact(kind=ContactKind.PHONE, value="0292 3 812 345", hours="", is_24_7=False, languages=[]),
]


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"contacts": EVERY_CONTACT},
        {"status": ServiceStatus.INACTIVE, "visibility": Visibility.STAFF, "fee": Fee.LOW_COST},
        {"alternate_name": "Lotus Shelter", "min_age": None, "max_age": 60, "genders": []},
        {"schedules": [Schedule(weekday=7, opens_at="00:00", closes_at="24:00")], "accepting_referrals": False},
        {"capacity_total": None, "capacity_available": None, "service_areas": ["national"], "locations": []},
    ],
    ids=["shelter", "every-contact-kind", "staff-only", "names-and-ages", "midnight", "national-no-place"],
)
def test_our_own_record_comes_back_exactly(overrides: dict[str, Any]) -> None:
    service = listing(**overrides)
    assert round_trip(service) == listing_fields(service)


def test_a_confidential_place_comes_back_confidential_with_its_address() -> None:
    service = listing(confidential=True)
    assert round_trip(service) == listing_fields(service)


def test_an_organization_comes_back_with_kind_parent_contacts_and_verification() -> None:
    organization = Organization(
        id=ORG,
        name="Hội Liên hiệp Phụ nữ tỉnh Cần Thơ",
        alternate_name="Can Tho Women's Union",
        description="Địa chỉ tin cậy",
        kind=OrganizationKind.MASS_ORGANIZATION,
        parent_id=uuid.uuid4(),
        email="hoi@example.org",
        website="https://example.org",
        contacts=EVERY_CONTACT,
        verified_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        version=4,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    imported = organization_from_hsds(hsds.organization_to_hsds(organization), {})
    assert imported.id == organization.id
    assert imported.verified_at == organization.verified_at
    expected = msgspec.to_builtins(organization)
    for key in ("id", "verified_at", "version", "created_at", "updated_at"):
        expected.pop(key)
    expected["parent_id"] = str(organization.parent_id)
    assert msgspec.to_builtins(imported.data) == expected


def foreign_service(**overrides: Any) -> dict[str, Any]:
    """A service as another HSDS publisher writes it: no ketnoi attributes at all."""
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "organization_id": str(ORG),
        "name": "Legal clinic",
        "status": "defunct",
        "fees_description": "",
        "minimum_age": 18.0,
        "phones": [{"id": str(uuid.uuid4()), "number": "+84 24 3942 1234", "languages": [{"code": "en"}]}],
        "service_areas": [{"id": str(uuid.uuid4()), "name": "Sài Gòn", "extent_type": "city"}],
        "schedules": [
            {"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": "MO,WE", "opens_at": "08:00", "closes_at": "11:30:00"}
        ],
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": str(uuid.uuid4()),
                    "location_type": "physical",
                    "latitude": 10.78,
                    "longitude": 106.7,
                    "addresses": [{"address_1": "1 Lê Duẩn", "city": "Bến Nghé", "state_province": "TP.HCM"}],
                },
            }
        ],
        "attributes": [
            {"taxonomy_term_id": str(uuid.uuid4()), "value": "x", "taxonomy_term": {"taxonomy": "other", "code": "a"}}
        ],
    }
    record.update(overrides)
    return record


def test_another_publishers_service_is_read_as_far_as_hsds_says() -> None:
    fields = service_from_hsds(foreign_service(), {}).fields
    assert fields["status"] == ServiceStatus.INACTIVE  # defunct
    assert fields["min_age"] == 18
    assert fields["service_areas"] == ["79"]  # Sài Gòn is Hồ Chí Minh City
    assert fields["locations"][0].province_code == "79"
    assert fields["locations"][0].street == "1 Lê Duẩn"
    assert [(c.kind, c.value, c.languages) for c in fields["contacts"]] == [("phone", "+84 24 3942 1234", ["en"])]
    assert [(s.weekday, s.opens_at, s.closes_at) for s in fields["schedules"]] == [
        (1, "08:00", "11:30"),
        (3, "08:00", "11:30"),
    ]
    assert (fields["categories"], fields["visibility"], fields["accepting_referrals"]) == ([], "public", True)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"id": "not-a-uuid"}, "badly formed"),
        ({"name": ""}, "name"),
        ({"status": "closed"}, "status 'closed'"),
        ({"minimum_age": 12.5}, "whole number"),
    ],
    ids=["id", "name", "status", "age"],
)
def test_a_record_that_cannot_be_a_listing_says_why(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        service_from_hsds(foreign_service(**overrides), {})
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        (
            {"service_areas": [{"name": "Atlantis", "line": 4}]},
            "service_areas.csv:5 name: 'Atlantis' is not a province",
        ),
        (
            {"schedules": [{"freq": "MONTHLY", "opens_at": "08:00", "closes_at": "09:00", "line": 2}]},
            "schedules.csv:3 freq: 'MONTHLY' is not WEEKLY; the schedule is left out",
        ),
        (
            {"schedules": [{"byday": "MO", "opens_at": "8 am", "closes_at": "09:00", "line": 0}]},
            "schedules.csv:1 opens_at: '8 am' is not a time of day; the schedule is left out",
        ),
        ({"phones": [{"number": "call us"}]}, "not a phone number"),
    ],
    ids=["area", "monthly", "time", "phone"],
)
def test_an_optional_row_that_cannot_be_ours_is_left_out_with_a_warning(
    overrides: dict[str, Any], warning: str
) -> None:
    files = {"service_area": "service_areas.csv", "schedule": "schedules.csv"}
    imported = service_from_hsds(foreign_service(**overrides), files)
    assert any(warning in text for text in imported.warnings), imported.warnings


def test_every_reason_is_reported_not_just_the_first() -> None:
    record = hsds.service_to_hsds(listing(capacity_total=2, capacity_available=4, min_age=30, max_age=20), True)
    with pytest.raises(RecordError) as caught:
        service_from_hsds(record, {})
    assert any("capacity_available" in reason for reason in caught.value.reasons)
    assert any("min_age" in reason for reason in caught.value.reasons)
